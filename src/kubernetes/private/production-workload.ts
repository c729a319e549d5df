/**
 * Finds the production workload of a Service among the objects of the app: the Service named
 * `service` in `namespace`, and every pod-owning object whose pod template carries all of that
 * Service's selector labels. Read at synth time, when every object of the app exists.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';

/** Kinds whose `spec.template` is a pod template. */
const POD_OWNERS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Rollout'];

/** One pod-owning object of the production workload, as rendered. */
export interface ProductionPodOwner {
  /** `Deployment 'search'`, for messages. */
  readonly description: string;
  /** Its pod spec (JSON). */
  readonly podSpec: any;
  /** Workload and pod template annotations together. */
  readonly annotations: { [key: string]: string };
}

/**
 * The production pod owners of Service `service` in `namespace` (`undefined`: no namespace), or
 * `undefined` when the app holds no such Service. Objects under `exclude` (the shadow) are skipped.
 */
export function productionPodOwners(
  root: IConstruct, service: string, namespace: string | undefined, exclude: IConstruct,
): ProductionPodOwner[] | undefined {
  const objects = root.node.findAll()
    .filter((c): c is ApiObject => c instanceof ApiObject && !isUnder(c, exclude))
    .map((o) => o.toJson());
  const sameNamespace = (o: any) => (o.metadata?.namespace ?? undefined) === namespace;
  const svc = objects.find((o) => o.kind === 'Service' && o.metadata?.name === service && sameNamespace(o));
  if (!svc) return undefined;
  const selector: { [key: string]: string } = svc.spec?.selector ?? {};
  if (Object.keys(selector).length === 0) return [];
  return objects
    .filter((o) => POD_OWNERS.includes(o.kind) && sameNamespace(o))
    .filter((o) => {
      const labels = o.spec?.template?.metadata?.labels ?? {};
      return Object.entries(selector).every(([k, v]) => labels[k] === v);
    })
    .map((o) => ({
      description: `${o.kind} '${o.metadata?.name}'`,
      podSpec: o.spec.template.spec ?? {},
      annotations: { ...(o.metadata?.annotations ?? {}), ...(o.spec.template.metadata?.annotations ?? {}) },
    }));
}

function isUnder(c: IConstruct, scope: IConstruct): boolean {
  return c.node.scopes.includes(scope);
}
