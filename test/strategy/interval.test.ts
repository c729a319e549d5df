import { Interval } from '../../src';

test('factories convert to seconds', () => {
  expect(Interval.seconds(90).toSeconds()).toBe(90);
  expect(Interval.minutes(5).toSeconds()).toBe(300);
  expect(Interval.hours(2).toSeconds()).toBe(7200);
  expect(Interval.minutes(1.5).toSeconds()).toBe(90);
});

test.each([
  ['30s', 30], ['5m', 300], ['1h', 3600], ['1h30m', 5400], ['2m15s', 135], ['0s', 0],
])('parse(%s) is %d seconds', (text, seconds) => {
  expect(Interval.parse(text).toSeconds()).toBe(seconds);
});

test.each([
  [0, '0s'], [30, '30s'], [60, '1m'], [90, '1m30s'], [3600, '1h'], [3661, '1h1m1s'],
])('%d seconds render as the Go duration %s', (seconds, text) => {
  expect(Interval.seconds(seconds).toDurationString()).toBe(text);
  expect(String(Interval.seconds(seconds))).toBe(text);
});

test('minutes and arithmetic', () => {
  expect(Interval.seconds(90).toMinutes()).toBe(1.5);
  expect(Interval.seconds(90).isWholeMinutes()).toBe(false);
  expect(Interval.minutes(2).isWholeMinutes()).toBe(true);
  expect(Interval.minutes(2).plus(Interval.seconds(30)).toSeconds()).toBe(150);
  expect(Interval.minutes(2).times(3).toSeconds()).toBe(360);
  expect(Interval.seconds(0).isZero()).toBe(true);
});

test('fails on negative amounts', () => {
  expect(() => Interval.minutes(-1)).toThrow("Interval.minutes(): invalid 'amount': must be from 0 to 525600 (8760h (365 days)) and a whole number of seconds, got -1");
});

test('fails on fractions of a second', () => {
  expect(() => Interval.seconds(1.5)).toThrow("Interval.seconds(): invalid 'amount': must be from 0 to 31536000 (8760h (365 days)) and a whole number of seconds, got 1.5");
});

describe('the maximum is 365 days, which every engine reads exactly', () => {
  test('365 days is allowed and renders as a Go duration', () => {
    expect(Interval.MAX_SECONDS).toBe(31536000);
    expect(Interval.hours(8760).toDurationString()).toBe('8760h');
    expect(Interval.minutes(525600).toSeconds()).toBe(31536000);
    expect(Interval.seconds(31536000).toString()).toBe('8760h');
    expect(Interval.parse('8759h59m60s').toSeconds()).toBe(31536000);
  });

  test('fails one second above it', () => {
    expect(() => Interval.seconds(31536001)).toThrow("Interval.seconds(): invalid 'amount': must be from 0 to 31536000 (8760h (365 days)) and a whole number of seconds, got 31536001");
  });

  test('fails on hours Go cannot parse (above 2562047h)', () => {
    expect(() => Interval.hours(2562048)).toThrow("Interval.hours(): invalid 'amount': must be from 0 to 8760 (8760h (365 days)) and a whole number of seconds, got 2562048");
  });

  test('fails on amounts beyond exact arithmetic', () => {
    expect(() => Interval.minutes(2 ** 53)).toThrow("Interval.minutes(): invalid 'amount': must be from 0 to 525600 (8760h (365 days)) and a whole number of seconds, got 9007199254740992");
    expect(() => Interval.hours(Infinity)).toThrow("Interval.hours(): invalid 'amount': must be from 0 to 8760 (8760h (365 days)) and a whole number of seconds, got Infinity");
  });

  test('fails to parse a longer duration, naming the text', () => {
    expect(() => Interval.parse('8761h')).toThrow("Interval.parse(): invalid 'text': must be at most 8760h (365 days), got '8761h'");
    expect(() => Interval.parse(`${'9'.repeat(400)}h`)).toThrow(`Interval.parse(): invalid 'text': must be at most 8760h (365 days), got '${'9'.repeat(400)}h'`);
  });

  test('fails when plus() would pass it', () => {
    expect(Interval.hours(8000).plus(Interval.hours(760)).toString()).toBe('8760h');
    expect(() => Interval.hours(8000).plus(Interval.hours(761))).toThrow("Interval.plus(): invalid 'other': must keep the sum at most 8760h (365 days) (this Interval is 8000h), got 761h");
  });

  test('fails when times() would pass it, instead of printing 3e+26h', () => {
    expect(Interval.hours(1).times(8760).toString()).toBe('8760h');
    expect(() => Interval.hours(1).times(3e26)).toThrow("Interval.times(): invalid 'times': must be zero or more and keep the result a whole number of seconds of at most 8760h (365 days) (this Interval is 1h), got 3e+26");
    expect(() => Interval.seconds(1).times(0.5)).toThrow("Interval.times(): invalid 'times': must be zero or more and keep the result a whole number of seconds of at most 8760h (365 days) (this Interval is 1s), got 0.5");
    expect(() => Interval.seconds(1).times(-1)).toThrow("Interval.times(): invalid 'times'");
  });
});

test('zero is never negative zero', () => {
  expect(Object.is(Interval.hours(-0).toSeconds(), 0)).toBe(true);
});

test('fails when plus() is given something other than an Interval', () => {
  expect(() => Interval.seconds(1).plus(undefined as any)).toThrow("Interval.plus(): invalid 'other': must be an Interval, got nothing");
});

test('fails to parse text that is not hours, minutes and seconds', () => {
  expect(() => Interval.parse('5 minutes')).toThrow("Interval.parse(): invalid 'text': must be whole hours, minutes and seconds such as '30s', '5m' or '1h30m', got '5 minutes'");
  expect(() => Interval.parse('')).toThrow("Interval.parse(): invalid 'text'");
  expect(() => Interval.parse('1.5m')).toThrow("Interval.parse(): invalid 'text'");
});
