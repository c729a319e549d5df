/**
 * Reads synthesized output back into release schedules for the `timeline` command: Argo Rollouts
 * `Rollout`s (canary steps, background analysis, blue/green promotion), Flagger `Canary`s, and
 * CloudFormation templates with ECS deployment configurations or CodeDeploy deployment groups.
 *
 * Every value the engines default is defaulted here the way the engine documents it; anything the
 * timeline cannot model is refused with an error naming the object and the field.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { Interval } from '../strategy/interval';
import { StepKind } from '../strategy/step';
import { TimelineEngine } from '../strategy/timeline-engine';
import { GateTiming, Schedule, ScheduleStep } from '../strategy/timeline-model';
import { formatSeconds } from '../strategy/timeline-svg';

/** One release found in synthesized output. */
export interface FoundRelease {
  /**
   * Kind and name: `Rollout checkout`, or for CloudFormation the resource type and the construct path
   * the AWS CDK recorded (`AWS::ECS::Service shop/Api/Service/Service`; the logical ID without it).
   */
  readonly name: string;
  /** The file it came from. */
  readonly file: string;
  readonly engine: TimelineEngine;
  readonly schedule: Schedule;
}

/** Thrown for output the timeline cannot read; the command prints the message alone. */
export class ReadError extends Error {}

function fail(where: string, field: string, allowed: string, got: unknown): never {
  throw new ReadError(`${where}: invalid '${field}': ${allowed}, got ${got === undefined ? 'nothing' : JSON.stringify(got)}`);
}

/** A mapping (YAML) or object (JSON). */
function mapping(where: string, field: string, value: unknown): any {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(where, field, 'must be a mapping', value);
  return value;
}

/** A list; a missing one is empty. */
function list(where: string, field: string, value: unknown): any[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(where, field, 'must be a list', value);
  return value;
}

/** The longest duration Go parses (2562047h47m16.854775807s), in seconds. */
const GO_MAX_SECONDS = 9223372036.854775807;
/** Releases with more steps than this are refused (a weight step of 0.001% would take 100000). */
const MAX_STEPS = 1000;

/** One parsed file: a CloudFormation template (JSON with `Resources`) or the objects of a YAML file. */
export interface ParsedFile {
  readonly file: string;
  readonly template?: any;
  readonly objects?: any[];
}

/** Every `*.yaml`, `*.yml` and `*.json` file of a file or folder, parsed; other JSON files are left out. */
export function readFiles(target: string): ParsedFile[] {
  if (!fs.existsSync(target)) throw new ReadError(`${target}: no such file or folder`);
  const files = fs.statSync(target).isDirectory() ? listFiles(target) : [target];
  const out: ParsedFile[] = [];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    if (file.endsWith('.json')) {
      let doc: any;
      try {
        doc = JSON.parse(text);
      } catch (e) {
        throw new ReadError(`${file}: not valid JSON: ${(e as Error).message}`);
      }
      if (doc && typeof doc === 'object' && doc.Resources) out.push({ file, template: doc });
    } else {
      const docs = YAML.parseAllDocuments(text);
      const objects: any[] = [];
      for (const d of docs) {
        if (d.errors.length > 0) throw new ReadError(`${file}: not valid YAML: ${d.errors[0].message}`);
        const o = d.toJS();
        if (o && typeof o === 'object') objects.push(o);
      }
      out.push({ file, objects });
    }
  }
  return out;
}

/** Every release in a file, or in every `*.yaml`, `*.yml` and `*.json` file under a folder. */
export function readReleases(target: string): FoundRelease[] {
  return releasesIn(readFiles(target));
}

/**
 * Every release in parsed files. A Rollout sees the AnalysisTemplates of every file in its folder: cdk8s
 * can write one file per object (`YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE`).
 */
export function releasesIn(files: ParsedFile[]): FoundRelease[] {
  const byFolder = new Map<string, any[]>();
  for (const f of files) {
    if (f.objects !== undefined) byFolder.set(path.dirname(f.file), [...(byFolder.get(path.dirname(f.file)) ?? []), ...f.objects]);
  }
  return files.flatMap((f) => (f.template !== undefined
    ? readTemplate(f.file, f.template)
    : readManifests(f.file, f.objects!, byFolder.get(path.dirname(f.file)))));
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) out.push(...listFiles(full));
    } else if (/\.(ya?ml|json)$/.test(entry.name) && !entry.name.endsWith('.assets.json') && entry.name !== 'manifest.json' && entry.name !== 'tree.json') {
      out.push(full);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Kubernetes

/** Releases among the Kubernetes objects of one file; analysis templates may come from `folder` (the objects of its folder). */
export function readManifests(file: string, objects: any[], folder: any[] = objects): FoundRelease[] {
  const templates = new Map<string, any>();
  for (const o of folder) {
    if (typeof o.apiVersion === 'string' && o.apiVersion.startsWith('argoproj.io/') && (o.kind === 'AnalysisTemplate' || o.kind === 'ClusterAnalysisTemplate')) {
      templates.set(`${o.kind}/${o.metadata?.name}`, o);
    }
  }
  const out: FoundRelease[] = [];
  for (const o of objects) {
    if (typeof o.apiVersion !== 'string') continue;
    if (o.apiVersion.startsWith('argoproj.io/') && o.kind === 'Rollout') out.push(readRollout(file, o, templates));
    if (o.apiVersion.startsWith('flagger.app/') && o.kind === 'Canary') out.push(readCanary(file, o));
  }
  return out;
}

/** Seconds of a Go duration (`1h30m`, `90s`, `1.5m`) or a number of seconds; fractions round up. */
export function durationSeconds(where: string, field: string, value: unknown): number {
  const allowed = "must be a duration such as '30s', '5m' or '1h30m', or a number of seconds, of at most 2562047h (the longest Go parses)";
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= GO_MAX_SECONDS) return Math.ceil(value);
  if (typeof value === 'string') {
    if (/^\d+$/.test(value) && Number(value) <= GO_MAX_SECONDS) return Number(value);
    const units: { [u: string]: number } = { h: 3600, m: 60, s: 1, ms: 0.001 };
    const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
    if (/^(\d+(\.\d+)?(ms|h|m|s))+$/.test(value)) {
      let total = 0;
      for (const m of value.matchAll(re)) total += Number(m[1]) * units[m[2]];
      if (total <= GO_MAX_SECONDS) return Math.ceil(total - 1e-9);
    }
  }
  return fail(where, field, allowed, value);
}

function wholeNumber(where: string, field: string, value: unknown): number {
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n)) fail(where, field, 'must be a whole number (template arguments are not resolved)', value);
  return n as number;
}

/** Flagger's weights are whole numbers (Go ints). */
function flaggerWeight(where: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 100) fail(where, field, 'must be a whole number from 0 to 100', value);
  return value as number;
}

function percent(where: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100) fail(where, field, 'must be a number from 0 to 100', value);
  return value as number;
}

function label(kind: StepKind, value?: number): string {
  switch (kind) {
    case StepKind.SET_WEIGHT: return `setWeight(${value})`;
    case StepKind.BAKE: return `bake(${formatSeconds(value!)})`;
    case StepKind.PAUSE: return 'pause()';
    case StepKind.MIRROR: return `mirror(${value})`;
    default: return kind;
  }
}

function weightStep(weight: number): ScheduleStep {
  return { kind: StepKind.SET_WEIGHT, weight, label: label(StepKind.SET_WEIGHT, weight) };
}

function bakeStep(seconds: number, text?: string): ScheduleStep {
  return { kind: StepKind.BAKE, durationSeconds: seconds, label: text ?? label(StepKind.BAKE, seconds) };
}

/** The gates of an Argo `analysis` block (`templates: [{ templateName, clusterScope }]`). */
function argoGates(where: string, block: any, templates: Map<string, any>, background: boolean): GateTiming[] {
  const refs: any[] = mapping(where, 'analysis', block).templates ?? [];
  if (!Array.isArray(refs) || refs.length === 0) fail(where, 'templates', 'must name at least one AnalysisTemplate', block?.templates);
  const gates: GateTiming[] = [];
  refs.forEach((ref, i) => {
    const kind = mapping(where, `templates[${i}]`, ref).clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate';
    const t = templates.get(`${kind}/${ref.templateName}`);
    if (!t) fail(where, `templates[${i}].templateName`, `must name a ${kind} in the same output`, ref.templateName);
    const mw = `${kind} ${ref.templateName}`;
    for (const [j, metric] of list(mw, 'spec.metrics', t.spec?.metrics).entries()) {
      const m = mapping(mw, `spec.metrics[${j}]`, metric);
      const interval = m.interval === undefined ? undefined : durationSeconds(mw, `spec.metrics[${j}].interval`, m.interval);
      // Argo Rollouts: without an interval a metric is measured once; with one and no count it
      // measures until the run is stopped. failureLimit defaults to 0; -1 never fails.
      const count = m.count !== undefined ? wholeNumber(mw, `spec.metrics[${j}].count`, m.count) : interval === undefined ? 1 : undefined;
      const failureLimit = m.failureLimit === undefined ? 0 : wholeNumber(mw, `spec.metrics[${j}].failureLimit`, m.failureLimit);
      if (failureLimit < 0) continue;
      gates.push({
        name: m.name,
        intervalSeconds: interval ?? 1,
        count: background ? undefined : count,
        failureLimit,
        initialDelaySeconds: m.initialDelay === undefined ? 0 : durationSeconds(mw, `spec.metrics[${j}].initialDelay`, m.initialDelay),
      });
    }
  });
  return gates;
}

function readRollout(file: string, r: any, templates: Map<string, any>): FoundRelease {
  const name = `Rollout ${r.metadata?.name}`;
  const strategy = mapping(name, 'spec.strategy', r.spec?.strategy ?? {});
  const steps: ScheduleStep[] = [];
  let backgroundGates: GateTiming[] = [];
  let backgroundStartStep = 0;
  let abortDelay: number | undefined;
  if (strategy.canary) {
    const c = mapping(name, 'spec.strategy.canary', strategy.canary);
    abortDelay = c.abortScaleDownDelaySeconds;
    list(name, 'spec.strategy.canary.steps', c.steps).forEach((step: unknown, i: number) => {
      const where = `${name}`;
      const field = `spec.strategy.canary.steps[${i}]`;
      const s = mapping(where, field, step);
      if (s.setWeight !== undefined) {
        steps.push(weightStep(percent(where, `${field}.setWeight`, s.setWeight)));
      } else if (s.pause !== undefined) {
        if (mapping(where, `${field}.pause`, s.pause ?? {}).duration === undefined) steps.push({ kind: StepKind.PAUSE, label: 'pause()' });
        else steps.push(bakeStep(durationSeconds(where, `${field}.pause.duration`, s.pause.duration)));
      } else if (s.analysis !== undefined) {
        const gates = argoGates(where, s.analysis, templates, false);
        steps.push({ kind: StepKind.ANALYSIS, gates, label: `analysis(${gates.map((g) => g.name).join(', ')})` });
      } else if (s.setCanaryScale !== undefined) {
        steps.push({ kind: StepKind.SET_CANARY_SCALE, label: 'setCanaryScale' });
      } else if (s.setHeaderRoute !== undefined) {
        steps.push({ kind: StepKind.HEADER_ROUTE, label: `headerRoute(${mapping(where, `${field}.setHeaderRoute`, s.setHeaderRoute).name ?? ''})` });
      } else if (s.setMirrorRoute !== undefined) {
        const route = mapping(where, `${field}.setMirrorRoute`, s.setMirrorRoute);
        const p = percent(where, `${field}.setMirrorRoute.percentage`, route.percentage ?? 100);
        steps.push({ kind: StepKind.MIRROR, weight: list(where, `${field}.setMirrorRoute.match`, route.match).length === 0 ? 0 : p, label: `mirror(${p})` });
      } else {
        fail(where, field, 'must be a setWeight, pause, analysis, setCanaryScale, setHeaderRoute or setMirrorRoute step (experiment and plugin steps are not modelled)', Object.keys(s));
      }
    });
    if (c.analysis) {
      backgroundGates = argoGates(`${name} spec.strategy.canary.analysis`, c.analysis, templates, true);
      backgroundStartStep = c.analysis.startingStep === undefined ? 0 : wholeNumber(name, 'spec.strategy.canary.analysis.startingStep', c.analysis.startingStep);
    }
    if (steps.length === 0) steps.push(weightStep(100));
  } else if (strategy.blueGreen) {
    const b = mapping(name, 'spec.strategy.blueGreen', strategy.blueGreen);
    abortDelay = b.abortScaleDownDelaySeconds;
    if (b.prePromotionAnalysis) {
      const gates = argoGates(`${name} spec.strategy.blueGreen.prePromotionAnalysis`, b.prePromotionAnalysis, templates, false);
      steps.push({ kind: StepKind.ANALYSIS, gates, label: `prePromotionAnalysis(${gates.map((g) => g.name).join(', ')})` });
    }
    if (b.autoPromotionEnabled === false) steps.push({ kind: StepKind.PAUSE, label: 'pause() (autoPromotionEnabled: false)' });
    else if (b.autoPromotionSeconds !== undefined) steps.push(bakeStep(durationSeconds(name, 'spec.strategy.blueGreen.autoPromotionSeconds', b.autoPromotionSeconds)));
    steps.push({ ...weightStep(100), label: 'switch active service' });
    if (b.postPromotionAnalysis) {
      const gates = argoGates(`${name} spec.strategy.blueGreen.postPromotionAnalysis`, b.postPromotionAnalysis, templates, false);
      steps.push({ kind: StepKind.ANALYSIS, gates, label: `postPromotionAnalysis(${gates.map((g) => g.name).join(', ')})` });
    }
  } else {
    fail(name, 'spec.strategy', 'must have canary or blueGreen', Object.keys(strategy));
  }
  let engine = TimelineEngine.argoRollouts();
  if (abortDelay !== undefined) {
    const delay = wholeNumber(name, 'abortScaleDownDelaySeconds', abortDelay);
    if (delay < 0 || delay > Interval.MAX_SECONDS) fail(name, 'abortScaleDownDelaySeconds', `must be from 0 to ${Interval.MAX_SECONDS} seconds (365 days)`, abortDelay);
    engine = TimelineEngine.argoRollouts({ abortScaleDownDelay: Interval.seconds(delay) });
  }
  const start = Math.max(0, Math.min(backgroundStartStep, steps.length - 1));
  return { name, file, engine, schedule: { steps, backgroundGates, backgroundStartStep: start } };
}

function readCanary(file: string, c: any): FoundRelease {
  const name = `Canary ${c.metadata?.name}`;
  const a = mapping(name, 'spec.analysis', c.spec?.analysis);
  const interval = durationSeconds(name, 'spec.analysis.interval', a.interval ?? '60s');
  const steps: ScheduleStep[] = [];
  if (a.iterations !== undefined) {
    const iterations = wholeNumber(name, 'spec.analysis.iterations', a.iterations);
    if (list(name, 'spec.analysis.match', a.match).length > 0) steps.push({ kind: StepKind.HEADER_ROUTE, label: 'headerRoute(match)' });
    if (a.mirror) {
      const mirror = percent(name, 'spec.analysis.mirrorWeight', a.mirrorWeight ?? 100);
      steps.push({ kind: StepKind.MIRROR, weight: mirror, label: `mirror(${mirror})` });
    }
    steps.push(bakeStep(iterations * interval, `${iterations} iterations × ${formatSeconds(interval)}`));
  } else {
    let weights: number[];
    const stepWeights = list(name, 'spec.analysis.stepWeights', a.stepWeights);
    if (stepWeights.length > 0) {
      weights = stepWeights.map((w: unknown, i: number) => flaggerWeight(name, `spec.analysis.stepWeights[${i}]`, w));
    } else {
      const step = flaggerWeight(name, 'spec.analysis.stepWeight', a.stepWeight);
      const max = flaggerWeight(name, 'spec.analysis.maxWeight', a.maxWeight ?? 100);
      if (step <= 0) fail(name, 'spec.analysis.stepWeight', 'must be more than 0', a.stepWeight);
      weights = [];
      if (max / step > MAX_STEPS) fail(name, 'spec.analysis.stepWeight', `must make at most ${MAX_STEPS} steps up to maxWeight (${max})`, a.stepWeight);
      for (let w = step; ; w += step) {
        weights.push(Math.min(w, max));
        if (w >= max) break;
      }
    }
    // Each analysis tick with passing checks moves to the next weight; after the last one, a tick
    // with passing checks promotes.
    for (const w of weights) steps.push(weightStep(w), bakeStep(interval));
  }
  const metrics = list(name, 'spec.analysis.metrics', a.metrics).map((m, i) => mapping(name, `spec.analysis.metrics[${i}]`, m));
  const webhooks = list(name, 'spec.analysis.webhooks', a.webhooks).map((w, i) => mapping(name, `spec.analysis.webhooks[${i}]`, w));
  const checks = [...metrics.map((m: any) => m.name), ...webhooks.filter((w: any) => (w.type ?? 'rollout') === 'rollout').map((w: any) => w.name)];
  const threshold = a.threshold === undefined ? 1 : wholeNumber(name, 'spec.analysis.threshold', a.threshold);
  const backgroundGates: GateTiming[] = checks.length === 0 || c.spec?.skipAnalysis ? [] : [{
    // Flagger counts one failed check per tick, whichever metric or webhook failed.
    name: checks.join(' + '),
    intervalSeconds: interval,
    failureLimit: Math.max(threshold - 1, 0),
    initialDelaySeconds: 0,
  }];
  return { name, file, engine: TimelineEngine.flagger(), schedule: { steps, backgroundGates, backgroundStartStep: 0 } };
}

// ---------------------------------------------------------------------------------------------------
// CloudFormation

const CODEDEPLOY_PREDEFINED = /^CodeDeployDefault\.(?:Lambda|ECS)(?:(AllAtOnce)|Canary(\d+)Percent(\d+)Minutes?|Linear(\d+)PercentEvery(\d+)Minutes?)$/;

/** Releases in one CloudFormation template. */
export function readTemplate(file: string, template: any): FoundRelease[] {
  const resources: { [id: string]: any } = template.Resources ?? {};
  const out: FoundRelease[] = [];
  for (const [id, r] of Object.entries(resources)) {
    if (r?.Type === 'AWS::ECS::Service') {
      const dc = r.Properties?.DeploymentConfiguration;
      const strategy = dc?.Strategy;
      if (strategy === 'BLUE_GREEN' || strategy === 'CANARY' || strategy === 'LINEAR') out.push(readEcsService(file, id, r, resources));
    }
    if (r?.Type === 'AWS::CodeDeploy::DeploymentGroup') out.push(readDeploymentGroup(file, id, r, resources));
  }
  return out;
}

/** Ranges of the numbers the templates hold: percentages, minutes (at most 365 days), alarm counts and periods. */
const PERCENT = [0, 100] as const;
const STEP_PERCENT = [1, 100] as const;
const MINUTES = [0, 525600] as const;
const COUNT = [1, 100000] as const;
const PERIOD_SECONDS = [1, 86400] as const;

function num(where: string, field: string, value: unknown, range: readonly [number, number], fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const [min, max] = range;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    fail(where, field, `must be a literal number from ${min} to ${max} (parameters and intrinsic functions are not resolved)`, value);
  }
  return value as number;
}

function alarmGates(where: string, refs: unknown, resources: { [id: string]: any }): GateTiming[] {
  return list(where, 'alarms', refs).map((ref, i) => {
    const id = typeof ref === 'object' && ref !== null && typeof ref.Ref === 'string' ? ref.Ref : undefined;
    const alarm = id ? resources[id] : undefined;
    if (!alarm || alarm.Type !== 'AWS::CloudWatch::Alarm') {
      fail(where, `alarms[${i}]`, 'must be a { Ref } to an AWS::CloudWatch::Alarm in the same template (alarm names from elsewhere have no timing to read)', ref);
    }
    return alarmTiming(id!, alarm);
  });
}

/** A CloudWatch alarm as a gate: one measurement per period; ALARM after `DatapointsToAlarm` breaching ones. */
export function alarmTiming(name: string, alarm: any): GateTiming {
  const p = alarm.Properties ?? {};
  const aw = `AWS::CloudWatch::Alarm ${name}`;
  const evaluation = num(aw, 'EvaluationPeriods', p.EvaluationPeriods, COUNT);
  const datapoints = num(aw, 'DatapointsToAlarm', p.DatapointsToAlarm, COUNT, evaluation);
  const period = p.Period !== undefined ? num(aw, 'Period', p.Period, PERIOD_SECONDS)
    : Math.max(0, ...list(aw, 'Metrics', p.Metrics).map((m) => (typeof m?.MetricStat?.Period === 'number' ? m.MetricStat.Period : 0)));
  if (!(period > 0)) fail(aw, 'Period', 'must be set on the alarm or its metric', p.Period);
  return { name, intervalSeconds: period, failureLimit: datapoints - 1, initialDelaySeconds: 0 };
}

/**
 * How a release in a template is named: the construct path in the resource's `aws:cdk:path`
 * metadata (written by `cdk synth`), without a trailing default-child id (`Resource`), or else its
 * logical ID.
 */
function resourceName(id: string, resource: any): string {
  const cdkPath = resource?.Metadata?.['aws:cdk:path'];
  return typeof cdkPath === 'string' && cdkPath !== '' ? cdkPath.replace(/\/(Resource|Default)$/, '') : id;
}

function readEcsService(file: string, id: string, r: any, resources: { [id: string]: any }): FoundRelease {
  const name = `AWS::ECS::Service ${resourceName(id, r)}`;
  const dc = r.Properties.DeploymentConfiguration;
  const steps: ScheduleStep[] = [];
  if (dc.Strategy === 'CANARY') {
    const c = dc.CanaryConfiguration ?? {};
    // ECS defaults: canaryPercent 5, canaryBakeTimeInMinutes 10.
    steps.push(weightStep(num(name, 'CanaryConfiguration.CanaryPercent', c.CanaryPercent, PERCENT, 5)));
    steps.push(bakeStep(60 * num(name, 'CanaryConfiguration.CanaryBakeTimeInMinutes', c.CanaryBakeTimeInMinutes, MINUTES, 10)));
  } else if (dc.Strategy === 'LINEAR') {
    const l = dc.LinearConfiguration ?? {};
    // ECS defaults: stepPercent 10, stepBakeTimeInMinutes 6; no step bake after 100%.
    const step = num(name, 'LinearConfiguration.StepPercent', l.StepPercent, STEP_PERCENT, 10);
    const bake = 60 * num(name, 'LinearConfiguration.StepBakeTimeInMinutes', l.StepBakeTimeInMinutes, MINUTES, 6);
    if (step <= 0) fail(name, 'LinearConfiguration.StepPercent', 'must be more than 0', step);
    for (let i = 1; i * step < 100 - 1e-9; i++) steps.push(weightStep(Math.round(i * step * 10) / 10), bakeStep(bake));
  }
  steps.push(weightStep(100));
  if (dc.BakeTimeInMinutes === undefined) {
    fail(name, 'DeploymentConfiguration.BakeTimeInMinutes', "must be set in the template (the timeline does not guess ECS's default bake time)", undefined);
  }
  const bakeTime = num(name, 'DeploymentConfiguration.BakeTimeInMinutes', dc.BakeTimeInMinutes, MINUTES);
  if (bakeTime > 0) steps.push(bakeStep(60 * bakeTime, `bake(${formatSeconds(60 * bakeTime)}) with blue kept`));
  const alarms = dc.Alarms;
  const gates = alarms && alarms.Enable && alarms.Rollback ? alarmGates(`${name} DeploymentConfiguration.Alarms`, alarms.AlarmNames ?? [], resources) : [];
  return { name, file, engine: TimelineEngine.ecs(), schedule: { steps, backgroundGates: gates, backgroundStartStep: 0 } };
}

function readDeploymentGroup(file: string, id: string, r: any, resources: { [id: string]: any }): FoundRelease {
  const name = `AWS::CodeDeploy::DeploymentGroup ${resourceName(id, r)}`;
  const p = r.Properties ?? {};
  const configName = p.DeploymentConfigName;
  const steps: ScheduleStep[] = [];
  const pushShape = (type: string, percentage?: number, minutes?: number) => {
    if (type === 'AllAtOnce') {
      steps.push(weightStep(100));
    } else if (type === 'TimeBasedCanary') {
      steps.push(weightStep(percentage!), bakeStep(60 * minutes!), weightStep(100));
    } else if (type === 'TimeBasedLinear') {
      for (let w = percentage!; w < 100; w += percentage!) steps.push(weightStep(w), bakeStep(60 * minutes!));
      steps.push(weightStep(100));
    } else {
      fail(name, 'DeploymentConfigName', 'must be a Lambda or ECS traffic-shifting configuration (AllAtOnce, TimeBasedCanary, TimeBasedLinear)', type);
    }
  };
  if (typeof configName === 'string') {
    const m = CODEDEPLOY_PREDEFINED.exec(configName);
    if (!m) fail(name, 'DeploymentConfigName', 'must be a predefined CodeDeployDefault.Lambda* or CodeDeployDefault.ECS* configuration, or a Ref to an AWS::CodeDeploy::DeploymentConfig', configName);
    if (m[1]) pushShape('AllAtOnce');
    else if (m[2]) pushShape('TimeBasedCanary', Number(m[2]), Number(m[3]));
    else pushShape('TimeBasedLinear', Number(m[4]), Number(m[5]));
  } else if (configName && typeof configName.Ref === 'string' && resources[configName.Ref]?.Type === 'AWS::CodeDeploy::DeploymentConfig') {
    const cw = `AWS::CodeDeploy::DeploymentConfig ${configName.Ref}`;
    const t = resources[configName.Ref].Properties?.TrafficRoutingConfig;
    if (!t) fail(cw, 'TrafficRoutingConfig', 'must be set (EC2/on-premises configurations do not shift traffic)', undefined);
    if (t.Type === 'TimeBasedCanary') pushShape(t.Type, num(cw, 'TimeBasedCanary.CanaryPercentage', t.TimeBasedCanary?.CanaryPercentage, PERCENT), num(cw, 'TimeBasedCanary.CanaryInterval', t.TimeBasedCanary?.CanaryInterval, MINUTES));
    else if (t.Type === 'TimeBasedLinear') pushShape(t.Type, num(cw, 'TimeBasedLinear.LinearPercentage', t.TimeBasedLinear?.LinearPercentage, STEP_PERCENT), num(cw, 'TimeBasedLinear.LinearInterval', t.TimeBasedLinear?.LinearInterval, MINUTES));
    else pushShape(t.Type);
  } else {
    fail(name, 'DeploymentConfigName', 'must be a predefined configuration name or a Ref to an AWS::CodeDeploy::DeploymentConfig in the same template', configName);
  }
  const wait = p.BlueGreenDeploymentConfiguration?.TerminateBlueInstancesOnDeploymentSuccess?.TerminationWaitTimeInMinutes;
  if (wait !== undefined && num(name, 'TerminationWaitTimeInMinutes', wait, MINUTES) > 0) steps.push(bakeStep(60 * wait, `bake(${formatSeconds(60 * wait)}) with original kept`));
  const rollbackOnAlarm = p.AutoRollbackConfiguration?.Enabled === true
    && (p.AutoRollbackConfiguration.Events ?? []).includes('DEPLOYMENT_STOP_ON_ALARM');
  const alarmConfig = p.AlarmConfiguration;
  const gates = rollbackOnAlarm && alarmConfig?.Enabled !== false
    ? alarmGates(`${name} AlarmConfiguration`, list(name, 'AlarmConfiguration.Alarms', alarmConfig?.Alarms).map((a: any) => a?.Name), resources)
    : [];
  return { name, file, engine: TimelineEngine.codeDeploy(), schedule: { steps, backgroundGates: gates, backgroundStartStep: 0 } };
}
