/**
 * An accounts API released blue/green by Argo Rollouts.
 *
 * Changing the image creates a preview ReplicaSet behind `accounts-preview`. Argo Rollouts promotes
 * it after ten minutes of readiness unless someone aborts; the old version stays up for two minutes
 * after promotion, so an abort in that window is a selector switch.
 */
import { App, Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { AntiAffinity, BlueGreenEngine, BlueGreenService } from '../../src';

export function buildApp(outdir?: string): App {
  const app = new App({ outdir });
  const chart = new Chart(app, 'accounts', { namespace: 'identity' });
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
      progressDeadlineSeconds: 900,
      progressDeadlineAbort: true,
    }),
  });
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
