import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  DisruptionBudget, Drain, Interval, RecreateService, RecreateServiceProps, ReleaseTimeline, RollingService, RollingServiceProps, TimelineActivity,
} from '../../src';
import { expectValidManifests } from '../schema-validation';

const containers: kplus.ContainerProps[] = [{ image: 'registry.example.com/catalog:5.2.0', portNumber: 8080, readiness: kplus.Probe.fromHttpGet('/ready') }];

function rolling(props: Partial<RollingServiceProps> = {}): { objects: any[]; svc: RollingService } {
  const chart = new Chart(Testing.app(), 'shop');
  const svc = new RollingService(chart, 'catalog', { containers, port: 80, replicas: 6, ...props });
  const objects = chart.toJson();
  expectValidManifests(objects);
  return { objects, svc };
}
function recreate(props: Partial<RecreateServiceProps> = {}): { objects: any[]; svc: RecreateService } {
  const chart = new Chart(Testing.app(), 'shop');
  const svc = new RecreateService(chart, 'ledger', { containers, port: 80, ...props });
  const objects = chart.toJson();
  expectValidManifests(objects);
  return { objects, svc };
}
const find = (objects: any[], kind: string) => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
};

describe('RollingService', () => {
  test('default configuration', () => {
    expect(rolling().objects).toMatchSnapshot();
  });

  test('a Service, a Deployment whose rolling update never lowers capacity, and a PodDisruptionBudget', () => {
    const { objects } = rolling();
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Service/catalog', 'Deployment/catalog', 'PodDisruptionBudget/catalog']);
    const spec = find(objects, 'Deployment').spec;
    expect(spec.replicas).toBe(6);
    expect(spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } });
    expect([spec.progressDeadlineSeconds, spec.revisionHistoryLimit, spec.minReadySeconds]).toEqual([600, 10, undefined]);
    expect(spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'catalog' } });
    const pod = spec.template.spec;
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsUser: 25000, capabilities: { drop: ['ALL'] } });
    expect(pod.containers[0].lifecycle.preStop).toEqual({ exec: { command: ['sleep', '5'] } });
    expect(find(objects, 'Service').spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }]);
    expect(find(objects, 'PodDisruptionBudget').spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'catalog' } } });
  });

  test('rolling parameters, minReadySeconds, progress deadline and history render to the Deployment', () => {
    const spec = find(rolling({ maxSurge: '2', maxUnavailable: '1', minReadySeconds: 10, progressDeadlineSeconds: 300, revisionHistoryLimit: 3 }).objects, 'Deployment').spec;
    expect(spec.strategy.rollingUpdate).toEqual({ maxSurge: 2, maxUnavailable: 1 });
    expect([spec.minReadySeconds, spec.progressDeadlineSeconds, spec.revisionHistoryLimit]).toEqual([10, 300, 3]);
  });

  test('autoscaling: an HPA on the Deployment and no fixed replicas', () => {
    const { objects } = rolling({ replicas: undefined, autoscaling: { minReplicas: 2, maxReplicas: 8 } });
    expect(find(objects, 'Deployment').spec.replicas).toBeUndefined();
    expect(find(objects, 'HorizontalPodAutoscaler').spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'catalog' });
  });

  test('timeline: waves of maxSurge + maxUnavailable pods, full capacity with maxUnavailable 0', () => {
    const t = rolling({ maxSurge: '2', minReadySeconds: 10 }).svc.timeline(Interval.seconds(30));
    expect(t.segments.filter((s) => s.activity === TimelineActivity.BAKE).map((s) => [s.label, s.durationSeconds, s.capacityPercent])).toEqual([
      ['replace pods 1-2 of 6', 40, 100], ['replace pods 3-4 of 6', 40, 100], ['replace pods 5-6 of 6', 40, 100],
    ]);
    expect(t.segments.filter((s) => s.activity === TimelineActivity.SET_WEIGHT).map((s) => s.weight)).toEqual([33.3, 66.7, 100]);
    expect([t.totalDurationSeconds, t.fullTrafficAtSeconds, t.downtimeSeconds, t.minimumCapacityPercent]).toEqual([120, 120, 0, 100]);
    expect(t.rollbacks.map((r) => [r.engine, r.automatic])).toEqual([['Kubernetes Deployment', false]]);
  });

  test('timeline: maxUnavailable lowers capacity, percentages round like the controller (surge up, unavailable down)', () => {
    const t = ReleaseTimeline.rollingUpdate({ replicas: 10, podStartup: Interval.seconds(20), maxSurge: '10%', maxUnavailable: '25%' });
    // surge ceil(1.0) = 1, unavailable floor(2.5) = 2: waves of 3 pods, 80% of the pods serving.
    expect(t.segments.filter((s) => s.activity === TimelineActivity.BAKE).map((s) => s.label)).toEqual([
      'replace pods 1-3 of 10', 'replace pods 4-6 of 10', 'replace pods 7-9 of 10', 'replace pods 10-10 of 10',
    ]);
    expect([t.minimumCapacityPercent, t.downtimeSeconds, t.totalDurationSeconds]).toEqual([80, 0, 80]);
    expect(t.toTable()).toContain('- Capacity: as low as 80% of the pods serving; downtime 0s');
  });

  test('fails when maxSurge and maxUnavailable both come to 0 pods', () => {
    expect(() => rolling({ maxSurge: '0', maxUnavailable: '0' })).toThrow(
      "shop/catalog: invalid 'maxSurge': must not resolve to 0 pods while maxUnavailable does too (with 6 replicas the update could never replace a pod; Kubernetes would take one pod down instead), got '0'");
    // 10% of 6 pods rounds down to 0 unavailable pods.
    expect(() => rolling({ maxSurge: '0%', maxUnavailable: '10%' })).toThrow(
      "shop/catalog: invalid 'maxSurge': must not resolve to 0 pods while maxUnavailable does too (with 6 replicas the update could never replace a pod; Kubernetes would take one pod down instead), got '0%'");
  });

  test('fails when maxUnavailable takes every pod down, or on a malformed value', () => {
    expect(() => rolling({ maxUnavailable: '100%' })).toThrow(
      "shop/catalog: invalid 'maxUnavailable': must leave at least one of the 6 pods serving (taking every pod down at once is a recreate: use RecreateService), got '100%'");
    expect(() => rolling({ maxSurge: '1.5' })).toThrow(
      "shop/catalog: invalid 'maxSurge': must be a whole number of pods ('1') or a percentage from 0% to 100% ('25%'), got '1.5'");
  });

  test('fails on a progress deadline not above minReadySeconds', () => {
    expect(() => rolling({ minReadySeconds: 60, progressDeadlineSeconds: 60 })).toThrow(
      "shop/catalog: invalid 'progressDeadlineSeconds': must be a whole number from 61 to 604800, got 60");
  });

  test('fails on a PodDisruptionBudget that blocks every eviction', () => {
    expect(() => rolling({ replicas: 3, disruptionBudget: DisruptionBudget.minAvailable(3) })).toThrow(
      "shop/catalog: invalid 'disruptionBudget': minAvailable must be lower than replicas (3), or no node running these pods could ever be drained, got 3");
  });
});

describe('RecreateService', () => {
  test('default configuration', () => {
    expect(recreate().objects).toMatchSnapshot();
  });

  test('one pod by default, strategy Recreate, the same safe pod defaults and a PodDisruptionBudget', () => {
    const { objects, svc } = recreate();
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Service/ledger', 'Deployment/ledger', 'PodDisruptionBudget/ledger']);
    const spec = find(objects, 'Deployment').spec;
    expect(spec.replicas).toBe(1);
    expect(spec.strategy).toEqual({ type: 'Recreate' });
    expect(spec.template.spec.containers[0].readinessProbe).toBeDefined();
    expect(spec.template.spec.terminationGracePeriodSeconds).toBe(30);
    expect(find(objects, 'PodDisruptionBudget').spec.maxUnavailable).toBe(1);
    expect(svc.replicas).toBe(1);
  });

  test('timeline: downtime = shutdown + startup, the grace period by default', () => {
    const { svc } = recreate({ drain: Drain.sleep(Duration.seconds(5), { terminationGracePeriod: Duration.seconds(45) }) });
    const t = svc.timeline(Interval.seconds(20));
    expect(t.segments.map((s) => [s.label, s.durationSeconds, s.capacityPercent, s.weight])).toEqual([
      ['stop every old pod', 45, 0, 0], ['start the new pods', 20, 0, 0], ['setWeight(100)', 0, 100, 100],
    ]);
    expect([t.downtimeSeconds, t.minimumCapacityPercent, t.totalDurationSeconds]).toEqual([65, 0, 65]);
    expect(svc.timeline(Interval.seconds(20), Interval.seconds(8)).downtimeSeconds).toBe(28);
    expect(t.toTable()).toContain('- Capacity: as low as 0% of the pods serving; downtime 1m5s');
  });

  test('fails on a PodDisruptionBudget that blocks every eviction of the single pod', () => {
    expect(() => recreate({ disruptionBudget: DisruptionBudget.minAvailable(1) })).toThrow(
      "shop/ledger: invalid 'disruptionBudget': minAvailable must be lower than replicas (1), or no node running these pods could ever be drained, got 1");
  });
});
