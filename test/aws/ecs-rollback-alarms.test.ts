import { Duration } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { ecsFixtures, errorOf, onlyResource, resourcesOfType, synthErrorOf, testStack, userAlarm } from './fixtures';
import { EcsBlueGreenService, EcsCanaryRollout, Gate, Interval, NoDataBehavior, RolloutPlan, Threshold } from '../../src';
import { warningsOf } from '../../src/private/warnings';

function alarmsBy(stack: ReturnType<typeof testStack>, description: string): any[] {
  return resourcesOfType(stack, 'AWS::CloudWatch::Alarm').filter(([, a]) => (a.Properties.AlarmDescription ?? '').includes(description)).map(([, a]) => a);
}

const latency = (options: Partial<Parameters<typeof Gate.cloudWatch>[0]> = {}) => Gate.cloudWatch({
  name: 'checkout-latency',
  metrics: [{ namespace: 'Shop', metricName: 'CheckoutLatency', statistic: 'p90' }],
  threshold: Threshold.atMost(0.5),
  ...options,
});

describe('default alarms on the target groups', () => {
  test('an ALB release watches the 5xx share and p99 response time of both target groups and rolls back on them', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const release = new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener });
    const lb = { 'Fn::GetAtt': [stack.getLogicalId(f.loadBalancer.node.defaultChild as any), 'LoadBalancerFullName'] };
    for (const [color, tg] of [['blue', release.blueTargetGroup!], ['green', release.greenTargetGroup!]] as const) {
      const dimensions = [
        { Name: 'LoadBalancer', Value: lb },
        { Name: 'TargetGroup', Value: { 'Fn::GetAtt': [stack.getLogicalId(tg.node.defaultChild as any), 'TargetGroupFullName'] } },
      ];
      const [errors] = alarmsBy(stack, `requests to the ${color} target group get a 5xx`);
      expect(errors.Properties).toMatchObject({
        ComparisonOperator: 'GreaterThanThreshold', Threshold: 1, EvaluationPeriods: 3, DatapointsToAlarm: 2, TreatMissingData: 'notBreaching',
      });
      expect(errors.Properties.Metrics).toEqual([
        { Id: 'expr_1', Expression: '100 * FILL(errors, 0) / requests', Label: `${color === 'blue' ? 'Blue' : 'Green'} target 5xx percent`, ReturnData: true },
        { Id: 'errors', ReturnData: false, MetricStat: { Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_Target_5XX_Count', Dimensions: dimensions }, Period: 60, Stat: 'Sum' } },
        { Id: 'requests', ReturnData: false, MetricStat: { Metric: { Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCount', Dimensions: dimensions }, Period: 60, Stat: 'Sum' } },
      ]);
      const [p99] = alarmsBy(stack, `p99 response time of the ${color} target group`);
      expect(p99.Properties).toMatchObject({
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'TargetResponseTime',
        ExtendedStatistic: 'p99',
        Period: 60,
        Dimensions: dimensions,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 1,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        TreatMissingData: 'notBreaching',
      });
    }
    const alarmIds = resourcesOfType(stack, 'AWS::CloudWatch::Alarm').map(([id]) => ({ Ref: id }));
    expect(alarmIds).toHaveLength(4);
    const config = onlyResource(stack, 'AWS::ECS::Service').Properties.DeploymentConfiguration;
    expect(config.Alarms.Enable).toBe(true);
    expect(config.Alarms.Rollback).toBe(true);
    const byRef = (a: any, b: any) => a.Ref.localeCompare(b.Ref);
    expect([...config.Alarms.AlarmNames].sort(byRef)).toEqual(alarmIds.sort(byRef));
  });

  test('thresholds and evaluation are configurable', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    new EcsBlueGreenService(stack, 'Web', {
      service: f.service,
      listener: f.listener,
      defaultAlarms: { max5xxPercent: 2.5, maxP99ResponseTime: Duration.millis(800), evaluationPeriods: 5, datapointsToAlarm: 3 },
    });
    for (const alarm of alarmsBy(stack, 'get a 5xx')) expect(alarm.Properties).toMatchObject({ Threshold: 2.5, EvaluationPeriods: 5, DatapointsToAlarm: 3 });
    for (const alarm of alarmsBy(stack, 'p99 response time')) expect(alarm.Properties).toMatchObject({ Threshold: 0.8, EvaluationPeriods: 5, DatapointsToAlarm: 3 });
  });

  test('can be switched off', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, defaultAlarms: { enabled: false } });
    expect(resourcesOfType(stack, 'AWS::CloudWatch::Alarm')).toHaveLength(0);
    expect(onlyResource(stack, 'AWS::ECS::Service').Properties.DeploymentConfiguration.Alarms).toEqual({ AlarmNames: [], Enable: false, Rollback: false });
  });

  test('an NLB release watches the unhealthy targets of both target groups', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const nlb = new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc: f.vpc });
    const networkListener = new elbv2.NetworkListener(stack, 'Tcp', { loadBalancer: nlb, port: 443 });
    const release = new EcsBlueGreenService(stack, 'Web', { service: f.service, networkListener });
    const alarms = resourcesOfType(stack, 'AWS::CloudWatch::Alarm').map(([, a]) => a);
    expect(alarms).toHaveLength(2);
    for (const tg of [release.blueTargetGroup!, release.greenTargetGroup!]) {
      expect(alarms).toContainEqual(expect.objectContaining({
        Properties: expect.objectContaining({
          Namespace: 'AWS/NetworkELB',
          MetricName: 'UnHealthyHostCount',
          Statistic: 'Maximum',
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          Dimensions: [
            { Name: 'LoadBalancer', Value: { 'Fn::GetAtt': [stack.getLogicalId(nlb.node.defaultChild as any), 'LoadBalancerFullName'] } },
            { Name: 'TargetGroup', Value: { 'Fn::GetAtt': [stack.getLogicalId(tg.node.defaultChild as any), 'TargetGroupFullName'] } },
          ],
        }),
      }));
    }
  });
});

describe('user alarms and gates', () => {
  test('user alarms, also added after construction, join the alarms that roll back', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const orders = userAlarm(stack);
    const release = new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, rollbackAlarms: [orders], defaultAlarms: { enabled: false } });
    const late = userAlarm(stack, 'LateAlarm');
    release.addRollbackAlarm(late);
    expect(release.rollbackAlarms).toEqual([orders, late]);
    expect(onlyResource(stack, 'AWS::ECS::Service').Properties.DeploymentConfiguration.Alarms).toEqual({
      AlarmNames: [{ Ref: stack.getLogicalId(orders.node.defaultChild as any) }, { Ref: stack.getLogicalId(late.node.defaultChild as any) }],
      Enable: true,
      Rollback: true,
    });
  });

  test('rollbackOnAlarm false watches the alarms without rolling back', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, rollbackOnAlarm: false });
    expect(onlyResource(stack, 'AWS::ECS::Service').Properties.DeploymentConfiguration.Alarms).toMatchObject({ Enable: true, Rollback: false });
  });

  test('a CloudWatch gate with an upper bound becomes an alarm above it, firing after failureLimit + 1 bad periods', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    new EcsCanaryRollout(stack, 'Api', {
      service: f.service,
      listener: f.listener,
      defaultAlarms: { enabled: false },
      plan: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5), gates: [latency({ failureLimit: 2 })] }),
    });
    const alarm = onlyResource(stack, 'AWS::CloudWatch::Alarm');
    expect(alarm.Properties).toEqual({
      AlarmDescription: "Rollback gate 'checkout-latency': must stay <= 0.5",
      Namespace: 'Shop',
      MetricName: 'CheckoutLatency',
      ExtendedStatistic: 'p90',
      Period: 60,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0.5,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'breaching',
    });
    expect(onlyResource(stack, 'AWS::ECS::Service').Properties.DeploymentConfiguration.Alarms.AlarmNames)
      .toEqual([{ Ref: resourcesOfType(stack, 'AWS::CloudWatch::Alarm')[0][0] }]);
  });

  test('a lower bound becomes an alarm below it, a range two alarms', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const success = Gate.cloudWatch({
      name: 'success-rate',
      metrics: [
        { id: 'ok', namespace: 'Shop', metricName: 'Ok', statistic: 'Sum', dimensions: { Service: 'checkout' } },
        { id: 'all', namespace: 'Shop', metricName: 'Requests', statistic: 'Sum', dimensions: { Service: 'checkout' } },
      ],
      expression: 'ok / all',
      threshold: Threshold.atLeast(0.99),
    });
    const load = latency({ name: 'cpu', threshold: Threshold.between(10, 80) });
    new EcsCanaryRollout(stack, 'Api', {
      service: f.service,
      listener: f.listener,
      defaultAlarms: { enabled: false },
      plan: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5), gates: [success, load] }),
    });
    const alarms = resourcesOfType(stack, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    expect(alarms).toHaveLength(3);
    const rate = alarms.find((a) => a.AlarmDescription.startsWith("Rollback gate 'success-rate'"));
    expect(rate).toMatchObject({ ComparisonOperator: 'LessThanThreshold', Threshold: 0.99, EvaluationPeriods: 2, DatapointsToAlarm: 2 });
    expect(rate.Metrics).toEqual([
      { Id: 'expr_1', Expression: 'ok / all', Label: 'success-rate', ReturnData: true },
      { Id: 'ok', ReturnData: false, MetricStat: { Metric: { Namespace: 'Shop', MetricName: 'Ok', Dimensions: [{ Name: 'Service', Value: 'checkout' }] }, Period: 60, Stat: 'Sum' } },
      { Id: 'all', ReturnData: false, MetricStat: { Metric: { Namespace: 'Shop', MetricName: 'Requests', Dimensions: [{ Name: 'Service', Value: 'checkout' }] }, Period: 60, Stat: 'Sum' } },
    ]);
    const cpu = alarms.filter((a) => a.AlarmDescription.startsWith("Rollback gate 'cpu'"));
    expect(cpu.map((a) => [a.ComparisonOperator, a.Threshold]).sort()).toEqual([['GreaterThanThreshold', 80], ['LessThanThreshold', 10]]);
  });

  test('an inconclusive no-data gate keeps its alarm state on missing data, with a warning', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    new EcsCanaryRollout(stack, 'Api', {
      service: f.service,
      listener: f.listener,
      defaultAlarms: { enabled: false },
      plan: RolloutPlan.canary({
        percent: 10, bake: Interval.minutes(5), gates: [latency({ onNoData: NoDataBehavior.INCONCLUSIVE, initialDelay: Interval.minutes(2) })],
      }),
    });
    expect(onlyResource(stack, 'AWS::CloudWatch::Alarm').Properties.TreatMissingData).toBe('missing');
    expect(warningsOf(stack)).toEqual([
      "Shop/Api: gate 'checkout-latency' counts missing data as inconclusive, which CloudWatch alarms cannot express; its alarm treats missing data as missing (it keeps its last state)",
      "Shop/Api: gate 'checkout-latency' has an initialDelay, which CloudWatch alarms cannot express; the engine watches its alarm from the start of the deployment",
    ]);
  });

  test('fails when a gate is not a CloudWatch gate', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const prometheus = Gate.prometheus({ name: 'success-rate', address: 'http://prometheus:9090', query: 'up', threshold: Threshold.atLeast(1) });
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', {
      service: f.service, listener: f.listener, plan: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5), gates: [prometheus] }),
    }))).toBe("Shop/Api: invalid 'plan.gates[0]': AWS engines roll back on CloudWatch alarms, so a gate must be Gate.cloudWatch() (or pass a CloudWatch alarm in rollbackAlarms); a prometheus gate cannot be watched, got prometheus gate 'success-rate'");
  });

  test('fails when a gate reads metrics of different periods', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const gate = Gate.cloudWatch({
      name: 'ratio',
      expression: 'a / b',
      threshold: Threshold.atMost(1),
      metrics: [{ id: 'a', namespace: 'Shop', metricName: 'A' }, { id: 'b', namespace: 'Shop', metricName: 'B', period: Interval.minutes(5) }],
    });
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', {
      service: f.service, listener: f.listener, plan: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5), gates: [gate] }),
    }))).toBe("Shop/Api: invalid 'plan.gates[0]': a CloudWatch alarm needs every metric of a gate to use one period, got gate 'ratio' with periods 60s, 300s");
  });

  test('fails when a gate measures at another interval than its metric period', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', {
      service: f.service,
      listener: f.listener,
      plan: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5), gates: [latency({ interval: Interval.minutes(2) })] }),
    }))).toBe("Shop/Api: invalid 'plan.gates[0]': a CloudWatch alarm measures once per metric period, so the gate's interval must equal its metrics' period (60 seconds), got gate 'checkout-latency' with interval 120 seconds");
  });

  test('fails when a gate reads metrics of another region', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', {
      service: f.service, listener: f.listener, plan: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5), gates: [latency({ region: 'us-east-1' })] }),
    }))).toBe("Shop/Api: invalid 'gates.checkout-latency.region': CloudWatch alarms read metrics of their own region (eu-west-1), got 'us-east-1'");
  });
});

describe('rollback refusals', () => {
  test('fails when rollback on alarm is requested with no alarm at all', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, rollbackOnAlarm: true, defaultAlarms: { enabled: false } });
    expect(synthErrorOf(stack)).toBe("Validation failed with the following errors:\n  [Shop/Web] invalid 'rollbackOnAlarm': needs at least one alarm (defaultAlarms, rollbackAlarms, addRollbackAlarm() or a CloudWatch gate in the plan), got true");
  });

  test('rollback on alarm is satisfied by an alarm added after construction', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const release = new EcsBlueGreenService(stack, 'Web', { service: f.service, rollbackOnAlarm: true });
    release.addRollbackAlarm(userAlarm(stack));
    expect(() => (stack.node.root as any).synth()).not.toThrow();
  });

  test('fails when deployment alarms are enabled on the service after the release', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener });
    f.service.enableDeploymentAlarms(['checkout-errors']);
    expect(synthErrorOf(stack)).toBe("Validation failed with the following errors:\n  [Shop/Web] invalid 'service': must leave deploymentAlarms unset: pass those alarms to addRollbackAlarm() so one list decides the rollback, got 'service.enableDeploymentAlarms()'");
  });

  test('fails when the default alarms are switched on without a load balancer', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: f.service, defaultAlarms: { enabled: true } })))
      .toBe("Shop/Web: invalid 'defaultAlarms.enabled': the default alarms watch the target groups, so they need listener or networkListener, got true");
  });

  test('fails when the 5xx share is above 100%', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, defaultAlarms: { max5xxPercent: 150 } })))
      .toBe("Shop/Web: invalid 'defaultAlarms.max5xxPercent': must be a number from 0 to 100, got 150");
  });

  test('fails when the p99 response time is zero', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, defaultAlarms: { maxP99ResponseTime: Duration.seconds(0) } })))
      .toBe("Shop/Web: invalid 'defaultAlarms.maxP99ResponseTime': must be longer than 0 seconds, got '0 seconds'");
  });

  test('fails when more datapoints must breach than are evaluated', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, defaultAlarms: { evaluationPeriods: 2, datapointsToAlarm: 3 } })))
      .toBe("Shop/Web: invalid 'defaultAlarms.datapointsToAlarm': must be a whole number from 1 to 2, got 3");
  });

  test('fails when one evaluation period leaves the default datapoints unreachable', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, defaultAlarms: { evaluationPeriods: 1 } })))
      .toBe("Shop/Web: invalid 'defaultAlarms.datapointsToAlarm': is required when evaluationPeriods is below its default datapointsToAlarm (2), got nothing");
  });

  test('fails when evaluationPeriods is 0', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, defaultAlarms: { evaluationPeriods: 0 } })))
      .toBe("Shop/Web: invalid 'defaultAlarms.evaluationPeriods': must be a whole number from 1 to 1440, got 0");
  });

  test('fails when an unhealthy-target limit is negative', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, defaultAlarms: { maxUnhealthyTargets: -1 } })))
      .toBe("Shop/Web: invalid 'defaultAlarms.maxUnhealthyTargets': must be a whole number from 0 to 10000, got -1");
  });

  test('fails when a rollback alarm is not an alarm', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, rollbackAlarms: ['checkout-errors' as any] })))
      .toBe("Shop/Web: invalid 'rollbackAlarms[0]': must be a CloudWatch alarm, got 'checkout-errors'");
    const release = new EcsBlueGreenService(stack, 'Web2', { service: f.service, listener: f.listener });
    expect(errorOf(() => release.addRollbackAlarm(undefined as any))).toBe("Shop/Web2: invalid 'alarm': must be a CloudWatch alarm, got nothing");
  });
});
