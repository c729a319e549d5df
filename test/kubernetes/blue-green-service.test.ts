import { ApiObject, Duration, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import {
  AntiAffinity, BlueGreenEngine, BlueGreenService, BlueGreenServiceProps, DisruptionBudget, Drain, Gate, Interval, Slot, Threshold,
} from '../../src';
import { warningsOf } from '../../src/private/warnings';
import { expectValidManifests } from '../schema-validation';

const readiness = kplus.Probe.fromHttpGet('/healthz');
const v1 = [{ image: 'registry.example.com/web:1.4.0', portNumber: 8080, readiness }];
const v2 = [{ image: 'registry.example.com/web:1.5.0', portNumber: 8080, readiness }];

function synth(props: Partial<BlueGreenServiceProps> & Pick<BlueGreenServiceProps, 'engine'>, id = 'web'): any[] {
  const chart = Testing.chart();
  new BlueGreenService(chart, id, { containers: v1, port: 80, replicas: 4, ...props });
  const objects = Testing.synth(chart);
  expectValidManifests(objects);
  return objects;
}

const byKindName = (objects: any[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
};

describe('native engine', () => {
  const engine = (live: Slot, idleReplicas?: number) => BlueGreenEngine.native({ live, green: { containers: v2 }, idleReplicas });

  test('synthesizes two Deployments, two Services and a PodDisruptionBudget per slot', () => {
    const objects = synth({ engine: engine(Slot.BLUE) });
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Deployment/web-blue', 'Deployment/web-green',
      'PodDisruptionBudget/web-blue', 'PodDisruptionBudget/web-green',
      'Service/web', 'Service/web-preview',
    ]);
  });

  test('the active Service selects the live slot and the preview Service the idle slot', () => {
    const objects = synth({ engine: engine(Slot.BLUE) });
    expect(byKindName(objects, 'Service', 'web').spec.selector).toEqual({ 'app.kubernetes.io/name': 'web', 'release-strategies.dev/slot': 'blue' });
    expect(byKindName(objects, 'Service', 'web-preview').spec.selector).toEqual({ 'app.kubernetes.io/name': 'web', 'release-strategies.dev/slot': 'green' });
    expect(byKindName(objects, 'Service', 'web').spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }]);
  });

  test('cutover is one prop: live GREEN swaps both selectors and nothing else', () => {
    const blue = synth({ engine: engine(Slot.BLUE) });
    const green = synth({ engine: engine(Slot.GREEN) });
    expect(byKindName(green, 'Service', 'web').spec.selector['release-strategies.dev/slot']).toBe('green');
    expect(byKindName(green, 'Service', 'web-preview').spec.selector['release-strategies.dev/slot']).toBe('blue');
    // Both slots keep running their own version, so rolling back is switching `live` back.
    expect(byKindName(green, 'Deployment', 'web-blue').spec.template).toEqual(byKindName(blue, 'Deployment', 'web-blue').spec.template);
    expect(byKindName(green, 'Deployment', 'web-green').spec.template.spec.containers[0].image).toBe('registry.example.com/web:1.5.0');
  });

  test('the idle slot stays warm with idleReplicas; the live slot runs replicas', () => {
    const objects = synth({ engine: engine(Slot.GREEN, 2) });
    expect(byKindName(objects, 'Deployment', 'web-green').spec.replicas).toBe(4);
    expect(byKindName(objects, 'Deployment', 'web-blue').spec.replicas).toBe(2);
  });

  test('the idle slot runs as many pods as the live one by default', () => {
    const objects = synth({ engine: engine(Slot.BLUE) });
    expect(byKindName(objects, 'Deployment', 'web-green').spec.replicas).toBe(4);
  });

  test('each Deployment selects only its own slot and never takes a pod down while updating', () => {
    const objects = synth({ engine: engine(Slot.BLUE) });
    const green = byKindName(objects, 'Deployment', 'web-green');
    expect(green.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'web', 'release-strategies.dev/slot': 'green' });
    expect(green.spec.template.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'web', 'app.kubernetes.io/version': '1.5.0', 'release-strategies.dev/slot': 'green',
    });
    expect(green.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } });
    expect(byKindName(objects, 'PodDisruptionBudget', 'web-green').spec).toEqual({
      maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'web', 'release-strategies.dev/slot': 'green' } },
    });
  });

  test('fails when idleReplicas is 0', () => {
    expect(() => synth({ engine: engine(Slot.BLUE, 0) }))
      .toThrow("test/web: invalid 'engine.idleReplicas': must be a whole number from 1 to 4, got 0");
  });

  test('fails when idleReplicas is above replicas', () => {
    expect(() => synth({ engine: engine(Slot.BLUE, 5) }))
      .toThrow("test/web: invalid 'engine.idleReplicas': must be a whole number from 1 to 4, got 5");
  });

  test('fails when a slot container has no readiness probe', () => {
    expect(() => synth({ engine: BlueGreenEngine.native({ live: Slot.BLUE, green: { containers: [{ image: 'web:2', portNumber: 8080 }] } }) }))
      .toThrow("test/web: invalid 'engine.green.containers[0].readiness': must be set (e.g. Probe.fromHttpGet('/healthz')), or set allowMissingReadinessProbe: true to opt out, got nothing");
  });

  test('fails when live is not a slot', () => {
    expect(() => BlueGreenEngine.native({ live: 'purple' as Slot }))
      .toThrow("BlueGreenEngine.native(): invalid 'live': must be Slot.BLUE or Slot.GREEN, got 'purple'");
  });
});

describe('Argo Rollouts engine', () => {
  test('synthesizes one Rollout, the active and preview Services and a PodDisruptionBudget; no ReplicaSets or AnalysisRuns', () => {
    const objects = synth({ engine: BlueGreenEngine.argoRollouts() });
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'PodDisruptionBudget/web', 'Rollout/web', 'Service/web', 'Service/web-preview',
    ]);
  });

  test('renders strategy.blueGreen with every option', () => {
    const objects = synth({
      engine: BlueGreenEngine.argoRollouts({
        autoPromotionEnabled: true,
        autoPromotionSeconds: 600,
        previewReplicaCount: 2,
        scaleDownDelaySeconds: 120,
        abortScaleDownDelaySeconds: 60,
        scaleDownDelayRevisionLimit: 2,
        revisionHistoryLimit: 5,
        antiAffinity: AntiAffinity.preferred(80),
        progressDeadlineSeconds: 900,
        progressDeadlineAbort: true,
        minReadySeconds: 10,
      }),
    });
    const rollout = byKindName(objects, 'Rollout', 'web');
    expect(rollout.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(rollout.spec.strategy).toEqual({
      blueGreen: {
        activeService: 'web',
        previewService: 'web-preview',
        autoPromotionEnabled: true,
        autoPromotionSeconds: 600,
        previewReplicaCount: 2,
        scaleDownDelaySeconds: 120,
        abortScaleDownDelaySeconds: 60,
        scaleDownDelayRevisionLimit: 2,
        antiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: { weight: 80 } },
      },
    });
    expect(rollout.spec).toMatchObject({
      replicas: 4,
      revisionHistoryLimit: 5,
      progressDeadlineSeconds: 900,
      progressDeadlineAbort: true,
      minReadySeconds: 10,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
    });
  });

  describe('promotion analysis', () => {
    const errorRatio = Gate.prometheus({
      name: 'error-ratio',
      address: 'http://prometheus.monitoring:9090',
      query: 'sum(rate(http_requests_total{pod=~"{{canaryPods}}",code=~"5.."}[1m])) / sum(rate(http_requests_total{pod=~"{{canaryPods}}"}[1m]))',
      threshold: Threshold.atMost(0.01),
      interval: Interval.seconds(30),
      count: 10,
      failureLimit: 2,
    });
    const smoke = Gate.web({ name: 'smoke', url: 'http://web-preview.default/smoke', jsonPath: '{$.failures}', threshold: Threshold.atMost(0) });

    test('pre- and post-promotion gates become AnalysisTemplates referenced with the preview pod-template hash', () => {
      const engine = BlueGreenEngine.argoRollouts({ prePromotionAnalysis: [smoke, errorRatio], postPromotionAnalysis: [errorRatio] });
      const objects = synth({ engine });
      const blueGreen = byKindName(objects, 'Rollout', 'web').spec.strategy.blueGreen;
      expect(blueGreen.prePromotionAnalysis).toEqual({
        templates: [{ templateName: 'web-smoke' }, { templateName: 'web-error-ratio' }],
        args: [{ name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } }],
      });
      expect(blueGreen.postPromotionAnalysis).toEqual({
        templates: [{ templateName: 'web-error-ratio' }],
        args: [{ name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } }],
      });
      // One template per distinct gate, even when both analyses use it.
      expect(objects.filter((o) => o.kind === 'AnalysisTemplate').map((o) => o.metadata.name).sort()).toEqual(['web-error-ratio', 'web-smoke']);
      const template = byKindName(objects, 'AnalysisTemplate', 'web-error-ratio');
      expect(template.spec.args).toEqual([{ name: 'canary-hash' }]);
      expect(template.spec.metrics).toHaveLength(1);
      expect(template.spec.metrics[0]).toMatchObject({
        name: 'error-ratio',
        interval: '30s',
        count: 10,
        failureLimit: 2,
        provider: { prometheus: { address: 'http://prometheus.monitoring:9090', query: expect.stringContaining('pod=~"web-{{args.canary-hash}}-.*"') } },
      });
    });

    test('fails when two different gates share a name', () => {
      const other = Gate.web({ name: 'smoke', url: 'http://web-preview.default/other' });
      expect(() => synth({ engine: BlueGreenEngine.argoRollouts({ prePromotionAnalysis: [smoke, other] }) }))
        .toThrow("test/web: invalid 'engine.prePromotionAnalysis': must not give one metric name to two different gates, got 'smoke'");
    });

    test('fails on an empty gate list', () => {
      expect(() => synth({ engine: BlueGreenEngine.argoRollouts({ postPromotionAnalysis: [] }) }))
        .toThrow("test/web: invalid 'engine.postPromotionAnalysis': must name at least one gate, got []");
    });
  });

  test('required anti-affinity renders an empty requiredDuringSchedulingIgnoredDuringExecution', () => {
    const rollout = byKindName(synth({ engine: BlueGreenEngine.argoRollouts({ antiAffinity: AntiAffinity.required() }) }), 'Rollout', 'web');
    expect(rollout.spec.strategy.blueGreen.antiAffinity).toEqual({ requiredDuringSchedulingIgnoredDuringExecution: {} });
  });

  test('both Services select the app; Argo Rollouts adds the pod-template hash at runtime', () => {
    const objects = synth({ engine: BlueGreenEngine.argoRollouts() });
    expect(byKindName(objects, 'Service', 'web').spec.selector).toEqual({ 'app.kubernetes.io/name': 'web' });
    expect(byKindName(objects, 'Service', 'web-preview').spec.selector).toEqual({ 'app.kubernetes.io/name': 'web' });
  });

  test('the Rollout carries the same pod template a Deployment would, field for field', () => {
    const objects = synth({ engine: BlueGreenEngine.argoRollouts() });
    const rollout = byKindName(objects, 'Rollout', 'web');
    const native = byKindName(synth({ engine: BlueGreenEngine.native({ live: Slot.BLUE }) }), 'Deployment', 'web-blue');
    const withoutSlot = JSON.parse(JSON.stringify(native.spec.template));
    delete withoutSlot.metadata.labels['release-strategies.dev/slot'];
    expect(rollout.spec.template).toEqual(withoutSlot);
    expect(rollout.spec.template.spec.containers[0].resources).toEqual({
      limits: { cpu: '1500m', memory: '2048Mi' }, requests: { cpu: '1000m', memory: '512Mi' },
    });
  });

  test('custom Service names', () => {
    const objects = synth({ engine: BlueGreenEngine.argoRollouts(), activeServiceName: 'web-live', previewServiceName: 'web-next' });
    expect(byKindName(objects, 'Rollout', 'web').spec.strategy.blueGreen).toMatchObject({ activeService: 'web-live', previewService: 'web-next' });
    expect(byKindName(objects, 'Service', 'web-next').kind).toBe('Service');
  });

  test('warns when scaleDownDelaySeconds is below 30', () => {
    const chart = Testing.chart();
    new BlueGreenService(chart, 'web', { containers: v1, port: 80, engine: BlueGreenEngine.argoRollouts({ scaleDownDelaySeconds: 5 }) });
    expect(warningsOf(chart)).toEqual([
      'test/web: scaleDownDelaySeconds is 5: below 30 seconds, proxies and kube-proxy may still send requests to the old version when it is scaled down',
    ]);
  });

  test('fails when autoPromotionSeconds is set with autoPromotionEnabled false', () => {
    expect(() => synth({ engine: BlueGreenEngine.argoRollouts({ autoPromotionEnabled: false, autoPromotionSeconds: 30 }) }))
      .toThrow("test/web: invalid 'engine.autoPromotionSeconds': must not be set when autoPromotionEnabled is false (Argo Rollouts would never promote on its own), got 30");
  });

  test('fails when previewReplicaCount is above replicas', () => {
    expect(() => synth({ engine: BlueGreenEngine.argoRollouts({ previewReplicaCount: 5 }) }))
      .toThrow("test/web: invalid 'engine.previewReplicaCount': must be a whole number from 1 to 4, got 5");
  });

  test('fails when previewReplicaCount is 0', () => {
    expect(() => synth({ engine: BlueGreenEngine.argoRollouts({ previewReplicaCount: 0 }) }))
      .toThrow("test/web: invalid 'engine.previewReplicaCount': must be a whole number from 1 to 4, got 0");
  });

  test('fails when scaleDownDelayRevisionLimit is above revisionHistoryLimit', () => {
    expect(() => synth({ engine: BlueGreenEngine.argoRollouts({ revisionHistoryLimit: 2, scaleDownDelayRevisionLimit: 3 }) }))
      .toThrow("test/web: invalid 'engine.scaleDownDelayRevisionLimit': must be a whole number from 0 to 2, got 3");
  });

  test('fails when progressDeadlineSeconds is not above minReadySeconds', () => {
    expect(() => synth({ engine: BlueGreenEngine.argoRollouts({ minReadySeconds: 600, progressDeadlineSeconds: 600 }) }))
      .toThrow("test/web: invalid 'engine.progressDeadlineSeconds': must be a whole number from 601 to 86400, got 600");
  });

  test('fails when scaleDownDelaySeconds is negative', () => {
    expect(() => synth({ engine: BlueGreenEngine.argoRollouts({ scaleDownDelaySeconds: -1 }) }))
      .toThrow("test/web: invalid 'engine.scaleDownDelaySeconds': must be a whole number from 0 to 86400, got -1");
  });

  test('fails when abortScaleDownDelaySeconds is negative', () => {
    expect(() => synth({ engine: BlueGreenEngine.argoRollouts({ abortScaleDownDelaySeconds: -5 }) }))
      .toThrow("test/web: invalid 'engine.abortScaleDownDelaySeconds': must be a whole number from 0 to 86400, got -5");
  });

  test('fails when the anti-affinity weight is outside 1..100', () => {
    expect(() => AntiAffinity.preferred(0)).toThrow("AntiAffinity.preferred(): invalid 'weight': must be a whole number from 1 to 100, got 0");
  });
});

describe('both engines', () => {
  const engines: Array<[string, () => BlueGreenEngine]> = [
    ['native', () => BlueGreenEngine.native({ live: Slot.BLUE })],
    ['argoRollouts', () => BlueGreenEngine.argoRollouts()],
  ];

  test.each(engines)('%s: fails when the active and preview Service names are equal', (_, engine) => {
    expect(() => synth({ engine: engine(), activeServiceName: 'web', previewServiceName: 'web' }))
      .toThrow("test/web: invalid 'previewServiceName': must differ from activeServiceName ('web'): the preview and active Services need two different Services, got 'web'");
  });

  test.each(engines)('%s: fails without a readiness probe unless opted out', (_, engine) => {
    expect(() => synth({ engine: engine(), containers: [{ image: 'web:1', portNumber: 8080 }] }))
      .toThrow("test/web: invalid 'containers[0].readiness': must be set (e.g. Probe.fromHttpGet('/healthz')), or set allowMissingReadinessProbe: true to opt out, got nothing");
    expect(() => synth({ engine: engine(), containers: [{ image: 'web:1', portNumber: 8080 }], allowMissingReadinessProbe: true })).not.toThrow();
  });

  test.each(engines)('%s: fails when replicas is 0', (_, engine) => {
    expect(() => synth({ engine: engine(), replicas: 0 }))
      .toThrow("test/web: invalid 'replicas': must be a whole number from 1 to 10000, got 0");
  });

  test.each(engines)('%s: fails when replicas is negative', (_, engine) => {
    expect(() => synth({ engine: engine(), replicas: -2 }))
      .toThrow("test/web: invalid 'replicas': must be a whole number from 1 to 10000, got -2");
  });

  test.each(engines)('%s: fails when the serving container has no port', (_, engine) => {
    expect(() => synth({ engine: engine(), containers: [{ image: 'web:1', readiness }] }))
      .toThrow("test/web: invalid 'containers[0].portNumber': must be set on the first container, which serves traffic, got nothing");
  });

  test.each(engines)('%s: fails when the construct id cannot name a Service', (_, engine) => {
    expect(() => synth({ engine: engine() }, 'Web_Frontend'))
      .toThrow("test/Web_Frontend: invalid 'name': must be given when the construct id is not a DNS-1035 label (it names the Service), got 'Web_Frontend'");
  });

  test.each(engines)('%s: fails when minAvailable leaves no pod to evict', (_, engine) => {
    expect(() => synth({ engine: engine(), disruptionBudget: DisruptionBudget.minAvailable(4) }))
      .toThrow("test/web: invalid 'disruptionBudget': minAvailable must be lower than replicas (4), or no node running these pods could ever be drained, got 4");
  });

  test.each(engines)('%s: safe pod defaults', (_, engine) => {
    const objects = synth({ engine: engine() });
    const workload = objects.find((o) => o.kind === 'Rollout' || o.kind === 'Deployment');
    const pod = workload.spec.template.spec;
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.terminationGracePeriodSeconds).toBe(30);
    const main = pod.containers[0];
    expect(main.readinessProbe).toEqual({ failureThreshold: 3, httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' } });
    expect(main.lifecycle).toEqual({ preStop: { exec: { command: ['sleep', '5'] } } });
    expect(main.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 25000,
      runAsGroup: 26000,
      privileged: false,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(main.resources.requests).toEqual({ cpu: '1000m', memory: '512Mi' });
  });

  test.each(engines)('%s: every safe default can be opted out of explicitly', (_, engine) => {
    const objects = synth({
      engine: engine(),
      containers: [{
        image: 'web:1',
        portNumber: 8080,
        securityContext: { ensureNonRoot: false, readOnlyRootFilesystem: false, allowPrivilegeEscalation: true },
        resources: {},
      }],
      allowMissingReadinessProbe: true,
      drain: Drain.none({ terminationGracePeriod: Duration.seconds(10) }),
      disruptionBudget: DisruptionBudget.none(),
      seccompRuntimeDefault: false,
    });
    expect(objects.filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
    const pod = objects.find((o) => o.kind === 'Rollout' || o.kind === 'Deployment').spec.template.spec;
    expect(pod.securityContext).toEqual({ runAsNonRoot: true });
    expect(pod.terminationGracePeriodSeconds).toBe(10);
    const main = pod.containers[0];
    expect(main.readinessProbe).toBeUndefined();
    expect(main.lifecycle).toBeUndefined();
    expect(main.securityContext).toMatchObject({ runAsNonRoot: false, readOnlyRootFilesystem: false, allowPrivilegeEscalation: true });
  });

  test.each(engines)('%s: a drain by HTTP call and a custom budget', (_, engine) => {
    const objects = synth({ engine: engine(), drain: Drain.httpGet('/drain'), disruptionBudget: DisruptionBudget.maxUnavailablePercent(25) });
    const pod = objects.find((o) => o.kind === 'Rollout' || o.kind === 'Deployment').spec.template.spec;
    expect(pod.containers[0].lifecycle.preStop).toEqual({ httpGet: { path: '/drain', port: 8080, scheme: 'HTTP' } });
    expect(objects.find((o) => o.kind === 'PodDisruptionBudget').spec.maxUnavailable).toBe('25%');
  });
});

describe('Drain', () => {
  test('fails when the grace period does not outlast the preStop sleep', () => {
    expect(() => Drain.sleep(Duration.seconds(30), { terminationGracePeriod: Duration.seconds(30) }))
      .toThrow("Drain.sleep(): invalid 'terminationGracePeriod': must be longer than the preStop sleep (30s) so the process still gets SIGTERM before it is killed, got '30s'");
  });

  test('fails on an empty drain command', () => {
    expect(() => Drain.command([])).toThrow("Drain.command(): invalid 'command': must have at least one element, got []");
  });
});

test('the PodDisruptionBudget uses the policy/v1 core type from cdk8s-plus', () => {
  expect(k8s.KubePodDisruptionBudget.GVK).toEqual({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' });
});

test('native default configuration snapshot', () => {
  expect(synth({ engine: BlueGreenEngine.native({ live: Slot.BLUE, green: { containers: v2 } }) })).toMatchSnapshot();
});

test('Argo Rollouts default configuration snapshot', () => {
  expect(synth({ engine: BlueGreenEngine.argoRollouts() })).toMatchSnapshot();
});

test('JSON patches reach into the Rollout pod template', () => {
  const chart = Testing.chart();
  const service = new BlueGreenService(chart, 'web', { containers: v1, port: 80, engine: BlueGreenEngine.argoRollouts() });
  const rollout = service.node.findChild('Resource') as ApiObject;
  rollout.addJsonPatch(JsonPatch.add('/spec/template/metadata/annotations', { 'example.com/team': 'web' }));
  rollout.addJsonPatch(JsonPatch.replace('/spec/replicas', 3));
  const objects = Testing.synth(chart);
  expectValidManifests(objects);
  const spec = objects.find((o) => o.kind === 'Rollout').spec;
  expect(spec.template.metadata.annotations).toEqual({ 'example.com/team': 'web' });
  expect(spec.replicas).toBe(3);
});
