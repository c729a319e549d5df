/**
 * Checks what the tests synthesize against the real API server and controllers of the local control
 * plane (scripts/cluster/run.sh): every Kubernetes object is dry-run on the server, and every Argo
 * Rollouts `Rollout` is applied for real, with the objects synthesized next to it, and must not end
 * in `InvalidSpec`.
 *
 * test/cluster/setup.ts feeds it every chart a test synthesizes; the cluster tests call it directly.
 */
import { randomBytes } from 'crypto';
import { ApiObject, Chart } from 'cdk8s';
import { ApiError, KubeClient, waitFor } from './kube-client';

/** The objects of one synthesized chart, with the construct path of each. */
export interface SynthesizedChart {
  /** What synthesized it (the test's name). */
  readonly source: string;
  readonly objects: any[];
  /** `<apiVersion>/<kind>/<name>` → construct path. */
  readonly paths: { [key: string]: string };
}

const keyOf = (o: { apiVersion: string; kind: string; metadata?: { name?: string } }) => `${o.apiVersion}/${o.kind}/${o.metadata?.name}`;

/** Records a chart's synthesized objects (a deep copy) with their construct paths. */
export function recordChart(chart: Chart, objects: any[], source: string): SynthesizedChart {
  const paths: { [key: string]: string } = {};
  for (const c of chart.node.findAll()) {
    if (c instanceof ApiObject) paths[`${c.apiVersion}/${c.kind}/${c.name}`] = c.node.path;
  }
  return { source, objects: JSON.parse(JSON.stringify(objects)), paths };
}

/** Names an object for a failure message: construct path, kind and name. */
export function describeObject(chart: SynthesizedChart, obj: any): string {
  const path = chart.paths[keyOf(obj)];
  return `${path ?? '(no construct)'} (${obj.kind}/${obj.metadata?.name})`;
}

const ROLLOUT = 'argoproj.io/v1alpha1/Rollout';

/**
 * A fresh namespace for one chart's objects (object names repeat from test to test). With `noPods`, a
 * ResourceQuota of zero pods keeps the ReplicaSet controller from creating any: the controllers
 * still validate and reconcile everything else, and kwok is not flooded by pods nobody looks at.
 */
export async function freshNamespace(client: KubeClient, options: { noPods?: boolean } = {}): Promise<string> {
  const name = `t-${randomBytes(6).toString('hex')}`;
  await client.createNamespace(name, { 'release-strategies.test/cluster': 'true' });
  if (options.noPods) {
    await client.apply({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'no-pods' }, spec: { hard: { pods: '0' } } }, { namespace: name });
  }
  return name;
}

/** The namespace of this test file's dry runs (nothing dry-run persists, so one per file is enough). */
let dryRunNamespace: Promise<string> | undefined;
/** Objects this test file has already had accepted by a dry run (property tests repeat many). */
const accepted = new Set<string>();

/**
 * Dry-runs every object of the charts on the API server (admission, defaulting, CRD schemas and CEL
 * rules, strict field validation) in one namespace of the test file; creating and deleting a namespace
 * per chart cost the API server more than the dry runs. An object identical to one already accepted
 * is not sent again. Returns one message per refused object.
 */
export async function dryRun(client: KubeClient, charts: SynthesizedChart[]): Promise<string[]> {
  const problems: string[] = [];
  for (const chart of charts) {
    const fresh = chart.objects.map((obj) => ({ obj, key: JSON.stringify(obj) })).filter(({ key }) => !accepted.has(key));
    if (fresh.length === 0) continue;
    dryRunNamespace ??= freshNamespace(client);
    const namespace = await dryRunNamespace;
    const results = await Promise.all(fresh.map(async ({ obj, key }) => {
      try {
        await client.apply(obj, { dryRun: true, namespace });
        accepted.add(key);
        return undefined;
      } catch (e) {
        return `${chart.source}: ${describeObject(chart, obj)}: the API server refused it: ${e instanceof ApiError ? e.message : String(e)}`;
      }
    }));
    problems.push(...results.filter((r): r is string => r !== undefined));
  }
  return problems;
}

/** A Rollout applied for real, waiting for the controller's verdict. */
export interface AppliedRollout {
  readonly chart: SynthesizedChart;
  readonly namespace: string;
  readonly rollout: any;
}

/** Charts this test file has already applied. */
const appliedCharts = new Set<string>();

/**
 * Applies every chart that holds a Rollout, for real, in a fresh namespace: the other objects first
 * (the Services, AnalysisTemplates and router objects the controller looks up), the Rollouts last.
 */
export async function applyRollouts(client: KubeClient, charts: SynthesizedChart[]): Promise<AppliedRollout[]> {
  const applied: AppliedRollout[] = [];
  for (const chart of charts) {
    const rollouts = chart.objects.filter((o) => keyOf(o).startsWith(`${ROLLOUT}/`));
    if (rollouts.length === 0) continue;
    // A chart identical to one already applied by this test file gets the same verdict.
    const key = JSON.stringify(chart.objects);
    if (appliedCharts.has(key)) continue;
    appliedCharts.add(key);
    const namespace = await freshNamespace(client, { noPods: true });
    const others = chart.objects.filter((o) => !rollouts.includes(o));
    for (const obj of others) await client.apply(obj, { namespace });
    for (const rollout of rollouts) applied.push({ chart, namespace, rollout: await client.apply(rollout, { namespace }) });
  }
  return applied;
}

/** The InvalidSpec condition of a Rollout the controller has looked at, or null when it has none. */
function invalidSpec(rollout: any): { message: string } | null | undefined {
  const status = rollout?.status;
  if (status?.observedGeneration !== String(rollout.metadata.generation)) return undefined;
  return (status.conditions ?? []).find((c: any) => c.type === 'InvalidSpec' && c.status === 'True') ?? null;
}

/**
 * Waits until the controller has reconciled every applied Rollout; returns one message per Rollout in
 * `InvalidSpec`, with the controller's own message. Deletes the namespaces afterwards.
 */
export async function invalidSpecs(client: KubeClient, applied: AppliedRollout[], timeoutMs = 60_000): Promise<string[]> {
  const problems: string[] = [];
  await Promise.all(applied.map(async ({ chart, namespace, rollout }) => {
    const name = rollout.metadata.name;
    let last: any;
    const verdict = await waitFor(async () => {
      last = await client.get(rollout.apiVersion, 'Rollout', namespace, name);
      return invalidSpec(last);
    }, timeoutMs, () => `${chart.source}: ${describeObject(chart, rollout)}: the Argo Rollouts controller did not reconcile it; status: ${JSON.stringify(last?.status ?? {})}`, 250);
    if (verdict) problems.push(`${chart.source}: ${describeObject(chart, rollout)}: the Argo Rollouts controller set InvalidSpec: ${verdict.message}`);
  }));
  await Promise.all([...new Set(applied.map((a) => a.namespace))].map((ns) => client.deleteNamespace(ns)));
  return problems;
}
