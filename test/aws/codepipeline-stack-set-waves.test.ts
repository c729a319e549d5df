import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { codePipelineProblems } from './codepipeline-rules';
import {
  CodePipelineStackSetWaves, CodePipelineStackSetWavesProps, Gate, Interval, MaxInFlight, StackSetTarget, Threshold, WavePlan, WaveTargets,
} from '../../src';

const ACCOUNTS = ['222222222222', '333333333333', '444444444444', '555555555555'];
const REGIONS = ['eu-west-1', 'us-east-1'];
/** Four accounts in two regions; the first account is the canary. */
const targets: StackSetTarget[] = ACCOUNTS.flatMap((account, a) => REGIONS.map((region) => ({
  name: `${account}-${region}`, account, region, labels: { tier: a === 0 ? 'canary' : a === 1 ? 'early' : 'late' },
})));

const plan = WavePlan.of([
  { name: 'canary', targets: WaveTargets.labels({ tier: 'canary' }), maxInFlight: MaxInFlight.count(1) },
  { name: 'early', targets: WaveTargets.labels({ tier: 'early' }), manualHold: true, maxInFlight: MaxInFlight.count(1) },
  { name: 'rest', targets: WaveTargets.rest(), maxInFlight: MaxInFlight.count(1) },
]);

function build(props: Partial<CodePipelineStackSetWavesProps> = {}, pipelineProps: Partial<codepipeline.PipelineProps> = {}): any[] {
  const stack = new Stack(new App(), 'Delivery', { env: { account: '111111111111', region: 'eu-west-1' } });
  const input = new codepipeline.Artifact('Templates');
  const pipeline = new codepipeline.Pipeline(stack, 'Pipeline', {
    pipelineType: codepipeline.PipelineType.V2,
    ...pipelineProps,
    stages: [{ stageName: 'Source', actions: [new actions.S3SourceAction({ actionName: 'Source', bucket: s3.Bucket.fromBucketName(stack, 'Bucket', 'release-templates'), bucketKey: 'baseline.zip', output: input })] }],
  });
  new CodePipelineStackSetWaves(stack, 'Baseline', {
    pipeline, plan, targets, stackSetName: 'security-baseline', template: input.atPath('Baseline.template.json'), ...props,
  });
  const [resource] = Object.values(Template.fromStack(stack).findResources('AWS::CodePipeline::Pipeline')) as any[];
  expect(codePipelineProblems(resource)).toEqual([]);
  return resource.Properties.Stages;
}

test('the first wave updates the StackSet and its instances, later waves their own instances', () => {
  const stages = build();
  expect(stages.map((s: any) => s.Name)).toEqual(['Source', 'canary', 'early', 'rest']);
  const [canary] = stages[1].Actions;
  expect(canary).toMatchObject({
    ActionTypeId: { Category: 'Deploy', Owner: 'AWS', Provider: 'CloudFormationStackSet', Version: '1' },
    Configuration: {
      StackSetName: 'security-baseline',
      TemplatePath: 'Templates::Baseline.template.json',
      DeploymentTargets: '222222222222',
      Regions: 'eu-west-1,us-east-1',
      PermissionModel: 'SELF_MANAGED',
      FailureTolerancePercentage: 0,
      // One account of one at a time: 100% of the wave's accounts, one region after the other.
      MaxConcurrentPercentage: 100,
      Capabilities: 'CAPABILITY_NAMED_IAM,CAPABILITY_AUTO_EXPAND',
    },
  });
  const rest = stages[3].Actions[0];
  expect(rest.ActionTypeId.Provider).toBe('CloudFormationStackInstances');
  // Two accounts, one at a time: 50%.
  expect(rest.Configuration).toMatchObject({ StackSetName: 'security-baseline', DeploymentTargets: '444444444444,555555555555', Regions: 'eu-west-1,us-east-1', MaxConcurrentPercentage: 50 });
  expect(stages[3].OnFailure).toEqual({ Result: 'ROLLBACK' });
});

test('a manual hold is an approval before the wave\'s operation', () => {
  const early = build()[2];
  expect(early.Actions.map((a: any) => [a.Name, a.ActionTypeId.Category, a.RunOrder])).toEqual([['approve', 'Approval', 1], ['stack-instances', 'Deploy', 2]]);
});

test('fails on a wave that is not every combination of its accounts and regions', () => {
  const uneven = WavePlan.of([{ name: 'first', targets: WaveTargets.names('222222222222-eu-west-1', '333333333333-us-east-1') }, { name: 'rest', targets: WaveTargets.rest() }]);
  expect(() => build({ plan: uneven })).toThrow(
    "Delivery/Baseline: invalid 'plan.waves[0].targets': a StackSet action deploys to every combination of its accounts and regions, so wave 'first' must hold all 4 of 2 accounts × 2 regions (one target each), got no target for 222222222222/us-east-1, 333333333333/eu-west-1");
});

test('fails on gates, and on a maximum in flight StackSets cannot express, naming the nearest', () => {
  const gate = Gate.cloudWatch({ name: 'errors', metrics: [{ namespace: 'A', metricName: 'B' }], threshold: Threshold.atMost(1) });
  const gated = WavePlan.of([{ name: 'canary', targets: WaveTargets.labels({ tier: 'canary' }), bake: Interval.minutes(10), gates: [gate] }, { name: 'rest', targets: WaveTargets.rest() }]);
  expect(() => build({ plan: gated })).toThrow(
    "Delivery/Baseline: invalid 'plan.waves[0].gates': StackSet waves cannot bake or gate: CodePipeline's CloudWatchAlarm rules watch alarms of the pipeline's account, and the instances run in others; use CodePipelineWaves (one stack per target) for waves with gates, got canary: labels(tier=canary), bake 10m, gates errors, maxInFlight all()");
  const all = WavePlan.of([{ name: 'all', targets: WaveTargets.rest() }]);
  // 8 targets at once, but StackSets run one region (4 accounts) at a time.
  expect(() => build({ plan: all })).toThrow(
    "Delivery/Baseline: invalid 'plan.waves[0].maxInFlight': StackSets update one region at a time, at most a percentage of its accounts at once (rounded down, at least one), so from 1 to 4 of this wave's targets run at once; nearest plan: MaxInFlight.count(4), got all() (8 targets at once)");
});

test('fails on rollback in PARALLEL mode and on a bad StackSet name', () => {
  expect(() => build({}, { executionMode: codepipeline.ExecutionMode.PARALLEL })).toThrow(
    "Delivery/Baseline: invalid 'rollback': is not available in PARALLEL execution mode (no stage rollback, no ROLLBACK result); nearest plan: rollback: false (a failed wave stops the execution), or ExecutionMode.QUEUED, got true");
  expect(() => build({ stackSetName: '1-baseline' })).toThrow(
    "Delivery/Baseline: invalid 'stackSetName': must start with a letter and hold only letters, digits and '-', at most 128 characters, got '1-baseline'");
});
