/** fast-check generators of fleets and wave plans, shared by the property tests of the plan and its renderings. */
import * as fc from 'fast-check';
import { FleetTarget, Gate, Interval, MaxInFlight, Threshold, WaveOptions, WaveTargets } from '../../src';

/** `<where>: invalid '<field>': <what is allowed>, got <value>`, where is a factory or a construct path. */
export const REFUSAL = /^(?:[A-Za-z.]+\(\)|[A-Za-z0-9/_-]+): invalid '[^']+': .+, got .+$/s;

/** A gate every renderer can evaluate (Argo Rollouts in the cluster, CloudWatch alarms on AWS). */
export const errorRate = Gate.cloudWatch({
  name: 'error-rate',
  metrics: [{ namespace: 'Checkout', metricName: 'Errors', statistic: 'Sum' }],
  threshold: Threshold.atMost(5),
});

export const fleetArb: fc.Arbitrary<FleetTarget[]> = fc.integer({ min: 1, max: 30 }).chain((n) => fc.tuple(
  ...Array.from({ length: n }, (_, i) => fc.record({
    region: fc.constantFrom('eu', 'us', 'ap'),
    tier: fc.constantFrom('edge', 'core'),
  }).map(({ region, tier }): FleetTarget => ({ name: `t${i}`, labels: { region, tier } }))),
));

const selectorArb = (names: string[]): fc.Arbitrary<WaveTargets> => fc.oneof(
  // Mostly names of the fleet, sometimes one it does not have.
  fc.uniqueArray(fc.integer({ min: 0, max: names.length + 1 }), { minLength: 1, maxLength: 3 })
    .map((is) => WaveTargets.names(...is.map((i) => names[i] ?? `unknown-${i}`))),
  fc.record({ region: fc.constantFrom('eu', 'us', 'ap') }).map((l) => WaveTargets.labels(l)),
  fc.record({ tier: fc.constantFrom('edge', 'core') }).map((l) => WaveTargets.labels(l)),
  fc.integer({ min: 1, max: 100 }).map((p) => WaveTargets.share(p)),
);

const maxInFlightArb: fc.Arbitrary<MaxInFlight> = fc.oneof(
  fc.constant(MaxInFlight.all()),
  fc.integer({ min: 0, max: 6 }).map((n) => MaxInFlight.count(n)),
  fc.integer({ min: 1, max: 100 }).map((p) => MaxInFlight.percent(p)),
);

/** Plans over a fleet whose targets are named `names`. */
export const planArb = (names: string[]): fc.Arbitrary<WaveOptions[]> => fc.tuple(
  fc.array(fc.record({
    targets: selectorArb(names),
    maxInFlight: maxInFlightArb,
    manualHold: fc.boolean(),
    bakeMinutes: fc.constantFrom(0, 0, 10, 30),
    gated: fc.boolean(),
  }), { minLength: 0, maxLength: 4 }),
  fc.boolean(),
).map(([waves, rest]) => [
  ...waves.map(({ bakeMinutes, gated, ...w }, i) => ({ name: `w${i}`, ...w, bake: Interval.minutes(bakeMinutes), gates: gated ? [errorRate] : [] })),
  ...(rest ? [{ name: 'rest', targets: WaveTargets.rest(), maxInFlight: MaxInFlight.percent(50) }] : []),
]);
