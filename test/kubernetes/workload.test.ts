/**
 * The checks every Kubernetes construct shares through src/kubernetes/private/workload.ts: containers,
 * ports, labels and Service names. Each refusal is tested through every construct that takes
 * containers, so a construct that skipped the shared checks would fail here.
 */
import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  BlueGreenEngine, BlueGreenService, CanaryRollout, Interval, MirrorRouter, RolloutEngine, RolloutPlan, ShadowMirror, SideEffects, Slot,
  TrafficRouter, WorkloadOptions,
} from '../../src';

const readiness = kplus.Probe.fromHttpGet('/healthz');
const good: kplus.ContainerProps = { image: 'registry.example.com/web:1.4.0', portNumber: 8080, readiness };
const plan = RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) });

/** Every construct that takes `WorkloadOptions`, built with `options` in test/web. */
const constructs: Array<[string, (options: WorkloadOptions) => void]> = [
  ['BlueGreenService (native)', (o) => new BlueGreenService(Testing.chart(), 'web', { ...o, engine: BlueGreenEngine.native({ live: Slot.BLUE }) })],
  ['BlueGreenService (Argo Rollouts)', (o) => new BlueGreenService(Testing.chart(), 'web', { ...o, engine: BlueGreenEngine.argoRollouts() })],
  ['CanaryRollout (Argo Rollouts)', (o) => new CanaryRollout(Testing.chart(), 'web', { ...o, plan, trafficRouter: TrafficRouter.istio() })],
  ['CanaryRollout (Flagger)', (o) => new CanaryRollout(Testing.chart(), 'web', { ...o, plan, engine: RolloutEngine.flagger(), trafficRouter: TrafficRouter.istio() })],
  ['ShadowMirror', (o) => new ShadowMirror(Testing.chart(), 'web', {
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

test('fails when a native blue/green slot brings a container with an empty image', () => {
  expect(() => new BlueGreenService(Testing.chart(), 'web', {
    containers: [good], port: 80, engine: BlueGreenEngine.native({ live: Slot.BLUE, green: { containers: [{ ...good, image: '' }] } }),
  })).toThrow("test/web: invalid 'engine.green.containers[0].image': must be a non-empty string, got ''");
});
