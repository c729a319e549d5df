/**
 * Property test of the CodePipeline rendering: for any fleet of regions and any wave plan,
 * `CodePipelineWaves` either refuses in the documented format, or adds stages that keep every rule of
 * CodePipeline (test/aws/codepipeline-rules.ts) and deploy each region exactly once, in its wave's stage,
 * in batches of the wave's maxInFlight.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as fc from 'fast-check';
import { codePipelineProblems } from './codepipeline-rules';
import { CodePipelineWaves, WaveOptions, WavePlan } from '../../src';
import { planArb, REFUSAL } from '../strategy/wave-arbitraries';

const REGIONS = [
  'eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2', 'ap-southeast-1', 'ap-northeast-1', 'sa-east-1', 'ca-central-1',
  'eu-north-1', 'us-east-2', 'ap-south-1', 'eu-west-2',
];

function check(regions: string[], waves: WaveOptions[], mode: codepipeline.ExecutionMode, rollback: boolean): void {
  const labels = (region: string, i: number) => ({ region: region.split('-')[0], tier: i % 2 === 0 ? 'edge' : 'core' });
  // Plans the strategy refuses need no pipeline (most cases; building one costs most of the time).
  let plan: WavePlan;
  try {
    plan = WavePlan.of(waves);
    plan.assign(regions.map((name, i) => ({ name, labels: labels(name, i) })));
  } catch (e) {
    expect((e as Error).message).toMatch(REFUSAL);
    return;
  }
  const app = new App();
  const stack = new Stack(app, 'Delivery', { env: { account: '111111111111', region: 'eu-west-1' } });
  const input = new codepipeline.Artifact('CloudAssembly');
  // Replication buckets made beforehand: no cross-region support stacks to synthesize.
  const buckets = Object.fromEntries(REGIONS.map((r) => [r, s3.Bucket.fromBucketAttributes(stack, `Artifacts-${r}`, { bucketName: `artifacts-${r}`, region: r })]));
  const pipeline = new codepipeline.Pipeline(stack, 'Pipeline', {
    pipelineType: codepipeline.PipelineType.V2,
    executionMode: mode,
    crossRegionReplicationBuckets: buckets,
    stages: [{ stageName: 'Source', actions: [new actions.S3SourceAction({ actionName: 'Source', bucket: s3.Bucket.fromBucketName(stack, 'Bucket', 'release-assemblies'), bucketKey: 'app.zip', output: input })] }],
  });
  const targets = regions.map((region, i) => {
    const target = new Stack(app, `App-${region}`, { env: { account: '111111111111', region } });
    new sns.Topic(target, 'Topic');
    return { name: region, stack: target, labels: labels(region, i) };
  });
  let fleet: CodePipelineWaves;
  try {
    fleet = new CodePipelineWaves(stack, 'Fleet', { pipeline, plan, targets, input, rollback });
  } catch (e) {
    expect((e as Error).message).toMatch(REFUSAL);
    return;
  }
  // The pipeline stack's template alone: synthesizing the whole app (every region's stack) for each case
  // would cost most of the test's time; the example runs the real synth through cfn-lint.
  const template = (stack as any)._toCloudFormation();
  const [resource] = Object.values(template.Resources).filter((r: any) => r.Type === 'AWS::CodePipeline::Pipeline') as any[];
  expect(codePipelineProblems(resource)).toEqual([]);
  const stages: any[] = resource.Properties.Stages;
  expect(stages.map((s) => s.Name)).toEqual(['Source', ...fleet.waves.map((w) => w.wave.name)]);
  const deployed = stages.slice(1).flatMap((s) => s.Actions.filter((a: any) => a.ActionTypeId.Category === 'Deploy').map((a: any) => a.Region));
  expect([...deployed].sort()).toEqual([...regions].sort());
  for (const { wave, targets: inWave, targetsAtOnce } of fleet.waves) {
    const s = stages.find((x) => x.Name === wave.name);
    const deploys = s.Actions.filter((a: any) => a.ActionTypeId.Category === 'Deploy');
    expect(deploys.map((a: any) => a.Region)).toEqual(inWave.map((t) => t.name));
    // Never more deploys at one run order than the wave allows at once.
    const perRunOrder = new Map<number, number>();
    deploys.forEach((a: any) => perRunOrder.set(a.RunOrder, (perRunOrder.get(a.RunOrder) ?? 0) + 1));
    expect(Math.max(...perRunOrder.values())).toBeLessThanOrEqual(Math.max(targetsAtOnce, 1));
    if (wave.manualHold) expect(s.Actions[0].ActionTypeId.Category).toBe('Approval');
    // Gated waves watch their gates' alarms for the bake; ungated waves watch nothing.
    const rules = s.OnSuccess?.Conditions[0].Rules ?? [];
    expect(rules.length).toBe(wave.gates.length * inWave.length);
    rules.forEach((r: any) => expect(r.Configuration.WaitTime).toBe(String(wave.bake.toMinutes())));
    expect(s.OnFailure !== undefined).toBe(rollback);
  }
}

test('CodePipeline waves are refused in the documented format or keep every CodePipeline rule', () => {
  const arb = fc.integer({ min: 1, max: REGIONS.length }).chain((n) => fc.tuple(
    fc.constant(REGIONS.slice(0, n)),
    planArb(REGIONS.slice(0, n)),
    fc.constantFrom(codepipeline.ExecutionMode.QUEUED, codepipeline.ExecutionMode.SUPERSEDED, codepipeline.ExecutionMode.PARALLEL),
    fc.boolean(),
  ));
  fc.assert(fc.property(arb, ([regions, waves, mode, rollback]) => check(regions, waves, mode, rollback)), { seed: 20260819, numRuns: 1000 });
});

test('the rules checker finds what CodePipeline refuses', () => {
  const rule = (name: string, wait = '10') => ({
    Name: name,
    Region: 'eu-west-1',
    RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'CloudWatchAlarm', Version: '1' },
    Configuration: { AlarmName: 'a', AlarmStates: 'ALARM', WaitTime: wait },
  });
  const deploy = (name: string, runOrder: number) => ({ Name: name, RunOrder: runOrder, ActionTypeId: { Category: 'Deploy' } });
  const broken = {
    Properties: {
      PipelineType: 'V1',
      ExecutionMode: 'PARALLEL',
      Stages: [
        { Name: 'Source', Actions: [deploy('s', 1)] },
        {
          Name: 'wave',
          Actions: [deploy('a', 1), deploy('a', 1000)],
          OnSuccess: { Conditions: [{ Result: 'SKIP', Rules: ['1', '2', '3', '4', '5', '6'].map((n) => rule(`r${n}`)) }] },
          OnFailure: { Result: 'ROLLBACK' },
        },
        { Name: 'wave', Actions: [deploy('b', 1)], BeforeEntry: { Conditions: [{ Result: 'FAIL', Rules: [rule('r1', '1.5')] }] } },
      ],
    },
  };
  expect(codePipelineProblems(broken)).toEqual([
    'stage wave: repeated action name a',
    'stage wave: run order 1000',
    'stage wave: OnSuccess on a V1 pipeline',
    'stage wave: 6 rules in OnSuccess (1 to 5)',
    'stage wave: OnSuccess result SKIP',
    'stage wave: OnFailure on a V1 pipeline',
    'stage wave: rollback in PARALLEL mode',
    'stage wave: repeated stage name',
    'stage wave: BeforeEntry on a V1 pipeline',
    'stage wave: rule name r1 repeated in the pipeline',
    'stage wave: wait time 1.5',
  ]);
});
