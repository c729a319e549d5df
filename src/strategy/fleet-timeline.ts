import { FleetEngine } from './fleet-engine';
import { FleetTarget } from './fleet-target';
import { Interval } from './interval';
import { RolloutPlan } from './rollout-plan';
import { FleetWaveInput } from './timeline-model';
import { formatSeconds, renderFleetSvg } from './timeline-svg';

/** Options for `ReleaseTimeline.ofFleet`. */
export interface FleetTimelineOptions {
  /** The fleet the plan releases to. */
  readonly targets: FleetTarget[];
  /** The engine that runs the plan. */
  readonly engine: FleetEngine;
  /**
   * The release each target runs, before its wave's hold (Argo CD: `WavePlan.releasePlan()` adds the
   * hold; its timeline gives the time a cluster takes).
   * @default - no release steps: a target takes `targetUpdateTime`, plus its wave's hold on Argo CD
   */
  readonly releasePlan?: RolloutPlan;
  /**
   * Time a target's update takes apart from `releasePlan`'s steps: a stack update, pods becoming ready.
   * @default Interval.seconds(0)
   */
  readonly targetUpdateTime?: Interval;
  /**
   * Title of the table and the chart.
   * @default - the plan's own description
   */
  readonly title?: string;
}

/** One wave of a `FleetTimeline`. */
export interface FleetWaveTiming {
  /** Name of the wave. */
  readonly wave: string;
  /** Its targets. */
  readonly targets: string[];
  /** Targets updated at once (0: a person starts each). */
  readonly targetsAtOnce: number;
  /** Batches the targets update in, one after another. */
  readonly batches: number;
  /** When the wave starts, in seconds from the start of the release, not counting manual waits before it. */
  readonly startSeconds: number;
  /** Manual waits (approvals, manual syncs, manual pauses) before the wave starts. */
  readonly manualWaitsBefore: number;
  /**
   * How long the wave takes.
   * @default - unknown: the wave waits for a person
   */
  readonly durationSeconds?: number;
  /** Seconds one target's update takes (known part); on Argo CD it includes the wave's bake and gates. */
  readonly targetSeconds: number;
  /** The wave's bake. */
  readonly bakeSeconds: number;
  /** The wave's gates. */
  readonly gates: string[];
  /** Percentage of the fleet on the new version once the wave is done. */
  readonly fleetPercentAfter: number;
}

/** The first abort a version that is broken from the start can trigger. */
export interface FleetAbort {
  /** Whether any wave's gates can stop the release. False: every target gets the new version. */
  readonly caught: boolean;
  /**
   * The wave whose gates stop it first.
   * @default - not caught
   */
  readonly wave?: string;
  /**
   * The gate that fires first.
   * @default - not caught
   */
  readonly gate?: string;
  /**
   * Seconds from the start of the release to that abort, not counting manual waits.
   * @default - not caught
   */
  readonly abortAtSeconds?: number;
  /** Manual waits before that abort. */
  readonly manualWaitsBefore: number;
  /** Targets that received the new version before the abort could trigger. */
  readonly exposedTargets: number;
  /** The same as a percentage of the fleet. */
  readonly exposedPercent: number;
  /** Targets that keep the new version after the abort: the waves before it (nothing rolls them back). */
  readonly keptTargets: number;
}

/**
 * A `WavePlan` laid out in time on one engine: when each wave starts and ends, when the whole fleet runs
 * the new version, and, for a version broken from the start, where the first abort can trigger and how
 * much of the fleet has the new version by then. Made by `ReleaseTimeline.ofFleet()`; definitions in
 * docs/timeline.md ("Fleets").
 */
export class FleetTimeline {
  /**
   * A timeline of plain wave data.
   * @internal
   */
  public static _create(title: string, engine: FleetEngine, waves: FleetWaveInput[]): FleetTimeline {
    return new FleetTimeline(title, engine, waves);
  }

  /** Title of the table and the chart. */
  public readonly title: string;
  /** The engine. */
  public readonly engine: FleetEngine;
  /** Number of targets. */
  public readonly fleetSize: number;
  /** The waves, in order. */
  public readonly waves: FleetWaveTiming[];
  /** Seconds until every target's update is complete, not counting manual waits. */
  public readonly fullFleetAtSeconds: number;
  /** Manual waits before the whole fleet is updated. */
  public readonly manualWaitsBeforeFullFleet: number;
  /** Seconds the release takes, not counting manual waits (CodePipeline: including the last wave's bake). */
  public readonly minimumDurationSeconds: number;
  /**
   * Seconds the release takes.
   * @default - unknown: the plan waits for people
   */
  public readonly totalDurationSeconds?: number;
  /** The first abort a version broken from the start can trigger. */
  public readonly brokenFromStart: FleetAbort;

  private constructor(title: string, engine: FleetEngine, inputs: FleetWaveInput[]) {
    this.title = title;
    this.engine = engine;
    this.fleetSize = inputs.reduce((n, w) => n + w.targets.length, 0);
    const waves: FleetWaveTiming[] = [];
    let known = 0;
    let waits = 0;
    let updated = 0;
    let fullAt = 0;
    let fullWaits = 0;
    let abort: FleetAbort | undefined;
    for (const w of inputs) {
      const n = w.targets.length;
      const manualEach = w.targetsAtOnce === 0;
      const batches = manualEach ? n : Math.ceil(n / w.targetsAtOnce);
      const start = known;
      const startWaits = waits;
      // Manual waits: a hold before the wave (CodePipeline approval), a person per target (count(0)),
      // and manual pauses inside each target's release, once per batch.
      // A manual hold before the wave: an approval (CodePipeline), a person deciding to go on (Argo CD).
      const approval = w.manualHold && !manualEach ? 1 : 0;
      const waveWaits = approval + (manualEach ? n : 0) + batches * w.targetManualWaits;
      const deploySeconds = batches * w.targetSeconds;
      const bake = this.engine === FleetEngine.CODEPIPELINE ? w.bakeSeconds : 0;
      if (abort === undefined) abort = this.abortIn(w, start, startWaits + approval, updated);
      updated += n;
      known += deploySeconds + bake;
      waits += waveWaits;
      fullAt = start + deploySeconds;
      fullWaits = startWaits + waveWaits;
      waves.push({
        wave: w.name,
        targets: [...w.targets],
        targetsAtOnce: w.targetsAtOnce,
        batches,
        startSeconds: start,
        manualWaitsBefore: startWaits,
        durationSeconds: waveWaits > 0 ? undefined : deploySeconds + bake,
        targetSeconds: w.targetSeconds,
        bakeSeconds: w.bakeSeconds,
        gates: w.gates.map((g) => g.name),
        fleetPercentAfter: percent(updated, this.fleetSize),
      });
    }
    this.waves = waves;
    this.fullFleetAtSeconds = fullAt;
    this.manualWaitsBeforeFullFleet = fullWaits;
    this.minimumDurationSeconds = known;
    this.totalDurationSeconds = waits > 0 ? undefined : known;
    const all = this.fleetSize;
    this.brokenFromStart = abort ?? { caught: false, manualWaitsBefore: 0, exposedTargets: all, exposedPercent: 100, keptTargets: all };
  }

  /** The timeline as a Markdown table followed by the summary figures. */
  public toTable(): string {
    const lines = [`### ${this.title}`, '', `${this.fleetSize} targets, ${ENGINE_NAMES[this.engine]}.`, ''];
    lines.push('| Wave | Targets | At once | Starts | Lasts | One target | Bake | Gates | Fleet updated after |');
    lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const w of this.waves) {
      lines.push(`| ${w.wave} | ${w.targets.length} (${w.targets.join(', ')}) | ${w.targetsAtOnce === 0 ? 'a person starts each' : w.targetsAtOnce} | ${atLeast(w.startSeconds, w.manualWaitsBefore)} | ${w.durationSeconds === undefined ? 'unknown (manual)' : formatSeconds(w.durationSeconds)} | ${formatSeconds(w.targetSeconds)} | ${w.bakeSeconds === 0 ? '-' : formatSeconds(w.bakeSeconds)} | ${w.gates.join(', ') || '-'} | ${formatPercent(w.fleetPercentAfter)}% |`);
    }
    lines.push('');
    lines.push(`- Time to full fleet: ${atLeast(this.fullFleetAtSeconds, this.manualWaitsBeforeFullFleet)}`);
    lines.push(`- Time to complete: ${this.totalDurationSeconds === undefined ? `unknown: at least ${formatSeconds(this.minimumDurationSeconds)} plus manual waits` : formatSeconds(this.totalDurationSeconds)}`);
    const a = this.brokenFromStart;
    lines.push(a.caught
      ? `- Broken from the start: gate ${a.gate} of wave '${a.wave}' can stop the release at ${atLeast(a.abortAtSeconds!, a.manualWaitsBefore)}; by then ${a.exposedTargets} of ${this.fleetSize} targets (${formatPercent(a.exposedPercent)}%) have the new version, and ${a.keptTargets} keep it after the abort`
      : `- Broken from the start: no wave's gates can stop it; all ${this.fleetSize} targets get the new version`);
    return lines.join('\n') + '\n';
  }

  /** The timeline as a self-contained SVG chart: share of the fleet updated over time, bakes, and the first abort. */
  public toSvg(): string {
    return renderFleetSvg({
      title: this.title,
      engine: ENGINE_NAMES[this.engine],
      waves: this.waves,
      fullFleetAtSeconds: this.fullFleetAtSeconds,
      totalSeconds: this.minimumDurationSeconds,
      abort: this.brokenFromStart,
      fleetSize: this.fleetSize,
    });
  }

  /**
   * Where a version broken from the start is first stopped, if in this wave: inside the first batch when
   * a target's own release aborts (its gates; on Argo CD also the wave's gates at its end): its failure
   * stops the step or stage, so later batches never start; or, on CodePipeline, by an alarm watched
   * after the whole wave deployed, for the bake only, so the whole wave is exposed and an alarm slower
   * than the bake stops nothing.
   */
  private abortIn(w: FleetWaveInput, start: number, waitsBefore: number, updatedBefore: number): FleetAbort | undefined {
    const n = w.targets.length;
    const manualEach = w.targetsAtOnce === 0;
    const candidates: Array<{ at: number; gate: string; exposed: number; waits: number }> = [];
    if (w.targetAbortSeconds !== undefined) {
      candidates.push({
        at: start + w.targetAbortSeconds,
        gate: w.targetAbortGate ?? '',
        exposed: updatedBefore + (manualEach ? 1 : Math.min(w.targetsAtOnce, n)),
        waits: waitsBefore + (manualEach ? 1 : 0) + w.targetManualWaits,
      });
    }
    if (this.engine === FleetEngine.CODEPIPELINE) {
      // CloudWatch alarms: ALARM after failureLimit + 1 breaching periods, watched for the bake.
      const batches = manualEach ? n : Math.ceil(n / w.targetsAtOnce);
      for (const g of w.gates) {
        const after = (g.failureLimit + 1) * g.intervalSeconds;
        if (after > w.bakeSeconds) continue;
        candidates.push({
          at: start + batches * w.targetSeconds + after,
          gate: g.name,
          exposed: updatedBefore + n,
          waits: waitsBefore + (manualEach ? n : 0) + batches * w.targetManualWaits,
        });
      }
    }
    if (candidates.length === 0) return undefined;
    const first = candidates.reduce((a, b) => (b.at < a.at ? b : a));
    return {
      caught: true,
      wave: w.name,
      gate: first.gate,
      abortAtSeconds: first.at,
      manualWaitsBefore: first.waits,
      exposedTargets: first.exposed,
      exposedPercent: percent(first.exposed, this.fleetSize),
      keptTargets: updatedBefore,
    };
  }
}

const ENGINE_NAMES: { [engine: string]: string } = {
  [FleetEngine.ARGO_CD]: 'Argo CD progressive syncs',
  [FleetEngine.CODEPIPELINE]: 'AWS CodePipeline',
};

function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : (part * 100) / whole;
}

function formatPercent(p: number): string {
  return Number.isInteger(p) ? String(p) : p.toFixed(1);
}

function atLeast(seconds: number, waits: number): string {
  return waits === 0 ? formatSeconds(seconds) : `${formatSeconds(seconds)} + ${waits} manual wait${waits === 1 ? '' : 's'}`;
}
