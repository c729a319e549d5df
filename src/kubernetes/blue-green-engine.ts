import { Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AntiAffinity } from './anti-affinity';
import { EgressTarget } from './egress-target';
import { RolloutSpec } from './imports/argo-rollout-argoproj.io';
import { argoAnalysisTemplates, ArgoAnalysisRef } from './private/argo-analysis';
import { renderFlaggerBlueGreen } from './private/flagger-blue-green';
import { RolloutResource } from './private/rollout-resource';
import { SideEffects } from './side-effects';
import { Slot } from './slot';
import { TrafficRouter } from './traffic-router';
import { checkRange, fail } from '../private/validate';
import { warn } from '../private/warnings';
import { Workload, addDisruptionBudget, addService, checkContainers, podTemplate, SLOT_LABEL } from './private/workload';
import { FlaggerOptions, checkFlaggerSettings } from './rollout-engine';
import { Gate } from '../strategy/gate';
import { HttpMethod } from '../strategy/http-method';
import { Interval } from '../strategy/interval';

/** Containers of one slot of a native blue/green service. */
export interface BlueGreenSlotOptions {
  /** Containers of this slot's pods; the first serves traffic (same rules as the service's `containers`). */
  readonly containers: kplus.ContainerProps[];
}

/** Options for `BlueGreenEngine.native`. */
export interface NativeBlueGreenOptions {
  /** The slot the active Service sends traffic to. Change it to cut over; change it back to roll back. */
  readonly live: Slot;
  /**
   * The blue slot's containers.
   * @default - the service's `containers`
   */
  readonly blue?: BlueGreenSlotOptions;
  /**
   * The green slot's containers.
   * @default - the service's `containers`
   */
  readonly green?: BlueGreenSlotOptions;
  /**
   * Pods kept running in the idle slot, so that rollback is a selector switch onto warm pods.
   * From 1 to `replicas`.
   * @default - the same as `replicas`: rollback keeps full capacity
   */
  readonly idleReplicas?: number;
}

/** Options for `BlueGreenEngine.argoRollouts`. */
export interface ArgoBlueGreenOptions {
  /**
   * Promote the new version as soon as its pods are ready (and pre-promotion analysis passed).
   * Set to false to promote by hand (`kubectl argo rollouts promote`).
   * @default true (Argo Rollouts' default)
   */
  readonly autoPromotionEnabled?: boolean;
  /**
   * Promote automatically this many seconds after the new version is ready; needs `autoPromotionEnabled`.
   * @default - promote as soon as the new version is ready
   */
  readonly autoPromotionSeconds?: number;
  /**
   * Pods of the new version before promotion (scaled to `replicas` on promotion). From 1 to `replicas`.
   * @default - `replicas` (Argo Rollouts' default)
   */
  readonly previewReplicaCount?: number;
  /**
   * Seconds the old version keeps running after promotion, so proxies and kube-proxy stop sending to it first.
   * @default 30 (Argo Rollouts' default)
   */
  readonly scaleDownDelaySeconds?: number;
  /**
   * Seconds the new version keeps running after an abort.
   * @default 30 (Argo Rollouts' default)
   */
  readonly abortScaleDownDelaySeconds?: number;
  /**
   * Old versions kept running (waiting for their scale-down delay) at once.
   * @default - no limit
   */
  readonly scaleDownDelayRevisionLimit?: number;
  /**
   * Old ReplicaSets kept for rollback.
   * @default 10 (Argo Rollouts' default)
   */
  readonly revisionHistoryLimit?: number;
  /**
   * Keep the new version's pods off the nodes running the old version.
   * @default - no anti-affinity
   */
  readonly antiAffinity?: AntiAffinity;
  /**
   * Gates that must pass on the new version, through the preview Service, before it is promoted;
   * one that fails aborts the release while production still runs the old version.
   * @default - no pre-promotion analysis
   */
  readonly prePromotionAnalysis?: Gate[];
  /**
   * Gates that must pass after promotion; one that fails switches production back to the old
   * version, which Argo Rollouts keeps running until this analysis completes.
   * @default - no post-promotion analysis
   */
  readonly postPromotionAnalysis?: Gate[];
  /**
   * Seconds a new version may take to become ready before the rollout is marked degraded.
   * @default 600 (Argo Rollouts' default)
   */
  readonly progressDeadlineSeconds?: number;
  /**
   * Abort the rollout (back to the old version) when the progress deadline passes.
   * @default false (Argo Rollouts' default: the rollout is only marked degraded)
   */
  readonly progressDeadlineAbort?: boolean;
  /**
   * Seconds a new pod must be ready before it counts as available.
   * @default 0
   */
  readonly minReadySeconds?: number;
}

/** Options for the traffic mirroring of `BlueGreenEngine.flagger` (Flagger's `analysis.mirror`). */
export interface FlaggerMirrorOptions {
  /**
   * Percentage of production requests Istio copies to the new version during the iterations
   * (`mirrorWeight`), a whole number from 1 to 100.
   * @default 100
   */
  readonly percent?: number;
  /**
   * Methods whose requests are copied. Flagger mirrors every request its route matches, whatever
   * the method, so this must list all seven: an explicit opt-in to mirrored writes, which needs
   * `SideEffects.isolated(...)` and `productionDependencies`.
   * @default [HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS] (refused: Flagger cannot filter methods)
   */
  readonly methods?: HttpMethod[];
  /**
   * What the new version's pods may reach while they are the canary: `SideEffects.isolated(...)`
   * with their sandbox dependencies (Flagger mirrors writes too).
   */
  readonly sideEffects: SideEffects;
  /**
   * Production systems the new version's pods must never reach while they are the canary; an
   * allowlist entry that reaches one is refused. At least one.
   * @default - none (refused: writes are mirrored)
   */
  readonly productionDependencies?: EgressTarget[];
  /**
   * Why live requests may be served by the canary pods under their egress isolation. After the last
   * iteration Flagger stops mirroring and routes all live traffic to the canary pods until the
   * promoted primary is ready; the default-deny egress policy still selects them then, so those
   * requests reach only DNS, istiod and the allowlist.
   * @default - refused: the reason must be given
   */
  readonly acknowledgeLiveHandover?: string;
}

/** Options for `BlueGreenEngine.flagger`. */
export interface FlaggerBlueGreenOptions extends FlaggerOptions {
  /** How many analysis intervals the new version is checked for before it is promoted, from 1. */
  readonly iterations: number;
  /**
   * Length of one iteration (Flagger's analysis `interval`); at least 10 seconds.
   * @default Interval.minutes(1)
   */
  readonly interval?: Interval;
  /**
   * Gates the new version must pass at every iteration, through its own Service, before it is
   * promoted (Flagger metrics and webhooks); `failureLimit + 1` failed checks roll the release back.
   * @default - no gates: the new version is promoted after `iterations` intervals with ready pods
   */
  readonly prePromotionAnalysis?: Gate[];
  /**
   * Promote as soon as the iterations pass. Set to false to promote by hand through the load
   * tester's gate API (a `confirm-promotion` webhook; needs `loadTesterUrl`).
   * @default true
   */
  readonly autoPromotionEnabled?: boolean;
  /**
   * The router in front of the workload.
   * @default TrafficRouter.none(): Flagger's Kubernetes provider (no mesh or ingress; the `<name>` Service switches to the new version when it is promoted)
   */
  readonly trafficRouter?: TrafficRouter;
  /**
   * Let Flagger find every container port and add it to the Services it creates (`portDiscovery`),
   * not only `port`.
   * @default false
   */
  readonly portDiscovery?: boolean;
  /**
   * Copy production requests to the new version during the iterations (Flagger's `analysis.mirror`
   * and `mirrorWeight`; Istio only), with its side effects locked out: a default-deny egress
   * NetworkPolicy (`<name>-canary-egress`) selects the new version's pods while they are the canary.
   * @default - no mirroring: the new version gets only the requests sent to `<name>-canary`
   */
  readonly mirror?: FlaggerMirrorOptions;
}

/** Service names a blue/green engine renders. @internal */
export interface BlueGreenServiceNames {
  readonly active: string;
  readonly preview: string;
}

/**
 * The controller behind a `BlueGreenService`: two plain Deployments switched by Service selectors,
 * or an Argo Rollouts `Rollout` with the blue/green strategy.
 */
export abstract class BlueGreenEngine {
  /**
   * Two Deployments (blue and green) and two Services: the active one selects the live slot, the
   * preview one the idle slot. Cut over and roll back by changing `live`; the idle slot stays warm.
   * @example BlueGreenEngine.native({ live: Slot.BLUE, green: { containers: [{ image: 'web:1.5', portNumber: 8080 }] } })
   */
  public static native(options: NativeBlueGreenOptions): BlueGreenEngine {
    if (options.live !== Slot.BLUE && options.live !== Slot.GREEN) {
      fail('BlueGreenEngine.native()', 'live', 'must be Slot.BLUE or Slot.GREEN', options.live);
    }
    return new NativeBlueGreenEngine(options);
  }

  /**
   * One Argo Rollouts `Rollout` with `strategy.blueGreen`, the active and preview Services, and one
   * AnalysisTemplate per distinct promotion gate. Argo Rollouts creates the ReplicaSets and
   * AnalysisRuns and switches the Services' selectors itself.
   * @example BlueGreenEngine.argoRollouts({ autoPromotionEnabled: false, scaleDownDelaySeconds: 60 })
   */
  public static argoRollouts(options: ArgoBlueGreenOptions = {}): BlueGreenEngine {
    return new ArgoBlueGreenEngine(options);
  }

  /**
   * Flagger (v1.44) blue/green: the workload as a `Deployment` (Flagger creates `<name>-primary` from
   * it and the Services `<name>`, `<name>-primary` and `<name>-canary`), and a Flagger `Canary` whose
   * analysis runs `iterations` checks of the new version, one every `interval`, before promoting it.
   * The active Service is `<name>` and the preview Service `<name>-canary`: Flagger names them.
   * Without a router this is Flagger's Kubernetes provider (no mesh needed).
   * @example BlueGreenEngine.flagger({ iterations: 10, interval: Interval.minutes(1), prePromotionAnalysis: [Gate.web({ name: 'preview-up', url: 'http://{{previewService}}/healthz' })] })
   */
  public static flagger(options: FlaggerBlueGreenOptions): BlueGreenEngine {
    const where = 'BlueGreenEngine.flagger()';
    checkRange(where, 'iterations', options.iterations, 1, 1000);
    if (options.interval !== undefined && !(options.interval instanceof Interval)) fail(where, 'interval', 'must be an Interval', options.interval);
    (options.prePromotionAnalysis ?? []).forEach((g, i) => {
      if (!(g instanceof Gate)) fail(where, `prePromotionAnalysis[${i}]`, 'must be a Gate', g);
    });
    if (options.trafficRouter !== undefined && !(options.trafficRouter instanceof TrafficRouter)) {
      fail(where, 'trafficRouter', 'must be a TrafficRouter', options.trafficRouter);
    }
    checkFlaggerSettings(where, options);
    if (options.progressDeadlineSeconds !== undefined) checkRange(where, 'progressDeadlineSeconds', options.progressDeadlineSeconds, 1, 86400);
    return new FlaggerBlueGreenEngine({
      ...options,
      prePromotionAnalysis: options.prePromotionAnalysis && [...options.prePromotionAnalysis],
      webhooks: options.webhooks && [...options.webhooks],
      mirror: options.mirror && { ...options.mirror },
    });
  }

  /** Name of the engine, used in messages. */
  public abstract readonly engineName: string;

  /**
   * The active and preview Service names for the workload `name`, from what the user gave.
   * @internal
   */
  public _serviceNames(_where: string, name: string, active: string | undefined, preview: string | undefined): BlueGreenServiceNames {
    return { active: active ?? name, preview: preview ?? `${name}-preview` };
  }

  /**
   * Defines the engine's objects under `scope`.
   * @internal
   */
  public abstract _bind(scope: Construct, w: Workload, names: BlueGreenServiceNames): void;
}

class NativeBlueGreenEngine extends BlueGreenEngine {
  public readonly engineName = 'native Deployments';
  constructor(private readonly options: NativeBlueGreenOptions) {
    super();
  }

  public _bind(scope: Construct, w: Workload, names: BlueGreenServiceNames): void {
    const { live } = this.options;
    const idle = live === Slot.BLUE ? Slot.GREEN : Slot.BLUE;
    const idleReplicas = this.options.idleReplicas ?? w.replicas;
    checkRange(w.where, 'engine.idleReplicas', idleReplicas, 1, w.replicas);
    for (const slot of [Slot.BLUE, Slot.GREEN]) {
      const slotOptions = slot === Slot.BLUE ? this.options.blue : this.options.green;
      if (slotOptions) checkContainers(scope, `engine.${slot}.containers`, slotOptions.containers, w.options.allowMissingReadinessProbe ?? false, w.targetPort);
    }
    const slotSelector = (slot: Slot) => ({ ...w.selector, [SLOT_LABEL]: slot });
    for (const slot of [Slot.BLUE, Slot.GREEN]) {
      const id = slot === Slot.BLUE ? 'Blue' : 'Green';
      const containers = (slot === Slot.BLUE ? this.options.blue : this.options.green)?.containers ?? w.options.containers;
      const template = podTemplate(w, { containers, extraLabels: { [SLOT_LABEL]: slot } });
      new k8s.KubeDeployment(scope, id, {
        metadata: { name: `${w.name}-${slot}`, labels: { ...w.labels, [SLOT_LABEL]: slot } },
        spec: {
          replicas: slot === live ? w.replicas : idleReplicas,
          selector: { matchLabels: slotSelector(slot) },
          strategy: {
            type: 'RollingUpdate',
            rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromString('25%') },
          },
          template,
        },
      });
      addDisruptionBudget(scope, `${id}DisruptionBudget`, w, `${w.name}-${slot}`, slotSelector(slot));
    }
    addService(scope, 'ActiveService', w, names.active, slotSelector(live));
    addService(scope, 'PreviewService', w, names.preview, slotSelector(idle));
  }
}

class ArgoBlueGreenEngine extends BlueGreenEngine {
  public readonly engineName = 'Argo Rollouts';
  constructor(private readonly options: ArgoBlueGreenOptions) {
    super();
  }

  public _bind(scope: Construct, w: Workload, names: BlueGreenServiceNames): void {
    const o = this.options;
    const where = w.where;
    // Argo Rollouts ignores autoPromotionSeconds when autoPromotionEnabled is false; a user who sets both
    // expects a timed promotion that would never happen.
    if (o.autoPromotionSeconds !== undefined) {
      if (o.autoPromotionEnabled === false) {
        fail(where, 'engine.autoPromotionSeconds', 'must not be set when autoPromotionEnabled is false (Argo Rollouts would never promote on its own)', o.autoPromotionSeconds);
      }
      checkRange(where, 'engine.autoPromotionSeconds', o.autoPromotionSeconds, 1, 86400 * 7);
    }
    if (o.previewReplicaCount !== undefined) {
      checkRange(where, 'engine.previewReplicaCount', o.previewReplicaCount, 1, w.replicas);
    }
    const scaleDownDelay = o.scaleDownDelaySeconds ?? 30;
    checkRange(where, 'engine.scaleDownDelaySeconds', scaleDownDelay, 0, 86400);
    if (scaleDownDelay < 30) {
      warn(scope, `scaleDownDelaySeconds is ${scaleDownDelay}: below 30 seconds, proxies and kube-proxy may still send requests to the old version when it is scaled down`);
    }
    if (o.abortScaleDownDelaySeconds !== undefined) checkRange(where, 'engine.abortScaleDownDelaySeconds', o.abortScaleDownDelaySeconds, 0, 86400);
    const revisionHistoryLimit = o.revisionHistoryLimit ?? 10;
    checkRange(where, 'engine.revisionHistoryLimit', revisionHistoryLimit, 0, 1000);
    if (o.scaleDownDelayRevisionLimit !== undefined) {
      // Argo Rollouts: the revision history limit can not be smaller than the scale-down limit.
      checkRange(where, 'engine.scaleDownDelayRevisionLimit', o.scaleDownDelayRevisionLimit, 0, revisionHistoryLimit);
    }
    const minReady = o.minReadySeconds ?? 0;
    checkRange(where, 'engine.minReadySeconds', minReady, 0, 86400);
    const deadline = o.progressDeadlineSeconds ?? 600;
    // Argo Rollouts: progressDeadlineSeconds must be greater than minReadySeconds.
    checkRange(where, 'engine.progressDeadlineSeconds', deadline, minReady + 1, 86400);

    const placeholders = { previewService: names.preview, activeService: names.active };
    const analysis = (field: 'prePromotionAnalysis' | 'postPromotionAnalysis') => o[field] === undefined
      ? undefined
      : argoAnalysisTemplates(scope, w.name, o[field], { where, field: `engine.${field}`, placeholders });
    const promotion = { pre: analysis('prePromotionAnalysis'), post: analysis('postPromotionAnalysis') };

    const template = podTemplate(w, { containers: w.options.containers });
    addService(scope, 'ActiveService', w, names.active, w.selector);
    addService(scope, 'PreviewService', w, names.preview, w.selector);
    addDisruptionBudget(scope, 'DisruptionBudget', w, w.name, w.selector);
    new RolloutResource(scope, 'Resource', {
      metadata: { name: w.name, labels: w.labels },
      spec: Lazy.any({ produce: () => this.toSpec(w, names, promotion, revisionHistoryLimit, minReady, deadline) }) as RolloutSpec,
    }, template);
  }

  private toSpec(w: Workload, names: BlueGreenServiceNames, promotion: { pre?: ArgoAnalysisRef; post?: ArgoAnalysisRef },
    revisionHistoryLimit: number, minReadySeconds: number, progressDeadlineSeconds: number): RolloutSpec {
    const o = this.options;
    const antiAffinity = o.antiAffinity === undefined ? undefined : o.antiAffinity.weight === undefined
      ? { requiredDuringSchedulingIgnoredDuringExecution: {} }
      : { preferredDuringSchedulingIgnoredDuringExecution: { weight: o.antiAffinity.weight } };
    return {
      replicas: w.replicas,
      selector: { matchLabels: w.selector },
      revisionHistoryLimit,
      minReadySeconds: minReadySeconds > 0 ? minReadySeconds : undefined,
      progressDeadlineSeconds,
      progressDeadlineAbort: o.progressDeadlineAbort,
      strategy: {
        blueGreen: {
          activeService: names.active,
          previewService: names.preview,
          autoPromotionEnabled: o.autoPromotionEnabled,
          autoPromotionSeconds: o.autoPromotionSeconds,
          previewReplicaCount: o.previewReplicaCount,
          scaleDownDelaySeconds: o.scaleDownDelaySeconds,
          abortScaleDownDelaySeconds: o.abortScaleDownDelaySeconds,
          scaleDownDelayRevisionLimit: o.scaleDownDelayRevisionLimit,
          antiAffinity,
          prePromotionAnalysis: promotion.pre && { templates: promotion.pre.templates, args: promotion.pre.args as any[] },
          postPromotionAnalysis: promotion.post && { templates: promotion.post.templates, args: promotion.post.args as any[] },
        },
      },
    };
  }
}

class FlaggerBlueGreenEngine extends BlueGreenEngine {
  public readonly engineName = 'Flagger';
  constructor(private readonly options: FlaggerBlueGreenOptions) {
    super();
  }

  public _serviceNames(where: string, name: string, active: string | undefined, preview: string | undefined): BlueGreenServiceNames {
    // Flagger creates the Services and names them after the workload.
    if (active !== undefined && active !== name) {
      fail(where, 'activeServiceName', `must be the workload name ('${name}') with Flagger, which names the Services it creates; leave it out`, active);
    }
    if (preview !== undefined && preview !== `${name}-canary`) {
      fail(where, 'previewServiceName', `must be '${name}-canary' with Flagger, which names the Services it creates; leave it out`, preview);
    }
    return { active: name, preview: `${name}-canary` };
  }

  public _bind(scope: Construct, w: Workload, names: BlueGreenServiceNames): void {
    renderFlaggerBlueGreen(scope, w, names, this.options);
  }
}
