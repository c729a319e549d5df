/**
 * The same checkout plan and gates as examples/checkout-canary-gateway-api, carried out by Flagger on
 * Istio: stepWeights 5, 25, 50 every 5 minutes, the two Prometheus gates as MetricTemplates checked at
 * every interval, and a load test from the Flagger load tester.
 */
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { checkoutPlan } from '../checkout-canary-gateway-api/main';
import { CanaryRollout, RolloutEngine, TrafficRouter } from '@release-constructs/release-strategies';

export function buildApp(outdir?: string): App {
  const app = new App({ outdir });
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  new CanaryRollout(chart, 'checkout', {
    containers: [{ image: 'registry.example.com/checkout:2.4.0', portNumber: 8080, readiness: kplus.Probe.fromHttpGet('/healthz') }],
    replicas: 10,
    port: 80,
    plan: checkoutPlan(),
    engine: RolloutEngine.flagger({
      loadTesterUrl: 'http://flagger-loadtester.test/',
      loadTestCommand: 'hey -z 1m -q 10 -c 2 http://checkout-canary.shop/',
    }),
    trafficRouter: TrafficRouter.istio({ hosts: ['checkout', 'shop.example.com'], gateways: ['mesh', 'istio-system/public'] }),
  });
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
