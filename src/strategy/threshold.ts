import { checkFinite, fail } from '../private/validate';

/**
 * The range a gate's measurement must stay in for the release to go on.
 *
 * Engines render it in their own terms: Argo Rollouts as `successCondition`/`failureCondition`
 * expressions, Flagger as `thresholdRange`, CloudWatch alarms as a comparison operator.
 */
export class Threshold {
  /**
   * The measurement must be at least `min`.
   * @example Threshold.atLeast(0.99)
   */
  public static atLeast(min: number): Threshold {
    checkFinite('Threshold.atLeast()', 'min', min);
    return new Threshold(min, undefined);
  }

  /**
   * The measurement must be at most `max`.
   * @example Threshold.atMost(0.5)
   */
  public static atMost(max: number): Threshold {
    checkFinite('Threshold.atMost()', 'max', max);
    return new Threshold(undefined, max);
  }

  /**
   * The measurement must be from `min` to `max`, inclusive.
   * @example Threshold.between(0, 0.3)
   */
  public static between(min: number, max: number): Threshold {
    checkFinite('Threshold.between()', 'min', min);
    checkFinite('Threshold.between()', 'max', max);
    if (min > max) fail('Threshold.between()', 'max', `must be at least min (${min})`, max);
    return new Threshold(min, max);
  }

  /**
   * Lowest value that passes, inclusive.
   * @default - no lower bound
   */
  public readonly min?: number;
  /**
   * Highest value that passes, inclusive.
   * @default - no upper bound
   */
  public readonly max?: number;

  private constructor(min: number | undefined, max: number | undefined) {
    this.min = min;
    this.max = max;
  }

  /** Whether a measured value passes. */
  public holds(value: number): boolean {
    return (this.min === undefined || value >= this.min) && (this.max === undefined || value <= this.max);
  }

  /** A short description such as `>= 0.99` or `from 0 to 0.3`. */
  public toString(): string {
    if (this.min !== undefined && this.max !== undefined) return `from ${this.min} to ${this.max}`;
    return this.min !== undefined ? `>= ${this.min}` : `<= ${this.max}`;
  }
}
