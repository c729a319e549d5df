import { WorkloadOptions } from './workload-options';

/** What `RollingService` and `RecreateService` take on top of the workload: the Deployment's progress settings. */
export interface DeploymentReleaseOptions extends WorkloadOptions {
  /**
   * Seconds a new pod must stay ready before it counts as available and the update moves on.
   * @default 0
   */
  readonly minReadySeconds?: number;
  /**
   * Seconds the update may make no progress before the Deployment reports it as failed
   * (`ProgressDeadlineExceeded`); more than `minReadySeconds`. Kubernetes does not roll back by itself.
   * @default 600
   */
  readonly progressDeadlineSeconds?: number;
  /**
   * Old ReplicaSets kept for `kubectl rollout undo`.
   * @default 10
   */
  readonly revisionHistoryLimit?: number;
}
