/**
 * Renders the plan's gates as CloudWatch alarms, which is how Amazon ECS and AWS CodeDeploy roll back:
 * they watch alarms during the deployment and roll back when one goes into ALARM. Only CloudWatch gates
 * can become alarms; every other provider is refused with what to use instead.
 */
import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct, IConstruct } from 'constructs';
import { failWith } from './schedule';
import { numberNow } from './tokens';
import { checkRange, fail } from '../../private/validate';
import { warn } from '../../private/warnings';
import { Gate, GateProvider, NoDataBehavior } from '../../strategy/gate';

/** Refuses gates that cannot become CloudWatch alarms. `field` names where the gates came from. */
export function checkGates(where: string, field: string, gates: Gate[]): void {
  gates.forEach((gate, i) => {
    if (gate.provider !== GateProvider.CLOUDWATCH) {
      failWith(where, `${field}[${i}]`, `AWS engines roll back on CloudWatch alarms, so a gate must be Gate.cloudWatch() (or pass a CloudWatch alarm in rollbackAlarms); a ${gate.provider} gate cannot be watched`, `${gate.provider} gate '${gate.name}'`);
    }
    const metrics = gate.cloudWatchMetrics!;
    const periods = new Set(metrics.map((m) => m.period.toSeconds()));
    if (periods.size > 1) {
      failWith(where, `${field}[${i}]`, 'a CloudWatch alarm needs every metric of a gate to use one period', `gate '${gate.name}' with periods ${[...periods].map((p) => `${p}s`).join(', ')}`);
    }
    const period = metrics[0].period.toSeconds();
    if (gate.interval.toSeconds() !== period) {
      failWith(where, `${field}[${i}]`, `a CloudWatch alarm measures once per metric period, so the gate's interval must equal its metrics' period (${period} seconds)`, `gate '${gate.name}' with interval ${gate.interval.toSeconds()} seconds`);
    }
  });
}

/**
 * Creates the alarms of already checked CloudWatch gates under `scope`: one alarm per gate, two for a
 * `Threshold.between()` (one per bound). The alarm fires after `failureLimit + 1` failed periods in a
 * row, the gate's own tolerance.
 */
export function gateAlarms(scope: Construct, gates: Gate[]): cloudwatch.Alarm[] {
  const alarms: cloudwatch.Alarm[] = [];
  for (const gate of gates) {
    const options = gate.cloudWatchOptions!;
    const stackRegion = Stack.of(scope).region;
    if (options.region !== undefined && !Token.isUnresolved(stackRegion) && options.region !== stackRegion) {
      failWith(scope.node.path, `gates.${gate.name}.region`, `CloudWatch alarms read metrics of their own region (${stackRegion})`, `'${options.region}'`);
    }
    const period = Duration.seconds(gate.cloudWatchMetrics![0].period.toSeconds());
    const metrics = gate.cloudWatchMetrics!.map((m) => new cloudwatch.Metric({
      namespace: m.namespace,
      metricName: m.metricName,
      dimensionsMap: Object.keys(m.dimensions).length > 0 ? m.dimensions : undefined,
      statistic: m.statistic,
      period,
    }));
    const metric: cloudwatch.IMetric = options.expression !== undefined
      ? new cloudwatch.MathExpression({
        expression: options.expression,
        usingMetrics: Object.fromEntries(gate.cloudWatchMetrics!.map((m, i) => [m.id, metrics[i]])),
        period,
        label: gate.name,
      })
      : metrics[0];
    if (gate.onNoData === NoDataBehavior.INCONCLUSIVE) {
      warn(scope, `gate '${gate.name}' counts missing data as inconclusive, which CloudWatch alarms cannot express; its alarm treats missing data as missing (it keeps its last state)`);
    }
    if (gate.initialDelay !== undefined && !gate.initialDelay.isZero()) {
      warn(scope, `gate '${gate.name}' has an initialDelay, which CloudWatch alarms cannot express; the engine watches its alarm from the start of the deployment`);
    }
    const common = {
      metric,
      evaluationPeriods: gate.failureLimit + 1,
      datapointsToAlarm: gate.failureLimit + 1,
      treatMissingData: gate.onNoData === NoDataBehavior.FAIL ? cloudwatch.TreatMissingData.BREACHING : cloudwatch.TreatMissingData.MISSING,
    };
    const threshold = gate.threshold!;
    if (threshold.max !== undefined) {
      alarms.push(new cloudwatch.Alarm(scope, threshold.min !== undefined ? `Gate-${gate.name}-high` : `Gate-${gate.name}`, {
        ...common,
        threshold: threshold.max,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        alarmDescription: `Rollback gate '${gate.name}': must stay ${threshold}`,
      }));
    }
    if (threshold.min !== undefined) {
      alarms.push(new cloudwatch.Alarm(scope, threshold.max !== undefined ? `Gate-${gate.name}-low` : `Gate-${gate.name}`, {
        ...common,
        threshold: threshold.min,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        alarmDescription: `Rollback gate '${gate.name}': must stay ${threshold}`,
      }));
    }
  }
  return alarms;
}

/**
 * The evaluation settings the default rollback alarms share (`defaultAlarms.evaluationPeriods`, default
 * 3, and `datapointsToAlarm`, default 2). Tokens are checked when they resolve to a number now (a
 * `Lazy`); tokens only CloudFormation resolves (parameters) are taken as they are.
 */
export function checkAlarmEvaluation(scope: IConstruct, o: { readonly evaluationPeriods?: number; readonly datapointsToAlarm?: number }): void {
  const where = scope.node.path;
  const periods = numberNow(scope, o.evaluationPeriods ?? 3);
  const datapoints = o.datapointsToAlarm === undefined ? undefined : numberNow(scope, o.datapointsToAlarm);
  if (periods !== undefined) checkRange(where, 'defaultAlarms.evaluationPeriods', periods, 1, 1440);
  if (datapoints !== undefined && periods !== undefined) checkRange(where, 'defaultAlarms.datapointsToAlarm', datapoints, 1, periods);
  if (datapoints !== undefined && periods === undefined) checkRange(where, 'defaultAlarms.datapointsToAlarm', datapoints, 1, 1440);
  if (o.datapointsToAlarm === undefined && periods !== undefined && periods < 2) {
    fail(where, 'defaultAlarms.datapointsToAlarm', 'is required when evaluationPeriods is below its default datapointsToAlarm (2)', undefined);
  }
}
