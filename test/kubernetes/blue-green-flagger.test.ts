import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  BlueGreenEngine, BlueGreenService, BlueGreenServiceProps, FlaggerWebhook, Gate, Interval, Threshold, TrafficRouter,
} from '../../src';
import { expectValidManifests } from '../schema-validation';

const containers: kplus.ContainerProps[] = [{ image: 'registry.example.com/web:2.1', portNumber: 8080, readiness: kplus.Probe.fromHttpGet('/healthz') }];
const TESTER = 'http://flagger-loadtester.test/';
const errorRatio = Gate.prometheus({
  name: 'error-ratio',
  address: 'http://prometheus.monitoring:9090',
  query: 'sum(rate(errors{pod=~"{{canaryPods}}"}[{{interval}}])) / sum(rate(requests{pod=~"{{canaryPods}}"}[{{interval}}]))',
  threshold: Threshold.atMost(0.01),
});
const smoke = Gate.job({ name: 'smoke', image: 'curlimages/curl:8.10.1', command: ['curl', '-fsS', 'http://{{previewService}}.{{namespace}}/healthz'] });

function synth(engine: BlueGreenEngine, props: Partial<BlueGreenServiceProps> = {}): any[] {
  const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
  new BlueGreenService(chart, 'web', { containers, port: 80, replicas: 4, engine, ...props });
  const objects = chart.toJson();
  expectValidManifests(objects);
  return objects;
}
const find = (objects: any[], kind: string) => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
};

describe('Flagger blue/green (Kubernetes provider)', () => {
  test('a Deployment, a Canary with iterations and no weights, MetricTemplates and a PodDisruptionBudget over the primary', () => {
    const engine = BlueGreenEngine.flagger({
      iterations: 10, interval: Interval.minutes(1), prePromotionAnalysis: [errorRatio, smoke], loadTesterUrl: TESTER,
    });
    const objects = synth(engine);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'MetricTemplate/web-error-ratio', 'Deployment/web', 'Canary/web', 'PodDisruptionBudget/web-primary',
    ]);
    const d = find(objects, 'Deployment');
    expect(d.spec.replicas).toBe(4);
    expect(d.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'web' } });
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } });
    expect(d.spec.template.spec.containers[0].readinessProbe).toBeDefined();
    expect(find(objects, 'PodDisruptionBudget').spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'web-primary' } } });
    const c = find(objects, 'Canary').spec;
    expect(c.provider).toBe('kubernetes');
    expect(c.targetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' });
    expect(c.service).toEqual({ port: 80, targetPort: 8080 });
    expect(c.analysis).toEqual({
      interval: '1m',
      threshold: 2,
      iterations: 10,
      metrics: [{ name: 'error-ratio', templateRef: { name: 'web-error-ratio' }, thresholdRange: { max: 0.01 }, interval: '1m' }],
      webhooks: [{
        name: 'smoke',
        type: 'rollout',
        url: TESTER,
        timeout: '300s',
        metadata: { type: 'bash', cmd: 'curl -fsS http://web-canary.shop/healthz' },
      }],
    });
    expect(c.analysis.stepWeight).toBeUndefined();
    expect(find(objects, 'MetricTemplate').spec.query).toBe(
      'sum(rate(errors{pod=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"}[{{ interval }}])) / sum(rate(requests{pod=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"}[{{ interval }}]))');
  });

  test('the Services are the ones Flagger creates: active <name>, preview <name>-canary', () => {
    const chart = new Chart(Testing.app(), 'shop');
    const svc = new BlueGreenService(chart, 'web', { containers, port: 80, engine: BlueGreenEngine.flagger({ iterations: 3 }) });
    expect([svc.activeServiceName, svc.previewServiceName, svc.engine.engineName]).toEqual(['web', 'web-canary', 'Flagger']);
    expect(chart.toJson().filter((o) => o.kind === 'Service')).toEqual([]);
  });

  test('port discovery, manual promotion, webhooks, progress deadline and metrics server', () => {
    const c = find(synth(BlueGreenEngine.flagger({
      iterations: 5,
      interval: Interval.seconds(30),
      portDiscovery: true,
      autoPromotionEnabled: false,
      loadTesterUrl: TESTER,
      loadTestCommand: 'hey -z 30s -q 5 -c 2 http://web-canary.shop/',
      progressDeadlineSeconds: 300,
      metricsServer: 'http://prometheus.monitoring:9090',
      webhooks: [
        FlaggerWebhook.preRollout({ name: 'acceptance', command: 'curl -fsS http://web-canary.shop/ready', timeoutSeconds: 30 }),
        FlaggerWebhook.rollback({ name: 'rollback' }),
        FlaggerWebhook.postRollout({ name: 'notify', url: 'http://release-bot.ops/flagger', retries: 3, metadata: { channel: 'releases' } }),
      ],
    })), 'Canary').spec;
    expect(c.service).toEqual({ port: 80, targetPort: 8080, portDiscovery: true });
    expect([c.progressDeadlineSeconds, c.metricsServer]).toEqual([300, 'http://prometheus.monitoring:9090']);
    expect(c.analysis).toEqual({
      interval: '30s',
      threshold: 1,
      iterations: 5,
      webhooks: [
        { name: 'confirm-promotion', type: 'confirm-promotion', url: 'http://flagger-loadtester.test/gate/check' },
        { name: 'load-test', type: 'rollout', url: TESTER, timeout: '15s', metadata: { type: 'cmd', cmd: 'hey -z 30s -q 5 -c 2 http://web-canary.shop/' } },
        { name: 'acceptance', type: 'pre-rollout', url: TESTER, timeout: '30s', metadata: { type: 'bash', cmd: 'curl -fsS http://web-canary.shop/ready' } },
        { name: 'rollback', type: 'rollback', url: 'http://flagger-loadtester.test/rollback/check' },
        { name: 'notify', type: 'post-rollout', url: 'http://release-bot.ops/flagger', retries: 3, metadata: { channel: 'releases' } },
      ],
    });
  });

  test('with a mesh router: Istio provider, built-in metrics', () => {
    const objects = synth(BlueGreenEngine.flagger({
      iterations: 10,
      trafficRouter: TrafficRouter.istio({ hosts: ['web.example.com'], gateways: ['istio-system/public'] }),
      prePromotionAnalysis: [
        Gate.requestSuccessRate({ threshold: Threshold.atLeast(99) }),
        Gate.requestDuration({ threshold: Threshold.atMost(500), interval: Interval.seconds(30) }),
      ],
    }));
    const c = find(objects, 'Canary').spec;
    expect(c.provider).toBe('istio');
    expect(c.service).toEqual({ port: 80, targetPort: 8080, hosts: ['web.example.com'], gateways: ['istio-system/public'] });
    expect(c.analysis.metrics).toEqual([
      { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' },
      { name: 'request-duration', thresholdRange: { max: 500 }, interval: '30s' },
    ]);
    expect(objects.filter((o) => o.kind === 'MetricTemplate')).toEqual([]);
  });

  test('the same promotion gates render through Argo Rollouts and Flagger, with the preview Service filled in', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    const preview = Gate.web({ name: 'preview-up', url: 'http://{{previewService}}.{{namespace}}/healthz' });
    new BlueGreenService(chart, 'argo', { containers, port: 80, engine: BlueGreenEngine.argoRollouts({ prePromotionAnalysis: [errorRatio, preview] }) });
    new BlueGreenService(chart, 'flagger', { containers, port: 80, engine: BlueGreenEngine.flagger({ iterations: 3, prePromotionAnalysis: [errorRatio, preview] }) });
    const objects = chart.toJson();
    expectValidManifests(objects);
    const argoTemplate = objects.find((o) => o.kind === 'AnalysisTemplate' && o.metadata.name === 'argo-preview-up');
    expect(argoTemplate.spec.metrics[0].provider.web.url).toBe('http://argo-preview.{{args.namespace}}/healthz');
    const rollout = objects.find((o) => o.kind === 'Rollout').spec.strategy.blueGreen;
    expect(rollout.prePromotionAnalysis.templates).toEqual([{ templateName: 'argo-error-ratio' }, { templateName: 'argo-preview-up' }]);
    const analysis = objects.find((o) => o.kind === 'Canary').spec.analysis;
    expect(analysis.metrics.map((m: any) => m.name)).toEqual(['error-ratio']);
    expect(analysis.webhooks).toEqual([{ name: 'preview-up', type: 'rollout', url: 'http://flagger-canary.shop/healthz', timeout: '10s' }]);
  });
});

describe('refusals (Flagger blue/green)', () => {
  test('fails on an interval below 10 seconds', () => {
    expect(() => synth(BlueGreenEngine.flagger({ iterations: 5, interval: Interval.seconds(5) }))).toThrow(
      "shop/web: invalid 'engine.interval': Flagger runs its analysis at most every 10s and raises a shorter interval to 10s, so every step would take longer than declared; nearest plan: an interval of at least 10s, got '5s'");
  });
  test('fails on iterations of 0', () => {
    expect(() => BlueGreenEngine.flagger({ iterations: 0 })).toThrow("BlueGreenEngine.flagger(): invalid 'iterations': must be a whole number from 1 to 1000, got 0");
  });
  test('fails on Service names Flagger does not create', () => {
    expect(() => synth(BlueGreenEngine.flagger({ iterations: 3 }), { previewServiceName: 'web-preview' })).toThrow(
      "shop/web: invalid 'previewServiceName': must be 'web-canary' with Flagger, which names the Services it creates; leave it out, got 'web-preview'");
    expect(() => synth(BlueGreenEngine.flagger({ iterations: 3 }), { activeServiceName: 'www' })).toThrow(
      "shop/web: invalid 'activeServiceName': must be the workload name ('web') with Flagger, which names the Services it creates; leave it out, got 'www'");
  });
  test('fails on manual promotion without a load tester', () => {
    expect(() => synth(BlueGreenEngine.flagger({ iterations: 3, autoPromotionEnabled: false }))).toThrow(
      "shop/web: invalid 'engine.loadTesterUrl': is required for manual promotion (autoPromotionEnabled: false) (confirm-promotion): Flagger's manual gates are confirm webhooks on the load tester's gate API, got nothing");
  });
  test('fails on gates with different failure limits', () => {
    const other = Gate.prometheus({ name: 'up', address: 'http://p:9090', query: 'min(up)', threshold: Threshold.atLeast(1), failureLimit: 3 });
    expect(() => synth(BlueGreenEngine.flagger({ iterations: 3, prePromotionAnalysis: [errorRatio, other] }))).toThrow(
      "shop/web: invalid 'engine.prePromotionAnalysis': Flagger has one failure threshold for all checks, so every gate needs the same failureLimit (gate 'error-ratio' has 1, gate 'up' has 3), got 3");
  });
  test('fails on the AWS ALB router', () => {
    expect(() => synth(BlueGreenEngine.flagger({ iterations: 3, trafficRouter: TrafficRouter.alb() }))).toThrow(
      "shop/web: invalid 'trafficRouter': Flagger has no AWS ALB router; use TrafficRouter.gatewayApi() (AWS Gateway API Controller), .istio() or .nginx(), or RolloutEngine.argoRollouts(), got 'TrafficRouter.alb()'");
  });
  test('fails on a webhook without a URL and no load tester', () => {
    expect(() => synth(BlueGreenEngine.flagger({ iterations: 3, webhooks: [FlaggerWebhook.rollback({ name: 'rollback' })] }))).toThrow(
      "shop/web: invalid 'engine.loadTesterUrl': is required for engine.webhooks[0] ('rollback'), which has no url of its own, got nothing");
  });
});
