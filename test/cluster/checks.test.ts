/**
 * The cluster checks themselves can fail: the API server's dry run refuses what the schemas in
 * schemas/ cannot see (CEL rules) and unknown fields, and the Argo Rollouts controller's InvalidSpec
 * reaches the test with the controller's message. Each failure names the construct and the object.
 */
import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { KubeClient } from './kube-client';
import { applyRollouts, dryRun, invalidSpecs, recordChart } from './synthesized';
import { CanaryRollout, Interval, RolloutEngine, RolloutPlan, Step, TrafficRouter } from '../../src';

const client = KubeClient.fromEnv();
if (!client) throw new Error('These tests need the local control plane: run them with scripts/cluster/run.sh (npx projen test:cluster)');
const cluster = client;

function canary(): { chart: Chart; rollout: ApiObject } {
  const chart = new Chart(Testing.app(), 'shop');
  const c = new CanaryRollout(chart, 'checkout', {
    containers: [{ image: 'registry.example.com/checkout:v2', portNumber: 8080, readiness: kplus.Probe.fromHttpGet('/healthz') }],
    replicas: 2,
    port: 80,
    plan: RolloutPlan.canary({ percent: 20, bake: Interval.seconds(30) }),
    engine: RolloutEngine.argoRollouts(),
    trafficRouter: TrafficRouter.none(),
  });
  return { chart, rollout: ApiObject.of(c.node.findChild('Resource')) };
}

test('fails the dry run on an unknown field, naming the construct, the object and the server message', async () => {
  const chart = new Chart(Testing.app(), 'shop');
  new ApiObject(chart, 'web', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web' }, data: { a: 'b' }, dataz: { c: 'd' } } as any);
  const problems = await dryRun(cluster, [recordChart(chart, Testing.synth(chart), 'the test')]);
  expect(problems).toEqual([expect.stringMatching(/^the test: shop\/web \(ConfigMap\/web\): the API server refused it: .*\.dataz: field not declared in schema$/)]);
});

test('fails the dry run on a CEL rule of a CRD, which the JSON schemas in schemas/ leave out', async () => {
  const chart = new Chart(Testing.app(), 'shop');
  new ApiObject(chart, 'route', {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'route' },
    spec: { parentRefs: [{ name: 'public' }, { name: 'public', sectionName: 'https' }] },
  });
  const problems = await dryRun(cluster, [recordChart(chart, Testing.synth(chart), 'the test')]);
  expect(problems).toEqual([expect.stringContaining('shop/route (HTTPRoute/route): the API server refused it: HTTPRoute.gateway.networking.k8s.io "route" is invalid: spec.parentRefs: Invalid value: "array": sectionName must be specified when parentRefs includes 2 or more references to the same parent')]);
});

test('fails on a Rollout the Argo Rollouts controller puts in InvalidSpec, with the controller message', async () => {
  const { chart, rollout } = canary();
  // A pause longer than Go's time.Duration can hold (issue 14 refuses it at synth).
  rollout.addJsonPatch(JsonPatch.replace('/spec/strategy/canary/steps/1/pause/duration', '2562048h'));
  const applied = await applyRollouts(cluster, [recordChart(chart, Testing.synth(chart), 'the test')]);
  expect(await invalidSpecs(cluster, applied)).toEqual([
    'the test: shop/checkout/Resource (Rollout/checkout): the Argo Rollouts controller set InvalidSpec: The Rollout "checkout" is invalid: spec.strategy.steps[1].pause.duration: Invalid value: -1: Duration needs to be greater than 0',
  ]);
}, 120_000);

test('fails on a Rollout with an empty container image, which the controller puts in InvalidSpec', async () => {
  const { chart, rollout } = canary();
  rollout.addJsonPatch(JsonPatch.replace('/spec/template/spec/containers/0/image', ''));
  const applied = await applyRollouts(cluster, [recordChart(chart, Testing.synth(chart), 'the test')]);
  expect(await invalidSpecs(cluster, applied)).toEqual([
    expect.stringMatching(/^the test: shop\/checkout\/Resource \(Rollout\/checkout\): the Argo Rollouts controller set InvalidSpec: The Rollout "checkout" is invalid: .*image/),
  ]);
}, 120_000);

test('the library refuses both of those inputs at synth, before any controller sees them', () => {
  expect(() => new CanaryRollout(new Chart(Testing.app(), 'shop'), 'checkout', {
    containers: [{ image: '', portNumber: 8080, readiness: kplus.Probe.fromHttpGet('/healthz') }],
    replicas: 2,
    port: 80,
    plan: RolloutPlan.canary({ percent: 20, bake: Interval.seconds(30) }),
    trafficRouter: TrafficRouter.none(),
  })).toThrow("shop/checkout: invalid 'containers[0].image': must be a non-empty string, got ''");
  expect(() => Step.bake(Interval.hours(2562048))).toThrow("Interval.hours(): invalid 'amount': must be from 0 to 8760 (8760h (365 days)) and a whole number of seconds, got 2562048");
});

test('passes a Rollout the controller accepts', async () => {
  const { chart } = canary();
  const applied = await applyRollouts(cluster, [recordChart(chart, Testing.synth(chart), 'the test')]);
  expect(applied).toHaveLength(1);
  expect(await invalidSpecs(cluster, applied)).toEqual([]);
}, 120_000);
