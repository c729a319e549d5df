/**
 * The percentage check both Kubernetes engines share: Argo Rollouts (`setWeight`, `setMirrorRoute`
 * `percentage`: int32) and Flagger (`stepWeight`, `stepWeights`, `maxWeight`: Go ints) take whole
 * percentages, while a `RolloutPlan` may carry multiples of 0.1 (which Amazon ECS takes).
 * Private: never exported from index.ts. Neither engine's own module is imported here.
 */
import { fail } from '../../private/validate';
import { Interval } from '../../strategy/interval';
import { PlanKind, RolloutPlan } from '../../strategy/rollout-plan';
import { StepKind } from '../../strategy/step';

/**
 * Refuses the first traffic or mirror step of `plan` whose percentage is not a whole number, naming
 * `engine` and the nearest plan it can express (the percentage rounded, kept from 1 to 99).
 */
export function checkWholePercentages(where: string, engine: string, plan: RolloutPlan): void {
  const steps = plan.sequence;
  const i = steps.findIndex((s) => (s.kind === StepKind.SET_WEIGHT || s.kind === StepKind.MIRROR) && !Number.isInteger(s.weight));
  if (i < 0) return;
  const step = steps[i];
  const whole = Math.min(Math.max(Math.round(step.weight!), 1), 99);
  let nearest: string;
  if (plan.kind === PlanKind.CANARY) nearest = `RolloutPlan.canary({ percent: ${whole}, bake: ${intervalCode(plan.interval!)} })`;
  else if (plan.kind === PlanKind.LINEAR) nearest = `RolloutPlan.linear({ step: ${whole}, every: ${intervalCode(plan.interval!)} })`;
  else nearest = `${step.kind === StepKind.MIRROR ? 'Step.mirror' : 'Step.setWeight'}(${whole}) in place of this step`;
  fail(where, `plan.steps[${i}]`, `${engine} takes whole percentages; nearest plan: ${nearest}`, step.toString());
}

function intervalCode(interval: Interval): string {
  return interval.isWholeMinutes() ? `Interval.minutes(${interval.toMinutes()})` : `Interval.seconds(${interval.toSeconds()})`;
}
