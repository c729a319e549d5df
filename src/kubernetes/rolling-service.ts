import { Construct } from 'constructs';
import { AutoscalingOptions } from './autoscaling-options';
import { DeploymentReleaseOptions } from './deployment-release-options';
import { checkAutoscaling } from './private/autoscaler';
import { addDeploymentRelease, DeploymentProgress, resolveProgress } from './private/deployment-release';
import { intOrString, resolveWorkload } from './private/workload';
import { Interval } from '../strategy/interval';
import { ReleaseTimeline } from '../strategy/release-timeline';
import { checkFenceposts } from '../strategy/rolling-update';

/** Properties for `RollingService`. */
export interface RollingServiceProps extends DeploymentReleaseOptions {
  /**
   * Extra pods the update may create above the declared number: a whole number of pods (`'1'`) or a
   * percentage (`'25%'`, rounded up).
   * @default '25%'
   */
  readonly maxSurge?: string;
  /**
   * Pods that may be unavailable during the update: a whole number or a percentage (rounded down).
   * This library defaults to 0 so an update never lowers capacity; `maxSurge` and `maxUnavailable`
   * must not both come to 0 pods, and `maxUnavailable` must leave at least one pod serving.
   * @default '0'
   */
  readonly maxUnavailable?: string;
  /**
   * Scale the pods with a HorizontalPodAutoscaler (`<name>`) instead of a fixed `replicas`, which must
   * then be left out.
   * @default - a fixed number of pods (`replicas`)
   */
  readonly autoscaling?: AutoscalingOptions;
}

/**
 * A service released by the Kubernetes Deployment controller's rolling update: new pods replace old
 * ones a few at a time, each new pod taking traffic once it is ready. No gates and no automatic
 * rollback: use `CanaryRollout` for those.
 *
 * Synthesizes a Service `<name>`, a Deployment `<name>` (`strategy.rollingUpdate`), a PodDisruptionBudget
 * and, with `autoscaling`, a HorizontalPodAutoscaler. The pods get the same safe defaults as every
 * other construct of this library.
 *
 * @example
 * new RollingService(chart, 'catalog', {
 *   containers: [{ image: 'registry.example.com/catalog:5.2.0', portNumber: 8080, readiness: Probe.fromHttpGet('/ready') }],
 *   port: 80, replicas: 6, maxSurge: '2', minReadySeconds: 10,
 * });
 */
export class RollingService extends Construct {
  /** Base name of the synthesized objects (the Service and the Deployment). */
  public readonly name: string;
  /** Pods of the workload (the autoscaler's minimum with `autoscaling`). */
  public readonly replicas: number;
  /** Extra pods the update may create, as given (`'25%'` or `'1'`). */
  public readonly maxSurge: string;
  /** Pods that may be unavailable, as given. */
  public readonly maxUnavailable: string;
  private readonly progress: DeploymentProgress;

  constructor(scope: Construct, id: string, props: RollingServiceProps) {
    super(scope, id);
    const where = this.node.path;
    const replicas = props.autoscaling === undefined ? props.replicas : checkAutoscaling(where, props.autoscaling, props.replicas);
    const w = resolveWorkload(this, { ...props, replicas });
    this.name = w.name;
    this.replicas = w.replicas;
    this.maxSurge = props.maxSurge ?? '25%';
    this.maxUnavailable = props.maxUnavailable ?? '0';
    checkFenceposts(where, w.replicas, this.maxSurge, this.maxUnavailable);
    this.progress = resolveProgress(where, props);
    addDeploymentRelease(this, w, {
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: intOrString(this.maxSurge), maxUnavailable: intOrString(this.maxUnavailable) },
    }, this.progress, props.autoscaling);
  }

  /**
   * The update laid out in time for pods that take `podStartup` to become ready: waves of
   * maxSurge + maxUnavailable pods, each `podStartup + minReadySeconds` long, and the capacity while
   * pods are down.
   */
  public timeline(podStartup: Interval): ReleaseTimeline {
    return ReleaseTimeline.rollingUpdate({
      replicas: this.replicas,
      podStartup,
      maxSurge: this.maxSurge,
      maxUnavailable: this.maxUnavailable,
      minReady: Interval.seconds(this.progress.minReadySeconds),
      title: `${this.name}: rolling update of ${this.replicas} pods`,
    });
  }
}
