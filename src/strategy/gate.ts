import { Interval } from './interval';
import { Threshold } from './threshold';
import { migrationToolIn } from '../migrations/migration-tool';
import { checkDnsLabel, checkNonEmpty, checkRange, fail } from '../private/validate';

/** Where a gate's measurement comes from. */
export enum GateProvider {
  /** A PromQL query against a Prometheus-compatible server. */
  PROMETHEUS = 'prometheus',
  /** A Datadog metrics query. */
  DATADOG = 'datadog',
  /** Amazon CloudWatch metrics (one metric or metric math). */
  CLOUDWATCH = 'cloudwatch',
  /** A New Relic NRQL query. */
  NEW_RELIC = 'newrelic',
  /** An HTTP endpoint whose JSON response (or status code) is the measurement. */
  WEB = 'web',
  /** A Kubernetes Job (or command) whose exit status is the measurement. */
  JOB = 'job',
  /**
   * A request metric the engine measures itself from its router's or mesh's metrics (Flagger's
   * `request-success-rate` and `request-duration`).
   */
  BUILT_IN = 'builtIn',
}

/** What a gate does when its query returns no data (or NaN). */
export enum NoDataBehavior {
  /** Count the measurement as failed. Safe default: missing data never lets traffic grow. */
  FAIL = 'fail',
  /**
   * Count the measurement as inconclusive, which pauses the rollout for a person to decide
   * (Argo Rollouts only; Flagger counts every query without data as a failed check).
   */
  INCONCLUSIVE = 'inconclusive',
}

const SERVICE_PLACEHOLDERS = ['previewService', 'activeService'];
const QUERY_PLACEHOLDERS = ['namespace', 'workload', 'interval', 'canaryPods', 'stablePods', ...SERVICE_PLACEHOLDERS];
/** `{{name}}`, with optional spaces inside the braces. The one pattern every engine reads placeholders with. */
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Options every gate takes. */
export interface GateOptions {
  /**
   * Name of the gate; becomes the metric name in every engine. Lower-case letters, digits and '-'.
   */
  readonly name: string;
  /**
   * How often the gate measures.
   * @default Interval.minutes(1)
   */
  readonly interval?: Interval;
  /**
   * How many measurements a gate takes when it runs as an analysis step. Background gates keep
   * measuring until the rollout completes.
   * @default 3
   */
  readonly count?: number;
  /**
   * How many failed measurements are tolerated; one more aborts the rollout.
   * @default 1
   */
  readonly failureLimit?: number;
  /**
   * How many inconclusive measurements are tolerated before the rollout pauses (Argo Rollouts).
   * @default 0
   */
  readonly inconclusiveLimit?: number;
  /**
   * How many measurement errors in a row (query errors, timeouts) abort the rollout (Argo Rollouts).
   * @default 4
   */
  readonly consecutiveErrorLimit?: number;
  /**
   * Time to wait before the first measurement, so the new version has traffic to measure.
   * @default - measure at once
   */
  readonly initialDelay?: Interval;
  /**
   * What an empty result or NaN counts as.
   * @default NoDataBehavior.FAIL
   */
  readonly onNoData?: NoDataBehavior;
}

/** A gate on a Prometheus query. */
export interface PrometheusGateOptions extends GateOptions {
  /** Address of the Prometheus server, e.g. `http://prometheus.monitoring:9090`. */
  readonly address: string;
  /** PromQL query returning one number; may use the placeholders in `Gate.QUERY_PLACEHOLDERS`. */
  readonly query: string;
  /** Range the result must stay in. */
  readonly threshold: Threshold;
  /**
   * Query timeout in seconds.
   * @default - the engine's default (Argo Rollouts: 30 seconds; Flagger: its own client timeout)
   */
  readonly timeoutSeconds?: number;
  /**
   * HTTP headers sent with the query (e.g. a tenant header for Thanos or Mimir).
   * @default - no extra headers
   */
  readonly headers?: { [name: string]: string };
  /**
   * Secret holding credentials for the server (Flagger `secretRef`: keys `username`/`password` or `token`).
   * @default - no credentials
   */
  readonly secretName?: string;
}

/** A gate on a Datadog query. */
export interface DatadogGateOptions extends GateOptions {
  /** Datadog metrics query returning one number. */
  readonly query: string;
  /** Range the result must stay in. */
  readonly threshold: Threshold;
  /**
   * Datadog API address (Flagger).
   * @default 'https://api.datadoghq.com'
   */
  readonly address?: string;
  /**
   * Secret with the keys `datadog_api_key` and `datadog_application_key` (Flagger) or `api-key` and
   * `app-key` (Argo Rollouts, in the rollout's namespace).
   * @default - Argo Rollouts reads the `datadog` secret of its own namespace; Flagger needs it, so a Flagger gate without it is refused
   */
  readonly secretName?: string;
}

/** One CloudWatch metric a gate reads. */
export interface CloudWatchMetricOptions {
  /**
   * Identifier used in `expression`; lower-case first letter.
   * @default 'm1' for the first metric, 'm2' for the second, and so on
   */
  readonly id?: string;
  /** Metric namespace, e.g. `AWS/ApplicationELB`. */
  readonly namespace: string;
  /** Metric name, e.g. `HTTPCode_Target_5XX_Count`. */
  readonly metricName: string;
  /**
   * Metric dimensions.
   * @default - no dimensions
   */
  readonly dimensions?: { [name: string]: string };
  /**
   * Statistic: `Average`, `Sum`, `Minimum`, `Maximum`, `SampleCount` or a percentile such as `p99`.
   * @default 'Average'
   */
  readonly statistic?: string;
  /**
   * Aggregation period.
   * @default Interval.minutes(1)
   */
  readonly period?: Interval;
}

/** A gate on Amazon CloudWatch metrics. */
export interface CloudWatchGateOptions extends GateOptions {
  /** The metrics read; with more than one, `expression` combines them. */
  readonly metrics: CloudWatchMetricOptions[];
  /**
   * Metric math over the metric ids, e.g. `m1 / m2`.
   * @default - the single metric itself
   */
  readonly expression?: string;
  /** Range the result must stay in. */
  readonly threshold: Threshold;
  /**
   * AWS region of the metrics (Flagger needs it).
   * @default - the region the engine runs in
   */
  readonly region?: string;
}

/** A gate on a New Relic NRQL query. */
export interface NewRelicGateOptions extends GateOptions {
  /** NRQL query returning one number. */
  readonly query: string;
  /** Range the result must stay in. */
  readonly threshold: Threshold;
  /**
   * Argo Rollouts profile (the secret `newrelic-<profile>` in its namespace).
   * @default - the `newrelic` secret
   */
  readonly profile?: string;
  /**
   * Secret with `newrelic_account_id` and `newrelic_query_key` (Flagger).
   * @default - none; a Flagger gate without it is refused
   */
  readonly secretName?: string;
}

/** A gate on an HTTP endpoint. */
export interface WebGateOptions extends GateOptions {
  /** URL called at each measurement. */
  readonly url: string;
  /**
   * HTTP method: `GET`, `POST` or `PUT`.
   * @default - 'POST' when `body` is given, 'GET' otherwise
   */
  readonly method?: string;
  /**
   * HTTP headers.
   * @default - no extra headers
   */
  readonly headers?: { [name: string]: string };
  /**
   * Request body (for POST or PUT).
   * @default - no body
   */
  readonly body?: string;
  /**
   * JSONPath into the response whose number is compared with `threshold`, e.g. `{$.errorRate}`.
   * @default - no JSON check; a 2xx status code passes
   */
  readonly jsonPath?: string;
  /**
   * Range the value at `jsonPath` must stay in; required with `jsonPath`.
   * @default - no JSON check; a 2xx status code passes
   */
  readonly threshold?: Threshold;
  /**
   * Request timeout in seconds.
   * @default 10
   */
  readonly timeoutSeconds?: number;
}

/** A gate that runs a command to completion; exit code 0 passes. */
export interface JobGateOptions extends GateOptions {
  /** Container image that runs the command. */
  readonly image: string;
  /** Command and arguments, e.g. `['sh', '-c', 'curl -fsS http://checkout-canary/healthz']`. */
  readonly command: string[];
  /**
   * Seconds after which the command is stopped and the measurement fails.
   * @default 300
   */
  readonly timeoutSeconds?: number;
}

/** Options for `Gate.requestSuccessRate` and `Gate.requestDuration`. */
export interface RequestMetricGateOptions {
  /** Range the measurement must stay in (a percentage for the success rate, milliseconds for the duration). */
  readonly threshold: Threshold;
  /**
   * Window the engine measures over, and how often (Flagger's metric `interval`).
   * @default Interval.minutes(1)
   */
  readonly interval?: Interval;
  /**
   * How many failed checks are tolerated; one more aborts the release.
   * @default 1
   */
  readonly failureLimit?: number;
}

/** A CloudWatch metric with every default resolved. */
export interface ResolvedCloudWatchMetric {
  /** Identifier used in expressions. */
  readonly id: string;
  /** Metric namespace. */
  readonly namespace: string;
  /** Metric name. */
  readonly metricName: string;
  /** Dimensions (possibly empty). */
  readonly dimensions: { [name: string]: string };
  /** Statistic. */
  readonly statistic: string;
  /** Aggregation period. */
  readonly period: Interval;
}

const STATISTIC = /^(Average|Sum|Minimum|Maximum|SampleCount|p\d{1,2}(\.\d+)?|tm\d{1,2}|IQM)$/;

/**
 * A condition that must hold before a release goes on: a measurement from a provider compared with a
 * `Threshold`, taken every `interval`, tolerating `failureLimit` failures.
 *
 * One gate renders to an Argo Rollouts AnalysisTemplate metric, a Flagger metric (MetricTemplate and
 * `thresholdRange`, or a webhook for web and job gates) and, for CloudWatch, a CloudWatch alarm.
 */
export class Gate {
  /**
   * Placeholders a gate's query (and a web gate's URL and body, a job gate's command) may use; each
   * engine fills them in its own way.
   *
   * - `{{namespace}}`: the namespace of the released workload.
   * - `{{workload}}`: the name of the released workload.
   * - `{{interval}}`: the gate's interval as a duration (`1m`), for rate windows.
   * - `{{canaryPods}}`: a regular expression matching the names of the new version's pods.
   * - `{{stablePods}}`: a regular expression matching the names of the stable version's pods
   *   (use both to compare the new version with its baseline).
   * - `{{previewService}}`, `{{activeService}}` (blue/green only): the names of the Services in
   *   front of the new version and of production, e.g. for a smoke test against the preview.
   */
  public static readonly QUERY_PLACEHOLDERS: string[] = QUERY_PLACEHOLDERS;

  /** The placeholders only blue/green releases have: `previewService` and `activeService`. */
  public static readonly SERVICE_PLACEHOLDERS: string[] = SERVICE_PLACEHOLDERS;

  /**
   * A gate on a Prometheus query.
   * @example Gate.prometheus({ name: 'success-rate', address: 'http://prometheus.monitoring:9090', query: 'sum(rate(http_requests_total{code!~"5.."}[1m])) / sum(rate(http_requests_total[1m]))', threshold: Threshold.atLeast(0.99) })
   */
  public static prometheus(options: PrometheusGateOptions): Gate {
    const where = 'Gate.prometheus()';
    checkNonEmpty(where, 'address', options.address);
    if (!/^https?:\/\//.test(options.address)) fail(where, 'address', 'must be an http:// or https:// URL', options.address);
    checkQuery(where, 'query', options.query);
    if (options.timeoutSeconds !== undefined) checkRange(where, 'timeoutSeconds', options.timeoutSeconds, 1, 600);
    return new Gate(where, GateProvider.PROMETHEUS, options, options.threshold, { prometheus: options });
  }

  /**
   * A gate on a Datadog metrics query.
   * @example Gate.datadog({ name: 'error-rate', query: 'sum:requests.error{service:checkout}.as_count()', threshold: Threshold.atMost(5) })
   */
  public static datadog(options: DatadogGateOptions): Gate {
    const where = 'Gate.datadog()';
    checkQuery(where, 'query', options.query);
    return new Gate(where, GateProvider.DATADOG, options, options.threshold, { datadog: options });
  }

  /**
   * A gate on Amazon CloudWatch metrics.
   * @example Gate.cloudWatch({ name: 'target-5xx', metrics: [{ namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', statistic: 'Sum' }], threshold: Threshold.atMost(10) })
   */
  public static cloudWatch(options: CloudWatchGateOptions): Gate {
    const where = 'Gate.cloudWatch()';
    if (!options.metrics || options.metrics.length === 0) fail(where, 'metrics', 'must list at least one metric', options.metrics);
    if (options.metrics.length > 1 && !options.expression) {
      fail(where, 'expression', 'is required when more than one metric is read (metric math combining their ids)', options.expression);
    }
    const metrics = resolveCloudWatchMetrics(where, options.metrics);
    if (options.expression !== undefined) checkNonEmpty(where, 'expression', options.expression);
    return new Gate(where, GateProvider.CLOUDWATCH, options, options.threshold, { cloudWatch: options, cloudWatchMetrics: metrics });
  }

  /**
   * A gate on a New Relic NRQL query.
   * @example Gate.newRelic({ name: 'apdex', query: "SELECT apdex(duration, t: 0.4) FROM Transaction WHERE appName = 'checkout'", threshold: Threshold.atLeast(0.9) })
   */
  public static newRelic(options: NewRelicGateOptions): Gate {
    const where = 'Gate.newRelic()';
    checkQuery(where, 'query', options.query);
    return new Gate(where, GateProvider.NEW_RELIC, options, options.threshold, { newRelic: options });
  }

  /**
   * A gate on an HTTP endpoint: the number at `jsonPath` within `threshold`, or a 2xx status code.
   * @example Gate.web({ name: 'smoke', url: 'http://smoke-tests.qa/run?target=checkout', jsonPath: '{$.failures}', threshold: Threshold.atMost(0) })
   */
  public static web(options: WebGateOptions): Gate {
    const where = 'Gate.web()';
    checkNonEmpty(where, 'url', options.url);
    if (!/^https?:\/\//.test(options.url)) fail(where, 'url', 'must be an http:// or https:// URL', options.url);
    if ((options.jsonPath === undefined) !== (options.threshold === undefined)) {
      fail(where, options.jsonPath === undefined ? 'jsonPath' : 'threshold', 'jsonPath and threshold must be given together', options.jsonPath ?? options.threshold);
    }
    if (options.method !== undefined && !['GET', 'POST', 'PUT'].includes(options.method)) {
      fail(where, 'method', "must be 'GET', 'POST' or 'PUT'", options.method);
    }
    if (options.method === 'GET' && options.body !== undefined) {
      fail(where, 'method', "must be 'POST' or 'PUT' when a body is given (a GET request carries no body)", options.method);
    }
    if (options.timeoutSeconds !== undefined) checkRange(where, 'timeoutSeconds', options.timeoutSeconds, 1, 600);
    return new Gate(where, GateProvider.WEB, options, options.threshold, { web: options });
  }

  /**
   * A gate that runs a command in a container; exit code 0 passes.
   * @example Gate.job({ name: 'e2e', image: 'registry.example.com/e2e:1.4', command: ['npm', 'run', 'smoke', '--', 'http://checkout-canary'] })
   */
  public static job(options: JobGateOptions): Gate {
    const where = 'Gate.job()';
    checkNonEmpty(where, 'image', options.image);
    if (!options.command || options.command.length === 0) fail(where, 'command', 'must have at least one element', options.command);
    const tool = migrationToolIn(options.image, options.command);
    if (tool !== undefined) {
      fail(where, 'command', `must not run a schema migration, and this runs ${tool}: an analysis runs once per step, may be retried and may be aborted halfway; run migrations with ExpandContractJob`, options.command);
    }
    if (options.timeoutSeconds !== undefined) checkRange(where, 'timeoutSeconds', options.timeoutSeconds, 1, 86400);
    return new Gate(where, GateProvider.JOB, options, undefined, { job: options });
  }

  /**
   * Every placeholder in `text`, in order: its name (`canaryPods`) and how it is written (`{{ canaryPods }}`).
   * @internal
   */
  public static _placeholdersIn(text: string): Array<{ readonly name: string; readonly raw: string }> {
    return [...text.matchAll(PLACEHOLDER)].map((m) => ({ name: m[1], raw: m[0] }));
  }

  /**
   * `text` with each placeholder replaced by `value(name)`; a placeholder for which it returns
   * undefined is left as written.
   * @internal
   */
  public static _fillPlaceholders(text: string, value: (name: string) => string | undefined): string {
    return text.replace(PLACEHOLDER, (raw: string, name: string) => value(name) ?? raw);
  }

  /**
   * The share of requests to the new version that did not fail with a 5xx status, in percent
   * (`Threshold.atLeast(99)` for 99%), measured by the engine itself: Flagger's built-in
   * `request-success-rate`, read from the metrics of its router (Istio, NGINX, Traefik) or, with
   * Gateway API and without a router, from the application's `http_request_duration_seconds`
   * histogram. Argo Rollouts has no built-in metrics and refuses it; use `Gate.prometheus()` there.
   * @see https://docs.flagger.app/usage/metrics#builtin-metrics
   * @example Gate.requestSuccessRate({ threshold: Threshold.atLeast(99) })
   */
  public static requestSuccessRate(options: RequestMetricGateOptions): Gate {
    const where = 'Gate.requestSuccessRate()';
    const t = options.threshold;
    if (t instanceof Threshold && ((t.min !== undefined && (t.min < 1 || t.min > 100)) || (t.max !== undefined && (t.max < 1 || t.max > 100)))) {
      fail(where, 'threshold', 'must be a percentage from 1 to 100 (99 means 99%; the engine measures in percent, not as a ratio)', t);
    }
    return new Gate(where, GateProvider.BUILT_IN, { name: 'request-success-rate', interval: options.interval, failureLimit: options.failureLimit }, t, {});
  }

  /**
   * The 99th percentile of the new version's request duration, in milliseconds
   * (`Threshold.atMost(500)`), measured by the engine itself: Flagger's built-in `request-duration`
   * (see `requestSuccessRate` for where it reads it). Argo Rollouts refuses it.
   * @see https://docs.flagger.app/usage/metrics#builtin-metrics
   * @example Gate.requestDuration({ threshold: Threshold.atMost(500) })
   */
  public static requestDuration(options: RequestMetricGateOptions): Gate {
    const where = 'Gate.requestDuration()';
    const t = options.threshold;
    if (t instanceof Threshold && [t.min, t.max].some((v) => v !== undefined && (!Number.isInteger(v) || v < 0))) {
      fail(where, 'threshold', 'must be whole milliseconds (Flagger compares the duration in whole milliseconds)', t);
    }
    return new Gate(where, GateProvider.BUILT_IN, { name: 'request-duration', interval: options.interval, failureLimit: options.failureLimit }, t, {});
  }

  /** Name of the gate (the metric name in every engine). */
  public readonly name: string;
  /** Where the measurement comes from. */
  public readonly provider: GateProvider;
  /**
   * Range the measurement must stay in.
   * @default - none for job gates and web gates without jsonPath: success is the exit or status code
   */
  public readonly threshold?: Threshold;
  /** Time between two measurements. */
  public readonly interval: Interval;
  /** Measurements taken when the gate runs as an analysis step. */
  public readonly count: number;
  /** Failed measurements tolerated. */
  public readonly failureLimit: number;
  /** Inconclusive measurements tolerated (Argo Rollouts). */
  public readonly inconclusiveLimit: number;
  /** Consecutive measurement errors tolerated (Argo Rollouts). */
  public readonly consecutiveErrorLimit: number;
  /**
   * Delay before the first measurement.
   * @default - none
   */
  public readonly initialDelay?: Interval;
  /** What an empty result counts as. */
  public readonly onNoData: NoDataBehavior;
  /**
   * Prometheus settings, for a Prometheus gate.
   * @default - not a Prometheus gate
   */
  public readonly prometheusOptions?: PrometheusGateOptions;
  /**
   * Datadog settings, for a Datadog gate.
   * @default - not a Datadog gate
   */
  public readonly datadogOptions?: DatadogGateOptions;
  /**
   * CloudWatch settings, for a CloudWatch gate.
   * @default - not a CloudWatch gate
   */
  public readonly cloudWatchOptions?: CloudWatchGateOptions;
  /**
   * CloudWatch metrics with their defaults resolved, for a CloudWatch gate.
   * @default - not a CloudWatch gate
   */
  public readonly cloudWatchMetrics?: ResolvedCloudWatchMetric[];
  /**
   * New Relic settings, for a New Relic gate.
   * @default - not a New Relic gate
   */
  public readonly newRelicOptions?: NewRelicGateOptions;
  /**
   * HTTP settings, for a web gate.
   * @default - not a web gate
   */
  public readonly webOptions?: WebGateOptions;
  /**
   * Command settings, for a job gate.
   * @default - not a job gate
   */
  public readonly jobOptions?: JobGateOptions;

  private constructor(where: string, provider: GateProvider, options: GateOptions, threshold: Threshold | undefined, settings: GateSettings) {
    checkDnsLabel(where, 'name', options.name, 52);
    if (provider !== GateProvider.JOB && provider !== GateProvider.WEB && !(threshold instanceof Threshold)) {
      fail(where, 'threshold', 'is required: Threshold.atLeast(), atMost() or between()', threshold);
    }
    if (options.count !== undefined) checkRange(where, 'count', options.count, 1, 1000);
    if (options.failureLimit !== undefined) checkRange(where, 'failureLimit', options.failureLimit, 0, 100);
    if (options.inconclusiveLimit !== undefined) checkRange(where, 'inconclusiveLimit', options.inconclusiveLimit, 0, 100);
    if (options.consecutiveErrorLimit !== undefined) checkRange(where, 'consecutiveErrorLimit', options.consecutiveErrorLimit, 0, 100);
    const interval = options.interval ?? Interval.minutes(1);
    if (interval.toSeconds() < 1) fail(where, 'interval', 'must be at least 1 second', interval);
    const count = options.count ?? 3;
    const failureLimit = options.failureLimit ?? 1;
    if (failureLimit >= count && options.count !== undefined) {
      fail(where, 'failureLimit', `must be less than count (${count}), or the gate can never fail`, failureLimit);
    }
    this.name = options.name;
    this.provider = provider;
    this.threshold = threshold;
    this.interval = interval;
    this.count = count;
    this.failureLimit = failureLimit;
    this.inconclusiveLimit = options.inconclusiveLimit ?? 0;
    this.consecutiveErrorLimit = options.consecutiveErrorLimit ?? 4;
    this.initialDelay = options.initialDelay;
    this.onNoData = options.onNoData ?? NoDataBehavior.FAIL;
    this.prometheusOptions = settings.prometheus;
    this.datadogOptions = settings.datadog;
    this.cloudWatchOptions = settings.cloudWatch;
    this.cloudWatchMetrics = settings.cloudWatchMetrics;
    this.newRelicOptions = settings.newRelic;
    this.webOptions = settings.web;
    this.jobOptions = settings.job;
  }

  /**
   * The provider's query text, if the provider has one (Prometheus, Datadog, New Relic; CloudWatch's
   * expression).
   */
  public queryText(): string | undefined {
    return this.prometheusOptions?.query ?? this.datadogOptions?.query ?? this.newRelicOptions?.query ?? this.cloudWatchOptions?.expression;
  }

  /** The query placeholders this gate uses, such as `canaryPods`. */
  public placeholders(): string[] {
    const text = [this.queryText() ?? '', this.webOptions?.url ?? '', this.webOptions?.body ?? '', ...(this.jobOptions?.command ?? [])].join('\n');
    return [...new Set(Gate._placeholdersIn(text).map((p) => p.name))];
  }

  /** Whether two gates define the same check (used to refuse one name for two different gates). */
  public sameAs(other: Gate): boolean {
    return this === other || JSON.stringify(this) === JSON.stringify(other);
  }
}

interface GateSettings {
  readonly prometheus?: PrometheusGateOptions;
  readonly datadog?: DatadogGateOptions;
  readonly cloudWatch?: CloudWatchGateOptions;
  readonly cloudWatchMetrics?: ResolvedCloudWatchMetric[];
  readonly newRelic?: NewRelicGateOptions;
  readonly web?: WebGateOptions;
  readonly job?: JobGateOptions;
}

function checkQuery(where: string, field: string, query: string): void {
  checkNonEmpty(where, field, query);
  for (const p of Gate._placeholdersIn(query)) {
    if (!QUERY_PLACEHOLDERS.includes(p.name)) {
      fail(where, field, `may only use the placeholders ${QUERY_PLACEHOLDERS.map((q) => `{{${q}}}`).join(', ')}`, `{{${p.name}}}`);
    }
  }
}

function resolveCloudWatchMetrics(where: string, metrics: CloudWatchMetricOptions[]): ResolvedCloudWatchMetric[] {
  return metrics.map((m, i) => {
    const id = m.id ?? `m${i + 1}`;
    if (!/^[a-z][a-zA-Z0-9_]*$/.test(id)) fail(where, `metrics[${i}].id`, 'must start with a lower-case letter and hold only letters, digits and _', id);
    checkNonEmpty(where, `metrics[${i}].namespace`, m.namespace);
    checkNonEmpty(where, `metrics[${i}].metricName`, m.metricName);
    const statistic = m.statistic ?? 'Average';
    if (!STATISTIC.test(statistic)) fail(where, `metrics[${i}].statistic`, 'must be Average, Sum, Minimum, Maximum, SampleCount or a percentile such as p99', statistic);
    const period = m.period ?? Interval.minutes(1);
    if (period.toSeconds() < 60 || period.toSeconds() % 60 !== 0) {
      fail(where, `metrics[${i}].period`, 'must be a whole number of minutes (CloudWatch periods of 60 seconds or more)', period);
    }
    return { id, namespace: m.namespace, metricName: m.metricName, dimensions: { ...(m.dimensions ?? {}) }, statistic, period };
  });
}
