import { fail } from '../private/validate';

const UNIT_SECONDS: { [unit: string]: number } = { h: 3600, m: 60, s: 1 };
const MAX_SECONDS = 365 * 24 * 3600;
const MAX_TEXT = `${MAX_SECONDS / 3600}h (365 days)`;

/**
 * A length of time in whole seconds, from 0s to 8760h (365 days), used by the shared release model.
 *
 * Kubernetes engines take it as a Go duration string (`5m`, `1h30m`); AWS engines take whole minutes
 * or seconds and refuse values they cannot express. A construct prop that belongs to one side only
 * takes that side's own `Duration` instead.
 *
 * The maximum, `Interval.MAX_SECONDS` (365 days), is far above any bake, gate interval or test a
 * release needs, and far below what the engines can read (Go durations stop at about 2562047h), so
 * every Interval renders exactly, as a whole number of seconds, in every engine; a longer one is
 * refused where it is made (including by `plus()` and `times()`).
 */
export class Interval {
  /** The longest Interval, in seconds: 365 days (8760h). */
  public static readonly MAX_SECONDS = MAX_SECONDS;

  /**
   * A number of seconds.
   * @example Interval.seconds(30)
   */
  public static seconds(amount: number): Interval {
    return Interval.ofAmount('Interval.seconds()', amount, 1);
  }

  /**
   * A number of minutes.
   * @example Interval.minutes(5)
   */
  public static minutes(amount: number): Interval {
    return Interval.ofAmount('Interval.minutes()', amount, 60);
  }

  /**
   * A number of hours.
   * @example Interval.hours(1)
   */
  public static hours(amount: number): Interval {
    return Interval.ofAmount('Interval.hours()', amount, 3600);
  }

  /**
   * Parses a duration written as hours, minutes and seconds: `30s`, `5m`, `1h30m`, `0s`.
   * @example Interval.parse('1h30m')
   */
  public static parse(text: string): Interval {
    const where = 'Interval.parse()';
    const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(typeof text === 'string' ? text : '');
    if (!match || text === '') {
      fail(where, 'text', "must be whole hours, minutes and seconds such as '30s', '5m' or '1h30m'", text);
    }
    const [, h, m, s] = match;
    const total = Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0);
    if (total > Interval.MAX_SECONDS) fail(where, 'text', `must be at most ${MAX_TEXT}`, text);
    return new Interval(total);
  }

  /** Checks `amount` units of `unitSeconds` seconds each. */
  private static ofAmount(where: string, amount: number, unitSeconds: number): Interval {
    const total = amount * unitSeconds;
    if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0 || !Number.isInteger(total) || total > Interval.MAX_SECONDS) {
      fail(where, 'amount', `must be from 0 to ${Interval.MAX_SECONDS / unitSeconds} (${MAX_TEXT}) and a whole number of seconds`, amount);
    }
    return new Interval(total === 0 ? 0 : total); // not -0
  }

  private readonly totalSeconds: number;

  private constructor(totalSeconds: number) {
    this.totalSeconds = totalSeconds;
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

  /** This length plus another; the sum must be at most `Interval.MAX_SECONDS`. */
  public plus(other: Interval): Interval {
    const where = 'Interval.plus()';
    if (!(other instanceof Interval)) fail(where, 'other', 'must be an Interval', other);
    if (this.totalSeconds + other.totalSeconds > Interval.MAX_SECONDS) {
      fail(where, 'other', `must keep the sum at most ${MAX_TEXT} (this Interval is ${this})`, other);
    }
    return new Interval(this.totalSeconds + other.totalSeconds);
  }

  /** This length repeated `times` times; the result must be whole seconds, at most `Interval.MAX_SECONDS`. */
  public times(times: number): Interval {
    const total = this.totalSeconds * times;
    if (typeof times !== 'number' || !Number.isFinite(times) || times < 0 || !Number.isInteger(total) || total > Interval.MAX_SECONDS) {
      fail('Interval.times()', 'times', `must be zero or more and keep the result a whole number of seconds of at most ${MAX_TEXT} (this Interval is ${this})`, times);
    }
    return new Interval(total);
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
