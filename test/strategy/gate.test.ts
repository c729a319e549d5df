import { Gate, GateProvider, Interval, NoDataBehavior, Threshold } from '../../src';

const prom = { name: 'success-rate', address: 'http://prometheus.monitoring:9090', query: 'sum(rate(ok[1m])) / sum(rate(all[1m]))', threshold: Threshold.atLeast(0.99) };

test('a Prometheus gate with defaults', () => {
  const gate = Gate.prometheus(prom);
  expect(gate.provider).toBe(GateProvider.PROMETHEUS);
  expect(gate.interval.toSeconds()).toBe(60);
  expect(gate.count).toBe(3);
  expect(gate.failureLimit).toBe(1);
  expect(gate.inconclusiveLimit).toBe(0);
  expect(gate.consecutiveErrorLimit).toBe(4);
  expect(gate.onNoData).toBe(NoDataBehavior.FAIL);
  expect(gate.prometheusOptions?.address).toBe('http://prometheus.monitoring:9090');
  expect(gate.queryText()).toBe(prom.query);
});

test('placeholders in queries are listed', () => {
  const gate = Gate.prometheus({ ...prom, query: 'sum(rate(errors{pod=~"{{canaryPods}}",namespace="{{namespace}}"}[{{interval}}])) - sum(rate(errors{pod=~"{{stablePods}}"}[{{interval}}]))' });
  expect(gate.placeholders()).toEqual(['canaryPods', 'namespace', 'interval', 'stablePods']);
});

test('fails on an unknown placeholder', () => {
  expect(() => Gate.prometheus({ ...prom, query: 'up{job="{{args.job}}"}' }))
    .toThrow("Gate.prometheus(): invalid 'query': may only use the placeholders {{namespace}}, {{workload}}, {{interval}}, {{canaryPods}}, {{stablePods}}, {{previewService}}, {{activeService}}, got '{{args.job}}'");
});

test('fails without a threshold', () => {
  expect(() => Gate.prometheus({ ...prom, threshold: undefined as any }))
    .toThrow("Gate.prometheus(): invalid 'threshold': is required: Threshold.atLeast(), atMost() or between(), got nothing");
});

test('fails on a name that cannot be a metric name', () => {
  expect(() => Gate.prometheus({ ...prom, name: 'Success Rate' }))
    .toThrow("Gate.prometheus(): invalid 'name': must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 52 characters), got 'Success Rate'");
});

test('fails on a Prometheus address that is not a URL', () => {
  expect(() => Gate.prometheus({ ...prom, address: 'prometheus:9090' }))
    .toThrow("Gate.prometheus(): invalid 'address': must be an http:// or https:// URL, got 'prometheus:9090'");
});

test('fails when failureLimit leaves the gate unable to fail', () => {
  expect(() => Gate.prometheus({ ...prom, count: 3, failureLimit: 3 }))
    .toThrow("Gate.prometheus(): invalid 'failureLimit': must be less than count (3), or the gate can never fail, got 3");
});

test('fails on a failureLimit out of range', () => {
  expect(() => Gate.prometheus({ ...prom, failureLimit: -1 }))
    .toThrow("Gate.prometheus(): invalid 'failureLimit': must be a whole number from 0 to 100, got -1");
});

test('fails on an interval below one second', () => {
  expect(() => Gate.prometheus({ ...prom, interval: Interval.seconds(0) }))
    .toThrow("Gate.prometheus(): invalid 'interval': must be at least 1 second, got 0s");
});

test('CloudWatch metrics get ids, statistics and periods', () => {
  const gate = Gate.cloudWatch({
    name: 'error-rate',
    threshold: Threshold.atMost(0.01),
    expression: 'm1 / m2',
    metrics: [
      { namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', statistic: 'Sum', dimensions: { TargetGroup: 'tg' } },
      { namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', statistic: 'Sum', period: Interval.minutes(5) },
    ],
  });
  expect(gate.cloudWatchMetrics).toEqual([
    { id: 'm1', namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', statistic: 'Sum', dimensions: { TargetGroup: 'tg' }, period: Interval.minutes(1) },
    { id: 'm2', namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', statistic: 'Sum', dimensions: {}, period: Interval.minutes(5) },
  ]);
});

test('fails on two CloudWatch metrics without an expression', () => {
  const m = { namespace: 'AWS/ApplicationELB', metricName: 'RequestCount' };
  expect(() => Gate.cloudWatch({ name: 'x', threshold: Threshold.atMost(1), metrics: [m, m] }))
    .toThrow("Gate.cloudWatch(): invalid 'expression': is required when more than one metric is read (metric math combining their ids), got nothing");
});

test('fails on a CloudWatch statistic it does not know', () => {
  expect(() => Gate.cloudWatch({ name: 'x', threshold: Threshold.atMost(1), metrics: [{ namespace: 'N', metricName: 'M', statistic: 'Median' }] }))
    .toThrow("Gate.cloudWatch(): invalid 'metrics[0].statistic': must be Average, Sum, Minimum, Maximum, SampleCount or a percentile such as p99, got 'Median'");
});

test('fails on a CloudWatch period that is not whole minutes', () => {
  expect(() => Gate.cloudWatch({ name: 'x', threshold: Threshold.atMost(1), metrics: [{ namespace: 'N', metricName: 'M', period: Interval.seconds(90) }] }))
    .toThrow("Gate.cloudWatch(): invalid 'metrics[0].period': must be a whole number of minutes (CloudWatch periods of 60 seconds or more), got 1m30s");
});

test('web gates check a JSON path or only the status code', () => {
  expect(Gate.web({ name: 'smoke', url: 'http://smoke/run', jsonPath: '{$.failures}', threshold: Threshold.atMost(0) }).threshold?.max).toBe(0);
  expect(Gate.web({ name: 'ping', url: 'https://ping/' }).threshold).toBeUndefined();
});

test('fails on a web gate with a JSON path but no threshold', () => {
  expect(() => Gate.web({ name: 'smoke', url: 'http://smoke/run', jsonPath: '{$.ok}' }))
    .toThrow("Gate.web(): invalid 'threshold': jsonPath and threshold must be given together, got '{$.ok}'");
});

test('fails on a GET web gate with a body', () => {
  expect(() => Gate.web({ name: 'smoke', url: 'http://smoke/run', method: 'GET', body: '{}' }))
    .toThrow("Gate.web(): invalid 'method': must be 'POST' or 'PUT' when a body is given (a GET request carries no body), got 'GET'");
});

test('fails on a web gate method it cannot send', () => {
  expect(() => Gate.web({ name: 'smoke', url: 'http://smoke/run', method: 'DELETE' }))
    .toThrow("Gate.web(): invalid 'method': must be 'GET', 'POST' or 'PUT', got 'DELETE'");
});

test('job gates need an image and a command', () => {
  expect(Gate.job({ name: 'e2e', image: 'e2e:1', command: ['npm', 'test'] }).jobOptions?.command).toEqual(['npm', 'test']);
  expect(() => Gate.job({ name: 'e2e', image: 'e2e:1', command: [] }))
    .toThrow("Gate.job(): invalid 'command': must have at least one element, got []");
});

test('Datadog and New Relic gates keep their queries', () => {
  expect(Gate.datadog({ name: 'dd', query: 'avg:latency{service:checkout}', threshold: Threshold.atMost(300) }).provider).toBe(GateProvider.DATADOG);
  expect(Gate.newRelic({ name: 'nr', query: 'SELECT percentage(count(*), WHERE error IS true) FROM Transaction', threshold: Threshold.atMost(1) }).queryText())
    .toBe('SELECT percentage(count(*), WHERE error IS true) FROM Transaction');
});

test('two gates are the same when defined the same way', () => {
  expect(Gate.prometheus(prom).sameAs(Gate.prometheus(prom))).toBe(true);
  expect(Gate.prometheus(prom).sameAs(Gate.prometheus({ ...prom, threshold: Threshold.atLeast(0.9) }))).toBe(false);
});

test.each([
  ['flyway/flyway:11.3', ['flyway', 'migrate'], 'Flyway (image flyway/flyway:11.3)'],
  ['registry.example.com/tools:1', ['/usr/bin/liquibase', 'update'], 'liquibase (command /usr/bin/liquibase)'],
  ['registry.example.com/app:2', ['sh', '-c', 'alembic upgrade head'], 'a migration command (alembic upgrade)'],
  ['postgres:17', ['psql', '-f', '/sql/migrate.sql'], 'psql running a SQL file (psql -f)'],
])('fails on a job gate that runs a schema migration: %s %j', (image, command, tool) => {
  expect(() => Gate.job({ name: 'm', image, command })).toThrow(
    `Gate.job(): invalid 'command': must not run a schema migration, and this runs ${tool}: an analysis runs once per step, may be retried and may be aborted halfway; run migrations with ExpandContractJob, got [${command.map((c) => `'${c}'`).join(', ')}]`,
  );
});
