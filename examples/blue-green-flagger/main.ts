/**
 * Blue/green with Flagger and no service mesh (Flagger's Kubernetes provider): each new version of
 * the storefront runs next to production behind `storefront-canary`, is checked ten times a minute
 * apart (error ratio from Prometheus, a smoke test against the preview Service through the load
 * tester), waits for a person to approve it, and is then promoted; production traffic never touches
 * it before that.
 */
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { BlueGreenEngine, BlueGreenService, FlaggerWebhook, Gate, Interval, Threshold } from '@release-constructs/release-strategies';

export function buildApp(outdir?: string): App {
  const app = new App({ outdir });
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  const errorRatio = Gate.prometheus({
    name: 'error-ratio',
    address: 'http://prometheus.monitoring:9090',
    query: 'sum(rate(http_requests_total{namespace="{{namespace}}",pod=~"{{canaryPods}}",code=~"5.."}[{{interval}}])) / sum(rate(http_requests_total{namespace="{{namespace}}",pod=~"{{canaryPods}}"}[{{interval}}]))',
    threshold: Threshold.atMost(0.01),
    failureLimit: 2,
  });
  const smoke = Gate.job({
    name: 'smoke',
    image: 'curlimages/curl:8.10.1',
    command: ['curl', '-fsS', '--max-time', '10', 'http://{{previewService}}.{{namespace}}/healthz'],
    failureLimit: 2,
  });
  new BlueGreenService(chart, 'storefront', {
    containers: [{ image: 'registry.example.com/storefront:3.8.0', portNumber: 8080, readiness: kplus.Probe.fromHttpGet('/healthz') }],
    port: 80,
    replicas: 6,
    engine: BlueGreenEngine.flagger({
      iterations: 10,
      interval: Interval.minutes(1),
      prePromotionAnalysis: [errorRatio, smoke],
      autoPromotionEnabled: false,
      loadTesterUrl: 'http://flagger-loadtester.test/',
      loadTestCommand: 'hey -z 1m -q 5 -c 2 http://storefront-canary.shop/',
      webhooks: [FlaggerWebhook.postRollout({ name: 'notify', url: 'http://release-bot.ops/flagger' })],
    }),
  });
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
