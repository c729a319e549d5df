import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  CanaryRollout, CanaryRolloutProps, FlaggerWebhook, Gate, HeaderMatch, Interval, IstioTlsMode, RolloutEngine, RolloutPlan, Step, Threshold,
  TrafficRouter,
} from '../../src';
import { expectValidManifests } from '../schema-validation';

const containers: kplus.ContainerProps[] = [{ image: 'registry.example.com/checkout:v2', portNumber: 8080, readiness: kplus.Probe.fromHttpGet('/healthz') }];
const TESTER = 'http://flagger-loadtester.test/';
const successRate = Gate.prometheus({
  name: 'success-rate',
  address: 'http://prometheus.monitoring:9090',
  query: 'sum(rate(ok{pod=~"{{canaryPods}}"}[{{interval}}])) / sum(rate(all{pod=~"{{canaryPods}}"}[{{interval}}]))',
  threshold: Threshold.atLeast(0.99),
  failureLimit: 2,
});
const latency = Gate.prometheus({
  name: 'latency-p99',
  address: 'http://prometheus.monitoring:9090',
  query: 'histogram_quantile(0.99, sum(rate(latency_bucket{pod=~"{{canaryPods}}"}[{{interval}}])) by (le))',
  threshold: Threshold.atMost(0.5),
  failureLimit: 2,
});
const bake = Interval.minutes(5);
const plan = RolloutPlan.steps([
  Step.setWeight(5), Step.bake(bake), Step.analysis(successRate), Step.setWeight(25), Step.bake(bake), Step.setWeight(50), Step.bake(bake),
], { backgroundGates: [latency] });

function synth(props: Partial<CanaryRolloutProps>): any[] {
  const chart = new Chart(Testing.app(), 'shop');
  new CanaryRollout(chart, 'checkout', {
    containers, replicas: 10, port: 80, plan, engine: RolloutEngine.flagger(), trafficRouter: TrafficRouter.istio(), ...props,
  });
  const objects = chart.toJson();
  expectValidManifests(objects);
  return objects;
}
const find = (objects: any[], kind: string) => {
  const o = objects.find((x) => x.kind === kind);
  expect(o).toBeDefined();
  return o;
};
const analysisOf = (objects: any[]) => find(objects, 'Canary').spec.analysis;

describe('Flagger engine', () => {
  test('a Deployment, a Canary, MetricTemplates and a PodDisruptionBudget over the primary pods', () => {
    const objects = synth({});
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Canary/checkout', 'Deployment/checkout', 'MetricTemplate/checkout-latency-p99', 'MetricTemplate/checkout-success-rate', 'PodDisruptionBudget/checkout-primary',
    ]);
    const d = find(objects, 'Deployment');
    expect(d.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'checkout' } });
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } });
    expect(find(objects, 'PodDisruptionBudget').spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'checkout-primary' } });
    const c = find(objects, 'Canary').spec;
    expect(c.provider).toBe('istio');
    expect(c.targetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout' });
    expect(c.service).toEqual({ port: 80, targetPort: 8080 });
    expect(c.analysis).toEqual({
      interval: '5m',
      threshold: 3,
      stepWeights: [5, 25, 50],
      metrics: [
        { name: 'latency-p99', templateRef: { name: 'checkout-latency-p99' }, thresholdRange: { max: 0.5 }, interval: '1m' },
        { name: 'success-rate', templateRef: { name: 'checkout-success-rate' }, thresholdRange: { min: 0.99 }, interval: '1m' },
      ],
    });
  });

  test('equal steps become stepWeight and maxWeight; a final setWeight(100) is the promotion', () => {
    const linear = synth({ plan: RolloutPlan.linear({ step: 20, every: Interval.minutes(2) }) });
    expect(analysisOf(linear)).toEqual({ interval: '2m', threshold: 1, stepWeight: 20, maxWeight: 80 });
    const withPromotion = RolloutPlan.steps([Step.setWeight(10), Step.bake(bake), Step.setWeight(20), Step.bake(bake), Step.setWeight(100)]);
    expect(analysisOf(synth({ plan: withPromotion }))).toEqual({ interval: '5m', threshold: 1, stepWeight: 10, maxWeight: 20 });
  });

  test('pauses become confirm webhooks on the load tester gate', () => {
    const p = RolloutPlan.steps([Step.pause(), Step.setWeight(10), Step.bake(bake), Step.setWeight(30), Step.bake(bake), Step.pause()]);
    const a = analysisOf(synth({ plan: p, engine: RolloutEngine.flagger({ loadTesterUrl: TESTER }) }));
    expect(a.webhooks).toEqual([
      { name: 'confirm-rollout', type: 'confirm-rollout', url: 'http://flagger-loadtester.test/gate/check' },
      { name: 'confirm-promotion', type: 'confirm-promotion', url: 'http://flagger-loadtester.test/gate/check' },
    ]);
    const every = RolloutPlan.steps([Step.pause(), Step.setWeight(10), Step.bake(bake), Step.pause(), Step.setWeight(30), Step.bake(bake)]);
    expect(analysisOf(synth({ plan: every, engine: RolloutEngine.flagger({ loadTesterUrl: TESTER }) })).webhooks).toEqual([
      { name: 'confirm-traffic-increase', type: 'confirm-traffic-increase', url: 'http://flagger-loadtester.test/gate/check' },
    ]);
  });

  test('a load test runs on the load tester at every interval', () => {
    const a = analysisOf(synth({ engine: RolloutEngine.flagger({ loadTesterUrl: TESTER, loadTestCommand: 'hey -z 1m -q 10 -c 2 http://checkout-canary.shop/', progressDeadlineSeconds: 120 }) }));
    expect(a.webhooks).toEqual([{ name: 'load-test', type: 'rollout', url: TESTER, timeout: '15s', metadata: { type: 'cmd', cmd: 'hey -z 1m -q 10 -c 2 http://checkout-canary.shop/' } }]);
  });

  test('an A/B test becomes iterations and a header match', () => {
    const p = RolloutPlan.abTest({ match: [HeaderMatch.exact('x-canary', 'insider'), HeaderMatch.cookie('canary', 'always')], iterations: 10, every: Interval.minutes(1) });
    expect(analysisOf(synth({ plan: p }))).toEqual({
      interval: '1m',
      threshold: 1,
      iterations: 10,
      match: [{ headers: { 'x-canary': { exact: 'insider' }, 'cookie': { regex: '^(.*?;\\s*)?(canary=always)(;.*)?$' } } }],
    });
  });

  test('the Ingress the Canary references comes before it in the output', () => {
    const order = synth({ trafficRouter: TrafficRouter.nginx({ host: 'shop.example.com' }) }).map((o) => o.kind);
    expect(order.indexOf('Ingress')).toBeGreaterThanOrEqual(0);
    expect(order.indexOf('Ingress')).toBeLessThan(order.indexOf('Canary'));
    expect(order.indexOf('MetricTemplate')).toBeLessThan(order.indexOf('Canary'));
    expect(order.indexOf('Deployment')).toBeLessThan(order.indexOf('Canary'));
  });

  test('routers: Gateway API, NGINX and SMI', () => {
    const gwc = find(synth({ trafficRouter: TrafficRouter.gatewayApi({ gateway: 'public', gatewayNamespace: 'gateways', hostnames: ['shop.example.com'] }) }), 'Canary').spec;
    expect(gwc.provider).toBe('gatewayapi:v1');
    expect(gwc.service).toEqual({ port: 80, targetPort: 8080, gatewayRefs: [{ name: 'public', namespace: 'gateways' }], hosts: ['shop.example.com'] });
    const nginx = synth({ trafficRouter: TrafficRouter.nginx({ host: 'shop.example.com' }) });
    expect(find(nginx, 'Canary').spec.ingressRef).toEqual({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'checkout' });
    expect(find(nginx, 'Ingress').spec.rules[0].http.paths[0].backend).toEqual({ service: { name: 'checkout', port: { number: 80 } } });
    expect(find(synth({ trafficRouter: TrafficRouter.smi() }), 'Canary').spec.provider).toBe('smi:v1alpha3');
    const istio = find(synth({ trafficRouter: TrafficRouter.istio({ hosts: ['checkout.example.com'], gateways: ['istio-system/public'] }) }), 'Canary').spec;
    expect(istio.service).toEqual({ port: 80, targetPort: 8080, hosts: ['checkout.example.com'], gateways: ['istio-system/public'] });
  });
});

test('the same plan and gates render through both engines', () => {
  const chart = new Chart(Testing.app(), 'shop');
  const common = { containers, replicas: 10, port: 80, plan, trafficRouter: TrafficRouter.istio() };
  new CanaryRollout(chart, 'argo', { ...common, engine: RolloutEngine.argoRollouts() });
  new CanaryRollout(chart, 'flagger', { ...common, engine: RolloutEngine.flagger() });
  const objects = chart.toJson();
  expectValidManifests(objects);
  const rollout = objects.find((o) => o.kind === 'Rollout').spec.strategy.canary;
  expect(rollout.steps.filter((s: any) => s.setWeight !== undefined).map((s: any) => s.setWeight)).toEqual([5, 25, 50]);
  expect(rollout.steps.filter((s: any) => s.pause).map((s: any) => s.pause.duration)).toEqual(['5m', '5m', '5m']);
  expect(rollout.analysis.templates).toEqual([{ templateName: 'argo-latency-p99-continuous' }]);
  const canary = objects.find((o) => o.kind === 'Canary').spec.analysis;
  expect([canary.interval, canary.stepWeights, canary.metrics.map((m: any) => m.name)]).toEqual(['5m', [5, 25, 50], ['latency-p99', 'success-rate']]);
});

describe('refusals (Flagger)', () => {
  const make = (props: Partial<CanaryRolloutProps>) => () => new CanaryRollout(new Chart(Testing.app(), 'shop'), 'checkout', {
    containers, port: 80, plan, engine: RolloutEngine.flagger(), trafficRouter: TrafficRouter.istio(), ...props,
  });

  test('fails on bakes of different lengths', () => {
    const p = RolloutPlan.steps([Step.setWeight(5), Step.bake(bake), Step.setWeight(25), Step.bake(Interval.minutes(10))]);
    expect(make({ plan: p })).toThrow("shop/checkout: invalid 'plan.steps[3]': Flagger has one analysis interval for every step (the first bake is 5m); nearest plan: bake 5m after every traffic step, got 'bake(10m)'");
  });
  test('fails on an analysis interval below 10 seconds (Flagger would run every step at 10s)', () => {
    const p = RolloutPlan.steps([Step.setWeight(5), Step.bake(Interval.seconds(5)), Step.setWeight(25), Step.bake(Interval.seconds(5))]);
    expect(make({ plan: p })).toThrow("shop/checkout: invalid 'plan.steps[1]': Flagger runs its analysis at most every 10s and raises a shorter interval to 10s, so every step would take longer than declared; nearest plan: an interval of at least 10s, got 'bake(5s)'");
    const ab = RolloutPlan.abTest({ match: [HeaderMatch.exact('x-canary', 'yes')], iterations: 10, every: Interval.seconds(9) });
    expect(make({ plan: ab })).toThrow("shop/checkout: invalid 'plan.every': Flagger runs its analysis at most every 10s and raises a shorter interval to 10s, so every step would take longer than declared; nearest plan: an interval of at least 10s, got '9s'");
    expect(analysisOf(synth({ plan: RolloutPlan.canary({ percent: 10, bake: Interval.seconds(10) }) })).interval).toBe('10s');
  });
  test('fails on a traffic step without a bake', () => {
    const p = RolloutPlan.steps([Step.setWeight(5), Step.setWeight(25), Step.bake(bake)]);
    expect(make({ plan: p })).toThrow("shop/checkout: invalid 'plan.steps[0]': Flagger moves traffic once per analysis interval, so every traffic step needs one bake after it; nearest plan: add Step.bake() after this step, got 'setWeight(5)'");
  });
  test('fails on a pause in the middle only', () => {
    const p = RolloutPlan.steps([
      Step.setWeight(5), Step.bake(bake), Step.pause(), Step.setWeight(25), Step.bake(bake), Step.setWeight(50), Step.bake(bake),
    ]);
    expect(make({ plan: p, engine: RolloutEngine.flagger({ loadTesterUrl: TESTER }) })).toThrow("shop/checkout: invalid 'plan.steps[2]': Flagger has manual gates only before the analysis (confirm-rollout), before every traffic step (confirm-traffic-increase) or before promotion (confirm-promotion); nearest plan: pause before the first step, before every step, or at the end, got 'pause()'");
  });
  test('fails on a pause without a load tester', () => {
    const p = RolloutPlan.steps([Step.pause(), Step.setWeight(5), Step.bake(bake)]);
    expect(make({ plan: p })).toThrow("shop/checkout: invalid 'engine.loadTesterUrl': is required for the pause steps (confirm-rollout): Flagger's manual gates are confirm webhooks on the load tester's gate API, got nothing");
  });
  test('fails on canary scale, mirror and header-route steps', () => {
    expect(make({ plan: RolloutPlan.steps([Step.canaryScale({ replicas: 1 }), Step.setWeight(5), Step.bake(bake)]) })).toThrow("shop/checkout: invalid 'plan.steps[0]': Flagger scales the canary Deployment itself and cannot scale it apart from its weight; nearest plan: drop canaryScale steps, or use RolloutEngine.argoRollouts(), got 'canaryScale({\"replicas\":1})'");
    expect(make({ plan: RolloutPlan.steps([Step.setWeight(5), Step.bake(bake), Step.mirror(10)]) })).toThrow("shop/checkout: invalid 'plan.steps[2]': Flagger mirrors traffic only in blue/green analyses, not in a canary plan; nearest plan: drop the mirror step, or use RolloutEngine.argoRollouts() with TrafficRouter.istio(), got 'mirror(10)'");
    expect(make({ plan: RolloutPlan.steps([Step.setWeight(5), Step.bake(bake), Step.headerRoute({ match: [HeaderMatch.exact('a', 'b')] })]) })).toThrow("shop/checkout: invalid 'plan.steps[2]': Flagger routes by header only in an A/B test, which has no weights; nearest plan: RolloutPlan.abTest({ match, iterations, every }), got 'headerRoute(a exact 'b')'");
  });
  test('fails on setWeight(0) and on a plan without traffic', () => {
    expect(make({ plan: RolloutPlan.steps([Step.setWeight(0), Step.bake(bake)]) })).toThrow("shop/checkout: invalid 'plan.steps[0]': Flagger starts every analysis at weight 0 by itself; nearest plan: drop setWeight(0), got 'setWeight(0)'");
    expect(make({ plan: RolloutPlan.allAtOnce() })).toThrow("shop/checkout: invalid 'plan.steps[0]': Flagger moves traffic once per analysis interval, so every traffic step needs one bake after it; nearest plan: add Step.bake() after this step, got 'setWeight(100)'");
  });
  test('fails on gates with different failure limits', () => {
    const other = Gate.prometheus({ name: 'up', address: 'http://p:9090', query: 'min(up)', threshold: Threshold.atLeast(1) });
    const p = RolloutPlan.canary({ percent: 10, bake, gates: [successRate, other] });
    expect(make({ plan: p })).toThrow("shop/checkout: invalid 'plan.gates': Flagger has one failure threshold for all checks, so every gate needs the same failureLimit (gate 'success-rate' has 2, gate 'up' has 1), got 1");
  });
  test('fails on an initial delay longer than the interval', () => {
    const slow = Gate.prometheus({ name: 'up', address: 'http://p:9090', query: 'min(up)', threshold: Threshold.atLeast(1), initialDelay: Interval.minutes(10) });
    expect(make({ plan: RolloutPlan.canary({ percent: 10, bake, gates: [slow] }) })).toThrow("shop/checkout: invalid 'plan.gates': Flagger checks gate 'up' one analysis interval (5m) after each traffic step and cannot delay it further; nearest plan: initialDelay of at most 5m, got '10m'");
  });
  test('fails on a gate named like an engine webhook', () => {
    const hook = Gate.web({ name: 'load-test', url: 'http://x/' });
    expect(make({ plan: RolloutPlan.canary({ percent: 10, bake, gates: [hook] }), engine: RolloutEngine.flagger({ loadTesterUrl: TESTER, loadTestCommand: 'hey http://x/' }) })).toThrow("shop/checkout: invalid 'plan.gates': must not repeat a Flagger metric or webhook name (load-test, confirm-rollout, confirm-traffic-increase, confirm-promotion are taken by the engine's own webhooks), got 'load-test'");
  });
  test('fails on routers Flagger cannot use', () => {
    expect(make({ trafficRouter: TrafficRouter.alb() })).toThrow("shop/checkout: invalid 'trafficRouter': Flagger has no AWS ALB router; use TrafficRouter.gatewayApi() (AWS Gateway API Controller), .istio() or .nginx(), or RolloutEngine.argoRollouts(), got 'TrafficRouter.alb()'");
    expect(make({ trafficRouter: TrafficRouter.none() })).toThrow("shop/checkout: invalid 'trafficRouter': Flagger shifts canary traffic only through a router (without one it runs blue/green, not a canary); use TrafficRouter.gatewayApi(), .istio(), .nginx() or .smi(), or RolloutEngine.argoRollouts() for a replica-ratio canary, got 'TrafficRouter.none()'");
    expect(make({ trafficRouter: TrafficRouter.istio({ subsetLevel: true }) })).toThrow("shop/checkout: invalid 'trafficRouter.subsetLevel': Flagger routes Istio traffic by host (<name>-primary and <name>-canary DestinationRules); leave subsetLevel out, got true");
    expect(make({ trafficRouter: TrafficRouter.gatewayApi({ gateway: 'public', httpRoute: 'shop' }) })).toThrow("shop/checkout: invalid 'trafficRouter.httpRoute': Flagger names the HTTPRoute it creates after the workload ('checkout'); leave httpRoute out, got 'shop'");
    expect(make({ trafficRouter: TrafficRouter.smi({ trafficSplitName: 'split' }) })).toThrow("shop/checkout: invalid 'trafficRouter.trafficSplitName': Flagger names the TrafficSplit it creates after the workload ('checkout'); leave trafficSplitName out, got 'split'");
  });
  test('fails on an A/B match NGINX cannot express', () => {
    const p = RolloutPlan.abTest({ match: [HeaderMatch.cookie('canary', 'always')], iterations: 5, every: Interval.minutes(1) });
    expect(make({ plan: p, trafficRouter: TrafficRouter.nginx({ host: 'a.example.com' }) })).toThrow("shop/checkout: invalid 'plan.steps[0]': Flagger with NGINX routes A/B traffic by exactly one header compared exactly (HeaderMatch.exact), no cookies or patterns; nearest plan: a router that supports it, or RolloutPlan.canary(), got 'headerRoute(cookie regex '^(.*?;\\s*)?(canary=always)(;.*)?$')'");
  });
  test('fails on a load test without a load tester', () => {
    expect(() => RolloutEngine.flagger({ loadTestCommand: 'hey http://x/' })).toThrow("RolloutEngine.flagger(): invalid 'loadTesterUrl': is required with loadTestCommand (the load tester runs the command), got nothing");
    expect(() => RolloutEngine.flagger({ loadTesterUrl: 'flagger-loadtester' })).toThrow("RolloutEngine.flagger(): invalid 'loadTesterUrl': must be an http:// or https:// URL, got 'flagger-loadtester'");
  });
});

describe('Flagger canary: webhooks, autoscaling, Istio TLS, built-in metrics, OR-ed A/B matches', () => {
  test('webhooks of every type the plan does not express', () => {
    const a = analysisOf(synth({
      engine: RolloutEngine.flagger({
        loadTesterUrl: TESTER,
        webhooks: [
          FlaggerWebhook.preRollout({ name: 'smoke', url: 'http://smoke.qa/run', timeoutSeconds: 60 }),
          FlaggerWebhook.confirmRollout({ name: 'change-window', url: 'http://calendar.ops/open' }),
          FlaggerWebhook.confirmTrafficIncrease({ name: 'traffic-approval', url: 'http://approvals.ops/checkout' }),
          FlaggerWebhook.confirmPromotion({ name: 'promotion-gate' }),
          FlaggerWebhook.rollback({ name: 'rollback' }),
          FlaggerWebhook.postRollout({ name: 'notify', url: 'http://bot.ops/done' }),
          FlaggerWebhook.event({ name: 'audit', url: 'http://audit.ops/flagger' }),
        ],
      }),
    }));
    expect(a.webhooks).toEqual([
      { name: 'smoke', type: 'pre-rollout', url: 'http://smoke.qa/run', timeout: '60s' },
      { name: 'change-window', type: 'confirm-rollout', url: 'http://calendar.ops/open' },
      { name: 'traffic-approval', type: 'confirm-traffic-increase', url: 'http://approvals.ops/checkout' },
      { name: 'promotion-gate', type: 'confirm-promotion', url: 'http://flagger-loadtester.test/gate/check' },
      { name: 'rollback', type: 'rollback', url: 'http://flagger-loadtester.test/rollback/check' },
      { name: 'notify', type: 'post-rollout', url: 'http://bot.ops/done' },
      { name: 'audit', type: 'event', url: 'http://audit.ops/flagger' },
    ]);
  });

  test('autoscaling: an HPA on the Deployment, autoscalerRef in the Canary, no fixed replicas', () => {
    const chart = new Chart(Testing.app(), 'shop');
    new CanaryRollout(chart, 'checkout', {
      containers,
      port: 80,
      plan,
      engine: RolloutEngine.flagger(),
      trafficRouter: TrafficRouter.istio(),
      autoscaling: { minReplicas: 3, maxReplicas: 12, cpuUtilizationPercent: 70, memoryUtilizationPercent: 85 },
    });
    const objects = chart.toJson();
    expectValidManifests(objects);
    expect(find(objects, 'Deployment').spec.replicas).toBeUndefined();
    const hpa = find(objects, 'HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout' },
      minReplicas: 3,
      maxReplicas: 12,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 85 } } },
      ],
    });
    expect(find(objects, 'Canary').spec.autoscalerRef).toEqual({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: 'checkout' });
    const order = objects.map((o) => o.kind);
    expect(order.indexOf('HorizontalPodAutoscaler')).toBeLessThan(order.indexOf('Canary'));
  });

  test('autoscaling with Argo Rollouts: the HPA scales the Rollout', () => {
    const chart = new Chart(Testing.app(), 'shop');
    new CanaryRollout(chart, 'checkout', { containers, port: 80, plan, trafficRouter: TrafficRouter.istio(), autoscaling: { minReplicas: 2, maxReplicas: 6 } });
    const objects = chart.toJson();
    expectValidManifests(objects);
    expect(find(objects, 'Rollout').spec.replicas).toBeUndefined();
    expect(find(objects, 'HorizontalPodAutoscaler').spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'checkout' });
    expect(find(objects, 'HorizontalPodAutoscaler').spec.metrics[0].resource.target.averageUtilization).toBe(80);
  });

  test('fails on autoscaling together with replicas, or maxReplicas below minReplicas', () => {
    const make = (props: Partial<CanaryRolloutProps>) => () => new CanaryRollout(new Chart(Testing.app(), 'shop'), 'checkout', {
      containers, port: 80, plan, engine: RolloutEngine.flagger(), trafficRouter: TrafficRouter.istio(), ...props,
    });
    expect(make({ replicas: 4, autoscaling: { minReplicas: 2, maxReplicas: 6 } })).toThrow(
      "shop/checkout: invalid 'replicas': must be left out with autoscaling (the HorizontalPodAutoscaler sets the number of pods between minReplicas and maxReplicas), got 4");
    expect(make({ autoscaling: { minReplicas: 4, maxReplicas: 2 } })).toThrow(
      "shop/checkout: invalid 'autoscaling.maxReplicas': must be a whole number from 4 to 10000, got 2");
  });

  test('Istio TLS mode: Flagger trafficPolicy; Argo Rollouts DestinationRules', () => {
    const router = TrafficRouter.istio({ tlsMode: IstioTlsMode.ISTIO_MUTUAL });
    expect(find(synth({ trafficRouter: router }), 'Canary').spec.service.trafficPolicy).toEqual({ tls: { mode: 'ISTIO_MUTUAL' } });
    const argo = synth({ trafficRouter: router, engine: RolloutEngine.argoRollouts() });
    expect(argo.filter((o) => o.kind === 'DestinationRule').map((o) => [o.metadata.name, o.spec])).toEqual([
      ['checkout-stable', { host: 'checkout-stable', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }],
      ['checkout-canary', { host: 'checkout-canary', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }],
    ]);
    const subsetRouter = TrafficRouter.istio({ subsetLevel: true, tlsMode: IstioTlsMode.DISABLE });
    const subsets = synth({ trafficRouter: subsetRouter, engine: RolloutEngine.argoRollouts() });
    expect(find(subsets, 'DestinationRule').spec.trafficPolicy).toEqual({ tls: { mode: 'DISABLE' } });
  });

  test('built-in metrics become Flagger metrics without a template', () => {
    const gates = [
      Gate.requestSuccessRate({ threshold: Threshold.atLeast(99), failureLimit: 2 }),
      Gate.requestDuration({ threshold: Threshold.atMost(500), failureLimit: 2 }),
    ];
    const p = RolloutPlan.canary({ percent: 10, bake, gates });
    const engine = RolloutEngine.flagger({ metricsServer: 'http://prometheus.monitoring:9090' });
    const objects = synth({ plan: p, trafficRouter: TrafficRouter.nginx({ host: 'shop.example.com' }), engine });
    expect(analysisOf(objects).metrics).toEqual([
      { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' },
      { name: 'request-duration', thresholdRange: { max: 500 }, interval: '1m' },
    ]);
    expect(find(objects, 'Canary').spec.metricsServer).toBe('http://prometheus.monitoring:9090');
  });

  test('fails on built-in metrics with Argo Rollouts or an SMI mesh, and on thresholds in the wrong unit', () => {
    const p = RolloutPlan.canary({ percent: 10, bake, gates: [Gate.requestSuccessRate({ threshold: Threshold.atLeast(99) })] });
    expect(() => synth({ plan: p, engine: RolloutEngine.argoRollouts() })).toThrow(
      "shop/checkout: invalid 'plan.backgroundGates[0]': Argo Rollouts has no built-in request metrics; use Gate.prometheus() (or another provider) with your router's or mesh's query instead of gate 'request-success-rate', got 'request-success-rate (built in)'");
    expect(() => synth({ plan: p, trafficRouter: TrafficRouter.smi() })).toThrow(
      "shop/checkout: invalid 'plan.gates[0]': Flagger has no built-in request metrics for SMI meshes (it would query Istio's metrics); use Gate.prometheus() with your mesh's query instead of gate 'request-success-rate', got 'smi:v1alpha3'");
    expect(() => Gate.requestSuccessRate({ threshold: Threshold.atLeast(0.99) })).toThrow(
      "Gate.requestSuccessRate(): invalid 'threshold': must be a percentage from 1 to 100 (99 means 99%; the engine measures in percent, not as a ratio), got >= 0.99");
    expect(() => Gate.requestDuration({ threshold: Threshold.atMost(0.5) })).toThrow(
      "Gate.requestDuration(): invalid 'threshold': must be whole milliseconds (Flagger compares the duration in whole milliseconds), got <= 0.5");
  });

  test('an A/B test with alternatives: one Flagger match entry each (OR), one Argo header route each', () => {
    const p = RolloutPlan.abTest({
      matchAny: [[HeaderMatch.exact('x-canary', 'insider'), HeaderMatch.regex('x-region', '^eu-')], [HeaderMatch.cookie('canary', 'always')]],
      iterations: 10,
      every: Interval.minutes(1),
      gates: [successRate],
    });
    expect(analysisOf(synth({ plan: p })).match).toEqual([
      { headers: { 'x-canary': { exact: 'insider' }, 'x-region': { regex: '^eu-' } } },
      { headers: { cookie: { regex: '^(.*?;\\s*)?(canary=always)(;.*)?$' } } },
    ]);
    const rollout = find(synth({ plan: p, engine: RolloutEngine.argoRollouts() }), 'Rollout').spec.strategy.canary;
    expect(rollout.steps).toEqual([
      { setCanaryScale: { weight: 100 } },
      { setHeaderRoute: { name: 'ab-test-1', match: [{ headerName: 'x-canary', headerValue: { exact: 'insider' } }, { headerName: 'x-region', headerValue: { regex: '^eu-' } }] } },
      { setHeaderRoute: { name: 'ab-test-2', match: [{ headerName: 'cookie', headerValue: { regex: '^(.*?;\\s*)?(canary=always)(;.*)?$' } }] } },
      { pause: { duration: '10m' } },
    ]);
    expect(rollout.trafficRouting.managedRoutes).toEqual([{ name: 'ab-test-1' }, { name: 'ab-test-2' }]);
    expect(rollout.analysis.startingStep).toBe(3);
  });

  test('fails on alternatives NGINX cannot express, and on match together with matchAny', () => {
    const p = RolloutPlan.abTest({ matchAny: [[HeaderMatch.exact('x-a', '1')], [HeaderMatch.exact('x-b', '1')]], iterations: 3, every: Interval.minutes(1) });
    expect(() => synth({ plan: p, trafficRouter: TrafficRouter.nginx({ host: 'a.example.com' }) })).toThrow(
      "shop/checkout: invalid 'plan.steps[1]': Flagger with NGINX routes A/B traffic by exactly one header compared exactly (HeaderMatch.exact), no cookies or patterns; nearest plan: one list of matches, or a router that supports several, got 'headerRoute(x-b exact '1')'");
    expect(() => RolloutPlan.abTest({ match: [HeaderMatch.exact('x-a', '1')], matchAny: [[HeaderMatch.exact('x-b', '1')]], iterations: 3, every: Interval.minutes(1) })).toThrow(
      "RolloutPlan.abTest(): invalid 'match': give exactly one of match and matchAny, got [x-a exact '1']");
    expect(() => RolloutPlan.abTest({ matchAny: [[]], iterations: 3, every: Interval.minutes(1) })).toThrow(
      "RolloutPlan.abTest(): invalid 'matchAny[0]': must have at least one HeaderMatch, got []");
  });

  test('fails on the blue/green Service placeholders in a canary gate', () => {
    const g = Gate.web({ name: 'preview-up', url: 'http://{{previewService}}/healthz' });
    expect(() => synth({ plan: RolloutPlan.canary({ percent: 10, bake, gates: [g] }) })).toThrow(
      "shop/checkout: invalid 'plan.gates[0].url': may use {{previewService}} and {{activeService}} only in blue/green gates (gate 'preview-up'), got '{{previewService}}'");
    expect(() => synth({ plan: RolloutPlan.canary({ percent: 10, bake, gates: [g] }), engine: RolloutEngine.argoRollouts() })).toThrow(
      "shop/checkout: invalid 'plan.backgroundGates[0]': may use {{previewService}} and {{activeService}} only in blue/green gates (gate 'preview-up'), got '{{previewService}}'");
  });

  test('fails on webhook options that cannot work', () => {
    expect(() => FlaggerWebhook.postRollout({ name: 'notify' })).toThrow("FlaggerWebhook.postRollout(): invalid 'url': is required for a post-rollout webhook, got nothing");
    expect(() => FlaggerWebhook.rollback({ name: 'rollback', command: 'true' })).toThrow(
      "FlaggerWebhook.rollback(): invalid 'command': is for pre- and post-rollout webhooks only; give a url, got 'true'");
    expect(() => FlaggerWebhook.preRollout({ name: 'smoke', url: 'http://x/', command: 'curl x' })).toThrow(
      "FlaggerWebhook.preRollout(): invalid 'url': must be left out with command (the load tester runs the command), got 'http://x/'");
    expect(() => FlaggerWebhook.event({ name: 'Audit', url: 'http://x/' })).toThrow(
      "FlaggerWebhook.event(): invalid 'name': must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters), got 'Audit'");
    expect(() => RolloutEngine.flagger({ metricsServer: 'prometheus:9090' })).toThrow("RolloutEngine.flagger(): invalid 'metricsServer': must be an http:// or https:// URL, got 'prometheus:9090'");
  });
});

describe('fractional percentages (Flagger: stepWeight, stepWeights and maxWeight are integers)', () => {
  const make = (p: RolloutPlan) => () => new CanaryRollout(new Chart(Testing.app(), 'shop'), 'checkout', {
    containers, port: 80, plan: p, engine: RolloutEngine.flagger(), trafficRouter: TrafficRouter.istio(),
  });

  test('fails on a fractional canary percentage, naming the nearest whole plan', () => {
    expect(make(RolloutPlan.canary({ percent: 99.5, bake: Interval.minutes(2) }))).toThrow(
      "shop/checkout: invalid 'plan.steps[0]': Flagger takes whole percentages; nearest plan: RolloutPlan.canary({ percent: 99, bake: Interval.minutes(2) }), got 'setWeight(99.5)'");
  });

  test('fails on a fractional linear step', () => {
    expect(make(RolloutPlan.linear({ step: 33.3, every: Interval.minutes(1) }))).toThrow(
      "shop/checkout: invalid 'plan.steps[0]': Flagger takes whole percentages; nearest plan: RolloutPlan.linear({ step: 33, every: Interval.minutes(1) }), got 'setWeight(33.3)'");
  });

  test('fails on a fractional weight in a steps plan (stepWeights), naming that step', () => {
    const p = RolloutPlan.steps([Step.setWeight(5), Step.bake(bake), Step.setWeight(12.5), Step.bake(bake)]);
    expect(make(p)).toThrow(
      "shop/checkout: invalid 'plan.steps[2]': Flagger takes whole percentages; nearest plan: Step.setWeight(13) in place of this step, got 'setWeight(12.5)'");
  });
});
