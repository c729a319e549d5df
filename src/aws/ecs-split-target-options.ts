import { Duration } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';

/**
 * What the static ALB splits (`EcsWeightedSplit`, `EcsHeaderSplit`) take besides their services: the
 * listener, where their rule goes, and how the target groups they create (one per service, configured
 * alike) check and drain tasks.
 */
export interface EcsSplitTargetOptions {
  /** Application Load Balancer listener that takes the traffic. */
  readonly listener: elbv2.IApplicationListener;
  /**
   * Conditions of the rule (rules) the split adds to the listener.
   * @default [ListenerCondition.pathPatterns(['/*'])]
   */
  readonly routeConditions?: elbv2.ListenerCondition[];
  /**
   * Priority of the split's rule, from 1 (first) to 50000. `EcsHeaderSplit` also uses the next one.
   * @default 50000 for `EcsWeightedSplit`, 49999 for `EcsHeaderSplit`
   */
  readonly routePriority?: number;
  /**
   * Health check of both target groups.
   * @default - the Elastic Load Balancing defaults (HTTP GET on `/` of the traffic port)
   */
  readonly healthCheck?: elbv2.HealthCheck;
  /**
   * How long in-flight requests may finish on a deregistered task, in both target groups; 0 to 3600 seconds.
   * @default Duration.seconds(300)
   */
  readonly deregistrationDelay?: Duration;
  /**
   * Protocol between the load balancer and the tasks.
   * @default ApplicationProtocol.HTTP
   */
  readonly targetProtocol?: elbv2.ApplicationProtocol;
}
