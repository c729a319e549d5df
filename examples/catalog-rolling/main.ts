/**
 * The two simplest strategies, with the same safe pods: the catalog API as a rolling update (two
 * extra pods at a time, never below full capacity, each new pod ready for 10 seconds before the next
 * wave) scaled by an autoscaler, and the ledger writer as a recreate (one pod with a ReadWriteOnce
 * volume: two versions must never run at once). `timelines()` shows how long each release takes and
 * the ledger's downtime.
 */
import { App, Chart, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Interval, RecreateService, ReleaseTimeline, RollingService } from '@release-constructs/release-strategies';

export function buildApp(outdir?: string): App {
  return build(outdir).app;
}

/** The rolling update and the recreate laid out in time, for pods that take 30 seconds to become ready. */
export function timelines(): ReleaseTimeline[] {
  const { catalog, ledger } = build();
  return [catalog.timeline(Interval.seconds(30)), ledger.timeline(Interval.seconds(30))];
}

function build(outdir?: string): { app: App; catalog: RollingService; ledger: RecreateService } {
  const app = new App({ outdir });
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  const catalog = new RollingService(chart, 'catalog', {
    containers: [{ image: 'registry.example.com/catalog:5.2.0', portNumber: 8080, readiness: kplus.Probe.fromHttpGet('/ready') }],
    port: 80,
    maxSurge: '2',
    minReadySeconds: 10,
    progressDeadlineSeconds: 300,
    autoscaling: { minReplicas: 4, maxReplicas: 16 },
  });
  const data = new kplus.PersistentVolumeClaim(chart, 'ledger-data', {
    metadata: { name: 'ledger-data' },
    accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE],
    storage: Size.gibibytes(20),
  });
  const ledger = new RecreateService(chart, 'ledger', {
    containers: [{
      image: 'registry.example.com/ledger:3.0.1',
      portNumber: 8080,
      readiness: kplus.Probe.fromHttpGet('/ready'),
      volumeMounts: [{ path: '/var/lib/ledger', volume: kplus.Volume.fromPersistentVolumeClaim(chart, 'ledger-volume', data) }],
    }],
    port: 80,
  });
  return { app, catalog, ledger };
}

if (require.main === module) {
  buildApp().synth();
  for (const t of timelines()) process.stdout.write(t.toTable());
}
