/**
 * The default rollback alarms of an ECS release: on each target group (blue and green take turns
 * carrying the new version), the 5xx share and p99 response time behind an Application Load Balancer,
 * the unhealthy targets behind a Network Load Balancer.
 */
import { Duration, Fn, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct, IConstruct } from 'constructs';
import { checkAlarmEvaluation } from './gate-alarms';
import { checkNumber, checkRange, fail } from '../../private/validate';
import { EcsRollbackAlarmOptions } from '../ecs-rollback-alarm-options';

/** Refuses default alarm options out of range (tokens are not checked). */
export function checkEcsAlarmOptions(scope: IConstruct, o: EcsRollbackAlarmOptions): void {
  const where = scope.node.path;
  if (o.max5xxPercent !== undefined && !Token.isUnresolved(o.max5xxPercent)) checkNumber(where, 'defaultAlarms.max5xxPercent', o.max5xxPercent, 0, 100);
  if (o.maxUnhealthyTargets !== undefined && !Token.isUnresolved(o.maxUnhealthyTargets)) checkRange(where, 'defaultAlarms.maxUnhealthyTargets', o.maxUnhealthyTargets, 0, 10000);
  if (o.maxP99ResponseTime !== undefined && !o.maxP99ResponseTime.isUnresolved() && o.maxP99ResponseTime.toMilliseconds() <= 0) {
    fail(where, 'defaultAlarms.maxP99ResponseTime', 'must be longer than 0 seconds', o.maxP99ResponseTime!.toHumanString());
  }
  checkAlarmEvaluation(scope, o);
}

/**
 * Creates the default alarms under `scope` (ids `<Color>5xxAlarm`, `<Color>P99Alarm` or
 * `<Color>UnhealthyAlarm`) for the target groups behind `listener`.
 */
export function ecsDefaultAlarms(scope: Construct, o: EcsRollbackAlarmOptions, listener: elbv2.IListener, application: boolean,
  blue: elbv2.ITargetGroup, green: elbv2.ITargetGroup): cloudwatch.Alarm[] {
  const alarms: cloudwatch.Alarm[] = [];
  const lbFullName = loadBalancerFullName(listener);
  const period = Duration.minutes(1);
  const common = {
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: o.evaluationPeriods ?? 3,
    datapointsToAlarm: o.datapointsToAlarm ?? 2,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  };
  const maxPercent = o.max5xxPercent ?? 1;
  const maxP99 = o.maxP99ResponseTime ?? Duration.seconds(1);
  const maxUnhealthy = o.maxUnhealthyTargets ?? 0;
  for (const [color, tg] of [['Blue', blue], ['Green', green]] as const) {
    const dimensionsMap = { LoadBalancer: lbFullName, TargetGroup: targetGroupFullName(tg) };
    if (application) {
      alarms.push(new cloudwatch.Alarm(scope, `${color}5xxAlarm`, {
        ...common,
        alarmDescription: `Rolls back a deployment when more than ${maxPercent}% of requests to the ${color.toLowerCase()} target group get a 5xx from its targets`,
        metric: new cloudwatch.MathExpression({
          expression: '100 * FILL(errors, 0) / requests',
          usingMetrics: {
            errors: new cloudwatch.Metric({ namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', dimensionsMap, statistic: 'Sum', period }),
            requests: new cloudwatch.Metric({ namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', dimensionsMap, statistic: 'Sum', period }),
          },
          period,
          label: `${color} target 5xx percent`,
        }),
        threshold: maxPercent,
      }));
      alarms.push(new cloudwatch.Alarm(scope, `${color}P99Alarm`, {
        ...common,
        alarmDescription: `Rolls back a deployment when the p99 response time of the ${color.toLowerCase()} target group exceeds ${maxP99.toHumanString()}`,
        metric: new cloudwatch.Metric({ namespace: 'AWS/ApplicationELB', metricName: 'TargetResponseTime', dimensionsMap, statistic: 'p99', period }),
        threshold: maxP99.isUnresolved() ? maxP99.toSeconds() : maxP99.toMilliseconds() / 1000,
      }));
    } else {
      alarms.push(new cloudwatch.Alarm(scope, `${color}UnhealthyAlarm`, {
        ...common,
        alarmDescription: `Rolls back a deployment when more than ${maxUnhealthy} targets of the ${color.toLowerCase()} target group are unhealthy`,
        metric: new cloudwatch.Metric({ namespace: 'AWS/NetworkELB', metricName: 'UnHealthyHostCount', dimensionsMap, statistic: 'Maximum', period }),
        threshold: maxUnhealthy,
      }));
    }
  }
  return alarms;
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
