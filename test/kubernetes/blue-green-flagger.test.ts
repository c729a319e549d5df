import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  BlueGreenEngine, BlueGreenService, BlueGreenServiceProps, EgressTarget, FlaggerMirrorOptions, FlaggerWebhook, Gate, HttpMethod, Interval,
  SideEffects, Threshold, TrafficRouter,
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

describe('Flagger blue/green with traffic mirroring (Istio)', () => {
  const ALL = [HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE];
  const sandboxDb = EgressTarget.pods({ namespace: 'sandbox', labels: { app: 'postgres' }, ports: [5432] });
  const productionDb = EgressTarget.pods({ namespace: 'data', labels: { app: 'postgres' }, ports: [5432] });
  const HANDOVER = 'reads fall back to the cache for the minute of the handover';
  const mirror = (overrides: Partial<FlaggerMirrorOptions> = {}): FlaggerMirrorOptions => ({
    percent: 40,
    methods: ALL,
    sideEffects: SideEffects.isolated({ allowEgressTo: [sandboxDb] }),
    productionDependencies: [productionDb],
    acknowledgeLiveHandover: HANDOVER,
    ...overrides,
  });
  const engine = (m: FlaggerMirrorOptions, router: TrafficRouter = TrafficRouter.istio({ istiodNamespace: 'istio-control' })) =>
    BlueGreenEngine.flagger({ iterations: 5, trafficRouter: router, mirror: m });

  test('the Canary mirrors the iterations with mirrorWeight, and a default-deny egress policy selects the canary pods only', () => {
    const objects = synth(engine(mirror()));
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'NetworkPolicy/web-canary-egress', 'Deployment/web', 'Canary/web', 'PodDisruptionBudget/web-primary',
    ]);
    const c = find(objects, 'Canary').spec;
    expect(c.provider).toBe('istio');
    expect(c.analysis).toEqual({ interval: '1m', threshold: 1, iterations: 5, mirror: true, mirrorWeight: 40 });
    const policy = find(objects, 'NetworkPolicy');
    expect(policy.metadata.namespace).toBe('shop');
    expect(policy.spec).toEqual({
      // Flagger labels the primary's pods app.kubernetes.io/name=web-primary: production is never selected.
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
        },
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'sandbox' } }, podSelector: { matchLabels: { app: 'postgres' } } }],
          ports: [{ protocol: 'TCP', port: 5432 }],
        },
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-control' } }, podSelector: { matchLabels: { app: 'istiod' } } }],
          ports: [{ protocol: 'TCP', port: 15012 }],
        },
      ],
    });
    // No shadow marker in the pod template: Flagger copies it into the primary on promotion.
    const template = find(objects, 'Deployment').spec.template;
    expect(template.metadata.labels['release-strategies.dev/shadow']).toBeUndefined();
    expect(template.spec.containers[0].env).toBeUndefined();
  });

  test('percent defaults to 100', () => {
    const c = find(synth(engine(mirror({ percent: undefined }))), 'Canary').spec;
    expect(c.analysis.mirrorWeight).toBe(100);
  });

  test('fails with a router other than Istio', () => {
    expect(() => synth(engine(mirror(), TrafficRouter.gatewayApi({ gateway: 'public' })))).toThrow(
      "shop/web: invalid 'engine.mirror': needs TrafficRouter.istio(): Flagger (v1.44) mirrors a blue/green analysis with a share (mirrorWeight) only through Istio; its Gateway API router ignores mirrorWeight and copies every request, and its other providers do not mirror at all (the Kubernetes provider runs no proxy that could copy a request), got 'gatewayapi:v1'");
    expect(() => synth(BlueGreenEngine.flagger({ iterations: 5, mirror: mirror() }))).toThrow(
      "shop/web: invalid 'engine.mirror': needs TrafficRouter.istio(): Flagger (v1.44) mirrors a blue/green analysis with a share (mirrorWeight) only through Istio; its Gateway API router ignores mirrorWeight and copies every request, and its other providers do not mirror at all (the Kubernetes provider runs no proxy that could copy a request), got 'kubernetes'");
  });

  test('fails when methods leave writes out: Flagger cannot filter the mirror by method', () => {
    expect(() => synth(engine(mirror({ methods: undefined })))).toThrow(
      "shop/web: invalid 'engine.mirror.methods': must list every method with Flagger (its mirror copies every request the route matches, whatever its method; it has no method filter): mirror writes explicitly with methods [GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE], SideEffects.isolated(...) and productionDependencies, or mirror with ShadowMirror and MirrorRouter.istio(), which copies only the methods listed, got ['GET', 'HEAD', 'OPTIONS']");
  });

  test('fails without declared side effects', () => {
    expect(() => synth(engine(mirror({ sideEffects: undefined as any })))).toThrow(
      "shop/web: invalid 'engine.mirror.sideEffects': must be declared: SideEffects.none() for a read-only service, or SideEffects.isolated({ allowEgressTo: [...] }) with its sandbox dependencies, got nothing");
  });

  test('fails with SideEffects.none(): writes are mirrored', () => {
    expect(() => synth(engine(mirror({ sideEffects: SideEffects.none() })))).toThrow(
      "shop/web: invalid 'engine.mirror.sideEffects': must be SideEffects.isolated({ allowEgressTo: [...] }) with the canary's sandbox dependencies when writes are mirrored (methods include POST, PUT, PATCH, DELETE): the canary repeats every write it receives, got SideEffects.none()");
  });

  test('fails without production dependencies', () => {
    expect(() => synth(engine(mirror({ productionDependencies: undefined })))).toThrow(
      "shop/web: invalid 'engine.mirror.productionDependencies': must list the production systems the sandbox stands in for when writes are mirrored (methods include POST, PUT, PATCH, DELETE), so that no allowlist entry can reach them, got []");
  });

  test('fails when the allowlist reaches a production dependency', () => {
    const m = mirror({ sideEffects: SideEffects.isolated({ allowEgressTo: [EgressTarget.namespace('data')] }) });
    expect(() => synth(engine(m))).toThrow(
      "shop/web: invalid 'engine.mirror.sideEffects.allowEgressTo[0]': must not reach a production dependency (it reaches engine.mirror.productionDependencies[0]: pods {app=postgres} in namespace 'data' on TCP 5432), got every pod in namespace 'data'");
  });

  test('fails without the live handover acknowledged', () => {
    expect(() => synth(engine(mirror({ acknowledgeLiveHandover: ' ' })))).toThrow(
      "shop/web: invalid 'engine.mirror.acknowledgeLiveHandover': must say why live requests may be served under the canary's egress isolation: after the last iteration Flagger stops mirroring and routes all live traffic to the canary pods until the promoted primary is ready, and the default-deny egress policy still selects them (they reach only DNS, istiod and the allowlist), got ' '");
  });

  test('fails when percent is outside 1..100', () => {
    expect(() => synth(engine(mirror({ percent: 0 })))).toThrow(
      "shop/web: invalid 'engine.mirror.percent': must be a whole number from 1 to 100, got 0");
  });
});
