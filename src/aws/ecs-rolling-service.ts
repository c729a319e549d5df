import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { checkUnreleased } from './private/ecs-release';
import { controllerOf, deploymentConfigurationOf, userDeploymentAlarms } from './private/ecs-service-settings';
import { checkGates, gateAlarms } from './private/gate-alarms';
import { failWith, ScheduleKind, toSchedule } from './private/schedule';
import { numberNow, showNumber } from './private/tokens';
import { fail, show } from '../private/validate';
import { RolloutPlan } from '../strategy/rollout-plan';

/** Properties for `EcsRollingService`. */
export interface EcsRollingServiceProps {
  /**
   * The ECS service (Fargate or EC2) to release, with the default ECS deployment controller. Leave its
   * `circuitBreaker`, `deploymentStrategy`, `bakeTime` and `deploymentAlarms` unset: the release sets them.
   */
  readonly service: ecs.BaseService;
  /**
   * The plan: a rolling update replaces tasks, it moves no traffic share, so only
   * `RolloutPlan.allAtOnce()` fits. Its CloudWatch gates become rollback alarms.
   *
   * @default RolloutPlan.allAtOnce()
   */
  readonly plan?: RolloutPlan;
  /**
   * Lowest share of the desired tasks, in percent, that must stay running and healthy during a
   * deployment. Whole number from 0 to 100.
   *
   * @default 100, so the service never runs below its desired count (differs from Amazon ECS's
   * default of 50 for Fargate and 100 for EC2)
   */
  readonly minHealthyPercent?: number;
  /**
   * Highest share of the desired tasks, in percent, that may run during a deployment (old and new
   * together). Whole number from 100 to 200, above `minHealthyPercent` so the deployment can start
   * tasks.
   *
   * @default 200
   */
  readonly maxHealthyPercent?: number;
  /**
   * Whether the deployment circuit breaker stops a deployment whose tasks keep failing to start or to
   * become healthy, and rolls it back to the last completed deployment.
   *
   * @default true
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html
   */
  readonly circuitBreaker?: boolean;
  /**
   * How long Amazon ECS keeps watching the rollback alarms after the new tasks are running, before it
   * declares the deployment complete. Whole minutes, at most 1440.
   *
   * @default - no bake time: the deployment completes when the service is steady
   */
  readonly bakeTime?: Duration;
  /**
   * CloudWatch alarms that roll a deployment back, in addition to the plan's CloudWatch gates. More
   * can be added with `addRollbackAlarm()`.
   *
   * @default - only the plan's gates
   */
  readonly rollbackAlarms?: cloudwatch.IAlarm[];
  /**
   * Whether an alarm in ALARM during a deployment rolls it back (otherwise it only fails it). `true`
   * requires at least one alarm.
   *
   * @default true when there is at least one alarm
   */
  readonly rollbackOnAlarm?: boolean;
}

/**
 * Rolling updates of an ECS service (Fargate or EC2): Amazon ECS replaces old tasks with new ones
 * within `minHealthyPercent` and `maxHealthyPercent` of the desired count, the deployment circuit
 * breaker rolls back a deployment whose tasks do not become healthy, and alarms (yours and the plan's
 * CloudWatch gates) roll it back while it runs and during its bake time.
 *
 * Synthesizes the service's `DeploymentConfiguration` (strategy `ROLLING`, minimum and maximum
 * percent, circuit breaker, alarms, bake time) and one CloudWatch alarm per gate. Every CloudFormation
 * update that changes the task definition is a rolling deployment; CloudFormation waits for it.
 *
 * @example
 * new EcsRollingService(stack, 'Worker', { service, minHealthyPercent: 50, rollbackAlarms: [ordersFailing] });
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html
 */
export class EcsRollingService extends Construct {
  /** The plan the release follows. */
  public readonly plan: RolloutPlan;
  /** Lowest share of the desired tasks, in percent, kept running during a deployment. */
  public readonly minHealthyPercent: number;
  /** Highest share of the desired tasks, in percent, run during a deployment. */
  public readonly maxHealthyPercent: number;
  /** Whether the deployment circuit breaker (with rollback) is on. */
  public readonly circuitBreaker: boolean;

  private readonly alarms: cloudwatch.IAlarm[] = [];

  constructor(scope: Construct, id: string, props: EcsRollingServiceProps) {
    super(scope, id);
    const where = this.node.path;
    const service = props.service;
    if (!(service instanceof ecs.BaseService)) fail(where, 'service', 'must be an ecs.FargateService or ecs.Ec2Service created in this app', service);
    checkUnreleased(where, service);
    const controller = controllerOf(service);
    if (controller !== ecs.DeploymentControllerType.ECS) {
      failWith(where, 'service', 'a rolling update needs a service with the ECS deployment controller (the default)', `a service with the ${controller} deployment controller`);
    }
    const config = deploymentConfigurationOf(service);
    const own = [
      config.deploymentCircuitBreaker !== undefined ? 'circuitBreaker' : undefined,
      config.strategy !== undefined ? `deploymentStrategy ${config.strategy}` : undefined,
      config.bakeTimeInMinutes !== undefined ? `bakeTime ${config.bakeTimeInMinutes}` : undefined,
      userDeploymentAlarms(service).length > 0 ? `deployment alarms ${userDeploymentAlarms(service).map((n) => show(Stack.of(this).resolve(n))).join(', ')}` : undefined,
    ].filter((x) => x !== undefined);
    if (own.length > 0) {
      failWith(where, 'service', 'must leave circuitBreaker, deploymentStrategy, bakeTime and deploymentAlarms unset: the release sets them (rollbackAlarms takes the alarms)',
        `a service with ${own.join(', ')}`);
    }

    this.plan = props.plan ?? RolloutPlan.allAtOnce();
    if (!(this.plan instanceof RolloutPlan)) fail(where, 'plan', 'must be a RolloutPlan', this.plan);
    const schedule = toSchedule(where, this.plan, { engine: 'Amazon ECS', minLinearPercent: 3, fractionalPercent: true, maxIntervalMinutes: 1440, pauseFirst: false });
    if (schedule.kind !== ScheduleKind.ALL_AT_ONCE) {
      fail(where, 'plan', 'a rolling update replaces tasks and moves no traffic share, so it takes RolloutPlan.allAtOnce() (use EcsCanaryRollout for canary and linear plans)', this.plan);
    }
    checkGates(where, 'plan.gates', this.plan.gates());

    const min = numberNow(this, props.minHealthyPercent ?? 100);
    const max = numberNow(this, props.maxHealthyPercent ?? 200);
    if (min === undefined) failWith(where, 'minHealthyPercent', 'must be a number known at synth', showNumber(this, props.minHealthyPercent!));
    if (max === undefined) failWith(where, 'maxHealthyPercent', 'must be a number known at synth', showNumber(this, props.maxHealthyPercent!));
    if (!Number.isInteger(min) || min < 0 || min > 100) fail(where, 'minHealthyPercent', 'must be a whole number from 0 to 100', min);
    if (!Number.isInteger(max) || max < 100 || max > 200) fail(where, 'maxHealthyPercent', 'must be a whole number from 100 to 200', max);
    if (max <= min) {
      failWith(where, 'maxHealthyPercent', `must be above minHealthyPercent (${min}): otherwise Amazon ECS can neither start a new task nor stop an old one`, `${max}`);
    }
    this.minHealthyPercent = min;
    this.maxHealthyPercent = max;
    this.circuitBreaker = props.circuitBreaker ?? true;
    const bake = props.bakeTime;
    if (bake !== undefined && !bake.isUnresolved() && (bake.toSeconds() % 60 !== 0 || bake.toSeconds() / 60 > 1440)) {
      failWith(where, 'bakeTime', 'must be whole minutes from 0 to 1440', bake.toHumanString());
    }
    (props.rollbackAlarms ?? []).forEach((a, i) => {
      if (a === undefined || a === null || typeof a.alarmName !== 'string') fail(where, `rollbackAlarms[${i}]`, 'must be a CloudWatch alarm', a);
    });
    checkUnreleased(where, service, true);

    for (const alarm of gateAlarms(this, this.plan.gates())) this.alarms.push(alarm);
    for (const alarm of props.rollbackAlarms ?? []) this.alarms.push(alarm);

    const cfnService = service.node.defaultChild as ecs.CfnService;
    cfnService.addPropertyOverride('DeploymentConfiguration.Strategy', 'ROLLING');
    cfnService.addPropertyOverride('DeploymentConfiguration.MinimumHealthyPercent', min);
    cfnService.addPropertyOverride('DeploymentConfiguration.MaximumPercent', max);
    cfnService.addPropertyOverride('DeploymentConfiguration.DeploymentCircuitBreaker', { Enable: this.circuitBreaker, Rollback: this.circuitBreaker });
    if (bake !== undefined) cfnService.addPropertyOverride('DeploymentConfiguration.BakeTimeInMinutes', bake.toMinutes());
    const rollback = props.rollbackOnAlarm ?? true;
    cfnService.addPropertyOverride('DeploymentConfiguration.Alarms', Lazy.any({
      produce: () => this.alarms.length === 0
        ? { AlarmNames: [], Enable: false, Rollback: false }
        : { AlarmNames: this.alarms.map((a) => a.alarmName), Enable: true, Rollback: rollback },
    }));
    this.node.addValidation({
      validate: () => props.rollbackOnAlarm === true && this.alarms.length === 0
        ? [`invalid 'rollbackOnAlarm': needs at least one alarm (rollbackAlarms, addRollbackAlarm() or a CloudWatch gate in the plan), got ${show(true)}`]
        : [],
    });
  }

  /** Every alarm that rolls a deployment back (a copy). */
  public get rollbackAlarms(): cloudwatch.IAlarm[] {
    return [...this.alarms];
  }

  /** Adds an alarm that rolls a deployment back. */
  public addRollbackAlarm(alarm: cloudwatch.IAlarm): void {
    if (alarm === undefined || alarm === null || typeof alarm.alarmName !== 'string') fail(this.node.path, 'alarm', 'must be a CloudWatch alarm', alarm);
    this.alarms.push(alarm);
  }
}
