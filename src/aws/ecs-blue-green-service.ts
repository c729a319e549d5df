import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { EcsDeploymentEngine } from './ecs-deployment-engine';
import { EcsReleaseProps } from './ecs-release-props';
import { EcsRelease, ReleaseShape } from './private/ecs-release';
import { RolloutPlan } from '../strategy/rollout-plan';

/** Properties for `EcsBlueGreenService`. */
export interface EcsBlueGreenServiceProps extends EcsReleaseProps {
  /**
   * How traffic moves: all at once. With the CodeDeploy engine the plan may start with `Step.pause()`:
   * CodeDeploy then waits `approvalTimeout` for someone to continue before production traffic moves.
   *
   * @default RolloutPlan.allAtOnce()
   */
  readonly plan?: RolloutPlan;
}

/**
 * Blue/green releases of an ECS service (Fargate or EC2) behind a load balancer: the new version starts
 * next to the old one, takes test traffic if there is a test listener, then all production traffic at
 * once; the old version keeps running for `keepPrevious`, so a rollback is a routing change.
 *
 * Synthesizes two target groups (unless you give them), a production listener rule on `listener` (or
 * the default action of `networkListener`) forwarding to both (blue 100, green 0), a test listener rule
 * on `testListener`, CloudWatch alarms (5xx share and p99 response time of each target group, the
 * plan's CloudWatch gates), and for the engine:
 *
 * - `EcsDeploymentEngine.ecsNative()` (default): the service's `DeploymentConfiguration` with strategy
 *   `BLUE_GREEN`, `BakeTimeInMinutes` from `keepPrevious` and the rollback alarms, and the alternate
 *   target group, listener rules and infrastructure role in its load balancer's
 *   `AdvancedConfiguration`. Every CloudFormation update that changes the task definition is a
 *   blue/green deployment; Amazon ECS rolls it back when an alarm fires (until the bake time ends) or a
 *   lifecycle hook fails. Add lifecycle hooks (for example tests against the test listener before
 *   production traffic moves) with aws-cdk-lib's `service.addLifecycleHook()`; a manual approval
 *   (`Step.pause()`) needs the CodeDeploy engine.
 * - `EcsDeploymentEngine.codeDeploy()`: a CodeDeploy ECS application, a blue/green deployment group
 *   (target group pair, production and test listeners, termination wait from `keepPrevious`, approval
 *   wait for a plan that starts with `Step.pause()`, rollback on failure and on alarm) and stack
 *   outputs with the application, the deployment group and an AppSpec. With CodeDeploy a new image is
 *   rolled out by a CodeDeploy deployment, not by a CloudFormation update: CloudFormation only
 *   registers the new task definition revision (the service follows the `latest` revision, so its
 *   template does not change), and your pipeline then runs `aws deploy create-deployment` with the
 *   `AppSpec` output. Nothing is deployed to production until it does.
 *
 * Both engines rewrite the production routing outside CloudFormation (the rule's weights, or the NLB
 * listener's default action). The rule's template therefore depends only on the listener, the route
 * conditions and priority and the target groups, never on the image, the plan or the alarms, so later
 * stack updates leave it alone. Do not change those inputs after the first deployment: CloudFormation
 * would send production back to the blue target group, which may hold no tasks by then.
 *
 * @example
 * new EcsBlueGreenService(stack, 'Checkout', { service, listener, plan: RolloutPlan.allAtOnce(), keepPrevious: cdk.Duration.minutes(30) });
 */
export class EcsBlueGreenService extends Construct {
  /** The plan the release follows. */
  public readonly plan: RolloutPlan;
  /** The engine that moves traffic. */
  public readonly engine: EcsDeploymentEngine;
  /** How long the previous version keeps running after all traffic moved. */
  public readonly keepPrevious: Duration;
  /**
   * Target group of the first version.
   * @default - none: the service is not behind a load balancer
   */
  public readonly blueTargetGroup?: elbv2.ITargetGroup;
  /**
   * Target group of the second version.
   * @default - none: the service is not behind a load balancer
   */
  public readonly greenTargetGroup?: elbv2.ITargetGroup;
  /**
   * The production listener rule (created, or the one given).
   * @default - none: no Application Load Balancer
   */
  public readonly productionRule?: elbv2.ApplicationListenerRule;
  /**
   * The test listener rule.
   * @default - none: no test listener
   */
  public readonly testRule?: elbv2.ApplicationListenerRule;
  /**
   * The CodeDeploy deployment group.
   * @default - none: the Amazon ECS engine
   */
  public readonly deploymentGroup?: codedeploy.IEcsDeploymentGroup;
  /**
   * The CodeDeploy deployment configuration.
   * @default - none: the Amazon ECS engine
   */
  public readonly deploymentConfig?: codedeploy.IEcsDeploymentConfig;
  /**
   * AppSpec content (JSON) for a CodeDeploy deployment of the task definition this stack registered.
   * @default - none: the Amazon ECS engine
   */
  public readonly appSpec?: string;

  private readonly release: EcsRelease;

  constructor(scope: Construct, id: string, props: EcsBlueGreenServiceProps) {
    super(scope, id);
    this.plan = props.plan ?? RolloutPlan.allAtOnce();
    this.release = new EcsRelease(this, props, this.plan, ReleaseShape.BLUE_GREEN);
    this.engine = this.release.engine;
    this.keepPrevious = this.release.keepPrevious;
    this.blueTargetGroup = this.release.blueTargetGroup;
    this.greenTargetGroup = this.release.greenTargetGroup;
    this.productionRule = this.release.productionRule;
    this.testRule = this.release.testRule;
    this.deploymentGroup = this.release.deploymentGroup;
    this.deploymentConfig = this.release.deploymentConfig;
    this.appSpec = this.release.appSpec;
  }

  /** Every alarm that rolls a deployment back (a copy). */
  public get rollbackAlarms(): cloudwatch.IAlarm[] {
    return [...this.release.alarms];
  }

  /** Adds an alarm that rolls a deployment back. */
  public addRollbackAlarm(alarm: cloudwatch.IAlarm): void {
    this.release.addRollbackAlarm(alarm);
  }
}
