/**
 * An A/B test: requests with `x-canary: insider` go to the new version for 10 one-minute iterations,
 * gated by the canary's error ratio against the stable version (baseline comparison), then the new
 * version is promoted. Argo Rollouts on Istio; the same plan renders through Flagger too.
 */
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { CanaryRollout, Gate, HeaderMatch, Interval, RolloutEngine, RolloutPlan, Threshold, TrafficRouter } from '@release-constructs/release-strategies';

export function buildApp(outdir?: string): App {
  const app = new App({ outdir });
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  const errorRatio = Gate.prometheus({
    name: 'error-ratio-vs-stable',
    address: 'http://prometheus.monitoring:9090',
    query: '(sum(rate(http_requests_total{pod=~"{{canaryPods}}",code=~"5.."}[{{interval}}])) / sum(rate(http_requests_total{pod=~"{{canaryPods}}"}[{{interval}}]))) - (sum(rate(http_requests_total{pod=~"{{stablePods}}",code=~"5.."}[{{interval}}])) / sum(rate(http_requests_total{pod=~"{{stablePods}}"}[{{interval}}])))',
    threshold: Threshold.atMost(0.01),
    failureLimit: 1,
  });
  new CanaryRollout(chart, 'storefront', {
    containers: [{ image: 'registry.example.com/storefront:5.2.0', portNumber: 8080, readiness: kplus.Probe.fromHttpGet('/ready') }],
    replicas: 4,
    port: 80,
    plan: RolloutPlan.abTest({ match: [HeaderMatch.exact('x-canary', 'insider')], iterations: 10, every: Interval.minutes(1), gates: [errorRatio] }),
    engine: RolloutEngine.argoRollouts(),
    trafficRouter: TrafficRouter.istio({ hosts: ['storefront'] }),
  });
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
