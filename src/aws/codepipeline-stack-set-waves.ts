import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import { Construct } from 'constructs';
import { CodePipelineWaveOptions } from './codepipeline-wave-options';
import { failWith } from './private/schedule';
import { approvalAction, resolveWaves, stageConditions } from './private/wave-stages';
import { checkRange, fail } from '../private/validate';
import { FleetTarget } from '../strategy/fleet-target';
import { AssignedWave, Wave } from '../strategy/wave-plan';

/** One stack instance of a StackSet: an account and a region. */
export interface StackSetTarget extends FleetTarget {
  /** The AWS account (12 digits). */
  readonly account: string;
  /** The AWS region, e.g. `eu-west-1`. */
  readonly region: string;
}

/** Properties for `CodePipelineStackSetWaves`. */
export interface CodePipelineStackSetWavesProps extends CodePipelineWaveOptions {
  /** Every stack instance, each in exactly one wave of `plan`. */
  readonly targets: StackSetTarget[];
  /** Name of the StackSet. */
  readonly stackSetName: string;
  /** The template, in an artifact of the pipeline (at most 460,800 bytes). */
  readonly template: codepipeline.ArtifactPath;
  /**
   * How StackSets gets its permissions in the target accounts.
   * @default StackSetDeploymentModel.selfManaged()
   */
  readonly deploymentModel?: actions.StackSetDeploymentModel;
  /**
   * Percentage of accounts per region that may fail before CloudFormation stops the operation in that
   * region (and does not start the next regions), rounded down.
   * @default 0
   */
  readonly failureTolerancePercent?: number;
}

/**
 * One release of a StackSet across accounts and regions, in waves, run by AWS CodePipeline: one stage
 * per wave; the first updates the StackSet's template and its instances in the first wave
 * (CloudFormationStackSet action), the others update the instances of their wave
 * (CloudFormationStackInstances action). Instances of later waves stay OUTDATED until their stage runs.
 *
 * What StackSets take, checked here: an action deploys to every combination of its accounts and
 * regions, so a wave must be such a grid; concurrency is a percentage of the accounts per region, one
 * region after another, so `maxInFlight` must come out as such a percentage
 * (`MaxConcurrentPercentage`, rounded down, at least one account); and CodePipeline's rules watch
 * alarms of the pipeline's own account, so a wave has no gates and no bake. A manual hold is an
 * approval before the wave.
 *
 * Pick StackSets for many accounts (an AWS Organization) with no alarm gates between waves:
 * CloudFormation spreads each wave across accounts and stops a region on failures beyond the tolerance.
 * Pick `CodePipelineWaves` (one stack per target) when waves need bakes and CloudWatch gates.
 *
 * @example
 * new CodePipelineStackSetWaves(stack, 'Baseline', {
 *   pipeline, plan: waves, stackSetName: 'security-baseline', template: assembly.atPath('Baseline.template.json'),
 *   targets: [{ name: 'sandbox-eu-west-1', account: '222222222222', region: 'eu-west-1' }],
 * });
 */
export class CodePipelineStackSetWaves extends Construct {
  /** The waves with the stack instances each deploys to. */
  public readonly waves: AssignedWave[];
  /** The stages added to the pipeline, in wave order. */
  public readonly stages: codepipeline.IStage[];

  constructor(scope: Construct, id: string, props: CodePipelineStackSetWavesProps) {
    super(scope, id);
    const where = this.node.path;
    if (typeof props.stackSetName !== 'string' || !/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(props.stackSetName)) {
      fail(where, 'stackSetName', 'must start with a letter and hold only letters, digits and \'-\', at most 128 characters', props.stackSetName);
    }
    const tolerance = props.failureTolerancePercent ?? 0;
    checkRange(where, 'failureTolerancePercent', tolerance, 0, 100);
    props.targets.forEach((t, i) => {
      if (typeof t.account !== 'string' || !/^\d{12}$/.test(t.account)) fail(where, `targets[${i}].account`, 'must be a 12-digit AWS account id', t.account);
      if (typeof t.region !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(t.region)) fail(where, `targets[${i}].region`, 'must be an AWS region such as eu-west-1', t.region);
    });
    const { waves, rollback, capabilities } = resolveWaves(where, props, props.targets);
    const model = props.deploymentModel ?? actions.StackSetDeploymentModel.selfManaged();

    this.stages = waves.map((assigned, i) => {
      const { wave } = assigned;
      const field = `plan.waves[${i}]`;
      if (wave.gates.length > 0 || !wave.bake.isZero()) {
        failWith(where, `${field}.gates`, 'StackSet waves cannot bake or gate: CodePipeline\'s CloudWatchAlarm rules watch alarms of the pipeline\'s account, and the instances run in others; use CodePipelineWaves (one stack per target) for waves with gates', String(wave));
      }
      const grid = gridOf(where, field, wave, assigned.targets as StackSetTarget[]);
      const percent = concurrencyPercent(where, field, wave, assigned, grid.accounts.length);
      const common = {
        runOrder: wave.manualHold ? 2 : 1,
        stackSetName: props.stackSetName,
        stackInstances: actions.StackInstances.inAccounts(grid.accounts, grid.regions),
        failureTolerancePercentage: tolerance,
        maxAccountConcurrencyPercentage: percent,
      };
      const deploy = i === 0
        ? new actions.CloudFormationDeployStackSetAction({ actionName: 'stack-set', template: actions.StackSetTemplate.fromArtifactPath(props.template), deploymentModel: model, cfnCapabilities: capabilities, ...common })
        : new actions.CloudFormationDeployStackInstancesAction({ actionName: 'stack-instances', ...common });
      return props.pipeline.addStage({
        stageName: wave.name,
        actions: wave.manualHold ? [approvalAction(wave, 'approve', 1), deploy] : [deploy],
        ...stageConditions({ where, field, wave, rollback, alarms: [] }),
      });
    });
    this.waves = waves;
  }
}

/** The accounts and regions of a wave, which must hold every combination of the two. */
function gridOf(where: string, field: string, wave: Wave, targets: StackSetTarget[]): { accounts: string[]; regions: string[] } {
  const accounts = [...new Set(targets.map((t) => t.account))];
  const regions = [...new Set(targets.map((t) => t.region))];
  const have = new Set(targets.map((t) => `${t.account}/${t.region}`));
  const missing = accounts.flatMap((a) => regions.map((r) => `${a}/${r}`)).filter((k) => !have.has(k));
  if (missing.length > 0 || have.size !== targets.length) {
    failWith(where, `${field}.targets`, `a StackSet action deploys to every combination of its accounts and regions, so wave '${wave.name}' must hold all ${accounts.length * regions.length} of ${accounts.length} accounts × ${regions.length} regions (one target each)`,
      missing.length > 0 ? `no target for ${missing.join(', ')}` : 'two targets for one account and region');
  }
  return { accounts, regions };
}

/**
 * StackSets' MaxConcurrentPercentage for a wave: accounts at once in one region, as a percentage of the
 * wave's accounts rounded down, at least one; regions one after another. The wave's `maxInFlight`
 * (targets at once) must come out exactly; otherwise the nearest count is named.
 */
function concurrencyPercent(where: string, field: string, wave: Wave, assigned: AssignedWave, accounts: number): number {
  const want = assigned.targetsAtOnce;
  const atOnce = (p: number) => Math.max(1, Math.floor((p * accounts) / 100));
  // The smallest percentage that gives exactly that many (1 of 2 accounts: 50%; all of them: 100%).
  for (let p = Math.max(1, Math.ceil((want * 100) / accounts)); p <= 100; p++) {
    if (atOnce(p) === want) return p;
  }
  const nearest = Math.min(Math.max(want, 1), accounts);
  return failWith(where, `${field}.maxInFlight`, `StackSets update one region at a time, at most a percentage of its accounts at once (rounded down, at least one), so from 1 to ${accounts} of this wave's targets run at once; nearest plan: MaxInFlight.count(${nearest})`,
    `${wave.maxInFlight} (${want} targets at once)`);
}
