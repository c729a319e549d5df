/**
 * An accounts API released blue/green by Argo Rollouts.
 *
 * Changing the image creates a preview ReplicaSet behind `accounts-preview`. Smoke tests run against
 * the preview and its error ratio is compared with the live version's before promotion; Argo Rollouts
 * promotes ten minutes after the preview is ready unless a gate fails or someone aborts. After
 * promotion the error ratio is watched again, and the old version stays up until that analysis passes
 * plus two minutes, so an abort in that window is a selector switch.
 */
import { App, Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { AntiAffinity, BlueGreenEngine, BlueGreenService, Gate, Interval, Threshold } from '@release-constructs/release-strategies';

export function buildApp(outdir?: string): App {
  const app = new App({ outdir });
  const chart = new Chart(app, 'accounts', { namespace: 'identity' });
  const prometheus = 'http://prometheus.monitoring:9090';
  // The new version's 5xx ratio may exceed the live version's by at most half a percentage point.
  const errorRatioVsLive = Gate.prometheus({
    name: 'error-ratio-vs-live',
    address: prometheus,
    query: [
      'sum(rate(http_requests_total{namespace="{{namespace}}",pod=~"{{canaryPods}}",code=~"5.."}[{{interval}}]))',
      '/ sum(rate(http_requests_total{namespace="{{namespace}}",pod=~"{{canaryPods}}"}[{{interval}}]))',
      '- sum(rate(http_requests_total{namespace="{{namespace}}",pod=~"{{stablePods}}",code=~"5.."}[{{interval}}]))',
      '/ sum(rate(http_requests_total{namespace="{{namespace}}",pod=~"{{stablePods}}"}[{{interval}}]))',
    ].join(' '),
    threshold: Threshold.atMost(0.005),
    interval: Interval.minutes(1),
    count: 5,
    failureLimit: 1,
  });
  const smokeTests = Gate.job({
    name: 'smoke-tests',
    image: 'registry.example.com/accounts-smoke:2.14.0',
    command: ['/smoke', '--target', 'https://accounts-preview.identity.svc:443'],
    timeoutSeconds: 300,
  });
  new BlueGreenService(chart, 'accounts', {
    containers: [{
      image: 'registry.example.com/accounts:2.14.0',
      portNumber: 8443,
      readiness: kplus.Probe.fromHttpGet('/ready', { port: 8443, scheme: kplus.ConnectionScheme.HTTPS }),
      resources: {
        cpu: { request: kplus.Cpu.millis(500), limit: kplus.Cpu.millis(2000) },
        memory: { request: Size.mebibytes(512), limit: Size.gibibytes(1) },
      },
      securityContext: { user: 10001, group: 10001 },
    }],
    port: 443,
    replicas: 4,
    engine: BlueGreenEngine.argoRollouts({
      autoPromotionSeconds: 600,
      previewReplicaCount: 2,
      scaleDownDelaySeconds: 120,
      abortScaleDownDelaySeconds: 60,
      antiAffinity: AntiAffinity.preferred(100),
      prePromotionAnalysis: [smokeTests, errorRatioVsLive],
      postPromotionAnalysis: [errorRatioVsLive],
      progressDeadlineSeconds: 900,
      progressDeadlineAbort: true,
    }),
  });
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
