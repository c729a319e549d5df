import { Chart, Testing } from 'cdk8s';
import { Gate, Interval, NoDataBehavior, Threshold } from '../../src';
import { argoAnalysisTemplates } from '../../src/kubernetes/private/argo-analysis';
import { expectValidManifests } from '../schema-validation';

const PROM = 'http://prometheus.monitoring:9090';

function render(gates: Gate[], continuous = false): { objects: any[]; ref: any } {
  const chart = Testing.chart();
  const ref = argoAnalysisTemplates(chart, 'checkout', gates, { continuous });
  const objects = Testing.synth(chart);
  expectValidManifests(objects);
  return { objects, ref };
}

function metricOf(objects: any[], name: string): any {
  const t = objects.find((o) => o.kind === 'AnalysisTemplate' && o.metadata.name === name);
  expect(t).toBeDefined();
  return t.spec.metrics[0];
}

describe('Prometheus gates', () => {
  const successRate = Gate.prometheus({
    name: 'success-rate',
    address: PROM,
    query: 'sum(rate(http_requests_total{namespace="{{namespace}}",pod=~"{{canaryPods}}",code!~"5.."}[{{interval}}])) / sum(rate(http_requests_total{pod=~"{{canaryPods}}"}[{{interval}}]))',
    threshold: Threshold.atLeast(0.99),
    interval: Interval.minutes(2),
    count: 5,
    failureLimit: 2,
    timeoutSeconds: 20,
    headers: { 'X-Scope-OrgID': 'shop' },
    initialDelay: Interval.seconds(30),
  });

  test('render to one counted metric with guarded conditions, the query filled and the args declared', () => {
    const { objects, ref } = render([successRate]);
    const t = objects.find((o) => o.kind === 'AnalysisTemplate');
    expect(t.metadata.name).toBe('checkout-success-rate');
    expect(t.spec.args).toEqual([{ name: 'namespace' }, { name: 'canary-hash' }]);
    expect(t.spec.metrics).toEqual([{
      name: 'success-rate',
      interval: '2m',
      count: 5,
      failureLimit: 2,
      inconclusiveLimit: 0,
      consecutiveErrorLimit: 4,
      initialDelay: '30s',
      successCondition: 'len(result) > 0 && all(result, {!isNaN(#) && # >= 0.99})',
      failureCondition: 'len(result) == 0 || any(result, {isNaN(#) || # < 0.99})',
      provider: {
        prometheus: {
          address: PROM,
          timeout: 20,
          headers: [{ key: 'X-Scope-OrgID', value: 'shop' }],
          query: 'sum(rate(http_requests_total{namespace="{{args.namespace}}",pod=~"checkout-{{args.canary-hash}}-.*",code!~"5.."}[2m])) / sum(rate(http_requests_total{pod=~"checkout-{{args.canary-hash}}-.*"}[2m]))',
        },
      },
    }]);
    expect(ref).toEqual({
      templates: [{ templateName: 'checkout-success-rate' }],
      args: [
        { name: 'namespace', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } },
      ],
    });
  });

  test('baseline comparison passes both pod-template hashes (Latest and Stable)', () => {
    const ratio = Gate.prometheus({
      name: 'error-ratio',
      address: PROM,
      query: 'sum(rate(errors{pod=~"{{canaryPods}}"}[1m])) / sum(rate(errors{pod=~"{{stablePods}}"}[1m]))',
      threshold: Threshold.between(0, 1.5),
    });
    const { objects, ref } = render([ratio]);
    const m = metricOf(objects, 'checkout-error-ratio');
    expect(m.provider.prometheus.query).toBe('sum(rate(errors{pod=~"checkout-{{args.canary-hash}}-.*"}[1m])) / sum(rate(errors{pod=~"checkout-{{args.stable-hash}}-.*"}[1m]))');
    expect(m.successCondition).toBe('len(result) > 0 && all(result, {!isNaN(#) && # >= 0 && # <= 1.5})');
    expect(m.failureCondition).toBe('len(result) == 0 || any(result, {isNaN(#) || (# < 0 || # > 1.5)})');
    expect(ref.args).toEqual([
      { name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } },
      { name: 'stable-hash', valueFrom: { podTemplateHashValue: 'Stable' } },
    ]);
  });

  test('INCONCLUSIVE leaves an empty or NaN result to neither condition', () => {
    const g = Gate.prometheus({ name: 'p99', address: PROM, query: 'histogram_quantile(0.99, x)', threshold: Threshold.atMost(0.5), onNoData: NoDataBehavior.INCONCLUSIVE });
    const m = metricOf(render([g]).objects, 'checkout-p99');
    expect(m.successCondition).toBe('len(result) > 0 && all(result, {!isNaN(#) && # <= 0.5})');
    expect(m.failureCondition).toBe('any(result, {!isNaN(#) && # > 0.5})');
  });

  test('continuous templates have no count and their own name', () => {
    const { objects, ref } = render([successRate], true);
    const m = metricOf(objects, 'checkout-success-rate-continuous');
    expect(m.count).toBeUndefined();
    expect(ref.templates).toEqual([{ templateName: 'checkout-success-rate-continuous' }]);
  });

  test('a workload name substitutes {{workload}} and a gate without placeholders needs no args', () => {
    const g = Gate.prometheus({ name: 'up', address: PROM, query: 'min(up{job="{{workload}}"})', threshold: Threshold.atLeast(1) });
    const { objects, ref } = render([g]);
    const t = objects.find((o) => o.kind === 'AnalysisTemplate');
    expect(t.spec.args).toBeUndefined();
    expect(t.spec.metrics[0].provider.prometheus.query).toBe('min(up{job="checkout"})');
    expect(ref.args).toEqual([]);
  });
});

test('one template per distinct gate, however often a scope asks for it', () => {
  const chart = Testing.chart();
  const g = Gate.prometheus({ name: 'up', address: PROM, query: 'min(up)', threshold: Threshold.atLeast(1) });
  const first = argoAnalysisTemplates(chart, 'web', [g]);
  const second = argoAnalysisTemplates(chart, 'web', [g, g]);
  const objects = Testing.synth(chart);
  expect(objects.filter((o) => o.kind === 'AnalysisTemplate').map((o) => o.metadata.name)).toEqual(['web-up']);
  expect(first.templates).toEqual([{ templateName: 'web-up' }]);
  expect(second.templates).toEqual([{ templateName: 'web-up' }]);
});

describe('other providers', () => {
  test('Datadog: v2 query, namespaced secret, nil result fails', () => {
    const g = Gate.datadog({ name: 'errors', query: 'sum:requests.error{service:{{workload}}}.as_count()', threshold: Threshold.atMost(5), secretName: 'datadog-keys' });
    const m = metricOf(render([g]).objects, 'checkout-errors');
    expect(m.provider).toEqual({ datadog: { apiVersion: 'v2', interval: '1m', query: 'sum:requests.error{service:checkout}.as_count()', secretRef: { name: 'datadog-keys', namespaced: true } } });
    expect(m.successCondition).toBe('result != nil && !isNaN(result) && result <= 5');
    expect(m.failureCondition).toBe('result == nil || isNaN(result) || result > 5');
  });

  test('Datadog INCONCLUSIVE: no data is neither success nor failure', () => {
    const g = Gate.datadog({ name: 'errors', query: 'q', threshold: Threshold.atMost(5), onNoData: NoDataBehavior.INCONCLUSIVE });
    const m = metricOf(render([g]).objects, 'checkout-errors');
    expect(m.failureCondition).toBe('result != nil && !isNaN(result) && result > 5');
    expect(m.provider.datadog.secretRef).toBeUndefined();
  });

  test('CloudWatch: metric math returns one series whose points must all pass', () => {
    const g = Gate.cloudWatch({
      name: 'target-5xx-ratio',
      metrics: [
        { id: 'errors', namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', statistic: 'Sum', dimensions: { LoadBalancer: 'app/shop/123' } },
        { id: 'requests', namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', statistic: 'Sum', period: Interval.minutes(5) },
      ],
      expression: 'errors / requests',
      threshold: Threshold.atMost(0.01),
      region: 'eu-west-1',
    });
    const m = metricOf(render([g]).objects, 'checkout-target-5xx-ratio');
    expect(m.provider).toEqual({
      cloudWatch: {
        interval: '1m',
        metricDataQueries: [
          { id: 'errors', metricStat: { metric: { namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', dimensions: [{ name: 'LoadBalancer', value: 'app/shop/123' }] }, period: 60, stat: 'Sum' }, returnData: false },
          { id: 'requests', metricStat: { metric: { namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', dimensions: [] }, period: 300, stat: 'Sum' }, returnData: false },
          { id: 'gate_value', expression: 'errors / requests', returnData: true },
        ],
      },
    });
    expect(m.successCondition).toBe('len(result) > 0 && len(result[0].Values) > 0 && all(result[0].Values, {!isNaN(#) && # <= 0.01})');
    expect(m.failureCondition).toBe('len(result) == 0 || len(result[0].Values) == 0 || any(result[0].Values, {isNaN(#) || # > 0.01})');
  });

  test('New Relic: the row\'s value column is compared', () => {
    const g = Gate.newRelic({ name: 'apdex', query: "SELECT apdex(duration, t: 0.4) AS value FROM Transaction WHERE appName = '{{workload}}'", threshold: Threshold.atLeast(0.9), profile: 'shop' });
    const m = metricOf(render([g]).objects, 'checkout-apdex');
    expect(m.provider).toEqual({ newRelic: { profile: 'shop', query: "SELECT apdex(duration, t: 0.4) AS value FROM Transaction WHERE appName = 'checkout'" } });
    expect(m.successCondition).toBe('result.value != nil && !isNaN(asFloat(result.value)) && asFloat(result.value) >= 0.9');
    expect(m.failureCondition).toBe('result.value == nil || isNaN(asFloat(result.value)) || asFloat(result.value) < 0.9');
  });

  test('web with jsonPath: the value at the path is compared', () => {
    const g = Gate.web({ name: 'smoke', url: 'http://smoke.qa/run?target={{workload}}', method: 'POST', body: '{"ns":"{{namespace}}"}', headers: { Authorization: 'Bearer t' }, jsonPath: '{$.failures}', threshold: Threshold.atMost(0), timeoutSeconds: 30 });
    const { objects, ref } = render([g]);
    const m = metricOf(objects, 'checkout-smoke');
    expect(m.provider).toEqual({ web: { url: 'http://smoke.qa/run?target=checkout', method: 'POST', body: '{"ns":"{{args.namespace}}"}', headers: [{ key: 'Authorization', value: 'Bearer t' }], jsonPath: '{$.failures}', timeoutSeconds: 30 } });
    expect(m.successCondition).toBe('result != nil && !isNaN(asFloat(result)) && asFloat(result) <= 0');
    expect(m.failureCondition).toBe('result == nil || isNaN(asFloat(result)) || asFloat(result) > 0');
    expect(ref.args.map((a: any) => a.name)).toEqual(['namespace']);
  });

  test('web with a body and no method is sent as POST (Argo Rollouts fails every GET measurement that has a body)', () => {
    const g = Gate.web({ name: 'smoke', url: 'http://smoke.qa/run', body: '{"target":"{{workload}}"}' });
    const m = metricOf(render([g]).objects, 'checkout-smoke');
    expect(m.provider.web.method).toBe('POST');
    expect(m.provider.web.body).toBe('{"target":"checkout"}');
    const put = Gate.web({ name: 'smoke', url: 'http://smoke.qa/run', method: 'PUT', body: '{}' });
    expect(metricOf(render([put]).objects, 'checkout-smoke').provider.web.method).toBe('PUT');
  });

  test('web without jsonPath has no conditions (a 2xx answer passes)', () => {
    const m = metricOf(render([Gate.web({ name: 'ping', url: 'http://checkout-canary/healthz' })]).objects, 'checkout-ping');
    expect(m.successCondition).toBeUndefined();
    expect(m.failureCondition).toBeUndefined();
    expect(m.provider).toEqual({ web: { url: 'http://checkout-canary/healthz', timeoutSeconds: 10 } });
  });

  test('job: a Job that must exit 0, with safe pod settings and a deadline', () => {
    const g = Gate.job({ name: 'e2e', image: 'registry.example.com/e2e:1.4', command: ['npm', 'run', 'smoke', '--', 'http://{{workload}}-canary'], timeoutSeconds: 600, count: 1, failureLimit: 0 });
    const m = metricOf(render([g]).objects, 'checkout-e2e');
    expect(m.successCondition).toBeUndefined();
    expect(m.count).toBe(1);
    expect(m.provider.job.spec).toEqual({
      backoffLimit: 0,
      activeDeadlineSeconds: 600,
      template: {
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'gate',
            image: 'registry.example.com/e2e:1.4',
            command: ['npm', 'run', 'smoke', '--', 'http://checkout-canary'],
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
          }],
        },
      },
    });
  });
});

describe('refusals', () => {
  const where = (gates: Gate[], continuous = false) => () => argoAnalysisTemplates(new Chart(Testing.app(), 'shop'), 'checkout', gates, { continuous });

  test('fails when two different gates share a metric name', () => {
    const a = Gate.prometheus({ name: 'up', address: PROM, query: 'min(up)', threshold: Threshold.atLeast(1) });
    const b = Gate.prometheus({ name: 'up', address: PROM, query: 'max(up)', threshold: Threshold.atLeast(1) });
    expect(where([a, b])).toThrow("shop: invalid 'gates': must not give one metric name to two different gates, got 'up'");
  });

  test('fails when failureLimit exceeds count (Argo: count must be >= failureLimit)', () => {
    const g = Gate.prometheus({ name: 'up', address: PROM, query: 'min(up)', threshold: Threshold.atLeast(1), failureLimit: 4 });
    expect(where([g])).toThrow("shop: invalid 'gates[0].failureLimit': Argo Rollouts needs failureLimit at most count (3) for gate 'up', got 4");
  });

  test('fails when inconclusiveLimit exceeds count', () => {
    const g = Gate.prometheus({ name: 'up', address: PROM, query: 'min(up)', threshold: Threshold.atLeast(1), count: 2, failureLimit: 1, inconclusiveLimit: 3 });
    expect(where([g])).toThrow("shop: invalid 'gates[0].inconclusiveLimit': Argo Rollouts needs inconclusiveLimit at most count (2) for gate 'up', got 3");
  });

  test('a continuous template has no count, so the limits are not compared with it', () => {
    const g = Gate.prometheus({ name: 'up', address: PROM, query: 'min(up)', threshold: Threshold.atLeast(1), failureLimit: 4 });
    expect(where([g], true)).not.toThrow();
  });

  test('fails when a job gate asks for INCONCLUSIVE', () => {
    const g = Gate.job({ name: 'e2e', image: 'e2e:1', command: ['true'], onNoData: NoDataBehavior.INCONCLUSIVE });
    expect(where([g])).toThrow("shop: invalid 'gates[0].onNoData': Argo Rollouts judges gate 'e2e' by its exit or status code alone, so it has no empty result to call inconclusive; use NoDataBehavior.FAIL, got 'inconclusive'");
  });

  test('fails when a Prometheus gate names a credentials Secret', () => {
    const g = Gate.prometheus({ name: 'up', address: PROM, query: 'min(up)', threshold: Threshold.atLeast(1), secretName: 'prom-auth' });
    expect(where([g])).toThrow("shop: invalid 'gates[0].secretName': Argo Rollouts 1.9 cannot read Prometheus credentials from a Secret (only headers, OAuth2 or SigV4); remove secretName from gate 'up' or use RolloutEngine.flagger(), got 'prom-auth'");
  });

  test('fails when a Datadog gate sets an address other than the default', () => {
    const g = Gate.datadog({ name: 'errors', query: 'q', threshold: Threshold.atMost(1), address: 'https://api.datadoghq.eu' });
    expect(where([g])).toThrow("shop: invalid 'gates[0].address': Argo Rollouts reads the Datadog address from the 'address' key of its Datadog Secret, not from the gate; remove address from gate 'errors', got 'https://api.datadoghq.eu'");
  });

  test('fails when a New Relic query does not name its value', () => {
    const g = Gate.newRelic({ name: 'apdex', query: 'SELECT apdex(duration) FROM Transaction', threshold: Threshold.atLeast(0.9) });
    expect(where([g])).toThrow("shop: invalid 'gates[0].query': Argo Rollouts reads a New Relic result by name: the NRQL query of gate 'apdex' must name its number 'value' (SELECT ... AS value), got 'SELECT apdex(duration) FROM Transaction'");
  });

  test('fails when a New Relic gate has a Flagger secret but no Argo profile', () => {
    const g = Gate.newRelic({ name: 'apdex', query: 'SELECT apdex(duration) AS value FROM Transaction', threshold: Threshold.atLeast(0.9), secretName: 'nr' });
    expect(where([g])).toThrow("shop: invalid 'gates[0].profile': Argo Rollouts reads New Relic credentials from the Secret 'newrelic-<profile>' (or 'newrelic') in its own namespace, not from secretName; set profile on gate 'apdex', got nothing");
  });

  test('fails when a web gate uses an unknown placeholder', () => {
    const g = Gate.web({ name: 'ping', url: 'http://x/{{host}}' });
    expect(where([g])).toThrow("shop: invalid 'gates[0]': may only use the placeholders {{namespace}}, {{workload}}, {{interval}}, {{canaryPods}}, {{stablePods}}, {{previewService}}, {{activeService}} (gate 'ping'), got '{{host}}'");
  });

  test('fails when a CloudWatch metric takes the id of the expression', () => {
    const g = Gate.cloudWatch({ name: 'cw', metrics: [{ id: 'gate_value', namespace: 'N', metricName: 'M' }], threshold: Threshold.atMost(1) });
    expect(where([g])).toThrow("shop: invalid 'gates[0].metrics': must not use the id 'gate_value', which evaluates the expression of gate 'cw', got 'gate_value'");
  });

  test('fails without gates', () => {
    expect(where([])).toThrow("shop: invalid 'gates': must name at least one gate, got []");
  });
});
