/**
 * Property-based tests (fast-check, fixed seed) for RollingService, RecreateService, the Traefik router
 * and Flagger blue/green: for any input, the construct either refuses it with the documented message
 * format, or synthesizes objects that are valid against their schemas and keep the controller's rules.
 */
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import {
  BlueGreenEngine, BlueGreenService, CanaryRollout, DisruptionBudget, Gate, Interval, RecreateService, RolloutEngine, RolloutPlan,
  RollingService, Step, Threshold, TrafficRouter,
} from '../../src';
import { manifestErrors } from '../schema-validation';

const SEED = 20261129;
const RUNS = 500;
/** `<path or factory>: invalid '<field>': <what is allowed>, got <value>` */
const REFUSAL = /^(shop\/svc|[A-Za-z]+\.[A-Za-z]+\(\)): invalid '[^']+': .+, got .+$/s;

const containers: kplus.ContainerProps[] = [{ image: 'registry.example.com/app:1.0.0', portNumber: 8080, readiness: kplus.Probe.fromHttpGet('/ready') }];

/** How many inputs each property refused and accepted: both must be well represented, or the property proves little. */
let outcomes = { refused: 0, valid: 0 };
beforeEach(() => { outcomes = { refused: 0, valid: 0 }; });
afterEach(() => {
  expect(outcomes.refused).toBeGreaterThan(RUNS / 20);
  expect(outcomes.valid).toBeGreaterThan(RUNS / 20);
});

/** Builds with `build`; a thrown error must be a documented refusal, otherwise the output must be valid and pass `rules`. */
function refusedOrValid(build: (chart: Chart) => void, rules: (objects: any[]) => void): void {
  const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
  try {
    build(chart);
  } catch (e) {
    expect((e as Error).message).toMatch(REFUSAL);
    outcomes.refused++;
    return;
  }
  const objects = chart.toJson();
  expect(objects.flatMap(manifestErrors)).toEqual([]);
  rules(objects);
  outcomes.valid++;
}

const one = (objects: any[], kind: string) => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
};
const intOrPercent = fc.oneof(
  fc.constantFrom('0', '1', '2', '3', '0%', '10%', '25%', '50%', '100%', '150%', '-1', '1.5', 'x'),
  fc.integer({ min: 0, max: 12 }).map(String),
  fc.integer({ min: 0, max: 100 }).map((p) => `${p}%`),
);
const budget = fc.oneof(
  fc.constant(undefined),
  fc.integer({ min: 1, max: 12 }).map((n) => DisruptionBudget.minAvailable(n)),
  fc.integer({ min: 1, max: 3 }).map((n) => DisruptionBudget.maxUnavailable(n)),
  fc.constant(DisruptionBudget.none()),
);
/** Pods the Deployment controller resolves a maxSurge (round up) or maxUnavailable (round down) to. */
const pods = (value: any, replicas: number, up: boolean): number => {
  if (typeof value === 'number') return value;
  const exact = (Number(String(value).replace('%', '')) * replicas) / 100;
  return up ? Math.ceil(exact) : Math.floor(exact);
};
/** The PodDisruptionBudget lets at least one pod be evicted. */
const allowsEviction = (objects: any[], replicas: number) => {
  for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
    if (pdb.spec.minAvailable !== undefined) expect(pdb.spec.minAvailable).toBeLessThan(replicas);
    if (pdb.spec.maxUnavailable !== undefined) expect(pdb.spec.maxUnavailable).not.toBe(0);
  }
};

test('RollingService: refused, or a Deployment whose rolling update can always progress', () => {
  fc.assert(fc.property(
    fc.integer({ min: -1, max: 12 }), intOrPercent, intOrPercent, fc.integer({ min: -5, max: 700 }),
    fc.option(fc.integer({ min: -5, max: 900 }), { nil: undefined }), budget,
    (replicas, maxSurge, maxUnavailable, minReadySeconds, progressDeadlineSeconds, disruptionBudget) => {
      refusedOrValid(
        (chart) => new RollingService(chart, 'svc', {
          containers, port: 80, replicas, maxSurge, maxUnavailable, minReadySeconds, progressDeadlineSeconds, disruptionBudget,
        }),
        (objects) => {
          const spec = one(objects, 'Deployment').spec;
          expect(spec.strategy.type).toBe('RollingUpdate');
          const surge = pods(spec.strategy.rollingUpdate.maxSurge, replicas, true);
          const unavailable = pods(spec.strategy.rollingUpdate.maxUnavailable, replicas, false);
          expect(surge + unavailable).toBeGreaterThan(0);
          expect(unavailable).toBeLessThan(replicas);
          expect(spec.progressDeadlineSeconds).toBeGreaterThan(spec.minReadySeconds ?? 0);
          expect(one(objects, 'Service').spec.selector).toEqual(spec.selector.matchLabels);
          allowsEviction(objects, replicas);
        },
      );
    },
  ), { seed: SEED, numRuns: RUNS });
});

test('RecreateService: refused, or a Recreate Deployment whose pods can be evicted', () => {
  fc.assert(fc.property(
    fc.option(fc.integer({ min: -1, max: 5 })), fc.integer({ min: -5, max: 700 }),
    fc.option(fc.integer({ min: -5, max: 900 }), { nil: undefined }), budget,
    (replicas, minReadySeconds, progressDeadlineSeconds, disruptionBudget) => {
      refusedOrValid(
        (chart) => new RecreateService(chart, 'svc', {
          containers, port: 80, replicas: replicas ?? undefined, minReadySeconds, progressDeadlineSeconds, disruptionBudget,
        }),
        (objects) => {
          const spec = one(objects, 'Deployment').spec;
          expect(spec.strategy).toEqual({ type: 'Recreate' });
          expect(spec.replicas).toBe(replicas ?? 1);
          expect(spec.progressDeadlineSeconds).toBeGreaterThan(spec.minReadySeconds ?? 0);
          allowsEviction(objects, spec.replicas);
        },
      );
    },
  ), { seed: SEED, numRuns: RUNS });
});

const host = fc.oneof(fc.constantFrom('shop.example.com', 'a.b', '*.example.com', 'Shop.example.com', '', 'x'), fc.domain());
const pathPrefix = fc.option(fc.constantFrom('/', '/api', '/a/b-c', 'api', '/a`b', '/ spaced'));
const entryPoints = fc.option(fc.array(fc.constantFrom('web', 'websecure', 'Web Secure', 'web_2', ''), { maxLength: 2 }));
const weights = fc.uniqueArray(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 4 }).map((ws) => ws.sort((a, b) => a - b));
const bakeSeconds = fc.constantFrom(5, 9, 10, 30, 60, 120);

test('Traefik: refused, or a weighted TraefikService (Argo Rollouts) or traefik provider (Flagger) behind an IngressRoute', () => {
  fc.assert(fc.property(
    fc.array(host, { minLength: 0, maxLength: 3 }), pathPrefix, entryPoints, fc.boolean(), weights, bakeSeconds,
    (hosts, prefix, eps, flagger, ws, bake) => {
      refusedOrValid(
        (chart) => {
          const steps = ws.flatMap((w) => [Step.setWeight(w), Step.bake(Interval.seconds(bake))]);
          new CanaryRollout(chart, 'svc', {
            containers,
            port: 80,
            replicas: 4,
            plan: RolloutPlan.steps(steps),
            engine: flagger ? RolloutEngine.flagger() : RolloutEngine.argoRollouts(),
            trafficRouter: TrafficRouter.traefik({ hosts, pathPrefix: prefix ?? undefined, entryPoints: eps ?? undefined }),
          });
        },
        (objects) => {
          const route = one(objects, 'IngressRoute');
          for (const h of hosts) expect(route.spec.routes[0].match).toContain(`Host(\`${h}\`)`);
          const target = route.spec.routes[0].services[0];
          expect(target.kind).toBe('TraefikService');
          const order = objects.map((o) => o.kind);
          if (flagger) {
            const canary = one(objects, 'Canary').spec;
            expect(canary.provider).toBe('traefik');
            expect(target.name).toBe('svc');
            expect(Number.parseInt(canary.analysis.interval, 10) * (canary.analysis.interval.endsWith('m') ? 60 : 1)).toBeGreaterThanOrEqual(10);
            expect(order.indexOf('IngressRoute')).toBeLessThan(order.indexOf('Canary'));
          } else {
            const canary = one(objects, 'Rollout').spec.strategy.canary;
            const ts = one(objects, 'TraefikService');
            expect(canary.trafficRouting).toEqual({ traefik: { weightedTraefikServiceName: ts.metadata.name } });
            expect(target.name).toBe(ts.metadata.name);
            expect(ts.spec.weighted.services.map((s: any) => s.name)).toEqual([canary.stableService, canary.canaryService]);
            expect(ts.spec.weighted.services.reduce((sum: number, s: any) => sum + s.weight, 0)).toBe(100);
            expect(order.indexOf('TraefikService')).toBeLessThan(order.indexOf('Rollout'));
            expect(order.indexOf('IngressRoute')).toBeLessThan(order.indexOf('Rollout'));
          }
        },
      );
    },
  ), { seed: SEED, numRuns: RUNS });
});

const gate = (failureLimit: number, interval: number) => Gate.prometheus({
  name: `errors-${failureLimit}-${interval}`,
  address: 'http://prometheus.monitoring:9090',
  query: 'sum(rate(errors{pod=~"{{canaryPods}}"}[{{interval}}]))',
  threshold: Threshold.atMost(1),
  failureLimit,
  interval: Interval.seconds(interval),
});

test('Flagger blue/green: refused, or a Canary with iterations, no weights, a threshold every gate agrees on', () => {
  fc.assert(fc.property(
    fc.integer({ min: -1, max: 30 }), fc.option(fc.integer({ min: 1, max: 600 })),
    fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom(30, 60)), { maxLength: 3 }),
    fc.boolean(), fc.option(fc.constantFrom('http://flagger-loadtester.test/', 'loadtester')), fc.boolean(),
    fc.constantFrom<'none' | 'istio' | 'traefik' | 'alb'>('none', 'istio', 'traefik', 'alb'),
    (iterations, intervalSeconds, gateSpecs, autoPromotionEnabled, loadTesterUrl, portDiscovery, router) => {
      const trafficRouter = {
        none: undefined,
        istio: () => TrafficRouter.istio(),
        traefik: () => TrafficRouter.traefik({ hosts: ['svc.example.com'] }),
        alb: () => TrafficRouter.alb(),
      }[router];
      refusedOrValid(
        (chart) => new BlueGreenService(chart, 'svc', {
          containers,
          port: 80,
          replicas: 3,
          engine: BlueGreenEngine.flagger({
            iterations,
            interval: intervalSeconds === null ? undefined : Interval.seconds(intervalSeconds),
            prePromotionAnalysis: gateSpecs.map(([limit, interval]) => gate(limit, interval)),
            autoPromotionEnabled,
            loadTesterUrl: loadTesterUrl ?? undefined,
            portDiscovery,
            trafficRouter: trafficRouter?.(),
          }),
        }),
        (objects) => {
          const spec = one(objects, 'Canary').spec;
          expect(spec.provider).toBe(router === 'none' ? 'kubernetes' : router);
          const a = spec.analysis;
          expect(a.iterations).toBe(iterations);
          expect([a.stepWeight, a.stepWeights, a.maxWeight]).toEqual([undefined, undefined, undefined]);
          expect(intervalSeconds ?? 60).toBeGreaterThanOrEqual(10);
          expect(new Set(gateSpecs.map(([limit]) => limit)).size).toBeLessThanOrEqual(1);
          expect(a.threshold).toBe(gateSpecs.length === 0 ? 1 : gateSpecs[0][0] + 1);
          const names = [...(a.metrics ?? []), ...(a.webhooks ?? [])].map((x: any) => x.name);
          expect(new Set(names).size).toBe(names.length);
          expect((a.webhooks ?? []).some((h: any) => h.type === 'confirm-promotion')).toBe(!autoPromotionEnabled);
          expect(one(objects, 'PodDisruptionBudget').spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'svc-primary' } });
        },
      );
    },
  ), { seed: SEED, numRuns: RUNS });
});
