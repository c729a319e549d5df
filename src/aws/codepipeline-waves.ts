import { Arn, ArnFormat, Names, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CodePipelineWaveOptions } from './codepipeline-wave-options';
import { checkGates, gateAlarms } from './private/gate-alarms';
import { failWith } from './private/schedule';
import { resolveWaves, stageActions, stageConditions, WatchedAlarm, WaveStage } from './private/wave-stages';
import { fail } from '../private/validate';
import { FleetTarget } from '../strategy/fleet-target';
import { AssignedWave } from '../strategy/wave-plan';

/** A stack deployed to one region (and account) of a fleet. */
export interface CodePipelineTarget extends FleetTarget {
  /**
   * The stack this target runs, in its own account and region (both given in the stack's `env`). The
   * pipeline deploys its synthesized template (`<stack.templateFile>` in `input`) with CloudFormation.
   * Assets the template refers to (Lambda code, container images) must be published before the pipeline
   * deploys it.
   */
  readonly stack: Stack;
  /**
   * More alarms that must stay out of ALARM during the wave's bake, besides the wave's gates. Each needs a
   * literal `alarmName`: CodePipeline names alarms across regions.
   * @default - only the alarms of the wave's gates
   */
  readonly alarms?: cloudwatch.IAlarm[];
  /**
   * The role CloudFormation assumes to deploy the stack.
   * @default - aws-cdk-lib's CloudFormation action creates one with administrator permissions
   */
  readonly deploymentRole?: iam.IRole;
}

/** Properties for `CodePipelineWaves`. */
export interface CodePipelineWavesProps extends CodePipelineWaveOptions {
  /** The fleet: every target, each in exactly one wave of `plan`. */
  readonly targets: CodePipelineTarget[];
  /** The artifact holding the synthesized templates (the cloud assembly, e.g. the output of a synth step). */
  readonly input: codepipeline.Artifact;
  /**
   * Folder of the templates inside `input`.
   * @default - the artifact's root
   */
  readonly templateFolder?: string;
}

/**
 * One release across many regions or accounts, in waves, run by AWS CodePipeline: one stage per wave
 * of the plan, deploying the same stack's template to the wave's targets.
 *
 * Adds to `pipeline`, per wave, a stage named after the wave with one CloudFormation deploy action per
 * target (run orders in batches of `maxInFlight`; a manual approval first for a manual hold, or before
 * each target with `MaxInFlight.count(0)`). The wave's CloudWatch gates become alarms in each target's
 * stack; the stage's On Success condition watches them, and the targets' own `alarms`, with one
 * CloudWatchAlarm rule each whose `WaitTime` is the wave's bake, and rolls the stage back (or fails it)
 * when one goes into ALARM. A failed deploy rolls the stage back (On Failure: ROLLBACK). A stage that
 * fails or rolls back stops the pipeline, so later waves never start.
 *
 * What CodePipeline takes, checked here because aws-cdk-lib and cfn-lint accept the rest:
 *  - stage conditions and rollback exist on V2 pipelines only, and PARALLEL execution mode has no
 *    rollback;
 *  - one condition per condition type with at most 5 rules; an On Success condition rolls back or
 *    fails; a CloudWatchAlarm rule waits in whole minutes and watches one alarm in one region, so a wave
 *    watches at most 5 alarms across its targets;
 *  - at most 50 actions per stage;
 *  - waiting needs a rule: a bake without gates or alarms cannot be expressed.
 * Rolling a stage back redeploys the last execution that succeeded in that stage only: earlier waves
 * keep the new version. CDK Pipelines' waves cannot carry stage conditions, which is why this adds
 * stages to an `aws-codepipeline` Pipeline.
 *
 * @example
 * new CodePipelineWaves(stack, 'Fleet', {
 *   pipeline, input: assembly, plan: waves,
 *   targets: regionStacks.map((s) => ({ name: s.region, stack: s })),
 * });
 */
export class CodePipelineWaves extends Construct {
  /** The waves with the targets each deploys to. */
  public readonly waves: AssignedWave[];
  /** The stages added to the pipeline, in wave order. */
  public readonly stages: codepipeline.IStage[];

  constructor(scope: Construct, id: string, props: CodePipelineWavesProps) {
    super(scope, id);
    const where = this.node.path;
    const targets = props.targets;
    const { waves, rollback, capabilities } = resolveWaves(where, props, targets);
    targets.forEach((t, i) => {
      if (!Stack.isStack(t.stack)) fail(where, `targets[${i}].stack`, 'must be a Stack', t.stack);
      if (Token.isUnresolved(t.stack.region) || Token.isUnresolved(t.stack.account)) {
        failWith(where, `targets[${i}].stack`, 'must have a concrete account and region (env: { account, region }): the pipeline deploys it there', `stack ${t.stack.stackName} without them`);
      }
      (t.alarms ?? []).forEach((a, j) => {
        if (literalAlarmName(a) === undefined) {
          failWith(where, `targets[${i}].alarms[${j}]`, 'must have a literal alarmName (CodePipeline rules name alarms across regions)', a === undefined ? 'nothing' : `alarm ${a.node.path} named by a token`);
        }
      });
    });
    waves.forEach(({ wave }, i) => checkGates(where, `plan.waves[${i}].gates`, wave.gates));

    const folder = props.templateFolder === undefined ? '' : `${props.templateFolder.replace(/\/+$/, '')}/`;
    const alarmArns: string[] = [];
    this.stages = waves.map((assigned, i) => {
      const { wave } = assigned;
      const field = `plan.waves[${i}]`;
      // The wave's gates as alarms in each target's stack, named so the pipeline can find them.
      const alarms: WatchedAlarm[] = assigned.targets.flatMap((t) => {
        const target = t as CodePipelineTarget;
        const alarmScope = new Construct(target.stack, `${Names.uniqueId(this)}-${wave.name}`);
        const gates = gateAlarms(alarmScope, wave.gates).map((alarm) => {
          const name = `${target.stack.stackName}-${wave.name}-${alarm.node.id}`;
          (alarm.node.defaultChild as cloudwatch.CfnAlarm).alarmName = name;
          return name;
        });
        const names = [...gates, ...(target.alarms ?? []).map((a) => literalAlarmName(a)!)];
        names.forEach((name) => alarmArns.push(Arn.format({
          service: 'cloudwatch', resource: 'alarm', resourceName: name, region: target.stack.region, account: target.stack.account, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }, Stack.of(this))));
        return names.map((alarmName) => ({ alarmName, region: target.stack.region }));
      });
      const stage: WaveStage = { where, field, wave, rollback, alarms };
      const deploys = assigned.targets.map((t) => {
        const target = t as CodePipelineTarget;
        return (runOrder: number) => new actions.CloudFormationCreateUpdateStackAction({
          actionName: target.name,
          runOrder,
          stackName: target.stack.stackName,
          templatePath: props.input.atPath(`${folder}${target.stack.templateFile}`),
          adminPermissions: target.deploymentRole === undefined,
          deploymentRole: target.deploymentRole,
          cfnCapabilities: capabilities,
          region: target.stack.region,
          account: target.stack.account,
        });
      });
      return props.pipeline.addStage({
        stageName: wave.name,
        actions: stageActions(stage, assigned, deploys),
        ...stageConditions(stage),
      });
    });
    if (alarmArns.length > 0) {
      // The CloudWatchAlarm rules read the alarms with the pipeline's role.
      props.pipeline.role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['cloudwatch:DescribeAlarms', 'cloudwatch:DescribeAlarmHistory'],
        resources: alarmArns,
      }));
    }
    this.waves = waves;
  }
}

/**
 * The name of an alarm as a plain string: an imported alarm's name, or the `alarmName` given to an
 * alarm defined in the app (its `alarmName` attribute is a reference token even then).
 */
function literalAlarmName(alarm: cloudwatch.IAlarm | undefined): string | undefined {
  if (alarm === undefined) return undefined;
  if (!Token.isUnresolved(alarm.alarmName)) return alarm.alarmName;
  const cfn = alarm.node.defaultChild;
  const name = cfn instanceof cloudwatch.CfnAlarm ? cfn.alarmName : undefined;
  return name !== undefined && !Token.isUnresolved(name) ? name : undefined;
}
