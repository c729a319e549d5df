import { checkRange } from '../private/validate';

/**
 * How many pods of a workload voluntary disruptions (node drains, cluster upgrades) may take down
 * at once, rendered as a PodDisruptionBudget.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/pods/disruptions/
 */
export class DisruptionBudget {
  /**
   * At most `pods` pods down at once.
   * @example DisruptionBudget.maxUnavailable(1)
   */
  public static maxUnavailable(pods: number): DisruptionBudget {
    checkRange('DisruptionBudget.maxUnavailable()', 'pods', pods, 1, 100000);
    return new DisruptionBudget(pods, undefined, undefined);
  }

  /**
   * At most `percent` percent of the pods down at once (rounded up by Kubernetes).
   * @example DisruptionBudget.maxUnavailablePercent(25)
   */
  public static maxUnavailablePercent(percent: number): DisruptionBudget {
    checkRange('DisruptionBudget.maxUnavailablePercent()', 'percent', percent, 1, 100);
    return new DisruptionBudget(`${percent}%`, undefined, undefined);
  }

  /**
   * At least `pods` pods up at all times; must be fewer than the replicas, or no node could ever be drained.
   * @example DisruptionBudget.minAvailable(2)
   */
  public static minAvailable(pods: number): DisruptionBudget {
    checkRange('DisruptionBudget.minAvailable()', 'pods', pods, 1, 100000);
    return new DisruptionBudget(undefined, pods, undefined);
  }

  /** No PodDisruptionBudget: drains may take every pod down at once. An explicit opt-out. */
  public static none(): DisruptionBudget {
    return new DisruptionBudget(undefined, undefined, true);
  }

  /**
   * Pods (number) or percentage (`'25%'`) allowed down, as a string.
   * @default - not a maxUnavailable budget
   */
  public readonly maxUnavailableValue?: string;
  /**
   * Pods that must stay up.
   * @default - not a minAvailable budget
   */
  public readonly minAvailablePods?: number;
  /** Whether no budget is emitted. */
  public readonly disabled: boolean;

  private constructor(maxUnavailable: number | string | undefined, minAvailable: number | undefined, disabled: boolean | undefined) {
    this.maxUnavailableValue = maxUnavailable === undefined ? undefined : String(maxUnavailable);
    this.minAvailablePods = minAvailable;
    this.disabled = disabled ?? false;
  }
}
