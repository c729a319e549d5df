/**
 * Property test of the Argo CD rendering: for any fleet and wave plan, `ArgoCdApplicationSet` either
 * refuses in the documented format, or synthesizes an ApplicationSet that is valid against the CRD's
 * schema and in which every cluster is in exactly the RollingSync step of its wave.
 */
import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import { ArgoCdApplicationSet, ArgoCdSource, CanaryRollout, Interval, RolloutEngine, RolloutPlan, TrafficRouter, WaveOptions, WavePlan } from '../../src';
import { expectValidManifests } from '../schema-validation';
import { fleetArb, planArb, REFUSAL } from '../strategy/wave-arbitraries';

const containers: kplus.ContainerProps[] = [{ image: 'registry.example.com/checkout:v2', portNumber: 8080, readiness: kplus.Probe.fromHttpGet('/healthz') }];
const source = ArgoCdSource.directory({ repoUrl: 'https://git.example.com/deploy.git', path: 'checkout' });
const base = RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) });

/** `[path] invalid '<field>': ..., got ...` lines after cdk8s's header. */
const VALIDATION = /^Validation failed with the following errors:(\n  \[[^\]]+\] invalid '[^']+': .+, got .+)+$/s;

function release(plan: RolloutPlan): Chart {
  const chart = new Chart(new App(), 'checkout');
  new CanaryRollout(chart, 'checkout', { containers, port: 80, replicas: 2, plan, engine: RolloutEngine.argoRollouts(), trafficRouter: TrafficRouter.gatewayApi({ gateway: 'public' }) });
  return chart;
}

function check(fleet: { name: string }[], waves: WaveOptions[], giveReleases: boolean): void {
  const app = Testing.app();
  const chart = new Chart(app, 'fleet');
  let set: ArgoCdApplicationSet;
  try {
    const plan = WavePlan.of(waves);
    // One release per wave, shared by its clusters: the wave's hold at the end of a canary.
    const releases = new Map<string, Chart>();
    const releaseFor = (name: string) => {
      if (!giveReleases) return undefined;
      const wave = plan.assign(fleet).find((w) => w.targets.some((t) => t.name === name))!.wave;
      if (!releases.has(wave.name)) releases.set(wave.name, release(plan.releasePlan(wave.name, base)));
      return releases.get(wave.name);
    };
    set = new ArgoCdApplicationSet(chart, 'set', {
      plan,
      source,
      destinationNamespace: 'checkout',
      clusters: fleet.map((t) => ({ ...t, server: `https://${t.name}.example.com`, release: releaseFor(t.name) })),
    });
  } catch (e) {
    expect((e as Error).message).toMatch(REFUSAL);
    return;
  }
  app.synth(); // runs the synth-time checks; with releases from releasePlan() they pass
  const objects = Testing.synth(chart);
  expectValidManifests(objects);
  const [spec] = objects.map((o) => o.spec);
  const steps: any[] = spec.strategy.rollingSync.steps;
  expect(steps.map((s) => s.matchExpressions)).toEqual(set.waves.map((w) => [{ key: ArgoCdApplicationSet.WAVE_LABEL, operator: 'In', values: [w.wave.name] }]));
  const elements: any[] = spec.generators[0].list.elements;
  expect(elements.map((e) => e.cluster).sort()).toEqual(fleet.map((t) => t.name).sort());
  for (const [i, { wave, targets }] of set.waves.entries()) {
    expect(elements.filter((e) => e.wave === wave.name).map((e) => e.cluster)).toEqual(targets.map((t) => t.name));
    const maxUpdate = steps[i].maxUpdate;
    if (wave.maxInFlight.isAll()) expect(maxUpdate).toBeUndefined();
    else if (wave.maxInFlight.wavePercent !== undefined) expect(maxUpdate).toBe(`${wave.maxInFlight.wavePercent}%`);
    else expect(maxUpdate).toBe(wave.maxInFlight.targetCount);
    if (wave.manualHold) expect(maxUpdate).toBe(0);
  }
}

test('an ApplicationSet is refused in the documented format or valid, with every cluster in its wave\'s step', () => {
  fc.assert(
    fc.property(
      fleetArb.chain((fleet) => fc.tuple(fc.constant(fleet), planArb(fleet.map((t) => t.name)), fc.boolean())),
      ([fleet, waves, giveReleases]) => check(fleet, waves, giveReleases),
    ),
    { seed: 20260817, numRuns: 1000 },
  );
});

test('a release that does not end with its wave\'s hold is refused at synth in the documented format', () => {
  fc.assert(
    fc.property(fleetArb.chain((fleet) => fc.tuple(fc.constant(fleet), planArb(fleet.map((t) => t.name)))), ([fleet, waves]) => {
      let plan: WavePlan;
      try {
        plan = WavePlan.of(waves);
        if (!plan.waves.some((w) => w.holdsNextWave())) return;
        plan.assign(fleet);
      } catch {
        return; // refusals of the plan itself are the other test's
      }
      const app = Testing.app();
      const bare = release(base);
      try {
        new ArgoCdApplicationSet(new Chart(app, 'fleet'), 'set', {
          plan, source, destinationNamespace: 'checkout', clusters: fleet.map((t) => ({ ...t, server: 'https://k8s.example.com', release: bare })),
        });
      } catch (e) {
        expect((e as Error).message).toMatch(REFUSAL);
        return;
      }
      expect(() => app.synth()).toThrow(VALIDATION);
    }),
    { seed: 20260818, numRuns: 500 },
  );
});
