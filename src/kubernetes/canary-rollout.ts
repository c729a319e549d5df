import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Rollout, RolloutProps, RolloutSpec, RolloutSpecStrategyCanary } from './imports/argo-rollout-argoproj.io';
import { Canary } from './imports/flagger-flagger.app';
import { chartNamespace } from './private/argo-analysis';
import { argoCanaryStrategy } from './private/argo-canary';
import { flaggerCanarySpec } from './private/flagger-canary';
import { ReleaseContext } from './private/release-context';
import { RolloutEngine, RolloutEngineKind } from './rollout-engine';
import { TrafficRouter, TrafficRouterKind } from './traffic-router';
import { WorkloadOptions } from './workload-options';
import { fail } from '../private/validate';
import { warn } from '../private/warnings';
import { addDisruptionBudget, addService, NAME_LABEL, podTemplate, resolveWorkload, Workload } from '../private/workload';
import { RolloutPlan } from '../strategy/rollout-plan';
import { StepKind } from '../strategy/step';

/** Properties for `CanaryRollout`. */
export interface CanaryRolloutProps extends WorkloadOptions {
  /** How traffic moves to the new version: steps, bakes, manual pauses and gates. */
  readonly plan: RolloutPlan;
  /**
   * The controller that carries out the plan.
   * @default RolloutEngine.argoRollouts()
   */
  readonly engine?: RolloutEngine;
  /**
   * How traffic is split between the stable and the new version. `TrafficRouter.none()` splits by
   * pod count (Argo Rollouts only) and is never chosen for you.
   */
  readonly trafficRouter: TrafficRouter;
}

/**
 * A progressive canary release: traffic moves to the new version step by step, gated by metrics, and
 * goes back to the stable version when a gate fails.
 *
 * With `RolloutEngine.argoRollouts()` it synthesizes an Argo Rollouts `Rollout` (`<name>`), three
 * Services (`<name>` selecting every pod, `<name>-stable` and `<name>-canary`, which the controller
 * narrows to one version each), one `AnalysisTemplate` per gate (`<name>-<gate>`, or
 * `<name>-<gate>-continuous` for background gates), a PodDisruptionBudget, and the router's objects
 * (an HTTPRoute, a VirtualService and DestinationRule, or an Ingress).
 *
 * With `RolloutEngine.flagger()` it synthesizes a `Deployment` (`<name>`), a Flagger `Canary`
 * (`<name>`), one `MetricTemplate` per metric gate, a PodDisruptionBudget over the primary pods
 * (`<name>-primary`) and, for `TrafficRouter.nginx()`, the Ingress. Flagger itself creates the
 * `<name>-primary` Deployment, the Services `<name>`, `<name>-primary` and `<name>-canary`, and the
 * router objects.
 *
 * @example
 * new CanaryRollout(chart, 'checkout', {
 *   containers: [{ image: 'registry.example.com/checkout:v2', portNumber: 8080, readiness: Probe.fromHttpGet('/healthz') }],
 *   replicas: 10, port: 80,
 *   plan: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5), gates: [successRate] }),
 *   engine: RolloutEngine.argoRollouts(),
 *   trafficRouter: TrafficRouter.gatewayApi({ gateway: 'public' }),
 * });
 */
export class CanaryRollout extends Construct {
  /** Base name of every object. */
  public readonly name: string;
  /** The plan being carried out. */
  public readonly plan: RolloutPlan;
  /** The controller carrying it out. */
  public readonly engine: RolloutEngine;
  /** The traffic router. */
  public readonly trafficRouter: TrafficRouter;
  /** The Service clients call (`<name>`). */
  public readonly serviceName: string;
  /** The Service in front of the new version (`<name>-canary`). */
  public readonly canaryServiceName: string;
  /** The Service in front of the stable version (`<name>-stable` with Argo Rollouts, `<name>-primary` with Flagger). */
  public readonly stableServiceName: string;

  private readonly workload: Workload;
  private readonly template: k8s.PodTemplateSpec;
  private readonly strategy?: RolloutSpecStrategyCanary;
  private readonly canarySpec?: { [key: string]: any };

  constructor(scope: Construct, id: string, props: CanaryRolloutProps) {
    super(scope, id);
    const where = this.node.path;
    if (!(props.plan instanceof RolloutPlan)) fail(where, 'plan', 'must be a RolloutPlan', props.plan);
    if (!(props.trafficRouter instanceof TrafficRouter)) {
      fail(where, 'trafficRouter', 'must be a TrafficRouter (TrafficRouter.gatewayApi(), .istio(), .nginx(), .alb(), .smi() or .none())', props.trafficRouter);
    }
    const engine = props.engine ?? RolloutEngine.argoRollouts();
    if (!(engine instanceof RolloutEngine)) fail(where, 'engine', 'must be a RolloutEngine', engine);
    const w = resolveWorkload(this, props);
    const flagger = engine.kind === RolloutEngineKind.FLAGGER;
    this.name = w.name;
    this.plan = props.plan;
    this.engine = engine;
    this.trafficRouter = props.trafficRouter;
    this.workload = w;
    this.serviceName = w.name;
    this.canaryServiceName = `${w.name}-canary`;
    this.stableServiceName = flagger ? `${w.name}-primary` : `${w.name}-stable`;
    const ctx: ReleaseContext = {
      where,
      workload: w,
      namespace: chartNamespace(this),
      serviceName: this.serviceName,
      canaryServiceName: this.canaryServiceName,
      stableServiceName: this.stableServiceName,
    };
    this.template = podTemplate(w, { containers: props.containers });

    if (flagger) {
      this.canarySpec = flaggerCanarySpec(this, ctx, this.plan, this.trafficRouter, engine.flaggerOptions!);
      new k8s.KubeDeployment(this, 'Deployment', {
        metadata: { name: w.name, labels: w.labels },
        spec: {
          replicas: w.replicas,
          // Flagger requires the selector to use app, name or app.kubernetes.io/name; the primary it
          // creates selects app.kubernetes.io/name=<name>-primary.
          selector: { matchLabels: w.selector },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromString('25%'), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
          template: this.template,
        },
      });
      new Canary(this, 'Resource', {
        metadata: { name: w.name, labels: w.labels },
        spec: Lazy.any({ produce: () => this._toCanarySpec() }),
      });
      addDisruptionBudget(this, 'DisruptionBudget', w, `${w.name}-primary`, { [NAME_LABEL]: `${w.name}-primary` });
    } else {
      for (const [field, allowed, got] of this.trafficRouter._engineProblems('argo', ctx)) fail(where, field, allowed, got);
      this.strategy = argoCanaryStrategy(this, ctx, this.plan, this.trafficRouter, engine.argoOptions!);
      addService(this, 'Service', w, this.serviceName, w.selector);
      addService(this, 'StableService', w, this.stableServiceName, w.selector);
      addService(this, 'CanaryService', w, this.canaryServiceName, w.selector);
      new RolloutWithPodTemplate(this, 'Resource', {
        metadata: { name: w.name, labels: w.labels },
        spec: Lazy.any({ produce: () => this._toRolloutSpec() }),
      }, () => k8s.toJson_PodTemplateSpec(this.template));
      addDisruptionBudget(this, 'DisruptionBudget', w, w.name, w.selector);
      if (this.trafficRouter.kind === TrafficRouterKind.NONE) this.warnReplicaRatio(w);
    }
    this.trafficRouter._renderObjects(this, ctx, flagger ? 'flagger' : 'argo');
  }

  /**
   * The Rollout's spec (Argo Rollouts engine). Never throws.
   * @internal
   */
  public _toRolloutSpec(): RolloutSpec {
    const argo = this.engine.argoOptions ?? {};
    return {
      replicas: this.workload.replicas,
      selector: { matchLabels: { ...this.workload.selector } },
      // spec.template is rendered by the core binding (see RolloutWithPodTemplate).
      progressDeadlineSeconds: argo.progressDeadlineSeconds,
      progressDeadlineAbort: argo.progressDeadlineAbort,
      strategy: { canary: this.strategy },
    };
  }

  /**
   * The Flagger Canary's spec (Flagger engine). Never throws.
   * @internal
   */
  public _toCanarySpec(): any {
    return this.canarySpec;
  }

  private warnReplicaRatio(w: Workload): void {
    const weights = this.plan.sequence.filter((s) => s.kind === StepKind.SET_WEIGHT && s.weight! > 0 && s.weight! < 100).map((s) => s.weight!);
    const share = (p: number) => Math.round((Math.ceil((p * w.replicas) / 100) / w.replicas) * 1000) / 10;
    const detail = weights.length > 0 ? `; weights ${weights.join(', ')} become about ${weights.map((p) => `${share(p)}%`).join(', ')}` : '';
    warn(this, `TrafficRouter.none(): traffic follows the share of pods, so weights move in steps of ${Math.round(10000 / w.replicas) / 100}% with ${w.replicas} replicas${detail}`);
  }
}

/**
 * The generated Rollout binding maps the pod template with its own field list and renders quantity
 * maps (resources) as `{ value }` objects, and it runs after JSON patches. So the pod template is
 * rendered by the core Kubernetes binding and set after the generated mapper.
 */
class RolloutWithPodTemplate extends Rollout {
  constructor(scope: Construct, id: string, props: RolloutProps, private readonly podTemplateJson: () => unknown) {
    super(scope, id, props);
  }

  public override toJson(): any {
    const json = super.toJson();
    return { ...json, spec: { ...json.spec, template: this.podTemplateJson() } };
  }
}
