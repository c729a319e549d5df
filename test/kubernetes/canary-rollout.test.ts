import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import {
  CanaryRollout, CanaryRolloutProps, EgressTarget, Gate, HeaderMatch, HttpMethod, Interval, PathMatch, RolloutEngine, RolloutPlan, SideEffects,
  Step, Threshold,
  TrafficRouter,
} from '../../src';
import { podTemplate, resolveWorkload } from '../../src/kubernetes/private/workload';
import { warningsOf } from '../../src/private/warnings';
import { expectValidManifests } from '../schema-validation';

const containers: kplus.ContainerProps[] = [{ image: 'registry.example.com/checkout:v2', portNumber: 8080, readiness: kplus.Probe.fromHttpGet('/healthz') }];
const successRate = Gate.prometheus({
  name: 'success-rate',
  address: 'http://prometheus.monitoring:9090',
  query: 'sum(rate(http_requests_total{pod=~"{{canaryPods}}",code!~"5.."}[1m])) / sum(rate(http_requests_total{pod=~"{{canaryPods}}"}[1m]))',
  threshold: Threshold.atLeast(0.99),
});
const plan = RolloutPlan.steps([
  Step.setWeight(5), Step.bake(Interval.minutes(5)), Step.analysis(successRate),
  Step.setWeight(25), Step.bake(Interval.minutes(10)), Step.pause(), Step.setWeight(50), Step.bake(Interval.minutes(10)),
]);

function synth(props: Partial<CanaryRolloutProps>, namespace?: string): { objects: any[]; chart: Chart; rollout: CanaryRollout } {
  const chart = new Chart(Testing.app(), 'shop', { namespace });
  const rollout = new CanaryRollout(chart, 'checkout', {
    containers,
    replicas: 10,
    port: 80,
    plan,
    engine: RolloutEngine.argoRollouts(),
    trafficRouter: TrafficRouter.gatewayApi({ gateway: 'public' }),
    ...props,
  });
  const objects = chart.toJson();
  expectValidManifests(objects);
  return { objects, chart, rollout };
}

const find = (objects: any[], kind: string, name?: string) => {
  const o = objects.find((x) => x.kind === kind && (name === undefined || x.metadata.name === name));
  expect(o).toBeDefined();
  return o;
};
const canaryOf = (objects: any[]) => find(objects, 'Rollout').spec.strategy.canary;

describe('Argo Rollouts engine', () => {
  test('default configuration', () => {
    expect(synth({}).objects).toMatchSnapshot();
  });

  test('a Rollout with the plan as canary steps, both Services and safe surge settings', () => {
    const { objects, rollout } = synth({});
    const r = find(objects, 'Rollout', 'checkout');
    expect(r.spec.replicas).toBe(10);
    expect(r.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'checkout' } });
    const c = r.spec.strategy.canary;
    expect(c.canaryService).toBe('checkout-canary');
    expect(c.stableService).toBe('checkout-stable');
    expect(c.maxSurge).toBe('25%');
    expect(c.maxUnavailable).toBe(0);
    expect(c.steps).toEqual([
      { setWeight: 5 },
      { pause: { duration: '5m' } },
      { analysis: { templates: [{ templateName: 'checkout-success-rate' }], args: [{ name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } }] } },
      { setWeight: 25 },
      { pause: { duration: '10m' } },
      { pause: {} },
      { setWeight: 50 },
      { pause: { duration: '10m' } },
    ]);
    expect(objects.filter((o) => o.kind === 'Service').map((o) => [o.metadata.name, o.spec.selector])).toEqual([
      ['checkout', { 'app.kubernetes.io/name': 'checkout' }],
      ['checkout-stable', { 'app.kubernetes.io/name': 'checkout' }],
      ['checkout-canary', { 'app.kubernetes.io/name': 'checkout' }],
    ]);
    expect(find(objects, 'PodDisruptionBudget').spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'checkout' } } });
    expect([rollout.serviceName, rollout.stableServiceName, rollout.canaryServiceName]).toEqual(['checkout', 'checkout-stable', 'checkout-canary']);
  });

  test('the Rollout pod template is exactly the core pod template (no field dropped by the generated binding)', () => {
    const chart = new Chart(Testing.app(), 'shop');
    const props: CanaryRolloutProps = {
      containers: [{
        ...containers[0],
        envVariables: { MODE: kplus.EnvValue.fromValue('canary') },
        resources: { cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.millis(500) } },
      }],
      port: 80,
      plan,
      trafficRouter: TrafficRouter.none(),
      podAnnotations: { 'prometheus.io/scrape': 'true' },
      serviceAccountName: 'checkout',
    };
    new CanaryRollout(chart, 'checkout', props);
    const expected = k8s.toJson_PodTemplateSpec(podTemplate(resolveWorkload(new Chart(Testing.app(), 'x').node.root as any, { ...props, name: 'checkout' }), { containers: props.containers }));
    expect(find(chart.toJson(), 'Rollout').spec.template).toEqual(expected);
  });

  test('background gates become a continuous background analysis starting after the first traffic step', () => {
    const p = RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5), gates: [successRate] });
    const c = canaryOf(synth({ plan: p }).objects);
    expect(c.steps).toEqual([{ setWeight: 10 }, { pause: { duration: '5m' } }]);
    expect(c.analysis).toEqual({
      templates: [{ templateName: 'checkout-success-rate-continuous' }],
      args: [{ name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } }],
      startingStep: 1,
    });
  });

  test('engine options render to the Rollout', () => {
    const { objects } = synth({
      engine: RolloutEngine.argoRollouts({ maxSurge: '1', maxUnavailable: '10%', scaleDownDelaySeconds: 60, abortScaleDownDelaySeconds: 10, progressDeadlineSeconds: 900, progressDeadlineAbort: true }),
    });
    const r = find(objects, 'Rollout');
    expect(r.spec.progressDeadlineSeconds).toBe(900);
    expect(r.spec.progressDeadlineAbort).toBe(true);
    const c = r.spec.strategy.canary;
    expect([c.maxSurge, c.maxUnavailable, c.scaleDownDelaySeconds, c.abortScaleDownDelaySeconds, c.dynamicStableScale]).toEqual([1, '10%', 60, 10, undefined]);
    const dyn = canaryOf(synth({ engine: RolloutEngine.argoRollouts({ dynamicStableScale: true }) }).objects);
    expect(dyn.dynamicStableScale).toBe(true);
  });

  test('canary scale and header route steps (Istio) with managed routes', () => {
    const p = RolloutPlan.steps([
      Step.canaryScale({ replicas: 2 }),
      Step.headerRoute({ name: 'insiders', match: [HeaderMatch.exact('x-canary', 'insider'), HeaderMatch.regex('x-user', '^[0-9]*[02468]$')] }),
      Step.pause(),
      Step.canaryScale({ matchTrafficWeight: true }),
      Step.setWeight(20), Step.bake(Interval.minutes(1)),
    ]);
    const c = canaryOf(synth({ plan: p, trafficRouter: TrafficRouter.istio() }).objects);
    expect(c.steps.slice(0, 4)).toEqual([
      { setCanaryScale: { replicas: 2 } },
      { setHeaderRoute: { name: 'insiders', match: [{ headerName: 'x-canary', headerValue: { exact: 'insider' } }, { headerName: 'x-user', headerValue: { regex: '^[0-9]*[02468]$' } }] } },
      { pause: {} },
      { setCanaryScale: { matchTrafficWeight: true } },
    ]);
    expect(c.trafficRouting).toEqual({
      managedRoutes: [{ name: 'insiders' }],
      istio: { virtualService: { name: 'checkout', routes: ['primary'] } },
    });
    expect(c.canaryMetadata).toBeUndefined();
  });

  describe('mirror steps (Istio)', () => {
    const LIVE_TRAFFIC_REFUSAL = 'must not send live traffic to the canary of a plan that mirrors: its pods keep the shadow label, and with it the default-deny egress policy, until promotion (also after Step.stopMirror()), so live requests could reach only the sandbox allowlist. Refused in a mirroring plan: any Step.setWeight() above 0 and any Step.headerRoute(). Nearest plan: Step.canaryScale(...), Step.mirror(...), Step.stopMirror(), bakes and analysis steps, then promotion; release the live canary in a plan without mirror steps';
    const sandbox = EgressTarget.pods({ labels: { app: 'payments-sandbox' }, namespace: 'sandbox', ports: [443] });
    const mirrorPlan = RolloutPlan.steps([
      Step.canaryScale({ replicas: 2 }),
      Step.mirror(20, { match: [HeaderMatch.prefix('user-agent', 'Mozilla')] }),
      Step.mirror(50, { name: 'mirror-all' }),
      Step.bake(Interval.minutes(10)),
      Step.analysis(successRate),
    ]);

    test('render setMirrorRoute with managed routes', () => {
      const sideEffects = SideEffects.isolated({ allowEgressTo: [sandbox] });
      const c = canaryOf(synth({ plan: mirrorPlan, trafficRouter: TrafficRouter.istio(), sideEffects }).objects);
      expect(c.steps.slice(0, 4)).toEqual([
        { setCanaryScale: { replicas: 2 } },
        {
          setMirrorRoute: {
            name: 'mirror-route',
            percentage: 20,
            match: ['GET', 'HEAD', 'OPTIONS'].map((m) => ({ method: { exact: m }, headers: { 'user-agent': { prefix: 'Mozilla' } } })),
          },
        },
        { setMirrorRoute: { name: 'mirror-all', percentage: 50, match: [{ method: { exact: 'GET' } }, { method: { exact: 'HEAD' } }, { method: { exact: 'OPTIONS' } }] } },
        { pause: { duration: '10m' } },
      ]);
      expect(c.trafficRouting.managedRoutes).toEqual([{ name: 'mirror-route' }, { name: 'mirror-all' }]);
    });

    test('lock the canary pods out of side effects: shadow label on canary pods only, default-deny egress', () => {
      const sideEffects = SideEffects.isolated({ allowEgressTo: [sandbox] });
      const { objects } = synth({ plan: mirrorPlan, trafficRouter: TrafficRouter.istio(), sideEffects }, 'shop');
      expect(canaryOf(objects).canaryMetadata).toEqual({ labels: { 'release-strategies.dev/shadow': 'true' } });
      const rollout = find(objects, 'Rollout');
      expect(rollout.spec.template.metadata.labels['release-strategies.dev/shadow']).toBeUndefined();
      expect(rollout.spec.template.spec.containers[0].env).toBeUndefined();
      expect(find(objects, 'NetworkPolicy', 'checkout-canary-egress').spec).toEqual({
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'checkout', 'release-strategies.dev/shadow': 'true' } },
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
            ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
          },
          {
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'sandbox' } }, podSelector: { matchLabels: { app: 'payments-sandbox' } } }],
            ports: [{ protocol: 'TCP', port: 443 }],
          },
          {
            to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } }, podSelector: { matchLabels: { app: 'istiod' } } }],
            ports: [{ protocol: 'TCP', port: 15012 }],
          },
        ],
      });
    });

    test('mirror routes match methods and paths: one entry per method and path, each with the header conditions', () => {
      const p = RolloutPlan.steps([
        Step.canaryScale({ replicas: 1 }),
        Step.mirror(10, {
          methods: [HttpMethod.POST, HttpMethod.GET],
          paths: [PathMatch.prefix('/api'), PathMatch.exact('/health')],
          match: [HeaderMatch.exact('x-tenant', 'a')],
        }),
        Step.bake(Interval.minutes(5)),
      ]);
      const payments = EgressTarget.pods({ labels: { app: 'payments' }, namespace: 'payments' });
      const sideEffects = SideEffects.isolated({ allowEgressTo: [sandbox] });
      const c = canaryOf(synth({ plan: p, trafficRouter: TrafficRouter.istio(), sideEffects, productionDependencies: [payments] }).objects);
      const headers = { 'x-tenant': { exact: 'a' } };
      expect(c.steps[1]).toEqual({
        setMirrorRoute: {
          name: 'mirror-route',
          percentage: 10,
          match: [
            { method: { exact: 'GET' }, path: { prefix: '/api' }, headers },
            { method: { exact: 'GET' }, path: { exact: '/health' }, headers },
            { method: { exact: 'POST' }, path: { prefix: '/api' }, headers },
            { method: { exact: 'POST' }, path: { exact: '/health' }, headers },
          ],
        },
      });
    });

    test('Step.stopMirror() removes the mirror route (setMirrorRoute with a name and no match)', () => {
      const p = RolloutPlan.steps([
        Step.canaryScale({ replicas: 1 }), Step.mirror(50), Step.bake(Interval.minutes(10)), Step.analysis(successRate),
        Step.stopMirror(), Step.pause(),
      ]);
      const c = canaryOf(synth({ plan: p, trafficRouter: TrafficRouter.istio({ istiodNamespace: 'mesh' }), sideEffects: SideEffects.none() }, 'shop').objects);
      expect(c.steps[4]).toEqual({ setMirrorRoute: { name: 'mirror-route' } });
      expect(c.trafficRouting.managedRoutes).toEqual([{ name: 'mirror-route' }]);
    });

    test('the mirrored canary may reach istiod in the namespace TrafficRouter.istio() names', () => {
      const p = RolloutPlan.steps([Step.canaryScale({ replicas: 1 }), Step.mirror(50), Step.bake(Interval.minutes(10))]);
      const { objects } = synth({ plan: p, trafficRouter: TrafficRouter.istio({ istiodNamespace: 'mesh' }), sideEffects: SideEffects.none() }, 'shop');
      expect(find(objects, 'NetworkPolicy', 'checkout-canary-egress').spec.egress[1]).toEqual({
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mesh' } }, podSelector: { matchLabels: { app: 'istiod' } } }],
        ports: [{ protocol: 'TCP', port: 15012 }],
      });
    });

    test('fails when a step stops a mirror route no earlier step added', () => {
      const p = RolloutPlan.steps([Step.canaryScale({ replicas: 1 }), Step.mirror(50), Step.stopMirror({ name: 'other' })]);
      expect(() => synth({ plan: p, trafficRouter: TrafficRouter.istio(), sideEffects: SideEffects.none() }))
        .toThrow("shop/checkout: invalid 'plan.steps[2]': must stop a mirror route an earlier Step.mirror() added ('mirror-route'); nearest plan: Step.stopMirror({ name }) with the name given to Step.mirror(), got 'stopMirror(other)'");
    });

    test('fails when mirrored writes go to a canary without isolated side effects', () => {
      const p = RolloutPlan.steps([Step.canaryScale({ replicas: 1 }), Step.mirror(50, { methods: [HttpMethod.GET, HttpMethod.POST] })]);
      expect(() => synth({ plan: p, trafficRouter: TrafficRouter.istio(), sideEffects: SideEffects.none() }))
        .toThrow("shop/checkout: invalid 'sideEffects': must be SideEffects.isolated({ allowEgressTo: [...] }) with the canary's sandbox dependencies when writes are mirrored (methods include POST): the canary repeats every write it receives, got SideEffects.none()");
    });

    test('fails when mirrored writes go to a canary without declared production dependencies', () => {
      const p = RolloutPlan.steps([Step.canaryScale({ replicas: 1 }), Step.mirror(50, { methods: [HttpMethod.DELETE] })]);
      expect(() => synth({ plan: p, trafficRouter: TrafficRouter.istio(), sideEffects: SideEffects.isolated({ allowEgressTo: [sandbox] }) }))
        .toThrow("shop/checkout: invalid 'productionDependencies': must list the production systems the sandbox stands in for when writes are mirrored (methods include DELETE), so that no allowlist entry can reach them, got []");
    });

    test('fails when live traffic follows Step.stopMirror(): the canary pods stay isolated until promotion', () => {
      const p = RolloutPlan.steps([
        Step.canaryScale({ replicas: 1 }), Step.mirror(100), Step.bake(Interval.minutes(5)), Step.stopMirror(),
        Step.headerRoute({ match: [HeaderMatch.exact('x-canary', 'yes')] }),
      ]);
      expect(() => synth({ plan: p, trafficRouter: TrafficRouter.istio(), sideEffects: SideEffects.none() }))
        .toThrow(`shop/checkout: invalid 'plan.steps[4]': ${LIVE_TRAFFIC_REFUSAL}, got 'headerRoute(x-canary exact \'yes\')'`);
    });

    test('fails without declared side effects', () => {
      expect(() => synth({ plan: mirrorPlan, trafficRouter: TrafficRouter.istio() }))
        .toThrow("shop/checkout: invalid 'sideEffects': must be declared: SideEffects.none() for a read-only service, or SideEffects.isolated({ allowEgressTo: [...] }) with its sandbox dependencies, got nothing");
    });

    test('fails when the allowlist reaches a production dependency', () => {
      const db = EgressTarget.pods({ labels: { app: 'payments' }, namespace: 'payments' });
      expect(() => synth({
        plan: mirrorPlan,
        trafficRouter: TrafficRouter.istio(),
        sideEffects: SideEffects.isolated({ allowEgressTo: [EgressTarget.namespace('payments')] }),
        productionDependencies: [db],
      })).toThrow("shop/checkout: invalid 'sideEffects.allowEgressTo[0]': must not reach a production dependency (it reaches productionDependencies[0]: pods {app=payments} in namespace 'payments'), got every pod in namespace 'payments'");
    });

    test('fails when a mirroring plan also sends real traffic to the canary', () => {
      const p = RolloutPlan.steps([Step.canaryScale({ replicas: 1 }), Step.mirror(100), Step.bake(Interval.minutes(5)), Step.setWeight(10)]);
      expect(() => synth({ plan: p, trafficRouter: TrafficRouter.istio(), sideEffects: SideEffects.none() }))
        .toThrow(`shop/checkout: invalid 'plan.steps[3]': ${LIVE_TRAFFIC_REFUSAL}, got 'setWeight(10)'`);
    });

    test('fails when the canary has no pods to mirror to', () => {
      const p = RolloutPlan.steps([Step.mirror(100), Step.bake(Interval.minutes(5))]);
      expect(() => synth({ plan: p, trafficRouter: TrafficRouter.istio(), sideEffects: SideEffects.none() }))
        .toThrow("shop/checkout: invalid 'plan.steps[0]': Argo Rollouts runs no canary pods at weight 0, so mirrored requests would go nowhere; nearest plan: put Step.canaryScale({ replicas: 1 }) before the mirror step, got 'mirror(100)'");
    });

    test('fails when side effects are declared for a plan that does not mirror', () => {
      expect(() => synth({ trafficRouter: TrafficRouter.istio(), sideEffects: SideEffects.none() }))
        .toThrow("shop/checkout: invalid 'sideEffects': applies only to plans with Step.mirror; the canary pods of this plan serve real traffic, got SideEffects.none()");
    });
  });

  test('an A/B test runs the canary at full scale behind the header route, then promotes', () => {
    const p = RolloutPlan.abTest({ match: [HeaderMatch.cookie('canary', 'always')], iterations: 10, every: Interval.minutes(1), gates: [successRate] });
    const c = canaryOf(synth({ plan: p, trafficRouter: TrafficRouter.istio() }).objects);
    expect(c.steps).toEqual([
      { setCanaryScale: { weight: 100 } },
      { setHeaderRoute: { name: 'ab-test', match: [{ headerName: 'cookie', headerValue: { regex: '^(.*?;\\s*)?(canary=always)(;.*)?$' } }] } },
      { pause: { duration: '10m' } },
    ]);
    expect(c.analysis.startingStep).toBe(2);
  });
});

describe('traffic routers with Argo Rollouts', () => {
  test('Gateway API: an HTTPRoute splitting stable and canary, and the plugin configuration', () => {
    const { objects } = synth({ trafficRouter: TrafficRouter.gatewayApi({ gateway: 'public', gatewayNamespace: 'gateways', sectionName: 'https', hostnames: ['shop.example.com'] }) }, 'shop');
    expect(find(objects, 'HTTPRoute', 'checkout').spec).toEqual({
      parentRefs: [{ name: 'public', namespace: 'gateways', sectionName: 'https' }],
      hostnames: ['shop.example.com'],
      rules: [{ backendRefs: [{ name: 'checkout-stable', port: 80, weight: 100 }, { name: 'checkout-canary', port: 80, weight: 0 }] }],
    });
    expect(canaryOf(objects).trafficRouting).toEqual({ plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: 'checkout', namespace: 'shop' } } });
  });

  test('Gateway API header routes use httpRoutes with useHeaderRoutes', () => {
    const p = RolloutPlan.steps([Step.setWeight(10), Step.headerRoute({ match: [HeaderMatch.exact('x-canary', 'yes')] }), Step.pause()]);
    const c = canaryOf(synth({ plan: p, trafficRouter: TrafficRouter.gatewayApi({ gateway: 'public', httpRoute: 'shop-route' }) }).objects);
    expect(c.trafficRouting).toEqual({
      managedRoutes: [{ name: 'header-route' }],
      plugins: { 'argoproj-labs/gatewayAPI': { httpRoutes: [{ name: 'shop-route', useHeaderRoutes: true }] } },
    });
  });

  test('Istio host-level: a VirtualService routing to the stable and canary Services', () => {
    const { objects } = synth({ trafficRouter: TrafficRouter.istio({ hosts: ['checkout', 'checkout.example.com'], gateways: ['mesh', 'istio-system/public'] }) });
    expect(find(objects, 'VirtualService').spec).toEqual({
      hosts: ['checkout', 'checkout.example.com'],
      gateways: ['mesh', 'istio-system/public'],
      http: [{
        name: 'primary',
        route: [
          { destination: { host: 'checkout-stable', port: { number: 80 } }, weight: 100 },
          { destination: { host: 'checkout-canary', port: { number: 80 } }, weight: 0 },
        ],
      }],
    });
    expect(objects.filter((o) => o.kind === 'DestinationRule')).toHaveLength(0);
  });

  test('Istio subset-level: a DestinationRule with stable and canary subsets', () => {
    const { objects } = synth({ trafficRouter: TrafficRouter.istio({ subsetLevel: true }) });
    expect(find(objects, 'DestinationRule').spec).toEqual({
      host: 'checkout',
      subsets: [{ name: 'stable', labels: { 'app.kubernetes.io/name': 'checkout' } }, { name: 'canary', labels: { 'app.kubernetes.io/name': 'checkout' } }],
    });
    expect(find(objects, 'VirtualService').spec.http[0].route).toEqual([
      { destination: { host: 'checkout', subset: 'stable', port: { number: 80 } }, weight: 100 },
      { destination: { host: 'checkout', subset: 'canary', port: { number: 80 } }, weight: 0 },
    ]);
    expect(canaryOf(objects).trafficRouting.istio).toEqual({
      virtualService: { name: 'checkout', routes: ['primary'] },
      destinationRule: { name: 'checkout', canarySubsetName: 'canary', stableSubsetName: 'stable' },
    });
  });

  test('NGINX: a stable Ingress to the stable Service', () => {
    const { objects } = synth({ trafficRouter: TrafficRouter.nginx({ host: 'shop.example.com' }) });
    expect(find(objects, 'Ingress', 'checkout').spec).toEqual({
      ingressClassName: 'nginx',
      rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'checkout-stable', port: { number: 80 } } } }] } }],
    });
    expect(canaryOf(objects).trafficRouting).toEqual({ nginx: { stableIngress: 'checkout' } });
  });

  test('ALB: an Ingress to the root Service on use-annotation', () => {
    const { objects } = synth({ trafficRouter: TrafficRouter.alb({ host: 'shop.example.com', internetFacing: true }) });
    const ing = find(objects, 'Ingress', 'checkout');
    expect(ing.metadata.annotations).toEqual({ 'alb.ingress.kubernetes.io/scheme': 'internet-facing', 'alb.ingress.kubernetes.io/target-type': 'ip' });
    expect(ing.spec.rules[0].http.paths[0].backend).toEqual({ service: { name: 'checkout', port: { name: 'use-annotation' } } });
    expect(canaryOf(objects).trafficRouting).toEqual({ alb: { ingress: 'checkout', servicePort: 80, rootService: 'checkout' } });
  });

  test('SMI: the TrafficSplit is configured, not emitted', () => {
    const { objects } = synth({ trafficRouter: TrafficRouter.smi({ trafficSplitName: 'checkout-split' }) });
    expect(canaryOf(objects).trafficRouting).toEqual({ smi: { rootService: 'checkout', trafficSplitName: 'checkout-split' } });
  });

  test('SMI: the TrafficSplit name is written only when given (Argo Rollouts names it after the Rollout)', () => {
    const { objects } = synth({ trafficRouter: TrafficRouter.smi() });
    expect(canaryOf(objects).trafficRouting).toEqual({ smi: { rootService: 'checkout' } });
  });

  test.each([
    ['Gateway API', TrafficRouter.gatewayApi({ gateway: 'public' }), 'HTTPRoute'],
    ['Istio', TrafficRouter.istio(), 'VirtualService'],
    ['Istio subsets', TrafficRouter.istio({ subsetLevel: true }), 'DestinationRule'],
    ['NGINX', TrafficRouter.nginx({ host: 'shop.example.com' }), 'Ingress'],
    ['ALB', TrafficRouter.alb(), 'Ingress'],
  ])('%s: the objects the Rollout references come before it in the output', (_name, trafficRouter, kind) => {
    const objects = synth({ trafficRouter, plan: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5), gates: [successRate] }) }).objects;
    const order = objects.map((o) => o.kind);
    const rollout = order.indexOf('Rollout');
    for (const referenced of [kind, 'Service', 'AnalysisTemplate']) {
      expect(order.indexOf(referenced)).toBeGreaterThanOrEqual(0);
      expect(order.indexOf(referenced)).toBeLessThan(rollout);
    }
  });

  test('none: no trafficRouting, and a warning about coarse weights', () => {
    const { objects, chart } = synth({ trafficRouter: TrafficRouter.none(), replicas: 4 });
    expect(canaryOf(objects).trafficRouting).toBeUndefined();
    expect(warningsOf(chart)).toEqual(['shop/checkout: TrafficRouter.none(): traffic follows the share of pods, so weights move in steps of 25% with 4 replicas; weights 5, 25, 50 become about 25%, 25%, 50%']);
  });
});

describe('refusals (Argo Rollouts)', () => {
  const make = (props: Partial<CanaryRolloutProps>) => () => new CanaryRollout(new Chart(Testing.app(), 'shop'), 'checkout', {
    containers, port: 80, plan, trafficRouter: TrafficRouter.gatewayApi({ gateway: 'public' }), ...props,
  });

  test('fails on a header route through NGINX', () => {
    const p = RolloutPlan.steps([Step.setWeight(10), Step.headerRoute({ match: [HeaderMatch.exact('x-canary', 'yes')] })]);
    expect(make({ plan: p, trafficRouter: TrafficRouter.nginx({ host: 'a.example.com' }) })).toThrow(
      "shop/checkout: invalid 'plan.steps[1]': Argo Rollouts sends header routes only through Istio, AWS ALB or the Gateway API plugin, not TrafficRouter.nginx(); nearest plan: Step.setWeight() instead of the header route, or a router that supports it, got 'headerRoute(x-canary exact 'yes')'");
  });

  test('fails on a prefix header match through ALB (exact values only)', () => {
    const p = RolloutPlan.steps([Step.setWeight(10), Step.headerRoute({ match: [HeaderMatch.prefix('user-agent', 'Mozilla')] })]);
    expect(make({ plan: p, trafficRouter: TrafficRouter.alb() })).toThrow(
      "shop/checkout: invalid 'plan.steps[1]': Argo Rollouts with AWS ALB matches headers by exact only (user-agent prefix 'Mozilla' is prefix); nearest plan: Step.setWeight() instead of the header route, or a router that supports it, got 'headerRoute(user-agent prefix 'Mozilla')'");
  });

  test('fails on a prefix header match through the Gateway API', () => {
    const p = RolloutPlan.steps([Step.setWeight(10), Step.headerRoute({ match: [HeaderMatch.prefix('user-agent', 'Mozilla')] })]);
    expect(make({ plan: p })).toThrow(
      "shop/checkout: invalid 'plan.steps[1]': Gateway API matches headers by exact or regex only (user-agent prefix 'Mozilla' is prefix); nearest plan: Step.setWeight() instead of the header route, or a router that supports it, got 'headerRoute(user-agent prefix 'Mozilla')'");
  });

  test('fails on a header route at weight 0 without canary pods', () => {
    const p = RolloutPlan.steps([Step.headerRoute({ match: [HeaderMatch.exact('x-canary', 'yes')] }), Step.pause()]);
    expect(make({ plan: p, trafficRouter: TrafficRouter.istio() })).toThrow(
      "shop/checkout: invalid 'plan.steps[0]': Argo Rollouts runs no canary pods at weight 0, so a header route would send matched requests nowhere; nearest plan: put Step.canaryScale({ replicas: 1 }) (or a weight) before the header route, or use RolloutPlan.abTest(), got 'headerRoute(x-canary exact 'yes')'");
  });

  test('fails on a mirror without Istio', () => {
    const p = RolloutPlan.steps([Step.mirror(10), Step.pause()]);
    expect(make({ plan: p })).toThrow(
      "shop/checkout: invalid 'plan.steps[0]': Argo Rollouts mirrors traffic only through Istio (setMirrorRoute supports Istio only), not TrafficRouter.gatewayApi(); nearest plan: TrafficRouter.istio(), or drop the mirror step, got 'mirror(10)'");
  });

  test('fails on canary scale without a router', () => {
    const p = RolloutPlan.steps([Step.canaryScale({ weight: 10 }), Step.setWeight(10)]);
    expect(make({ plan: p, trafficRouter: TrafficRouter.none() })).toThrow(
      "shop/checkout: invalid 'plan.steps[0]': Argo Rollouts scales the canary apart from its weight only with a traffic router (setCanaryScale requires trafficRouting); nearest plan: drop the step, or pick a TrafficRouter other than none(), got 'canaryScale({\"weight\":10})'");
  });

  test('fails on scaleDownDelaySeconds without a router', () => {
    expect(make({ engine: RolloutEngine.argoRollouts({ scaleDownDelaySeconds: 30 }), trafficRouter: TrafficRouter.none() })).toThrow(
      "shop/checkout: invalid 'engine.scaleDownDelaySeconds': Argo Rollouts applies scaleDownDelaySeconds only with a traffic router; pick a TrafficRouter other than none() or remove scaleDownDelaySeconds, got 30");
  });

  test('fails on dynamicStableScale without a router', () => {
    expect(make({ engine: RolloutEngine.argoRollouts({ dynamicStableScale: true }), trafficRouter: TrafficRouter.none() })).toThrow(
      "shop/checkout: invalid 'engine.dynamicStableScale': Argo Rollouts applies dynamicStableScale only with a traffic router; pick a TrafficRouter other than none() or remove dynamicStableScale, got true");
  });

  test('fails when the plan is not a RolloutPlan', () => {
    expect(make({ plan: {} as any })).toThrow("shop/checkout: invalid 'plan': must be a RolloutPlan, got {}");
  });

  test('fails without a traffic router', () => {
    expect(make({ trafficRouter: undefined as any })).toThrow(
      "shop/checkout: invalid 'trafficRouter': must be a TrafficRouter (TrafficRouter.gatewayApi(), .istio(), .nginx(), .alb(), .smi() or .none()), got nothing");
  });
});

describe('engine and router factories', () => {
  test('fails when maxSurge and maxUnavailable are both 0', () => {
    expect(() => RolloutEngine.argoRollouts({ maxSurge: '0%' })).toThrow(
      "RolloutEngine.argoRollouts(): invalid 'maxSurge': must not be 0 when maxUnavailable is 0 (the Rollout could never replace a pod), got '0%'");
  });
  test('fails on a malformed maxUnavailable', () => {
    expect(() => RolloutEngine.argoRollouts({ maxUnavailable: '150%' })).toThrow(
      "RolloutEngine.argoRollouts(): invalid 'maxUnavailable': must be a whole number of pods ('1') or a percentage from 0% to 100% ('25%'), got '150%'");
  });
  test('fails on dynamicStableScale with scaleDownDelaySeconds', () => {
    expect(() => RolloutEngine.argoRollouts({ dynamicStableScale: true, scaleDownDelaySeconds: 30 })).toThrow(
      "RolloutEngine.argoRollouts(): invalid 'scaleDownDelaySeconds': cannot be set together with dynamicStableScale, got 30");
  });
  test('fails on a progress deadline of 0', () => {
    expect(() => RolloutEngine.argoRollouts({ progressDeadlineSeconds: 0 })).toThrow(
      "RolloutEngine.argoRollouts(): invalid 'progressDeadlineSeconds': must be a whole number from 1 to 86400, got 0");
  });
  test('fails on a bad Gateway name', () => {
    expect(() => TrafficRouter.gatewayApi({ gateway: 'Public' })).toThrow(
      "TrafficRouter.gatewayApi(): invalid 'gateway': must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', at most 253 characters), got 'Public'");
  });
  test('fails on a bad NGINX host', () => {
    expect(() => TrafficRouter.nginx({ host: 'Shop Example' })).toThrow(
      "TrafficRouter.nginx(): invalid 'host': must be a host name (lower-case DNS name, optionally starting with '*.'), got 'Shop Example'");
  });
  test('fails on an empty Istio host list', () => {
    expect(() => TrafficRouter.istio({ hosts: [] })).toThrow("TrafficRouter.istio(): invalid 'hosts': must list at least one host, got []");
  });
  test('fails on an ALB path without a leading slash', () => {
    expect(() => TrafficRouter.alb({ path: 'api' })).toThrow("TrafficRouter.alb(): invalid 'path': must start with '/', got 'api'");
  });
});

describe('fractional percentages (Argo Rollouts: setWeight and setMirrorRoute percentage are integers)', () => {
  const make = (props: Partial<CanaryRolloutProps>) => () => new CanaryRollout(new Chart(Testing.app(), 'shop'), 'checkout', {
    containers, port: 80, plan, trafficRouter: TrafficRouter.gatewayApi({ gateway: 'public' }), ...props,
  });

  test('fails on a fractional canary percentage, naming the nearest whole plan', () => {
    expect(make({ plan: RolloutPlan.canary({ percent: 0.5, bake: Interval.minutes(5) }) })).toThrow(
      "shop/checkout: invalid 'plan.steps[0]': Argo Rollouts takes whole percentages; nearest plan: RolloutPlan.canary({ percent: 1, bake: Interval.minutes(5) }), got 'setWeight(0.5)'");
  });

  test('fails on a fractional linear step', () => {
    expect(make({ plan: RolloutPlan.linear({ step: 12.5, every: Interval.seconds(90) }) })).toThrow(
      "shop/checkout: invalid 'plan.steps[0]': Argo Rollouts takes whole percentages; nearest plan: RolloutPlan.linear({ step: 13, every: Interval.seconds(90) }), got 'setWeight(12.5)'");
  });

  test('fails on a fractional weight in a steps plan, naming that step', () => {
    const p = RolloutPlan.steps([Step.setWeight(5), Step.bake(Interval.minutes(5)), Step.setWeight(7.5), Step.pause()]);
    expect(make({ plan: p })).toThrow(
      "shop/checkout: invalid 'plan.steps[2]': Argo Rollouts takes whole percentages; nearest plan: Step.setWeight(8) in place of this step, got 'setWeight(7.5)'");
  });

  test('fails on a fractional mirror percentage', () => {
    const p = RolloutPlan.steps([Step.canaryScale({ replicas: 1 }), Step.mirror(0.5), Step.bake(Interval.minutes(5))]);
    expect(make({ plan: p, trafficRouter: TrafficRouter.istio(), sideEffects: SideEffects.none() })).toThrow(
      "shop/checkout: invalid 'plan.steps[1]': Argo Rollouts takes whole percentages; nearest plan: Step.mirror(1) in place of this step, got 'mirror(0.5)'");
  });
});
