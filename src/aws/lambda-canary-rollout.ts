import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { checkDeploymentGroupName, codeDeployAutoRollback, lambdaDeploymentConfig } from './private/codedeploy';
import { checkAlarmEvaluation, checkGates, gateAlarms } from './private/gate-alarms';
import { EngineLimits, failWith, ScheduleKind, shiftMinutes, toSchedule, TrafficSchedule } from './private/schedule';
import { checkNumber, fail, show, withPath } from '../private/validate';
import { RolloutPlan } from '../strategy/rollout-plan';

/** CodeDeploy for Lambda: whole-minute intervals, whole percentages, no approval wait. */
const LAMBDA_LIMITS: EngineLimits = { engine: 'AWS CodeDeploy', minLinearPercent: 1, fractionalPercent: false, pauseFirst: false, pauseAlternative: ' for Lambda (use a preTrafficHook to check the new version first)' };
/**
 * CloudFormation waits for the CodeDeploy deployment inside the stack update (the alias's
 * `CodeDeployLambdaAliasUpdate` update policy) and gives up after 36 hours.
 */
const CLOUDFORMATION_MAX_MINUTES = 36 * 60;

/**
 * The alarms a Lambda release creates on the new version, which roll a deployment back. They read the
 * alias's metrics of the version being deployed (dimension `ExecutedVersion`), so errors of the old
 * version never roll back the new one. Periods without invocations never fire an alarm.
 */
export interface LambdaRollbackAlarmOptions {
  /**
   * Whether the construct creates these alarms.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Highest share of invocations, in percent, that may end in an error.
   * @default 1
   */
  readonly maxErrorPercent?: number;
  /**
   * Highest p99 duration; adds a duration alarm when given.
   * @default - no duration alarm
   */
  readonly maxP99Duration?: Duration;
  /**
   * How many one-minute periods each alarm looks at.
   * @default 3
   */
  readonly evaluationPeriods?: number;
  /**
   * How many of those periods must breach for the alarm to fire.
   * @default 2
   */
  readonly datapointsToAlarm?: number;
}

/** Properties for `LambdaCanaryRollout`. */
export interface LambdaCanaryRolloutProps {
  /**
   * The alias that takes traffic, on the function's `currentVersion`: each new version (a change of
   * the function's code or configuration) becomes a CodeDeploy deployment that moves the alias to it
   * in the plan's steps. An alias on `$LATEST` or on a version made otherwise is refused, since it
   * would never move and the rollout never run.
   */
  readonly alias: lambda.Alias;
  /**
   * How traffic moves: all at once, one canary step or equal linear steps, intervals in whole minutes.
   * A `RolloutPlan.steps()` plan is taken when its steps are exactly one of those shapes. The plan's
   * CloudWatch gates become rollback alarms; other gates are refused.
   *
   * @example RolloutPlan.linear({ step: 10, every: Interval.minutes(1) })
   */
  readonly plan: RolloutPlan;
  /**
   * Function CodeDeploy runs before any traffic moves; it reports success or failure with
   * `PutLifecycleEventHookExecutionStatus` (the construct grants that).
   *
   * @default - no pre-traffic hook
   */
  readonly preTrafficHook?: lambda.IFunction;
  /**
   * Function CodeDeploy runs after all traffic moved.
   * @default - no post-traffic hook
   */
  readonly postTrafficHook?: lambda.IFunction;
  /**
   * CloudWatch alarms that roll a deployment back, in addition to the default alarms and the plan's
   * CloudWatch gates. More can be added with `addRollbackAlarm()`.
   *
   * @default - only the default alarms and the plan's gates
   */
  readonly rollbackAlarms?: cloudwatch.IAlarm[];
  /**
   * Whether an alarm in ALARM during a deployment rolls it back. `true` requires at least one alarm.
   * @default true when there is at least one alarm
   */
  readonly rollbackOnAlarm?: boolean;
  /**
   * The alarms the release creates on the new version.
   * @default - error share above 1%
   */
  readonly defaultAlarms?: LambdaRollbackAlarmOptions;
  /**
   * CodeDeploy application the deployment group belongs to.
   * @default - a new Lambda application
   */
  readonly application?: codedeploy.ILambdaApplication;
  /**
   * Name of the deployment group.
   * @default - a name CloudFormation generates
   */
  readonly deploymentGroupName?: string;
  /**
   * Service role of the deployment group.
   * @default - a new role with the managed policy `AWSCodeDeployRoleForLambdaLimited`
   */
  readonly role?: iam.IRole;
}

/**
 * Canary, linear or all-at-once releases of a Lambda function through an alias, run by AWS CodeDeploy
 * inside the CloudFormation update that publishes the new version.
 *
 * Synthesizes a CodeDeploy Lambda application, a deployment group (rollback on failure and on alarm,
 * pre- and post-traffic hooks), a custom deployment configuration (`TimeBasedCanary` or
 * `TimeBasedLinear`; all at once uses `CodeDeployDefault.LambdaAllAtOnce`), CloudWatch alarms (error
 * share of the new version, the plan's CloudWatch gates), and the alias's `CodeDeployLambdaAliasUpdate`
 * update policy. CloudFormation waits for each deployment and gives up after 36 hours, so plans whose
 * timed steps take longer are refused.
 *
 * @example
 * new LambdaCanaryRollout(stack, 'Fn', { alias, plan: RolloutPlan.linear({ step: 10, every: Interval.minutes(1) }) });
 */
export class LambdaCanaryRollout extends Construct {
  /** The plan the release follows. */
  public readonly plan: RolloutPlan;
  /** The CodeDeploy deployment group. */
  public readonly deploymentGroup: codedeploy.ILambdaDeploymentGroup;
  /** The CodeDeploy deployment configuration. */
  public readonly deploymentConfig: codedeploy.ILambdaDeploymentConfig;

  private readonly group: codedeploy.LambdaDeploymentGroup;
  private readonly alarms: cloudwatch.IAlarm[] = [];
  private readonly schedule: TrafficSchedule;

  constructor(scope: Construct, id: string, props: LambdaCanaryRolloutProps) {
    super(scope, id);
    const where = this.node.path;
    if (!(props.alias instanceof lambda.Alias)) {
      fail(where, 'alias', 'must be a lambda.Alias created in this app (CodeDeploy moves it with an update policy)', props.alias);
    }
    checkAliasOnCurrentVersion(where, props.alias);
    checkDeploymentGroupName(where, 'deploymentGroupName', props.deploymentGroupName);
    if (!(props.plan instanceof RolloutPlan)) fail(where, 'plan', 'must be a RolloutPlan', props.plan);
    this.plan = props.plan;
    const schedule = withPath(where, 'plan', () => toSchedule(where, props.plan, LAMBDA_LIMITS));
    this.schedule = schedule;
    const total = shiftMinutes(schedule);
    if (total > CLOUDFORMATION_MAX_MINUTES) {
      failWith(where, 'plan', `CloudFormation waits for a Lambda deployment at most 36 hours (${CLOUDFORMATION_MAX_MINUTES} minutes) of timed steps; shorten the interval`, `${total} minutes`);
    }
    const gates = props.plan.gates();
    checkGates(where, 'plan.gates', gates);
    const options = props.defaultAlarms ?? {};
    checkLambdaAlarmOptions(this, options);
    (props.rollbackAlarms ?? []).forEach((a, i) => {
      if (a === undefined || a === null || typeof a.alarmName !== 'string') fail(where, `rollbackAlarms[${i}]`, 'must be a CloudWatch alarm', a);
    });

    this.deploymentConfig = lambdaDeploymentConfig(this, schedule);

    if (options.enabled ?? true) {
      const alias = props.alias;
      const dimensionsMap = {
        FunctionName: alias.lambda.functionName,
        Resource: `${alias.lambda.functionName}:${alias.aliasName}`,
        ExecutedVersion: alias.version.version,
      };
      const period = Duration.minutes(1);
      const evaluationPeriods = options.evaluationPeriods ?? 3;
      const datapointsToAlarm = options.datapointsToAlarm ?? 2;
      const maxPercent = options.maxErrorPercent ?? 1;
      this.alarms.push(new cloudwatch.Alarm(this, 'ErrorsAlarm', {
        alarmDescription: `Rolls back a deployment when more than ${maxPercent}% of the new version's invocations through the alias fail`,
        metric: new cloudwatch.MathExpression({
          expression: '100 * FILL(errors, 0) / invocations',
          usingMetrics: {
            errors: new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName: 'Errors', dimensionsMap, statistic: 'Sum', period }),
            invocations: new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName: 'Invocations', dimensionsMap, statistic: 'Sum', period }),
          },
          period,
          label: 'New version error percent',
        }),
        threshold: maxPercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods,
        datapointsToAlarm,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }));
      if (options.maxP99Duration !== undefined) {
        this.alarms.push(new cloudwatch.Alarm(this, 'DurationAlarm', {
          alarmDescription: `Rolls back a deployment when the new version's p99 duration exceeds ${options.maxP99Duration.toHumanString()}`,
          metric: new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName: 'Duration', dimensionsMap, statistic: 'p99', period }),
          threshold: options.maxP99Duration.toMilliseconds(),
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods,
          datapointsToAlarm,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }));
      }
    }
    // The default alarms read the new version; CloudFormation must point them at it before the alias
    // update starts the deployment.
    for (const alarm of this.alarms) props.alias.node.addDependency(alarm);
    for (const alarm of gateAlarms(this, gates)) this.alarms.push(alarm);
    for (const alarm of props.rollbackAlarms ?? []) this.alarms.push(alarm);

    this.group = new codedeploy.LambdaDeploymentGroup(this, 'DeploymentGroup', {
      alias: props.alias,
      application: props.application,
      deploymentGroupName: props.deploymentGroupName,
      role: props.role,
      // By name, not as a construct: the name's Ref orders the two, and a construct would add a
      // redundant DependsOn (cfn-lint W3005).
      deploymentConfig: codedeploy.LambdaDeploymentConfig.fromLambdaDeploymentConfigName(this, 'DeploymentConfigName', this.deploymentConfig.deploymentConfigName),
      preHook: props.preTrafficHook,
      postHook: props.postTrafficHook,
      alarms: [...this.alarms],
      autoRollback: codeDeployAutoRollback(props.rollbackOnAlarm),
    });
    this.deploymentGroup = this.group;

    this.node.addValidation({
      validate: () => props.rollbackOnAlarm === true && this.alarms.length === 0
        ? [`invalid 'rollbackOnAlarm': needs at least one alarm (defaultAlarms, rollbackAlarms, addRollbackAlarm() or a CloudWatch gate in the plan), got ${show(true)}`]
        : [],
    });
  }

  /** Every alarm that rolls a deployment back (a copy). */
  public get rollbackAlarms(): cloudwatch.IAlarm[] {
    return [...this.alarms];
  }

  /** Adds an alarm that rolls a deployment back. */
  public addRollbackAlarm(alarm: cloudwatch.IAlarm): void {
    if (alarm === undefined || alarm === null || typeof alarm.alarmName !== 'string') {
      fail(this.node.path, 'alarm', 'must be a CloudWatch alarm', alarm);
    }
    this.alarms.push(alarm);
    this.group.addAlarm(alarm);
  }

  /** How the plan reads in CodeDeploy's terms, e.g. `TimeBasedLinear 10% every 1 minute`. */
  public describeTrafficRouting(): string {
    const s = this.schedule;
    if (s.kind === ScheduleKind.ALL_AT_ONCE) return 'AllAtOnce';
    const unit = s.intervalMinutes === 1 ? 'minute' : 'minutes';
    return s.kind === ScheduleKind.CANARY
      ? `TimeBasedCanary ${s.percent}% then the rest after ${s.intervalMinutes} ${unit}`
      : `TimeBasedLinear ${s.percent}% every ${s.intervalMinutes} ${unit}`;
  }
}

function checkLambdaAlarmOptions(scope: Construct, o: LambdaRollbackAlarmOptions): void {
  const where = scope.node.path;
  if (o.maxErrorPercent !== undefined && !Token.isUnresolved(o.maxErrorPercent)) checkNumber(where, 'defaultAlarms.maxErrorPercent', o.maxErrorPercent, 0, 100);
  if (o.maxP99Duration !== undefined && !o.maxP99Duration.isUnresolved() && o.maxP99Duration.toMilliseconds() <= 0) {
    fail(where, 'defaultAlarms.maxP99Duration', 'must be longer than 0 seconds', o.maxP99Duration.toHumanString());
  }
  checkAlarmEvaluation(scope, o);
}

/**
 * The alias must point at its function's `currentVersion`: that version's logical ID changes with the
 * function's code and configuration, so each change publishes a version and moves the alias (the
 * CodeDeploy deployment). `$LATEST` cannot be shifted, and a version created or imported otherwise
 * never changes with the code.
 */
function checkAliasOnCurrentVersion(where: string, alias: lambda.Alias): void {
  const version = alias.version;
  if (version.version === '$LATEST') {
    failWith(where, 'alias', 'must point at the function\'s currentVersion (fn.currentVersion), which CodeDeploy shifts to on each change; $LATEST is never shifted, so the rollout would never run', 'an alias on $LATEST');
  }
  const current = version instanceof lambda.Version && version.node.id === 'CurrentVersion' && version.node.scope === alias.lambda;
  if (!current) {
    const what = version instanceof lambda.Version ? version.node.path : `version ${Token.isUnresolved(version.version) ? 'from a token' : version.version}`;
    failWith(where, 'alias', 'must point at the function\'s currentVersion (fn.currentVersion), which CodeDeploy shifts to on each change; another version does not change with the code, so the rollout would never run', `an alias on ${what}`);
  }
}
