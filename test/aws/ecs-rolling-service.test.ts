import { Duration, Lazy } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { ecsFixtures, errorOf, onlyResource, resourcesOfType, synthErrorOf, testStack, userAlarm } from './fixtures';
import { EcsBlueGreenService, EcsRollingService, Gate, Interval, RolloutPlan, Step, Threshold } from '../../src';

describe('EcsRollingService', () => {
  test('sets a rolling deployment with no capacity loss, the circuit breaker with rollback, and no alarms by default', () => {
    const stack = testStack();
    const { service } = ecsFixtures(stack);
    new EcsRollingService(stack, 'Worker', { service });
    expect(onlyResource(stack, 'AWS::ECS::Service').Properties.DeploymentConfiguration).toEqual({
      Strategy: 'ROLLING',
      MinimumHealthyPercent: 100,
      MaximumPercent: 200,
      DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      Alarms: { AlarmNames: [], Enable: false, Rollback: false },
    });
  });

  test('capacity limits, bake time and alarms (given, from gates and added later) reach the deployment configuration', () => {
    const stack = testStack();
    const { service } = ecsFixtures(stack);
    const gate = Gate.cloudWatch({
      name: 'queue-age',
      metrics: [{ id: 'm1', namespace: 'AWS/SQS', metricName: 'ApproximateAgeOfOldestMessage', statistic: 'Maximum', period: Interval.minutes(1) }],
      threshold: Threshold.atMost(300),
      interval: Interval.minutes(1),
      failureLimit: 1,
    });
    const rolling = new EcsRollingService(stack, 'Worker', {
      service,
      minHealthyPercent: 50,
      maxHealthyPercent: 150,
      bakeTime: Duration.minutes(10),
      circuitBreaker: false,
      plan: RolloutPlan.steps([Step.setWeight(100)], { backgroundGates: [gate] }),
      rollbackAlarms: [userAlarm(stack)],
    });
    rolling.addRollbackAlarm(userAlarm(stack, 'LaterAlarm'));
    const config = onlyResource(stack, 'AWS::ECS::Service').Properties.DeploymentConfiguration;
    expect(config).toMatchObject({
      Strategy: 'ROLLING',
      MinimumHealthyPercent: 50,
      MaximumPercent: 150,
      BakeTimeInMinutes: 10,
      DeploymentCircuitBreaker: { Enable: false, Rollback: false },
    });
    expect(config.Alarms.Enable).toBe(true);
    expect(config.Alarms.Rollback).toBe(true);
    expect(config.Alarms.AlarmNames).toHaveLength(3);
    expect(resourcesOfType(stack, 'AWS::CloudWatch::Alarm').some(([, a]) => a.Properties.AlarmDescription === "Rollback gate 'queue-age': must stay <= 300")).toBe(true);
    expect(rolling.rollbackAlarms).toHaveLength(3);
  });

  test('a minimum from a Lazy is resolved and checked', () => {
    const stack = testStack();
    const { service } = ecsFixtures(stack);
    expect(new EcsRollingService(stack, 'Worker', { service, minHealthyPercent: Lazy.number({ produce: () => 75 }) }).minHealthyPercent).toBe(75);
  });

  test('fails when the maximum leaves no room to replace a task', () => {
    const stack = testStack();
    const { service } = ecsFixtures(stack);
    expect(errorOf(() => new EcsRollingService(stack, 'Worker', { service, minHealthyPercent: 100, maxHealthyPercent: 100 })))
      .toBe("Shop/Worker: invalid 'maxHealthyPercent': must be above minHealthyPercent (100): otherwise Amazon ECS can neither start a new task nor stop an old one, got 100");
  });

  test.each([
    ['minHealthyPercent', -1, 'must be a whole number from 0 to 100, got -1'],
    ['minHealthyPercent', 50.5, 'must be a whole number from 0 to 100, got 50.5'],
    ['maxHealthyPercent', 250, 'must be a whole number from 100 to 200, got 250'],
  ] as const)('fails when %s is %s', (field, value, message) => {
    const stack = testStack();
    const { service } = ecsFixtures(stack);
    expect(errorOf(() => new EcsRollingService(stack, 'Worker', { service, [field]: value }))).toBe(`Shop/Worker: invalid '${field}': ${message}`);
  });

  test('fails when the bake time is not whole minutes', () => {
    const stack = testStack();
    const { service } = ecsFixtures(stack);
    expect(errorOf(() => new EcsRollingService(stack, 'Worker', { service, bakeTime: Duration.seconds(90) })))
      .toBe("Shop/Worker: invalid 'bakeTime': must be whole minutes from 0 to 1440, got 1 minute 30 seconds");
  });

  test('fails when the plan moves traffic in steps', () => {
    const stack = testStack();
    const { service } = ecsFixtures(stack);
    expect(errorOf(() => new EcsRollingService(stack, 'Worker', { service, plan: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) }) })))
      .toBe("Shop/Worker: invalid 'plan': a rolling update replaces tasks and moves no traffic share, so it takes RolloutPlan.allAtOnce() (use EcsCanaryRollout for canary and linear plans), got setWeight(10), bake(5m)");
  });

  test('fails when the service already configures its circuit breaker', () => {
    const stack = testStack();
    const { service } = ecsFixtures(stack, { circuitBreaker: { rollback: true } });
    expect(errorOf(() => new EcsRollingService(stack, 'Worker', { service })))
      .toBe("Shop/Worker: invalid 'service': must leave circuitBreaker, deploymentStrategy, bakeTime and deploymentAlarms unset: the release sets them (rollbackAlarms takes the alarms), got a service with circuitBreaker");
  });

  test('fails when the service has the CodeDeploy controller', () => {
    const stack = testStack();
    const { service } = ecsFixtures(stack, { deploymentController: ecs.DeploymentControllerType.CODE_DEPLOY, latestRevision: true });
    expect(errorOf(() => new EcsRollingService(stack, 'Worker', { service })))
      .toBe("Shop/Worker: invalid 'service': a rolling update needs a service with the ECS deployment controller (the default), got a service with the CODE_DEPLOY deployment controller");
  });

  test('fails when the service already has another release', () => {
    const stack = testStack();
    const { service, listener } = ecsFixtures(stack);
    new EcsBlueGreenService(stack, 'Web', { service, listener });
    expect(errorOf(() => new EcsRollingService(stack, 'Worker', { service })))
      .toBe("Shop/Worker: invalid 'service': takes one release: its deployment configuration and load balancers are already set, got a service released by Shop/Web");
  });

  test('fails when rollback on alarm is requested with no alarm', () => {
    const stack = testStack();
    const { service } = ecsFixtures(stack);
    new EcsRollingService(stack, 'Worker', { service, rollbackOnAlarm: true });
    expect(synthErrorOf(stack)).toBe("Validation failed with the following errors:\n  [Shop/Worker] invalid 'rollbackOnAlarm': needs at least one alarm (rollbackAlarms, addRollbackAlarm() or a CloudWatch gate in the plan), got true");
  });
});
