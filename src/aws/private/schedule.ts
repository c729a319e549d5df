/**
 * Translates a `RolloutPlan` into the traffic shapes AWS engines take: all at once, one canary step
 * (`percent`, then the rest after `intervalMinutes`) or equal linear steps (`percent` more every
 * `intervalMinutes`). Amazon ECS (BLUE_GREEN, CANARY, LINEAR) and AWS CodeDeploy (AllAtOnce,
 * TimeBasedCanary, TimeBasedLinear) express nothing else, so every other plan is refused with the
 * nearest plan the engine can express. Amazon ECS takes percentages in steps of 0.1; AWS CodeDeploy
 * takes whole percentages and refuses a fraction.
 */
import { show } from '../../private/validate';
import { Interval } from '../../strategy/interval';
import { PlanKind, RolloutPlan } from '../../strategy/rollout-plan';
import { Step, StepKind } from '../../strategy/step';

/** The shape of a schedule. */
export enum ScheduleKind {
  ALL_AT_ONCE = 'allAtOnce',
  CANARY = 'canary',
  LINEAR = 'linear',
}

/** What one engine can express. */
export interface EngineLimits {
  /** The engine's name in messages, e.g. `Amazon ECS` or `AWS CodeDeploy`. */
  readonly engine: string;
  /** Smallest linear step percentage. */
  readonly minLinearPercent: number;
  /** Whether percentages may be multiples of 0.1 (Amazon ECS); otherwise whole percentages only (AWS CodeDeploy). */
  readonly fractionalPercent: boolean;
  /** Largest bake (canary) or step interval (linear) in minutes. */
  readonly maxIntervalMinutes?: number;
  /** Whether a `Step.pause()` before any traffic moves can be expressed (as an approval wait). */
  readonly pauseFirst: boolean;
  /** What can express such a pause instead, for the message refusing it, e.g. ` (EcsDeploymentEngine.codeDeploy() can)`. */
  readonly pauseAlternative?: string;
}

/** A plan in an engine's terms. */
export interface TrafficSchedule {
  readonly kind: ScheduleKind;
  /** Canary percentage or linear step percentage. */
  readonly percent?: number;
  /** Canary bake or linear step interval, in whole minutes. */
  readonly intervalMinutes?: number;
  /** Whether the plan starts with a manual pause before any traffic moves. */
  readonly pauseFirst: boolean;
  /** How many timed waits the traffic shift takes (0 all at once, 1 canary, steps-1 or so for linear). */
  readonly waits: number;
}

/**
 * Throws `<where>: invalid '<field>': <allowed>, got <got>` with `got` written as is (not quoted), for
 * values that read better in words such as `90 seconds`.
 */
export function failWith(where: string, field: string, allowed: string, got: string): never {
  throw new Error(`${where}: invalid '${field}': ${allowed}, got ${got}`);
}

/** How an `Interval` is written in a suggested plan: `Interval.minutes(5)`. */
export function intervalCode(minutes: number): string {
  return `Interval.minutes(${minutes})`;
}

/** The code of a canary plan, for "nearest plan" suggestions. */
export function canaryCode(percent: number, minutes: number): string {
  return `RolloutPlan.canary({ percent: ${percent}, bake: ${intervalCode(minutes)} })`;
}

/** The code of a linear plan, for "nearest plan" suggestions. */
export function linearCode(step: number, minutes: number): string {
  return `RolloutPlan.linear({ step: ${step}, every: ${intervalCode(minutes)} })`;
}

/** The number of timed waits of a linear shift with `step` percent steps: one after every step below 100%. */
export function linearWaits(step: number): number {
  return Math.ceil(1000 / tenths(step)) - 1;
}

/** A percentage that is a multiple of 0.1 as a whole number of tenths, so that sums compare exactly. */
function tenths(percent: number): number {
  return Math.round(percent * 10);
}

/** The smallest canary percentage an engine takes. */
function minCanaryPercent(limits: EngineLimits): number {
  return limits.fractionalPercent ? 0.1 : 1;
}

/** The largest canary percentage an engine takes (100 is the implied last step). */
function maxCanaryPercent(limits: EngineLimits): number {
  return limits.fractionalPercent ? 99.9 : 99;
}

/** `percent` as the engine can take it: whole percentages round to the nearest whole number. */
function expressible(percent: number, limits: EngineLimits): number {
  return limits.fractionalPercent ? percent : Math.round(percent);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function wholeMinutesUp(interval: Interval | undefined, limits: EngineLimits): number {
  const minutes = interval === undefined ? 5 : Math.ceil(interval.toSeconds() / 60);
  return clamp(minutes, 1, limits.maxIntervalMinutes ?? Number.MAX_SAFE_INTEGER);
}

interface Segment {
  readonly weight: number;
  readonly weightIndex: number;
  bake?: Interval;
  bakeIndex?: number;
}

/**
 * The nearest plan an engine can express, given the plan's first weights and bake. A plan that moves
 * no weight but waits (an A/B test by header) is nearest to a small canary baked as long.
 */
function nearestPlan(segments: Segment[], limits: EngineLimits, wait?: Interval): string {
  const moving = segments.filter((s) => s.weight > 0 && s.weight < 100);
  if (moving.length === 0) return wait === undefined ? 'RolloutPlan.allAtOnce()' : canaryCode(10, wholeMinutesUp(wait, limits));
  const first = moving[0];
  const minutes = wholeMinutesUp(moving.find((s) => s.bake !== undefined)?.bake, limits);
  const percent = expressible(first.weight, limits);
  if (moving.length === 1) return canaryCode(clamp(percent, minCanaryPercent(limits), maxCanaryPercent(limits)), minutes);
  return linearCode(clamp(percent, limits.minLinearPercent, maxCanaryPercent(limits)), minutes);
}

function describeStep(step: Step): string {
  switch (step.kind) {
    case StepKind.PAUSE: return 'a manual pause after the first step';
    case StepKind.ANALYSIS: return 'gates run as a step (put CloudWatch gates in the plan\'s background gates: they become rollback alarms)';
    case StepKind.SET_CANARY_SCALE: return 'scaling the new version apart from its traffic weight';
    case StepKind.HEADER_ROUTE: return 'routing by request headers';
    case StepKind.MIRROR: return 'mirroring traffic';
    default: return `step ${step}`;
  }
}

/**
 * Translates `plan` for an engine, or throws naming the step, what the engine takes and the nearest
 * plan it can express. `where` is the construct path; fields are reported as `plan`, `plan.interval`
 * (CANARY and LINEAR plans) or `plan.steps[i]`.
 */
export function toSchedule(where: string, plan: RolloutPlan, limits: EngineLimits): TrafficSchedule {
  const takes = `${limits.engine} takes all at once, one canary step or equal linear steps, each bake in whole minutes`;
  const steps = plan.sequence;
  let start = 0;
  let pauseFirst = false;
  if (steps[0].kind === StepKind.PAUSE) {
    if (!limits.pauseFirst) {
      const rest = segmentsOf(steps.slice(1), 1);
      failWith(where, 'plan.steps[0]', `${limits.engine} cannot pause for approval before traffic moves${limits.pauseAlternative ?? ''}; nearest plan it can express: ${nearestPlan(rest, limits)}`, show(steps[0]));
    }
    pauseFirst = true;
    start = 1;
  }

  const segments: Segment[] = [];
  for (let i = start; i < steps.length; i++) {
    const step = steps[i];
    const field = `plan.steps[${i}]`;
    if (step.kind === StepKind.SET_WEIGHT) {
      segments.push({ weight: step.weight!, weightIndex: i });
    } else if (step.kind === StepKind.BAKE) {
      const last = segments[segments.length - 1];
      if (last === undefined) {
        failWith(where, field, `${takes}; a bake before any traffic moves cannot be expressed; nearest plan it can express: ${nearestPlan(segmentsOf(steps.slice(i + 1), i + 1), limits)}`, show(step));
      }
      last.bake = last.bake === undefined ? step.duration! : last.bake.plus(step.duration!);
      last.bakeIndex = last.bakeIndex ?? i;
    } else {
      const wait = steps.find((s) => s.kind === StepKind.BAKE)?.duration;
      failWith(where, field, `${takes}, not ${describeStep(step)}; nearest plan it can express: ${nearestPlan(segmentsOf(steps, 0), limits, wait)}`, show(step));
    }
  }

  // A final setWeight(100) is implied by every engine; a bake after it is the keep-previous time.
  const last = segments[segments.length - 1];
  if (last !== undefined && last.weight === 100) {
    if (last.bake !== undefined) {
      failWith(where, `plan.steps[${last.bakeIndex}]`, `${takes}; a bake after all traffic has moved is the construct's keepPrevious time, not a plan step; nearest plan it can express: ${nearestPlan(segments.slice(0, -1), limits)}`, show(steps[last.bakeIndex!]));
    }
    segments.pop();
  }

  if (segments.length === 0) {
    return { kind: ScheduleKind.ALL_AT_ONCE, pauseFirst, waits: 0 };
  }

  const nearest = nearestPlan(segments, limits);
  if (!limits.fractionalPercent) {
    const fraction = segments.find((s) => !Number.isInteger(s.weight));
    if (fraction !== undefined) {
      // A linear plan stays linear, even when its step is above 50% (one step, then the rest).
      const whole = plan.kind === PlanKind.LINEAR
        ? linearCode(clamp(Math.round(plan.percent!), limits.minLinearPercent, 99), wholeMinutesUp(plan.interval, limits))
        : nearest;
      failWith(where, `plan.steps[${fraction.weightIndex}]`, `${limits.engine} takes whole percentages; nearest plan it can express: ${whole}`, show(steps[fraction.weightIndex]));
    }
  }
  for (const s of segments) {
    if (s.bake === undefined) {
      failWith(where, `plan.steps[${s.weightIndex}]`, `${takes}; every traffic step below 100% needs a bake after it; nearest plan it can express: ${nearest}`, show(steps[s.weightIndex]));
    }
  }

  const fromFactory = plan.kind === PlanKind.CANARY || plan.kind === PlanKind.LINEAR;
  const intervalField = fromFactory ? 'plan.interval' : `plan.steps[${segments[0].bakeIndex}]`;
  const interval = segments[0].bake!;
  if (!interval.isWholeMinutes()) {
    failWith(where, intervalField, `${limits.engine} needs whole minutes`, `${interval.toSeconds()} seconds`);
  }
  const minutes = interval.toMinutes();
  if (limits.maxIntervalMinutes !== undefined && minutes > limits.maxIntervalMinutes) {
    failWith(where, intervalField, `${limits.engine} bakes at most ${limits.maxIntervalMinutes} minutes per step`, `${minutes} minutes`);
  }

  if (segments.length === 1 && plan.kind !== PlanKind.LINEAR) {
    const percent = segments[0].weight;
    const [min, max] = [minCanaryPercent(limits), maxCanaryPercent(limits)];
    if (percent < min || percent > max) {
      const allowed = limits.fractionalPercent ? `a multiple of 0.1 from ${min} to ${max}` : `a whole number from ${min} to ${max}`;
      failWith(where, `plan.steps[${segments[0].weightIndex}]`, `a canary percentage must be ${allowed}; nearest plan it can express: ${canaryCode(clamp(percent, min, max), minutes)}`, show(steps[segments[0].weightIndex]));
    }
    return { kind: ScheduleKind.CANARY, percent, intervalMinutes: minutes, pauseFirst, waits: 1 };
  }

  // Compared in tenths, as whole numbers: 3.3 + 3.3 + 3.3 is 9.899999999999999 in floating point.
  const step = segments[0].weight;
  const expected: number[] = [];
  for (let w = tenths(step); step > 0 && w < 1000; w += tenths(step)) expected.push(w);
  const linear = `${takes} (a linear plan moves the same percentage after the same bake until 100%); nearest plan it can express: ${nearest}`;
  const weightMismatch = segments.findIndex((s, i) => tenths(s.weight) !== expected[i]);
  if (weightMismatch >= 0) {
    const index = segments[weightMismatch].weightIndex;
    failWith(where, `plan.steps[${index}]`, linear, show(steps[index]));
  }
  if (segments.length < expected.length) {
    const index = segments[segments.length - 1].weightIndex;
    failWith(where, `plan.steps[${index}]`, `${linear}; this plan jumps from ${segments[segments.length - 1].weight}% to 100%`, show(steps[index]));
  }
  const bakeMismatch = segments.findIndex((s) => s.bake!.toSeconds() !== interval.toSeconds());
  if (bakeMismatch >= 0) {
    const index = segments[bakeMismatch].bakeIndex!;
    failWith(where, `plan.steps[${index}]`, linear, show(steps[index]));
  }
  if (step < limits.minLinearPercent) {
    failWith(where, fromFactory ? 'plan.percent' : `plan.steps[${segments[0].weightIndex}]`, `${limits.engine} moves at least ${limits.minLinearPercent}% per linear step; nearest plan it can express: ${linearCode(limits.minLinearPercent, minutes)}`, `${step}%`);
  }
  return { kind: ScheduleKind.LINEAR, percent: step, intervalMinutes: minutes, pauseFirst, waits: linearWaits(step) };
}

function segmentsOf(steps: Step[], offset: number): Segment[] {
  const out: Segment[] = [];
  steps.forEach((s, i) => {
    if (s.kind === StepKind.SET_WEIGHT) out.push({ weight: s.weight!, weightIndex: i + offset });
    if (s.kind === StepKind.BAKE && out.length > 0 && out[out.length - 1].bake === undefined) {
      out[out.length - 1].bake = s.duration;
      out[out.length - 1].bakeIndex = i + offset;
    }
  });
  return out;
}

/** Time the traffic shift of a schedule waits, in minutes. */
export function shiftMinutes(schedule: TrafficSchedule): number {
  return (schedule.intervalMinutes ?? 0) * schedule.waits;
}
