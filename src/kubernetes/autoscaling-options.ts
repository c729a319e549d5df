/**
 * A HorizontalPodAutoscaler (`autoscaling/v2`) for a released workload: the number of pods follows
 * their average CPU (and optionally memory) utilization between `minReplicas` and `maxReplicas`.
 *
 * With an autoscaler the workload's own `replicas` is left out (the autoscaler owns it, so a GitOps
 * sync never fights it); the safety checks that depend on the number of pods use `minReplicas`.
 *
 * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
 */
export interface AutoscalingOptions {
  /** Fewest pods, from 1. */
  readonly minReplicas: number;
  /** Most pods, at least `minReplicas`. */
  readonly maxReplicas: number;
  /**
   * Average CPU utilization to keep, as a percentage of the pods' CPU requests.
   * @default 80
   */
  readonly cpuUtilizationPercent?: number;
  /**
   * Average memory utilization to keep, as a percentage of the pods' memory requests.
   * @default - not scaled on memory
   */
  readonly memoryUtilizationPercent?: number;
}
