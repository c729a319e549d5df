/**
 * A storefront released blue/green with plain Kubernetes Deployments.
 *
 * Blue runs 3.7.1 and takes production traffic; green runs 3.8.0 behind the preview Service for smoke
 * tests. To cut over, change `live` to `Slot.GREEN` and deploy: only the two Services' selectors change.
 * To roll back, change it back: blue is still running, warm, at full size.
 */
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { BlueGreenEngine, BlueGreenService, DisruptionBudget, Drain, Slot } from '@release-constructs/release-strategies';

export function buildApp(outdir?: string): App {
  const app = new App({ outdir });
  const chart = new Chart(app, 'storefront', { namespace: 'shop' });
  const container = (version: string): kplus.ContainerProps => ({
    image: `registry.example.com/storefront:${version}`,
    portNumber: 8080,
    readiness: kplus.Probe.fromHttpGet('/healthz', { periodSeconds: Duration.seconds(5) }),
    liveness: kplus.Probe.fromHttpGet('/livez'),
    resources: {
      cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.millis(1000) },
      memory: { request: Size.mebibytes(256), limit: Size.mebibytes(512) },
    },
    securityContext: { user: 10001, group: 10001 },
  });

  new BlueGreenService(chart, 'storefront', {
    containers: [container('3.7.1')],
    port: 80,
    replicas: 6,
    drain: Drain.sleep(Duration.seconds(10), { terminationGracePeriod: Duration.seconds(45) }),
    disruptionBudget: DisruptionBudget.maxUnavailablePercent(20),
    engine: BlueGreenEngine.native({
      live: Slot.BLUE,
      blue: { containers: [container('3.7.1')] },
      green: { containers: [container('3.8.0')] },
      idleReplicas: 6,
    }),
  });
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
