import { Threshold } from '../../src';

test('atLeast, atMost and between hold the bounds they were given', () => {
  expect(Threshold.atLeast(0.99)).toMatchObject({ min: 0.99, max: undefined });
  expect(Threshold.atMost(0.5)).toMatchObject({ min: undefined, max: 0.5 });
  expect(Threshold.between(0, 0.3)).toMatchObject({ min: 0, max: 0.3 });
});

test('bounds are inclusive', () => {
  expect(Threshold.atLeast(0.99).holds(0.99)).toBe(true);
  expect(Threshold.atLeast(0.99).holds(0.98)).toBe(false);
  expect(Threshold.atMost(0.5).holds(0.5)).toBe(true);
  expect(Threshold.atMost(0.5).holds(0.51)).toBe(false);
  expect(Threshold.between(1, 2).holds(0.9)).toBe(false);
  expect(Threshold.between(1, 2).holds(2)).toBe(true);
});

test('descriptions', () => {
  expect(String(Threshold.atLeast(0.99))).toBe('>= 0.99');
  expect(String(Threshold.atMost(300))).toBe('<= 300');
  expect(String(Threshold.between(0, 0.3))).toBe('from 0 to 0.3');
});

test('fails when between has min above max', () => {
  expect(() => Threshold.between(2, 1)).toThrow("Threshold.between(): invalid 'max': must be at least min (2), got 1");
});

test('fails on NaN and infinities, saying a finite number is needed', () => {
  expect(() => Threshold.atLeast(NaN)).toThrow("Threshold.atLeast(): invalid 'min': must be a finite number, got NaN");
  expect(() => Threshold.between(0, Infinity)).toThrow("Threshold.between(): invalid 'max': must be a finite number, got Infinity");
});
