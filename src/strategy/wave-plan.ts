import { FleetTarget } from './fleet-target';
import { Gate } from './gate';
import { Interval } from './interval';
import { MaxInFlight } from './max-in-flight';
import { RolloutPlan } from './rollout-plan';
import { Step, StepKind } from './step';
import { WaveTargets } from './wave-targets';
import { checkDnsLabel, fail, show } from '../private/validate';

/** One wave of a `WavePlan`. */
export interface WaveOptions {
  /**
   * Name of the wave, unique in the plan: a DNS-1123 label of at most 63 characters. It becomes the
   * wave label of Argo CD Applications and the name of the CodePipeline stage.
   */
  readonly name: string;
  /** Which targets of the fleet the wave releases to. */
  readonly targets: WaveTargets;
  /**
   * How long the new version runs on the wave's targets, with the gates watching, before the next
   * wave starts.
   * @default Interval.seconds(0) - the next wave starts as soon as every target of this one is updated
   */
  readonly bake?: Interval;
  /**
   * Gates that must hold on the wave's targets before the next wave starts; a failed gate stops the
   * plan (later waves never start).
   * @default - no gates
   */
  readonly gates?: Gate[];
  /**
   * How many of the wave's targets are updated at the same time.
   * @default MaxInFlight.all()
   */
  readonly maxInFlight?: MaxInFlight;
  /**
   * The wave waits for a person: an approval before it starts (CodePipeline), or a person syncing each
   * target (Argo CD, with `MaxInFlight.count(0)`).
   * @default false
   */
  readonly manualHold?: boolean;
}

/** One wave of a `WavePlan`, with its defaults resolved. */
export class Wave {
  /**
   * A wave built from `options`, reporting errors at `where` with fields under `field` (`waves[2]`).
   * @internal
   */
  public static _of(where: string, field: string, options: WaveOptions): Wave {
    return new Wave(where, field, options);
  }

  /** Name of the wave. */
  public readonly name: string;
  /** Which targets the wave releases to. */
  public readonly targets: WaveTargets;
  /** Bake time after the wave's targets are updated (zero: none). */
  public readonly bake: Interval;
  /** How many targets are updated at once. */
  public readonly maxInFlight: MaxInFlight;
  /** Whether the wave waits for a person. */
  public readonly manualHold: boolean;
  private readonly _gates: Gate[];

  private constructor(where: string, field: string, options: WaveOptions) {
    checkDnsLabel(where, `${field}.name`, options.name);
    if (!(options.targets instanceof WaveTargets)) fail(where, `${field}.targets`, 'must be WaveTargets.names(), labels(), share() or rest()', options.targets);
    const bake = options.bake ?? Interval.seconds(0);
    if (!(bake instanceof Interval)) fail(where, `${field}.bake`, 'must be an Interval', bake);
    const gates = [...(options.gates ?? [])];
    gates.forEach((g, i) => {
      if (!(g instanceof Gate)) fail(where, `${field}.gates[${i}]`, 'must be a Gate', g);
    });
    const names = new Set<string>();
    for (const g of gates) {
      if (names.has(g.name)) fail(where, `${field}.gates`, 'must not repeat a gate name', g.name);
      names.add(g.name);
    }
    const maxInFlight = options.maxInFlight ?? MaxInFlight.all();
    if (!(maxInFlight instanceof MaxInFlight)) fail(where, `${field}.maxInFlight`, 'must be MaxInFlight.all(), count() or percent()', maxInFlight);
    const manualHold = options.manualHold ?? false;
    if (maxInFlight.targetCount === 0 && !manualHold) {
      fail(where, `${field}.maxInFlight`, 'must let at least one target update at a time; 0 never starts the wave unless it is declared a manual hold (manualHold: true), where a person starts each target', maxInFlight);
    }
    this.name = options.name;
    this.targets = options.targets;
    this.bake = bake;
    this.maxInFlight = maxInFlight;
    this.manualHold = manualHold;
    this._gates = gates;
  }

  /** The wave's gates (a copy). */
  public get gates(): Gate[] {
    return [...this._gates];
  }

  /** Whether the next wave has to wait for this one's bake or gates. */
  public holdsNextWave(): boolean {
    return !this.bake.isZero() || this._gates.length > 0;
  }

  /**
   * A short description such as `canary: names(prod-eu-1), bake 30m, gates error-rate, maxInFlight all()`.
   */
  public toString(): string {
    return [
      `${this.name}: ${this.targets}`,
      this.bake.isZero() ? undefined : `bake ${this.bake}`,
      this._gates.length === 0 ? undefined : `gates ${this._gates.map((g) => g.name).join(', ')}`,
      `maxInFlight ${this.maxInFlight}`,
      this.manualHold ? 'manual hold' : undefined,
    ].filter((p) => p !== undefined).join(', ');
  }

  /**
   * What a target's own release lacks to hold this wave's bake and gates, or `undefined` when it holds
   * them: after the plan's last `setWeight(100)`, bakes adding up to at least `bake` and an analysis step
   * running each gate.
   * @internal
   */
  public _holdMissingFrom(plan: RolloutPlan): string | undefined {
    if (!this.holdsNextWave()) return undefined;
    const steps = plan.sequence;
    let last = -1;
    steps.forEach((s, i) => {
      if (s.kind === StepKind.SET_WEIGHT && s.weight === 100) last = i;
    });
    const tail = last < 0 ? [] : steps.slice(last + 1);
    const baked = tail.filter((s) => s.kind === StepKind.BAKE).reduce((sum, s) => sum + s.duration!.toSeconds(), 0);
    const analysed = tail.filter((s) => s.kind === StepKind.ANALYSIS).flatMap((s) => s.gates);
    const missing: string[] = [];
    if (last < 0) missing.push('a setWeight(100) step');
    if (baked < this.bake.toSeconds()) missing.push(`bakes of at least ${this.bake} after it (has ${Interval.seconds(baked)})`);
    const absent = this._gates.filter((g) => !analysed.some((a) => a.sameAs(g)));
    if (absent.length > 0) missing.push(`an analysis step running ${absent.map((g) => g.name).join(', ')} after it`);
    return missing.length === 0 ? undefined : missing.join(', ');
  }
}

/** A wave with the targets it releases to. */
export interface AssignedWave {
  /** The wave. */
  readonly wave: Wave;
  /** Its targets, in the order the fleet lists them. */
  readonly targets: FleetTarget[];
  /** How many of them are updated at once (0: a person starts each). */
  readonly targetsAtOnce: number;
}

/**
 * A release across many clusters or regions in waves: one canary cluster or region, bake, a share of
 * the fleet, bake, then the rest. Each wave selects its targets, bakes, runs gates and caps how many
 * targets update at once; a failed wave stops the later ones.
 *
 * The plan is resolved against a fleet at synth time (`assign()`) and rendered by engines that run
 * fleets: `ArgoCdApplicationSet` (Argo CD progressive syncs) and `CodePipelineWaves` (CodePipeline
 * stages with stage conditions). `ReleaseTimeline.ofFleet()` lays it out in time.
 */
export class WavePlan {
  /**
   * Waves in order.
   * @example WavePlan.of([{ name: 'canary', targets: WaveTargets.names('prod-eu-1'), bake: Interval.minutes(30) }, { name: 'rest', targets: WaveTargets.rest() }])
   */
  public static of(waves: WaveOptions[]): WavePlan {
    return new WavePlan(waves);
  }

  private readonly _waves: Wave[];

  private constructor(waves: WaveOptions[]) {
    const where = 'WavePlan.of()';
    if (!Array.isArray(waves) || waves.length === 0) fail(where, 'waves', 'must have at least one wave', waves);
    const built = waves.map((w, i) => Wave._of(where, `waves[${i}]`, w ?? ({} as WaveOptions)));
    const seen = new Set<string>();
    built.forEach((w, i) => {
      if (seen.has(w.name)) fail(where, `waves[${i}].name`, 'must not repeat a wave name', w.name);
      seen.add(w.name);
      if (w.targets.isRest() && i !== built.length - 1) {
        fail(where, `waves[${i}].targets`, 'only the last wave can take the rest of the fleet', String(w.targets));
      }
    });
    this._waves = built;
  }

  /** The waves, in order (a copy). */
  public get waves(): Wave[] {
    return [...this._waves];
  }

  /** The wave named `name`. */
  public wave(name: string): Wave {
    const w = this._waves.find((x) => x.name === name);
    if (w === undefined) fail('WavePlan.wave()', 'name', `must be one of the plan's waves (${this._waves.map((x) => x.name).join(', ')})`, name);
    return w;
  }

  /**
   * Resolves the waves against `fleet`: the targets of each wave, in fleet order.
   *
   * Refused: an empty fleet, repeated target names, a name no target has, a target selected by two
   * waves, a wave that selects no target, a share larger than what is left, and targets no wave
   * covers (give the last wave `WaveTargets.rest()` to cover them).
   */
  public assign(fleet: FleetTarget[]): AssignedWave[] {
    return this._assign('WavePlan.assign()', 'fleet', fleet);
  }

  /**
   * `assign()` reporting errors at `where`, with the fleet in `field`.
   * @internal
   */
  public _assign(where: string, field: string, fleet: FleetTarget[]): AssignedWave[] {
    if (!Array.isArray(fleet) || fleet.length === 0) fail(where, field, 'must have at least one target', fleet);
    const names = new Set<string>();
    fleet.forEach((t, i) => {
      checkDnsLabel(where, `${field}[${i}].name`, t?.name);
      if (names.has(t.name)) fail(where, `${field}[${i}].name`, 'must not repeat a target name', t.name);
      names.add(t.name);
    });
    const owner = new Map<string, string>();
    const chosen: FleetTarget[][] = this._waves.map(() => []);
    const take = (i: number, targets: FleetTarget[]) => {
      for (const t of targets) {
        const other = owner.get(t.name);
        if (other !== undefined) {
          fail(where, `waves[${i}].targets`, `selects '${t.name}', which wave '${other}' already releases; a target belongs to one wave`, String(this._waves[i].targets));
        }
        owner.set(t.name, this._waves[i].name);
      }
      chosen[i] = targets;
    };
    // Names and labels first: they do not depend on the other waves.
    this._waves.forEach((w, i) => {
      const explicit = w.targets._explicit(fleet);
      if (explicit === undefined) return;
      if (explicit.unknown.length > 0) {
        fail(where, `waves[${i}].targets`, `names targets the fleet does not have (${explicit.unknown.map(show).join(', ')}); the fleet has ${fleet.map((t) => t.name).join(', ')}`, String(w.targets));
      }
      take(i, explicit.selected);
    });
    // Then shares, in wave order, from the targets nobody took, in fleet order; then the rest.
    this._waves.forEach((w, i) => {
      const count = w.targets._shareOf(fleet.length);
      const free = fleet.filter((t) => !owner.has(t.name));
      if (count !== undefined) {
        if (count > free.length) {
          fail(where, `waves[${i}].targets`, `is ${count} of ${fleet.length} targets (shares round up) but only ${free.length} are left after the other waves`, String(w.targets));
        }
        take(i, free.slice(0, count));
      } else if (w.targets.isRest()) {
        take(i, free);
      }
    });
    this._waves.forEach((w, i) => {
      if (chosen[i].length === 0) fail(where, `waves[${i}].targets`, 'selects no target of the fleet; every wave needs at least one', String(w.targets));
    });
    const uncovered = fleet.filter((t) => !owner.has(t.name));
    if (uncovered.length > 0) {
      fail(where, field, `must have every target in a wave, but the waves cover ${owner.size} of ${fleet.length} targets (name the others in a wave, or give the last wave WaveTargets.rest()); left out`,
        uncovered.map((t) => t.name));
    }
    return this._waves.map((wave, i) => {
      const targets = fleet.filter((t) => chosen[i].includes(t));
      return { wave, targets, targetsAtOnce: wave.maxInFlight.targetsAtOnce(targets.length) };
    });
  }

  /**
   * `plan` followed by what holds the wave named `wave` inside each target's own release: all traffic
   * on the new version (`setWeight(100)` unless the plan already ends there), then the wave's bake, then
   * an analysis step running the wave's gates. Engines that cannot wait between waves (Argo CD's
   * RollingSync advances when every Application is Healthy) need the wave's bake and gates there: a
   * Rollout that is paused or analysing keeps its Application Progressing. A wave with neither bake nor
   * gates returns `plan` unchanged.
   * @example waves.releasePlan('canary', RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) }))
   */
  public releasePlan(wave: string, plan: RolloutPlan): RolloutPlan {
    const w = this.wave(wave);
    if (!(plan instanceof RolloutPlan)) fail('WavePlan.releasePlan()', 'plan', 'must be a RolloutPlan', plan);
    if (!w.holdsNextWave()) return plan;
    const weights = plan.weights();
    const tail: Step[] = [];
    if (weights[weights.length - 1] !== 100) tail.push(Step.setWeight(100));
    if (!w.bake.isZero()) tail.push(Step.bake(w.bake));
    if (w.gates.length > 0) tail.push(Step.analysis(...w.gates));
    const background = plan.backgroundGates;
    return RolloutPlan.steps([...plan.sequence, ...tail], {
      backgroundGates: background,
      backgroundStartStep: background.length > 0 ? plan.backgroundStartStep : undefined,
    });
  }

  /** One line per wave, e.g. `canary: names(prod-eu-1), bake 30m, maxInFlight all()`. */
  public toString(): string {
    return this._waves.map(String).join('; ');
  }
}
