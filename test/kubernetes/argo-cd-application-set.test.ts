import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  ArgoCdApplicationSet, ArgoCdApplicationSetProps, ArgoCdCluster, ArgoCdSource, BlueGreenEngine, BlueGreenService, CanaryRollout, Gate, Interval,
  MaxInFlight, RolloutEngine, RolloutPlan, Threshold, TrafficRouter, WavePlan, WaveTargets,
} from '../../src';
import { expectValidManifests } from '../schema-validation';

const containers: kplus.ContainerProps[] = [{ image: 'registry.example.com/checkout:v2', portNumber: 8080, readiness: kplus.Probe.fromHttpGet('/healthz') }];
const errorRate = Gate.prometheus({
  name: 'error-rate', address: 'http://prometheus.monitoring:9090', query: 'sum(rate(http_requests_total{code=~"5.."}[1m]))', threshold: Threshold.atMost(1),
});
const source = ArgoCdSource.directory({ repoUrl: 'https://git.example.com/platform/deploy.git', targetRevision: 'main', path: 'fleet/checkout' });

/** Eight clusters; `eu-1` is the canary. */
const clusterNames = ['eu-1', 'eu-2', 'eu-3', 'us-1', 'us-2', 'us-3', 'ap-1', 'ap-2'];
const clusters = (release?: (name: string) => Chart | undefined): ArgoCdCluster[] => clusterNames.map((name) => ({
  name, server: `https://${name}.k8s.example.com`, release: release?.(name),
}));

const noHold = WavePlan.of([
  { name: 'canary', targets: WaveTargets.names('eu-1') },
  { name: 'quarter', targets: WaveTargets.share(25), maxInFlight: MaxInFlight.count(1) },
  { name: 'rest', targets: WaveTargets.rest(), maxInFlight: MaxInFlight.percent(50) },
]);

function synth(props: Partial<ArgoCdApplicationSetProps> = {}): { objects: any[]; set: ArgoCdApplicationSet } {
  const chart = new Chart(Testing.app(), 'fleet');
  const set = new ArgoCdApplicationSet(chart, 'checkout', { plan: noHold, clusters: clusters(), source, destinationNamespace: 'checkout', ...props });
  const objects = Testing.synth(chart);
  expectValidManifests(objects);
  return { objects, set };
}

/** A cluster's own release: a CanaryRollout on Argo Rollouts with `plan`. */
function clusterRelease(plan: RolloutPlan, engine = RolloutEngine.argoRollouts()): Chart {
  const chart = new Chart(new App(), 'checkout');
  new CanaryRollout(chart, 'checkout', { containers, port: 80, replicas: 4, plan, engine, trafficRouter: TrafficRouter.gatewayApi({ gateway: 'public' }) });
  return chart;
}

describe('rendering', () => {
  test('one element per cluster, in wave order, with its server and wave', () => {
    const { objects } = synth();
    const [set] = objects;
    expect(set.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(set.kind).toBe('ApplicationSet');
    expect(set.metadata).toEqual({ name: 'checkout', namespace: 'argocd' });
    expect(set.spec.goTemplate).toBe(true);
    expect(set.spec.goTemplateOptions).toEqual(['missingkey=error']);
    expect(set.spec.generators).toEqual([{
      list: {
        elements: [
          { cluster: 'eu-1', server: 'https://eu-1.k8s.example.com', wave: 'canary' },
          // 25% of 8 = 2 clusters, in fleet order from those left.
          { cluster: 'eu-2', server: 'https://eu-2.k8s.example.com', wave: 'quarter' },
          { cluster: 'eu-3', server: 'https://eu-3.k8s.example.com', wave: 'quarter' },
          ...['us-1', 'us-2', 'us-3', 'ap-1', 'ap-2'].map((c) => ({ cluster: c, server: `https://${c}.k8s.example.com`, wave: 'rest' })),
        ],
      },
    }]);
  });

  test('one RollingSync step per wave, selecting exactly its wave label, with maxUpdate from maxInFlight', () => {
    const [set] = synth().objects;
    expect(set.spec.strategy).toEqual({
      type: 'RollingSync',
      rollingSync: {
        steps: [
          { matchExpressions: [{ key: 'release-strategies.dev/wave', operator: 'In', values: ['canary'] }] },
          { matchExpressions: [{ key: 'release-strategies.dev/wave', operator: 'In', values: ['quarter'] }], maxUpdate: 1 },
          { matchExpressions: [{ key: 'release-strategies.dev/wave', operator: 'In', values: ['rest'] }], maxUpdate: '50%' },
        ],
      },
    });
  });

  test('the Application template carries the wave label the steps select and no automated sync', () => {
    const [set] = synth({ syncOptions: ['CreateNamespace=true'], project: 'payments' }).objects;
    expect(set.spec.template).toEqual({
      metadata: { name: 'checkout-{{.cluster}}', labels: { 'release-strategies.dev/wave': '{{.wave}}', 'app.kubernetes.io/part-of': 'checkout' } },
      spec: {
        project: 'payments',
        source: { repoURL: 'https://git.example.com/platform/deploy.git', targetRevision: 'main', path: 'fleet/checkout/{{.cluster}}' },
        destination: { server: '{{.server}}', namespace: 'checkout' },
        syncPolicy: { syncOptions: ['CreateNamespace=true'] },
      },
    });
    // Every element's wave is a value some step selects, and every step selects a wave with elements.
    const stepWaves = set.spec.strategy.rollingSync.steps.map((s: any) => s.matchExpressions[0].values[0]);
    const elementWaves = [...new Set(set.spec.generators[0].list.elements.map((e: any) => e.wave))];
    expect(elementWaves).toEqual(stepWaves);
  });

  test('a manual hold is maxUpdate 0', () => {
    const plan = WavePlan.of([{ name: 'canary', targets: WaveTargets.names('eu-1') }, { name: 'rest', targets: WaveTargets.rest(), manualHold: true, maxInFlight: MaxInFlight.count(0) }]);
    const [set] = synth({ plan }).objects;
    expect(set.spec.strategy.rollingSync.steps[1].maxUpdate).toBe(0);
  });

  test('a plugin source passes the cluster and wave to the plugin; reverse deletion', () => {
    const [set] = synth({ source: ArgoCdSource.plugin({ repoUrl: 'https://git.example.com/deploy.git', path: 'checkout', pluginName: 'cdk8s-v1' }), reverseDeletion: true }).objects;
    expect(set.spec.template.spec.source).toEqual({
      repoURL: 'https://git.example.com/deploy.git',
      targetRevision: 'HEAD',
      path: 'checkout',
      plugin: { name: 'cdk8s-v1', env: [{ name: 'CLUSTER', value: '{{.cluster}}' }, { name: 'WAVE', value: '{{.wave}}' }] },
    });
    expect(set.spec.strategy.deletionOrder).toBe('Reverse');
  });

  test('the directory source names the folder each cluster reads', () => {
    expect(source.pathFor('eu-1')).toBe('fleet/checkout/eu-1');
  });
});

describe('bake and gates live in each cluster\'s release', () => {
  const held = WavePlan.of([
    { name: 'canary', targets: WaveTargets.names('eu-1'), bake: Interval.minutes(30), gates: [errorRate] },
    { name: 'rest', targets: WaveTargets.rest(), maxInFlight: MaxInFlight.percent(25) },
  ]);
  const base = RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) });

  test('a release built with releasePlan() passes, and the wave bake and gate end its Rollout at full traffic', () => {
    const releases = new Map(clusterNames.map((n) => [n, clusterRelease(held.releasePlan(n === 'eu-1' ? 'canary' : 'rest', base))]));
    const app = Testing.app();
    new ArgoCdApplicationSet(new Chart(app, 'fleet'), 'checkout', { plan: held, clusters: clusters((n) => releases.get(n)), source, destinationNamespace: 'checkout' });
    expect(() => app.synth()).not.toThrow();
    const rollout = releases.get('eu-1')!.toJson().find((o: any) => o.kind === 'Rollout');
    expect(rollout.spec.strategy.canary.steps.slice(-3)).toEqual([
      { setWeight: 100 }, { pause: { duration: '30m' } }, { analysis: { templates: [{ templateName: 'checkout-error-rate' }], args: [] } },
    ]);
  });

  test('fails when a cluster of a holding wave names no release', () => {
    expect(() => synth({ plan: held })).toThrow(
      "fleet/checkout: invalid 'clusters[0].release': wave 'canary' bakes 30m and gates on error-rate, which Argo CD's RollingSync cannot do between steps (a step is done when its Applications are Healthy and Synced), so the cluster's own release must hold its Application until then: give the construct this cluster runs (its App or Chart) so that can be checked, got nothing");
  });

  test('fails at synth when the release does not end with the wave bake and gates, naming the nearest plan', () => {
    const app = Testing.app();
    new ArgoCdApplicationSet(new Chart(app, 'fleet'), 'checkout', {
      plan: held, clusters: clusters((n) => (n === 'eu-1' ? clusterRelease(base) : undefined)), source, destinationNamespace: 'checkout',
    });
    expect(() => app.synth()).toThrow(
      "[fleet/checkout] invalid 'clusters[0].release': wave 'canary' bakes 30m and gates on error-rate, which Argo CD's RollingSync cannot do between steps (a step is done when its Applications are Healthy and Synced), so the cluster's own release must hold its Application until then: the plan of checkout/checkout lacks a setWeight(100) step, bakes of at least 30m after it (has 0s), an analysis step running error-rate after it; nearest plan: WavePlan.releasePlan('canary', plan) = 'setWeight(10), bake(5m), setWeight(100), bake(30m), analysis(error-rate)', got 'setWeight(10), bake(5m)'");
  });

  test('fails at synth on a Flagger release or a release without a CanaryRollout', () => {
    const flagger = new Chart(new App(), 'checkout');
    new CanaryRollout(flagger, 'checkout', {
      containers, port: 80, plan: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) }), engine: RolloutEngine.flagger(), trafficRouter: TrafficRouter.gatewayApi({ gateway: 'public' }),
    });
    const blueGreen = new Chart(new App(), 'web');
    new BlueGreenService(blueGreen, 'web', { containers, port: 80, engine: BlueGreenEngine.argoRollouts() });
    const app = Testing.app();
    const plan = WavePlan.of([
      { name: 'canary', targets: WaveTargets.names('eu-1', 'eu-2'), gates: [errorRate] },
      { name: 'rest', targets: WaveTargets.rest() },
    ]);
    new ArgoCdApplicationSet(new Chart(app, 'fleet'), 'checkout', {
      plan, clusters: clusters((n) => ({ 'eu-1': flagger, 'eu-2': blueGreen } as any)[n]), source, destinationNamespace: 'checkout',
    });
    const hold = "wave 'canary' gates on error-rate, which Argo CD's RollingSync cannot do between steps (a step is done when its Applications are Healthy and Synced), so the cluster's own release must hold its Application until then";
    expect(() => app.synth()).toThrow(
      `[fleet/checkout] invalid 'clusters[0].release': ${hold}: a Flagger Canary reports its last phase until Flagger's next check, so Argo CD sees it Healthy right after the sync; use RolloutEngine.argoRollouts() with WavePlan.releasePlan('canary', plan) in checkout/checkout, got 'RolloutEngine.flagger()'`);
    expect(() => app.synth()).toThrow(
      `[fleet/checkout] invalid 'clusters[1].release': ${hold}: it needs a CanaryRollout on Argo Rollouts ending with WavePlan.releasePlan('canary', plan), and web has none, got 'web'`);
  });
});

describe('refusals', () => {
  test('fails on a manual hold that is not maxUpdate 0, naming the nearest plan', () => {
    const plan = WavePlan.of([{ name: 'canary', targets: WaveTargets.names('eu-1') }, { name: 'rest', targets: WaveTargets.rest(), manualHold: true }]);
    expect(() => synth({ plan })).toThrow(
      "fleet/checkout: invalid 'plan.waves[1]': Argo CD's RollingSync holds a step only with maxUpdate 0, where a person syncs each Application; it cannot wait for one approval and then sync by itself; nearest plan: { manualHold: true, maxInFlight: MaxInFlight.count(0) }, got 'rest: rest(), maxInFlight all(), manual hold'");
  });

  test('fails on clusters the plan does not cover, a cluster in two waves, and Application names over 63 characters', () => {
    const partial = WavePlan.of([{ name: 'canary', targets: WaveTargets.names('eu-1') }]);
    expect(() => synth({ plan: partial })).toThrow(
      "fleet/checkout: invalid 'clusters': must have every target in a wave, but the waves cover 1 of 8 targets (name the others in a wave, or give the last wave WaveTargets.rest()); left out, got ['eu-2', 'eu-3', 'us-1', 'us-2', 'us-3', 'ap-1', 'ap-2']");
    const twice = WavePlan.of([{ name: 'a', targets: WaveTargets.names('eu-1') }, { name: 'b', targets: WaveTargets.names('eu-1', 'eu-2') }, { name: 'rest', targets: WaveTargets.rest() }]);
    expect(() => synth({ plan: twice })).toThrow(
      "fleet/checkout: invalid 'waves[1].targets': selects 'eu-1', which wave 'a' already releases; a target belongs to one wave, got 'names(eu-1, eu-2)'");
    const long = 'c'.repeat(60);
    expect(() => synth({ clusters: [{ name: long, server: 'https://x' }], plan: WavePlan.of([{ name: 'all', targets: WaveTargets.rest() }]) })).toThrow(
      `fleet/checkout: invalid 'clusters[0].name': must leave the Application name '<name>-<cluster>' at most 63 characters (Argo CD labels what it deploys with it); 'checkout-' leaves 54, got '${long}'`);
  });

  test('fails on a server that is not a URL and on a bad source path', () => {
    expect(() => synth({ clusters: [{ name: 'eu-1', server: 'eu-1' }], plan: WavePlan.of([{ name: 'all', targets: WaveTargets.rest() }]) })).toThrow(
      "fleet/checkout: invalid 'clusters[0].server': must be the API server URL registered in Argo CD (https://...), got 'eu-1'");
    expect(() => ArgoCdSource.directory({ repoUrl: 'https://git', path: '../up' })).toThrow(
      "ArgoCdSource.directory(): invalid 'path': must be a folder relative to the repository root ('a/b', no leading or trailing '/', no '..', no template braces), got '../up'");
  });
});
