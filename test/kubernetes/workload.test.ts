/**
 * The checks every Kubernetes construct shares through src/kubernetes/private/workload.ts: containers,
 * ports, labels and Service names. Each refusal is tested through every construct that takes
 * containers, so a construct that skipped the shared checks would fail here.
 */
import { Chart, Lazy, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  BlueGreenEngine, BlueGreenService, CanaryRollout, Interval, MirrorRouter, RolloutEngine, RolloutPlan, ShadowMirror, SideEffects, Slot,
  TrafficRouter, WorkloadOptions,
} from '../../src';

const readiness = kplus.Probe.fromHttpGet('/healthz');
const good: kplus.ContainerProps = { image: 'registry.example.com/web:1.4.0', portNumber: 8080, readiness };
const plan = RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) });

/** Every construct that takes `WorkloadOptions`, built with `options` as test/web (in `chart` when given). */
const constructs: Array<[string, (options: WorkloadOptions, chart?: Chart) => void]> = [
  ['BlueGreenService (native)', (o, c = Testing.chart()) => new BlueGreenService(c, 'web', { ...o, engine: BlueGreenEngine.native({ live: Slot.BLUE }) })],
  ['BlueGreenService (Argo Rollouts)', (o, c = Testing.chart()) => new BlueGreenService(c, 'web', { ...o, engine: BlueGreenEngine.argoRollouts() })],
  ['CanaryRollout (Argo Rollouts)', (o, c = Testing.chart()) => new CanaryRollout(c, 'web', { ...o, plan, trafficRouter: TrafficRouter.istio() })],
  ['CanaryRollout (Flagger)', (o, c = Testing.chart()) => new CanaryRollout(c, 'web', { ...o, plan, engine: RolloutEngine.flagger(), trafficRouter: TrafficRouter.istio() })],
  ['ShadowMirror', (o, c = Testing.chart()) => new ShadowMirror(c, 'web', {
    ...o, service: 'web-live', percent: 100, router: MirrorRouter.istio({ host: 'web-live' }), sideEffects: SideEffects.none(),
  })],
];

describe.each(constructs)('%s', (_name, build) => {
  test('fails when the serving container has an empty image', () => {
    expect(() => build({ containers: [{ ...good, image: '' }], port: 80 }))
      .toThrow("test/web: invalid 'containers[0].image': must be a non-empty string, got ''");
  });

  test('fails when a sidecar has an image of blanks only', () => {
    expect(() => build({ containers: [good, { name: 'proxy', image: '  ' }], port: 80 }))
      .toThrow("test/web: invalid 'containers[1].image': must be a non-empty string, got '  '");
  });

  test('fails when an image contains whitespace', () => {
    expect(() => build({ containers: [{ ...good, image: 'web: 1.4' }], port: 80 }))
      .toThrow("test/web: invalid 'containers[0].image': must be an image reference without whitespace, got 'web: 1.4'");
  });
});

describe.each(constructs)('%s', (_name, build) => {
  test.each([[0], [65536], [80.5]])('fails on container port %p', (port) => {
    expect(() => build({ containers: [{ ...good, portNumber: port }], port: 80 }))
      .toThrow(`test/web: invalid 'containers[0].portNumber': must be a whole number from 1 to 65535, got ${port}`);
  });

  test('fails on a label key the API server refuses', () => {
    expect(() => build({ containers: [good], port: 80, labels: { 'Bad Key': 'x' } }))
      .toThrow("test/web: invalid 'labels': must have keys that are qualified names (at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit, optionally after a DNS subdomain and '/', e.g. 'example.com/team'), got 'Bad Key'");
    expect(() => build({ containers: [good], port: 80, labels: { 'a/b/c': 'x' } })).toThrow("test/web: invalid 'labels': must have keys that are qualified names");
    expect(() => build({ containers: [good], port: 80, podAnnotations: { 'Example.com/x': 'y' } })).toThrow("test/web: invalid 'podAnnotations': must have keys that are qualified names");
    expect(() => build({ containers: [good], port: 80, labels: { 'example.com/team': 'x', 'tier': 'web' } })).not.toThrow();
  });

  test('fails on a service account name that is not a DNS subdomain', () => {
    expect(() => build({ containers: [good], port: 80, serviceAccountName: 'Web_SA' }))
      .toThrow("test/web: invalid 'serviceAccountName': must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', at most 253 characters), got 'Web_SA'");
  });

  test('a cdk8s Lazy image is checked when the app is synthesized (it used to crash with a TypeError)', () => {
    const bad = Testing.app();
    build({ containers: [{ ...good, image: Lazy.any({ produce: () => '' }) }], port: 80 }, new Chart(bad, 'test'));
    expect(() => bad.synth()).toThrow("Validation failed with the following errors:\n  [test/web] invalid 'containers[0].image': must be a non-empty string, got ''");
    const app = Testing.app();
    const chart = new Chart(app, 'test');
    build({ containers: [{ ...good, image: Lazy.any({ produce: () => 'registry.example.com/web:1.5.0' }) }], port: 80, labels: { team: Lazy.any({ produce: () => 'shop' }) } }, chart);
    app.synth();
    const images = Testing.synth(chart).flatMap((o) => o.spec?.template?.spec?.containers ?? []).map((c: any) => c.image);
    expect(images.length).toBeGreaterThan(0);
    expect(new Set(images)).toEqual(new Set(['registry.example.com/web:1.5.0']));
  });

  test('an aws-cdk-lib string token as image is written out unchecked', () => {
    const chart = Testing.chart();
    build({ containers: [{ ...good, image: '${Token[TOKEN.42]}' }], port: 80 }, chart);
    expect(Testing.synth(chart).flatMap((o) => o.spec?.template?.spec?.containers ?? []).map((c: any) => c.image)).toContain('${Token[TOKEN.42]}');
  });
});

test('fails when a native blue/green slot serves on another port than the Service sends to', () => {
  expect(() => new BlueGreenService(Testing.chart(), 'web', {
    containers: [good], port: 80, engine: BlueGreenEngine.native({ live: Slot.BLUE, green: { containers: [{ ...good, portNumber: 9090 }] } }),
  })).toThrow("test/web: invalid 'engine.green.containers[0].portNumber': must be 8080, the port the Service sends traffic to (the service's first container), got 9090");
});

test('fails on Service names that are not DNS-1035 labels', () => {
  const build = (names: { activeServiceName?: string; previewServiceName?: string }) => new BlueGreenService(Testing.chart(), 'web', {
    containers: [good], port: 80, engine: BlueGreenEngine.argoRollouts(), ...names,
  });
  expect(() => build({ activeServiceName: '1web' })).toThrow("test/web: invalid 'activeServiceName': must be a DNS-1035 label (lower-case letters, digits and '-', starting with a letter and ending with a letter or digit, at most 63 characters), got '1web'");
  expect(() => build({ previewServiceName: 'Web-Preview' })).toThrow("test/web: invalid 'previewServiceName': must be a DNS-1035 label");
});

test('fails when a native blue/green slot brings a container with an empty image', () => {
  expect(() => new BlueGreenService(Testing.chart(), 'web', {
    containers: [good], port: 80, engine: BlueGreenEngine.native({ live: Slot.BLUE, green: { containers: [{ ...good, image: '' }] } }),
  })).toThrow("test/web: invalid 'engine.green.containers[0].image': must be a non-empty string, got ''");
});
