/**
 * What the ECS releases (CodeDeploy engine) and `LambdaCanaryRollout` share on AWS CodeDeploy: the
 * deployment configuration a schedule becomes, and the deployment group's rollback settings.
 */
import { Duration, Token } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import { Construct } from 'constructs';
import { ScheduleKind, TrafficSchedule } from './schedule';
import { fail } from '../../private/validate';

/** The traffic routing of a canary or linear schedule; undefined all at once (CodeDeploy's predefined configuration). */
function trafficRouting(schedule: TrafficSchedule): codedeploy.TrafficRouting | undefined {
  if (schedule.kind === ScheduleKind.ALL_AT_ONCE) return undefined;
  const routing = { interval: Duration.minutes(schedule.intervalMinutes!), percentage: schedule.percent! };
  return schedule.kind === ScheduleKind.CANARY
    ? codedeploy.TrafficRouting.timeBasedCanary(routing)
    : codedeploy.TrafficRouting.timeBasedLinear(routing);
}

/**
 * CodeDeploy's predefined configurations, by `<kind> <percent> <minutes>`: a plan that matches one uses
 * it instead of a custom configuration.
 * https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-configurations.html
 */
const ECS_PREDEFINED: { [key: string]: codedeploy.IEcsDeploymentConfig } = {
  'canary 10 5': codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_5MINUTES,
  'canary 10 15': codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_15MINUTES,
  'linear 10 1': codedeploy.EcsDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTES,
  'linear 10 3': codedeploy.EcsDeploymentConfig.LINEAR_10PERCENT_EVERY_3MINUTES,
};
const LAMBDA_PREDEFINED: { [key: string]: codedeploy.ILambdaDeploymentConfig } = {
  'canary 10 5': codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
  'canary 10 10': codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_10MINUTES,
  'canary 10 15': codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_15MINUTES,
  'canary 10 30': codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_30MINUTES,
  'linear 10 1': codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTE,
  'linear 10 2': codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_2MINUTES,
  'linear 10 3': codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_3MINUTES,
  'linear 10 10': codedeploy.LambdaDeploymentConfig.LINEAR_10PERCENT_EVERY_10MINUTES,
};

function predefinedKey(schedule: TrafficSchedule): string {
  return `${schedule.kind} ${schedule.percent} ${schedule.intervalMinutes}`;
}

/**
 * The ECS deployment configuration of a schedule: a predefined one when the plan matches one,
 * otherwise a custom one created under `scope` as `DeploymentConfig`.
 */
export function ecsDeploymentConfig(scope: Construct, schedule: TrafficSchedule): codedeploy.IEcsDeploymentConfig {
  const routing = trafficRouting(schedule);
  if (routing === undefined) return codedeploy.EcsDeploymentConfig.ALL_AT_ONCE;
  return ECS_PREDEFINED[predefinedKey(schedule)] ?? new codedeploy.EcsDeploymentConfig(scope, 'DeploymentConfig', { trafficRouting: routing });
}

/**
 * The Lambda deployment configuration of a schedule: a predefined one when the plan matches one,
 * otherwise a custom one created under `scope` as `DeploymentConfig`.
 */
export function lambdaDeploymentConfig(scope: Construct, schedule: TrafficSchedule): codedeploy.ILambdaDeploymentConfig {
  const routing = trafficRouting(schedule);
  if (routing === undefined) return codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE;
  return LAMBDA_PREDEFINED[predefinedKey(schedule)] ?? new codedeploy.LambdaDeploymentConfig(scope, 'DeploymentConfig', { trafficRouting: routing });
}

/**
 * The deployment group's rollback: always on failure, never on a stop (a person stopped it on
 * purpose), and on alarm unless `rollbackOnAlarm` is false (aws-cdk-lib enables it when the group has
 * alarms).
 */
export function codeDeployAutoRollback(rollbackOnAlarm: boolean | undefined): codedeploy.AutoRollbackConfig {
  return { failedDeployment: true, stoppedDeployment: false, deploymentInAlarm: rollbackOnAlarm === false ? false : undefined };
}

/** A CodeDeploy deployment group name: 1 to 100 of `A-Za-z0-9+=,.@_-` (tokens are not checked). */
export function checkDeploymentGroupName(where: string, field: string, name: string | undefined): void {
  if (name === undefined || Token.isUnresolved(name)) return;
  if (typeof name !== 'string' || !/^[A-Za-z0-9+=,.@_-]{1,100}$/.test(name)) {
    fail(where, field, 'must be 1 to 100 letters, digits or + = , . @ _ - (a CodeDeploy deployment group name)', name);
  }
}
