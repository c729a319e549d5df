import { FleetEngine } from './fleet-engine';
import { FleetTimeline, FleetTimelineOptions } from './fleet-timeline';
import { Gate } from './gate';
import { Interval } from './interval';
import { checkFenceposts } from './rolling-update';
import { RolloutPlan } from './rollout-plan';
import { Step, StepKind } from './step';
import { TimelineActivity } from './timeline-activity';
import { defaultEngines, TimelineEngine } from './timeline-engine';
import { detectionSeconds, Exposure, FleetWaveInput, GateTiming, LaidSegment, layOut, Layout, Schedule, ScheduleStep } from './timeline-model';
import { formatSeconds, renderSvg } from './timeline-svg';
import { WavePlan } from './wave-plan';
import { checkRange, fail } from '../private/validate';

/** Options for `ReleaseTimeline.of`. */
export interface ReleaseTimelineOptions {
  /**
   * The engine whose abort behaviour the exposures assume.
   * @default TimelineEngine.argoRollouts()
   */
  readonly engine?: TimelineEngine;
  /**
   * Engines compared in `rollbacks` (time to roll back per engine).
   * @default - Argo Rollouts, Flagger, Amazon ECS, AWS CodeDeploy and Kubernetes blue/green, each with its defaults except `engine`, which keeps its own options
   */
  readonly compareEngines?: TimelineEngine[];
  /**
   * Title of the table and the chart.
   * @default - the plan's own description, e.g. `setWeight(5), bake(5m), ...`
   */
  readonly title?: string;
}

/** Options for `ReleaseTimeline.rollingUpdate`. */
export interface RollingUpdateTimelineOptions {
  /** Pods of the workload, from 1. */
  readonly replicas: number;
  /** Time a new pod needs from creation until it is ready (image pull, start, readiness probe). */
  readonly podStartup: Interval;
  /**
   * Extra pods the update may create: a whole number (`'1'`) or a percentage of `replicas` (rounded up).
   * @default '25%'
   */
  readonly maxSurge?: string;
  /**
   * Pods that may be down: a whole number or a percentage of `replicas` (rounded down).
   * @default '0'
   */
  readonly maxUnavailable?: string;
  /**
   * Time a ready pod must stay ready before it counts as available (`minReadySeconds`).
   * @default Interval.seconds(0)
   */
  readonly minReady?: Interval;
  /**
   * Title of the table and the chart.
   * @default - 'rolling update of <replicas> pods'
   */
  readonly title?: string;
}

/** Options for `ReleaseTimeline.recreate`. */
export interface RecreateTimelineOptions {
  /** Time the old pods take to stop once they are told to (at worst their termination grace period). */
  readonly podShutdown: Interval;
  /** Time a new pod needs from creation until it is ready (image pull, start, readiness probe). */
  readonly podStartup: Interval;
  /**
   * Title of the table and the chart.
   * @default 'recreate'
   */
  readonly title?: string;
}

/** One segment of a `ReleaseTimeline`: one step of the plan, laid out in time. */
export interface TimelineSegment {
  /** Index of the step in the plan (the final promotion has the index after the last step). */
  readonly step: number;
  /** What happens. */
  readonly activity: TimelineActivity;
  /** The step as the plan describes it, e.g. `bake(5m)`. */
  readonly label: string;
  /**
   * When the segment starts, in seconds from the start of the release, not counting steps of unknown
   * length before it (see `unboundedStepsBefore`).
   */
  readonly startSeconds: number;
  /**
   * How long the segment lasts.
   * @default - unknown: a manual pause, or an analysis whose gates have no count
   */
  readonly durationSeconds?: number;
  /** Steps of unknown length before this one; `startSeconds` is "at least" when this is not 0. */
  readonly unboundedStepsBefore: number;
  /** Percentage of traffic on the new version during the segment. */
  readonly weight: number;
  /** Percentage of traffic copied to the new version (responses dropped). */
  readonly mirrorPercent: number;
  /** Whether requests matching headers go to the new version, whatever the weight. */
  readonly headerRouted: boolean;
  /** Gates this step runs (analysis steps). */
  readonly stepGates: string[];
  /** Background gates measuring during the segment. */
  readonly backgroundGates: string[];
  /** Share of the declared pods serving during the segment: 100 unless pods are down (0 is downtime). */
  readonly capacityPercent: number;
}

/**
 * What a fault in the new version costs before the engine takes traffic away from it.
 *
 * The fault starts at one moment; every gate measurement after that moment fails. A gate aborts the
 * release at its (failureLimit + 1)-th failed measurement (Flagger one interval later); the engine then
 * needs its restore time to send all traffic back to the stable version.
 */
export interface TimelineExposure {
  /** Index of the step in progress when the fault starts. */
  readonly faultStep: number;
  /** When the fault starts, in seconds from the start of the release (steps of unknown length before it count as 0). */
  readonly faultAtSeconds: number;
  /** Steps of unknown length before the fault; `faultAtSeconds` is "at least" when this is not 0. */
  readonly unboundedStepsBeforeFault: number;
  /** Whether the fault starts inside a step of unknown length (a manual pause). */
  readonly faultInUnboundedStep: boolean;
  /** Whether a gate aborts the release. False: the release completes and the new version takes all traffic. */
  readonly caught: boolean;
  /** Whether the exposure is finite: caught, and no manual pause with traffic on the new version lies before the abort. */
  readonly bounded: boolean;
  /**
   * Name of the gate that aborts first.
   * @default - not caught
   */
  readonly detectedBy?: string;
  /**
   * Seconds from the fault to the abort.
   * @default - not bounded
   */
  readonly abortAfterSeconds?: number;
  /**
   * Seconds from the fault until all traffic is back on the stable version.
   * @default - not bounded
   */
  readonly restoredAfterSeconds?: number;
  /** Highest traffic percentage the faulty version serves (100 when not caught). */
  readonly peakWeight: number;
  /**
   * Traffic served by the faulty version until traffic is restored, in seconds of all traffic: 5% for
   * 7 minutes is 21 seconds.
   * @default - not bounded
   */
  readonly trafficSeconds?: number;
}

/** Time to roll back with one engine. */
export interface RollbackEstimate {
  /** Name of the engine. */
  readonly engine: string;
  /** Whether the engine aborts by itself when a gate fails. */
  readonly automatic: boolean;
  /**
   * Worst-case seconds from a fault to the abort while the plan's fastest gate is measuring:
   * (failureLimit + 1) × interval, plus one interval for Flagger.
   * @default - no gate, or no automatic abort: a person must notice
   */
  readonly detectionSeconds?: number;
  /** Seconds from the abort until all traffic is on the stable version. */
  readonly trafficRestoreSeconds: number;
  /**
   * Seconds from the fault until all traffic is on the stable version (detection plus restore).
   * @default - no automatic abort
   */
  readonly totalSeconds?: number;
  /**
   * Seconds from the abort until the new version's pods or tasks are removed.
   * @default - kept running
   */
  readonly scaleDownSeconds?: number;
  /** What triggers the abort and what the engine does. */
  readonly behavior: string;
}

/**
 * The rollout of a `RolloutPlan` over time: traffic weight, gates and bakes, time to full rollout,
 * what a fault costs before it is aborted, and time to roll back per engine. A pure function of the
 * plan; render it with `toTable()` or `toSvg()`, or run `release-strategies timeline` on synthesized
 * output.
 *
 * Assumptions (see docs/timeline.md for the definitions):
 *  - Setting a weight, routing headers, mirroring and scaling take no time; pods are ready when the
 *    weight moves. A bake takes its duration. A manual pause takes an unknown time: totals become
 *    "at least", and a fault during a pause with traffic on the new version is caught only by a
 *    background gate.
 *  - An analysis step ends when its slowest gate has taken `count` measurements: the first after
 *    `initialDelay`, then one every `interval` (Argo Rollouts' behaviour), i.e.
 *    `initialDelay + (count - 1) × interval`. Query time is not counted.
 *  - Background gates measure from step `backgroundStartStep` until the last step ends.
 *  - After the last step the engine sends all traffic to the new version at once.
 *  - A fault makes every later measurement fail; the (failureLimit + 1)-th failed measurement aborts.
 */
export class ReleaseTimeline {
  /**
   * Lays out `plan` in time.
   * @example ReleaseTimeline.of(plan, { engine: TimelineEngine.flagger() }).toTable()
   */
  public static of(plan: RolloutPlan, options: ReleaseTimelineOptions = {}): ReleaseTimeline {
    const where = 'ReleaseTimeline.of()';
    if (!(plan instanceof RolloutPlan)) fail(where, 'plan', 'must be a RolloutPlan', plan);
    return ReleaseTimeline._fromSchedule(where, scheduleOf(plan), { title: plan.toString(), ...options });
  }

  /**
   * A Kubernetes rolling update (Deployment `strategy.rollingUpdate`) as a timeline: the pods are
   * replaced in waves of maxSurge + maxUnavailable pods, each lasting `podStartup + minReady`; the new
   * version's share of traffic grows with its ready pods. While maxUnavailable pods are down, capacity
   * drops below 100%. The Deployment controller never aborts by itself.
   * @example ReleaseTimeline.rollingUpdate({ replicas: 10, podStartup: Interval.seconds(40), maxSurge: '25%' })
   */
  public static rollingUpdate(options: RollingUpdateTimelineOptions): ReleaseTimeline {
    const where = 'ReleaseTimeline.rollingUpdate()';
    checkRange(where, 'replicas', options.replicas, 1, 100000);
    const startup = intervalSeconds(where, 'podStartup', options.podStartup);
    const minReady = options.minReady === undefined ? 0 : intervalSeconds(where, 'minReady', options.minReady);
    const n = options.replicas;
    const f = checkFenceposts(where, n, options.maxSurge ?? '25%', options.maxUnavailable ?? '0');
    const batch = f.surge + f.unavailable;
    const capacity = Math.round(((n - f.unavailable) / n) * 1000) / 10;
    const steps: ScheduleStep[] = [];
    for (let done = 0; done < n;) {
      const next = Math.min(n, done + batch);
      steps.push({ kind: StepKind.BAKE, durationSeconds: startup + minReady, label: `replace pods ${done + 1}-${next} of ${n}`, capacityPercent: capacity });
      const weight = Math.round((next / n) * 1000) / 10;
      steps.push({ kind: StepKind.SET_WEIGHT, weight, label: `setWeight(${weight})` });
      done = next;
    }
    return ReleaseTimeline.deploymentTimeline(where, steps, options.title ?? `rolling update of ${n} pods`);
  }

  /**
   * A Kubernetes recreate (Deployment `strategy.type: Recreate`) as a timeline: every old pod stops
   * before any new one starts, so nothing serves from the moment the old pods leave the endpoints
   * until the new pods are ready: `downtimeSeconds = podShutdown + podStartup`.
   * @example ReleaseTimeline.recreate({ podShutdown: Interval.seconds(30), podStartup: Interval.seconds(20) })
   */
  public static recreate(options: RecreateTimelineOptions): ReleaseTimeline {
    const where = 'ReleaseTimeline.recreate()';
    const shutdown = intervalSeconds(where, 'podShutdown', options.podShutdown);
    const startup = intervalSeconds(where, 'podStartup', options.podStartup);
    const steps: ScheduleStep[] = [
      { kind: StepKind.BAKE, durationSeconds: shutdown, label: 'stop every old pod', capacityPercent: 0 },
      { kind: StepKind.BAKE, durationSeconds: startup, label: 'start the new pods', capacityPercent: 0 },
      { kind: StepKind.SET_WEIGHT, weight: 100, label: 'setWeight(100)' },
    ];
    return ReleaseTimeline.deploymentTimeline(where, steps, options.title ?? 'recreate');
  }


  /**
   * Lays out a `WavePlan` across a fleet on one engine: when each wave starts and ends, the time to the
   * full fleet, and how much of the fleet a version broken from the start reaches before an abort can
   * trigger. See docs/timeline.md ("Fleets") for the model.
   * @example ReleaseTimeline.ofFleet(waves, { targets: [{ name: 'prod-eu-1' }, { name: 'prod-us-1' }], engine: FleetEngine.ARGO_CD, releasePlan: plan }).toTable()
   */
  public static ofFleet(plan: WavePlan, options: FleetTimelineOptions): FleetTimeline {
    const where = 'ReleaseTimeline.ofFleet()';
    if (!(plan instanceof WavePlan)) fail(where, 'plan', 'must be a WavePlan', plan);
    if (!Object.values(FleetEngine).includes(options.engine)) fail(where, 'engine', 'must be FleetEngine.ARGO_CD or FleetEngine.CODEPIPELINE', options.engine);
    if (options.releasePlan !== undefined && !(options.releasePlan instanceof RolloutPlan)) fail(where, 'releasePlan', 'must be a RolloutPlan', options.releasePlan);
    const update = options.targetUpdateTime ?? Interval.seconds(0);
    if (!(update instanceof Interval)) fail(where, 'targetUpdateTime', 'must be an Interval', update);
    const argo = options.engine === FleetEngine.ARGO_CD;
    const waves = plan._assign(where, 'targets', options.targets).map(({ wave, targets, targetsAtOnce }): FleetWaveInput => {
      // Argo CD: the wave's hold runs at the end of each target's own release (without one: the hold alone).
      const own = options.releasePlan;
      const release = argo ? plan.releasePlan(wave.name, own ?? RolloutPlan.steps([Step.setWeight(100)])) : own;
      const layout = release === undefined ? undefined : layOut(where, scheduleOf(release), abortModel(TimelineEngine.argoRollouts()));
      const abort = layout?.brokenFromStart;
      const stops = abort !== undefined && abort.caught && abort.bounded;
      return {
        name: wave.name,
        targets: targets.map((t) => t.name),
        targetsAtOnce,
        manualHold: wave.manualHold,
        targetSeconds: update.toSeconds() + (layout?.minimumDurationSeconds ?? 0),
        targetManualWaits: layout?.unboundedSteps ?? 0,
        bakeSeconds: wave.bake.toSeconds(),
        gates: wave.gates.map((g) => timing(g, false)),
        targetAbortSeconds: stops ? update.toSeconds() + abort.abortAfterSeconds! : undefined,
        targetAbortGate: stops ? abort.detectedBy : undefined,
      };
    });
    return FleetTimeline._create(options.title ?? plan.toString(), options.engine, waves);
  }

  /**
   * Lays out a schedule read back from synthesized output (the `timeline` command).
   * @internal
   */
  public static _fromSchedule(where: string, schedule: Schedule, options: ReleaseTimelineOptions): ReleaseTimeline {
    const engine = options.engine ?? TimelineEngine.argoRollouts();
    if (!(engine instanceof TimelineEngine)) fail(where, 'engine', 'must be a TimelineEngine', engine);
    // By default every engine with its defaults, except that the timeline's own engine keeps its options.
    const compare = options.compareEngines ?? defaultEngines().map((e) => (e.name === engine.name ? engine : e));
    compare.forEach((e, i) => {
      if (!(e instanceof TimelineEngine)) fail(where, `compareEngines[${i}]`, 'must be a TimelineEngine', e);
    });
    return new ReleaseTimeline(where, schedule, engine, compare, options.title ?? schedule.steps.map((s) => s.label).join(', '));
  }
  private static deploymentTimeline(where: string, steps: ScheduleStep[], title: string): ReleaseTimeline {
    const engine = TimelineEngine.kubernetesDeployment();
    return ReleaseTimeline._fromSchedule(where, { steps, backgroundGates: [], backgroundStartStep: 0 }, { engine, compareEngines: [engine], title });
  }


  /** Title of the table and the chart. */
  public readonly title: string;
  /** The engine whose abort behaviour the exposures assume. */
  public readonly engine: TimelineEngine;
  /** Steps of unknown length (manual pauses, analysis steps whose gates have no count). */
  public readonly unboundedSteps: number;
  /** Seconds the release takes, not counting steps of unknown length. */
  public readonly minimumDurationSeconds: number;
  /**
   * Seconds the release takes from start to completion.
   * @default - unknown: the plan has manual pauses (see `minimumDurationSeconds`)
   */
  public readonly totalDurationSeconds?: number;
  /** Seconds until the new version first takes all traffic, not counting steps of unknown length before it. */
  public readonly fullTrafficAtSeconds: number;
  /** Steps of unknown length before the new version takes all traffic. */
  public readonly unboundedStepsBeforeFullTraffic: number;
  /** What a fault present from the first request costs (the new version is broken from the start). */
  public readonly brokenFromStart: TimelineExposure;
  /**
   * The worst moment for a fault to start: the one that exposes the most traffic before the abort, or
   * the earliest moment from which no gate can catch it.
   */
  public readonly worstCase: TimelineExposure;
  /** Time to roll back with each compared engine. */
  public readonly rollbacks: RollbackEstimate[];
  /** Seconds during which no pod serves (a recreate's stop and start), not counting steps of unknown length. */
  public readonly downtimeSeconds: number;
  /** The lowest share of the declared pods serving at any time (100 unless pods go down during the release). */
  public readonly minimumCapacityPercent: number;
  private readonly layout: Layout;
  private readonly gateTimings: GateTiming[];

  private constructor(where: string, schedule: Schedule, engine: TimelineEngine, compare: TimelineEngine[], title: string) {
    this.title = title;
    this.engine = engine;
    this.layout = layOut(where, schedule, abortModel(engine));
    this.gateTimings = [...schedule.backgroundGates, ...schedule.steps.flatMap((s) => s.gates ?? [])];
    this.unboundedSteps = this.layout.unboundedSteps;
    this.minimumDurationSeconds = this.layout.minimumDurationSeconds;
    this.totalDurationSeconds = this.layout.unbounded ? undefined : this.layout.minimumDurationSeconds;
    this.fullTrafficAtSeconds = this.layout.fullTrafficAtSeconds;
    this.unboundedStepsBeforeFullTraffic = this.layout.pausesBeforeFullTraffic;
    this.brokenFromStart = publicExposure(this.layout.brokenFromStart);
    this.worstCase = publicExposure(this.layout.worstCase);
    this.rollbacks = compare.map((e) => this.rollbackWith(e));
    this.downtimeSeconds = this.layout.segments.filter((x) => x.capacityPercent === 0).reduce((sum, x) => sum + (x.durationSeconds ?? 0), 0);
    this.minimumCapacityPercent = Math.min(100, ...this.layout.segments.filter((x) => (x.durationSeconds ?? 1) > 0).map((x) => x.capacityPercent));
  }

  /** The segments, in order (a copy). */
  public get segments(): TimelineSegment[] {
    return this.layout.segments.map(publicSegment);
  }

  /** The timeline as a Markdown table followed by the summary figures. */
  public toTable(): string {
    const lines: string[] = [];
    lines.push(`### ${this.title}`, '');
    lines.push('| # | Step | Starts | Lasts | New version traffic | Gates measuring |');
    lines.push('| --- | --- | --- | --- | --- | --- |');
    for (const s of this.layout.segments) {
      const traffic = [`${s.weight}%`, s.mirrorPercent > 0 ? `mirror ${s.mirrorPercent}%` : '', s.headerRouted ? 'header-matched requests' : '']
        .filter(Boolean).join(' + ');
      const gates = [...s.stepGates, ...s.backgroundGates.map((g) => `${g} (background)`)].join(', ') || '-';
      const num = s.activity === TimelineActivity.PROMOTE ? '-' : String(s.step + 1);
      lines.push(`| ${num} | ${s.label} | ${atLeast(s.startSeconds, s.pausesBefore)} | ${s.durationSeconds === undefined ? 'unknown (manual)' : formatSeconds(s.durationSeconds)} | ${traffic} | ${gates} |`);
    }
    lines.push('');
    lines.push(`- Time to full rollout: ${atLeast(this.fullTrafficAtSeconds, this.unboundedStepsBeforeFullTraffic)}`);
    lines.push(`- Time to complete: ${this.totalDurationSeconds === undefined
      ? `unknown: at least ${formatSeconds(this.minimumDurationSeconds)} plus ${plural(this.unboundedSteps, 'step')} of unknown length`
      : formatSeconds(this.totalDurationSeconds)}`);
    lines.push(`- Broken from the start (${this.engine.name}): ${this.describeExposure(this.brokenFromStart)}`);
    lines.push(`- Worst case (${this.engine.name}): ${this.describeFault(this.worstCase)}${this.describeExposure(this.worstCase)}`);
    if (this.minimumCapacityPercent < 100) {
      lines.push(`- Capacity: as low as ${this.minimumCapacityPercent}% of the pods serving; downtime ${formatSeconds(this.downtimeSeconds)}`);
    }
    lines.push('');
    lines.push('| Engine | Aborts by itself | Detection (fastest gate) | Traffic back after abort | Total | New version removed after abort |');
    lines.push('| --- | --- | --- | --- | --- | --- |');
    for (const r of this.rollbacks) {
      lines.push(`| ${r.engine} | ${r.automatic ? 'yes' : 'no'} | ${r.detectionSeconds === undefined ? (r.automatic ? 'no gate' : 'a person') : formatSeconds(r.detectionSeconds)} | ${formatSeconds(r.trafficRestoreSeconds)} | ${r.totalSeconds === undefined ? '-' : formatSeconds(r.totalSeconds)} | ${r.scaleDownSeconds === undefined ? 'kept running' : formatSeconds(r.scaleDownSeconds)} |`);
    }
    return lines.join('\n') + '\n';
  }

  /**
   * The timeline as a self-contained SVG chart: traffic weight over time, bakes, analysis steps,
   * manual pauses (drawn with a fixed width and marked as unbounded), background gates, and the
   * earliest abort if the new version is broken from the start.
   */
  public toSvg(): string {
    return renderSvg({
      title: this.title,
      segments: this.layout.segments,
      modelEnd: this.layout.modelEnd,
      brokenFromStart: this.layout.brokenFromStart,
      fullTrafficAtSeconds: this.fullTrafficAtSeconds,
      engine: this.engine.name,
    });
  }

  private rollbackWith(engine: TimelineEngine): RollbackEstimate {
    const model = abortModel(engine);
    const detection = engine.automaticAbort && this.gateTimings.length > 0
      ? Math.min(...this.gateTimings.map((g) => detectionSeconds(g, model)))
      : undefined;
    return {
      engine: engine.name,
      automatic: engine.automaticAbort,
      detectionSeconds: detection,
      trafficRestoreSeconds: engine.trafficRestoreSeconds,
      totalSeconds: detection === undefined ? undefined : detection + engine.trafficRestoreSeconds,
      scaleDownSeconds: engine.scaleDownSeconds,
      behavior: engine.abortBehavior,
    };
  }

  private describeFault(e: TimelineExposure): string {
    const seg = this.layout.segments.find((s) => s.step === e.faultStep)!;
    const where = `step ${e.faultStep + 1} (${seg.label})`;
    return e.faultInUnboundedStep ? `a fault starting during ${where}: ` : `a fault starting at ${atLeast(e.faultAtSeconds, e.unboundedStepsBeforeFault)}, in ${where}: `;
  }

  private describeExposure(e: TimelineExposure): string {
    if (!e.caught) {
      return this.engine.automaticAbort
        ? 'not caught by any gate; the release completes and the new version takes all traffic'
        : `not caught: ${this.engine.name} does not abort by itself`;
    }
    if (!e.bounded) {
      return `caught by ${e.detectedBy} only after a manual pause with the new version serving traffic: exposure unbounded`;
    }
    return `aborted by ${e.detectedBy} after ${formatSeconds(e.abortAfterSeconds!)}, all traffic back after ${formatSeconds(e.restoredAfterSeconds!)}; `
      + `peak ${e.peakWeight}% of traffic, ${formatNumber(e.trafficSeconds!)} s of all traffic served by the faulty version`;
  }
}

function atLeast(seconds: number, unknownBefore: number): string {
  return unknownBefore === 0 ? formatSeconds(seconds) : `${formatSeconds(seconds)} + ${plural(unknownBefore, 'manual wait')}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function abortModel(engine: TimelineEngine) {
  return { automatic: engine.automaticAbort, reactionIntervals: engine.reactionIntervals, restoreSeconds: engine.trafficRestoreSeconds };
}

function timing(g: Gate, background: boolean): GateTiming {
  return {
    name: g.name,
    intervalSeconds: g.interval.toSeconds(),
    count: background ? undefined : g.count,
    failureLimit: g.failureLimit,
    initialDelaySeconds: g.initialDelay?.toSeconds() ?? 0,
  };
}

function scheduleOf(plan: RolloutPlan): Schedule {
  return {
    steps: plan.sequence.map((s) => ({
      kind: s.kind,
      weight: s.weight,
      durationSeconds: s.kind === StepKind.BAKE ? s.duration!.toSeconds() : undefined,
      gates: s.kind === StepKind.ANALYSIS ? s.gates.map((g) => timing(g, false)) : undefined,
      label: s.toString(),
    })),
    backgroundGates: plan.backgroundGates.map((g) => timing(g, true)),
    backgroundStartStep: plan.backgroundStartStep,
  };
}

function publicSegment(s: LaidSegment): TimelineSegment {
  return {
    step: s.step,
    activity: s.activity,
    label: s.label,
    startSeconds: s.startSeconds,
    durationSeconds: s.durationSeconds,
    unboundedStepsBefore: s.pausesBefore,
    weight: s.weight,
    mirrorPercent: s.mirrorPercent,
    headerRouted: s.headerRouted,
    stepGates: [...s.stepGates],
    backgroundGates: [...s.backgroundGates],
    capacityPercent: s.capacityPercent,
  };
}

function intervalSeconds(where: string, field: string, value: Interval): number {
  if (!(value instanceof Interval)) fail(where, field, 'must be an Interval', value);
  return value.toSeconds();
}

function publicExposure(e: Exposure): TimelineExposure {
  return {
    faultStep: e.faultStep,
    faultAtSeconds: e.faultAtSeconds,
    unboundedStepsBeforeFault: e.faultPausesBefore,
    faultInUnboundedStep: e.faultInUnboundedStep,
    caught: e.caught,
    bounded: e.bounded,
    detectedBy: e.detectedBy,
    abortAfterSeconds: e.abortAfterSeconds,
    restoredAfterSeconds: e.restoredAfterSeconds,
    peakWeight: e.peakWeight,
    trafficSeconds: e.trafficSeconds,
  };
}
