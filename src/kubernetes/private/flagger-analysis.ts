/**
 * Renders `Gate`s for Flagger (v1.44): a MetricTemplate plus a `thresholdRange` metric for every
 * metric gate, and a webhook for web gates without jsonPath and for job gates (load tester commands).
 *
 * Private: never exported from index.ts.
 *
 * Flagger checks every metric at every analysis interval. A query that returns no data (for
 * Prometheus also NaN) is reported as "no values found" and fails the check, as does a query error;
 * Flagger rolls back after `analysis.threshold` failed checks. A webhook fails the check on a non-2xx
 * answer. There is no inconclusive outcome, so `NoDataBehavior.INCONCLUSIVE` is refused.
 */
import { Construct } from 'constructs';
import { EXPRESSION_ID, promDuration } from './gate-rendering';
import { NAME_LABEL } from './workload';
import { fail } from '../../private/validate';
import { warn } from '../../private/warnings';
import { Gate, GateProvider, NoDataBehavior } from '../../strategy/gate';
import { MetricTemplate } from '../imports/flagger-flagger.app';

const ENGINE = 'Flagger';
/** Flagger's own pattern for the pods of the canary Deployment `<target>`: `<target>-<rs hash>-<suffix>`. */
export const FLAGGER_CANARY_PODS = '{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)';
/** The pods of the primary Deployment Flagger creates, `<target>-primary-<rs hash>-<suffix>`. */
export const FLAGGER_PRIMARY_PODS = '{{ target }}-primary-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)';

/** Options for `flaggerAnalysis`. */
export interface FlaggerAnalysisOptions {
  /** Where errors are reported. */
  readonly where: string;
  /** Field name used in error messages, e.g. `plan.gates`. */
  readonly field: string;
  /** URL of the Flagger load tester (for job gates). */
  readonly loadTesterUrl?: string;
  /** Namespace of the chart, when known (fills `{{namespace}}` in webhook URLs). */
  readonly namespace?: string;
  /** Flagger `provider` of the release (built-in metrics depend on it). */
  readonly provider?: string;
  /** Values of the placeholders only some releases have (blue/green Service names), filled at synth. */
  readonly placeholders?: { [name: string]: string };
}

/** A Flagger metric, as the Canary CRD reads it. */
export interface FlaggerMetric {
  readonly name: string;
  /** The MetricTemplate; none for Flagger's built-in metrics. */
  readonly templateRef?: { readonly name: string };
  readonly thresholdRange: { readonly min?: number; readonly max?: number };
  readonly interval: string;
}

/** A Flagger webhook, as the Canary CRD reads it. */
export interface FlaggerWebhook {
  readonly name: string;
  readonly type: string;
  readonly url: string;
  readonly timeout?: string;
  readonly metadata?: { [key: string]: string };
}

/** Metrics and webhooks for a Canary's `analysis`. */
export interface FlaggerAnalysis {
  readonly metrics: FlaggerMetric[];
  readonly webhooks: FlaggerWebhook[];
}

/**
 * Emits one MetricTemplate per metric gate under `scope` (named `<workload>-<gate>`) and returns the
 * Canary's metrics and webhooks for `gates`. Each gate is rendered once, however often it is listed.
 */
export function flaggerAnalysis(scope: Construct, workloadName: string, gates: Gate[], options: FlaggerAnalysisOptions): FlaggerAnalysis {
  const { where, field } = options;
  const metrics: FlaggerMetric[] = [];
  const webhooks: FlaggerWebhook[] = [];
  const seen = new Map<string, Gate>();
  gates.forEach((gate, i) => {
    const other = seen.get(gate.name);
    if (other) {
      if (!other.sameAs(gate)) fail(where, field, 'must not give one metric name to two different gates', gate.name);
      return;
    }
    seen.set(gate.name, gate);
    checkFlaggerGate(where, `${field}[${i}]`, gate, options);
    if (gate.provider === GateProvider.WEB) {
      const o = gate.webOptions!;
      webhooks.push({ name: gate.name, type: 'rollout', url: fillStatic(o.url, gate, workloadName, options), timeout: `${o.timeoutSeconds ?? 10}s` });
      return;
    }
    if (gate.provider === GateProvider.JOB) {
      const o = gate.jobOptions!;
      warn(scope, `Flagger runs job gate '${gate.name}' as a load tester command, in the load tester's image, not in '${o.image}'`);
      webhooks.push({
        name: gate.name,
        type: 'rollout',
        url: options.loadTesterUrl!,
        timeout: `${o.timeoutSeconds ?? 300}s`,
        metadata: { type: 'bash', cmd: shellJoin(o.command.map((c) => fillStatic(c, gate, workloadName, options))) },
      });
      return;
    }
    if (gate.provider === GateProvider.BUILT_IN) {
      const t = gate.threshold!;
      metrics.push({ name: gate.name, thresholdRange: { min: t.min, max: t.max }, interval: promDuration(gate.interval) });
      return;
    }
    if (gate.provider === GateProvider.PROMETHEUS && gate.prometheusOptions!.timeoutSeconds !== undefined) {
      warn(scope, `Flagger has no per-query timeout: timeoutSeconds of gate '${gate.name}' applies to Argo Rollouts only (Flagger uses its own client timeout)`);
    }
    const templateName = `${workloadName}-${gate.name}`;
    const id = `MetricTemplate-${gate.name}`;
    if (!scope.node.tryFindChild(id)) {
      new MetricTemplate(scope, id, {
        metadata: { name: templateName, labels: { [NAME_LABEL]: workloadName } },
        spec: renderTemplate(gate, options.placeholders ?? {}) as any,
      });
    }
    const t = gate.threshold!;
    metrics.push({
      name: gate.name,
      templateRef: { name: templateName },
      thresholdRange: { min: t.min, max: t.max },
      interval: promDuration(gate.interval),
    });
  });
  return { metrics, webhooks };
}

/** Refuses gates Flagger cannot run as asked; throws `<where>: invalid '<field>': ...`. */
export function checkFlaggerGate(where: string, field: string, gate: Gate, options: FlaggerAnalysisOptions): void {
  if (gate.onNoData === NoDataBehavior.INCONCLUSIVE) {
    fail(where, `${field}.onNoData`, `${ENGINE} counts a check without data as failed and has no inconclusive outcome; use NoDataBehavior.FAIL for gate '${gate.name}' or RolloutEngine.argoRollouts()`, gate.onNoData);
  }
  if (gate.inconclusiveLimit > 0) {
    fail(where, `${field}.inconclusiveLimit`, `${ENGINE} has no inconclusive outcome; leave inconclusiveLimit at 0 for gate '${gate.name}'`, gate.inconclusiveLimit);
  }
  const known = Object.keys(options.placeholders ?? {});
  for (const text of [gate.queryText() ?? '', ...(gate.cloudWatchMetrics ?? []).flatMap((m) => Object.values(m.dimensions))]) {
    checkReleasePlaceholders(where, `${field}.query`, text, gate, known);
  }
  switch (gate.provider) {
    case GateProvider.BUILT_IN:
      // Without a mesh observer of its own, Flagger reads these metrics with Istio's queries.
      if (options.provider !== undefined && options.provider.startsWith('smi')) {
        fail(where, field, `${ENGINE} has no built-in request metrics for SMI meshes (it would query Istio's metrics); use Gate.prometheus() with your mesh's query instead of gate '${gate.name}'`, options.provider);
      }
      return;
    case GateProvider.DATADOG:
      if (gate.datadogOptions!.secretName === undefined) {
        fail(where, `${field}.secretName`, `${ENGINE} needs a Secret with datadog_api_key and datadog_application_key for gate '${gate.name}'`, undefined);
      }
      return;
    case GateProvider.NEW_RELIC:
      if (gate.newRelicOptions!.secretName === undefined) {
        fail(where, `${field}.secretName`, `${ENGINE} needs a Secret with newrelic_account_id and newrelic_query_key for gate '${gate.name}'`, undefined);
      }
      return;
    case GateProvider.CLOUDWATCH:
      if (gate.cloudWatchOptions!.region === undefined) {
        fail(where, `${field}.region`, `${ENGINE} needs the AWS region of the metrics of gate '${gate.name}'`, undefined);
      }
      return;
    case GateProvider.WEB: {
      const o = gate.webOptions!;
      if (o.jsonPath !== undefined) {
        fail(where, `${field}.jsonPath`, `${ENGINE} webhooks pass on a 2xx answer and cannot read a value from the response; remove jsonPath and threshold from gate '${gate.name}', use a metric gate, or RolloutEngine.argoRollouts()`, o.jsonPath);
      }
      const custom = o.method !== undefined ? 'method' : o.headers !== undefined ? 'headers' : o.body !== undefined ? 'body' : undefined;
      if (custom !== undefined) {
        fail(where, `${field}.${custom}`, `${ENGINE} POSTs its own JSON payload to webhooks; remove method, headers and body from gate '${gate.name}'`, (o as any)[custom]);
      }
      checkStaticPlaceholders(where, `${field}.url`, [o.url], gate, options);
      return;
    }
    case GateProvider.JOB:
      if (options.loadTesterUrl === undefined) {
        fail(where, 'engine.loadTesterUrl', `is required for job gate '${gate.name}': Flagger runs job gates as load tester commands`, undefined);
      }
      checkStaticPlaceholders(where, `${field}.command`, gate.jobOptions!.command, gate, options);
      return;
    default:
      return;
  }
}

function checkStaticPlaceholders(where: string, field: string, texts: string[], gate: Gate, options: FlaggerAnalysisOptions): void {
  const known = Object.keys(options.placeholders ?? {});
  for (const text of texts) {
    checkReleasePlaceholders(where, field, text, gate, known);
    for (const p of Gate._placeholdersIn(text)) {
      const ok = p.name === 'workload' || p.name === 'interval' || (p.name === 'namespace' && options.namespace !== undefined) || known.includes(p.name);
      if (!ok) {
        fail(where, field, `may only use {{workload}}, {{interval}} and (when the chart has a namespace) {{namespace}}: ${ENGINE} does not fill placeholders in webhooks, so they are filled at synth (gate '${gate.name}')`, p.raw);
      }
    }
  }
}

/** Refuses the blue/green Service placeholders where the release has no such Services. */
function checkReleasePlaceholders(where: string, field: string, text: string, gate: Gate, known: string[]): void {
  for (const p of Gate._placeholdersIn(text)) {
    if (Gate.SERVICE_PLACEHOLDERS.includes(p.name) && !known.includes(p.name)) {
      fail(where, field, `may use ${Gate.SERVICE_PLACEHOLDERS.map((q) => `{{${q}}}`).join(' and ')} only in blue/green gates (gate '${gate.name}')`, p.raw);
    }
  }
}

function fillStatic(text: string, gate: Gate, workloadName: string, options: FlaggerAnalysisOptions): string {
  return Gate._fillPlaceholders(text, (p) => {
    if (p === 'workload') return workloadName;
    if (p === 'interval') return promDuration(gate.interval);
    if (p === 'namespace') return options.namespace;
    return options.placeholders?.[p];
  });
}

function fillQuery(text: string, placeholders: { [name: string]: string }): string {
  return Gate._fillPlaceholders(text, (p) => {
    switch (p) {
      case 'namespace': return '{{ namespace }}';
      case 'workload': return '{{ target }}';
      case 'interval': return '{{ interval }}';
      case 'canaryPods': return FLAGGER_CANARY_PODS;
      case 'stablePods': return FLAGGER_PRIMARY_PODS;
      default: return placeholders[p];
    }
  });
}

function renderTemplate(gate: Gate, placeholders: { [name: string]: string }): { provider: { [key: string]: any }; query: string } {
  switch (gate.provider) {
    case GateProvider.PROMETHEUS: {
      const o = gate.prometheusOptions!;
      return {
        provider: {
          type: 'prometheus',
          address: o.address,
          headers: o.headers ? Object.fromEntries(Object.entries(o.headers).map(([k, v]) => [k, [v]])) : undefined,
          secretRef: o.secretName ? { name: o.secretName } : undefined,
        },
        query: fillQuery(o.query, placeholders),
      };
    }
    case GateProvider.DATADOG: {
      const o = gate.datadogOptions!;
      return {
        provider: { type: 'datadog', address: o.address ?? 'https://api.datadoghq.com', secretRef: { name: o.secretName! } },
        query: fillQuery(o.query, placeholders),
      };
    }
    case GateProvider.NEW_RELIC: {
      const o = gate.newRelicOptions!;
      return { provider: { type: 'newrelic', secretRef: { name: o.secretName! } }, query: fillQuery(o.query, placeholders) };
    }
    case GateProvider.CLOUDWATCH: {
      const o = gate.cloudWatchOptions!;
      // Flagger's CloudWatch query is a JSON list of GetMetricData queries (AWS API field names).
      const queries: any[] = gate.cloudWatchMetrics!.map((m) => ({
        Id: m.id,
        MetricStat: {
          Metric: {
            Namespace: m.namespace,
            MetricName: m.metricName,
            Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value: fillQuery(Value, placeholders) })),
          },
          Period: m.period.toSeconds(),
          Stat: m.statistic,
        },
        ReturnData: o.expression === undefined,
      }));
      if (o.expression !== undefined) queries.push({ Id: EXPRESSION_ID, Expression: fillQuery(o.expression, placeholders), ReturnData: true });
      return { provider: { type: 'cloudwatch', region: o.region! }, query: JSON.stringify(queries) };
    }
    default:
      throw new Error(`unreachable: ${gate.provider} gates are webhooks`);
  }
}

/** Joins a command for `sh -c`, quoting each argument that needs it. */
export function shellJoin(command: string[]): string {
  return command.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(' ');
}
