import { Construct } from 'constructs';
import { DeploymentReleaseOptions } from './deployment-release-options';
import { addDeploymentRelease, resolveProgress } from './private/deployment-release';
import { resolveWorkload } from './private/workload';
import { Interval } from '../strategy/interval';
import { ReleaseTimeline } from '../strategy/release-timeline';

/**
 * Properties for `RecreateService`. Unlike the other constructs, `replicas` defaults to 1: recreate
 * is for singletons.
 */
export interface RecreateServiceProps extends DeploymentReleaseOptions {}

/**
 * A service released by stopping every old pod before any new one starts (Deployment
 * `strategy.type: Recreate`), for workloads two versions of which must never run at once: a
 * singleton, a pod that mounts a ReadWriteOnce volume, a consumer that must not process a queue twice.
 * The service is down between the two: `timeline()` shows for how long.
 *
 * Synthesizes a Service `<name>`, a Deployment `<name>` with one pod unless `replicas` says otherwise,
 * and a PodDisruptionBudget (with one pod, `DisruptionBudget.maxUnavailable(1)` lets a node drain evict
 * it; a budget that blocks every eviction is refused). The pods get the same safe defaults as every
 * other construct of this library.
 *
 * @example
 * new RecreateService(chart, 'ledger', {
 *   containers: [{ image: 'registry.example.com/ledger:3.0.1', portNumber: 8080, readiness: Probe.fromHttpGet('/ready') }],
 *   port: 80,
 * });
 */
export class RecreateService extends Construct {
  /** Base name of the synthesized objects (the Service and the Deployment). */
  public readonly name: string;
  /** Pods of the workload. */
  public readonly replicas: number;
  /** Seconds Kubernetes gives an old pod to stop (its termination grace period), the worst case of a shutdown. */
  public readonly terminationGracePeriodSeconds: number;

  constructor(scope: Construct, id: string, props: RecreateServiceProps) {
    super(scope, id);
    const w = resolveWorkload(this, { ...props, replicas: props.replicas ?? 1 });
    this.name = w.name;
    this.replicas = w.replicas;
    this.terminationGracePeriodSeconds = w.drain.terminationGracePeriodSeconds;
    addDeploymentRelease(this, w, { type: 'Recreate' }, resolveProgress(this.node.path, props));
  }

  /**
   * The release laid out in time for pods that take `podStartup` to become ready and `podShutdown`
   * to stop; the downtime is their sum.
   * @param podStartup time a new pod needs to become ready
   * @param podShutdown time the old pods need to stop; by default the termination grace period (the longest an old pod can take)
   */
  public timeline(podStartup: Interval, podShutdown?: Interval): ReleaseTimeline {
    return ReleaseTimeline.recreate({
      podStartup,
      podShutdown: podShutdown ?? Interval.seconds(this.terminationGracePeriodSeconds),
      title: `${this.name}: recreate`,
    });
  }
}
