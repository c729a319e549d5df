import { Gate } from './gate';
import { HeaderMatch } from './header-match';
import { HttpMethod } from './http-method';
import { Interval } from './interval';
import { PathMatch } from './path-match';
import { SAFE_METHODS, WRITE_METHODS } from '../private/http-methods';
import { checkDnsLabel, checkRange, checkTenths, fail } from '../private/validate';

/** What a step does. */
export enum StepKind {
  /** Send a percentage of traffic to the new version. */
  SET_WEIGHT = 'setWeight',
  /** Wait a fixed time at the current weight. */
  BAKE = 'bake',
  /** Wait until a person promotes the release. */
  PAUSE = 'pause',
  /** Run gates to completion; a failure aborts the release. */
  ANALYSIS = 'analysis',
  /** Scale the new version independently of its traffic weight. */
  SET_CANARY_SCALE = 'setCanaryScale',
  /** Send requests that match headers to the new version. */
  HEADER_ROUTE = 'headerRoute',
  /** Copy a percentage of traffic to the new version (responses are dropped), or stop copying it (weight 0). */
  MIRROR = 'mirror',
}

/** Options for `Step.setWeight`. */
export interface SetWeightOptions {
  /**
   * Allow this weight to be lower than the weight before it (traffic moves back to the stable version).
   * @default false
   */
  readonly allowDecrease?: boolean;
}

/** Options for `Step.canaryScale`; give exactly one. */
export interface CanaryScaleOptions {
  /**
   * Run exactly this many pods of the new version.
   * @default - not by count
   */
  readonly replicas?: number;
  /**
   * Run this percentage of the total replicas as the new version.
   * @default - not by percentage
   */
  readonly weight?: number;
  /**
   * Go back to scaling the new version with its traffic weight.
   * @default false
   */
  readonly matchTrafficWeight?: boolean;
}

/** Options for `Step.headerRoute`. */
export interface HeaderRouteOptions {
  /**
   * Name of the route in the router's configuration.
   * @default 'header-route'
   */
  readonly name?: string;
  /** Requests matching all of these go to the new version. */
  readonly match: HeaderMatch[];
}

/** Options for `Step.mirror`. */
export interface MirrorOptions {
  /**
   * Name of the mirror route in the router's configuration.
   * @default 'mirror-route'
   */
  readonly name?: string;
  /**
   * Mirror only requests matching all of these headers.
   * @default - no header condition
   */
  readonly match?: HeaderMatch[];
  /**
   * Mirror only requests with one of these methods. A write method (POST, PUT, PATCH, DELETE) is an
   * explicit opt-in: the canary then repeats every write it receives, so the release needs
   * `SideEffects.isolated(...)` and at least one production dependency to check it against.
   * @default [HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS]
   */
  readonly methods?: HttpMethod[];
  /**
   * Mirror only requests to one of these paths; at most 8.
   * @default - every path
   */
  readonly paths?: PathMatch[];
}

/** Options for `Step.stopMirror`. */
export interface StopMirrorOptions {
  /**
   * Name of the mirror route to remove (the `name` given to `Step.mirror`).
   * @default 'mirror-route'
   */
  readonly name?: string;
}

const ALL_METHODS: readonly HttpMethod[] = [...SAFE_METHODS, ...WRITE_METHODS];

/**
 * One step of a `RolloutPlan`.
 *
 * Every engine renders steps in its own terms (Argo Rollouts `steps`, Flagger `stepWeights` and
 * `interval`, ECS and CodeDeploy canary or linear configurations) and refuses steps it cannot express.
 */
export class Step {
  /**
   * Send `weight` percent of traffic to the new version: a multiple of 0.1 from 0 to 100.
   *
   * Amazon ECS takes weights in steps of 0.1; AWS CodeDeploy, Argo Rollouts and Flagger take whole
   * percentages and refuse a fractional weight, naming the nearest plan they can express.
   * @example Step.setWeight(25)
   */
  public static setWeight(weight: number, options: SetWeightOptions = {}): Step {
    const tenths = checkTenths('Step.setWeight()', 'weight', weight, 0, 100);
    return new Step(StepKind.SET_WEIGHT, { weight: tenths, allowDecrease: options.allowDecrease ?? false });
  }

  /**
   * Wait `duration` at the current weight (a timed pause).
   * @example Step.bake(Interval.minutes(10))
   */
  public static bake(duration: Interval): Step {
    if (!(duration instanceof Interval) || duration.isZero()) {
      fail('Step.bake()', 'duration', 'must be longer than 0s', duration);
    }
    return new Step(StepKind.BAKE, { duration });
  }

  /** Wait until a person promotes the release (a manual gate). */
  public static pause(): Step {
    return new Step(StepKind.PAUSE, {});
  }

  /**
   * Run `gates` to completion; the release goes on when all pass and aborts when one fails.
   * @example Step.analysis(successRate, latencyP99)
   */
  public static analysis(...gates: Gate[]): Step {
    if (gates.length === 0) fail('Step.analysis()', 'gates', 'must name at least one gate', gates);
    gates.forEach((g, i) => {
      if (!(g instanceof Gate)) fail('Step.analysis()', `gates[${i}]`, 'must be a Gate', g);
    });
    const names = new Set<string>();
    for (const g of gates) {
      if (names.has(g.name)) fail('Step.analysis()', 'gates', 'must not repeat a gate name', g.name);
      names.add(g.name);
    }
    return new Step(StepKind.ANALYSIS, { gates });
  }

  /**
   * Scale the new version independently of its traffic weight (Argo Rollouts with a traffic router).
   * @example Step.canaryScale({ replicas: 2 })
   */
  public static canaryScale(options: CanaryScaleOptions): Step {
    const where = 'Step.canaryScale()';
    const given = [options.replicas !== undefined, options.weight !== undefined, options.matchTrafficWeight === true].filter(Boolean).length;
    if (given !== 1) fail(where, 'options', 'must set exactly one of replicas, weight or matchTrafficWeight: true', options);
    if (options.replicas !== undefined) checkRange(where, 'replicas', options.replicas, 0, 10000);
    if (options.weight !== undefined) checkRange(where, 'weight', options.weight, 0, 100);
    return new Step(StepKind.SET_CANARY_SCALE, { scale: { ...options } });
  }

  /**
   * Send requests matching `match` to the new version, whatever the weights (A/B testing).
   * @example Step.headerRoute({ match: [HeaderMatch.exact('x-canary', 'insider')] })
   */
  public static headerRoute(options: HeaderRouteOptions): Step {
    const where = 'Step.headerRoute()';
    const name = options.name ?? 'header-route';
    checkDnsLabel(where, 'name', name);
    if (!options.match || options.match.length === 0) fail(where, 'match', 'must have at least one HeaderMatch', options.match);
    return new Step(StepKind.HEADER_ROUTE, { routeName: name, match: [...options.match] });
  }

  /**
   * Copy `percent` of the requests that match to the new version (a multiple of 0.1 from 0.1 to
   * 100); their responses are dropped. Only GET, HEAD and OPTIONS requests are copied unless `methods`
   * opts into writes. Argo Rollouts mirrors whole percentages only and refuses a fraction.
   * @example Step.mirror(20, { paths: [PathMatch.prefix('/api')] })
   */
  public static mirror(percent: number, options: MirrorOptions = {}): Step {
    const where = 'Step.mirror()';
    const tenths = checkTenths(where, 'percent', percent, 0.1, 100);
    const name = options.name ?? 'mirror-route';
    checkDnsLabel(where, 'name', name);
    const methods = options.methods ?? [...SAFE_METHODS];
    if (!Array.isArray(methods) || methods.length === 0) fail(where, 'methods', 'must list at least one HttpMethod', methods);
    methods.forEach((m, i) => {
      if (!ALL_METHODS.includes(m)) fail(where, `methods[${i}]`, `must be an HttpMethod (${ALL_METHODS.join(', ')})`, m);
    });
    if (new Set(methods).size !== methods.length) fail(where, 'methods', 'must not repeat a method', methods);
    const paths = options.paths ?? [];
    if (!Array.isArray(paths) || (options.paths !== undefined && (paths.length === 0 || paths.length > 8))) {
      fail(where, 'paths', 'must list 1 to 8 PathMatch when given', options.paths);
    }
    paths.forEach((p, i) => {
      if (!(p instanceof PathMatch)) fail(where, `paths[${i}]`, 'must be a PathMatch (PathMatch.exact() or PathMatch.prefix())', p);
    });
    if (new Set(paths.map(String)).size !== paths.length) fail(where, 'paths', 'must not repeat a path', paths);
    return new Step(StepKind.MIRROR, {
      weight: tenths,
      routeName: name,
      match: [...(options.match ?? [])],
      methods: ALL_METHODS.filter((m) => methods.includes(m)),
      paths: [...paths],
    });
  }

  /**
   * Stop copying requests to the new version: removes the mirror route `Step.mirror` added (a MIRROR
   * step with weight 0). The new version's pods stay isolated until promotion all the same.
   * @example Step.stopMirror()
   */
  public static stopMirror(options: StopMirrorOptions = {}): Step {
    const name = options.name ?? 'mirror-route';
    checkDnsLabel('Step.stopMirror()', 'name', name);
    return new Step(StepKind.MIRROR, { weight: 0, routeName: name });
  }

  /** What the step does. */
  public readonly kind: StepKind;
  /**
   * Traffic percentage: the weight of a SET_WEIGHT step, the mirrored share of a MIRROR step (0 when
   * the step removes its mirror route).
   * @default - not a SET_WEIGHT or MIRROR step
   */
  public readonly weight?: number;
  /**
   * Whether a SET_WEIGHT step may lower the weight.
   * @default false
   */
  public readonly allowDecrease?: boolean;
  /**
   * How long a BAKE step waits.
   * @default - not a BAKE step
   */
  public readonly duration?: Interval;
  /**
   * Route name of a HEADER_ROUTE or MIRROR step.
   * @default - not a HEADER_ROUTE or MIRROR step
   */
  public readonly routeName?: string;
  /**
   * Scale of a SET_CANARY_SCALE step.
   * @default - not a SET_CANARY_SCALE step
   */
  public readonly scale?: CanaryScaleOptions;
  private readonly _gates: Gate[];
  private readonly _match: HeaderMatch[];
  private readonly _methods: HttpMethod[];
  private readonly _paths: PathMatch[];

  private constructor(kind: StepKind, data: StepData) {
    this.kind = kind;
    this.weight = data.weight;
    this.allowDecrease = data.allowDecrease;
    this.duration = data.duration;
    this.routeName = data.routeName;
    this.scale = data.scale;
    this._gates = data.gates ?? [];
    this._match = data.match ?? [];
    this._methods = data.methods ?? [];
    this._paths = data.paths ?? [];
  }

  /** Methods a MIRROR step copies, in route order; empty for other steps and for a step that stops mirroring (a copy). */
  public get methods(): HttpMethod[] {
    return [...this._methods];
  }

  /** Paths a MIRROR step copies; empty means every path (a copy). */
  public get paths(): PathMatch[] {
    return [...this._paths];
  }

  /** Gates an ANALYSIS step runs (a copy). */
  public get gates(): Gate[] {
    return [...this._gates];
  }

  /** Header matches of a HEADER_ROUTE or MIRROR step (a copy). */
  public get match(): HeaderMatch[] {
    return [...this._match];
  }

  /** A short description such as `setWeight(25)` or `bake(10m)`, used in error messages. */
  public toString(): string {
    switch (this.kind) {
      case StepKind.SET_WEIGHT: return `setWeight(${this.weight})`;
      case StepKind.BAKE: return `bake(${this.duration})`;
      case StepKind.PAUSE: return 'pause()';
      case StepKind.ANALYSIS: return `analysis(${this._gates.map((g) => g.name).join(', ')})`;
      case StepKind.SET_CANARY_SCALE: return `canaryScale(${JSON.stringify(this.scale)})`;
      case StepKind.HEADER_ROUTE: return `headerRoute(${this._match.map(String).join(', ')})`;
      case StepKind.MIRROR: return this.weight === 0 ? `stopMirror(${this.routeName})` : `mirror(${this.weight})`;
    }
  }
}

interface StepData {
  readonly weight?: number;
  readonly allowDecrease?: boolean;
  readonly duration?: Interval;
  readonly gates?: Gate[];
  readonly routeName?: string;
  readonly match?: HeaderMatch[];
  readonly methods?: HttpMethod[];
  readonly paths?: PathMatch[];
  readonly scale?: CanaryScaleOptions;
}
