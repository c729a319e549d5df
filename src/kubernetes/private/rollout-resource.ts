import { JsonPatch, resolve } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Rollout, RolloutProps } from '../imports/argo-rollout-argoproj.io';

/**
 * An Argo Rollouts `Rollout` whose pod template is rendered by cdk8s-plus's core `k8s` types.
 *
 * The generated Rollout bindings type the pod template from the CRD, which leaves resource quantities
 * untyped while typing probe ports as int-or-string wrappers; a core `k8s.PodTemplateSpec` therefore
 * renders wrongly through them (quantities come out as `{ value: '500m' }`). The spec is rendered by
 * the generated bindings without a template, and the template is set afterwards from the core JSON,
 * exactly as a Deployment would carry it. JSON patches are applied last, to the complete object, so
 * `ApiObject.of(...).addJsonPatch()` can reach into the pod template too. The template goes through the
 * app's resolvers like the rest of the object, so a cdk8s `Lazy` in it (an image, a label) resolves.
 */
export class RolloutResource extends Rollout {
  private readonly templateJson: any;
  private readonly lastPatches: JsonPatch[] = [];

  constructor(scope: Construct, id: string, props: RolloutProps, template: k8s.PodTemplateSpec) {
    super(scope, id, props);
    this.templateJson = k8s.toJson_PodTemplateSpec(template);
  }

  public override addJsonPatch(...ops: JsonPatch[]): void {
    this.lastPatches.push(...ops);
  }

  public override toJson(): any {
    const json = super.toJson();
    const template = resolve(['spec', 'template'], this.templateJson, this);
    return JsonPatch.apply({ ...json, spec: { ...json.spec, template } }, ...this.lastPatches);
  }
}
