import { Duration } from 'aws-cdk-lib';

/**
 * The alarms an ECS release creates on its own target groups, which roll a deployment back.
 *
 * Behind an Application Load Balancer: for each target group (blue and green take turns carrying the new
 * version), the share of requests answered with a 5xx by the targets and the p99 target response time.
 * Behind a Network Load Balancer, which publishes neither: the number of unhealthy targets. Periods with
 * no requests never fire an alarm.
 */
export interface EcsRollbackAlarmOptions {
  /**
   * Whether the construct creates these alarms.
   * @default true when the service is behind a load balancer
   */
  readonly enabled?: boolean;
  /**
   * Highest share of requests, in percent, the targets may answer with a 5xx (ALB only).
   * @default 1
   */
  readonly max5xxPercent?: number;
  /**
   * Highest p99 target response time (ALB only).
   * @default Duration.seconds(1)
   */
  readonly maxP99ResponseTime?: Duration;
  /**
   * Highest number of unhealthy targets (NLB only).
   * @default 0
   */
  readonly maxUnhealthyTargets?: number;
  /**
   * How many one-minute periods each alarm looks at.
   * @default 3
   */
  readonly evaluationPeriods?: number;
  /**
   * How many of those periods must breach for the alarm to fire.
   * @default 2
   */
  readonly datapointsToAlarm?: number;
}
