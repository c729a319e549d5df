/**
 * A search rewrite that gets real traffic only after its answers matched production's.
 *
 * The shadow (search 2.0.0) gets a copy of every read through Istio. Its responses are not dropped: a
 * mroki proxy compares each with the answer of a copy of the production version (1.9.3, the primary),
 * and a second proxy compares the primary with another copy (the secondary), which measures the noise
 * two copies of the same code show. Fields that change on every call (`took`, the `Date` header) are
 * left out of the comparison.
 *
 * The canary of the same rewrite (Argo Rollouts, Gateway API) starts with an analysis step on the
 * shadow's difference gate: the share of compared requests in which the shadow differs from
 * production, minus the noise, must stay at or below 1% before the canary takes its first 5% of live
 * traffic.
 */
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  CanaryRollout, EgressTarget, Interval, MirrorRouter, ResponseComparison, RolloutEngine, RolloutPlan, ShadowMirror, SideEffects,
  Step, TrafficRouter,
} from '../../src';

export function buildApp(outdir?: string): App {
  const app = new App({ outdir });
  const chart = new Chart(app, 'search', { namespace: 'search' });
  const container = (version: string): kplus.ContainerProps => ({
    image: `registry.example.com/search:${version}`,
    portNumber: 8080,
    readiness: kplus.Probe.fromHttpGet('/ready', { periodSeconds: Duration.seconds(5) }),
    resources: {
      cpu: { request: kplus.Cpu.millis(500), limit: kplus.Cpu.millis(2000) },
      memory: { request: Size.gibibytes(1), limit: Size.gibibytes(2) },
    },
    securityContext: { user: 10001, group: 10001 },
    envVariables: { INDEX_URL: kplus.EnvValue.fromValue('http://search-index-replica.search.svc:9200') },
  });

  const shadow = new ShadowMirror(chart, 'search-v2', {
    service: 'search',
    port: 80,
    percent: 100,
    containers: [container('2.0.0')],
    router: MirrorRouter.istio({ host: 'search' }),
    sideEffects: SideEffects.isolated({
      allowEgressTo: [EgressTarget.pods({ labels: { 'app.kubernetes.io/name': 'search-index', 'search.example.com/role': 'replica' }, ports: [9200] })],
    }),
    productionDependencies: [
      EgressTarget.pods({ labels: { 'app.kubernetes.io/name': 'search-index', 'search.example.com/role': 'primary' } }),
      EgressTarget.namespace('click-tracking'),
    ],
    comparison: ResponseComparison.mroki({
      baselineContainers: [container('1.9.3')],
      ignoredFields: ['body.took', 'headers.Date'],
    }),
  });

  const shadowDifferences = shadow.differenceGate({
    name: 'shadow-differences',
    prometheusAddress: 'http://prometheus.monitoring:9090',
    maxDifferencePercent: 1,
    window: Interval.minutes(10),
    count: 3,
    interval: Interval.minutes(5),
  });

  new CanaryRollout(chart, 'search-canary', {
    name: 'search-canary',
    containers: [container('2.0.0')],
    port: 80,
    replicas: 6,
    plan: RolloutPlan.steps([
      Step.analysis(shadowDifferences),
      Step.setWeight(5), Step.bake(Interval.minutes(10)),
      Step.setWeight(25), Step.bake(Interval.minutes(10)),
    ]),
    engine: RolloutEngine.argoRollouts(),
    trafficRouter: TrafficRouter.gatewayApi({ gateway: 'public', gatewayNamespace: 'gateway-system', httpRoute: 'search-canary' }),
  });
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
