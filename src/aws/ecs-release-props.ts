import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { EcsDeploymentEngine } from './ecs-deployment-engine';
import { EcsRollbackAlarmOptions } from './ecs-rollback-alarm-options';

/**
 * What every ECS release (`EcsBlueGreenService`, `EcsCanaryRollout`) takes: the service, where its
 * production traffic comes in, the engine and how a deployment rolls back.
 */
export interface EcsReleaseProps {
  /**
   * The ECS service (Fargate or EC2) to release. Amazon ECS engine: created with the default ECS
   * deployment controller and no deployment circuit breaker (circuit breakers apply to rolling
   * deployments only). CodeDeploy engine: created with the `CODE_DEPLOY` deployment controller, so it
   * follows the latest revision of its task definition family. Leave its `deploymentStrategy`, `bakeTime`
   * and `deploymentAlarms` unset: the release sets them.
   */
  readonly service: ecs.BaseService;
  /**
   * Application Load Balancer listener that takes production traffic. The release adds a listener rule
   * to it (see `productionRule`) that forwards to the blue and green target groups.
   *
   * @default - no Application Load Balancer
   */
  readonly listener?: elbv2.IApplicationListener;
  /**
   * Network Load Balancer listener that takes production traffic, created without a default action:
   * the release sets it to forward to the blue and green target groups. The engine rewrites that action
   * during deployments, so keep the listener's properties unchanged once deployed (see
   * `EcsBlueGreenService`).
   *
   * @default - no Network Load Balancer
   */
  readonly networkListener?: elbv2.NetworkListener;
  /**
   * A production listener rule you created on `listener`, instead of the one the release creates. Its
   * only action must forward to both target groups (weights 0 to 999, at most five target groups).
   *
   * @default - the release creates the rule from `routeConditions` and `routePriority`
   */
  readonly productionRule?: elbv2.ApplicationListenerRule;
  /**
   * Conditions of the production listener rule the release creates.
   * @default [ListenerCondition.pathPatterns(['/*'])]
   */
  readonly routeConditions?: elbv2.ListenerCondition[];
  /**
   * Priority of the production listener rule the release creates, from 1 (first) to 50000 (last).
   * @default 50000, so more specific rules on the listener win
   */
  readonly routePriority?: number;
  /**
   * Listener for test traffic: the new version gets all of its traffic before any production traffic
   * moves (ALB only). The release adds a rule like the production one to it.
   *
   * @default - no test traffic
   */
  readonly testListener?: elbv2.IApplicationListener;
  /**
   * Conditions of the test listener rule, so test traffic is chosen by its own conditions (for example
   * a header) rather than the production rule's. With these, `testListener` may be the production
   * listener itself (Amazon ECS engine): then give `testRoutePriority` too.
   *
   * @default - the production rule's conditions
   */
  readonly testRouteConditions?: elbv2.ListenerCondition[];
  /**
   * Priority of the test listener rule, from 1 to 50000.
   * @default - the production rule's priority
   */
  readonly testRoutePriority?: number;
  /**
   * Target group of the first (blue) version; give `greenTargetGroup` with it.
   * @default - a new target group in the cluster's VPC on the container port
   */
  readonly blueTargetGroup?: elbv2.ITargetGroup;
  /**
   * Target group of the second (green) version; give `blueTargetGroup` with it.
   * @default - a new target group in the cluster's VPC on the container port
   */
  readonly greenTargetGroup?: elbv2.ITargetGroup;
  /**
   * Health check of both target groups the release creates (they are always configured alike).
   * @default - the Elastic Load Balancing defaults (ALB: HTTP GET on `/` of the traffic port)
   */
  readonly healthCheck?: elbv2.HealthCheck;
  /**
   * How long the load balancer lets in-flight requests finish on a task being deregistered, for both
   * target groups the release creates. 0 to 3600 seconds.
   * @default Duration.seconds(300), the Elastic Load Balancing default
   */
  readonly deregistrationDelay?: Duration;
  /**
   * Time a newly registered task gets to warm up, with its share of requests growing linearly, for
   * both target groups the release creates (ALB only). 30 to 900 seconds, or 0 to turn it off.
   * @default - no slow start
   */
  readonly slowStart?: Duration;
  /**
   * Protocol between an Application Load Balancer and the tasks, for the target groups the release creates.
   * @default ApplicationProtocol.HTTP
   */
  readonly targetProtocol?: elbv2.ApplicationProtocol;
  /**
   * Container that receives traffic.
   * @default - the task definition's default container
   */
  readonly containerName?: string;
  /**
   * Port of that container that receives traffic.
   * @default - the container's first port mapping
   */
  readonly containerPort?: number;
  /**
   * How long the previous version keeps running after all traffic has moved, so a rollback is a
   * routing change and alarms keep being watched. Amazon ECS: the deployment's bake time, at most 24
   * hours. CodeDeploy: the termination wait of the original task set, at most 2 days. Whole minutes.
   *
   * @default Duration.minutes(15). Differs from the engines: CodeDeploy stops the previous version at
   * once, leaving no window to roll back.
   */
  readonly keepPrevious?: Duration;
  /**
   * The engine that moves traffic.
   * @default EcsDeploymentEngine.ecsNative()
   */
  readonly engine?: EcsDeploymentEngine;
  /**
   * CloudWatch alarms that roll a deployment back, in addition to the default alarms and the plan's
   * CloudWatch gates. More can be added with `addRollbackAlarm()`.
   *
   * @default - only the default alarms and the plan's gates
   */
  readonly rollbackAlarms?: cloudwatch.IAlarm[];
  /**
   * Whether an alarm in ALARM during a deployment rolls it back. `true` requires at least one alarm.
   *
   * @default true when there is at least one alarm
   */
  readonly rollbackOnAlarm?: boolean;
  /**
   * The alarms the release creates on its target groups.
   * @default - 5xx share above 1% and p99 response time above 1 second (ALB), any unhealthy target (NLB)
   */
  readonly defaultAlarms?: EcsRollbackAlarmOptions;
}
