/**
 * Property-based tests of BlueGreenService and CanaryRollout with every engine and router, and of the
 * workload checks every Kubernetes construct shares: every generated input is refused in the documented
 * format (at construction, or at synth for values resolved then), or the synthesized objects are valid
 * against their strict schemas (test/schema-validation.ts) and the controllers' own rules below.
 * Fixed seed (test/properties.ts).
 */
import { Chart, Lazy, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import {
  BlueGreenEngine, BlueGreenService, CanaryRollout, RolloutEngine, Slot, TrafficRouter, WorkloadOptions,
} from '../../src';
import { check, EDGE_STRINGS, isGoDuration, mostly, outcome, Tally } from '../properties';
import { expectValidManifests } from '../schema-validation';
import { buildGate, buildPlan, GateDesc, gateDesc, PlanDesc, planDesc, wholeNumber } from '../strategy/arbitraries';

const tally = new Tally();
afterAll(() => tally.print());

const readiness = kplus.Probe.fromHttpGet('/healthz');

// ---------------------------------------------------------------------------------------------------
// Generators

const image = mostly(
  fc.constantFrom('registry.example.com/web:1.4.0', 'web', 'registry.example.com/web@sha256:' + 'a'.repeat(64), 'web:Latest_1.2'),
  EDGE_STRINGS,
  fc.constantFrom<any>(Lazy.any({ produce: () => 'registry.example.com/web:2.0.0' }), Lazy.any({ produce: () => '' }), '${Token[TOKEN.42]}'),
);

interface ContainerDesc { readonly image: string; readonly portNumber?: number; readonly readiness: boolean }
const container: fc.Arbitrary<ContainerDesc> = fc.record({
  image,
  portNumber: fc.option(mostly(fc.constantFrom(8080, 80, 65535, 1), fc.integer(), fc.constantFrom(0, 65536, 80.5, NaN)), { nil: undefined, freq: 8 }),
  readiness: mostly(fc.constant(true), fc.constant(false)),
}, { requiredKeys: ['image', 'readiness'] });

function buildContainers(descs: ContainerDesc[]): kplus.ContainerProps[] {
  return descs.map((d, i) => ({
    image: d.image, portNumber: d.portNumber, readiness: d.readiness ? readiness : undefined, name: i === 0 ? undefined : `side${i}`,
  }));
}

const labelKey = mostly(fc.constantFrom('team', 'example.com/tier', 'app.kubernetes.io/part-of'), EDGE_STRINGS, fc.constantFrom('a/b/c', 'Example.com/x', '/x'));
const labelValue = mostly(fc.constantFrom('shop', 'v1.2', ''), EDGE_STRINGS, fc.constant<any>(Lazy.any({ produce: () => 'lazy' })), fc.constant<any>(Lazy.any({ produce: () => 'Bad Value' })));

interface WorkloadDesc {
  readonly name?: string;
  readonly port: number;
  readonly replicas?: number;
  readonly containers: ContainerDesc[];
  readonly labels: { [key: string]: string };
  readonly annotationKeys: string[];
  readonly serviceAccountName?: string;
}

const workload: fc.Arbitrary<WorkloadDesc> = fc.record({
  name: fc.option(mostly(fc.constantFrom('web', 'checkout-v2', 'a'.repeat(47)), EDGE_STRINGS, fc.constant('a'.repeat(48))), { nil: undefined }),
  port: mostly(fc.constantFrom(80, 8080, 443), wholeNumber(1, 65535)),
  replicas: fc.option(wholeNumber(1, 12), { nil: undefined }),
  containers: mostly(fc.array(container, { minLength: 1, maxLength: 3 }), fc.constant([]))
    .map((cs) => (cs.length === 0 ? cs : [{ ...cs[0], portNumber: cs[0].portNumber ?? 8080 }, ...cs.slice(1)])),
  labels: fc.dictionary(labelKey, labelValue, { maxKeys: 2 }),
  annotationKeys: fc.array(labelKey, { maxLength: 1 }),
  serviceAccountName: fc.option(mostly(fc.constantFrom('web', 'ci.deployer'), EDGE_STRINGS), { nil: undefined, freq: 4 }),
}, { requiredKeys: ['port', 'containers', 'labels', 'annotationKeys'] });

function workloadOptions(d: WorkloadDesc): WorkloadOptions {
  return {
    name: d.name,
    port: d.port,
    replicas: d.replicas,
    containers: buildContainers(d.containers),
    labels: d.labels,
    podAnnotations: Object.fromEntries(d.annotationKeys.map((k) => [k, 'x'])),
    serviceAccountName: d.serviceAccountName,
  };
}

const seconds = (max: number) => fc.option(mostly(fc.integer({ min: 0, max }), wholeNumber(0, max)), { nil: undefined, freq: 3 });

const blueGreenEngine = fc.oneof(
  fc.record({
    kind: fc.constant('native' as const),
    live: mostly(fc.constantFrom(Slot.BLUE, Slot.GREEN), fc.constant<any>('purple')),
    green: fc.option(fc.array(container, { minLength: 1, maxLength: 2 }), { nil: undefined, freq: 3 }),
    idleReplicas: fc.option(wholeNumber(1, 2), { nil: undefined, freq: 3 }),
  }, { requiredKeys: ['kind', 'live'] }),
  fc.record({
    kind: fc.constant('argo' as const),
    autoPromotionEnabled: fc.option(fc.boolean(), { nil: undefined }),
    autoPromotionSeconds: seconds(3600),
    previewReplicaCount: fc.option(wholeNumber(1, 12), { nil: undefined, freq: 3 }),
    scaleDownDelaySeconds: seconds(600),
    abortScaleDownDelaySeconds: seconds(600),
    revisionHistoryLimit: seconds(20),
    scaleDownDelayRevisionLimit: seconds(20),
    minReadySeconds: seconds(120),
    progressDeadlineSeconds: seconds(1200),
    prePromotionAnalysis: fc.option(fc.array(gateDesc, { minLength: 1, maxLength: 2 }), { nil: undefined, freq: 4 }),
  }, { requiredKeys: ['kind'] }),
);

const serviceName = (name: string) => fc.option(mostly(fc.constant(name), EDGE_STRINGS, fc.constant('1web'), fc.constant('web')), { nil: undefined, freq: 4 });

const routers = fc.oneof(
  fc.record({ kind: fc.constant('gatewayApi' as const), gateway: mostly(fc.constant('public'), EDGE_STRINGS), hostnames: fc.option(fc.array(mostly(fc.constant('shop.example.com'), EDGE_STRINGS), { maxLength: 2 }), { nil: undefined }) }, { requiredKeys: ['kind', 'gateway'] }),
  fc.record({ kind: fc.constant('istio' as const), hosts: fc.option(fc.array(mostly(fc.constant('web'), EDGE_STRINGS), { maxLength: 2 }), { nil: undefined }), subsetLevel: fc.option(fc.boolean(), { nil: undefined }) }, { requiredKeys: ['kind'] }),
  fc.record({ kind: fc.constant('nginx' as const), host: mostly(fc.constant('shop.example.com'), EDGE_STRINGS), path: fc.option(mostly(fc.constant('/api'), EDGE_STRINGS), { nil: undefined }) }, { requiredKeys: ['kind', 'host'] }),
  fc.record({ kind: fc.constant('alb' as const), host: fc.option(mostly(fc.constant('shop.example.com'), EDGE_STRINGS), { nil: undefined }) }, { requiredKeys: ['kind'] }),
  fc.record({ kind: fc.constant('smi' as const) }),
  fc.record({ kind: fc.constant('none' as const) }),
);

function buildRouter(r: any): TrafficRouter {
  switch (r.kind) {
    case 'gatewayApi': return TrafficRouter.gatewayApi({ gateway: r.gateway, hostnames: r.hostnames });
    case 'istio': return TrafficRouter.istio({ hosts: r.hosts, subsetLevel: r.subsetLevel });
    case 'nginx': return TrafficRouter.nginx({ host: r.host, path: r.path });
    case 'alb': return TrafficRouter.alb({ host: r.host });
    case 'smi': return TrafficRouter.smi();
    default: return TrafficRouter.none();
  }
}

const rolloutEngine = fc.oneof(
  fc.record({
    kind: fc.constant('argo' as const),
    maxSurge: fc.option(mostly(fc.constantFrom('25%', '1', '0'), fc.constantFrom('101%', '-1', 'x')), { nil: undefined }),
    scaleDownDelaySeconds: seconds(600),
    progressDeadlineSeconds: seconds(1200),
  }, { requiredKeys: ['kind'] }),
  fc.record({
    kind: fc.constant('flagger' as const),
    loadTesterUrl: fc.option(mostly(fc.constant('http://flagger-loadtester.test/'), EDGE_STRINGS), { nil: undefined }),
    progressDeadlineSeconds: seconds(1200),
  }, { requiredKeys: ['kind'] }),
);

/** Plans both engines can usually express (the generic plans of the strategy tests are mostly refused by one). */
const successRate: GateDesc = { provider: 'prometheus', name: 'success-rate', text: 'avg(ok{pod=~"{{canaryPods}}"})', threshold: { f: 'atLeast', a: 0.99 } };
const minutes = fc.integer({ min: 1, max: 30 }).map((amount) => ({ unit: 'minutes' as const, amount }));
/** Whole percentages, sometimes (one in five) a multiple of 0.1 that both engines refuse. */
const percent = (min: number, max: number) => fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min, max }) }, { weight: 1, arbitrary: fc.integer({ min: min * 10, max: max * 10 }).map((t) => t / 10) },
);
const expressiblePlan: fc.Arbitrary<PlanDesc> = fc.oneof(
  fc.record({ f: fc.constant('canary' as const), percent: percent(1, 99), bake: minutes, gates: fc.subarray([successRate]) }),
  fc.record({ f: fc.constant('linear' as const), step: percent(5, 50), every: minutes, gates: fc.subarray([successRate]) }),
  fc.record({
    weights: fc.uniqueArray(percent(1, 100), { minLength: 1, maxLength: 5 }), bake: minutes, gates: fc.subarray([successRate]),
  })
    .map(({ weights, bake, gates }) => ({
      f: 'steps' as const,
      steps: [...weights].sort((a, b) => a - b).flatMap((weight) => [{ f: 'setWeight' as const, weight }, { f: 'bake' as const, duration: bake }]),
      backgroundGates: gates,
    })),
);
const canaryPlan = fc.oneof({ weight: 1, arbitrary: planDesc }, { weight: 2, arbitrary: expressiblePlan });

function buildEngine(e: any): RolloutEngine {
  return e.kind === 'argo'
    ? RolloutEngine.argoRollouts({
      maxSurge: e.maxSurge, scaleDownDelaySeconds: e.scaleDownDelaySeconds, progressDeadlineSeconds: e.progressDeadlineSeconds,
    })
    : RolloutEngine.flagger({ loadTesterUrl: e.loadTesterUrl, progressDeadlineSeconds: e.progressDeadlineSeconds });
}

// ---------------------------------------------------------------------------------------------------
// Synthesis and the controllers' rules

/** Builds in a fresh chart and synthesizes, running the synth-time validations as `app.synth()` does. */
function synthesize(build: (chart: Chart) => void): any[] {
  const chart = new Chart(Testing.app(), 'shop');
  build(chart);
  const errors = chart.node.findAll().flatMap((c) => c.node.validate().map((m) => `[${c.node.path}] ${m}`));
  if (errors.length > 0) throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
  return Testing.synth(chart);
}

const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
const DURATION_KEYS = new Set(['duration', 'interval', 'initialDelay']);

/** The rules a controller or the API server applies beyond the schemas; returns the broken ones. */
function controllerProblems(objects: any[]): string[] {
  const problems: string[] = [];
  const walk = (o: any, path: string, inCustomResource: boolean): void => {
    if (Array.isArray(o)) return o.forEach((x, i) => walk(x, `${path}/${i}`, inCustomResource));
    if (o === null || typeof o !== 'object') return;
    for (const [k, v] of Object.entries(o)) {
      const p = `${path}/${k}`;
      if (inCustomResource && DURATION_KEYS.has(k) && typeof v === 'string' && !isGoDuration(v)) problems.push(`${p}: Go cannot parse '${v}'`);
      if ((k === 'containerPort' || k === 'port' || k === 'targetPort') && typeof v === 'number' && !(Number.isInteger(v) && v >= 1 && v <= 65535)) problems.push(`${p}: port ${v}`);
      if (k === 'image' && (typeof v !== 'string' || v.trim() === '' || /\s/.test(v))) problems.push(`${p}: image '${v}'`);
      if (k === 'template' && v && typeof v === 'object' && (v as any).metadata) {
        const meta = (v as any).metadata;
        for (const [lk, lv] of Object.entries<any>(meta.labels ?? {})) {
          if (!QUALIFIED_NAME.test(lk)) problems.push(`${p}/metadata/labels: key '${lk}'`);
          if (typeof lv !== 'string' || !LABEL_VALUE.test(lv)) problems.push(`${p}/metadata/labels/${lk}: value '${lv}'`);
        }
        for (const ak of Object.keys(meta.annotations ?? {})) if (!QUALIFIED_NAME.test(ak)) problems.push(`${p}/metadata/annotations: key '${ak}'`);
      }
      walk(v, p, inCustomResource);
    }
  };
  for (const o of objects) {
    const id = `${o.kind}/${o.metadata?.name}`;
    walk(o, id, !o.apiVersion.includes('/') || o.apiVersion.includes('.k8s.io') || o.apiVersion.startsWith('apps/') ? false : true);
    const canary = o.kind === 'Rollout' ? o.spec.strategy.canary : undefined;
    for (const s of canary?.steps ?? []) {
      if (s.setWeight !== undefined && !(Number.isInteger(s.setWeight) && s.setWeight >= 0 && s.setWeight <= 100)) problems.push(`${id}: setWeight ${s.setWeight}`);
      const mirror = s.setMirrorRoute?.percentage;
      if (mirror !== undefined && !(Number.isInteger(mirror) && mirror >= 1 && mirror <= 100)) problems.push(`${id}: setMirrorRoute percentage ${mirror}`);
    }
    if (canary && canary.canaryService === canary.stableService) problems.push(`${id}: canaryService equals stableService`);
    const blueGreen = o.kind === 'Rollout' ? o.spec.strategy.blueGreen : undefined;
    if (blueGreen) {
      if (blueGreen.activeService === blueGreen.previewService) problems.push(`${id}: activeService equals previewService`);
      if (blueGreen.previewReplicaCount !== undefined && blueGreen.previewReplicaCount > o.spec.replicas) problems.push(`${id}: previewReplicaCount above replicas`);
      if ((o.spec.progressDeadlineSeconds ?? 600) <= (o.spec.minReadySeconds ?? 0)) problems.push(`${id}: progressDeadlineSeconds not above minReadySeconds`);
    }
    if (o.kind === 'Canary') {
      const a = o.spec.analysis;
      const weights: number[] = a.stepWeights ?? [];
      weights.forEach((w, i) => {
        if (!(Number.isInteger(w) && w > 0 && w <= 100 && (i === 0 || w > weights[i - 1]))) problems.push(`${id}: stepWeights ${weights}`);
      });
      const whole = Number.isInteger(a.stepWeight) && Number.isInteger(a.maxWeight);
      if (a.stepWeight !== undefined && !(whole && a.stepWeight > 0 && a.maxWeight <= 100 && a.stepWeight <= a.maxWeight)) {
        problems.push(`${id}: stepWeight ${a.stepWeight} maxWeight ${a.maxWeight}`);
      }
      if (!(Number.isInteger(a.threshold) && a.threshold >= 1)) problems.push(`${id}: threshold ${a.threshold}`);
    }
  }
  return problems;
}

function expectValid(objects: any[]): void {
  expectValidManifests(objects);
  expect(controllerProblems(objects)).toEqual([]);
}

// ---------------------------------------------------------------------------------------------------
// Properties

test('a BlueGreenService (native or Argo Rollouts) is refused in the documented format or synthesizes valid objects', () => {
  check(fc.record({ w: workload, engine: blueGreenEngine, active: serviceName('web-live'), preview: serviceName('web-next') }), ({ w, engine, active, preview }) => {
    const o = outcome(() => synthesize((chart) => {
      const e = engine.kind === 'native'
        ? BlueGreenEngine.native({
          live: engine.live, green: engine.green && { containers: buildContainers(engine.green) }, idleReplicas: engine.idleReplicas,
        })
        : BlueGreenEngine.argoRollouts({ ...engine, prePromotionAnalysis: engine.prePromotionAnalysis?.map(buildGate) });
      new BlueGreenService(chart, 'web', { ...workloadOptions(w), engine: e, activeServiceName: active, previewServiceName: preview });
    }));
    tally.add(`BlueGreenService (${engine.kind})`, o);
    if ('value' in o) expectValid(o.value);
  }, 350);
});

test('a CanaryRollout (Argo Rollouts or Flagger, every router) is refused in the documented format or synthesizes valid objects', () => {
  check(fc.record({ w: workload, plan: canaryPlan, engine: rolloutEngine, router: routers }), ({ w, plan, engine, router }) => {
    const o = outcome(() => synthesize((chart) => {
      new CanaryRollout(chart, 'web', { ...workloadOptions(w), plan: buildPlan(plan), engine: buildEngine(engine), trafficRouter: buildRouter(router) });
    }));
    tally.add(`CanaryRollout (${engine.kind}, ${router.kind})`, o);
    if ('value' in o) expectValid(o.value);
  }, 600);
});
