/**
 * One CodePipeline stage per wave of a `WavePlan`: the run orders of its actions (batches of
 * `maxInFlight`, manual approvals for holds) and its stage conditions (alarms watched for the bake,
 * rollback). Shared by `CodePipelineWaves` and `CodePipelineStackSetWaves`, which differ only in the
 * deploy actions.
 *
 * CodePipeline's limits checked here (aws-cdk-lib and cfn-lint accept all of these):
 *  - stage conditions and rollback need a V2 pipeline; PARALLEL execution mode has no rollback
 *    ("For pipelines in PARALLEL mode, stage rollback is not available", CodePipeline user guide,
 *    execution modes);
 *  - one condition per condition type (BeforeEntry, OnSuccess, OnFailure: "Fixed number of 1 item"),
 *    1 to 5 rules per condition (API `Condition.rules`); On Success results are ROLLBACK or FAIL;
 *  - a CloudWatchAlarm rule names one alarm in one region and waits `WaitTime` whole minutes;
 *  - at most 50 actions per stage (CodePipeline quotas).
 */
import { CfnCapabilities, Token } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import { failWith } from './schedule';
import { fail } from '../../private/validate';
import { FleetTarget } from '../../strategy/fleet-target';
import { AssignedWave, Wave, WavePlan } from '../../strategy/wave-plan';
import { CodePipelineWaveOptions } from '../codepipeline-wave-options';

/** Most rules in one condition. */
export const MAX_RULES = 5;
/** Most actions in one stage. */
export const MAX_ACTIONS = 50;

/** An alarm a stage watches during its bake. */
export interface WatchedAlarm {
  readonly alarmName: string;
  readonly region: string;
}

/** What one wave's stage needs. */
export interface WaveStage {
  /** Construct path, for messages. */
  readonly where: string;
  /** Field of the wave in messages: `plan.waves[1]`. */
  readonly field: string;
  readonly wave: Wave;
  readonly rollback: boolean;
  /** Alarms watched during the bake, one rule each. */
  readonly alarms: WatchedAlarm[];
}

/** The plan resolved against `targets`, with the options' defaults, once the pipeline is checked. */
export function resolveWaves(where: string, options: CodePipelineWaveOptions, targets: FleetTarget[]): {
  readonly waves: AssignedWave[]; readonly rollback: boolean; readonly capabilities: CfnCapabilities[];
} {
  if (!(options.plan instanceof WavePlan)) fail(where, 'plan', 'must be a WavePlan', options.plan);
  const rollback = options.rollback ?? true;
  const waves = options.plan._assign(where, 'targets', targets);
  checkPipeline(where, options.pipeline, waves, rollback);
  return { waves, rollback, capabilities: options.cfnCapabilities ?? [CfnCapabilities.NAMED_IAM, CfnCapabilities.AUTO_EXPAND] };
}

/**
 * Refuses a pipeline that cannot run the waves: conditions or rollback on a V1 pipeline, rollback in
 * PARALLEL execution mode. Read from the pipeline's CloudFormation resource, which aws-cdk-lib fills
 * when the pipeline is built; values that are tokens are not checked.
 */
function checkPipeline(where: string, pipeline: codepipeline.Pipeline, waves: AssignedWave[], rollback: boolean): void {
  if (!(pipeline instanceof codepipeline.Pipeline)) failWith(where, 'pipeline', 'must be an aws-codepipeline Pipeline', String(pipeline));
  const cfn = pipeline.node.defaultChild as codepipeline.CfnPipeline;
  const type = cfn.pipelineType ?? 'V1';
  const gated = waves.some(({ wave }) => wave.holdsNextWave());
  if (!Token.isUnresolved(type) && type !== 'V2' && (gated || rollback)) {
    failWith(where, 'pipeline', `stage conditions (bakes, gates) and rollback exist only on V2 pipelines; create it with pipelineType: PipelineType.V2${gated ? '' : ', or pass rollback: false'}`, `a ${type} pipeline`);
  }
  const mode = cfn.executionMode ?? 'SUPERSEDED';
  if (!Token.isUnresolved(mode) && mode === 'PARALLEL' && rollback) {
    failWith(where, 'rollback', 'is not available in PARALLEL execution mode (no stage rollback, no ROLLBACK result); nearest plan: rollback: false (a failed wave stops the execution), or ExecutionMode.QUEUED', 'true');
  }
}

/**
 * The stage's actions: deploys in batches of the wave's `targetsAtOnce` (same run order = parallel),
 * after one manual approval for a manual hold, or with an approval before each target when nothing
 * starts by itself (`MaxInFlight.count(0)`). `deploys[i](runOrder)` builds the i-th target's deploy.
 */
export function stageActions(
  stage: WaveStage, assigned: AssignedWave, deploys: Array<(runOrder: number) => codepipeline.IAction>,
): codepipeline.IAction[] {
  const { wave } = stage;
  const out: codepipeline.IAction[] = [];
  const approval = (name: string, runOrder: number) => approvalAction(wave, name, runOrder);
  if (assigned.targetsAtOnce === 0) {
    assigned.targets.forEach((t, i) => {
      out.push(approval(`approve-${t.name}`, 2 * i + 1));
      out.push(deploys[i](2 * i + 2));
    });
  } else {
    const first = wave.manualHold ? 2 : 1;
    if (wave.manualHold) out.push(approval('approve', 1));
    deploys.forEach((deploy, i) => out.push(deploy(first + Math.floor(i / assigned.targetsAtOnce))));
  }
  if (out.length > MAX_ACTIONS) {
    failWith(stage.where, `${stage.field}.targets`, `CodePipeline runs at most ${MAX_ACTIONS} actions in a stage; split wave '${wave.name}' into waves of fewer targets`, `${assigned.targets.length} targets (${out.length} actions)`);
  }
  return out;
}

/** A manual approval that holds a wave until a person approves it. */
export function approvalAction(wave: Wave, name: string, runOrder: number): codepipeline.IAction {
  return new actions.ManualApprovalAction({ actionName: name, runOrder, additionalInformation: `Wave '${wave.name}' waits for a person: ${wave}` });
}

/**
 * The stage's conditions: On Success watches every alarm for the wave's bake and rolls back (or
 * fails) when one goes into ALARM; On Failure rolls back. A bake with nothing to watch, more alarms
 * than one condition holds, or a bake that is not whole minutes is refused.
 */
export function stageConditions(stage: WaveStage): { onSuccess?: codepipeline.Conditions; onFailure?: codepipeline.FailureConditions } {
  const { wave, alarms, where, field } = stage;
  if (alarms.length === 0 && !wave.bake.isZero()) {
    failWith(where, `${field}.bake`, 'CodePipeline waits only while it watches an alarm (the CloudWatchAlarm rule\'s WaitTime); give the wave a CloudWatch gate or its targets alarms, or drop the bake', `bake ${wave.bake}`);
  }
  if (alarms.length > 0) {
    if (!wave.bake.isWholeMinutes() || wave.bake.isZero()) {
      failWith(where, `${field}.bake`, 'CodePipeline watches alarms for a WaitTime of whole minutes, at least 1', `bake ${wave.bake}`);
    }
    if (alarms.length > MAX_RULES) {
      failWith(where, `${field}.gates`, `CodePipeline evaluates at most ${MAX_RULES} rules in a stage's condition, and each alarm of each target is one rule (alarms are regional); split wave '${wave.name}' into waves of fewer targets, or watch fewer alarms`,
        `${alarms.length} alarms: ${alarms.map((a) => a.alarmName).join(', ')}`);
    }
  }
  const rules = alarms.map((a, i) => new codepipeline.Rule({
    name: `${wave.name}-${i + 1}-${a.region}`,
    provider: 'CloudWatchAlarm',
    version: '1',
    region: a.region,
    configuration: { AlarmName: a.alarmName, AlarmStates: 'ALARM', WaitTime: String(wave.bake.toMinutes()) },
  }));
  return {
    onSuccess: rules.length === 0 ? undefined : {
      conditions: [{ result: stage.rollback ? codepipeline.Result.ROLLBACK : codepipeline.Result.FAIL, rules }],
    },
    onFailure: stage.rollback ? { result: codepipeline.Result.ROLLBACK } : undefined,
  };
}
