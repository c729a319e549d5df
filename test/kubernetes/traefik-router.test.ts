import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  CanaryRollout, CanaryRolloutProps, Gate, HeaderMatch, Interval, RolloutEngine, RolloutPlan, Step, Threshold, TrafficRouter,
} from '../../src';
import { expectValidManifests } from '../schema-validation';

const containers: kplus.ContainerProps[] = [{ image: 'registry.example.com/checkout:v2', portNumber: 8080, readiness: kplus.Probe.fromHttpGet('/healthz') }];
const successRate = Gate.prometheus({
  name: 'success-rate',
  address: 'http://prometheus.monitoring:9090',
  query: 'sum(rate(ok{pod=~"{{canaryPods}}"}[{{interval}}])) / sum(rate(all{pod=~"{{canaryPods}}"}[{{interval}}]))',
  threshold: Threshold.atLeast(0.99),
});
const plan = RolloutPlan.steps([
  Step.setWeight(10), Step.bake(Interval.minutes(2)),
  Step.setWeight(30), Step.bake(Interval.minutes(2)),
  Step.setWeight(60), Step.bake(Interval.minutes(2)),
], { backgroundGates: [successRate] });
const traefik = TrafficRouter.traefik({ hosts: ['shop.example.com'], entryPoints: ['websecure'], tlsSecretName: 'shop-tls' });

function synth(props: Partial<CanaryRolloutProps>, namespace = 'shop'): any[] {
  const chart = new Chart(Testing.app(), 'shop', { namespace });
  new CanaryRollout(chart, 'checkout', { containers, replicas: 10, port: 80, plan, trafficRouter: traefik, ...props });
  const objects = chart.toJson();
  expectValidManifests(objects);
  return objects;
}
const find = (objects: any[], kind: string) => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
};

describe('Argo Rollouts with Traefik', () => {
  test('a weighted TraefikService over the stable and canary Services, named in trafficRouting', () => {
    const objects = synth({ engine: RolloutEngine.argoRollouts() });
    const ts = find(objects, 'TraefikService');
    expect(ts.apiVersion).toBe('traefik.io/v1alpha1');
    expect(ts.metadata).toEqual({ name: 'checkout', namespace: 'shop', labels: { 'app.kubernetes.io/name': 'checkout' } });
    expect(ts.spec).toEqual({
      weighted: {
        services: [
          { name: 'checkout-stable', port: 80, weight: 100 },
          { name: 'checkout-canary', port: 80, weight: 0 },
        ],
      },
    });
    const canary = find(objects, 'Rollout').spec.strategy.canary;
    expect(canary.trafficRouting).toEqual({ traefik: { weightedTraefikServiceName: 'checkout' } });
    expect([canary.stableService, canary.canaryService]).toEqual(['checkout-stable', 'checkout-canary']);
  });

  test('an IngressRoute for the hosts sends every request to the TraefikService', () => {
    const route = find(synth({ engine: RolloutEngine.argoRollouts() }), 'IngressRoute');
    expect(route.apiVersion).toBe('traefik.io/v1alpha1');
    expect(route.metadata.name).toBe('checkout');
    expect(route.spec).toEqual({
      entryPoints: ['websecure'],
      routes: [{ kind: 'Rule', match: 'Host(`shop.example.com`)', services: [{ name: 'checkout', kind: 'TraefikService' }] }],
      tls: { secretName: 'shop-tls' },
    });
  });

  test('several hosts are or-ed, and a path prefix applies to all of them; a custom TraefikService name is used everywhere', () => {
    const router = TrafficRouter.traefik({ hosts: ['shop.example.com', 'www.shop.example.com'], pathPrefix: '/checkout', traefikService: 'checkout-weights' });
    const objects = synth({ trafficRouter: router });
    expect(find(objects, 'IngressRoute').spec).toEqual({
      routes: [{
        kind: 'Rule',
        match: '(Host(`shop.example.com`) || Host(`www.shop.example.com`)) && PathPrefix(`/checkout`)',
        services: [{ name: 'checkout-weights', kind: 'TraefikService' }],
      }],
    });
    expect(find(objects, 'TraefikService').metadata.name).toBe('checkout-weights');
    expect(find(objects, 'Rollout').spec.strategy.canary.trafficRouting).toEqual({ traefik: { weightedTraefikServiceName: 'checkout-weights' } });
    const two = synth({ trafficRouter: TrafficRouter.traefik({ hosts: ['a.example.com', 'b.example.com'] }) });
    expect(find(two, 'IngressRoute').spec.routes[0].match).toBe('Host(`a.example.com`) || Host(`b.example.com`)');
  });

  test('the TraefikService and IngressRoute come before the Rollout, the TraefikService before the IngressRoute', () => {
    const order = synth({}).map((o) => o.kind);
    expect(order.indexOf('TraefikService')).toBeLessThan(order.indexOf('IngressRoute'));
    expect(order.indexOf('IngressRoute')).toBeLessThan(order.indexOf('Rollout'));
  });

  test('fails on a header route (Argo Rollouts has no header routes through Traefik)', () => {
    const p = RolloutPlan.steps([Step.setWeight(10), Step.headerRoute({ match: [HeaderMatch.exact('x-canary', 'yes')] }), Step.pause()]);
    expect(() => synth({ plan: p })).toThrow(
      "shop/checkout: invalid 'plan.steps[1]': Argo Rollouts sends header routes only through Istio, AWS ALB or the Gateway API plugin, not TrafficRouter.traefik(); nearest plan: Step.setWeight() instead of the header route, or a router that supports it, got 'headerRoute(x-canary exact 'yes')'");
  });

  test('fails on a mirror step', () => {
    const p = RolloutPlan.steps([Step.canaryScale({ replicas: 1 }), Step.mirror(10), Step.pause()]);
    expect(() => synth({ plan: p })).toThrow(
      "shop/checkout: invalid 'plan.steps[1]': Argo Rollouts mirrors traffic only through Istio (setMirrorRoute supports Istio only), not TrafficRouter.traefik(); nearest plan: TrafficRouter.istio(), or drop the mirror step, got 'mirror(10)'");
  });
});

describe('Flagger with Traefik', () => {
  test('provider traefik; Flagger owns the TraefikService, the construct emits only the IngressRoute to it', () => {
    const objects = synth({ engine: RolloutEngine.flagger() });
    expect(objects.filter((o) => o.kind === 'TraefikService')).toEqual([]);
    const canary = find(objects, 'Canary').spec;
    expect(canary.provider).toBe('traefik');
    expect(canary.service).toEqual({ port: 80, targetPort: 8080 });
    expect(canary.analysis).toEqual({
      interval: '2m',
      threshold: 2,
      stepWeights: [10, 30, 60],
      metrics: [{ name: 'success-rate', templateRef: { name: 'checkout-success-rate' }, thresholdRange: { min: 0.99 }, interval: '1m' }],
    });
    expect(find(objects, 'IngressRoute').spec.routes[0].services).toEqual([{ name: 'checkout', kind: 'TraefikService' }]);
    const order = objects.map((o) => o.kind);
    expect(order.indexOf('IngressRoute')).toBeLessThan(order.indexOf('Canary'));
  });

  test('fails on an A/B test (Flagger routes no headers through Traefik)', () => {
    const p = RolloutPlan.abTest({ match: [HeaderMatch.exact('x-canary', 'yes')], iterations: 5, every: Interval.minutes(1) });
    expect(() => synth({ plan: p, engine: RolloutEngine.flagger() })).toThrow(
      "shop/checkout: invalid 'plan.steps[0]': Flagger runs A/B tests only with Istio, NGINX or Gateway API routers, not TrafficRouter.traefik(); nearest plan: a router that supports it, or RolloutPlan.canary(), got 'headerRoute(x-canary exact 'yes')'");
  });

  test('fails on a TraefikService name other than the workload name', () => {
    expect(() => synth({ engine: RolloutEngine.flagger(), trafficRouter: TrafficRouter.traefik({ hosts: ['shop.example.com'], traefikService: 'weights' }) })).toThrow(
      "shop/checkout: invalid 'trafficRouter.traefikService': Flagger names the TraefikService it creates after the workload ('checkout'); leave traefikService out, got 'weights'");
  });
});

test('the same plan renders through both engines with Traefik', () => {
  const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
  const common = { containers, replicas: 10, port: 80, plan };
  new CanaryRollout(chart, 'argo', { ...common, engine: RolloutEngine.argoRollouts(), trafficRouter: TrafficRouter.traefik({ hosts: ['argo.example.com'] }) });
  new CanaryRollout(chart, 'flagger', { ...common, engine: RolloutEngine.flagger(), trafficRouter: TrafficRouter.traefik({ hosts: ['flagger.example.com'] }) });
  const objects = chart.toJson();
  expectValidManifests(objects);
  const steps = find(objects, 'Rollout').spec.strategy.canary.steps;
  expect(steps.filter((s: any) => s.setWeight !== undefined).map((s: any) => s.setWeight)).toEqual([10, 30, 60]);
  expect(steps.filter((s: any) => s.pause !== undefined).map((s: any) => s.pause.duration)).toEqual(['2m', '2m', '2m']);
  const analysis = find(objects, 'Canary').spec.analysis;
  expect([analysis.interval, analysis.stepWeights]).toEqual(['2m', [10, 30, 60]]);
  expect(objects.filter((o) => o.kind === 'IngressRoute').map((o) => o.spec.routes[0].match)).toEqual(['Host(`argo.example.com`)', 'Host(`flagger.example.com`)']);
});

describe('TrafficRouter.traefik() refusals', () => {
  test('fails without hosts', () => {
    expect(() => TrafficRouter.traefik({ hosts: [] })).toThrow("TrafficRouter.traefik(): invalid 'hosts': must list at least one host name, got []");
  });
  test('fails on a wildcard host (Traefik v3 Host() matches exact names)', () => {
    expect(() => TrafficRouter.traefik({ hosts: ['*.example.com'] })).toThrow(
      "TrafficRouter.traefik(): invalid 'hosts[0]': must be a host name (lower-case DNS name, no wildcard), got '*.example.com'");
  });
  test('fails on a path prefix without a leading slash or with a backtick', () => {
    expect(() => TrafficRouter.traefik({ hosts: ['a.example.com'], pathPrefix: 'api' })).toThrow(
      "TrafficRouter.traefik(): invalid 'pathPrefix': must be a path starting with '/', got 'api'");
    expect(() => TrafficRouter.traefik({ hosts: ['a.example.com'], pathPrefix: '/a`) || Host(`b' })).toThrow(
      "TrafficRouter.traefik(): invalid 'pathPrefix': must be a path starting with '/', got '/a`) || Host(`b'");
  });
  test('fails on a bad entry point, TLS secret or TraefikService name', () => {
    expect(() => TrafficRouter.traefik({ hosts: ['a.example.com'], entryPoints: [] })).toThrow(
      "TrafficRouter.traefik(): invalid 'entryPoints': must list at least one entry point when given, got []");
    expect(() => TrafficRouter.traefik({ hosts: ['a.example.com'], entryPoints: ['Web Secure'] })).toThrow(
      "TrafficRouter.traefik(): invalid 'entryPoints[0]': must be an entry point name (letters, digits, '.', '_' and '-'), got 'Web Secure'");
    expect(() => TrafficRouter.traefik({ hosts: ['a.example.com'], tlsSecretName: 'TLS' })).toThrow(
      "TrafficRouter.traefik(): invalid 'tlsSecretName': must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', at most 253 characters), got 'TLS'");
    expect(() => TrafficRouter.traefik({ hosts: ['a.example.com'], traefikService: 'a_b' })).toThrow(
      "TrafficRouter.traefik(): invalid 'traefikService': must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', at most 253 characters), got 'a_b'");
  });
});
