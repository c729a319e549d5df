import { Gate } from './gate';
import { HeaderMatch } from './header-match';
import { Interval } from './interval';
import { Step, StepKind } from './step';
import { checkRange, checkTenths, fail } from '../private/validate';

/** The shape a plan was declared with. */
export enum PlanKind {
  /** All traffic moves at once. */
  ALL_AT_ONCE = 'allAtOnce',
  /** One canary step, a bake, then the rest. */
  CANARY = 'canary',
  /** Equal steps at a fixed interval. */
  LINEAR = 'linear',
  /** An explicit list of steps. */
  STEPS = 'steps',
  /** Requests matching headers go to the new version for a number of iterations, then it is promoted. */
  AB_TEST = 'abTest',
}

/** Options for `RolloutPlan.canary`. */
export interface CanaryPlanOptions {
  /**
   * Percentage of traffic the new version gets first: a multiple of 0.1 from 0.1 to 99.9 (Amazon ECS
   * takes fractions; AWS CodeDeploy, Argo Rollouts and Flagger take whole percentages from 1 to 99).
   */
  readonly percent: number;
  /** How long that percentage bakes before the rest moves. */
  readonly bake: Interval;
  /**
   * Gates measured in the background from the canary step until the release completes.
   * @default - no background gates
   */
  readonly gates?: Gate[];
}

/** Options for `RolloutPlan.linear`. */
export interface LinearPlanOptions {
  /**
   * Percentage of traffic moved at each step: a multiple of 0.1 from 1 to 99.9 (no engine moves less
   * per linear step; Amazon ECS takes fractions from 3, AWS CodeDeploy, Argo Rollouts and Flagger take
   * whole percentages).
   */
  readonly step: number;
  /** Time between two steps. */
  readonly every: Interval;
  /**
   * Gates measured in the background from the first step until the release completes.
   * @default - no background gates
   */
  readonly gates?: Gate[];
}

/** Options for `RolloutPlan.steps`. */
export interface StepsPlanOptions {
  /**
   * Gates measured in the background (Argo Rollouts background analysis; Flagger metrics).
   * @default - no background gates
   */
  readonly backgroundGates?: Gate[];
  /**
   * Index of the step at which background gates start measuring.
   * @default - the step after the first step that sends traffic, so the gates have data to read
   */
  readonly backgroundStartStep?: number;
}

/** Options for `RolloutPlan.abTest`; give `match` or `matchAny`. */
export interface AbTestPlanOptions {
  /**
   * Requests matching all of these go to the new version.
   * @default - `matchAny` decides
   */
  readonly match?: HeaderMatch[];
  /**
   * Alternatives: a request that matches all the headers of any one entry goes to the new version
   * (e.g. `[[HeaderMatch.exact('x-canary', 'insider')], [HeaderMatch.cookie('canary', 'always')]]`).
   * Flagger renders the entries as its `match` list; Argo Rollouts as one header route per entry
   * (`ab-test-1`, `ab-test-2`, ...).
   * @default - `match` decides
   */
  readonly matchAny?: HeaderMatch[][];
  /** How many intervals the test runs before the new version is promoted. */
  readonly iterations: number;
  /** Length of one iteration. */
  readonly every: Interval;
  /**
   * Gates measured in the background during the test.
   * @default - no background gates
   */
  readonly gates?: Gate[];
}

/**
 * The traffic schedule of a release: how traffic moves from the stable version to the new one,
 * with bakes, manual pauses and gates in between.
 *
 * One plan renders to every engine that can express it: Argo Rollouts `steps`, Flagger
 * `stepWeights`/`stepWeight`/`maxWeight`/`interval`, ECS `canaryConfiguration`/`linearConfiguration`,
 * CodeDeploy `TimeBasedCanary`/`TimeBasedLinear`. An engine that cannot express a plan refuses it,
 * naming the step and the nearest plan it can express.
 */
export class RolloutPlan {
  /** Move all traffic at once. */
  public static allAtOnce(): RolloutPlan {
    return new RolloutPlan('RolloutPlan.allAtOnce()', PlanKind.ALL_AT_ONCE, [Step.setWeight(100)], {}, {});
  }

  /**
   * Send `percent` of traffic to the new version, wait `bake`, then move the rest.
   * @example RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) })
   */
  public static canary(options: CanaryPlanOptions): RolloutPlan {
    const where = 'RolloutPlan.canary()';
    const percent = checkTenths(where, 'percent', options.percent, 0.1, 99.9);
    checkBake(where, 'bake', options.bake);
    return new RolloutPlan(where, PlanKind.CANARY, [Step.setWeight(percent), Step.bake(options.bake)],
      { backgroundGates: options.gates }, { percent, interval: options.bake });
  }

  /**
   * Move `step` percent more traffic every `every` until all of it has moved.
   * @example RolloutPlan.linear({ step: 10, every: Interval.minutes(1) })
   */
  public static linear(options: LinearPlanOptions): RolloutPlan {
    const where = 'RolloutPlan.linear()';
    const step = checkTenths(where, 'step', options.step, 1, 99.9);
    checkBake(where, 'every', options.every);
    const steps: Step[] = [];
    // In tenths, as whole numbers: adding 3.3 three times in floating point gives 9.899999999999999.
    const tenths = Math.round(step * 10);
    for (let w = tenths; w < 1000; w += tenths) {
      steps.push(Step.setWeight(w / 10), Step.bake(options.every));
    }
    return new RolloutPlan(where, PlanKind.LINEAR, steps, { backgroundGates: options.gates },
      { percent: step, interval: options.every });
  }

  /**
   * An explicit list of steps.
   * @example RolloutPlan.steps([Step.setWeight(5), Step.bake(Interval.minutes(5)), Step.analysis(successRate), Step.setWeight(50), Step.pause()])
   */
  public static steps(steps: Step[], options: StepsPlanOptions = {}): RolloutPlan {
    return new RolloutPlan('RolloutPlan.steps()', PlanKind.STEPS, steps, options, {});
  }

  /**
   * Send requests matching `match` to the new version for `iterations` × `every`, then promote it.
   * @example RolloutPlan.abTest({ match: [HeaderMatch.cookie('canary', 'always')], iterations: 10, every: Interval.minutes(1) })
   */
  public static abTest(options: AbTestPlanOptions): RolloutPlan {
    const where = 'RolloutPlan.abTest()';
    checkRange(where, 'iterations', options.iterations, 1, 1000);
    checkBake(where, 'every', options.every);
    if ((options.match === undefined) === (options.matchAny === undefined)) {
      fail(where, 'match', 'give exactly one of match and matchAny', options.match ?? options.matchAny);
    }
    if (options.match !== undefined && options.match.length === 0) fail(where, 'match', 'must have at least one HeaderMatch', options.match);
    if (options.every.toSeconds() * options.iterations > Interval.MAX_SECONDS) {
      fail(where, 'iterations', `must keep the test (iterations × every, ${options.every}) at most ${Interval.seconds(Interval.MAX_SECONDS)} (365 days)`, options.iterations);
    }
    const alternatives = options.matchAny ?? [options.match!];
    if (!Array.isArray(alternatives) || alternatives.length === 0) fail(where, 'matchAny', 'must have at least one list of HeaderMatch', alternatives);
    alternatives.forEach((m, i) => {
      if (!Array.isArray(m) || m.length === 0) fail(where, `matchAny[${i}]`, 'must have at least one HeaderMatch', m);
    });
    const routes = alternatives.length === 1
      ? [Step.headerRoute({ name: 'ab-test', match: alternatives[0] })]
      : alternatives.map((match, i) => Step.headerRoute({ name: `ab-test-${i + 1}`, match }));
    const steps = [...routes, Step.bake(options.every.times(options.iterations))];
    const background = { backgroundGates: options.gates, backgroundStartStep: options.gates?.length ? routes.length : undefined };
    return new RolloutPlan(where, PlanKind.AB_TEST, steps, background,
      { interval: options.every, iterations: options.iterations });
  }

  /** The shape the plan was declared with. */
  public readonly kind: PlanKind;
  /**
   * Canary percentage (CANARY) or step percentage (LINEAR).
   * @default - not a CANARY or LINEAR plan
   */
  public readonly percent?: number;
  /**
   * Bake time (CANARY), time between steps (LINEAR) or iteration length (AB_TEST).
   * @default - not a CANARY, LINEAR or AB_TEST plan
   */
  public readonly interval?: Interval;
  /**
   * Number of iterations of an AB_TEST plan.
   * @default - not an AB_TEST plan
   */
  public readonly iterations?: number;
  /** Index of the step at which background gates start. */
  public readonly backgroundStartStep: number;
  private readonly _steps: Step[];
  private readonly _backgroundGates: Gate[];

  private constructor(where: string, kind: PlanKind, steps: Step[], options: StepsPlanOptions, shape: PlanShape) {
    if (!Array.isArray(steps) || steps.length === 0) fail(where, 'steps', 'must have at least one step', steps);
    steps.forEach((s, i) => {
      if (!(s instanceof Step)) fail(where, `steps[${i}]`, 'must be a Step', s);
    });
    let weight = 0;
    steps.forEach((s, i) => {
      if (s.kind !== StepKind.SET_WEIGHT) return;
      if (s.weight! < weight && !s.allowDecrease) {
        fail(where, `steps[${i}]`, `weights must not decrease (previous weight ${weight}); pass { allowDecrease: true } to move traffic back on purpose`, s.toString());
      }
      weight = s.weight!;
    });
    const backgroundGates = [...(options.backgroundGates ?? [])];
    backgroundGates.forEach((g, i) => {
      if (!(g instanceof Gate)) fail(where, `backgroundGates[${i}]`, 'must be a Gate', g);
    });
    const firstTraffic = steps.findIndex((s) => s.kind === StepKind.SET_WEIGHT && s.weight! > 0);
    const defaultStart = Math.min(firstTraffic < 0 ? 0 : firstTraffic + 1, steps.length - 1);
    const start = options.backgroundStartStep ?? defaultStart;
    checkRange(where, 'backgroundStartStep', start, 0, steps.length - 1);
    if (options.backgroundStartStep !== undefined && backgroundGates.length === 0) {
      fail(where, 'backgroundStartStep', 'needs backgroundGates to start', options.backgroundStartStep);
    }
    this.kind = kind;
    this.percent = shape.percent;
    this.interval = shape.interval;
    this.iterations = shape.iterations;
    this.backgroundStartStep = start;
    this._steps = [...steps];
    this._backgroundGates = backgroundGates;
    const byName = new Map<string, Gate>();
    for (const gate of [...backgroundGates, ...steps.flatMap((s) => s.gates)]) {
      const seen = byName.get(gate.name);
      if (seen && !seen.sameAs(gate)) {
        fail(where, 'gates', 'must not give one name to two different gates (metric names must be unique)', gate.name);
      }
      byName.set(gate.name, gate);
    }
  }

  /** The steps, in order (a copy). */
  public get sequence(): Step[] {
    return [...this._steps];
  }

  /** Gates measured in the background (a copy). */
  public get backgroundGates(): Gate[] {
    return [...this._backgroundGates];
  }

  /** Every distinct gate the plan uses, background gates first, each once. */
  public gates(): Gate[] {
    const out: Gate[] = [];
    const add = (g: Gate) => {
      if (!out.some((o) => o.name === g.name)) out.push(g);
    };
    this._backgroundGates.forEach(add);
    this._steps.forEach((s) => s.gates.forEach(add));
    return out;
  }

  /** The traffic weights of SET_WEIGHT steps, in order. */
  public weights(): number[] {
    return this._steps.filter((s) => s.kind === StepKind.SET_WEIGHT).map((s) => s.weight!);
  }

  /** A one-line description such as `setWeight(5), bake(5m), analysis(success-rate)`. */
  public toString(): string {
    return this._steps.map(String).join(', ');
  }
}

interface PlanShape {
  readonly percent?: number;
  readonly interval?: Interval;
  readonly iterations?: number;
}

function checkBake(where: string, field: string, value: Interval): void {
  if (!(value instanceof Interval) || value.isZero()) fail(where, field, 'must be longer than 0s', value);
}
