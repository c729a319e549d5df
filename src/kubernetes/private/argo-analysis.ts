/**
 * Renders `Gate`s as Argo Rollouts AnalysisTemplates (v1.9) and the `analysis` reference (templates and
 * args) that a Rollout step, background analysis, or blue/green pre-/post-promotion analysis uses.
 *
 * Private: shared by CanaryRollout and BlueGreenService, never exported from index.ts.
 *
 * How results are judged (Argo Rollouts evaluates `successCondition`/`failureCondition` with the
 * expr language; its environment adds `isNaN`, `isInf`, `isNil`, `default`, `asInt` and `asFloat`):
 *
 * - Prometheus: an instant-vector query gives `result` as a list of numbers; every element must pass.
 *   An empty vector or NaN fails the measurement (`NoDataBehavior.FAIL`) or makes it inconclusive
 *   (`NoDataBehavior.INCONCLUSIVE`, which pauses the Rollout for a person).
 * - Datadog: `result` is one number, or nil when the query has no data.
 * - CloudWatch: `result[0].Values` holds the data points of the (single returned) query or expression.
 * - New Relic: `result` is the first row as a map; the NRQL query must name its number `value`
 *   (`SELECT ... AS value`).
 * - Web with jsonPath: `result` is the value at the path (number or numeric string).
 * - Web without jsonPath and job gates have no conditions: a 2xx answer or exit code 0 passes. An
 *   error (non-2xx, timeout, failed job) counts towards `consecutiveErrorLimit` (web) or fails the
 *   measurement (job).
 */
import { Construct } from 'constructs';
import { EXPRESSION_ID, promDuration } from './gate-rendering';
import { NAME_LABEL } from './workload';
import { fail } from '../../private/validate';
import { Gate, GateProvider, NoDataBehavior } from '../../strategy/gate';
import { Threshold } from '../../strategy/threshold';
import {
  AnalysisTemplate, AnalysisTemplateSpecMetrics, AnalysisTemplateSpecMetricsConsecutiveErrorLimit, AnalysisTemplateSpecMetricsCount,
  AnalysisTemplateSpecMetricsFailureLimit, AnalysisTemplateSpecMetricsInconclusiveLimit, AnalysisTemplateSpecMetricsProvider,
  AnalysisTemplateSpecMetricsProviderCloudWatchMetricDataQueriesMetricStatPeriod,
} from '../imports/argo-analysis-template-argoproj.io';

/** Options for `argoAnalysisTemplates`. */
export interface ArgoAnalysisOptions {
  /**
   * Render templates that measure until the rollout ends (background analysis: no `count`). Otherwise
   * each metric takes `gate.count` measurements, as inline steps and blue/green pre-/post-promotion
   * analyses need (Argo refuses metrics that run indefinitely there).
   * @default false
   */
  readonly continuous?: boolean;
  /**
   * Where errors are reported.
   * @default scope.node.path
   */
  readonly where?: string;
  /**
   * Field name used in error messages.
   * @default 'gates'
   */
  readonly field?: string;
  /**
   * Values of the placeholders only some releases have (blue/green Service names), filled at synth.
   * @default - none: gates using them are refused
   */
  readonly placeholders?: { [name: string]: string };
}

/** One argument of an analysis reference, as the Rollout CRD reads it. */
export interface ArgoAnalysisArg {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly podTemplateHashValue?: 'Latest' | 'Stable'; readonly fieldRef?: { readonly fieldPath: string } };
}

/** The `analysis` reference of a Rollout step, background analysis or blue/green promotion analysis. */
export interface ArgoAnalysisRef {
  readonly templates: Array<{ readonly templateName: string }>;
  readonly args: ArgoAnalysisArg[];
}

/** Argument names and where their values come from. */
const ARGS: { [placeholder: string]: ArgoAnalysisArg } = {
  namespace: { name: 'namespace', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
  // Latest is the new ReplicaSet: the canary, or the blue/green preview.
  canaryPods: { name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } },
  // Stable is the ReplicaSet serving production: the canary's stable, or the blue/green active.
  stablePods: { name: 'stable-hash', valueFrom: { podTemplateHashValue: 'Stable' } },
};
const ENGINE = 'Argo Rollouts';

/**
 * Emits one AnalysisTemplate per distinct gate under `scope` (named `<workload>-<gate>`, or
 * `<workload>-<gate>-continuous` for background analysis) and returns the reference to put in a
 * Rollout. A gate used twice in one scope gets one template; two different gates with one name are
 * refused. Works for canaries (Latest = canary, Stable = stable) and blue/green (Latest = preview,
 * Stable = active): `{{canaryPods}}` and `{{stablePods}}` become `<workload>-<hash>-.*` with the hashes
 * passed as args (`podTemplateHashValue`), because Argo names a ReplicaSet `<rollout>-<pod-template-hash>`
 * and its pods `<replicaset>-<suffix>`.
 */
export function argoAnalysisTemplates(scope: Construct, workloadName: string, gates: Gate[], options: ArgoAnalysisOptions = {}): ArgoAnalysisRef {
  const where = options.where ?? scope.node.path;
  const field = options.field ?? 'gates';
  const continuous = options.continuous ?? false;
  if (!Array.isArray(gates) || gates.length === 0) fail(where, field, 'must name at least one gate', gates);
  // Argo merges the templates of one analysis into one AnalysisRun and refuses two metrics with one name.
  const seen = new Map<string, Gate>();
  gates.forEach((g, i) => {
    if (!(g instanceof Gate)) fail(where, `${field}[${i}]`, 'must be a Gate', g);
    const other = seen.get(g.name);
    if (other && !other.sameAs(g)) fail(where, field, 'must not give one metric name to two different gates', g.name);
    seen.set(g.name, g);
  });
  const used = new Set<string>();
  const templates: Array<{ templateName: string }> = [];
  for (const gate of seen.values()) {
    checkArgoGate(where, `${field}[${gates.indexOf(gate)}]`, gate, continuous, Object.keys(options.placeholders ?? {}));
    const name = `${workloadName}-${gate.name}${continuous ? '-continuous' : ''}`;
    const id = `AnalysisTemplate-${gate.name}${continuous ? '-continuous' : ''}`;
    const existing = scope.node.tryFindChild(id) as AnalysisTemplateFor | undefined;
    if (existing && !(existing.gate.sameAs(gate))) {
      fail(where, field, 'must not give one metric name to two different gates', gate.name);
    }
    const rendered = renderMetric(gate, workloadName, continuous, options.placeholders ?? {});
    rendered.args.forEach((a) => used.add(a));
    if (!existing) {
      const t = new AnalysisTemplate(scope, id, {
        metadata: { name, labels: { [NAME_LABEL]: workloadName } },
        spec: {
          args: rendered.args.length > 0 ? rendered.args.map((a) => ({ name: ARGS[a].name })) : undefined,
          metrics: [rendered.metric],
        },
      });
      (t as AnalysisTemplateFor).gate = gate;
    }
    templates.push({ templateName: name });
  }
  const args = Object.keys(ARGS).filter((p) => used.has(p)).map((p) => ARGS[p]);
  return { templates, args };
}

type AnalysisTemplateFor = AnalysisTemplate & { gate: Gate };

/**
 * Refuses gates Argo Rollouts cannot run as asked; throws `<where>: invalid '<field>': ...`.
 * Mirrors the controller's own metric validation (a measurement count below failureLimit or
 * inconclusiveLimit is invalid) and the provider limits documented above.
 */
export function checkArgoGate(where: string, field: string, gate: Gate, continuous: boolean, releasePlaceholders: string[] = []): void {
  if (gate.provider === GateProvider.BUILT_IN) {
    fail(where, field, `${ENGINE} has no built-in request metrics; use Gate.prometheus() (or another provider) with your router's or mesh's query instead of gate '${gate.name}'`, `${gate.name} (built in)`);
  }
  if (!continuous) {
    // Argo (ValidateMetric): "count must be >= failureLimit" and ">= inconclusiveLimit".
    if (gate.failureLimit > gate.count) {
      fail(where, `${field}.failureLimit`, `${ENGINE} needs failureLimit at most count (${gate.count}) for gate '${gate.name}'`, gate.failureLimit);
    }
    if (gate.inconclusiveLimit > gate.count) {
      fail(where, `${field}.inconclusiveLimit`, `${ENGINE} needs inconclusiveLimit at most count (${gate.count}) for gate '${gate.name}'`, gate.inconclusiveLimit);
    }
  }
  const texts = [
    gate.queryText() ?? '',
    ...(gate.cloudWatchMetrics ?? []).flatMap((m) => Object.values(m.dimensions)),
    ...(gate.webOptions ? [gate.webOptions.url, gate.webOptions.body ?? '', ...Object.values(gate.webOptions.headers ?? {})] : []),
    ...(gate.jobOptions?.command ?? []),
  ];
  for (const text of texts) {
    for (const p of Gate._placeholdersIn(text)) {
      if (!Gate.QUERY_PLACEHOLDERS.includes(p.name)) {
        fail(where, field, `may only use the placeholders ${Gate.QUERY_PLACEHOLDERS.map((q) => `{{${q}}}`).join(', ')} (gate '${gate.name}')`, p.raw);
      }
      if (Gate.SERVICE_PLACEHOLDERS.includes(p.name) && !releasePlaceholders.includes(p.name)) {
        fail(where, field, `may use ${Gate.SERVICE_PLACEHOLDERS.map((q) => `{{${q}}}`).join(' and ')} only in blue/green gates (gate '${gate.name}')`, p.raw);
      }
    }
  }
  if (gate.cloudWatchMetrics?.some((m) => m.id === EXPRESSION_ID)) {
    fail(where, `${field}.metrics`, `must not use the id '${EXPRESSION_ID}', which evaluates the expression of gate '${gate.name}'`, EXPRESSION_ID);
  }
  const noConditions = gate.provider === GateProvider.JOB || (gate.provider === GateProvider.WEB && gate.webOptions?.jsonPath === undefined);
  if (gate.onNoData === NoDataBehavior.INCONCLUSIVE && noConditions) {
    fail(where, `${field}.onNoData`, `${ENGINE} judges gate '${gate.name}' by its exit or status code alone, so it has no empty result to call inconclusive; use NoDataBehavior.FAIL`, gate.onNoData);
  }
  if (gate.provider === GateProvider.PROMETHEUS && gate.prometheusOptions?.secretName !== undefined) {
    fail(where, `${field}.secretName`, `${ENGINE} 1.9 cannot read Prometheus credentials from a Secret (only headers, OAuth2 or SigV4); remove secretName from gate '${gate.name}' or use RolloutEngine.flagger()`, gate.prometheusOptions.secretName);
  }
  if (gate.provider === GateProvider.DATADOG) {
    const address = gate.datadogOptions?.address;
    if (address !== undefined && address.replace(/\/+$/, '') !== 'https://api.datadoghq.com') {
      fail(where, `${field}.address`, `${ENGINE} reads the Datadog address from the 'address' key of its Datadog Secret, not from the gate; remove address from gate '${gate.name}'`, address);
    }
  }
  if (gate.provider === GateProvider.NEW_RELIC && !/\bas\s+[`'"]?value[`'"]?(\s|$|,)/i.test(gate.newRelicOptions!.query + ' ')) {
    fail(where, `${field}.query`, `${ENGINE} reads a New Relic result by name: the NRQL query of gate '${gate.name}' must name its number 'value' (SELECT ... AS value)`, gate.newRelicOptions!.query);
  }
  if (gate.provider === GateProvider.NEW_RELIC && gate.newRelicOptions?.secretName !== undefined && gate.newRelicOptions.profile === undefined) {
    // The Flagger secret is not read by Argo Rollouts; say so instead of dropping it silently.
    fail(where, `${field}.profile`, `${ENGINE} reads New Relic credentials from the Secret 'newrelic-<profile>' (or 'newrelic') in its own namespace, not from secretName; set profile on gate '${gate.name}'`, undefined);
  }
}

interface RenderedMetric {
  readonly metric: AnalysisTemplateSpecMetrics;
  readonly args: string[];
}

function renderMetric(gate: Gate, workloadName: string, continuous: boolean, placeholders: { [name: string]: string }): RenderedMetric {
  const args = new Set<string>();
  const fill = (text: string): string => Gate._fillPlaceholders(text, (p) => {
    switch (p) {
      case 'namespace': args.add('namespace'); return '{{args.namespace}}';
      case 'workload': return workloadName;
      case 'interval': return promDuration(gate.interval);
      case 'canaryPods': args.add('canaryPods'); return `${workloadName}-{{args.canary-hash}}-.*`;
      case 'stablePods': args.add('stablePods'); return `${workloadName}-{{args.stable-hash}}-.*`;
      default: return placeholders[p];
    }
  });
  const conditions = gate.threshold ? conditionsFor(gate) : {};
  const metric: AnalysisTemplateSpecMetrics = {
    name: gate.name,
    interval: gate.interval.toDurationString(),
    count: continuous ? undefined : AnalysisTemplateSpecMetricsCount.fromNumber(gate.count),
    failureLimit: AnalysisTemplateSpecMetricsFailureLimit.fromNumber(gate.failureLimit),
    inconclusiveLimit: AnalysisTemplateSpecMetricsInconclusiveLimit.fromNumber(gate.inconclusiveLimit),
    consecutiveErrorLimit: AnalysisTemplateSpecMetricsConsecutiveErrorLimit.fromNumber(gate.consecutiveErrorLimit),
    initialDelay: gate.initialDelay?.toDurationString(),
    ...conditions,
    provider: renderProvider(gate, fill),
  };
  return { metric, args: [...args] };
}

function renderProvider(gate: Gate, fill: (text: string) => string): AnalysisTemplateSpecMetricsProvider {
  switch (gate.provider) {
    case GateProvider.PROMETHEUS: {
      const o = gate.prometheusOptions!;
      return {
        prometheus: {
          address: o.address,
          query: fill(o.query),
          timeout: o.timeoutSeconds,
          headers: o.headers ? Object.entries(o.headers).map(([key, value]) => ({ key, value })) : undefined,
        },
      };
    }
    case GateProvider.DATADOG: {
      const o = gate.datadogOptions!;
      return {
        datadog: {
          apiVersion: 'v2' as any,
          interval: gate.interval.toDurationString(),
          query: fill(o.query),
          secretRef: o.secretName ? { name: o.secretName, namespaced: true } : undefined,
        },
      };
    }
    case GateProvider.CLOUDWATCH: {
      const o = gate.cloudWatchOptions!;
      const metrics = gate.cloudWatchMetrics!;
      const expression = o.expression;
      return {
        cloudWatch: {
          interval: gate.interval.toDurationString(),
          metricDataQueries: [
            ...metrics.map((m) => ({
              id: m.id,
              metricStat: {
                metric: {
                  namespace: m.namespace,
                  metricName: m.metricName,
                  dimensions: Object.entries(m.dimensions).map(([name, value]) => ({ name, value: fill(value) })),
                },
                period: AnalysisTemplateSpecMetricsProviderCloudWatchMetricDataQueriesMetricStatPeriod.fromNumber(m.period.toSeconds()),
                stat: m.statistic,
              },
              returnData: expression === undefined,
            })),
            ...(expression !== undefined ? [{ id: EXPRESSION_ID, expression: fill(expression), returnData: true }] : []),
          ],
        },
      };
    }
    case GateProvider.NEW_RELIC: {
      const o = gate.newRelicOptions!;
      return { newRelic: { query: fill(o.query), profile: o.profile } };
    }
    case GateProvider.WEB: {
      const o = gate.webOptions!;
      return {
        web: {
          url: fill(o.url),
          // Argo Rollouts sends a body only with POST or PUT and fails every measurement of a GET with one.
          method: o.method ?? (o.body !== undefined ? 'POST' : undefined),
          headers: o.headers ? Object.entries(o.headers).map(([key, value]) => ({ key, value: fill(value) })) : undefined,
          body: o.body !== undefined ? fill(o.body) : undefined,
          jsonPath: o.jsonPath,
          timeoutSeconds: o.timeoutSeconds ?? 10,
        },
      };
    }
    case GateProvider.JOB: {
      const o = gate.jobOptions!;
      return {
        job: {
          metadata: { labels: { [NAME_LABEL]: `${gate.name}` } },
          spec: {
            backoffLimit: 0,
            activeDeadlineSeconds: o.timeoutSeconds ?? 300,
            template: {
              spec: {
                restartPolicy: 'Never',
                automountServiceAccountToken: false,
                securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
                containers: [{
                  name: 'gate',
                  image: o.image,
                  command: o.command.map(fill),
                  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                }],
              },
            },
          },
        },
      };
    }
    case GateProvider.BUILT_IN:
      throw new Error(`unreachable: ${gate.provider} gates are refused by checkArgoGate`);
  }
}

/** `successCondition` and `failureCondition` for a gate with a threshold (see the file comment). */
function conditionsFor(gate: Gate): { successCondition: string; failureCondition: string } {
  const t = gate.threshold!;
  const inconclusive = gate.onNoData === NoDataBehavior.INCONCLUSIVE;
  switch (gate.provider) {
    case GateProvider.PROMETHEUS:
      return {
        successCondition: `len(result) > 0 && all(result, {!isNaN(#) && ${within(t, '#')}})`,
        failureCondition: inconclusive
          ? `any(result, {!isNaN(#) && ${outside(t, '#')}})`
          : `len(result) == 0 || any(result, {isNaN(#) || ${outside(t, '#')}})`,
      };
    case GateProvider.CLOUDWATCH: {
      const v = 'result[0].Values';
      return {
        successCondition: `len(result) > 0 && len(${v}) > 0 && all(${v}, {!isNaN(#) && ${within(t, '#')}})`,
        failureCondition: inconclusive
          ? `len(result) > 0 && any(${v}, {!isNaN(#) && ${outside(t, '#')}})`
          : `len(result) == 0 || len(${v}) == 0 || any(${v}, {isNaN(#) || ${outside(t, '#')}})`,
      };
    }
    default: {
      // A single value: Datadog's number (nil without data), New Relic's `value` column, a web jsonPath value.
      const raw = gate.provider === GateProvider.NEW_RELIC ? 'result.value' : 'result';
      const x = gate.provider === GateProvider.DATADOG ? raw : `asFloat(${raw})`;
      return {
        successCondition: `${raw} != nil && !isNaN(${x}) && ${within(t, x)}`,
        failureCondition: inconclusive
          ? `${raw} != nil && !isNaN(${x}) && ${outside(t, x)}`
          : `${raw} == nil || isNaN(${x}) || ${outside(t, x)}`,
      };
    }
  }
}

function within(t: Threshold, x: string): string {
  const parts: string[] = [];
  if (t.min !== undefined) parts.push(`${x} >= ${t.min}`);
  if (t.max !== undefined) parts.push(`${x} <= ${t.max}`);
  return parts.join(' && ');
}

function outside(t: Threshold, x: string): string {
  const parts: string[] = [];
  if (t.min !== undefined) parts.push(`${x} < ${t.min}`);
  if (t.max !== undefined) parts.push(`${x} > ${t.max}`);
  return parts.length > 1 ? `(${parts.join(' || ')})` : parts[0];
}
