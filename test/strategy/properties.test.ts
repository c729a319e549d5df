/**
 * Property-based tests of the shared release model: every generated input is refused in the documented
 * format, or what it builds keeps the model's rules (and renders to what the engines read).
 * Fixed seed (test/properties.ts); about 2,600 cases.
 */
import * as fc from 'fast-check';
import {
  buildGate, buildHeaderMatch, buildInterval, buildPlan, buildStep, buildThreshold, buildTimelineEngine, gateDesc, headerMatchDesc, intervalDesc,
  planDesc, stepDesc, thresholdDesc, timelineEngineDesc,
} from './arbitraries';
import { Interval, MatchType, ReleaseTimeline, StepKind } from '../../src';
import { check, isGoDuration, outcome, Tally } from '../properties';

const tally = new Tally();
afterAll(() => tally.print());

/** Text a user reads: no leaked internals. */
function expectReadable(text: string): void {
  expect(text).not.toMatch(/\[object \w+\]|\bundefined\b|\bNaN\b|Infinity|\d[eE][+-]?\d/);
}

test('an Interval is refused or a whole number of seconds up to 365 days that Go parses back exactly', () => {
  check(intervalDesc, (d) => {
    const o = outcome(() => buildInterval(d));
    tally.add('Interval', o);
    if ('refused' in o) return;
    const i = o.value;
    expect(Number.isInteger(i.toSeconds())).toBe(true);
    expect(i.toSeconds()).toBeGreaterThanOrEqual(0);
    expect(i.toSeconds()).toBeLessThanOrEqual(Interval.MAX_SECONDS);
    expect(isGoDuration(i.toDurationString())).toBe(true);
    expect(Interval.parse(i.toDurationString()).toSeconds()).toBe(i.toSeconds());
  }, 400);
});

test('Interval.plus() and times() are refused or stay within the range', () => {
  check(fc.tuple(intervalDesc, intervalDesc, fc.oneof(fc.integer({ min: 0, max: 100000 }), fc.double())), ([a, b, n]) => {
    const o = outcome(() => [buildInterval(a).plus(buildInterval(b)), buildInterval(a).times(n)]);
    tally.add('Interval.plus/times', o);
    if ('refused' in o) return;
    for (const i of o.value) {
      expect(Number.isInteger(i.toSeconds())).toBe(true);
      expect(i.toSeconds()).toBeLessThanOrEqual(Interval.MAX_SECONDS);
      expect(isGoDuration(i.toString())).toBe(true);
    }
  }, 200);
});

test('a Threshold is refused or a finite range', () => {
  check(thresholdDesc, (d) => {
    const o = outcome(() => buildThreshold(d));
    tally.add('Threshold', o);
    if ('refused' in o) return;
    const t = o.value;
    for (const n of [t.min, t.max]) if (n !== undefined) expect(Number.isFinite(n)).toBe(true);
    if (t.min !== undefined && t.max !== undefined) expect(t.min).toBeLessThanOrEqual(t.max);
  }, 200);
});

test('a Gate is refused or has a DNS-label name, a measuring interval and a failure limit below its count', () => {
  check(gateDesc, (d) => {
    const o = outcome(() => buildGate(d));
    tally.add('Gate', o);
    if ('refused' in o) return;
    const g = o.value;
    expect(g.name).toMatch(/^[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?$/);
    expect(g.interval.toSeconds()).toBeGreaterThanOrEqual(1);
    expect(Number.isInteger(g.count) && Number.isInteger(g.failureLimit)).toBe(true);
    if (d.count !== undefined) expect(g.failureLimit).toBeLessThan(g.count);
  }, 300);
});

test('a HeaderMatch is refused or an HTTP header with a value the routers accept (RE2 patterns)', () => {
  check(headerMatchDesc, (d) => {
    const o = outcome(() => buildHeaderMatch(d));
    tally.add('HeaderMatch', o);
    if ('refused' in o) return;
    const m = o.value;
    expect(m.header).toMatch(/^[!#$%&'*+\-.^_`|~0-9a-z]+$/);
    expect(m.value.length).toBeGreaterThan(0);
    if (m.type === MatchType.REGEX) {
      expect(() => new RegExp(m.value)).not.toThrow();
      // Go's regexp (RE2) has no lookaround and no back-references.
      expect(m.value).not.toMatch(/\(\?<?[=!]|\\[1-9]|\\k</);
    }
  }, 300);
});

/** A percentage from 0 to 100 that is exactly the double of its one-decimal literal (9.9, not 9.899999999999999). */
function expectTenths(weight: number): void {
  expect(weight >= 0 && weight <= 100).toBe(true);
  expect(String(weight)).toMatch(/^\d{1,3}(\.\d)?$/);
}

test('a Step is refused or describes itself readably', () => {
  check(stepDesc, (d) => {
    const o = outcome(() => buildStep(d));
    tally.add('Step', o);
    if ('refused' in o) return;
    expectReadable(o.value.toString());
    if (o.value.kind === StepKind.SET_WEIGHT || o.value.kind === StepKind.MIRROR) expectTenths(o.value.weight!);
  }, 300);
});

test('a RolloutPlan is refused or has weights in steps of 0.1 from 0 to 100 that only go down on purpose, and bakes of 1s to 365 days', () => {
  check(planDesc, (d) => {
    const o = outcome(() => buildPlan(d));
    tally.add('RolloutPlan', o);
    if ('refused' in o) return;
    const plan = o.value;
    let previous = 0;
    for (const s of plan.sequence) {
      if (s.kind === StepKind.SET_WEIGHT) {
        expectTenths(s.weight!);
        if (!s.allowDecrease) expect(s.weight).toBeGreaterThanOrEqual(previous);
        previous = s.weight!;
      }
      if (s.kind === StepKind.BAKE) {
        expect(s.duration!.toSeconds()).toBeGreaterThanOrEqual(1);
        expect(isGoDuration(s.duration!.toDurationString())).toBe(true);
      }
    }
    expect(plan.backgroundStartStep).toBeGreaterThanOrEqual(0);
    expect(plan.backgroundStartStep).toBeLessThan(plan.sequence.length);
    expectReadable(plan.toString());
  }, 800);
});

test('the ReleaseTimeline of any plan has finite figures, a readable table and an SVG of bounded size', () => {
  check(fc.tuple(planDesc, timelineEngineDesc), ([p, e]) => {
    const o = outcome(() => ReleaseTimeline.of(buildPlan(p), { engine: buildTimelineEngine(e) }));
    tally.add('ReleaseTimeline', o);
    if ('refused' in o) return;
    const t = o.value;
    for (const n of [t.minimumDurationSeconds, t.fullTrafficAtSeconds]) expect(Number.isFinite(n) && n >= 0).toBe(true);
    expect(t.fullTrafficAtSeconds).toBeLessThanOrEqual(t.minimumDurationSeconds);
    expectReadable(t.toTable());
    const svg = t.toSvg();
    expect(svg.length).toBeLessThan(60_000);
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  }, 400);
});
