import { Duration } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';

/** Which engine moves traffic for an ECS release. */
export enum EcsDeploymentEngineKind {
  /** Amazon ECS itself: the service's `BLUE_GREEN`, `CANARY` or `LINEAR` deployment strategy. */
  ECS_NATIVE = 'ecsNative',
  /** AWS CodeDeploy: an ECS application and a blue/green deployment group. */
  CODE_DEPLOY = 'codeDeploy',
}

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
export class EcsDeploymentEngine {
  /**
   * Amazon ECS deployment strategies (`BLUE_GREEN`, `CANARY`, `LINEAR`) with bake time and an
   * alternate target group on the service's load balancer.
   *
   * @example EcsDeploymentEngine.ecsNative()
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-blue-green.html
   */
  public static ecsNative(options: EcsNativeEngineOptions = {}): EcsDeploymentEngine {
    return new EcsDeploymentEngine(EcsDeploymentEngineKind.ECS_NATIVE, { ...options }, undefined);
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
    return new EcsDeploymentEngine(EcsDeploymentEngineKind.CODE_DEPLOY, undefined, { ...options });
  }

  /** Which engine this is. */
  public readonly kind: EcsDeploymentEngineKind;
  /**
   * Options of the Amazon ECS engine.
   * @default - not the Amazon ECS engine
   */
  public readonly nativeOptions?: EcsNativeEngineOptions;
  /**
   * Options of the AWS CodeDeploy engine.
   * @default - not the AWS CodeDeploy engine
   */
  public readonly codeDeployOptions?: EcsCodeDeployEngineOptions;

  private constructor(kind: EcsDeploymentEngineKind, nativeOptions?: EcsNativeEngineOptions, codeDeployOptions?: EcsCodeDeployEngineOptions) {
    this.kind = kind;
    this.nativeOptions = nativeOptions;
    this.codeDeployOptions = codeDeployOptions;
  }

  /** The engine's name as error messages use it. */
  public toString(): string {
    return this.kind === EcsDeploymentEngineKind.ECS_NATIVE ? 'Amazon ECS' : 'AWS CodeDeploy';
  }
}
