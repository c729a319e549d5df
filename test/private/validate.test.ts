import { LambdaCanaryRollout, Interval, RolloutPlan, Step } from '../../src';
import { withPath } from '../../src/private/validate';
import { lambdaFixtures, testStack } from '../aws/fixtures';

describe('withPath: a value class refusing while a construct uses it names the construct', () => {
  test('a factory refusal gets the path and field in front, whole', () => {
    expect(() => withPath('shop/checkout', 'plan', () => Interval.hours(8000).plus(Interval.hours(800))))
      .toThrow("shop/checkout: invalid 'plan': Interval.plus(): invalid 'other': must keep the sum at most 8760h (365 days) (this Interval is 8000h), got 800h");
  });

  test('other errors pass unchanged', () => {
    expect(() => withPath('shop/checkout', 'plan', () => {
      throw new Error("shop/checkout: invalid 'replicas': must be a whole number from 1 to 10000, got 0");
    })).toThrow(/^shop\/checkout: invalid 'replicas'/);
    expect(() => withPath('x', 'plan', () => (undefined as any).boom)).toThrow(TypeError);
  });

  test('a plan whose bakes add up to more than the longest Interval names the construct (it said only Interval.plus())', () => {
    const stack = testStack();
    const { alias } = lambdaFixtures(stack);
    const plan = RolloutPlan.steps([Step.setWeight(10), Step.bake(Interval.hours(5000)), Step.bake(Interval.hours(5000))]);
    expect(() => new LambdaCanaryRollout(stack, 'Rollout', { alias, plan }))
      .toThrow("Shop/Rollout: invalid 'plan': Interval.plus(): invalid 'other': must keep the sum at most 8760h (365 days) (this Interval is 5000h), got 5000h");
  });
});
