import { Interval } from './interval';
import { fail } from '../private/validate';

/** Options for `TimelineEngine.argoRollouts`. */
export interface ArgoRolloutsTimelineOptions {
  /**
   * The Rollout's `abortScaleDownDelaySeconds`: how long the aborted canary pods keep running.
   * @default Interval.seconds(30)
   */
  readonly abortScaleDownDelay?: Interval;
  /**
   * Time from the abort until all traffic is on the stable version. With a traffic router (Gateway API,
   * Istio, NGINX, ALB, SMI) the controller sets the canary weight to 0 at once and the stable pods never
   * scaled down, so this is 0. A basic canary without a router moves traffic by replica counts: set
   * this to the time the stable ReplicaSet needs to scale back up and become ready.
   * @default Interval.seconds(0)
   */
  readonly trafficRestoreDelay?: Interval;
}

/** Options for engines that only take a traffic restore delay. */
export interface TimelineEngineOptions {
  /**
   * Time from the abort until all traffic is on the stable version.
   * @default Interval.seconds(0): the engine moves router or load balancer weights back in one change, and the stable version was never scaled down
   */
  readonly trafficRestoreDelay?: Interval;
}

/**
 * How a release engine turns a failed gate into stable traffic, as `ReleaseTimeline` models it.
 *
 * Each factory documents the engine behaviour it assumes. Times are the engine's own; the propagation
 * of a router or load balancer change (usually seconds) is not included unless you pass
 * `trafficRestoreDelay`.
 */
export class TimelineEngine {
  /**
   * Argo Rollouts. An analysis run fails at the metric's (failureLimit + 1)-th failed measurement and
   * the controller aborts the Rollout at once: with a traffic router the canary weight goes back to 0
   * in one change (the stable ReplicaSet stayed at full scale), and the canary pods are scaled down
   * `abortScaleDownDelaySeconds` later (30 seconds by default; 0 keeps them).
   * @see https://argoproj.github.io/argo-rollouts/features/scaledown-aborted-rs/
   * @example TimelineEngine.argoRollouts({ abortScaleDownDelay: Interval.minutes(5) })
   */
  public static argoRollouts(options: ArgoRolloutsTimelineOptions = {}): TimelineEngine {
    const where = 'TimelineEngine.argoRollouts()';
    const delay = checkInterval(where, 'abortScaleDownDelay', options.abortScaleDownDelay) ?? 30;
    const restore = checkInterval(where, 'trafficRestoreDelay', options.trafficRestoreDelay) ?? 0;
    return new TimelineEngine('Argo Rollouts', true, 0, restore, delay === 0 ? undefined : delay,
      'the analysis run fails at the (failureLimit + 1)-th failed measurement; the Rollout aborts and the router sends all traffic to stable at once');
  }

  /**
   * Flagger. Each analysis `interval` Flagger first checks whether the failed checks have reached
   * `threshold` and rolls back if so, then runs the metric checks: so it rolls back one interval
   * after the threshold-th failed check (Flagger documents the total as `interval × threshold`,
   * counted from the first failed check). Rolling back routes all traffic to the primary (which kept
   * running the stable version) and scales the canary to zero in the same pass.
   * @see https://docs.flagger.app/usage/deployment-strategies
   */
  public static flagger(options: TimelineEngineOptions = {}): TimelineEngine {
    const restore = checkInterval('TimelineEngine.flagger()', 'trafficRestoreDelay', options.trafficRestoreDelay) ?? 0;
    return new TimelineEngine('Flagger', true, 1, restore, 0,
      'failed checks reach threshold (failureLimit + 1); the next analysis tick routes all traffic to the primary and scales the canary to zero');
  }

  /**
   * Amazon ECS native deployments (BLUE_GREEN, CANARY, LINEAR). With deployment alarms and
   * `rollback: true`, ECS rolls back when an alarm goes into ALARM during the traffic shift or the bake
   * time: production traffic moves back to the blue service revision, which keeps running until the
   * bake time ends, and the green tasks are stopped. A gate stands for its CloudWatch alarm (period =
   * the gate's interval, datapoints to alarm = failureLimit + 1); CloudWatch's own metric delay is not
   * included.
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html
   */
  public static ecs(options: TimelineEngineOptions = {}): TimelineEngine {
    const restore = checkInterval('TimelineEngine.ecs()', 'trafficRestoreDelay', options.trafficRestoreDelay) ?? 0;
    return new TimelineEngine('Amazon ECS', true, 0, restore, 0,
      'a rollback alarm goes into ALARM; ECS shifts production traffic back to the blue revision and stops the green tasks');
  }

  /**
   * AWS CodeDeploy (ECS or Lambda). With alarm-based automatic rollback, CodeDeploy stops the
   * deployment when an alarm goes into ALARM and reroutes traffic to the original task set or Lambda
   * version; the replacement task set is then removed. A gate stands for its CloudWatch alarm, as for
   * ECS.
   * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/deployments-rollback-and-redeploy.html
   */
  public static codeDeploy(options: TimelineEngineOptions = {}): TimelineEngine {
    const restore = checkInterval('TimelineEngine.codeDeploy()', 'trafficRestoreDelay', options.trafficRestoreDelay) ?? 0;
    return new TimelineEngine('AWS CodeDeploy', true, 0, restore, 0,
      'a rollback alarm goes into ALARM; CodeDeploy stops the deployment and reroutes traffic to the original version');
  }

  /**
   * Kubernetes native blue/green (two Deployments, one Service whose selector picks the live slot).
   * Nothing measures gates or aborts by itself: a person or a pipeline switches the selector back, and
   * traffic returns as soon as the endpoints update, because the previous slot still runs. The
   * timeline therefore counts every fault as not caught.
   */
  public static kubernetesBlueGreen(options: TimelineEngineOptions = {}): TimelineEngine {
    const restore = checkInterval('TimelineEngine.kubernetesBlueGreen()', 'trafficRestoreDelay', options.trafficRestoreDelay) ?? 0;
    return new TimelineEngine('Kubernetes blue/green', false, 0, restore, undefined,
      'no automatic abort: someone switches the Service selector back to the previous slot, which is still running');
  }

  /**
   * The Kubernetes Deployment controller (rolling update or recreate). It never aborts by itself: a
   * stuck rollout is only marked as failed after its progress deadline, and `kubectl rollout undo`
   * starts another update back to the previous version. The timeline therefore counts every fault as
   * not caught; pass the time that update takes as `trafficRestoreDelay`.
   */
  public static kubernetesDeployment(options: TimelineEngineOptions = {}): TimelineEngine {
    const restore = checkInterval('TimelineEngine.kubernetesDeployment()', 'trafficRestoreDelay', options.trafficRestoreDelay) ?? 0;
    return new TimelineEngine('Kubernetes Deployment', false, 0, restore, undefined,
      'no automatic abort: someone runs kubectl rollout undo, which rolls the previous version out again');
  }

  /** Name of the engine, as tables show it. */
  public readonly name: string;
  /** Whether the engine aborts by itself when a gate fails. */
  public readonly automaticAbort: boolean;
  /**
   * Extra delay after the deciding measurement before the engine aborts, in gate intervals (Flagger: 1,
   * others: 0).
   */
  public readonly reactionIntervals: number;
  /** Seconds from the abort until all traffic is on the stable version. */
  public readonly trafficRestoreSeconds: number;
  /**
   * Seconds from the abort until the new version's pods or tasks are removed.
   * @default - kept running (Argo Rollouts with abortScaleDownDelaySeconds 0; Kubernetes blue/green keeps both slots)
   */
  public readonly scaleDownSeconds?: number;
  /** What triggers the abort and what the engine does, in one sentence. */
  public readonly abortBehavior: string;

  private constructor(name: string, automatic: boolean, reaction: number, restore: number, scaleDown: number | undefined, behavior: string) {
    this.name = name;
    this.automaticAbort = automatic;
    this.reactionIntervals = reaction;
    this.trafficRestoreSeconds = restore;
    this.scaleDownSeconds = scaleDown;
    this.abortBehavior = behavior;
  }
}

/** The five engines with their defaults, in the order tables list them. */
export function defaultEngines(): TimelineEngine[] {
  return [
    TimelineEngine.argoRollouts(), TimelineEngine.flagger(), TimelineEngine.ecs(), TimelineEngine.codeDeploy(),
    TimelineEngine.kubernetesBlueGreen(),
  ];
}

function checkInterval(where: string, field: string, value: Interval | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof Interval)) fail(where, field, 'must be an Interval', value);
  return value.toSeconds();
}
