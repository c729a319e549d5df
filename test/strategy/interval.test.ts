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
  expect(() => Interval.minutes(-1)).toThrow("Interval.minutes(): invalid 'amount': must be zero or more and a whole number of seconds, got -1");
});

test('fails on fractions of a second', () => {
  expect(() => Interval.seconds(1.5)).toThrow("Interval.seconds(): invalid 'amount': must be zero or more and a whole number of seconds, got 1.5");
});

test('fails to parse text that is not hours, minutes and seconds', () => {
  expect(() => Interval.parse('5 minutes')).toThrow("Interval.parse(): invalid 'text': must be whole hours, minutes and seconds such as '30s', '5m' or '1h30m', got '5 minutes'");
  expect(() => Interval.parse('')).toThrow("Interval.parse(): invalid 'text'");
  expect(() => Interval.parse('1.5m')).toThrow("Interval.parse(): invalid 'text'");
});
