import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  CanaryRollout, CanaryRolloutProps, Gate, HeaderMatch, Interval, RolloutEngine, RolloutPlan, Step, Threshold, TrafficRouter,
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
