/**
 * Property-based tests of the `timeline` command's input side: generated Argo Rollouts, Flagger and
 * CloudFormation objects, with values of every type where the readers expect durations, weights,
 * counts, lists and objects. Each is refused with one line in the documented format
 * (`<object>: invalid '<field>': <what is allowed>, got <value>`), or its timeline renders with finite
 * figures and an SVG of bounded size; never a TypeError, a stack trace or a loop that does not end.
 * Fixed seed (test/properties.ts).
 */
import * as fc from 'fast-check';
import { FoundRelease, readManifests, ReadError, readTemplate } from '../../src/cli/read-releases';
import { ReleaseTimeline } from '../../src/strategy/release-timeline';
import { check, Tally } from '../properties';

const tally = new Tally();
afterAll(() => tally.print());

/** Anything a YAML or JSON document may hold where a value is expected. */
const junk = fc.oneof(
  fc.constantFrom<any>(undefined, null, '', 'x', '-1', '1.5', true, [], {}, -1, 0, 0.001, 1e-9, 1e21, 150, '99999999999999h', '2562048h', '1e3s', '5m'),
  fc.integer({ min: -5, max: 200 }),
  fc.double({ noNaN: true }),
);
const duration = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('30s', '1m', '5m', '1h30m', '90s', '1.5m', '500ms', 60, '2562047h', '2562048h') },
  { weight: 2, arbitrary: junk },
);
const weight = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 100 }) }, { weight: 2, arbitrary: junk });
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 3 });

const metric = fc.oneof(
  { weight: 6, arbitrary: fc.record({ name: fc.constantFrom('success-rate', 'errors'), interval: maybe(duration), count: maybe(weight), failureLimit: maybe(weight), initialDelay: maybe(duration) }) },
  { weight: 1, arbitrary: junk },
);
const analysisTemplate = fc.record({ name: fc.constantFrom('t1', 't2'), metrics: fc.oneof({ weight: 6, arbitrary: fc.array(metric, { maxLength: 2 }) }, { weight: 1, arbitrary: junk }) })
  .map(({ name, metrics }) => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisTemplate', metadata: { name }, spec: { metrics } }));
const analysisRef = fc.oneof(
  { weight: 6, arbitrary: fc.record({ templates: fc.array(fc.oneof(fc.record({ templateName: fc.constantFrom('t1', 't2', 'gone') }), junk), { maxLength: 2 }), startingStep: maybe(weight) }) },
  { weight: 1, arbitrary: junk },
);
const argoStep = fc.oneof(
  fc.record({ setWeight: weight }),
  fc.record({ pause: fc.oneof(fc.record({ duration: maybe(duration) }), junk) }),
  fc.record({ analysis: analysisRef }),
  fc.record({ setMirrorRoute: fc.oneof(fc.record({ name: fc.constant('m'), percentage: maybe(weight) }), junk) }),
  fc.record({ setHeaderRoute: fc.oneof(fc.record({ name: fc.constant('h') }), junk) }),
  fc.record({ experiment: fc.constant({}) }),
  junk,
);
const canaryStrategy = fc.record({
  steps: fc.oneof({ weight: 6, arbitrary: fc.array(argoStep, { maxLength: 6 }) }, { weight: 1, arbitrary: junk }),
  analysis: maybe(analysisRef),
  abortScaleDownDelaySeconds: maybe(weight),
});
const blueGreenStrategy = fc.record({
  autoPromotionEnabled: maybe(fc.boolean()),
  autoPromotionSeconds: maybe(weight),
  prePromotionAnalysis: maybe(analysisRef),
  abortScaleDownDelaySeconds: maybe(fc.oneof(weight, fc.constant(40_000_000))),
});
const rollout = fc.record({
  strategy: fc.oneof(
    fc.record({ canary: fc.oneof({ weight: 6, arbitrary: canaryStrategy }, { weight: 1, arbitrary: junk }) }),
    fc.record({ blueGreen: fc.oneof(blueGreenStrategy, junk) }),
    junk,
  ),
}).map(({ strategy }) => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'web' }, spec: { strategy } }));

const canary = fc.record({
  analysis: fc.oneof({
    weight: 6,
    arbitrary: fc.record({
      interval: maybe(duration),
      stepWeight: maybe(weight),
      maxWeight: maybe(weight),
      stepWeights: maybe(fc.oneof(fc.array(weight, { maxLength: 4 }), junk)),
      iterations: maybe(weight),
      threshold: maybe(weight),
      match: maybe(fc.oneof(fc.array(fc.constant({ headers: {} }), { maxLength: 1 }), junk)),
      metrics: maybe(fc.oneof(fc.array(fc.oneof(fc.record({ name: fc.constant('m') }), junk), { maxLength: 2 }), junk)),
      webhooks: maybe(fc.oneof(fc.array(fc.oneof(fc.record({ name: fc.constant('w'), type: maybe(fc.constantFrom('rollout', 'pre-rollout')) }), junk), { maxLength: 2 }), junk)),
    }),
  }, { weight: 1, arbitrary: junk }),
}).map(({ analysis }) => ({ apiVersion: 'flagger.app/v1beta1', kind: 'Canary', metadata: { name: 'web' }, spec: { analysis } }));

const alarm = fc.record({
  EvaluationPeriods: maybe(weight), DatapointsToAlarm: maybe(weight), Period: maybe(fc.oneof(fc.constantFrom(60, 300), junk)),
})
  .map((Properties) => ({ Type: 'AWS::CloudWatch::Alarm', Properties }));
const alarmRefs = fc.oneof({ weight: 6, arbitrary: fc.array(fc.oneof(fc.constant({ Ref: 'Alarm' }), junk), { maxLength: 2 }) }, { weight: 1, arbitrary: junk });
const ecsService = fc.record({
  Strategy: fc.constantFrom('BLUE_GREEN', 'CANARY', 'LINEAR'),
  BakeTimeInMinutes: maybe(weight),
  CanaryConfiguration: maybe(fc.oneof(fc.record({ CanaryPercent: maybe(weight), CanaryBakeTimeInMinutes: maybe(weight) }), junk)),
  LinearConfiguration: maybe(fc.oneof(fc.record({ StepPercent: maybe(weight), StepBakeTimeInMinutes: maybe(weight) }), junk)),
  Alarms: maybe(fc.record({ Enable: fc.boolean(), Rollback: fc.boolean(), AlarmNames: alarmRefs })),
}).map((DeploymentConfiguration) => ({ Type: 'AWS::ECS::Service', Properties: { DeploymentConfiguration } }));
const deploymentGroup = fc.record({
  config: fc.oneof(
    fc.constantFrom<any>('CodeDeployDefault.LambdaCanary10Percent5Minutes', 'CodeDeployDefault.ECSLinear10PercentEvery1Minutes', 'CodeDeployDefault.ECSAllAtOnce', { Ref: 'Config' }),
    junk,
  ),
  routing: fc.record({
    Type: fc.constantFrom('TimeBasedCanary', 'TimeBasedLinear', 'AllAtOnce', 'x'),
    TimeBasedCanary: maybe(fc.record({ CanaryPercentage: maybe(weight), CanaryInterval: maybe(weight) })),
    TimeBasedLinear: maybe(fc.record({ LinearPercentage: maybe(weight), LinearInterval: maybe(weight) })),
  }),
  wait: maybe(weight),
  alarms: maybe(alarmRefs),
}).map(({ config, routing, wait, alarms }) => ({
  Group: {
    Type: 'AWS::CodeDeploy::DeploymentGroup',
    Properties: {
      DeploymentConfigName: config,
      BlueGreenDeploymentConfiguration: { TerminateBlueInstancesOnDeploymentSuccess: { TerminationWaitTimeInMinutes: wait } },
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_STOP_ON_ALARM'] },
      AlarmConfiguration: alarms === undefined ? undefined : { Alarms: Array.isArray(alarms) ? alarms.map((Name: any) => ({ Name })) : alarms },
    },
  },
  Config: { Type: 'AWS::CodeDeploy::DeploymentConfig', Properties: { TrafficRoutingConfig: routing } },
}));

const input = fc.oneof(
  fc.record({ kind: fc.constant('manifests' as const), objects: fc.tuple(rollout, analysisTemplate, analysisTemplate) }),
  fc.record({ kind: fc.constant('manifests' as const), objects: fc.tuple(canary) }),
  fc.record({ kind: fc.constant('template' as const), resources: fc.record({ Service: ecsService, Alarm: alarm }) }),
  fc.record({ kind: fc.constant('template' as const), resources: fc.tuple(deploymentGroup, alarm).map(([g, a]) => ({ ...g, Alarm: a })) }),
);

const DOCUMENTED = /^[^\n]+: invalid '[^']+': [^\n]+, got [^\n]*$/;

test('the timeline command refuses generated output in the documented format, or renders a bounded timeline', () => {
  check(input, (i) => {
    let releases: FoundRelease[] = [];
    let refused: string | undefined;
    try {
      releases = i.kind === 'manifests' ? readManifests('out.k8s.yaml', i.objects as any[]) : readTemplate('out.template.json', { Resources: i.resources });
      for (const r of releases) {
        const t = ReleaseTimeline._fromSchedule(r.name, r.schedule, { engine: r.engine });
        expect(t.toTable()).not.toMatch(/NaN|Infinity|undefined/);
        expect(t.toSvg().length).toBeLessThan(60_000);
      }
    } catch (e) {
      if (!(e instanceof Error) || (e.constructor !== ReadError && e.constructor !== Error)) throw e;
      if (!DOCUMENTED.test(e.message) || /\bundefined\b|\[object /.test(e.message)) throw new Error(`not in the documented format: ${e.message}`);
      refused = e.message;
    }
    tally.add(`timeline (${i.kind === 'manifests' ? (i.objects[0] as any).kind : Object.values(i.resources as any).map((r: any) => r.Type.split('::')[1]).join('+')})`,
      refused === undefined ? { value: releases } : { refused });
  }, 700);
});
