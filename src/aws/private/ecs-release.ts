/**
 * The implementation `EcsBlueGreenService` and `EcsCanaryRollout` share: checks, target groups, the
 * production listener rule, rollback alarms and the engine's resources. Both constructs create one
 * `EcsRelease` in their constructor and expose what it made.
 */
import { CfnOutput, Duration, Fn, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { checkAlarmEvaluation, checkGates, gateAlarms } from './gate-alarms';
import { dimensions, RollbackAlarm } from './rollback-alarm';
import { EngineLimits, failWith, ScheduleKind, shiftMinutes, toSchedule, TrafficSchedule } from './schedule';
import { checkNumber, checkRange, fail, show, withPath } from '../../private/validate';
import { RolloutPlan } from '../../strategy/rollout-plan';
import { EcsDeploymentEngine, EcsDeploymentEngineKind } from '../ecs-deployment-engine';
import { EcsReleaseProps } from '../ecs-release-props';

/** Amazon ECS: canary and linear bakes take 0 to 1440 minutes; a linear step moves at least 3%. */
export const ECS_LIMITS: EngineLimits = {
  engine: 'Amazon ECS', minLinearPercent: 3, maxIntervalMinutes: 1440, pauseFirst: false, pauseAlternative: ' (EcsDeploymentEngine.codeDeploy() can, as an approval wait)',
};
/** AWS CodeDeploy: whole-minute intervals, whole percentages; an approval wait can precede the shift. */
export const CODEDEPLOY_LIMITS: EngineLimits = { engine: 'AWS CodeDeploy', minLinearPercent: 1, pauseFirst: true };
/** Amazon ECS keeps the previous revision (its bake time) at most 24 hours. */
export const ECS_MAX_KEEP_MINUTES = 1440;
/** CodeDeploy waits at most 2 days before it terminates the original task set. */
export const CODEDEPLOY_MAX_KEEP_MINUTES = 2880;
/** CloudFormation rejects ECS deployments whose bake time plus traffic-shift bakes exceed 33 hours. */
export const CLOUDFORMATION_MAX_ECS_MINUTES = 33 * 60;
/** Forward actions take at most five target groups, weighted from 0 to 999. */
export const MAX_FORWARD_TARGET_GROUPS = 5;
export const MAX_FORWARD_WEIGHT = 999;

/**
 * The production (and test) rule's action: one forward over the target group pair, blue 100 and green 0.
 *
 * aws-cdk-lib's weighted forward registers the target groups as attached through the rule, so the
 * service gets a `DependsOn` on the rule (the target groups must be attached to the load balancer before
 * ECS registers tasks). With the Amazon ECS engine the service already names the rules in its
 * `AdvancedConfiguration`, which orders them first; the extra `DependsOn` only makes cfn-lint warn
 * (W3005). This action then attaches the target groups through the listener instead. With CodeDeploy
 * the service does not name the rule, so the rule stays the attaching construct.
 */
class PairForward extends elbv2.ListenerAction {
  constructor(private readonly blue: elbv2.IApplicationTargetGroup, private readonly green: elbv2.IApplicationTargetGroup,
    private readonly serviceNamesRule: boolean) {
    super({
      type: 'forward',
      forwardConfig: {
        targetGroups: [{ targetGroupArn: blue.targetGroupArn, weight: 100 }, { targetGroupArn: green.targetGroupArn, weight: 0 }],
      },
    });
  }

  public bind(_scope: Construct, listener: elbv2.IApplicationListener, associatingConstruct?: IConstruct): void {
    for (const tg of [this.blue, this.green]) tg.registerListener(listener, this.serviceNamesRule ? undefined : associatingConstruct);
  }
}

/**
 * The service's alternate target for the Amazon ECS engine: what `ecs.AlternateTarget` binds, with the
 * role it creates by default made as a `CfnRole` rather than an `iam.Role`. The release only needs the
 * role's ARN, and the L2 role renders its trust policy and managed policy list through lazy policy
 * documents at synthesis. Same path (`<service>/<id>Role/Resource`, hence logical ID), same properties:
 * the trust policy of `ServicePrincipal('ecs.amazonaws.com')` and the ARN
 * `ManagedPolicy.fromAwsManagedPolicyName()` formats.
 */
class ReleaseAlternateTarget implements ecs.IAlternateTarget {
  constructor(private readonly id: string, private readonly config: Omit<ecs.AlternateTargetConfig, 'roleArn'>,
    private readonly role?: iam.IRole) {}

  public bind(scope: IConstruct): ecs.AlternateTargetConfig {
    return { ...this.config, roleArn: this.role?.roleArn ?? infrastructureRole(scope, `${this.id}Role`).attrArn };
  }
}

/** The role Amazon ECS assumes to move traffic between the target groups (see `ReleaseAlternateTarget`). */
function infrastructureRole(scope: IConstruct, id: string): iam.CfnRole {
  return new iam.CfnRole(new Construct(scope, id), 'Resource', {
    assumeRolePolicyDocument: {
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ecs.amazonaws.com' } }],
      Version: '2012-10-17',
    },
    managedPolicyArns: [Stack.of(scope).formatArn({
      service: 'iam', region: '', account: 'aws', resource: 'policy', resourceName: 'AmazonECSInfrastructureRolePolicyForLoadBalancers',
    })],
  });
}

/** Services that already have a release, with the path of the construct that released them. */
const RELEASED = new WeakMap<ecs.BaseService, string>();

/** Which construct uses the release: decides the plans it takes. */
export enum ReleaseShape {
  BLUE_GREEN = 'EcsBlueGreenService',
  CANARY = 'EcsCanaryRollout',
}

/** Everything an ECS release made, for the construct to expose. */
export class EcsRelease {
  public readonly engine: EcsDeploymentEngine;
  public readonly schedule: TrafficSchedule;
  public readonly keepPrevious: Duration;
  public readonly blueTargetGroup?: elbv2.ITargetGroup;
  public readonly greenTargetGroup?: elbv2.ITargetGroup;
  public readonly productionRule?: elbv2.ApplicationListenerRule;
  public readonly testRule?: elbv2.ApplicationListenerRule;
  public deploymentGroup?: codedeploy.EcsDeploymentGroup;
  public deploymentConfig?: codedeploy.IEcsDeploymentConfig;
  public appSpec?: string;
  public readonly alarms: cloudwatch.IAlarm[] = [];

  private readonly scope: Construct;
  private readonly service: ecs.BaseService;
  private readonly plan: RolloutPlan;

  constructor(scope: Construct, props: EcsReleaseProps, plan: RolloutPlan, shape: ReleaseShape) {
    const where = scope.node.path;
    this.scope = scope;
    if (!(props.service instanceof ecs.BaseService)) {
      fail(where, 'service', 'must be an ecs.FargateService or ecs.Ec2Service created in this app', props.service);
    }
    if (!(plan instanceof RolloutPlan)) fail(where, 'plan', 'must be a RolloutPlan', plan);
    const service = props.service;
    this.service = service;
    this.plan = plan;
    const owner = RELEASED.get(service);
    if (owner !== undefined) {
      failWith(where, 'service', 'takes one release: its deployment configuration and load balancers are already set', `a service released by ${owner}`);
    }
    const engine = props.engine ?? EcsDeploymentEngine.ecsNative();
    if (!(engine instanceof EcsDeploymentEngine)) fail(where, 'engine', 'must be EcsDeploymentEngine.ecsNative() or EcsDeploymentEngine.codeDeploy()', engine);
    this.engine = engine;
    const native = engine.kind === EcsDeploymentEngineKind.ECS_NATIVE;
    const cfnService = service.node.defaultChild as ecs.CfnService;

    // Where production traffic comes in.
    const alb = props.listener;
    const nlb = props.networkListener;
    if (alb !== undefined && nlb !== undefined) {
      fail(where, 'networkListener', 'give listener (Application Load Balancer) or networkListener (Network Load Balancer), not both', 'both');
    }
    if (nlb !== undefined && !(nlb instanceof elbv2.NetworkListener)) {
      fail(where, 'networkListener', 'must be an elbv2.NetworkListener created in this app (the release sets its default action)', nlb);
    }
    const hasLoadBalancer = alb !== undefined || nlb !== undefined;
    if (props.productionRule !== undefined && alb === undefined) {
      fail(where, 'productionRule', 'needs listener, the Application Load Balancer listener the rule belongs to', undefined);
    }
    if (props.productionRule !== undefined && (props.routeConditions !== undefined || props.routePriority !== undefined)) {
      fail(where, props.routeConditions !== undefined ? 'routeConditions' : 'routePriority', 'shapes the rule the release creates, so it cannot be combined with productionRule', props.routeConditions ?? props.routePriority);
    }
    if (props.productionRule === undefined && props.routePriority !== undefined && !Token.isUnresolved(props.routePriority)) {
      checkRange(where, 'routePriority', props.routePriority, 1, 50000);
    }
    if (props.routeConditions !== undefined && props.routeConditions.length === 0) {
      fail(where, 'routeConditions', 'must have at least one ListenerCondition', props.routeConditions);
    }
    if (props.testListener !== undefined && alb === undefined) {
      fail(where, 'testListener', 'needs listener: test traffic goes through an Application Load Balancer', undefined);
    }
    if ((props.blueTargetGroup === undefined) !== (props.greenTargetGroup === undefined)) {
      fail(where, props.blueTargetGroup === undefined ? 'blueTargetGroup' : 'greenTargetGroup', 'blueTargetGroup and greenTargetGroup must be given together', undefined);
    }
    if (props.blueTargetGroup !== undefined && !hasLoadBalancer) {
      fail(where, 'blueTargetGroup', 'needs listener or networkListener, where the target groups take traffic', undefined);
    }
    if (props.productionRule !== undefined && props.blueTargetGroup === undefined) {
      fail(where, 'blueTargetGroup', 'is required with productionRule: give the two target groups the rule forwards to', undefined);
    }
    if (props.blueTargetGroup !== undefined && sameTargetGroup(scope, props.blueTargetGroup, props.greenTargetGroup!)) {
      fail(where, 'greenTargetGroup', 'must differ from blueTargetGroup: the engine moves traffic from one target group to the other', Stack.of(scope).resolve(props.greenTargetGroup!.targetGroupArn));
    }

    // The service must suit the engine.
    // Read the L1 properties as they are: resolving them would freeze the lazy values aws-cdk-lib fills in
    // later (lifecycle hooks, alarms).
    const controllerProperty = cfnService.deploymentController as ecs.CfnService.DeploymentControllerProperty | undefined;
    const controller = controllerProperty?.type ?? ecs.DeploymentControllerType.ECS;
    if (native) {
      if (controller !== ecs.DeploymentControllerType.ECS) {
        failWith(where, 'service', 'the Amazon ECS engine needs a service with the ECS deployment controller (the default); use EcsDeploymentEngine.codeDeploy() for a CODE_DEPLOY service', `a service with the ${controller} deployment controller`);
      }
      const raw = Token.isUnresolved(cfnService.deploymentConfiguration) ? {} : cfnService.deploymentConfiguration ?? {};
      const config = raw as ecs.CfnService.DeploymentConfigurationProperty;
      if (config.deploymentCircuitBreaker !== undefined) {
        failWith(where, 'service', 'must not use a deployment circuit breaker: Amazon ECS applies it to rolling deployments only, and blue/green, canary and linear deployments roll back on alarms', 'a service with circuitBreaker');
      }
      if (config.strategy !== undefined || config.bakeTimeInMinutes !== undefined) {
        failWith(where, 'service', 'must leave deploymentStrategy and bakeTime unset: the release sets them from the plan and keepPrevious', `a service with deploymentStrategy ${config.strategy ?? 'unset'} and bakeTime ${config.bakeTimeInMinutes ?? 'unset'}`);
      }
      if (userDeploymentAlarms(service).length > 0) {
        failWith(where, 'service', 'must leave deploymentAlarms unset: pass those alarms in rollbackAlarms so one list decides the rollback', `a service with deployment alarms ${userDeploymentAlarms(service).map((n) => show(Stack.of(scope).resolve(n))).join(', ')}`);
      }
    } else {
      if (controller !== ecs.DeploymentControllerType.CODE_DEPLOY) {
        failWith(where, 'service', 'the AWS CodeDeploy engine needs a service created with deploymentController: { type: DeploymentControllerType.CODE_DEPLOY }', `a service with the ${controller} deployment controller`);
      }
      if (cfnService.taskDefinition !== service.taskDefinition.family) {
        failWith(where, 'service', 'the AWS CodeDeploy engine needs a service that follows the latest revision of its task definition family, so CloudFormation never changes the task definition CodeDeploy rolled out', 'a service pinned to one task definition revision');
      }
      if (!hasLoadBalancer) {
        fail(where, 'listener', 'AWS CodeDeploy moves ECS traffic on a load balancer: give listener (ALB) or networkListener (NLB)', undefined);
      }
    }

    // The plan, in the engine's terms.
    const schedule = withPath(where, 'plan', () => toSchedule(where, plan, native ? ECS_LIMITS : CODEDEPLOY_LIMITS));
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
    if (!native && nlb !== undefined && schedule.kind !== ScheduleKind.ALL_AT_ONCE) {
      fail(where, 'plan', 'AWS CodeDeploy shifts Network Load Balancer traffic all at once only; nearest plan it can express: RolloutPlan.allAtOnce()', plan);
    }

    // How long the previous version stays.
    const keep = props.keepPrevious ?? Duration.minutes(15);
    this.keepPrevious = keep;
    if (!keep.isUnresolved()) {
      const keepSeconds = keep.toSeconds();
      const max = native ? ECS_MAX_KEEP_MINUTES : CODEDEPLOY_MAX_KEEP_MINUTES;
      if (keepSeconds % 60 !== 0) failWith(where, 'keepPrevious', `${engine} needs whole minutes`, `${keepSeconds} seconds`);
      if (keepSeconds / 60 > max) {
        failWith(where, 'keepPrevious', native
          ? `Amazon ECS keeps the previous revision at most 24 hours (${max} minutes)`
          : `AWS CodeDeploy keeps the original task set at most 2 days (${max} minutes)`, `${keepSeconds / 60} minutes`);
      }
      const total = keepSeconds / 60 + shiftMinutes(schedule);
      if (native && total > CLOUDFORMATION_MAX_ECS_MINUTES) {
        failWith(where, 'plan', `CloudFormation rejects ECS deployments whose keepPrevious plus traffic-shift bakes exceed 33 hours (${CLOUDFORMATION_MAX_ECS_MINUTES} minutes); shorten the bakes or keepPrevious`, `${keepSeconds / 60} + ${shiftMinutes(schedule)} = ${total} minutes`);
      }
    }
    const approvalTimeout = engine.codeDeployOptions?.approvalTimeout;
    if (approvalTimeout !== undefined && !schedule.pauseFirst) {
      fail(where, 'engine.approvalTimeout', 'needs a plan that starts with Step.pause(), the approval CodeDeploy waits for', approvalTimeout.toHumanString());
    }
    const approval = schedule.pauseFirst ? approvalTimeout ?? Duration.hours(1) : undefined;
    if (approval !== undefined && !approval.isUnresolved() && (approval.toSeconds() % 60 !== 0 || approval.toSeconds() < 60)) {
      failWith(where, 'engine.approvalTimeout', 'AWS CodeDeploy needs whole minutes, at least 1', `${approval.toSeconds()} seconds`);
    }

    // Gates become rollback alarms.
    const gates = plan.gates();
    checkGates(where, 'plan.gates', gates);
    const alarmOptions = props.defaultAlarms ?? {};
    const defaultAlarms = alarmOptions.enabled ?? hasLoadBalancer;
    if (defaultAlarms && !hasLoadBalancer) {
      fail(where, 'defaultAlarms.enabled', 'the default alarms watch the target groups, so they need listener or networkListener', true);
    }
    checkAlarmOptions(where, props);
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

    RELEASED.set(service, where);
    if (!hasLoadBalancer) {
      this.renderEngine(cfnService, props, containerName, containerPort);
      this.addAlarms(props);
      this.addValidations(props);
      return;
    }

    // Target groups.
    const vpc = service.cluster.vpc;
    const targetType = service.taskDefinition.networkMode === ecs.NetworkMode.AWS_VPC ? elbv2.TargetType.IP : elbv2.TargetType.INSTANCE;
    let blue = props.blueTargetGroup;
    let green = props.greenTargetGroup;
    if (alb !== undefined) {
      if (blue === undefined) {
        const tgProps: elbv2.ApplicationTargetGroupProps = {
          vpc, port: containerPort, protocol: props.targetProtocol ?? elbv2.ApplicationProtocol.HTTP, targetType, healthCheck: props.healthCheck,
        };
        blue = new elbv2.ApplicationTargetGroup(scope, 'BlueTargetGroup', tgProps);
        green = new elbv2.ApplicationTargetGroup(scope, 'GreenTargetGroup', tgProps);
      } else {
        for (const [field, tg] of [['blueTargetGroup', blue], ['greenTargetGroup', green]] as const) {
          if (typeof (tg as any).registerListener !== 'function' || typeof (tg as any).registerConnectable !== 'function') {
            fail(where, field, 'must be an application target group (elbv2.IApplicationTargetGroup) behind listener', Stack.of(scope).resolve(tg!.targetGroupArn));
          }
        }
      }
    } else {
      if (props.targetProtocol !== undefined) {
        fail(where, 'targetProtocol', 'applies to Application Load Balancer target groups; a Network Load Balancer forwards TCP', props.targetProtocol);
      }
      if (blue === undefined) {
        const tgProps: elbv2.NetworkTargetGroupProps = {
          vpc, port: containerPort!, protocol: elbv2.Protocol.TCP, targetType, healthCheck: props.healthCheck,
        };
        blue = new elbv2.NetworkTargetGroup(scope, 'BlueTargetGroup', tgProps);
        green = new elbv2.NetworkTargetGroup(scope, 'GreenTargetGroup', tgProps);
      } else {
        for (const [field, tg] of [['blueTargetGroup', blue], ['greenTargetGroup', green]] as const) {
          if (typeof (tg as any).registerListener !== 'function' || typeof (tg as any).registerConnectable === 'function') {
            fail(where, field, 'must be a network target group (elbv2.INetworkTargetGroup) behind networkListener', Stack.of(scope).resolve(tg!.targetGroupArn));
          }
        }
      }
    }
    this.blueTargetGroup = blue!;
    this.greenTargetGroup = green!;

    // Production (and test) routing: one forward action over both target groups, blue first with all
    // the traffic. Its properties depend only on the listener, the conditions, the priority and the
    // target groups, never on the image, the plan or the alarms: both engines rewrite the weights
    // outside CloudFormation, and a later template change would send production back to whichever
    // target group the template names, which may by then hold no tasks.
    const forward = (): elbv2.ListenerAction =>
      new PairForward(blue as elbv2.IApplicationTargetGroup, green as elbv2.IApplicationTargetGroup, native);
    if (alb !== undefined) {
      const conditions = props.routeConditions ?? [elbv2.ListenerCondition.pathPatterns(['/*'])];
      const priority = props.routePriority ?? 50000;
      if (props.productionRule !== undefined) {
        // Checked at synth (addValidations): the rule's action may still be configured after this.
        this.productionRule = props.productionRule;
      } else {
        this.productionRule = new elbv2.ApplicationListenerRule(scope, 'ProductionRule', {
          listener: alb, priority, conditions, action: forward(),
        });
      }
      if (props.testListener !== undefined) {
        this.testRule = new elbv2.ApplicationListenerRule(scope, 'TestRule', {
          listener: props.testListener,
          priority,
          conditions,
          action: forward(),
        });
      }
    } else {
      // aws-cdk-lib keeps the default action in a private field; resolving the listener's lazy
      // DefaultActions here would freeze them before the action below is set.
      if ((nlb as unknown as { defaultAction?: unknown }).defaultAction !== undefined) {
        failWith(where, 'networkListener', 'must be created without a default action: the release sets it to forward to the blue and green target groups', 'a listener with a default action');
      }
      nlb!.addAction('ReleaseForward', {
        action: elbv2.NetworkListenerAction.weightedForward([
          { targetGroup: blue as elbv2.INetworkTargetGroup, weight: 100 },
          { targetGroup: green as elbv2.INetworkTargetGroup, weight: 0 },
        ]),
      });
    }

    // Register the service with the blue target group; the engine registers the green version.
    if (native) {
      const alternateTarget = new ReleaseAlternateTarget(`${scope.node.id}AlternateTarget`, {
        alternateTargetGroupArn: green!.targetGroupArn,
        productionListenerRule: alb !== undefined ? this.productionRule!.listenerRuleArn : nlb!.listenerArn,
        testListenerRule: this.testRule?.listenerRuleArn,
      }, engine.nativeOptions?.infrastructureRole);
      const target = service.loadBalancerTarget({ containerName: containerName!, containerPort, alternateTarget });
      if (alb !== undefined) target.attachToApplicationTargetGroup(blue as elbv2.IApplicationTargetGroup);
      else target.attachToNetworkTargetGroup(blue as elbv2.INetworkTargetGroup);
    } else {
      const target = service.loadBalancerTarget({ containerName: containerName!, containerPort });
      if (alb !== undefined) target.attachToApplicationTargetGroup(blue as elbv2.IApplicationTargetGroup);
      else target.attachToNetworkTargetGroup(blue as elbv2.INetworkTargetGroup);
    }

    // Default alarms on both target groups: each carries the new version in turn. CfnAlarm properties
    // as cloudwatch.Alarm renders them for these metrics (see rollback-alarm.ts).
    if (defaultAlarms) {
      const lbFullName = loadBalancerFullName((alb ?? nlb)!);
      const evaluationPeriods = alarmOptions.evaluationPeriods ?? 3;
      const datapointsToAlarm = alarmOptions.datapointsToAlarm ?? 2;
      const period = 60;
      const common = {
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods,
        datapointsToAlarm,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      };
      const maxPercent = alarmOptions.max5xxPercent ?? 1;
      const maxP99 = alarmOptions.maxP99ResponseTime ?? Duration.seconds(1);
      const maxUnhealthy = alarmOptions.maxUnhealthyTargets ?? 0;
      for (const [color, tg] of [['Blue', blue!], ['Green', green!]] as const) {
        const metricDimensions = dimensions({ LoadBalancer: lbFullName, TargetGroup: targetGroupFullName(tg) });
        const sum = (id: string, metricName: string): cloudwatch.CfnAlarm.MetricDataQueryProperty => ({
          id,
          metricStat: { metric: { metricName, namespace: 'AWS/ApplicationELB', dimensions: metricDimensions }, period, stat: 'Sum' },
          returnData: false,
        });
        if (alb !== undefined) {
          this.alarms.push(new RollbackAlarm(scope, `${color}5xxAlarm`, {
            ...common,
            alarmDescription: `Rolls back a deployment when more than ${maxPercent}% of requests to the ${color.toLowerCase()} target group get a 5xx from its targets`,
            metrics: [
              { expression: '100 * FILL(errors, 0) / requests', id: 'expr_1', label: `${color} target 5xx percent`, returnData: true },
              sum('errors', 'HTTPCode_Target_5XX_Count'),
              sum('requests', 'RequestCount'),
            ],
            threshold: maxPercent,
          }));
          this.alarms.push(new RollbackAlarm(scope, `${color}P99Alarm`, {
            ...common,
            alarmDescription: `Rolls back a deployment when the p99 response time of the ${color.toLowerCase()} target group exceeds ${maxP99.toHumanString()}`,
            dimensions: metricDimensions,
            namespace: 'AWS/ApplicationELB',
            metricName: 'TargetResponseTime',
            period,
            extendedStatistic: 'p99',
            threshold: maxP99.isUnresolved() ? maxP99.toSeconds() : maxP99.toMilliseconds() / 1000,
          }));
        } else {
          this.alarms.push(new RollbackAlarm(scope, `${color}UnhealthyAlarm`, {
            ...common,
            alarmDescription: `Rolls back a deployment when more than ${maxUnhealthy} targets of the ${color.toLowerCase()} target group are unhealthy`,
            dimensions: metricDimensions,
            namespace: 'AWS/NetworkELB',
            metricName: 'UnHealthyHostCount',
            period,
            statistic: 'Maximum',
            threshold: maxUnhealthy,
          }));
        }
      }
    }

    this.renderEngine(cfnService, props, containerName, containerPort);
    this.addAlarms(props);
    this.addValidations(props);
  }

  /** Adds an alarm that rolls a deployment back. */
  public addRollbackAlarm(alarm: cloudwatch.IAlarm): void {
    if (alarm === undefined || alarm === null || typeof alarm.alarmName !== 'string') {
      fail(this.scope.node.path, 'alarm', 'must be a CloudWatch alarm', alarm);
    }
    this.alarms.push(alarm);
    this.deploymentGroup?.addAlarm(alarm);
  }

  private addAlarms(props: EcsReleaseProps): void {
    for (const alarm of gateAlarms(this.scope, this.plan.gates())) this.alarms.push(alarm);
    for (const alarm of props.rollbackAlarms ?? []) this.alarms.push(alarm);
    for (const alarm of this.alarms) this.deploymentGroup?.addAlarm(alarm);
  }

  private addValidations(props: EcsReleaseProps): void {
    const service = this.service;
    this.scope.node.addValidation({
      validate: () => {
        const errors: string[] = [];
        if (props.rollbackOnAlarm === true && this.alarms.length === 0) {
          errors.push(problem('rollbackOnAlarm', 'needs at least one alarm (defaultAlarms, rollbackAlarms, addRollbackAlarm() or a CloudWatch gate in the plan)', true));
        }
        if (props.productionRule !== undefined && props.listener !== undefined) {
          errors.push(...productionRuleProblems(this.scope, props.productionRule, props.listener, this.blueTargetGroup!, this.greenTargetGroup!));
        }
        if (props.networkListener !== undefined) {
          errors.push(...networkListenerProblems(this.scope, props.networkListener, this.blueTargetGroup!, this.greenTargetGroup!));
        }
        if (this.engine.kind === EcsDeploymentEngineKind.ECS_NATIVE && userDeploymentAlarms(service).length > 0) {
          errors.push(problem('service', 'must leave deploymentAlarms unset: pass those alarms to addRollbackAlarm() so one list decides the rollback', 'service.enableDeploymentAlarms()'));
        }
        return errors;
      },
    });
  }

  private renderEngine(cfnService: ecs.CfnService, props: EcsReleaseProps, containerName?: string, containerPort?: number): void {
    const schedule = this.schedule;
    if (this.engine.kind === EcsDeploymentEngineKind.ECS_NATIVE) {
      const strategy = { [ScheduleKind.ALL_AT_ONCE]: 'BLUE_GREEN', [ScheduleKind.CANARY]: 'CANARY', [ScheduleKind.LINEAR]: 'LINEAR' }[schedule.kind];
      cfnService.addPropertyOverride('DeploymentConfiguration.Strategy', strategy);
      cfnService.addPropertyOverride('DeploymentConfiguration.BakeTimeInMinutes', this.keepPrevious.toMinutes());
      if (schedule.kind === ScheduleKind.CANARY) {
        cfnService.addPropertyOverride('DeploymentConfiguration.CanaryConfiguration', {
          CanaryPercent: schedule.percent, CanaryBakeTimeInMinutes: schedule.intervalMinutes,
        });
      }
      if (schedule.kind === ScheduleKind.LINEAR) {
        cfnService.addPropertyOverride('DeploymentConfiguration.LinearConfiguration', {
          StepPercent: schedule.percent, StepBakeTimeInMinutes: schedule.intervalMinutes,
        });
      }
      const rollback = props.rollbackOnAlarm ?? true;
      cfnService.addPropertyOverride('DeploymentConfiguration.Alarms', Lazy.any({
        produce: () => this.alarms.length === 0
          ? { AlarmNames: [], Enable: false, Rollback: false }
          : { AlarmNames: this.alarms.map((a) => a.alarmName), Enable: true, Rollback: rollback },
      }));
      return;
    }

    const options = this.engine.codeDeployOptions ?? {};
    if (schedule.kind === ScheduleKind.ALL_AT_ONCE) {
      this.deploymentConfig = codedeploy.EcsDeploymentConfig.ALL_AT_ONCE;
    } else {
      const routing = { interval: Duration.minutes(schedule.intervalMinutes!), percentage: schedule.percent! };
      this.deploymentConfig = new codedeploy.EcsDeploymentConfig(this.scope, 'DeploymentConfig', {
        trafficRouting: schedule.kind === ScheduleKind.CANARY
          ? codedeploy.TrafficRouting.timeBasedCanary(routing)
          : codedeploy.TrafficRouting.timeBasedLinear(routing),
      });
    }
    this.deploymentGroup = new codedeploy.EcsDeploymentGroup(this.scope, 'DeploymentGroup', {
      application: options.application,
      deploymentGroupName: options.deploymentGroupName,
      role: options.role,
      service: this.service,
      // By name, not as a construct: the name's Ref orders the two, and a construct would add a
      // redundant DependsOn (cfn-lint W3005).
      deploymentConfig: codedeploy.EcsDeploymentConfig.fromEcsDeploymentConfigName(this.scope, 'DeploymentConfigName', this.deploymentConfig.deploymentConfigName),
      autoRollback: {
        failedDeployment: true,
        stoppedDeployment: false,
        deploymentInAlarm: props.rollbackOnAlarm === false ? false : undefined,
      },
      blueGreenDeploymentConfig: {
        blueTargetGroup: this.blueTargetGroup!,
        greenTargetGroup: this.greenTargetGroup!,
        listener: (props.listener ?? props.networkListener)!,
        testListener: props.testListener,
        terminationWaitTime: this.keepPrevious,
        deploymentApprovalWaitTime: schedule.pauseFirst ? options.approvalTimeout ?? Duration.hours(1) : undefined,
      },
    });
    const stack = Stack.of(this.scope);
    this.appSpec = stack.toJsonString({
      version: 0.0,
      Resources: [{
        TargetService: {
          Type: 'AWS::ECS::Service',
          Properties: {
            TaskDefinition: this.service.taskDefinition.taskDefinitionArn,
            LoadBalancerInfo: { ContainerName: containerName, ContainerPort: containerPort },
          },
        },
      }],
    });
    new CfnOutput(this.scope, 'CodeDeployApplication', {
      description: 'CodeDeploy application that rolls out new task definitions of this service',
      value: this.deploymentGroup.application.applicationName,
    });
    new CfnOutput(this.scope, 'CodeDeployDeploymentGroup', {
      description: 'CodeDeploy deployment group that rolls out new task definitions of this service',
      value: this.deploymentGroup.deploymentGroupName,
    });
    new CfnOutput(this.scope, 'AppSpec', {
      description: 'AppSpec content for aws deploy create-deployment (revisionType AppSpecContent) after this stack registered a new task definition',
      value: this.appSpec,
    });
  }
}

/** A validation message: `invalid '<field>': <allowed>, got <value>` (the framework adds the path). */
function problem(field: string, allowed: string, got: unknown): string {
  return problemWith(field, allowed, show(got));
}

/** A validation message with the value written as is. */
function problemWith(field: string, allowed: string, got: string): string {
  return `invalid '${field}': ${allowed}, got ${got}`;
}

function checkAlarmOptions(where: string, props: EcsReleaseProps): void {
  const o = props.defaultAlarms ?? {};
  if (o.max5xxPercent !== undefined && !Token.isUnresolved(o.max5xxPercent)) checkNumber(where, 'defaultAlarms.max5xxPercent', o.max5xxPercent, 0, 100);
  if (o.maxUnhealthyTargets !== undefined && !Token.isUnresolved(o.maxUnhealthyTargets)) checkRange(where, 'defaultAlarms.maxUnhealthyTargets', o.maxUnhealthyTargets, 0, 10000);
  if (o.maxP99ResponseTime !== undefined && !o.maxP99ResponseTime.isUnresolved() && o.maxP99ResponseTime.toMilliseconds() <= 0) {
    fail(where, 'defaultAlarms.maxP99ResponseTime', 'must be longer than 0 seconds', o.maxP99ResponseTime!.toHumanString());
  }
  checkAlarmEvaluation(where, o);
}

/** Alarm names a user enabled on the service through aws-cdk-lib (`deploymentAlarms`, `enableDeploymentAlarms()`). */
function userDeploymentAlarms(service: ecs.BaseService): string[] {
  const config = (service as unknown as { deploymentAlarms?: { enable?: boolean; alarmNames?: string[] } }).deploymentAlarms;
  return config?.enable ? [...(config.alarmNames ?? [])] : [];
}

function sameTargetGroup(scope: Construct, a: elbv2.ITargetGroup, b: elbv2.ITargetGroup): boolean {
  if (a === b) return true;
  const stack = Stack.of(scope);
  return JSON.stringify(stack.resolve(a.targetGroupArn)) === JSON.stringify(stack.resolve(b.targetGroupArn));
}

/** `app/<name>/<id>` or `net/<name>/<id>`, the LoadBalancer dimension of Elastic Load Balancing metrics. */
function loadBalancerFullName(listener: elbv2.IListener): string {
  const lb = (listener as { loadBalancer?: unknown }).loadBalancer;
  if (lb instanceof elbv2.ApplicationLoadBalancer || lb instanceof elbv2.NetworkLoadBalancer) return lb.loadBalancerFullName;
  // arn:<partition>:elasticloadbalancing:<region>:<account>:listener/<app|net>/<name>/<lb-id>/<listener-id>
  const parts = Fn.split('/', listener.listenerArn, 5);
  return Fn.join('/', [Fn.select(1, parts), Fn.select(2, parts), Fn.select(3, parts)]);
}

/** `targetgroup/<name>/<id>`, the TargetGroup dimension of Elastic Load Balancing metrics. */
function targetGroupFullName(tg: elbv2.ITargetGroup): string {
  if (tg instanceof elbv2.TargetGroupBase) return tg.targetGroupFullName;
  // arn:<partition>:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>
  return Fn.select(5, Fn.split(':', tg.targetGroupArn, 6));
}

/**
 * A production rule the user made must suit both engines: its only action forwards (ECS refuses rules
 * that mix forward with redirect, fixed-response or authenticate actions), to both target groups, with
 * at most five target groups weighted 0 to 999. Runs at synth, when the rule's action is final.
 */
function productionRuleProblems(scope: Construct, rule: elbv2.ApplicationListenerRule, listener: elbv2.IApplicationListener,
  blue: elbv2.ITargetGroup, green: elbv2.ITargetGroup): string[] {
  const stack = Stack.of(scope);
  const cfn = rule.node.defaultChild as elbv2.CfnListenerRule;
  if (JSON.stringify(stack.resolve(cfn.listenerArn)) !== JSON.stringify(stack.resolve(listener.listenerArn))) {
    return [problemWith('productionRule', 'must be a rule of listener', `a rule of another listener (${JSON.stringify(stack.resolve(cfn.listenerArn))})`)];
  }
  const actions: any[] = stack.resolve(cfn.actions) ?? [];
  const types = actions.map((a) => a.type);
  if (actions.length !== 1 || types[0] !== 'forward') {
    return [problemWith('productionRule', 'must have exactly one action, a forward to the blue and green target groups (the engines rewrite its weights and refuse rules that also redirect, respond or authenticate)',
      `actions [${types.join(', ')}]`)];
  }
  const action = actions[0];
  const groups: Array<{ targetGroupArn: unknown; weight?: number }> = action.forwardConfig?.targetGroups
    ?? (action.targetGroupArn !== undefined ? [{ targetGroupArn: action.targetGroupArn }] : []);
  if (groups.length > MAX_FORWARD_TARGET_GROUPS) {
    return [problemWith('productionRule', `a forward action takes at most ${MAX_FORWARD_TARGET_GROUPS} target groups`, `${groups.length} target groups`)];
  }
  for (const g of groups) {
    if (g.weight !== undefined && !Token.isUnresolved(g.weight) && (!Number.isInteger(g.weight) || g.weight < 0 || g.weight > MAX_FORWARD_WEIGHT)) {
      return [problemWith('productionRule', `forward weights must be whole numbers from 0 to ${MAX_FORWARD_WEIGHT}`, `weight ${g.weight}`)];
    }
  }
  const arns = groups.map((g) => JSON.stringify(g.targetGroupArn));
  for (const [name, tg] of [['blueTargetGroup', blue], ['greenTargetGroup', green]] as const) {
    if (!arns.includes(JSON.stringify(stack.resolve(tg.targetGroupArn)))) {
      return [problemWith('productionRule', `must forward to both blueTargetGroup and greenTargetGroup (Amazon ECS fails deployments whose production rule lacks one); ${name} is missing`,
        `a forward to ${groups.length} target group${groups.length === 1 ? '' : 's'}`)];
    }
  }
  return [];
}

/** The NLB listener's default action must still be the release's forward at synth. */
function networkListenerProblems(scope: Construct, listener: elbv2.NetworkListener, blue: elbv2.ITargetGroup, green: elbv2.ITargetGroup): string[] {
  const stack = Stack.of(scope);
  const actions: any[] = stack.resolve((listener.node.defaultChild as elbv2.CfnListener).defaultActions) ?? [];
  const expected = [{
    type: 'forward',
    forwardConfig: {
      targetGroups: [
        { targetGroupArn: stack.resolve(blue.targetGroupArn), weight: 100 },
        { targetGroupArn: stack.resolve(green.targetGroupArn), weight: 0 },
      ],
    },
  }];
  const strip = (a: any[]) => a.map((x) => ({
    type: x.type,
    forwardConfig: x.forwardConfig === undefined ? undefined : { targetGroups: x.forwardConfig.targetGroups },
  }));
  if (JSON.stringify(strip(actions)) !== JSON.stringify(expected)) {
    return [problemWith('networkListener', 'must keep the default action the release set (a forward to the blue and green target groups); do not set another one',
      `default actions [${actions.map((a) => a.type).join(', ')}]`)];
  }
  return [];
}
