import { Construct } from 'constructs';
import { AutoscalingOptions } from './autoscaling-options';
import { EgressTarget } from './egress-target';
import { checkAutoscaling } from './private/autoscaler';
import { chartNamespace, ReleaseContext } from './private/release-context';
import { podTemplate, resolveWorkload } from './private/workload';
import { RolloutEngine } from './rollout-engine';
import { SideEffects } from './side-effects';
import { TrafficRouter } from './traffic-router';
import { WorkloadOptions } from './workload-options';
import { fail, withPath } from '../private/validate';
import { RolloutPlan } from '../strategy/rollout-plan';

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
  /**
   * What the canary pods may reach while they process mirrored requests (`Step.mirror`). Required
   * when the plan mirrors; refused otherwise. The canary pods get a default-deny egress
   * NetworkPolicy (DNS plus this allowlist) and the shadow label while they are the canary.
   * @default - the plan must not mirror
   */
  readonly sideEffects?: SideEffects;
  /**
   * Production dependencies the mirrored canary pods must never reach; an allowlist entry that reaches
   * one is refused.
   * @default - none declared
   */
  readonly productionDependencies?: EgressTarget[];
  /**
   * Scale the pods with a HorizontalPodAutoscaler (`<name>`) instead of a fixed `replicas`, which must
   * then be left out. Argo Rollouts: the autoscaler scales the Rollout. Flagger: it scales the
   * Deployment, the Canary's `autoscalerRef` names it, and Flagger gives the primary a copy.
   * @default - a fixed number of pods (`replicas`)
   */
  readonly autoscaling?: AutoscalingOptions;
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

  constructor(scope: Construct, id: string, props: CanaryRolloutProps) {
    super(scope, id);
    const where = this.node.path;
    if (!(props.plan instanceof RolloutPlan)) fail(where, 'plan', 'must be a RolloutPlan', props.plan);
    if (!(props.trafficRouter instanceof TrafficRouter)) {
      fail(where, 'trafficRouter', 'must be a TrafficRouter (TrafficRouter.gatewayApi(), .istio(), .nginx(), .alb(), .smi() or .none())', props.trafficRouter);
    }
    const engine = props.engine ?? RolloutEngine.argoRollouts();
    if (!(engine instanceof RolloutEngine)) fail(where, 'engine', 'must be a RolloutEngine', engine);
    const replicas = props.autoscaling === undefined ? props.replicas : checkAutoscaling(where, props.autoscaling, props.replicas);
    const w = resolveWorkload(this, { ...props, replicas });
    this.name = w.name;
    this.plan = props.plan;
    this.engine = engine;
    this.trafficRouter = props.trafficRouter;
    this.serviceName = w.name;
    this.canaryServiceName = `${w.name}-canary`;
    this.stableServiceName = engine._stableServiceName(w.name);
    const ctx: ReleaseContext = {
      where,
      workload: w,
      namespace: chartNamespace(this),
      serviceName: this.serviceName,
      canaryServiceName: this.canaryServiceName,
      stableServiceName: this.stableServiceName,
    };
    withPath(where, 'plan', () => engine._bind(this, {
      ctx,
      plan: this.plan,
      router: this.trafficRouter,
      template: podTemplate(w, { containers: props.containers }),
      sideEffects: props.sideEffects,
      productionDependencies: props.productionDependencies,
      autoscaling: props.autoscaling,
    }));
  }
}
