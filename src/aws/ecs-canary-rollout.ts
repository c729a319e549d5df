import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { EcsDeploymentEngine } from './ecs-deployment-engine';
import { EcsReleaseProps } from './ecs-release-props';
import { EcsRelease, ReleaseShape } from './private/ecs-release';
import { RolloutPlan } from '../strategy/rollout-plan';

/** Properties for `EcsCanaryRollout`. */
export interface EcsCanaryRolloutProps extends EcsReleaseProps {
  /**
   * How traffic moves: one canary step (`RolloutPlan.canary`) or equal linear steps
   * (`RolloutPlan.linear`), bakes in whole minutes. A `RolloutPlan.steps()` plan is taken when its steps
   * are exactly one of those shapes. Amazon ECS: bakes up to 1440 minutes, linear steps of at least 3%.
   * CodeDeploy: the plan may start with `Step.pause()` (an approval wait before traffic moves). The
   * plan's CloudWatch gates become rollback alarms; other gates are refused.
   */
  readonly plan: RolloutPlan;
}

/**
 * Canary or linear releases of an ECS service (Fargate or EC2) behind a load balancer: the new version
 * starts next to the old one and production traffic moves to it in the plan's steps; an alarm rolls it
 * back, and the old version keeps running for `keepPrevious` after all traffic moved.
 *
 * Synthesizes what `EcsBlueGreenService` does, with the plan's steps: for
 * `EcsDeploymentEngine.ecsNative()` (default) the service's `DeploymentConfiguration` strategy
 * `CANARY` (`CanaryConfiguration`: percent and bake) or `LINEAR` (`LinearConfiguration`: step percent
 * and step bake); for `EcsDeploymentEngine.codeDeploy()` a custom CodeDeploy deployment configuration
 * (`TimeBasedCanary` or `TimeBasedLinear`). CloudFormation rejects ECS deployments whose bakes plus
 * keep-previous time exceed 33 hours, so such plans are refused here. CodeDeploy shifts Network Load
 * Balancer traffic all at once only, so canary and linear plans on an NLB need the Amazon ECS engine.
 *
 * See `EcsBlueGreenService` for how the production listener rule stays stable and how new images are
 * rolled out with CodeDeploy.
 *
 * @example
 * new EcsCanaryRollout(stack, 'Api', {
 *   service,
 *   listener,
 *   plan: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) }),
 *   rollbackAlarms: [ordersFailing],
 * });
 */
export class EcsCanaryRollout extends Construct {
  /** The plan the release follows. */
  public readonly plan: RolloutPlan;
  /** The engine that moves traffic. */
  public readonly engine: EcsDeploymentEngine;
  /** How long the previous version keeps running after all traffic moved. */
  public readonly keepPrevious: Duration;
  /** Target group of the first version. */
  public readonly blueTargetGroup: elbv2.ITargetGroup;
  /** Target group of the second version. */
  public readonly greenTargetGroup: elbv2.ITargetGroup;
  /**
   * The production listener rule (created, or the one given).
   * @default - none: a Network Load Balancer
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

  constructor(scope: Construct, id: string, props: EcsCanaryRolloutProps) {
    super(scope, id);
    this.plan = props.plan;
    this.release = new EcsRelease(this, props, props.plan, ReleaseShape.CANARY);
    this.engine = this.release.engine;
    this.keepPrevious = this.release.keepPrevious;
    this.blueTargetGroup = this.release.blueTargetGroup!;
    this.greenTargetGroup = this.release.greenTargetGroup!;
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
