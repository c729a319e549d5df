import { Construct } from 'constructs';
import { FlaggerWebhook } from './flagger-webhook';
import { renderArgoCanary } from './private/argo-canary';
import { renderFlaggerCanary } from './private/flagger-canary';
import { CanaryRelease } from './private/release-context';
import { checkRange, fail } from '../private/validate';
import { checkIntOrPercent } from '../strategy/rolling-update';

/** Options for `RolloutEngine.argoRollouts`. */
export interface ArgoRolloutsOptions {
  /**
   * Extra pods the Rollout may create above `replicas` while it scales ReplicaSets: a whole number of
   * pods (`'1'`) or a percentage (`'25%'`).
   * @default '25%' (the Argo Rollouts default)
   */
  readonly maxSurge?: string;
  /**
   * Pods that may be unavailable while ReplicaSets scale: a whole number of pods (`'0'`) or a
   * percentage. Argo Rollouts defaults to 25%; this library defaults to 0 so a release never lowers
   * capacity. `maxSurge` and `maxUnavailable` must not both be 0.
   * @default '0'
   */
  readonly maxUnavailable?: string;
  /**
   * Scale the stable ReplicaSet down as the canary's traffic weight grows (needs a traffic router;
   * not together with `scaleDownDelaySeconds`).
   * @default false
   */
  readonly dynamicStableScale?: boolean;
  /**
   * Seconds the old ReplicaSet keeps running after the traffic has moved to the new one, so proxies
   * catch up before its pods go (needs a traffic router).
   * @default - the controller's default (30 seconds with a traffic router)
   */
  readonly scaleDownDelaySeconds?: number;
  /**
   * Seconds the canary ReplicaSet keeps running after an abort (with a traffic router).
   * @default - the controller's default (30 seconds)
   */
  readonly abortScaleDownDelaySeconds?: number;
  /**
   * Seconds the Rollout may make no progress before it is marked degraded.
   * @default - the controller's default (600 seconds)
   */
  readonly progressDeadlineSeconds?: number;
  /**
   * Abort the release (move traffic back to the stable version) when the progress deadline passes.
   * @default false
   */
  readonly progressDeadlineAbort?: boolean;
}

/** Options for `RolloutEngine.flagger`. */
export interface FlaggerOptions {
  /**
   * URL of the Flagger load tester (`flagger-loadtester`), e.g. `http://flagger-loadtester.test/`.
   * Needed for manual gates (`Step.pause()`, as Flagger confirm webhooks on the load tester's gate
   * API), for `Gate.job()` gates (run as load tester commands) and for `loadTestCommand`.
   * @default - no load tester: plans with pauses, job gates and load tests are refused
   */
  readonly loadTesterUrl?: string;
  /**
   * Command the load tester runs at every analysis interval to send traffic to the canary, e.g.
   * `hey -z 1m -q 10 -c 2 http://checkout-canary.shop/` (a Flagger `rollout` webhook named `load-test`).
   * @default - no load test: the canary only gets the traffic its weight sends it
   */
  readonly loadTestCommand?: string;
  /**
   * Seconds the canary may make no progress before Flagger rolls it back.
   * @default - Flagger's default (600 seconds)
   */
  readonly progressDeadlineSeconds?: number;
  /**
   * Webhooks the plan does not express: checks before traffic moves (`FlaggerWebhook.preRollout`),
   * a manual rollback trigger (`FlaggerWebhook.rollback`), approvals on your own endpoints,
   * notifications after the release.
   * @default - only the webhooks the plan and gates need
   */
  readonly webhooks?: FlaggerWebhook[];
  /**
   * Prometheus address Flagger queries for the built-in metrics (`Gate.requestSuccessRate()`,
   * `Gate.requestDuration()`), the Canary's `metricsServer`.
   * @default - the metrics server Flagger was installed with
   */
  readonly metricsServer?: string;
}


/**
 * The controller that carries out a `CanaryRollout`: Argo Rollouts or Flagger.
 *
 * The same `RolloutPlan` and `Gate`s render through both engines; a plan or gate an engine cannot
 * express is refused at construction with an error naming the engine, the step and the nearest plan it
 * can express.
 */
export abstract class RolloutEngine {
  /**
   * Argo Rollouts (v1.9): a `Rollout` whose `strategy.canary.steps` are the plan's steps, one
   * AnalysisTemplate per gate, and the Services and router objects the Rollout references.
   *
   * Gates: empty results and NaN fail a measurement (or make it inconclusive, which pauses the
   * Rollout, with `NoDataBehavior.INCONCLUSIVE`); query errors count towards `consecutiveErrorLimit`.
   *
   * @example RolloutEngine.argoRollouts({ scaleDownDelaySeconds: 60, progressDeadlineAbort: true })
   */
  public static argoRollouts(options: ArgoRolloutsOptions = {}): RolloutEngine {
    const where = 'RolloutEngine.argoRollouts()';
    const maxSurge = options.maxSurge ?? '25%';
    const maxUnavailable = options.maxUnavailable ?? '0';
    checkIntOrPercent(where, 'maxSurge', maxSurge);
    checkIntOrPercent(where, 'maxUnavailable', maxUnavailable);
    // Argo Rollouts refuses a canary whose maxSurge and maxUnavailable are both zero: it could never
    // replace a pod.
    if (Number(maxSurge.replace('%', '')) === 0 && Number(maxUnavailable.replace('%', '')) === 0) {
      fail(where, 'maxSurge', 'must not be 0 when maxUnavailable is 0 (the Rollout could never replace a pod)', maxSurge);
    }
    if (options.scaleDownDelaySeconds !== undefined) checkRange(where, 'scaleDownDelaySeconds', options.scaleDownDelaySeconds, 0, 86400);
    if (options.abortScaleDownDelaySeconds !== undefined) checkRange(where, 'abortScaleDownDelaySeconds', options.abortScaleDownDelaySeconds, 0, 86400);
    // Argo Rollouts: the canary cannot both scale the stable ReplicaSet with the weight and delay its
    // scale-down.
    if (options.dynamicStableScale && options.scaleDownDelaySeconds !== undefined) {
      fail(where, 'scaleDownDelaySeconds', 'cannot be set together with dynamicStableScale', options.scaleDownDelaySeconds);
    }
    // Argo Rollouts: progressDeadlineSeconds must be greater than minReadySeconds (0 here).
    if (options.progressDeadlineSeconds !== undefined) checkRange(where, 'progressDeadlineSeconds', options.progressDeadlineSeconds, 1, 86400);
    return new ArgoRolloutsEngine({ ...options, maxSurge, maxUnavailable });
  }

  /**
   * Flagger (v1.44): the workload as a `Deployment` (Flagger creates `<name>-primary` from it), a
   * Flagger `Canary` whose `analysis` is the plan, a `MetricTemplate` per metric gate and webhooks for
   * web gates, job gates, load tests and manual gates.
   *
   * How a plan maps: Flagger moves traffic once per `analysis.interval` and checks every metric at
   * every interval. A plan renders to Flagger only if every traffic step is followed by one bake of
   * the same length (that length becomes `interval`); its weights become `stepWeight`/`maxWeight`
   * (equal steps) or `stepWeights`. Gates from analysis steps and background gates all become Flagger
   * metrics checked at every interval from the first traffic step on. A pause before the first step
   * becomes a `confirm-rollout` webhook, a pause before every traffic step `confirm-traffic-increase`,
   * a pause at the end `confirm-promotion`. Refused: bakes of different lengths, other pauses, canary
   * scale, mirror and header-route steps (use `RolloutPlan.abTest()`), gates with different
   * `failureLimit`s (Flagger has one `threshold`), and `NoDataBehavior.INCONCLUSIVE`.
   *
   * Gates: a query without data (or NaN, for Prometheus) fails the check; a query error fails it too.
   * Flagger rolls back after `failureLimit + 1` failed checks.
   *
   * @example RolloutEngine.flagger({ loadTesterUrl: 'http://flagger-loadtester.test/', loadTestCommand: 'hey -z 1m -q 10 -c 2 http://checkout-canary.shop/' })
   */
  public static flagger(options: FlaggerOptions = {}): RolloutEngine {
    const where = 'RolloutEngine.flagger()';
    checkFlaggerSettings(where, options);
    if (options.progressDeadlineSeconds !== undefined) checkRange(where, 'progressDeadlineSeconds', options.progressDeadlineSeconds, 1, 86400);
    return new FlaggerEngine({ ...options, webhooks: options.webhooks && [...options.webhooks] });
  }

  /**
   * Whether Argo CD's health check of the release stays Progressing until its last step (Argo
   * Rollouts), so an ApplicationSet wave waits for the whole plan; a Flagger Canary is Healthy right
   * after the sync.
   * @internal
   */
  public abstract readonly _healthFollowsSteps: boolean;

  protected constructor() {}

  /** The engine's product name, as error messages use it. */
  public abstract toString(): string;

  /**
   * Name of the Service in front of the stable version of the workload `name`.
   * @internal
   */
  public abstract _stableServiceName(name: string): string;

  /**
   * Defines the engine's objects for `release` under `scope`, refusing what the engine cannot do.
   * @internal
   */
  public abstract _bind(scope: Construct, release: CanaryRelease): void;
}

class ArgoRolloutsEngine extends RolloutEngine {
  public readonly _healthFollowsSteps = true;

  constructor(private readonly options: ArgoRolloutsOptions) { super(); }

  public toString(): string { return 'Argo Rollouts'; }

  public _stableServiceName(name: string): string { return `${name}-stable`; }

  public _bind(scope: Construct, release: CanaryRelease): void {
    renderArgoCanary(scope, release, this.options);
  }
}

class FlaggerEngine extends RolloutEngine {
  public readonly _healthFollowsSteps = false;

  constructor(private readonly options: FlaggerOptions) { super(); }

  public toString(): string { return 'Flagger'; }

  public _stableServiceName(name: string): string { return `${name}-primary`; }

  public _bind(scope: Construct, release: CanaryRelease): void {
    renderFlaggerCanary(scope, release, this.options);
  }
}


/** Checks the settings `RolloutEngine.flagger()` and `BlueGreenEngine.flagger()` share. */
export function checkFlaggerSettings(where: string, options: FlaggerOptions): void {
  if (options.loadTesterUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(options.loadTesterUrl)) {
    fail(where, 'loadTesterUrl', 'must be an http:// or https:// URL', options.loadTesterUrl);
  }
  if (options.loadTestCommand !== undefined) {
    if (typeof options.loadTestCommand !== 'string' || options.loadTestCommand.trim() === '') {
      fail(where, 'loadTestCommand', 'must be a non-empty command', options.loadTestCommand);
    }
    if (options.loadTesterUrl === undefined) {
      fail(where, 'loadTesterUrl', 'is required with loadTestCommand (the load tester runs the command)', undefined);
    }
  }
  (options.webhooks ?? []).forEach((hook, i) => {
    if (!(hook instanceof FlaggerWebhook)) fail(where, `webhooks[${i}]`, 'must be a FlaggerWebhook (FlaggerWebhook.preRollout(), .rollback(), ...)', hook);
  });
  if (options.metricsServer !== undefined && !/^https?:\/\/[^\s]+$/.test(options.metricsServer)) {
    fail(where, 'metricsServer', 'must be an http:// or https:// URL', options.metricsServer);
  }
}
