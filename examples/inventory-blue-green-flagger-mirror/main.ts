/**
 * Blue/green with Flagger and Istio traffic mirroring: during each of the ten one-minute iterations
 * Istio copies half of the inventory service's production requests to the new version, whose
 * responses are dropped. Flagger copies every method, writes included, so the new version's pods are
 * locked out while they are the canary: a default-deny egress policy lets them reach only DNS,
 * istiod and the sandbox database, and the production database is declared so that no allowlist
 * entry can reach it. After the last iteration Flagger routes live traffic to those pods until the
 * promoted primary is ready; the reason that is acceptable here is written down.
 */
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  BlueGreenEngine, BlueGreenService, EgressTarget, Gate, HttpMethod, Interval, SideEffects, Threshold, TrafficRouter,
} from '@release-constructs/release-strategies';

export function buildApp(outdir?: string): App {
  const app = new App({ outdir });
  const chart = new Chart(app, 'inventory', { namespace: 'inventory' });
  const errorRatio = Gate.prometheus({
    name: 'error-ratio',
    address: 'http://prometheus.monitoring:9090',
    query: 'sum(rate(istio_requests_total{destination_workload_namespace="{{namespace}}",pod=~"{{canaryPods}}",response_code=~"5.."}[{{interval}}])) / sum(rate(istio_requests_total{destination_workload_namespace="{{namespace}}",pod=~"{{canaryPods}}"}[{{interval}}]))',
    threshold: Threshold.atMost(0.01),
    failureLimit: 1,
  });
  new BlueGreenService(chart, 'stock', {
    containers: [{ image: 'registry.example.com/stock:5.2.0', portNumber: 8080, readiness: kplus.Probe.fromHttpGet('/healthz') }],
    port: 80,
    replicas: 4,
    engine: BlueGreenEngine.flagger({
      iterations: 10,
      interval: Interval.minutes(1),
      prePromotionAnalysis: [errorRatio],
      trafficRouter: TrafficRouter.istio({ hosts: ['stock'] }),
      mirror: {
        percent: 50,
        methods: [HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE],
        sideEffects: SideEffects.isolated({
          allowEgressTo: [EgressTarget.pods({ namespace: 'inventory-sandbox', labels: { app: 'postgres' }, ports: [5432] })],
        }),
        productionDependencies: [EgressTarget.pods({ namespace: 'inventory-data', labels: { app: 'postgres' }, ports: [5432] })],
        acknowledgeLiveHandover: 'stock reads are served from the in-process cache while the primary rolls out (about one minute); writes during the handover are retried by the clients',
      },
    }),
  });
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
