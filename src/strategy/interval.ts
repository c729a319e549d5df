import { fail } from '../private/validate';

const UNIT_SECONDS: { [unit: string]: number } = { h: 3600, m: 60, s: 1 };

/**
 * A length of time in whole seconds, used by the shared release model.
 *
 * Kubernetes engines take it as a Go duration string (`5m`, `1h30m`); AWS engines take whole minutes
 * or seconds and refuse values they cannot express. A construct prop that belongs to one side only
 * takes that side's own `Duration` instead.
 */
export class Interval {
  /**
   * A number of seconds.
   * @example Interval.seconds(30)
   */
  public static seconds(amount: number): Interval {
    return new Interval(amount, 1, 'Interval.seconds()');
  }

  /**
   * A number of minutes.
   * @example Interval.minutes(5)
   */
  public static minutes(amount: number): Interval {
    return new Interval(amount, 60, 'Interval.minutes()');
  }

  /**
   * A number of hours.
   * @example Interval.hours(1)
   */
  public static hours(amount: number): Interval {
    return new Interval(amount, 3600, 'Interval.hours()');
  }

  /**
   * Parses a duration written as hours, minutes and seconds: `30s`, `5m`, `1h30m`, `0s`.
   * @example Interval.parse('1h30m')
   */
  public static parse(text: string): Interval {
    const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(typeof text === 'string' ? text : '');
    if (!match || text === '') {
      fail('Interval.parse()', 'text', "must be whole hours, minutes and seconds such as '30s', '5m' or '1h30m'", text);
    }
    const [, h, m, s] = match;
    return new Interval(Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0), 1, 'Interval.parse()');
  }

  private readonly totalSeconds: number;

  private constructor(amount: number, unitSeconds: number, where: string) {
    const total = amount * unitSeconds;
    if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0 || !Number.isInteger(total)) {
      fail(where, 'amount', 'must be zero or more and a whole number of seconds', amount);
    }
    this.totalSeconds = total;
  }

  /** The length in seconds. */
  public toSeconds(): number {
    return this.totalSeconds;
  }

  /** The length in minutes; may have a fraction (90 seconds is 1.5). */
  public toMinutes(): number {
    return this.totalSeconds / 60;
  }

  /** Whether the length is a whole number of minutes. */
  public isWholeMinutes(): boolean {
    return this.totalSeconds % 60 === 0;
  }

  /** Whether the length is zero. */
  public isZero(): boolean {
    return this.totalSeconds === 0;
  }

  /** This length plus another. */
  public plus(other: Interval): Interval {
    return new Interval(this.totalSeconds + other.totalSeconds, 1, 'Interval.plus()');
  }

  /** This length repeated `times` times. */
  public times(times: number): Interval {
    return new Interval(this.totalSeconds * times, 1, 'Interval.times()');
  }

  /** A Go duration string, as Argo Rollouts and Flagger read them: `90s` is `1m30s`, zero is `0s`. */
  public toDurationString(): string {
    if (this.totalSeconds === 0) return '0s';
    let rest = this.totalSeconds;
    let out = '';
    for (const unit of ['h', 'm', 's']) {
      const n = Math.floor(rest / UNIT_SECONDS[unit]);
      rest -= n * UNIT_SECONDS[unit];
      if (n > 0) out += `${n}${unit}`;
    }
    return out;
  }

  /** The same as `toDurationString()`. */
  public toString(): string {
    return this.toDurationString();
  }
}
