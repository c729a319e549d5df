/**
 * The implementation `EcsBlueGreenService` and `EcsCanaryRollout` share: it checks the props, turns
 * the plan into the engine's schedule, and puts together the production routing
 * (ecs-production-routing.ts), the rollback alarms (ecs-default-alarms.ts, gate-alarms.ts) and the
 * engine (`EcsDeploymentEngine._bind`). Both constructs create one `EcsRelease` in their constructor
 * and expose what it made.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { checkEcsAlarmOptions, ecsDefaultAlarms } from './ecs-default-alarms';
import { checkRoutingProps, createProductionRouting, problem, ProductionRouting, routingProblems } from './ecs-production-routing';
import { EcsReleaseBinding } from './ecs-release-binding';
import { checkGates, gateAlarms } from './gate-alarms';
import { failWith, ScheduleKind, toSchedule, TrafficSchedule } from './schedule';
import { fail, withPath } from '../../private/validate';
import { RolloutPlan } from '../../strategy/rollout-plan';
import { EcsDeploymentEngine } from '../ecs-deployment-engine';
import { EcsReleaseProps } from '../ecs-release-props';

/** Services that already have a release, with the path of the construct that released them. */
const RELEASED = new WeakMap<ecs.BaseService, string>();

/** Refuses a service another construct already releases; `claim` records this one as its releaser. */
export function checkUnreleased(where: string, service: ecs.BaseService, claim = false): void {
  const owner = RELEASED.get(service);
  if (owner !== undefined) {
    failWith(where, 'service', 'takes one release: its deployment configuration and load balancers are already set', `a service released by ${owner}`);
  }
  if (claim) RELEASED.set(service, where);
}

/** Which construct uses the release: decides the plans it takes. */
export enum ReleaseShape {
  BLUE_GREEN = 'EcsBlueGreenService',
  CANARY = 'EcsCanaryRollout',
}

/** Everything an ECS release made, for the construct to expose. */
export class EcsRelease implements EcsReleaseBinding {
  public readonly scope: Construct;
  public readonly props: EcsReleaseProps;
  public readonly service: ecs.BaseService;
  public readonly engine: EcsDeploymentEngine;
  public readonly schedule: TrafficSchedule;
  public readonly keepPrevious: Duration;
  public readonly containerName?: string;
  public readonly containerPort?: number;
  public readonly routing?: ProductionRouting;
  public readonly deploymentGroup?: codedeploy.EcsDeploymentGroup;
  public readonly deploymentConfig?: codedeploy.IEcsDeploymentConfig;
  public readonly appSpec?: string;
  public readonly alarms: cloudwatch.IAlarm[] = [];

  constructor(scope: Construct, props: EcsReleaseProps, plan: RolloutPlan, shape: ReleaseShape) {
    const where = scope.node.path;
    this.scope = scope;
    this.props = props;
    if (!(props.service instanceof ecs.BaseService)) {
      fail(where, 'service', 'must be an ecs.FargateService or ecs.Ec2Service created in this app', props.service);
    }
    if (!(plan instanceof RolloutPlan)) fail(where, 'plan', 'must be a RolloutPlan', plan);
    const service = props.service;
    this.service = service;
    checkUnreleased(where, service);
    const engine = props.engine ?? EcsDeploymentEngine.ecsNative();
    if (!(engine instanceof EcsDeploymentEngine)) fail(where, 'engine', 'must be EcsDeploymentEngine.ecsNative() or EcsDeploymentEngine.codeDeploy()', engine);
    this.engine = engine;

    // Where production traffic comes in, and whether the service suits the engine.
    checkRoutingProps(scope, props);
    const alb = props.listener;
    const nlb = props.networkListener;
    const hasLoadBalancer = alb !== undefined || nlb !== undefined;
    engine._checkService(where, service, hasLoadBalancer);
    if (!engine._serviceNamesRules && props.testListener !== undefined && props.testListener === alb) {
      failWith(where, 'testListener', `must be another listener than listener with ${engine}, which moves whole listeners (test traffic on the production listener needs EcsDeploymentEngine.ecsNative())`, 'the production listener');
    }

    // The plan, in the engine's terms, and how long the previous version stays.
    const schedule = withPath(where, 'plan', () => toSchedule(where, plan, engine._limits));
    this.schedule = schedule;
    if (shape === ReleaseShape.BLUE_GREEN && schedule.kind !== ScheduleKind.ALL_AT_ONCE) {
      fail(where, 'plan', 'EcsBlueGreenService moves all traffic at once (use EcsCanaryRollout for canary and linear plans)', plan);
    }
    if (shape === ReleaseShape.CANARY && schedule.kind === ScheduleKind.ALL_AT_ONCE) {
      fail(where, 'plan', 'EcsCanaryRollout needs a canary or linear plan (use EcsBlueGreenService to move all traffic at once)', plan);
    }
    if (schedule.kind !== ScheduleKind.ALL_AT_ONCE && !hasLoadBalancer) {
      fail(where, 'listener', 'a canary or linear plan moves traffic on a load balancer: give listener (ALB) or networkListener (NLB)', undefined);
    }
    this.keepPrevious = props.keepPrevious ?? Duration.minutes(15);
    engine._checkSchedule(where, plan, schedule, this.keepPrevious, nlb !== undefined, service);

    // Gates become rollback alarms.
    checkGates(where, 'plan.gates', plan.gates());
    const alarmOptions = props.defaultAlarms ?? {};
    const defaultAlarms = alarmOptions.enabled ?? hasLoadBalancer;
    if (defaultAlarms && !hasLoadBalancer) {
      fail(where, 'defaultAlarms.enabled', 'the default alarms watch the target groups, so they need listener or networkListener', true);
    }
    checkEcsAlarmOptions(scope, alarmOptions);
    (props.rollbackAlarms ?? []).forEach((a, i) => {
      if (a === undefined || a === null || typeof a.alarmName !== 'string') fail(where, `rollbackAlarms[${i}]`, 'must be a CloudWatch alarm', a);
    });

    // Which container takes traffic.
    const containerName = props.containerName ?? service.taskDefinition.defaultContainer?.containerName;
    if (hasLoadBalancer && containerName === undefined) {
      fail(where, 'containerName', 'is required: the task definition has no default (essential) container', undefined);
    }
    const container = containerName === undefined ? undefined : service.taskDefinition.findContainer(containerName);
    if (hasLoadBalancer && container === undefined) {
      fail(where, 'containerName', 'must name a container of the service\'s task definition', containerName);
    }
    if (hasLoadBalancer && props.containerPort === undefined && container!.portMappings.length === 0) {
      fail(where, 'containerPort', `is required: container '${containerName}' has no port mappings`, undefined);
    }
    const containerPort = props.containerPort ?? container?.portMappings[0]?.containerPort;
    const mapped = (port: number) => container!.portMappings.some((m) => m.containerPort === port);
    if (props.containerPort !== undefined && container !== undefined && !mapped(props.containerPort)) {
      fail(where, 'containerPort', `must be a port mapping of container '${containerName}' (${container.portMappings.map((m) => m.containerPort).join(', ')})`, props.containerPort);
    }
    this.containerName = containerName;
    this.containerPort = containerPort;

    checkUnreleased(where, service, true);
    if (hasLoadBalancer) {
      this.routing = createProductionRouting(scope, props, service, containerPort, engine._serviceNamesRules);
      engine._attachService(this);
      if (defaultAlarms) {
        this.alarms.push(...ecsDefaultAlarms(scope, alarmOptions, (alb ?? nlb)!, alb !== undefined, this.routing.blue, this.routing.green));
      }
    }

    const made = engine._bind(this);
    this.deploymentGroup = made.deploymentGroup;
    this.deploymentConfig = made.deploymentConfig;
    this.appSpec = made.appSpec;
    for (const alarm of gateAlarms(scope, plan.gates())) this.alarms.push(alarm);
    for (const alarm of props.rollbackAlarms ?? []) this.alarms.push(alarm);
    for (const alarm of this.alarms) this.deploymentGroup?.addAlarm(alarm);
    this.addValidations();
  }

  /** Target group of the first version. */
  public get blueTargetGroup(): elbv2.ITargetGroup | undefined {
    return this.routing?.blue;
  }

  /** Target group of the second version. */
  public get greenTargetGroup(): elbv2.ITargetGroup | undefined {
    return this.routing?.green;
  }

  /** The production listener rule (created, or the one given). */
  public get productionRule(): elbv2.ApplicationListenerRule | undefined {
    return this.routing?.productionRule;
  }

  /** The test listener rule. */
  public get testRule(): elbv2.ApplicationListenerRule | undefined {
    return this.routing?.testRule;
  }

  /** Adds an alarm that rolls a deployment back. */
  public addRollbackAlarm(alarm: cloudwatch.IAlarm): void {
    if (alarm === undefined || alarm === null || typeof alarm.alarmName !== 'string') {
      fail(this.scope.node.path, 'alarm', 'must be a CloudWatch alarm', alarm);
    }
    this.alarms.push(alarm);
    this.deploymentGroup?.addAlarm(alarm);
  }

  private addValidations(): void {
    this.scope.node.addValidation({
      validate: () => {
        const errors: string[] = [];
        if (this.props.rollbackOnAlarm === true && this.alarms.length === 0) {
          errors.push(problem('rollbackOnAlarm', 'needs at least one alarm (defaultAlarms, rollbackAlarms, addRollbackAlarm() or a CloudWatch gate in the plan)', true));
        }
        if (this.routing !== undefined) errors.push(...routingProblems(this.scope, this.props, this.routing, this.service));
        errors.push(...this.engine._problems(this));
        return errors;
      },
    });
  }
}
