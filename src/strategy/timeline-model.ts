/**
 * The arithmetic behind `ReleaseTimeline`, over plain data so that both a `RolloutPlan` and a plan read
 * back from synthesized output (the `timeline` command) can be laid out. Not exported from the package.
 *
 * Model (every assumption is repeated in the docstrings of `ReleaseTimeline`):
 *  - Steps run one after another. Setting a weight, routing headers, mirroring and scaling take no time.
 *    A bake takes its duration. A manual pause takes an unknown, unbounded time.
 *  - An analysis step runs its gates in parallel and ends when the slowest has taken all its
 *    measurements: the first after `initialDelay`, then one every `interval`, so a gate takes
 *    `initialDelay + (count - 1) × interval`.
 *  - Background gates start with step `backgroundStartStep` and measure every `interval` (after
 *    `initialDelay`) until the last step ends.
 *  - A fault that starts at time t makes every measurement taken strictly after t fail. A gate aborts
 *    the release at its (failureLimit + 1)-th failed measurement, plus the engine's reaction delay;
 *    traffic is back on the stable version the engine's restore time later.
 */
import { StepKind } from './step';
import { TimelineActivity as Activity } from './timeline-activity';
import { fail } from '../private/validate';

/** The worst case tries a fault at every measurement; beyond this many the timeline is refused. */
const MAX_MEASUREMENTS = 100_000;

/** Timing of one gate, in seconds. */
export interface GateTiming {
  readonly name: string;
  readonly intervalSeconds: number;
  /** Measurements an analysis step takes; undefined: measures until the release ends or fails. */
  readonly count?: number;
  readonly failureLimit: number;
  readonly initialDelaySeconds: number;
}

/** One step, as the timeline sees it. */
export interface ScheduleStep {
  readonly kind: StepKind;
  /** SET_WEIGHT: the weight; MIRROR: the mirrored percentage. */
  readonly weight?: number;
  /** BAKE: the duration. */
  readonly durationSeconds?: number;
  /** ANALYSIS: the gates. */
  readonly gates?: GateTiming[];
  /** How the step is shown, e.g. `setWeight(5)`. */
  readonly label: string;
  /** Share of the declared pods serving during the step (100 unless pods are down: a rolling update's maxUnavailable, a recreate). */
  readonly capacityPercent?: number;
}

/** A plan, as the timeline sees it. */
export interface Schedule {
  readonly steps: ScheduleStep[];
  readonly backgroundGates: GateTiming[];
  readonly backgroundStartStep: number;
}

/** How an engine turns a failed gate into stable traffic. */
export interface AbortModel {
  /** Whether the engine aborts by itself when a gate fails. */
  readonly automatic: boolean;
  /** Extra delay after the deciding measurement, as a multiple of the gate's interval (Flagger: 1). */
  readonly reactionIntervals: number;
  /** Seconds from the abort until all traffic is on the stable version. */
  readonly restoreSeconds: number;
}

/** A laid-out segment. Times are "known" seconds: manual pauses count as zero. */
export interface LaidSegment {
  readonly step: number;
  readonly activity: Activity;
  readonly label: string;
  readonly startSeconds: number;
  /** undefined when the segment itself is unbounded (a manual pause, an analysis without a count). */
  readonly durationSeconds?: number;
  readonly pausesBefore: number;
  readonly weight: number;
  readonly mirrorPercent: number;
  readonly headerRouted: boolean;
  readonly stepGates: string[];
  readonly backgroundGates: string[];
  /** Share of the declared pods serving during the segment. */
  readonly capacityPercent: number;
  /** Model time (pauses stretched to a finite length), for the exposure arithmetic and the chart. */
  readonly modelStart: number;
  readonly modelEnd: number;
}

/** What a fault starting at one moment costs. */
export interface Exposure {
  readonly faultStep: number;
  readonly faultAtSeconds: number;
  readonly faultPausesBefore: number;
  /** Whether the fault starts inside a step of unknown length (then faultAtSeconds includes time spent in it). */
  readonly faultInUnboundedStep: boolean;
  readonly caught: boolean;
  readonly bounded: boolean;
  readonly detectedBy?: string;
  readonly abortAfterSeconds?: number;
  readonly restoredAfterSeconds?: number;
  /** Model time of the abort, for the chart. */
  readonly abortAtModel?: number;
  readonly peakWeight: number;
  readonly trafficSeconds?: number;
}

/** The whole layout. */
export interface Layout {
  readonly segments: LaidSegment[];
  /** Steps of unknown length: manual pauses, and analysis steps whose gates have no count. */
  readonly unboundedSteps: number;
  readonly minimumDurationSeconds: number;
  readonly unbounded: boolean;
  readonly fullTrafficAtSeconds: number;
  readonly pausesBeforeFullTraffic: number;
  readonly brokenFromStart: Exposure;
  readonly worstCase: Exposure;
  /** Model time at which the last step ends. */
  readonly modelEnd: number;
}

interface Run {
  readonly gate: GateTiming;
  readonly first: number;
  /** Model time of the last measurement (Infinity never happens: background runs stop at the end). */
  readonly last: number;
}

/** Time a gate needs to complete as an analysis step; undefined when it has no count. */
export function gateStepSeconds(g: GateTiming): number | undefined {
  return g.count === undefined ? undefined : g.initialDelaySeconds + (g.count - 1) * g.intervalSeconds;
}

/** Worst-case time from a fault to the abort for one gate that keeps measuring. */
export function detectionSeconds(g: GateTiming, abort: AbortModel): number {
  return (g.failureLimit + 1 + abort.reactionIntervals) * g.intervalSeconds;
}

/** Lays a schedule out in time and computes its exposures. */
export function layOut(where: string, schedule: Schedule, abort: AbortModel): Layout {
  const allGates = [...schedule.backgroundGates, ...schedule.steps.flatMap((s) => s.gates ?? [])];
  // A manual pause is unbounded; the arithmetic stretches it to a length in which every gate can
  // take enough measurements to abort, so "aborted during the pause" and "never aborted" both show.
  const longest = Math.max(60, ...allGates.map((g) => g.initialDelaySeconds + detectionSeconds(g, abort)));
  const pauseModel = 4 * longest;

  const segments: LaidSegment[] = [];
  const runs: Run[] = [];
  let known = 0;
  let model = 0;
  let pauses = 0;
  let weight = 0;
  let mirror = 0;
  let header = false;
  let fullAt: { known: number; pauses: number } | undefined;
  let unbounded = false;
  const backgroundStarts: number[] = [];

  schedule.steps.forEach((step, i) => {
    if (i === schedule.backgroundStartStep) backgroundStarts.push(model);
    let activity: Activity;
    let duration: number | undefined = 0;
    let stepGates: string[] = [];
    switch (step.kind) {
      case StepKind.SET_WEIGHT:
        activity = Activity.SET_WEIGHT;
        weight = step.weight!;
        break;
      case StepKind.BAKE:
        activity = Activity.BAKE;
        duration = step.durationSeconds!;
        break;
      case StepKind.PAUSE:
        activity = Activity.PAUSE;
        duration = undefined;
        break;
      case StepKind.ANALYSIS: {
        activity = Activity.ANALYSIS;
        const gates = step.gates ?? [];
        stepGates = gates.map((g) => g.name);
        const lengths = gates.map(gateStepSeconds);
        duration = lengths.some((l) => l === undefined) ? undefined : Math.max(0, ...(lengths as number[]));
        break;
      }
      case StepKind.SET_CANARY_SCALE:
        activity = Activity.CANARY_SCALE;
        break;
      case StepKind.HEADER_ROUTE:
        activity = Activity.HEADER_ROUTE;
        header = true;
        break;
      case StepKind.MIRROR:
        activity = Activity.MIRROR;
        mirror = step.weight ?? 0;
        break;
    }
    const modelLength = duration ?? pauseModel;
    if (step.kind === StepKind.ANALYSIS) {
      for (const g of step.gates ?? []) {
        const first = model + g.initialDelaySeconds;
        const last = g.count === undefined ? Number.POSITIVE_INFINITY : first + (g.count - 1) * g.intervalSeconds;
        runs.push({ gate: g, first, last });
      }
    }
    segments.push({
      step: i,
      activity: activity!,
      label: step.label,
      startSeconds: known,
      durationSeconds: duration,
      pausesBefore: pauses,
      weight,
      mirrorPercent: mirror,
      headerRouted: header,
      stepGates,
      backgroundGates: [],
      capacityPercent: step.capacityPercent ?? 100,
      modelStart: model,
      modelEnd: model + modelLength,
    });
    if (weight >= 100 && fullAt === undefined) fullAt = { known, pauses };
    if (duration === undefined) {
      unbounded = true;
      pauses++;
    } else {
      known += duration;
    }
    model += modelLength;
  });
  const modelEnd = model;

  // Runs without a count measure until the release ends.
  for (let i = 0; i < runs.length; i++) {
    const r = runs[i];
    if (r.last === Number.POSITIVE_INFINITY) runs[i] = { ...r, last: lastMeasurementBefore(r.first, r.gate.intervalSeconds, modelEnd) };
  }
  const backgroundStart = backgroundStarts[0] ?? modelEnd;
  for (const g of schedule.backgroundGates) {
    const first = backgroundStart + g.initialDelaySeconds;
    runs.push({ gate: g, first, last: lastMeasurementBefore(first, g.intervalSeconds, modelEnd) });
  }
  const laid = segments.map((s) => ({
    ...s,
    backgroundGates: schedule.backgroundGates.length > 0 && s.step >= schedule.backgroundStartStep ? schedule.backgroundGates.map((g) => g.name) : [],
  }));
  if (weight < 100) {
    laid.push({
      step: schedule.steps.length,
      activity: Activity.PROMOTE,
      label: 'promote',
      startSeconds: known,
      durationSeconds: 0,
      pausesBefore: pauses,
      weight: 100,
      mirrorPercent: 0,
      headerRouted: false,
      stepGates: [],
      backgroundGates: [],
      capacityPercent: 100,
      modelStart: modelEnd,
      modelEnd,
    });
    fullAt = fullAt ?? { known, pauses };
  }

  const exposureCalc = new ExposureCalculator(laid, abort.automatic ? runs : [], abort, modelEnd);
  const measurements = exposureCalc.measurements();
  if (measurements > MAX_MEASUREMENTS) {
    fail(where, 'plan', `must take at most ${MAX_MEASUREMENTS} gate measurements for the timeline to try every fault time (a gate measuring every minute for 69 days takes 100000)`, measurements);
  }
  const brokenFromStart = exposureCalc.at(0);
  let worst = brokenFromStart;
  for (const t of exposureCalc.candidates()) {
    const e = exposureCalc.at(t);
    if (worse(e, worst)) worst = e;
  }

  return {
    segments: laid,
    unboundedSteps: pauses,
    minimumDurationSeconds: known,
    unbounded,
    fullTrafficAtSeconds: fullAt!.known,
    pausesBeforeFullTraffic: fullAt!.pauses,
    brokenFromStart,
    worstCase: worst,
    modelEnd,
  };
}

function lastMeasurementBefore(first: number, interval: number, end: number): number {
  if (first > end) return Number.NEGATIVE_INFINITY;
  return first + Math.floor((end - first) / interval) * interval;
}

/** Unbounded beats bounded (the earlier fault wins among unbounded ones); then more traffic-seconds. */
function worse(a: Exposure, b: Exposure): boolean {
  if (!a.bounded || !b.bounded) {
    if (a.bounded) return false;
    if (b.bounded) return true;
    return false; // both unbounded: keep the earlier fault, which was found first
  }
  return a.trafficSeconds! > b.trafficSeconds! + 1e-9;
}

class ExposureCalculator {
  constructor(
    private readonly segments: LaidSegment[],
    private readonly runs: Run[],
    private readonly abort: AbortModel,
    private readonly end: number) {}

  /** How many measurements the runs take, i.e. how many fault times `candidates()` tries. */
  public measurements(): number {
    const count = (r: Run) => (r.last < r.first ? 0 : Math.floor((Math.min(r.last, this.end) - r.first) / r.gate.intervalSeconds) + 1);
    return this.runs.reduce((sum, r) => sum + count(r), 0);
  }

  /** Fault times where the worst case can occur: 0 and every measurement (the abort time jumps there). */
  public candidates(): number[] {
    const out = new Set<number>([0]);
    for (const r of this.runs) {
      const i = r.gate.intervalSeconds;
      for (let m = r.first; m <= r.last && m < this.end; m += i) out.add(m);
    }
    for (const s of this.segments) if (s.modelStart < this.end) out.add(s.modelStart);
    return [...out].sort((a, b) => a - b);
  }

  /** The exposure of a fault that starts at model time `t`. */
  public at(t: number): Exposure {
    // The deciding measurement: from then on the release no longer advances (the analysis failed,
    // Flagger stops stepping on failed checks), though the engine may need a moment to abort.
    let decidedAt = Number.POSITIVE_INFINITY;
    let abortAt = Number.POSITIVE_INFINITY;
    let detectedBy: string | undefined;
    for (const r of this.runs) {
      const i = r.gate.intervalSeconds;
      const k0 = t < r.first ? 0 : Math.floor((t - r.first) / i) + 1;
      const decisive = r.first + (k0 + r.gate.failureLimit) * i;
      if (decisive > r.last) continue;
      const at = decisive + this.abort.reactionIntervals * i;
      if (at < abortAt) {
        abortAt = at;
        decidedAt = decisive;
        detectedBy = r.gate.name;
      }
    }
    const seg = this.segmentAt(t);
    const base = {
      faultStep: seg.step,
      faultInUnboundedStep: seg.durationSeconds === undefined,
      faultAtSeconds: this.knownTime(t),
      faultPausesBefore: seg.pausesBefore,
    };
    if (abortAt === Number.POSITIVE_INFINITY) {
      return { ...base, caught: false, bounded: false, peakWeight: 100 };
    }
    const restoredAt = abortAt + this.abort.restoreSeconds;
    const frozen = this.weightBefore(decidedAt);
    const inWindow = this.segments.filter((x) => x.modelEnd > x.modelStart && x.modelEnd > t && x.modelStart < decidedAt);
    const peak = Math.max(0, frozen, ...inWindow.map((x) => x.weight));
    // Unbounded when a step of unknown length with traffic on the new version lies wholly inside the
    // window: nothing aborts during it, and it may last any time.
    const unboundedInside = inWindow.some((x) => x.durationSeconds === undefined && x.weight > 0
      && x.modelStart >= t && x.modelEnd <= restoredAt);
    if (unboundedInside) {
      return { ...base, caught: true, bounded: false, detectedBy, peakWeight: peak };
    }
    return {
      ...base,
      caught: true,
      bounded: true,
      detectedBy,
      abortAfterSeconds: this.knownTime(abortAt) - this.knownTime(t),
      restoredAfterSeconds: this.knownTime(restoredAt) - this.knownTime(t),
      abortAtModel: abortAt,
      peakWeight: peak,
      trafficSeconds: this.integral(t, decidedAt) + (restoredAt - decidedAt) * frozen / 100,
    };
  }

  /** ∫ weight/100 dt over [from, to) in model time; after the last step the weight is 100. */
  private integral(from: number, to: number): number {
    let sum = 0;
    for (const s of this.segments) {
      const a = Math.max(from, s.modelStart);
      const b = Math.min(to, s.modelEnd);
      if (b > a) sum += (b - a) * s.weight / 100;
    }
    if (to > this.end) sum += (to - Math.max(from, this.end));
    return sum;
  }

  /** The weight just before model time `t` (the weight at 0 for t = 0). */
  private weightBefore(t: number): number {
    const timed = this.segments.filter((s) => s.modelEnd > s.modelStart);
    const s = timed.find((x) => x.modelStart < t && t <= x.modelEnd) ?? timed.find((x) => x.modelStart <= t && t < x.modelEnd);
    return s ? s.weight : 100;
  }

  private segmentAt(t: number): LaidSegment {
    const timed = this.segments.filter((s) => s.modelEnd > s.modelStart);
    return timed.find((s) => s.modelStart <= t && t < s.modelEnd)
      ?? this.segments.filter((s) => s.modelStart <= t).pop() ?? this.segments[0];
  }

  /**
   * Model time to known time: a step of unknown length that was passed whole counts as zero; time
   * spent inside one so far counts as it is.
   */
  private knownTime(t: number): number {
    if (t >= this.end) {
      const last = this.segments[this.segments.length - 1];
      return last.startSeconds + (last.durationSeconds ?? 0) + (t - this.end);
    }
    const s = this.segmentAt(t);
    return s.startSeconds + (t - s.modelStart);
  }
}

/** One wave as the fleet model sees it: plain data, so output read back from files can be laid out too. */
export interface FleetWaveInput {
  readonly name: string;
  readonly targets: string[];
  readonly targetsAtOnce: number;
  readonly manualHold: boolean;
  /** One target's update, known part (Argo CD: with the wave's hold inside). */
  readonly targetSeconds: number;
  /** Manual pauses inside one target's update. */
  readonly targetManualWaits: number;
  readonly bakeSeconds: number;
  readonly gates: GateTiming[];
  /**
   * Seconds from a target's start until its own release aborts a version broken from the start (its
   * gates, and on Argo CD the wave's gates at its end).
   * @default - the target's release cannot abort it
   */
  readonly targetAbortSeconds?: number;
  /**
   * The gate that aborts the target's release first.
   * @default - the target's release cannot abort it
   */
  readonly targetAbortGate?: string;
}
