import { Chart, Testing } from 'cdk8s';
import { Gate, Interval, NoDataBehavior, Threshold } from '../../src';
import { flaggerAnalysis, shellJoin } from '../../src/kubernetes/private/flagger-analysis';
import { warningsOf } from '../../src/private/warnings';
import { expectValidManifests } from '../schema-validation';

const PROM = 'http://prometheus.monitoring:9090';
const TESTER = 'http://flagger-loadtester.test/';

function render(gates: Gate[], options: { loadTesterUrl?: string; namespace?: string } = {}) {
  const chart = Testing.chart();
  const result = flaggerAnalysis(chart, 'checkout', gates, { where: 'shop', field: 'gates', ...options });
  const objects = Testing.synth(chart);
  expectValidManifests(objects);
  return { chart, objects, ...result };
}

function template(objects: any[], name: string): any {
  const t = objects.find((o) => o.kind === 'MetricTemplate' && o.metadata.name === name);
  expect(t).toBeDefined();
  return t.spec;
}

test('Prometheus gate: MetricTemplate with Flagger variables and a thresholdRange metric', () => {
  const g = Gate.prometheus({
    name: 'success-rate',
    address: PROM,
    headers: { 'X-Scope-OrgID': 'shop' },
    secretName: 'prom-auth',
    query: 'sum(rate(ok{namespace="{{namespace}}",pod=~"{{canaryPods}}"}[{{interval}}])) / sum(rate(ok{pod=~"{{stablePods}}",job="{{workload}}"}[{{interval}}]))',
    threshold: Threshold.between(0.99, 1),
    interval: Interval.minutes(2),
  });
  const { objects, metrics, webhooks } = render([g]);
  expect(template(objects, 'checkout-success-rate')).toEqual({
    provider: { type: 'prometheus', address: PROM, headers: { 'X-Scope-OrgID': ['shop'] }, secretRef: { name: 'prom-auth' } },
    query: 'sum(rate(ok{namespace="{{ namespace }}",pod=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"}[{{ interval }}])) / sum(rate(ok{pod=~"{{ target }}-primary-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)",job="{{ target }}"}[{{ interval }}]))',
  });
  expect(metrics).toEqual([{ name: 'success-rate', templateRef: { name: 'checkout-success-rate' }, thresholdRange: { min: 0.99, max: 1 }, interval: '2m' }]);
  expect(webhooks).toEqual([]);
});

test('a Prometheus timeout cannot be expressed and is reported as a warning', () => {
  const g = Gate.prometheus({ name: 'up', address: PROM, query: 'min(up)', threshold: Threshold.atLeast(1), timeoutSeconds: 20 });
  const { chart } = render([g]);
  expect(warningsOf(chart)).toEqual(["test: Flagger has no per-query timeout: timeoutSeconds of gate 'up' applies to Argo Rollouts only (Flagger uses its own client timeout)"]);
});

test('Datadog gate: address and secret', () => {
  const g = Gate.datadog({ name: 'errors', query: 'sum:requests.error{service:{{workload}}}.as_count()', threshold: Threshold.atMost(5), secretName: 'datadog' });
  const { objects, metrics } = render([g]);
  expect(template(objects, 'checkout-errors')).toEqual({
    provider: { type: 'datadog', address: 'https://api.datadoghq.com', secretRef: { name: 'datadog' } },
    query: 'sum:requests.error{service:{{ target }}}.as_count()',
  });
  expect(metrics[0].thresholdRange).toEqual({ max: 5 });
});

test('New Relic gate: secret and NRQL', () => {
  const g = Gate.newRelic({ name: 'apdex', query: 'SELECT apdex(duration) AS value FROM Transaction', threshold: Threshold.atLeast(0.9), secretName: 'newrelic' });
  expect(template(render([g]).objects, 'checkout-apdex')).toEqual({
    provider: { type: 'newrelic', secretRef: { name: 'newrelic' } },
    query: 'SELECT apdex(duration) AS value FROM Transaction',
  });
});

test('CloudWatch gate: region and a JSON list of GetMetricData queries', () => {
  const g = Gate.cloudWatch({
    name: 'ratio',
    region: 'eu-west-1',
    expression: 'e / r',
    threshold: Threshold.atMost(0.01),
    metrics: [
      { id: 'e', namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', statistic: 'Sum', dimensions: { LoadBalancer: 'app/shop/1' } },
      { id: 'r', namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', statistic: 'Sum' },
    ],
  });
  const spec = template(render([g]).objects, 'checkout-ratio');
  expect(spec.provider).toEqual({ type: 'cloudwatch', region: 'eu-west-1' });
  expect(JSON.parse(spec.query)).toEqual([
    { Id: 'e', MetricStat: { Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_Target_5XX_Count', Dimensions: [{ Name: 'LoadBalancer', Value: 'app/shop/1' }] }, Period: 60, Stat: 'Sum' }, ReturnData: false },
    { Id: 'r', MetricStat: { Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCount', Dimensions: [] }, Period: 60, Stat: 'Sum' }, ReturnData: false },
    { Id: 'gate_value', Expression: 'e / r', ReturnData: true },
  ]);
});

test('web gate without jsonPath becomes a rollout webhook with static placeholders filled', () => {
  const g = Gate.web({ name: 'smoke', url: 'http://smoke.{{namespace}}/run?target={{workload}}', timeoutSeconds: 30 });
  const { webhooks, metrics, objects } = render([g], { namespace: 'shop' });
  expect(webhooks).toEqual([{ name: 'smoke', type: 'rollout', url: 'http://smoke.shop/run?target=checkout', timeout: '30s' }]);
  expect(metrics).toEqual([]);
  expect(objects.filter((o) => o.kind === 'MetricTemplate')).toHaveLength(0);
});

test('job gate becomes a blocking load tester command, with a warning about its image', () => {
  const g = Gate.job({ name: 'e2e', image: 'e2e:1', command: ['sh', '-c', "curl -fsS http://{{workload}}-canary/ | grep 'ok'"], timeoutSeconds: 120 });
  const { webhooks, chart } = render([g], { loadTesterUrl: TESTER });
  expect(webhooks).toEqual([{
    name: 'e2e',
    type: 'rollout',
    url: TESTER,
    timeout: '120s',
    metadata: { type: 'bash', cmd: "sh -c 'curl -fsS http://checkout-canary/ | grep '\\''ok'\\'''" },
  }]);
  expect(warningsOf(chart)).toEqual(["test: Flagger runs job gate 'e2e' as a load tester command, in the load tester's image, not in 'e2e:1'"]);
});

test('shellJoin quotes only what needs quoting', () => {
  expect(shellJoin(['hey', '-z', '1m', 'http://a-b.c:80/x'])).toBe('hey -z 1m http://a-b.c:80/x');
  expect(shellJoin(['echo', "it's here"])).toBe("echo 'it'\\''s here'");
});

test('a gate listed twice renders once', () => {
  const g = Gate.prometheus({ name: 'up', address: PROM, query: 'min(up)', threshold: Threshold.atLeast(1) });
  const { metrics, objects } = render([g, g]);
  expect(metrics.map((m) => m.name)).toEqual(['up']);
  expect(objects.filter((o) => o.kind === 'MetricTemplate')).toHaveLength(1);
});

describe('refusals', () => {
  const run = (gates: Gate[], options: { loadTesterUrl?: string; namespace?: string } = {}) => () =>
    flaggerAnalysis(new Chart(Testing.app(), 'c'), 'checkout', gates, { where: 'shop', field: 'gates', ...options });

  test('fails on INCONCLUSIVE (Flagger counts no data as a failed check)', () => {
    const g = Gate.prometheus({ name: 'up', address: PROM, query: 'min(up)', threshold: Threshold.atLeast(1), onNoData: NoDataBehavior.INCONCLUSIVE });
    expect(run([g])).toThrow("shop: invalid 'gates[0].onNoData': Flagger counts a check without data as failed and has no inconclusive outcome; use NoDataBehavior.FAIL for gate 'up' or RolloutEngine.argoRollouts(), got 'inconclusive'");
  });

  test('fails on an inconclusiveLimit', () => {
    const g = Gate.prometheus({ name: 'up', address: PROM, query: 'min(up)', threshold: Threshold.atLeast(1), inconclusiveLimit: 2 });
    expect(run([g])).toThrow("shop: invalid 'gates[0].inconclusiveLimit': Flagger has no inconclusive outcome; leave inconclusiveLimit at 0 for gate 'up', got 2");
  });

  test('fails on a Datadog gate without a secret', () => {
    const g = Gate.datadog({ name: 'errors', query: 'q', threshold: Threshold.atMost(1) });
    expect(run([g])).toThrow("shop: invalid 'gates[0].secretName': Flagger needs a Secret with datadog_api_key and datadog_application_key for gate 'errors', got nothing");
  });

  test('fails on a New Relic gate without a secret', () => {
    const g = Gate.newRelic({ name: 'apdex', query: 'SELECT 1 AS value FROM T', threshold: Threshold.atMost(1) });
    expect(run([g])).toThrow("shop: invalid 'gates[0].secretName': Flagger needs a Secret with newrelic_account_id and newrelic_query_key for gate 'apdex', got nothing");
  });

  test('fails on a CloudWatch gate without a region', () => {
    const g = Gate.cloudWatch({ name: 'cw', metrics: [{ namespace: 'N', metricName: 'M' }], threshold: Threshold.atMost(1) });
    expect(run([g])).toThrow("shop: invalid 'gates[0].region': Flagger needs the AWS region of the metrics of gate 'cw', got nothing");
  });

  test('fails on a web gate with jsonPath', () => {
    const g = Gate.web({ name: 'smoke', url: 'http://s/', jsonPath: '{$.ok}', threshold: Threshold.atLeast(1) });
    expect(run([g])).toThrow("shop: invalid 'gates[0].jsonPath': Flagger webhooks pass on a 2xx answer and cannot read a value from the response; remove jsonPath and threshold from gate 'smoke', use a metric gate, or RolloutEngine.argoRollouts(), got '{$.ok}'");
  });

  test('fails on a web gate with a method', () => {
    const g = Gate.web({ name: 'smoke', url: 'http://s/', method: 'GET' });
    expect(run([g])).toThrow("shop: invalid 'gates[0].method': Flagger POSTs its own JSON payload to webhooks; remove method, headers and body from gate 'smoke', got 'GET'");
  });

  test('fails on a web gate URL with a pod placeholder', () => {
    const g = Gate.web({ name: 'smoke', url: 'http://s/?pods={{canaryPods}}' });
    expect(run([g])).toThrow("shop: invalid 'gates[0].url': may only use {{workload}}, {{interval}} and (when the chart has a namespace) {{namespace}}: Flagger does not fill placeholders in webhooks, so they are filled at synth (gate 'smoke'), got '{{canaryPods}}'");
  });

  test('fails on {{namespace}} in a webhook when the chart has no namespace', () => {
    const g = Gate.web({ name: 'smoke', url: 'http://s.{{namespace}}/' });
    expect(run([g])).toThrow("shop: invalid 'gates[0].url': may only use {{workload}}, {{interval}} and (when the chart has a namespace) {{namespace}}: Flagger does not fill placeholders in webhooks, so they are filled at synth (gate 'smoke'), got '{{namespace}}'");
  });

  test('fails on a job gate without a load tester', () => {
    const g = Gate.job({ name: 'e2e', image: 'e2e:1', command: ['true'] });
    expect(run([g])).toThrow("shop: invalid 'engine.loadTesterUrl': is required for job gate 'e2e': Flagger runs job gates as load tester commands, got nothing");
  });

  test('fails when two different gates share a name', () => {
    const a = Gate.prometheus({ name: 'up', address: PROM, query: 'min(up)', threshold: Threshold.atLeast(1) });
    const b = Gate.prometheus({ name: 'up', address: PROM, query: 'max(up)', threshold: Threshold.atLeast(1) });
    expect(run([a, b])).toThrow("shop: invalid 'gates': must not give one metric name to two different gates, got 'up'");
  });
});
