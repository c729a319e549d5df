/**
 * The token rule (src/private/tokens.ts, README "Tokens and lazy values"): a refused token prints
 * readably, never as its encoding, and checks never crash with a TypeError.
 */
import { Token } from 'aws-cdk-lib';
import { Lazy } from 'cdk8s';
import { Interval, Step, Threshold } from '../../src';
import { show } from '../../src/private/validate';

const lazy = Lazy.any({ produce: () => 5 });
const numberToken = Token.asNumber({ resolve: () => 5 });
const stringToken = Token.asString({ resolve: () => 'x' });

test('tokens print as unresolved tokens, also inside objects', () => {
  expect(show(lazy)).toBe('an unresolved token');
  expect(show(numberToken)).toBe('an unresolved token');
  expect(show(stringToken)).toMatch(/^an unresolved token \('\$\{Token\[TOKEN\.\d+\]\}'\)$/);
  expect(show({ replicas: lazy, weight: 0 })).toBe('{"replicas":"an unresolved token","weight":0}');
  expect(show(-1.5)).toBe('-1.5');
});

test('fails on an aws-cdk-lib number token where a plan needs a value, printing it readably (not -1.888e+289)', () => {
  expect(() => Step.setWeight(numberToken)).toThrow("Step.setWeight(): invalid 'weight': must be a multiple of 0.1 from 0 to 100, got an unresolved token");
  expect(() => Interval.minutes(numberToken)).toThrow("Interval.minutes(): invalid 'amount': must be from 0 to 525600 (8760h (365 days)) and a whole number of seconds, got an unresolved token");
});

test('fails on a cdk8s Lazy where a plan needs a value, printing it readably', () => {
  expect(() => Threshold.atLeast(lazy)).toThrow("Threshold.atLeast(): invalid 'min': must be a finite number, got an unresolved token");
  expect(() => Step.canaryScale({ replicas: lazy, weight: 0 }))
    .toThrow('Step.canaryScale(): invalid \'options\': must set exactly one of replicas, weight or matchTrafficWeight: true, got {"replicas":"an unresolved token","weight":0}');
});
