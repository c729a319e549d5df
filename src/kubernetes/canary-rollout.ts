import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { EgressTarget } from './egress-target';
import { RolloutSpec, RolloutSpecStrategyCanary } from './imports/argo-rollout-argoproj.io';
import { Canary } from './imports/flagger-flagger.app';
import { chartNamespace } from './private/argo-analysis';
import { argoCanaryStrategy } from './private/argo-canary';
import { flaggerCanarySpec } from './private/flagger-canary';
import { ReleaseContext } from './private/release-context';
import { RolloutResource } from './private/rollout-resource';
import { addShadowIsolation } from './private/shadow-isolation';
import { RolloutEngine, RolloutEngineKind } from './rollout-engine';
import { SideEffects } from './side-effects';
import { TrafficRouter, TrafficRouterKind } from './traffic-router';
import { WorkloadOptions } from './workload-options';
import { fail, withPath } from '../private/validate';
import { warn } from '../private/warnings';
import { addDisruptionBudget, addService, NAME_LABEL, podTemplate, resolveWorkload, Workload } from './private/workload';
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
  private readonly canaryLabels?: { [key: string]: string };

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
      this.canarySpec = withPath(where, 'plan', () => flaggerCanarySpec(this, ctx, this.plan, this.trafficRouter, engine.flaggerOptions!));
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
      this.strategy = withPath(where, 'plan', () => argoCanaryStrategy(this, ctx, this.plan, this.trafficRouter, engine.argoOptions!));
      this.canaryLabels = this.isolateMirroredCanary(props, ctx);
      addService(this, 'Service', w, this.serviceName, w.selector);
      addService(this, 'StableService', w, this.stableServiceName, w.selector);
      addService(this, 'CanaryService', w, this.canaryServiceName, w.selector);
      new RolloutResource(this, 'Resource', {
        metadata: { name: w.name, labels: w.labels },
        spec: Lazy.any({ produce: () => this._toRolloutSpec() }),
      }, this.template);
      addDisruptionBudget(this, 'DisruptionBudget', w, w.name, w.selector);
      if (this.trafficRouter.kind === TrafficRouterKind.NONE) this.warnReplicaRatio(w);
    }
    if (flagger && (props.sideEffects !== undefined || props.productionDependencies !== undefined)) {
      fail(where, 'sideEffects', 'applies only to Argo Rollouts plans with Step.mirror (Flagger canaries do not mirror)', props.sideEffects ?? props.productionDependencies);
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
      // spec.template is rendered by the core binding (see RolloutResource).
      progressDeadlineSeconds: argo.progressDeadlineSeconds,
      progressDeadlineAbort: argo.progressDeadlineAbort,
      strategy: { canary: this.canaryLabels ? { ...this.strategy, canaryMetadata: { labels: this.canaryLabels } } : this.strategy },
    };
  }

  /**
   * The Flagger Canary's spec (Flagger engine). Never throws.
   * @internal
   */
  public _toCanarySpec(): any {
    return this.canarySpec;
  }

  /**
   * Locks out the side effects of canary pods that receive mirrored requests, with the rules
   * ShadowMirror applies to shadows: declared side effects, a default-deny egress NetworkPolicy (DNS
   * plus the allowlist), no allowlist entry reaching a production dependency, and a shadow marker.
   *
   * The isolation selects the shadow label that Argo Rollouts puts on canary pods only
   * (`canaryMetadata`) and takes off when they are promoted. For that to be safe the canary must not
   * serve real traffic before promotion, so a mirroring plan may not send it weight or header routes.
   * The marker is that label, not an environment variable: an environment variable would stay set on
   * the pods after their promotion to stable.
   */
  private isolateMirroredCanary(props: CanaryRolloutProps, ctx: ReleaseContext): { [key: string]: string } | undefined {
    const where = ctx.where;
    const sequence = this.plan.sequence;
    const mirrors = sequence.some((s) => s.kind === StepKind.MIRROR);
    if (!mirrors) {
      if (props.sideEffects !== undefined || props.productionDependencies !== undefined) {
        fail(where, 'sideEffects', 'applies only to plans with Step.mirror; the canary pods of this plan serve real traffic', props.sideEffects ?? props.productionDependencies);
      }
      return undefined;
    }
    sequence.forEach((step, i) => {
      const realTraffic = (step.kind === StepKind.SET_WEIGHT && step.weight! > 0) || step.kind === StepKind.HEADER_ROUTE;
      if (realTraffic) {
        fail(where, `plan.steps[${i}]`, 'must not send real traffic to a canary that receives mirrored requests: its pods stay isolated until promotion; nearest plan: Step.canaryScale(...), Step.mirror(...), bakes and analysis steps only, then promotion', step.toString());
      }
    });
    const isolation = addShadowIsolation(this, 'MirrorIsolation', {
      where,
      name: `${this.name}-canary-egress`,
      podSelector: { ...this.workload.selector, [SideEffects.SHADOW_LABEL]: 'true' },
      labels: this.workload.labels,
      sideEffects: props.sideEffects,
      productionDependencies: props.productionDependencies,
      namespace: ctx.namespace,
    });
    return isolation.podLabels;
  }

  private warnReplicaRatio(w: Workload): void {
    const weights = this.plan.sequence.filter((s) => s.kind === StepKind.SET_WEIGHT && s.weight! > 0 && s.weight! < 100).map((s) => s.weight!);
    const share = (p: number) => Math.round((Math.ceil((p * w.replicas) / 100) / w.replicas) * 1000) / 10;
    const detail = weights.length > 0 ? `; weights ${weights.join(', ')} become about ${weights.map((p) => `${share(p)}%`).join(', ')}` : '';
    warn(this, `TrafficRouter.none(): traffic follows the share of pods, so weights move in steps of ${Math.round(10000 / w.replicas) / 100}% with ${w.replicas} replicas${detail}`);
  }
}
