import { CfnOutput, Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { checkDeploymentGroupName, codeDeployAutoRollback, ecsDeploymentConfig } from './private/codedeploy';
import { PROVIDER_MARGIN_MINUTES, PROVIDER_MAX_MINUTES, StackUpdateDeployment } from './private/codedeploy-deployment';
import { problem } from './private/ecs-production-routing';
import { EcsEngineResources, EcsReleaseBinding } from './private/ecs-release-binding';
import { controllerOf, deploymentConfigurationOf, userDeploymentAlarms } from './private/ecs-service-settings';
import { EngineLimits, failWith, ScheduleKind, shiftMinutes, TrafficSchedule } from './private/schedule';
import { fail, show } from '../private/validate';
import { warn } from '../private/warnings';
import { RolloutPlan } from '../strategy/rollout-plan';

/** Amazon ECS: canary and linear bakes take 0 to 1440 minutes; percentages in steps of 0.1; a linear step moves at least 3%. */
const ECS_LIMITS: EngineLimits = {
  engine: 'Amazon ECS', minLinearPercent: 3, fractionalPercent: true, maxIntervalMinutes: 1440, pauseFirst: false, pauseAlternative: ' (EcsDeploymentEngine.codeDeploy() can, as an approval wait)',
};
/** AWS CodeDeploy: whole-minute intervals, whole percentages; an approval wait can precede the shift. */
const CODEDEPLOY_LIMITS: EngineLimits = { engine: 'AWS CodeDeploy', minLinearPercent: 1, fractionalPercent: false, pauseFirst: true };
/** Amazon ECS keeps the previous revision (its bake time) at most 24 hours. */
const ECS_MAX_KEEP_MINUTES = 1440;
/** CodeDeploy waits at most 2 days before it terminates the original task set. */
const CODEDEPLOY_MAX_KEEP_MINUTES = 2880;
/** Longest the stack update waits for a CodeDeploy deployment (the Provider framework's hour, less its margin). */
const MAX_DEPLOYMENT_TIMEOUT_MINUTES = PROVIDER_MAX_MINUTES - PROVIDER_MARGIN_MINUTES;
/** CloudFormation rejects ECS deployments whose bake time plus traffic-shift bakes exceed 33 hours. */
const CLOUDFORMATION_MAX_ECS_MINUTES = 33 * 60;

/** Options for `EcsDeploymentEngine.ecsNative`. */
export interface EcsNativeEngineOptions {
  /**
   * Role Amazon ECS assumes to change the listener rule and register tasks with the target groups.
   *
   * @default - a new role trusted by `ecs.amazonaws.com` with the managed policy
   * `AmazonECSInfrastructureRolePolicyForLoadBalancers`
   */
  readonly infrastructureRole?: iam.IRole;
}

/** Options for `EcsDeploymentEngine.codeDeploy`. */
export interface EcsCodeDeployEngineOptions {
  /**
   * CodeDeploy application the deployment group belongs to.
   * @default - a new ECS application
   */
  readonly application?: codedeploy.IEcsApplication;
  /**
   * Name of the deployment group.
   * @default - a name CloudFormation generates
   */
  readonly deploymentGroupName?: string;
  /**
   * Service role of the deployment group.
   * @default - a new role with the managed policy `AWSCodeDeployRoleForECS`
   */
  readonly role?: iam.IRole;
  /**
   * How long CodeDeploy waits for someone to continue the deployment when the plan starts with
   * `Step.pause()`: the green tasks run (and take test traffic, with a test listener) while production
   * stays on blue. CodeDeploy stops the deployment if nobody calls `ContinueDeployment` in time. Whole
   * minutes.
   *
   * @default Duration.hours(1) when the plan starts with `Step.pause()`; not allowed otherwise
   * @see https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_DeploymentReadyOption.html
   */
  readonly approvalTimeout?: Duration;
  /**
   * What starts the CodeDeploy deployment of a new task definition. `EXTERNAL` must be chosen
   * explicitly: with it a stack update alone never changes what runs in production.
   *
   * @default EcsCodeDeployTrigger.STACK_UPDATE
   */
  readonly trigger?: EcsCodeDeployTrigger;
  /**
   * With `EcsCodeDeployTrigger.STACK_UPDATE`: how long the stack update waits for production traffic
   * to reach the new tasks (approval wait and traffic shift included) before it stops the deployment
   * with rollback and fails. Whole minutes, at most 55 (aws-cdk-lib's custom resource framework waits
   * at most an hour). CodeDeploy keeps the previous tasks for `keepPrevious` after that, outside the
   * stack update; an alarm then still rolls the deployment back.
   *
   * @default Duration.minutes(30)
   */
  readonly deploymentTimeout?: Duration;
}

/** What starts a CodeDeploy deployment of a new task definition (`EcsDeploymentEngine.codeDeploy`). */
export enum EcsCodeDeployTrigger {
  /**
   * The stack update: when it registers a new task definition revision, a custom resource creates the
   * CodeDeploy deployment (AppSpec from the stack) and the update waits until all production traffic
   * is on the new tasks, failing (and rolling the stack back) when the deployment fails, is stopped or
   * times out.
   */
  STACK_UPDATE = 'STACK_UPDATE',
  /**
   * Your pipeline: the stack update only registers the task definition; nothing reaches production
   * until something runs `aws deploy create-deployment` with the `AppSpec` stack output.
   */
  EXTERNAL = 'EXTERNAL',
}

/**
 * The engine that moves traffic during an ECS release.
 *
 * `EcsDeploymentEngine.ecsNative()` (the default) sets the service's own deployment strategy: every
 * CloudFormation update that changes the task definition starts a blue/green, canary or linear
 * deployment, and CloudFormation waits for it. `EcsDeploymentEngine.codeDeploy()` creates an AWS
 * CodeDeploy application and deployment group instead; then a new image reaches production through a
 * CodeDeploy deployment started by your pipeline, never through a CloudFormation update (see
 * `EcsBlueGreenService` for what the construct does about it).
 */
export abstract class EcsDeploymentEngine {
  /**
   * Amazon ECS deployment strategies (`BLUE_GREEN`, `CANARY`, `LINEAR`) with bake time and an
   * alternate target group on the service's load balancer.
   *
   * @example EcsDeploymentEngine.ecsNative()
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-blue-green.html
   */
  public static ecsNative(options: EcsNativeEngineOptions = {}): EcsDeploymentEngine {
    return new EcsNativeEngine({ ...options });
  }

  /**
   * AWS CodeDeploy blue/green deployments. The service must be created with
   * `deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY }`, which makes it follow
   * the latest revision of its task definition family.
   *
   * @example EcsDeploymentEngine.codeDeploy({ approvalTimeout: cdk.Duration.hours(2) })
   * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-steps-ecs.html
   */
  public static codeDeploy(options: EcsCodeDeployEngineOptions = {}): EcsDeploymentEngine {
    const where = 'EcsDeploymentEngine.codeDeploy()';
    checkDeploymentGroupName(where, 'deploymentGroupName', options.deploymentGroupName);
    if (options.trigger !== undefined && !Object.values(EcsCodeDeployTrigger).includes(options.trigger)) {
      fail(where, 'trigger', 'must be EcsCodeDeployTrigger.STACK_UPDATE or EcsCodeDeployTrigger.EXTERNAL', options.trigger);
    }
    const timeout = options.deploymentTimeout;
    if (timeout !== undefined && options.trigger === EcsCodeDeployTrigger.EXTERNAL) {
      fail(where, 'deploymentTimeout', 'applies to EcsCodeDeployTrigger.STACK_UPDATE: with an external trigger the stack update waits for no deployment', timeout);
    }
    if (timeout !== undefined && !timeout.isUnresolved()
      && (timeout.toSeconds() % 60 !== 0 || timeout.toSeconds() < 60 || timeout.toSeconds() > MAX_DEPLOYMENT_TIMEOUT_MINUTES * 60)) {
      failWith(where, 'deploymentTimeout', `must be whole minutes from 1 to ${MAX_DEPLOYMENT_TIMEOUT_MINUTES} (the custom resource framework waits at most an hour)`, timeout.toHumanString());
    }
    return new EcsCodeDeployEngine({ ...options });
  }

  /**
   * What plans the engine can express.
   * @internal
   */
  public abstract readonly _limits: EngineLimits;

  /**
   * Whether the service names the production and test rules itself (then the rules need not attach
   * the target groups).
   * @internal
   */
  public abstract readonly _serviceNamesRules: boolean;

  /**
   * Refuses a service the engine cannot release.
   * @internal
   */
  public abstract _checkService(where: string, service: ecs.BaseService, hasLoadBalancer: boolean): void;

  /**
   * Refuses a schedule or keep-previous time the engine cannot run.
   * @internal
   */
  public abstract _checkSchedule(where: string, plan: RolloutPlan, schedule: TrafficSchedule, keepPrevious: Duration,
    networkLoadBalancer: boolean, service: ecs.BaseService): void;

  /**
   * Registers the service with the blue target group (the engine registers the green version).
   * @internal
   */
  public abstract _attachService(release: EcsReleaseBinding): void;

  /**
   * Renders the engine's resources and settings for the release.
   * @internal
   */
  public abstract _bind(release: EcsReleaseBinding): EcsEngineResources;

  /**
   * Problems known only at synth (the framework adds the path).
   * @internal
   */
  public abstract _problems(release: EcsReleaseBinding): string[];

  /** The engine's name as error messages use it. */
  public abstract toString(): string;
}

/** Checks `keepPrevious`: whole minutes, at most `maxMinutes`. Returns the minutes, or undefined for a token. */
function checkKeep(where: string, engine: EcsDeploymentEngine, keep: Duration, maxMinutes: number, tooLong: string): number | undefined {
  if (keep.isUnresolved()) return undefined;
  const keepSeconds = keep.toSeconds();
  if (keepSeconds % 60 !== 0) failWith(where, 'keepPrevious', `${engine} needs whole minutes`, `${keepSeconds} seconds`);
  if (keepSeconds / 60 > maxMinutes) failWith(where, 'keepPrevious', tooLong, `${keepSeconds / 60} minutes`);
  return keepSeconds / 60;
}

/** Amazon ECS deployment strategies. */
class EcsNativeEngine extends EcsDeploymentEngine {
  public readonly _limits = ECS_LIMITS;
  public readonly _serviceNamesRules = true;

  constructor(private readonly options: EcsNativeEngineOptions) { super(); }

  public _checkService(where: string, service: ecs.BaseService): void {
    const controller = controllerOf(service);
    if (controller !== ecs.DeploymentControllerType.ECS) {
      failWith(where, 'service', 'the Amazon ECS engine needs a service with the ECS deployment controller (the default); use EcsDeploymentEngine.codeDeploy() for a CODE_DEPLOY service', `a service with the ${controller} deployment controller`);
    }
    const config = deploymentConfigurationOf(service);
    if (config.strategy !== undefined || config.bakeTimeInMinutes !== undefined) {
      failWith(where, 'service', 'must leave deploymentStrategy and bakeTime unset: the release sets them from the plan and keepPrevious', `a service with deploymentStrategy ${config.strategy ?? 'unset'} and bakeTime ${config.bakeTimeInMinutes ?? 'unset'}`);
    }
    if (userDeploymentAlarms(service).length > 0) {
      failWith(where, 'service', 'must leave deploymentAlarms unset: pass those alarms in rollbackAlarms so one list decides the rollback', `a service with deployment alarms ${userDeploymentAlarms(service).map((n) => show(Stack.of(service).resolve(n))).join(', ')}`);
    }
  }

  public _checkSchedule(where: string, _plan: RolloutPlan, schedule: TrafficSchedule, keepPrevious: Duration, _nlb: boolean,
    service: ecs.BaseService): void {
    // Amazon ECS deployment failure detection: the circuit breaker and alarms support rolling and
    // blue/green deployments; canary and linear deployments list alarms only.
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-failure-detection.html
    if (schedule.kind !== ScheduleKind.ALL_AT_ONCE && deploymentConfigurationOf(service).deploymentCircuitBreaker !== undefined) {
      failWith(where, 'service', 'must not use a deployment circuit breaker with a canary or linear plan: Amazon ECS supports the circuit breaker on rolling and blue/green deployments only (canary and linear deployments roll back on alarms)',
        'a service with circuitBreaker');
    }
    const keep = checkKeep(where, this, keepPrevious, ECS_MAX_KEEP_MINUTES, `Amazon ECS keeps the previous revision at most 24 hours (${ECS_MAX_KEEP_MINUTES} minutes)`);
    if (keep === undefined) return;
    const total = keep + shiftMinutes(schedule);
    if (total > CLOUDFORMATION_MAX_ECS_MINUTES) {
      failWith(where, 'plan', `CloudFormation rejects ECS deployments whose keepPrevious plus traffic-shift bakes exceed 33 hours (${CLOUDFORMATION_MAX_ECS_MINUTES} minutes); shorten the bakes or keepPrevious`, `${keep} + ${shiftMinutes(schedule)} = ${total} minutes`);
    }
  }

  public _attachService(release: EcsReleaseBinding): void {
    const routing = release.routing!;
    const nlb = release.props.networkListener;
    const alternateTarget = new ecs.AlternateTarget(`${release.scope.node.id}AlternateTarget`, {
      alternateTargetGroup: routing.green,
      productionListener: routing.productionRule !== undefined
        ? ecs.ListenerRuleConfiguration.applicationListenerRule(routing.productionRule)
        : ecs.ListenerRuleConfiguration.networkListener(nlb!),
      testListener: routing.testRule === undefined ? undefined : ecs.ListenerRuleConfiguration.applicationListenerRule(routing.testRule),
      role: this.options.infrastructureRole,
    });
    attach(release, alternateTarget);
  }

  public _bind(release: EcsReleaseBinding): EcsEngineResources {
    const schedule = release.schedule;
    const cfnService = release.service.node.defaultChild as ecs.CfnService;
    const strategy = { [ScheduleKind.ALL_AT_ONCE]: 'BLUE_GREEN', [ScheduleKind.CANARY]: 'CANARY', [ScheduleKind.LINEAR]: 'LINEAR' }[schedule.kind];
    cfnService.addPropertyOverride('DeploymentConfiguration.Strategy', strategy);
    cfnService.addPropertyOverride('DeploymentConfiguration.BakeTimeInMinutes', release.keepPrevious.toMinutes());
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
    const rollback = release.props.rollbackOnAlarm ?? true;
    const alarms = release.alarms;
    cfnService.addPropertyOverride('DeploymentConfiguration.Alarms', Lazy.any({
      produce: () => alarms.length === 0
        ? { AlarmNames: [], Enable: false, Rollback: false }
        : { AlarmNames: alarms.map((a) => a.alarmName), Enable: true, Rollback: rollback },
    }));
    return {};
  }

  public _problems(release: EcsReleaseBinding): string[] {
    return userDeploymentAlarms(release.service).length > 0
      ? [problem('service', 'must leave deploymentAlarms unset: pass those alarms to addRollbackAlarm() so one list decides the rollback', 'service.enableDeploymentAlarms()')]
      : [];
  }

  public toString(): string {
    return 'Amazon ECS';
  }
}

/** AWS CodeDeploy blue/green deployments. */
class EcsCodeDeployEngine extends EcsDeploymentEngine {
  public readonly _limits = CODEDEPLOY_LIMITS;
  public readonly _serviceNamesRules = false;

  constructor(private readonly options: EcsCodeDeployEngineOptions) { super(); }

  public _checkService(where: string, service: ecs.BaseService, hasLoadBalancer: boolean): void {
    const controller = controllerOf(service);
    if (controller !== ecs.DeploymentControllerType.CODE_DEPLOY) {
      failWith(where, 'service', 'the AWS CodeDeploy engine needs a service created with deploymentController: { type: DeploymentControllerType.CODE_DEPLOY }', `a service with the ${controller} deployment controller`);
    }
    const cfnService = service.node.defaultChild as ecs.CfnService;
    if (cfnService.taskDefinition !== service.taskDefinition.family) {
      failWith(where, 'service', 'the AWS CodeDeploy engine needs a service that follows the latest revision of its task definition family, so CloudFormation never changes the task definition CodeDeploy rolled out', 'a service pinned to one task definition revision');
    }
    // CodeDeploy runs the deployment: Amazon ECS's own strategy, bake time and circuit breaker do not
    // apply to a CODE_DEPLOY service (CloudFormation documents BakeTimeInMinutes as unsupported there).
    const config = deploymentConfigurationOf(service);
    const own = [
      config.deploymentCircuitBreaker !== undefined ? 'circuitBreaker' : undefined,
      config.strategy !== undefined ? `deploymentStrategy ${config.strategy}` : undefined,
      config.bakeTimeInMinutes !== undefined ? `bakeTime ${config.bakeTimeInMinutes}` : undefined,
    ].filter((x) => x !== undefined);
    if (own.length > 0) {
      failWith(where, 'service', 'must leave circuitBreaker, deploymentStrategy and bakeTime unset: AWS CodeDeploy runs the deployment (rollback on alarms and failures, keepPrevious as the termination wait)',
        `a service with ${own.join(', ')}`);
    }
    if (!hasLoadBalancer) {
      fail(where, 'listener', 'AWS CodeDeploy moves ECS traffic on a load balancer: give listener (ALB) or networkListener (NLB)', undefined);
    }
  }

  public _checkSchedule(where: string, plan: RolloutPlan, schedule: TrafficSchedule, keepPrevious: Duration, networkLoadBalancer: boolean): void {
    if (networkLoadBalancer && schedule.kind !== ScheduleKind.ALL_AT_ONCE) {
      fail(where, 'plan', 'AWS CodeDeploy shifts Network Load Balancer traffic all at once only; nearest plan it can express: RolloutPlan.allAtOnce()', plan);
    }
    checkKeep(where, this, keepPrevious, CODEDEPLOY_MAX_KEEP_MINUTES, `AWS CodeDeploy keeps the original task set at most 2 days (${CODEDEPLOY_MAX_KEEP_MINUTES} minutes)`);
    const approvalTimeout = this.options.approvalTimeout;
    if (approvalTimeout !== undefined && !schedule.pauseFirst) {
      fail(where, 'engine.approvalTimeout', 'needs a plan that starts with Step.pause(), the approval CodeDeploy waits for', approvalTimeout.toHumanString());
    }
    const approval = this.approval(schedule);
    if (approval !== undefined && !approval.isUnresolved() && (approval.toSeconds() % 60 !== 0 || approval.toSeconds() < 60)) {
      failWith(where, 'engine.approvalTimeout', 'AWS CodeDeploy needs whole minutes, at least 1', `${approval.toSeconds()} seconds`);
    }
    const timeout = this.deploymentTimeout();
    if (timeout !== undefined && !timeout.isUnresolved() && (approval === undefined || !approval.isUnresolved())) {
      const needed = (approval?.toMinutes() ?? 0) + shiftMinutes(schedule);
      if (needed >= timeout.toMinutes()) {
        failWith(where, 'engine.deploymentTimeout', `must exceed the plan's approval wait and traffic shift (${needed} minutes), which the stack update waits through; `
          + 'shorten the plan, or start deployments from your pipeline with trigger: EcsCodeDeployTrigger.EXTERNAL', `${timeout.toMinutes()} minutes`);
      }
    }
  }

  public _attachService(release: EcsReleaseBinding): void {
    attach(release, undefined);
  }

  public _bind(release: EcsReleaseBinding): EcsEngineResources {
    const { scope, props, routing, schedule } = release;
    const deploymentConfig = ecsDeploymentConfig(scope, schedule);
    const deploymentGroup = new codedeploy.EcsDeploymentGroup(scope, 'DeploymentGroup', {
      application: this.options.application,
      deploymentGroupName: this.options.deploymentGroupName,
      role: this.options.role,
      service: release.service,
      // By name, not as a construct: the name's Ref orders the two, and a construct would add a
      // redundant DependsOn (cfn-lint W3005).
      deploymentConfig: codedeploy.EcsDeploymentConfig.fromEcsDeploymentConfigName(scope, 'DeploymentConfigName', deploymentConfig.deploymentConfigName),
      autoRollback: codeDeployAutoRollback(props.rollbackOnAlarm),
      blueGreenDeploymentConfig: {
        blueTargetGroup: routing!.blue,
        greenTargetGroup: routing!.green,
        listener: (props.listener ?? props.networkListener)!,
        testListener: props.testListener,
        terminationWaitTime: release.keepPrevious,
        deploymentApprovalWaitTime: this.approval(schedule),
      },
    });
    // The AppSpec as CodeDeploy documents it, `"version": 0.0` written out (a JSON number would print as 0).
    // https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-example.html
    const resources = Stack.of(scope).toJsonString([{
      TargetService: {
        Type: 'AWS::ECS::Service',
        Properties: {
          TaskDefinition: release.service.taskDefinition.taskDefinitionArn,
          LoadBalancerInfo: { ContainerName: release.containerName, ContainerPort: release.containerPort },
        },
      },
    }]);
    const appSpec = `{"version":0.0,"Resources":${resources}}`;
    if (schedule.pauseFirst && props.testListener === undefined) {
      warn(scope, 'the plan waits for approval before production traffic moves, but there is no testListener: nothing but the tasks\' health can be checked during the wait');
    }
    const timeout = this.deploymentTimeout();
    if (timeout !== undefined) {
      new StackUpdateDeployment(scope, 'Deployment', {
        deploymentGroup, deploymentConfig, appSpec, taskDefinitionArn: release.service.taskDefinition.taskDefinitionArn, timeout,
      });
    }
    new CfnOutput(scope, 'CodeDeployApplication', {
      description: 'CodeDeploy application that rolls out new task definitions of this service',
      value: deploymentGroup.application.applicationName,
    });
    new CfnOutput(scope, 'CodeDeployDeploymentGroup', {
      description: 'CodeDeploy deployment group that rolls out new task definitions of this service',
      value: deploymentGroup.deploymentGroupName,
    });
    new CfnOutput(scope, 'AppSpec', {
      description: 'AppSpec content for aws deploy create-deployment (revisionType AppSpecContent) after this stack registered a new task definition',
      value: appSpec,
    });
    return { deploymentGroup, deploymentConfig, appSpec };
  }

  public _problems(): string[] {
    return [];
  }

  public toString(): string {
    return 'AWS CodeDeploy';
  }

  /** How long the stack update waits for a deployment; undefined with an external trigger. */
  private deploymentTimeout(): Duration | undefined {
    if (this.options.trigger === EcsCodeDeployTrigger.EXTERNAL) return undefined;
    return this.options.deploymentTimeout ?? Duration.minutes(30);
  }

  /** How long CodeDeploy waits for approval: only for a plan that starts with a pause. */
  private approval(schedule: TrafficSchedule): Duration | undefined {
    return schedule.pauseFirst ? this.options.approvalTimeout ?? Duration.hours(1) : undefined;
  }
}

/** Registers the release's service with the blue target group. */
function attach(release: EcsReleaseBinding, alternateTarget: ecs.IAlternateTarget | undefined): void {
  const routing = release.routing!;
  const target = release.service.loadBalancerTarget({ containerName: release.containerName!, containerPort: release.containerPort, alternateTarget });
  if (release.props.listener !== undefined) target.attachToApplicationTargetGroup(routing.blue as elbv2.IApplicationTargetGroup);
  else target.attachToNetworkTargetGroup(routing.blue as elbv2.INetworkTargetGroup);
}
