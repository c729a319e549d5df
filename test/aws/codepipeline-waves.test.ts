import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  CodePipelineTarget, CodePipelineWaves, CodePipelineWavesProps, Gate, Interval, MaxInFlight, Threshold, WavePlan, WaveTargets,
} from '../../src';

const ACCOUNT = '111111111111';
const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2', 'ap-southeast-1', 'ap-northeast-1', 'sa-east-1', 'ca-central-1'];

const errorRate = Gate.cloudWatch({
  name: 'error-rate',
  metrics: [{ namespace: 'Checkout', metricName: 'Errors', statistic: 'Sum' }],
  threshold: Threshold.atMost(5),
  failureLimit: 2,
});

interface Fixture {
  readonly app: App;
  readonly pipelineStack: Stack;
  readonly pipeline: codepipeline.Pipeline;
  readonly input: codepipeline.Artifact;
  readonly targets: CodePipelineTarget[];
}

function fixture(pipelineProps: Partial<codepipeline.PipelineProps> = {}, regions = REGIONS): Fixture {
  const app = new App();
  const pipelineStack = new Stack(app, 'Delivery', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const input = new codepipeline.Artifact('CloudAssembly');
  const pipeline = new codepipeline.Pipeline(pipelineStack, 'Pipeline', {
    pipelineType: codepipeline.PipelineType.V2,
    ...pipelineProps,
    stages: [{
      stageName: 'Source',
      actions: [new actions.S3SourceAction({ actionName: 'Assembly', bucket: s3.Bucket.fromBucketName(pipelineStack, 'Bucket', 'release-assemblies'), bucketKey: 'checkout.zip', output: input })],
    }],
  });
  const targets = regions.map((region) => {
    const stack = new Stack(app, `Checkout-${region}`, { env: { account: ACCOUNT, region } });
    new sqs.Queue(stack, 'Orders', { enforceSSL: true });
    return { name: region, stack };
  });
  return { app, pipelineStack, pipeline, input, targets };
}

const plan = WavePlan.of([
  { name: 'canary', targets: WaveTargets.names('eu-west-1'), bake: Interval.minutes(30), gates: [errorRate] },
  { name: 'quarter', targets: WaveTargets.share(25), bake: Interval.minutes(20), gates: [errorRate] },
  { name: 'rest', targets: WaveTargets.rest(), maxInFlight: MaxInFlight.count(2) },
]);

function build(props: Partial<CodePipelineWavesProps> = {}, f = fixture()): { f: Fixture; waves: CodePipelineWaves; stages: any[] } {
  const waves = new CodePipelineWaves(f.pipelineStack, 'Fleet', { pipeline: f.pipeline, plan, targets: f.targets, input: f.input, ...props });
  const template = Template.fromStack(f.pipelineStack);
  const [pipeline] = Object.values(template.findResources('AWS::CodePipeline::Pipeline')) as any[];
  return { f, waves, stages: pipeline.Properties.Stages };
}

const stage = (stages: any[], name: string) => stages.find((s: any) => s.Name === name);

describe('stages', () => {
  test('one stage per wave after the existing stages, one CloudFormation deploy per target in its region', () => {
    const { stages } = build();
    expect(stages.map((s: any) => s.Name)).toEqual(['Source', 'canary', 'quarter', 'rest']);
    const canary = stage(stages, 'canary');
    expect(canary.Actions).toHaveLength(1);
    expect(canary.Actions[0]).toMatchObject({
      Name: 'eu-west-1',
      ActionTypeId: { Category: 'Deploy', Owner: 'AWS', Provider: 'CloudFormation', Version: '1' },
      Configuration: { ActionMode: 'CREATE_UPDATE', StackName: 'Checkout-eu-west-1', TemplatePath: 'CloudAssembly::Checkout-eu-west-1.template.json', Capabilities: 'CAPABILITY_NAMED_IAM,CAPABILITY_AUTO_EXPAND' },
      InputArtifacts: [{ Name: 'CloudAssembly' }],
      RunOrder: 1,
    });
    // 25% of 8 regions = 2, in fleet order after the canary.
    expect(stage(stages, 'quarter').Actions.map((a: any) => [a.Name, a.Region, a.RunOrder])).toEqual([['eu-central-1', 'eu-central-1', 1], ['us-east-1', 'us-east-1', 1]]);
  });

  test('maxInFlight batches the deploys by run order', () => {
    const { stages } = build();
    expect(stage(stages, 'rest').Actions.map((a: any) => [a.Name, a.RunOrder])).toEqual([
      ['us-west-2', 1], ['ap-southeast-1', 1], ['ap-northeast-1', 2], ['sa-east-1', 2], ['ca-central-1', 3],
    ]);
  });

  test('a manual hold is one approval before the deploys, or one before each target with count(0)', () => {
    const held = WavePlan.of([
      { name: 'canary', targets: WaveTargets.names('eu-west-1', 'eu-central-1'), manualHold: true },
      { name: 'rest', targets: WaveTargets.rest(), manualHold: true, maxInFlight: MaxInFlight.count(0) },
    ]);
    const { stages } = build({ plan: held, rollback: false });
    expect(stage(stages, 'canary').Actions.map((a: any) => [a.Name, a.ActionTypeId.Category, a.RunOrder])).toEqual([
      ['approve', 'Approval', 1], ['eu-west-1', 'Deploy', 2], ['eu-central-1', 'Deploy', 2],
    ]);
    expect(stage(stages, 'rest').Actions.slice(0, 4).map((a: any) => [a.Name, a.RunOrder])).toEqual([
      ['approve-us-east-1', 1], ['us-east-1', 2], ['approve-us-west-2', 3], ['us-west-2', 4],
    ]);
  });
});

describe('bake, gates and rollback as stage conditions', () => {
  test('the bake is the WaitTime of one CloudWatchAlarm rule per target alarm, rolling the stage back', () => {
    const { stages } = build();
    expect(stage(stages, 'canary').OnSuccess).toEqual({
      Conditions: [{
        Result: 'ROLLBACK',
        Rules: [{
          Name: 'canary-1-eu-west-1',
          Region: 'eu-west-1',
          RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'CloudWatchAlarm', Version: '1' },
          Configuration: { AlarmName: 'Checkout-eu-west-1-canary-Gate-error-rate', AlarmStates: 'ALARM', WaitTime: '30' },
        }],
      }],
    });
    expect(stage(stages, 'quarter').OnSuccess.Conditions[0].Rules.map((r: any) => [r.Region, r.Configuration.AlarmName, r.Configuration.WaitTime])).toEqual([
      ['eu-central-1', 'Checkout-eu-central-1-quarter-Gate-error-rate', '20'],
      ['us-east-1', 'Checkout-us-east-1-quarter-Gate-error-rate', '20'],
    ]);
    expect(stage(stages, 'canary').OnFailure).toEqual({ Result: 'ROLLBACK' });
    expect(stage(stages, 'rest').OnSuccess).toBeUndefined();
  });

  test('each gate becomes an alarm in its target\'s own stack, with the name the rule watches and the gate\'s tolerance', () => {
    const { f } = build();
    Template.fromStack(f.targets[0].stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Checkout-eu-west-1-canary-Gate-error-rate',
      MetricName: 'Errors',
      Namespace: 'Checkout',
      Statistic: 'Sum',
      Period: 60,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'breaching',
    });
    // The last wave has no gates: no alarm in its stacks.
    Template.fromStack(f.targets[7].stack).resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('the pipeline role may read exactly the watched alarms', () => {
    const { f } = build();
    Template.fromStack(f.pipelineStack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Action: ['cloudwatch:DescribeAlarms', 'cloudwatch:DescribeAlarmHistory'],
          Effect: 'Allow',
          Resource: ['eu-west-1', 'eu-central-1', 'us-east-1'].map((r) => ({
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudwatch:${r}:${ACCOUNT}:alarm:Checkout-${r}-${r === 'eu-west-1' ? 'canary' : 'quarter'}-Gate-error-rate`]],
          })),
        }]),
      },
    });
  });

  test('a target\'s own alarms are watched too; rollback: false fails the stage instead', () => {
    const f = fixture();
    const p99 = new cloudwatch.Alarm(f.targets[0].stack, 'Latency', {
      alarmName: 'checkout-eu-west-1-p99',
      threshold: 1,
      evaluationPeriods: 1,
      metric: new cloudwatch.Metric({ namespace: 'Checkout', metricName: 'Latency', statistic: 'p99' }),
    });
    const targets = f.targets.map((t, i) => (i === 0 ? { ...t, alarms: [p99] } : t));
    const { stages } = build({ targets, rollback: false }, f);
    const canary = stage(stages, 'canary');
    expect(canary.OnSuccess.Conditions[0].Result).toBe('FAIL');
    expect(canary.OnSuccess.Conditions[0].Rules.map((r: any) => r.Configuration.AlarmName)).toEqual(['Checkout-eu-west-1-canary-Gate-error-rate', 'checkout-eu-west-1-p99']);
    expect(canary.OnFailure).toBeUndefined();
  });
});

describe('refusals', () => {
  test('fails on a V1 pipeline when the plan bakes or rolls back', () => {
    expect(() => build({}, fixture({ pipelineType: codepipeline.PipelineType.V1 }))).toThrow(
      "Delivery/Fleet: invalid 'pipeline': stage conditions (bakes, gates) and rollback exist only on V2 pipelines; create it with pipelineType: PipelineType.V2, got a V1 pipeline");
  });

  test('fails on rollback in PARALLEL execution mode, naming the nearest plan', () => {
    expect(() => build({}, fixture({ executionMode: codepipeline.ExecutionMode.PARALLEL }))).toThrow(
      "Delivery/Fleet: invalid 'rollback': is not available in PARALLEL execution mode (no stage rollback, no ROLLBACK result); nearest plan: rollback: false (a failed wave stops the execution), or ExecutionMode.QUEUED, got true");
  });

  test('fails on a gate CodePipeline cannot evaluate', () => {
    const prom = Gate.prometheus({ name: 'success', address: 'http://prometheus:9090', query: 'up', threshold: Threshold.atLeast(1) });
    const p = WavePlan.of([{ name: 'canary', targets: WaveTargets.names('eu-west-1'), bake: Interval.minutes(10), gates: [prom] }, { name: 'rest', targets: WaveTargets.rest() }]);
    expect(() => build({ plan: p })).toThrow(
      "Delivery/Fleet: invalid 'plan.waves[0].gates[0]': AWS engines roll back on CloudWatch alarms, so a gate must be Gate.cloudWatch() (or pass a CloudWatch alarm in rollbackAlarms); a prometheus gate cannot be watched, got prometheus gate 'success'");
  });

  test('fails on a bake with nothing to watch and on a bake that is not whole minutes', () => {
    const bakeOnly = WavePlan.of([{ name: 'canary', targets: WaveTargets.names('eu-west-1'), bake: Interval.minutes(30) }, { name: 'rest', targets: WaveTargets.rest() }]);
    expect(() => build({ plan: bakeOnly })).toThrow(
      "Delivery/Fleet: invalid 'plan.waves[0].bake': CodePipeline waits only while it watches an alarm (the CloudWatchAlarm rule's WaitTime); give the wave a CloudWatch gate or its targets alarms, or drop the bake, got bake 30m");
    const seconds = WavePlan.of([{ name: 'canary', targets: WaveTargets.names('eu-west-1'), bake: Interval.seconds(90), gates: [errorRate] }, { name: 'rest', targets: WaveTargets.rest() }]);
    expect(() => build({ plan: seconds })).toThrow(
      "Delivery/Fleet: invalid 'plan.waves[0].bake': CodePipeline watches alarms for a WaitTime of whole minutes, at least 1, got bake 1m30s");
  });

  test('fails when a wave would watch more than 5 alarms', () => {
    const wide = WavePlan.of([{ name: 'first', targets: WaveTargets.share(75), bake: Interval.minutes(10), gates: [errorRate] }, { name: 'rest', targets: WaveTargets.rest() }]);
    expect(() => build({ plan: wide })).toThrow(
      "Delivery/Fleet: invalid 'plan.waves[0].gates': CodePipeline evaluates at most 5 rules in a stage's condition, and each alarm of each target is one rule (alarms are regional); split wave 'first' into waves of fewer targets, or watch fewer alarms, got 6 alarms: "
      + REGIONS.slice(0, 6).map((r) => `Checkout-${r}-first-Gate-error-rate`).join(', '));
  });

  test('fails on regions the plan does not cover, and on a target stack without account and region', () => {
    const partial = WavePlan.of([{ name: 'canary', targets: WaveTargets.names('eu-west-1') }]);
    expect(() => build({ plan: partial, rollback: false })).toThrow(
      "Delivery/Fleet: invalid 'targets': must have every target in a wave, but the waves cover 1 of 8 targets (name the others in a wave, or give the last wave WaveTargets.rest()); left out, got ['eu-central-1', 'us-east-1', 'us-west-2', 'ap-southeast-1', 'ap-northeast-1', 'sa-east-1', 'ca-central-1']");
    const f = fixture();
    const floating = new Stack(f.app, 'Floating');
    expect(() => build({ targets: [...f.targets, { name: 'floating', stack: floating }] }, f)).toThrow(
      "Delivery/Fleet: invalid 'targets[8].stack': must have a concrete account and region (env: { account, region }): the pipeline deploys it there, got stack Floating without them");
  });

  test('fails on a target alarm without a literal name', () => {
    const f = fixture();
    const unnamed = new cloudwatch.Alarm(f.targets[0].stack, 'Unnamed', { threshold: 1, evaluationPeriods: 1, metric: new cloudwatch.Metric({ namespace: 'A', metricName: 'B' }) });
    expect(() => build({ targets: f.targets.map((t, i) => (i === 0 ? { ...t, alarms: [unnamed] } : t)) }, f)).toThrow(
      "Delivery/Fleet: invalid 'targets[0].alarms[0]': must have a literal alarmName (CodePipeline rules name alarms across regions), got alarm Checkout-eu-west-1/Unnamed named by a token");
  });
});
