import { checkRange } from '../private/validate';

/**
 * Keeps the pods of a new version off the nodes running the old one (Argo Rollouts `antiAffinity`),
 * so a bad node does not take both versions down during a release.
 *
 * @see https://argo-rollouts.readthedocs.io/en/stable/features/anti-affinity/anti-affinity/
 */
export class AntiAffinity {
  /**
   * The scheduler prefers other nodes, with weight `weight` (1 to 100).
   * @example AntiAffinity.preferred(100)
   */
  public static preferred(weight: number): AntiAffinity {
    checkRange('AntiAffinity.preferred()', 'weight', weight, 1, 100);
    return new AntiAffinity(weight);
  }

  /** The scheduler must use other nodes; pods stay pending when there are none. */
  public static required(): AntiAffinity {
    return new AntiAffinity(undefined);
  }

  /**
   * Weight of a preferred anti-affinity.
   * @default - a required anti-affinity
   */
  public readonly weight?: number;

  private constructor(weight: number | undefined) {
    this.weight = weight;
  }
}
