/**
 * Reads synthesized fleet releases back for the `timeline` command:
 *
 *  - Argo CD ApplicationSets with a RollingSync strategy whose steps select the wave label
 *    (`release-strategies.dev/wave`, as `ArgoCdApplicationSet` writes them). Each cluster's own release is
 *    the Rollout found in a folder named after the cluster under the folder read (the layout of one
 *    folder per chart); it holds the wave's bake and gates after its last `setWeight(100)`.
 *  - CodePipeline pipelines with stages of CloudFormation deploy actions: one wave per stage, batches by
 *    run order, approvals as manual holds, and the alarms of the stage's On Success CloudWatchAlarm rules
 *    (found by name in any template read) watched for the rules' WaitTime.
 */
import * as path from 'path';
import { alarmTiming, FoundRelease, ParsedFile, ReadError } from './read-releases';
import { FleetEngine } from '../strategy/fleet-engine';
import { StepKind } from '../strategy/step';
import { FleetWaveInput, GateTiming, layOut } from '../strategy/timeline-model';

/** The label `ArgoCdApplicationSet` gives every Application with its wave's name. */
const WAVE_LABEL = 'release-strategies.dev/wave';

/** One fleet release found in synthesized output. */
export interface FoundFleet {
  /** e.g. `ApplicationSet checkout` or `AWS::CodePipeline::Pipeline Pipeline`. */
  readonly name: string;
  readonly file: string;
  readonly engine: FleetEngine;
  readonly waves: FleetWaveInput[];
  /** What could not be read and was counted as nothing, e.g. a cluster whose release was not found. */
  readonly notes: string[];
}

function fail(where: string, field: string, allowed: string, got: unknown): never {
  throw new ReadError(`${where}: invalid '${field}': ${allowed}, got ${JSON.stringify(got)}`);
}

/**
 * Every fleet release in the parsed files. `releases` are the single releases read from the same files
 * (each cluster's Rollout); `targetSeconds` is added to every target's update.
 */
export function readFleets(root: string, files: ParsedFile[], releases: FoundRelease[], targetSeconds: number): FoundFleet[] {
  const alarms = new Map<string, GateTiming>();
  for (const f of files) {
    for (const [id, r] of Object.entries<any>(f.template?.Resources ?? {})) {
      const name = r?.Properties?.AlarmName;
      if (r?.Type === 'AWS::CloudWatch::Alarm' && typeof name === 'string') alarms.set(name, alarmTiming(id, r));
    }
  }
  const out: FoundFleet[] = [];
  for (const f of files) {
    for (const o of f.objects ?? []) {
      if (o?.kind === 'ApplicationSet' && typeof o.apiVersion === 'string' && o.apiVersion.startsWith('argoproj.io/') && o.spec?.strategy?.type === 'RollingSync') {
        out.push(readApplicationSet(root, f.file, o, releases, targetSeconds));
      }
    }
    for (const [id, r] of Object.entries<any>(f.template?.Resources ?? {})) {
      if (r?.Type === 'AWS::CodePipeline::Pipeline') {
        const fleet = readPipeline(f.file, id, r, alarms, targetSeconds);
        if (fleet !== undefined) out.push(fleet);
      }
    }
  }
  return out;
}

function readApplicationSet(root: string, file: string, set: any, releases: FoundRelease[], targetSeconds: number): FoundFleet {
  const name = `ApplicationSet ${set.metadata?.name}`;
  if (set.spec?.template?.metadata?.labels?.[WAVE_LABEL] !== '{{.wave}}') {
    fail(name, 'spec.template.metadata.labels', `must carry '${WAVE_LABEL}: {{.wave}}' (the timeline reads ApplicationSets written by ArgoCdApplicationSet)`, set.spec?.template?.metadata?.labels);
  }
  const elements: any[] = set.spec.generators?.[0]?.list?.elements ?? [];
  const notes: string[] = [];
  const waves = (set.spec.strategy.rollingSync?.steps ?? []).map((step: any, i: number): FleetWaveInput => {
    const expr = (step.matchExpressions ?? [])[0];
    if (step.matchExpressions?.length !== 1 || expr.key !== WAVE_LABEL || expr.operator !== 'In' || expr.values?.length !== 1) {
      fail(name, `spec.strategy.rollingSync.steps[${i}].matchExpressions`, `must be one 'In' expression on ${WAVE_LABEL} with one value`, step.matchExpressions);
    }
    const wave: string = expr.values[0];
    const clusters = elements.filter((e) => e.wave === wave).map((e) => String(e.cluster));
    const atOnce = maxUpdate(name, `spec.strategy.rollingSync.steps[${i}].maxUpdate`, step.maxUpdate, clusters.length);
    // Each cluster's release: the slowest one sets the pace of its batch.
    const held = clusters.map((c) => {
      const r = releases.find((x) => x.engine.name === 'Argo Rollouts' && path.relative(root, x.file).split(path.sep).includes(c));
      if (r === undefined) notes.push(`cluster ${c}: no Rollout found in a folder named ${c}; its release counts as 0s`);
      return r === undefined ? undefined : holdOf(r);
    }).filter((h) => h !== undefined);
    const slowest = held.reduce<Hold | undefined>((a, b) => (a === undefined || b!.seconds > a.seconds ? b : a), undefined);
    return {
      name: wave,
      targets: clusters,
      targetsAtOnce: atOnce,
      manualHold: atOnce === 0,
      targetSeconds: targetSeconds + (slowest?.seconds ?? 0),
      targetManualWaits: slowest?.manualWaits ?? 0,
      bakeSeconds: slowest?.bakeSeconds ?? 0,
      gates: slowest?.gates ?? [],
      targetAbortSeconds: slowest?.abortSeconds === undefined ? undefined : targetSeconds + slowest.abortSeconds,
      targetAbortGate: slowest?.abortGate,
    };
  });
  return { name, file, engine: FleetEngine.ARGO_CD, waves, notes };
}

/** Argo CD's `maxUpdate`: a number, or `N%` of the step rounded down but at least 1; unset is all. */
function maxUpdate(where: string, field: string, value: unknown, size: number): number {
  if (value === undefined) return size;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return Math.min(value, size);
  const m = typeof value === 'string' ? /^(\d+)%$/.exec(value) : null;
  if (m) return Number(m[1]) === 0 ? 0 : Math.max(1, Math.floor((Number(m[1]) * size) / 100));
  return fail(where, field, "must be a whole number or a percentage such as '25%'", value);
}

interface Hold {
  readonly seconds: number;
  readonly manualWaits: number;
  readonly bakeSeconds: number;
  readonly gates: GateTiming[];
  /** When the Rollout aborts a version broken from the start, if it can. */
  readonly abortSeconds?: number;
  readonly abortGate?: string;
}

/** A cluster's Rollout: how long it takes, and the wave's hold after its last setWeight(100). */
function holdOf(r: FoundRelease): Hold {
  // Only the durations are used: the abort model does not change them.
  const layout = layOut(r.name, r.schedule, { automatic: true, reactionIntervals: 0, restoreSeconds: 0 });
  const steps = r.schedule.steps;
  const full = steps.map((s) => s.kind === StepKind.SET_WEIGHT && s.weight === 100).lastIndexOf(true);
  const tail = full < 0 ? [] : steps.slice(full + 1);
  const abort = layout.brokenFromStart;
  const stops = abort.caught && abort.bounded;
  return {
    seconds: layout.minimumDurationSeconds,
    manualWaits: layout.unboundedSteps,
    bakeSeconds: tail.filter((s) => s.kind === StepKind.BAKE).reduce((sum, s) => sum + (s.durationSeconds ?? 0), 0),
    gates: tail.filter((s) => s.kind === StepKind.ANALYSIS).flatMap((s) => s.gates ?? []),
    abortSeconds: stops ? abort.abortAfterSeconds : undefined,
    abortGate: stops ? abort.detectedBy : undefined,
  };
}

function readPipeline(file: string, id: string, pipeline: any, alarms: Map<string, GateTiming>, targetSeconds: number): FoundFleet | undefined {
  const name = `AWS::CodePipeline::Pipeline ${id}`;
  const notes: string[] = [];
  const waves: FleetWaveInput[] = [];
  for (const [i, stage] of ((pipeline.Properties?.Stages ?? []) as any[]).entries()) {
    const actions: any[] = stage.Actions ?? [];
    const deploys = actions.filter((a) => a.ActionTypeId?.Category === 'Deploy' && a.ActionTypeId?.Provider === 'CloudFormation');
    if (deploys.length === 0) continue;
    const approvals = actions.filter((a) => a.ActionTypeId?.Category === 'Approval');
    const perRunOrder = new Map<number, number>();
    deploys.forEach((a) => perRunOrder.set(a.RunOrder ?? 1, (perRunOrder.get(a.RunOrder ?? 1) ?? 0) + 1));
    const rules: any[] = stage.OnSuccess?.Conditions?.[0]?.Rules ?? [];
    const gates: GateTiming[] = [];
    for (const r of rules.filter((x) => x.RuleTypeId?.Provider === 'CloudWatchAlarm')) {
      const alarm = r.Configuration?.AlarmName;
      const timing = alarms.get(alarm);
      if (timing === undefined) notes.push(`stage ${stage.Name}: alarm ${alarm} is not in the templates read; it cannot stop the release in this timeline`);
      else gates.push({ ...timing, name: String(alarm) });
    }
    const waits = rules.map((r) => Number(r.Configuration?.WaitTime ?? 0));
    if (waits.some((w) => !Number.isInteger(w) || w < 0)) fail(name, `Stages[${i}].OnSuccess`, 'must have WaitTime in whole minutes', waits);
    waves.push({
      name: stage.Name,
      targets: deploys.map((a) => String(a.Name)),
      targetsAtOnce: approvals.length > 1 ? 0 : Math.max(...perRunOrder.values()),
      manualHold: approvals.length > 0,
      targetSeconds,
      targetManualWaits: 0,
      bakeSeconds: Math.max(0, ...waits) * 60,
      gates,
    });
  }
  return waves.length === 0 ? undefined : { name, file, engine: FleetEngine.CODEPIPELINE, waves, notes };
}
