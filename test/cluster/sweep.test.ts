/**
 * A property-based sweep (fast-check, fixed seed, bounded count) of plans, gates, routers and Argo
 * Rollouts options: whatever the library accepts at synth time, the API server accepts (dry run) and
 * the Argo Rollouts controller reconciles without `InvalidSpec`. Configurations the library refuses
 * are skipped: refusing is the library's job, and the unit tests check those messages.
 *
 * Kept out of the generators until their synth-time refusal lands (issue 14): empty container images
 * and durations longer than Go can parse (over 2562047h); both end in InvalidSpec today.
 */
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { KubeClient } from './kube-client';
import { applyRollouts, dryRun, invalidSpecs, recordChart, SynthesizedChart } from './synthesized';
import {
  CanaryRollout, Gate, HeaderMatch, Interval, RolloutEngine, RolloutPlan, Step, Threshold, TrafficRouter,
} from '../../src';

const client = KubeClient.fromEnv();
if (!client) throw new Error('These tests need the local control plane: run them with scripts/cluster/run.sh (npx projen test:cluster)');
const cluster = client;

const SEED = 20260415;
const RUNS = 60;

const interval = fc.oneof(
  fc.integer({ min: 1, max: 59 }).map((n) => ({ text: `${n}s`, value: Interval.seconds(n) })),
  fc.integer({ min: 1, max: 120 }).map((n) => ({ text: `${n}m`, value: Interval.minutes(n) })),
  fc.integer({ min: 1, max: 48 }).map((n) => ({ text: `${n}h`, value: Interval.hours(n) })),
);

const threshold = fc.oneof(
  fc.double({ min: 0, max: 1, noNaN: true }).map((n) => ({ text: `atLeast(${n})`, value: Threshold.atLeast(n) })),
  fc.double({ min: 0, max: 1000, noNaN: true }).map((n) => ({ text: `atMost(${n})`, value: Threshold.atMost(n) })),
);

const gateName = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);

/** A gate of any provider, with random timing. */
const gate = fc.record({
  name: gateName,
  provider: fc.constantFrom('prometheus', 'web', 'webJson', 'job', 'datadog', 'newRelic'),
  interval,
  count: fc.integer({ min: 1, max: 10 }),
  failureLimit: fc.integer({ min: 0, max: 9 }),
  threshold,
}).map((g) => {
  const common = { name: g.name, interval: g.interval.value, count: g.count, failureLimit: Math.min(g.failureLimit, g.count - 1) };
  const text = `${g.provider}(${g.name}, every ${g.interval.text}, count ${g.count}, failureLimit ${common.failureLimit}, ${g.threshold.text})`;
  const build = (): Gate => {
    switch (g.provider) {
      case 'prometheus': return Gate.prometheus({ ...common, address: 'http://prometheus.monitoring:9090', query: 'sum(rate(x{pod=~"{{canaryPods}}"}[{{interval}}]))', threshold: g.threshold.value });
      case 'web': return Gate.web({ ...common, url: 'http://checks.monitoring/{{workload}}' });
      case 'webJson': return Gate.web({ ...common, url: 'http://checks.monitoring/{{workload}}', jsonPath: '{$.value}', threshold: g.threshold.value });
      case 'job': return Gate.job({ ...common, image: 'registry.example.com/smoke:1', command: ['smoke', '--target', '{{workload}}'] });
      case 'datadog': return Gate.datadog({ ...common, query: 'avg:requests.error_rate{service:{{workload}}}', threshold: g.threshold.value });
      default: return Gate.newRelic({ ...common, query: "SELECT percentage(count(*), WHERE error) AS value FROM Transaction WHERE appName = '{{workload}}'", threshold: g.threshold.value });
    }
  };
  return { text, build };
});

const header = fc.record({
  name: fc.stringMatching(/^x-[a-z]{1,8}$/),
  value: fc.stringMatching(/^[a-z0-9]{1,8}$/),
  type: fc.constantFrom('exact', 'prefix', 'regex'),
}).map((h) => ({
  text: `${h.type}(${h.name}, ${h.value})`,
  build: () => h.type === 'exact' ? HeaderMatch.exact(h.name, h.value) : h.type === 'prefix' ? HeaderMatch.prefix(h.name, h.value) : HeaderMatch.regex(h.name, `^${h.value}`),
}));

/** One step of a steps() plan. */
const step = fc.oneof(
  fc.integer({ min: 0, max: 100 }).map((w) => ({ text: `setWeight(${w})`, build: () => Step.setWeight(w) })),
  interval.map((i) => ({ text: `bake(${i.text})`, build: () => Step.bake(i.value) })),
  fc.constant({ text: 'pause()', build: () => Step.pause() }),
  fc.array(gate, { minLength: 1, maxLength: 2 }).map((gs) => ({ text: `analysis(${gs.map((g) => g.text).join(', ')})`, build: () => Step.analysis(...gs.map((g) => g.build())) })),
  fc.integer({ min: 1, max: 5 }).map((n) => ({ text: `canaryScale(replicas ${n})`, build: () => Step.canaryScale({ replicas: n }) })),
  header.map((h) => ({ text: `headerRoute(${h.text})`, build: () => Step.headerRoute({ match: [h.build()] }) })),
);

const plan = fc.oneof(
  fc.constant({ text: 'allAtOnce()', build: () => RolloutPlan.allAtOnce() }),
  fc.record({ percent: fc.integer({ min: 1, max: 99 }), bake: interval, gates: fc.array(gate, { maxLength: 2 }) }).map((p) => ({
    text: `canary(${p.percent}%, ${p.bake.text}, [${p.gates.map((g) => g.text).join(', ')}])`,
    build: () => RolloutPlan.canary({ percent: p.percent, bake: p.bake.value, gates: p.gates.map((g) => g.build()) }),
  })),
  fc.record({ step: fc.integer({ min: 5, max: 50 }), every: interval, gates: fc.array(gate, { maxLength: 1 }) }).map((p) => ({
    text: `linear(${p.step}%, ${p.every.text}, [${p.gates.map((g) => g.text).join(', ')}])`,
    build: () => RolloutPlan.linear({ step: p.step, every: p.every.value, gates: p.gates.map((g) => g.build()) }),
  })),
  fc.record({ steps: fc.array(step, { minLength: 1, maxLength: 8 }), background: fc.array(gate, { maxLength: 1 }) }).map((p) => ({
    text: `steps([${p.steps.map((s) => s.text).join(', ')}], background [${p.background.map((g) => g.text).join(', ')}])`,
    build: () => RolloutPlan.steps(p.steps.map((s) => s.build()), { backgroundGates: p.background.map((g) => g.build()) }),
  })),
  fc.record({ match: header, iterations: fc.integer({ min: 1, max: 10 }), every: interval }).map((p) => ({
    text: `abTest(${p.match.text}, ${p.iterations} × ${p.every.text})`,
    build: () => RolloutPlan.abTest({ match: [p.match.build()], iterations: p.iterations, every: p.every.value }),
  })),
);

const router = fc.constantFrom(
  { text: 'istio()', build: () => TrafficRouter.istio() },
  { text: 'istio(subsetLevel)', build: () => TrafficRouter.istio({ subsetLevel: true }) },
  { text: 'nginx()', build: () => TrafficRouter.nginx({ host: 'shop.example.com' }) },
  { text: 'alb()', build: () => TrafficRouter.alb() },
  { text: 'smi()', build: () => TrafficRouter.smi() },
  { text: 'none()', build: () => TrafficRouter.none() },
);

const engine = fc.record({
  maxSurge: fc.constantFrom(undefined, '1', '25%', '100%'),
  maxUnavailable: fc.constantFrom(undefined, '0', '1', '10%'),
  dynamicStableScale: fc.constantFrom(undefined, true),
  progressDeadlineSeconds: fc.constantFrom(undefined, 60, 600, 3600),
}).map((o) => ({ text: `argoRollouts(${JSON.stringify(o)})`, build: () => RolloutEngine.argoRollouts(o) }));

const configuration = fc.record({ plan, router, engine, replicas: fc.integer({ min: 1, max: 20 }) });

test(`${RUNS} generated canaries: every one the library accepts passes the API server and the Argo Rollouts controller`, async () => {
  const charts: SynthesizedChart[] = [];
  let refused = 0;
  for (const c of fc.sample(configuration, { seed: SEED, numRuns: RUNS })) {
    const source = `plan ${c.plan.text}, router ${c.router.text}, engine ${c.engine.text}, replicas ${c.replicas}`;
    try {
      const chart = new Chart(Testing.app(), 'shop');
      new CanaryRollout(chart, 'checkout', {
        containers: [{ image: 'registry.example.com/checkout:v2', portNumber: 8080, readiness: kplus.Probe.fromHttpGet('/healthz') }],
        replicas: c.replicas,
        port: 80,
        plan: c.plan.build(),
        trafficRouter: c.router.build(),
        engine: c.engine.build(),
      });
      charts.push(recordChart(chart, Testing.synth(chart), source));
    } catch (e) {
      if (!(e instanceof Error) || !/: invalid '/.test(e.message)) throw e; // only the library's own refusals
      refused++;
    }
  }
  // Enough accepted configurations to mean something.
  expect(charts.length).toBeGreaterThanOrEqual(RUNS / 3);
  expect(await dryRun(cluster, charts)).toEqual([]);
  expect(await invalidSpecs(cluster, await applyRollouts(cluster, charts))).toEqual([]);
  expect(charts.length + refused).toBe(RUNS);
}, 300_000);
