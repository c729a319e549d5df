/**
 * One release of the checkout service across eight Kubernetes clusters, in three waves, run by Argo CD
 * progressive syncs: the canary cluster first, then 25% of the fleet, then the rest, half of it at a
 * time. Each cluster runs its own Argo Rollouts canary (5% → 25% → 50% with background gates); the
 * waves' bakes and gates end each cluster's Rollout (full traffic, bake, success-rate analysis), which
 * keeps the cluster's Application Progressing until they pass, so the next wave waits for them. A gate
 * that fails aborts that cluster's Rollout: its Application turns Degraded and later waves never start.
 *
 * The output is one folder per chart (commit it to the Git repository Argo CD reads):
 *   argocd/       the ApplicationSet, applied to the cluster Argo CD runs in
 *   prod-eu-1/ …  each cluster's release; the ApplicationSet points each cluster's Application here
 * The ApplicationSet controller needs progressive syncs enabled
 * (`applicationsetcontroller.enable.progressive.syncs: "true"` in `argocd-cmd-params-cm`).
 */
import { App, Chart, YamlOutputType } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  ArgoCdApplicationSet, ArgoCdCluster, ArgoCdSource, CanaryRollout, Gate, Interval, MaxInFlight, RolloutEngine, RolloutPlan, Step, Threshold,
  TrafficRouter, WavePlan, WaveTargets,
} from '@release-constructs/release-strategies';

const PROMETHEUS = 'http://prometheus.monitoring:9090';
const CLUSTERS = ['prod-eu-1', 'prod-eu-2', 'prod-eu-3', 'prod-us-1', 'prod-us-2', 'prod-us-3', 'prod-ap-1', 'prod-ap-2'];

const successRate = Gate.prometheus({
  name: 'success-rate',
  address: PROMETHEUS,
  query: 'sum(rate(http_requests_total{namespace="{{namespace}}",pod=~"{{canaryPods}}",code!~"5.."}[{{interval}}])) / sum(rate(http_requests_total{namespace="{{namespace}}",pod=~"{{canaryPods}}"}[{{interval}}]))',
  threshold: Threshold.atLeast(0.99),
  interval: Interval.minutes(1),
  failureLimit: 2,
});

export const waves = WavePlan.of([
  { name: 'canary', targets: WaveTargets.names('prod-eu-1'), bake: Interval.minutes(30), gates: [successRate] },
  { name: 'quarter', targets: WaveTargets.share(25), bake: Interval.minutes(15), gates: [successRate] },
  { name: 'rest', targets: WaveTargets.rest(), maxInFlight: MaxInFlight.percent(50) },
]);

/** Each cluster's own canary, before its wave's bake and gates are added. */
export const clusterPlan = RolloutPlan.steps([
  Step.setWeight(5), Step.bake(Interval.minutes(5)),
  Step.setWeight(25), Step.bake(Interval.minutes(5)),
  Step.setWeight(50), Step.bake(Interval.minutes(5)),
], { backgroundGates: [successRate] });

export const source = ArgoCdSource.directory({ repoUrl: 'https://git.example.com/platform/deploy.git', targetRevision: 'main', path: 'fleet/checkout' });

export function buildApp(outdir?: string): App {
  // Synthesize into <repository>/fleet/checkout: one folder per chart, one per cluster.
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE });
  const fleet = CLUSTERS.map((name) => ({ name, server: `https://${name}.k8s.example.com` }));
  const waveOf = new Map(waves.assign(fleet).flatMap(({ wave, targets }) => targets.map((t) => [t.name, wave.name] as const)));

  const clusters: ArgoCdCluster[] = fleet.map((cluster) => {
    const chart = new Chart(app, cluster.name, { namespace: 'checkout' });
    new CanaryRollout(chart, 'checkout', {
      containers: [{ image: 'registry.example.com/checkout:2.5.0', portNumber: 8080, readiness: kplus.Probe.fromHttpGet('/healthz') }],
      replicas: 6,
      port: 80,
      plan: waves.releasePlan(waveOf.get(cluster.name)!, clusterPlan),
      engine: RolloutEngine.argoRollouts(),
      trafficRouter: TrafficRouter.gatewayApi({ gateway: 'public', gatewayNamespace: 'gateways', hostnames: ['shop.example.com'] }),
    });
    return { ...cluster, release: chart };
  });

  new ArgoCdApplicationSet(new Chart(app, 'argocd'), 'checkout', {
    plan: waves,
    clusters,
    source,
    destinationNamespace: 'checkout',
    syncOptions: ['CreateNamespace=true'],
    reverseDeletion: true,
  });
  return app;
}

if (require.main === module) {
  buildApp('fleet/checkout').synth();
}
