/**
 * Runs before every test file (jest `setupFilesAfterEnv`). With a local control plane (the
 * `test:cluster` task runs the whole suite inside scripts/cluster/run.sh), every chart any test
 * synthesizes (`Testing.synth`, `chart.toJson()`, `app.synth()`) is also checked for real:
 *
 *  - after each test, every object is dry-run on the API server; a refused object fails that test,
 *    naming the construct path, the object and the server's message;
 *  - every Rollout is applied for real, with the objects synthesized beside it; after the file, every
 *    one must have been reconciled by the Argo Rollouts controller without `InvalidSpec`.
 *
 * Without a control plane (plain `npx jest`, `npx projen test`) it does nothing. A test that
 * synthesizes objects the server must refuse calls `notForCluster(reason)` (./opt-out).
 */
import { Chart } from 'cdk8s';
import { KubeClient } from './kube-client';
import { takeOptOut } from './opt-out';
import { AppliedRollout, applyRollouts, dryRun, invalidSpecs, recordChart, SynthesizedChart } from './synthesized';

const client = KubeClient.fromEnv();

if (client) {
  const recorded: Array<{ chart: Chart; objects: any[] }> = [];
  const original = Chart.prototype.toJson;
  Chart.prototype.toJson = function toJsonRecorded(this: Chart): any[] {
    const objects = original.call(this);
    recorded.push({ chart: this, objects });
    return objects;
  };

  const applied: AppliedRollout[] = [];

  // The tests in test/cluster/ apply what they synthesize themselves.
  const own = (expect.getState().testPath ?? '').includes(`${'/'}test${'/'}cluster${'/'}`);

  afterEach(async () => {
    const source = expect.getState().currentTestName ?? '(unnamed test)';
    const charts: SynthesizedChart[] = recorded.splice(0).map((r) => recordChart(r.chart, r.objects, source));
    if (takeOptOut() !== undefined || own) return;
    const problems = await dryRun(client, charts);
    if (problems.length > 0) throw new Error(`Refused by the API server:\n  ${problems.join('\n  ')}`);
    applied.push(...await applyRollouts(client, charts));
  }, 600_000); // a property test synthesizes hundreds of charts

  afterAll(async () => {
    const problems = await invalidSpecs(client, applied.splice(0));
    if (problems.length > 0) throw new Error(`Rollouts the controller refused:\n  ${problems.join('\n  ')}`);
  }, 600_000);
}
