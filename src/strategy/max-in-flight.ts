import { checkRange } from '../private/validate';

/**
 * How many targets of a wave are updated at the same time.
 *
 * A percentage counts the wave's own targets and rounds down, but never below one target: 10% of a
 * 25-target wave is 2, 10% of a 5-target wave is 1. That is how Argo CD's `maxUpdate` and
 * CloudFormation StackSets' `MaxConcurrentPercentage` count, so one plan means the same on every engine.
 */
export class MaxInFlight {
  /** Every target of the wave at once (the default). */
  public static all(): MaxInFlight {
    return new MaxInFlight(undefined, undefined);
  }

  /**
   * At most `targets` targets at once. `0` starts nothing by itself: it is only allowed on a wave
   * declared as a manual hold (`manualHold: true`), where a person starts each target.
   * @example MaxInFlight.count(2)
   */
  public static count(targets: number): MaxInFlight {
    checkRange('MaxInFlight.count()', 'targets', targets, 0, 10000);
    return new MaxInFlight(targets, undefined);
  }

  /**
   * At most `percent` percent of the wave's targets at once, rounded down, at least one.
   * @example MaxInFlight.percent(25)
   */
  public static percent(percent: number): MaxInFlight {
    checkRange('MaxInFlight.percent()', 'percent', percent, 1, 100);
    return new MaxInFlight(undefined, percent);
  }

  /**
   * The number of targets, for `count()`.
   * @default - not a count
   */
  public readonly targetCount?: number;
  /**
   * The percentage of the wave's targets, for `percent()`.
   * @default - not a percentage
   */
  public readonly wavePercent?: number;

  private constructor(count: number | undefined, percent: number | undefined) {
    this.targetCount = count;
    this.wavePercent = percent;
  }

  /** Whether every target of the wave updates at once. */
  public isAll(): boolean {
    return this.targetCount === undefined && this.wavePercent === undefined;
  }

  /**
   * How many targets of a wave of `waveSize` targets update at once: `0` for `count(0)`, otherwise
   * from 1 to `waveSize`.
   */
  public targetsAtOnce(waveSize: number): number {
    if (this.targetCount !== undefined) return Math.min(this.targetCount, waveSize);
    if (this.wavePercent !== undefined) return Math.max(1, Math.floor((this.wavePercent * waveSize) / 100));
    return waveSize;
  }

  /** `all()`, `count(2)` or `percent(25)`, as messages and tables show it. */
  public toString(): string {
    if (this.targetCount !== undefined) return `count(${this.targetCount})`;
    if (this.wavePercent !== undefined) return `percent(${this.wavePercent})`;
    return 'all()';
  }
}
