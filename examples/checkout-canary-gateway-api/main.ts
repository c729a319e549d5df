/**
 * Checkout canary on Argo Rollouts behind a Gateway API HTTPRoute: 5% → 25% → 50% → 100%, five
 * minutes of bake per step, with Prometheus success-rate and p99 latency gates measured in the
 * background from the first traffic step on (the canary's own pods, via {{canaryPods}}).
 */
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { CanaryRollout, Gate, Interval, RolloutEngine, RolloutPlan, Step, Threshold, TrafficRouter } from '@release-constructs/release-strategies';

const PROMETHEUS = 'http://prometheus.monitoring:9090';

export function checkoutGates(): Gate[] {
  return [
    Gate.prometheus({
      name: 'success-rate',
      address: PROMETHEUS,
      query: 'sum(rate(http_requests_total{namespace="{{namespace}}",pod=~"{{canaryPods}}",code!~"5.."}[{{interval}}])) / sum(rate(http_requests_total{namespace="{{namespace}}",pod=~"{{canaryPods}}"}[{{interval}}]))',
      threshold: Threshold.atLeast(0.99),
      interval: Interval.minutes(1),
      failureLimit: 2,
    }),
    Gate.prometheus({
      name: 'latency-p99',
      address: PROMETHEUS,
      query: 'histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket{namespace="{{namespace}}",pod=~"{{canaryPods}}"}[{{interval}}])) by (le))',
      threshold: Threshold.atMost(0.5),
      interval: Interval.minutes(1),
      failureLimit: 2,
    }),
  ];
}

export function checkoutPlan(): RolloutPlan {
  const bake = Interval.minutes(5);
  return RolloutPlan.steps([
    Step.setWeight(5), Step.bake(bake),
    Step.setWeight(25), Step.bake(bake),
    Step.setWeight(50), Step.bake(bake),
  ], { backgroundGates: checkoutGates() });
}

export function buildApp(outdir?: string): App {
  const app = new App({ outdir });
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  new CanaryRollout(chart, 'checkout', {
    containers: [{ image: 'registry.example.com/checkout:2.4.0', portNumber: 8080, readiness: kplus.Probe.fromHttpGet('/healthz') }],
    replicas: 10,
    port: 80,
    plan: checkoutPlan(),
    engine: RolloutEngine.argoRollouts({ scaleDownDelaySeconds: 30, progressDeadlineAbort: true }),
    trafficRouter: TrafficRouter.gatewayApi({ gateway: 'public', gatewayNamespace: 'gateways', hostnames: ['shop.example.com'] }),
  });
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
