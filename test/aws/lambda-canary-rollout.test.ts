import { CfnParameter, Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { errorOf, lambdaFixtures, onlyResource, onlyResourceId, resourcesOfType, synthErrorOf, testStack, userAlarm } from './fixtures';
import { Gate, Interval, LambdaCanaryRollout, LambdaWeightedSplit, RolloutPlan, Step, Threshold } from '../../src';

describe('LambdaCanaryRollout', () => {
  test('a linear plan becomes a TimeBasedLinear configuration of a Lambda deployment group that moves the alias', () => {
    const stack = testStack();
    const { alias } = lambdaFixtures(stack);
    const rollout = new LambdaCanaryRollout(stack, 'Rollout', { alias, plan: RolloutPlan.linear({ step: 20, every: Interval.minutes(1) }) });

    expect(onlyResource(stack, 'AWS::CodeDeploy::DeploymentConfig').Properties).toEqual({
      ComputePlatform: 'Lambda',
      TrafficRoutingConfig: { Type: 'TimeBasedLinear', TimeBasedLinear: { LinearPercentage: 20, LinearInterval: 1 } },
    });
    expect(onlyResource(stack, 'AWS::CodeDeploy::Application').Properties).toEqual({ ComputePlatform: 'Lambda' });
    const group = onlyResource(stack, 'AWS::CodeDeploy::DeploymentGroup');
    expect(group.Properties).toMatchObject({
      DeploymentConfigName: { Ref: onlyResourceId(stack, 'AWS::CodeDeploy::DeploymentConfig') },
      DeploymentStyle: { DeploymentOption: 'WITH_TRAFFIC_CONTROL', DeploymentType: 'BLUE_GREEN' },
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'] },
    });
    expect(onlyResource(stack, 'AWS::Lambda::Alias').UpdatePolicy).toEqual({
      CodeDeployLambdaAliasUpdate: {
        ApplicationName: { Ref: onlyResourceId(stack, 'AWS::CodeDeploy::Application') },
        DeploymentGroupName: { Ref: onlyResourceId(stack, 'AWS::CodeDeploy::DeploymentGroup') },
      },
    });
    expect(rollout.describeTrafficRouting()).toBe('TimeBasedLinear 20% every 1 minute');
  });

  test('a canary plan becomes a TimeBasedCanary configuration', () => {
    const stack = testStack();
    const { alias } = lambdaFixtures(stack);
    new LambdaCanaryRollout(stack, 'Rollout', { alias, plan: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(20) }) });
    expect(onlyResource(stack, 'AWS::CodeDeploy::DeploymentConfig').Properties.TrafficRoutingConfig)
      .toEqual({ Type: 'TimeBasedCanary', TimeBasedCanary: { CanaryPercentage: 10, CanaryInterval: 20 } });
  });

  test.each([
    [RolloutPlan.canary({ percent: 10, bake: Interval.minutes(30) }), 'CodeDeployDefault.LambdaCanary10Percent30Minutes'],
    [RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) }), 'CodeDeployDefault.LambdaCanary10Percent5Minutes'],
    [RolloutPlan.linear({ step: 10, every: Interval.minutes(1) }), 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute'],
    [RolloutPlan.linear({ step: 10, every: Interval.minutes(10) }), 'CodeDeployDefault.LambdaLinear10PercentEvery10Minutes'],
  ])('a plan that matches a predefined configuration (%s) uses it: %s', (plan, name) => {
    const stack = testStack();
    const { alias } = lambdaFixtures(stack);
    new LambdaCanaryRollout(stack, 'Rollout', { alias, plan });
    expect(onlyResource(stack, 'AWS::CodeDeploy::DeploymentGroup').Properties.DeploymentConfigName).toBe(name);
    expect(resourcesOfType(stack, 'AWS::CodeDeploy::DeploymentConfig')).toEqual([]);
  });

  test('an all-at-once plan uses the predefined LambdaAllAtOnce configuration', () => {
    const stack = testStack();
    const { alias } = lambdaFixtures(stack);
    new LambdaCanaryRollout(stack, 'Rollout', { alias, plan: RolloutPlan.allAtOnce() });
    expect(resourcesOfType(stack, 'AWS::CodeDeploy::DeploymentConfig')).toHaveLength(0);
    expect(onlyResource(stack, 'AWS::CodeDeploy::DeploymentGroup').Properties.DeploymentConfigName).toBe('CodeDeployDefault.LambdaAllAtOnce');
  });

  test('by default an alarm on the error share of the new version rolls back, and the alias waits for it', () => {
    const stack = testStack();
    const { fn, alias } = lambdaFixtures(stack);
    new LambdaCanaryRollout(stack, 'Rollout', { alias, plan: RolloutPlan.linear({ step: 10, every: Interval.minutes(1) }) });
    const alarmId = onlyResourceId(stack, 'AWS::CloudWatch::Alarm');
    const alarm = onlyResource(stack, 'AWS::CloudWatch::Alarm');
    const dimensions = [
      { Name: 'ExecutedVersion', Value: { 'Fn::GetAtt': [onlyResourceId(stack, 'AWS::Lambda::Version'), 'Version'] } },
      { Name: 'FunctionName', Value: { Ref: stack.getLogicalId(fn.node.defaultChild as any) } },
      { Name: 'Resource', Value: { 'Fn::Join': ['', [{ Ref: stack.getLogicalId(fn.node.defaultChild as any) }, ':live']] } },
    ];
    expect(alarm.Properties).toMatchObject({
      ComparisonOperator: 'GreaterThanThreshold', Threshold: 1, EvaluationPeriods: 3, DatapointsToAlarm: 2, TreatMissingData: 'notBreaching',
    });
    expect(alarm.Properties.Metrics).toEqual([
      { Id: 'expr_1', Expression: '100 * FILL(errors, 0) / invocations', Label: 'New version error percent', ReturnData: true },
      { Id: 'errors', ReturnData: false, MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: dimensions }, Period: 60, Stat: 'Sum' } },
      { Id: 'invocations', ReturnData: false, MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: dimensions }, Period: 60, Stat: 'Sum' } },
    ]);
    expect(onlyResource(stack, 'AWS::CodeDeploy::DeploymentGroup').Properties.AlarmConfiguration).toEqual({ Alarms: [{ Name: { Ref: alarmId } }], Enabled: true });
    expect(onlyResource(stack, 'AWS::Lambda::Alias').DependsOn).toContain(alarmId);
  });

  test('a p99 duration limit adds a duration alarm', () => {
    const stack = testStack();
    const { alias } = lambdaFixtures(stack);
    new LambdaCanaryRollout(stack, 'Rollout', {
      alias, plan: RolloutPlan.allAtOnce(), defaultAlarms: { maxErrorPercent: 0.5, maxP99Duration: Duration.millis(1500) },
    });
    const alarms = resourcesOfType(stack, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    expect(alarms).toHaveLength(2);
    expect(alarms.find((a) => a.MetricName === 'Duration')).toMatchObject({ Namespace: 'AWS/Lambda', ExtendedStatistic: 'p99', Threshold: 1500 });
    expect(alarms.find((a) => a.Metrics !== undefined).Threshold).toBe(0.5);
  });

  test('pre- and post-traffic hooks run around the traffic shift', () => {
    const stack = testStack();
    const { alias } = lambdaFixtures(stack);
    const hook = (id: string) => new lambda.Function(stack, id, { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {};') });
    const pre = hook('Pre');
    const post = hook('Post');
    new LambdaCanaryRollout(stack, 'Rollout', { alias, plan: RolloutPlan.allAtOnce(), preTrafficHook: pre, postTrafficHook: post });
    expect(onlyResource(stack, 'AWS::Lambda::Alias').UpdatePolicy.CodeDeployLambdaAliasUpdate).toMatchObject({
      BeforeAllowTrafficHook: { Ref: stack.getLogicalId(pre.node.defaultChild as any) },
      AfterAllowTrafficHook: { Ref: stack.getLogicalId(post.node.defaultChild as any) },
    });
  });

  test('gates, user alarms and alarms added later all roll back', () => {
    const stack = testStack();
    const { alias } = lambdaFixtures(stack);
    const gate = Gate.cloudWatch({ name: 'orders', metrics: [{ namespace: 'Shop', metricName: 'Orders', statistic: 'Sum' }], threshold: Threshold.atLeast(1) });
    const mine = userAlarm(stack);
    const rollout = new LambdaCanaryRollout(stack, 'Rollout', {
      alias,
      plan: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5), gates: [gate] }),
      rollbackAlarms: [mine],
      defaultAlarms: { enabled: false },
    });
    const late = userAlarm(stack, 'LateAlarm');
    rollout.addRollbackAlarm(late);
    const gateAlarm = resourcesOfType(stack, 'AWS::CloudWatch::Alarm').find(([, a]) => a.Properties.MetricName === 'Orders')!;
    expect(gateAlarm[1].Properties).toMatchObject({ ComparisonOperator: 'LessThanThreshold', Threshold: 1 });
    expect(onlyResource(stack, 'AWS::CodeDeploy::DeploymentGroup').Properties.AlarmConfiguration.Alarms).toEqual([
      { Name: { Ref: gateAlarm[0] } },
      { Name: { Ref: stack.getLogicalId(mine.node.defaultChild as any) } },
      { Name: { Ref: stack.getLogicalId(late.node.defaultChild as any) } },
    ]);
    expect(rollout.rollbackAlarms).toHaveLength(3);
  });

  test('rollbackOnAlarm false rolls back on failure only', () => {
    const stack = testStack();
    const { alias } = lambdaFixtures(stack);
    new LambdaCanaryRollout(stack, 'Rollout', { alias, plan: RolloutPlan.allAtOnce(), rollbackOnAlarm: false });
    expect(onlyResource(stack, 'AWS::CodeDeploy::DeploymentGroup').Properties.AutoRollbackConfiguration).toEqual({ Enabled: true, Events: ['DEPLOYMENT_FAILURE'] });
  });

  test('fails when the plan starts with a pause', () => {
    const stack = testStack();
    const { alias } = lambdaFixtures(stack);
    expect(errorOf(() => new LambdaCanaryRollout(stack, 'Rollout', { alias, plan: RolloutPlan.steps([Step.pause(), Step.setWeight(10), Step.bake(Interval.minutes(5))]) })))
      .toBe("Shop/Rollout: invalid 'plan.steps[0]': AWS CodeDeploy cannot pause for approval before traffic moves for Lambda (use a preTrafficHook to check the new version first); nearest plan it can express: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) }), got pause()");
  });

  test('fails when the plan has a fractional percentage: AWS CodeDeploy takes whole ones', () => {
    const stack = testStack();
    const { alias } = lambdaFixtures(stack);
    expect(errorOf(() => new LambdaCanaryRollout(stack, 'Rollout', { alias, plan: RolloutPlan.canary({ percent: 2.5, bake: Interval.minutes(10) }) })))
      .toBe("Shop/Rollout: invalid 'plan.steps[0]': AWS CodeDeploy takes whole percentages; nearest plan it can express: RolloutPlan.canary({ percent: 3, bake: Interval.minutes(10) }), got setWeight(2.5)");
    expect(errorOf(() => new LambdaCanaryRollout(stack, 'Linear', { alias, plan: RolloutPlan.linear({ step: 1.4, every: Interval.minutes(1) }) })))
      .toBe("Shop/Linear: invalid 'plan.steps[0]': AWS CodeDeploy takes whole percentages; nearest plan it can express: RolloutPlan.linear({ step: 1, every: Interval.minutes(1) }), got setWeight(1.4)");
  });

  test('fails when the interval is not whole minutes', () => {
    const stack = testStack();
    const { alias } = lambdaFixtures(stack);
    expect(errorOf(() => new LambdaCanaryRollout(stack, 'Rollout', { alias, plan: RolloutPlan.linear({ step: 10, every: Interval.seconds(90) }) })))
      .toBe("Shop/Rollout: invalid 'plan.interval': AWS CodeDeploy needs whole minutes, got 90 seconds");
  });

  test('fails when the plan takes more than the 36 hours CloudFormation waits', () => {
    const stack = testStack();
    const { alias } = lambdaFixtures(stack);
    expect(errorOf(() => new LambdaCanaryRollout(stack, 'Rollout', { alias, plan: RolloutPlan.linear({ step: 10, every: Interval.hours(5) }) })))
      .toBe("Shop/Rollout: invalid 'plan': CloudFormation waits for a Lambda deployment at most 36 hours (2160 minutes) of timed steps; shorten the interval, got 2700 minutes");
  });

  test('fails when a gate is not a CloudWatch gate', () => {
    const stack = testStack();
    const { alias } = lambdaFixtures(stack);
    const datadog = Gate.datadog({ name: 'errors', query: 'sum:errors{*}', threshold: Threshold.atMost(1) });
    expect(errorOf(() => new LambdaCanaryRollout(stack, 'Rollout', { alias, plan: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5), gates: [datadog] }) })))
      .toBe("Shop/Rollout: invalid 'plan.gates[0]': AWS engines roll back on CloudWatch alarms, so a gate must be Gate.cloudWatch() (or pass a CloudWatch alarm in rollbackAlarms); a datadog gate cannot be watched, got datadog gate 'errors'");
  });

  test('fails when rollback on alarm is requested with no alarm', () => {
    const stack = testStack();
    const { alias } = lambdaFixtures(stack);
    new LambdaCanaryRollout(stack, 'Rollout', { alias, plan: RolloutPlan.allAtOnce(), rollbackOnAlarm: true, defaultAlarms: { enabled: false } });
    expect(synthErrorOf(stack)).toBe("Validation failed with the following errors:\n  [Shop/Rollout] invalid 'rollbackOnAlarm': needs at least one alarm (defaultAlarms, rollbackAlarms, addRollbackAlarm() or a CloudWatch gate in the plan), got true");
  });

  test('fails when the alias is not an Alias construct', () => {
    const stack = testStack();
    const { fn } = lambdaFixtures(stack);
    expect(errorOf(() => new LambdaCanaryRollout(stack, 'Rollout', { alias: fn as any, plan: RolloutPlan.allAtOnce() })))
      .toMatch(/^Shop\/Rollout: invalid 'alias': must be a lambda\.Alias created in this app \(CodeDeploy moves it with an update policy\), got /);
  });

  test('fails when the error share is above 100%', () => {
    const stack = testStack();
    const { alias } = lambdaFixtures(stack);
    expect(errorOf(() => new LambdaCanaryRollout(stack, 'Rollout', { alias, plan: RolloutPlan.allAtOnce(), defaultAlarms: { maxErrorPercent: 101 } })))
      .toBe("Shop/Rollout: invalid 'defaultAlarms.maxErrorPercent': must be a number from 0 to 100, got 101");
  });

  test('fails when an added rollback alarm is not an alarm', () => {
    const stack = testStack();
    const { alias } = lambdaFixtures(stack);
    const rollout = new LambdaCanaryRollout(stack, 'Rollout', { alias, plan: RolloutPlan.allAtOnce() });
    expect(errorOf(() => rollout.addRollbackAlarm('errors' as any))).toBe("Shop/Rollout: invalid 'alarm': must be a CloudWatch alarm, got 'errors'");
  });

  test('fails when a rollback alarm is not an alarm', () => {
    const stack = testStack();
    const { alias } = lambdaFixtures(stack);
    expect(errorOf(() => new LambdaCanaryRollout(stack, 'Rollout', { alias, plan: RolloutPlan.allAtOnce(), rollbackAlarms: [{} as any] })))
      .toBe("Shop/Rollout: invalid 'rollbackAlarms[0]': must be a CloudWatch alarm, got {}");
  });

  test('fails when more error datapoints must breach than are evaluated', () => {
    const stack = testStack();
    const { alias } = lambdaFixtures(stack);
    expect(errorOf(() => new LambdaCanaryRollout(stack, 'Rollout', { alias, plan: RolloutPlan.allAtOnce(), defaultAlarms: { evaluationPeriods: 3, datapointsToAlarm: 4 } })))
      .toBe("Shop/Rollout: invalid 'defaultAlarms.datapointsToAlarm': must be a whole number from 1 to 3, got 4");
  });

  test('fails when the p99 duration limit is zero', () => {
    const stack = testStack();
    const { alias } = lambdaFixtures(stack);
    expect(errorOf(() => new LambdaCanaryRollout(stack, 'Rollout', { alias, plan: RolloutPlan.allAtOnce(), defaultAlarms: { maxP99Duration: Duration.millis(0) } })))
      .toBe("Shop/Rollout: invalid 'defaultAlarms.maxP99Duration': must be longer than 0 seconds, got '0 millis'");
  });

  test('fails when more datapoints must breach than are evaluated', () => {
    const stack = testStack();
    const { alias } = lambdaFixtures(stack);
    expect(errorOf(() => new LambdaCanaryRollout(stack, 'Rollout', { alias, plan: RolloutPlan.allAtOnce(), defaultAlarms: { evaluationPeriods: 1 } })))
      .toBe("Shop/Rollout: invalid 'defaultAlarms.datapointsToAlarm': is required when evaluationPeriods is below its default datapointsToAlarm (2), got nothing");
  });
});

describe('LambdaCanaryRollout refuses aliases that would never move', () => {
  test('fails when the alias is on $LATEST', () => {
    const stack = testStack();
    const { fn } = lambdaFixtures(stack);
    const alias = new lambda.Alias(stack, 'Latest', { aliasName: 'latest', version: fn.latestVersion });
    expect(errorOf(() => new LambdaCanaryRollout(stack, 'Rollout', { alias, plan: RolloutPlan.allAtOnce() })))
      .toBe("Shop/Rollout: invalid 'alias': must point at the function's currentVersion (fn.currentVersion), which CodeDeploy shifts to on each change; $LATEST is never shifted, so the rollout would never run, got an alias on $LATEST");
  });

  test('fails when the alias is on a version made apart from the code', () => {
    const stack = testStack();
    const { fn } = lambdaFixtures(stack);
    const alias = new lambda.Alias(stack, 'Pinned', { aliasName: 'pinned', version: new lambda.Version(stack, 'V1', { lambda: fn }) });
    expect(errorOf(() => new LambdaCanaryRollout(stack, 'Rollout', { alias, plan: RolloutPlan.allAtOnce() })))
      .toBe("Shop/Rollout: invalid 'alias': must point at the function's currentVersion (fn.currentVersion), which CodeDeploy shifts to on each change; another version does not change with the code, so the rollout would never run, got an alias on Shop/V1");
  });

  test('fails when the alias is on an imported version', () => {
    const stack = testStack();
    const { fn } = lambdaFixtures(stack);
    const alias = new lambda.Alias(stack, 'Imported', { aliasName: 'imported', version: lambda.Version.fromVersionAttributes(stack, 'V7', { lambda: fn, version: '7' }) });
    expect(errorOf(() => new LambdaCanaryRollout(stack, 'Rollout', { alias, plan: RolloutPlan.allAtOnce() })))
      .toBe("Shop/Rollout: invalid 'alias': must point at the function's currentVersion (fn.currentVersion), which CodeDeploy shifts to on each change; another version does not change with the code, so the rollout would never run, got an alias on version 7");
  });

  test('fails when the deployment group name is not a CodeDeploy name', () => {
    const stack = testStack();
    const { alias } = lambdaFixtures(stack);
    expect(errorOf(() => new LambdaCanaryRollout(stack, 'Rollout', { alias, plan: RolloutPlan.allAtOnce(), deploymentGroupName: 'pricing live' })))
      .toBe("Shop/Rollout: invalid 'deploymentGroupName': must be 1 to 100 letters, digits or + = , . @ _ - (a CodeDeploy deployment group name), got 'pricing live'");
  });

  test('a deployment group name from a token is passed through', () => {
    const stack = testStack();
    const { alias } = lambdaFixtures(stack);
    new LambdaCanaryRollout(stack, 'Rollout', { alias, plan: RolloutPlan.allAtOnce(), deploymentGroupName: Lazy.string({ produce: () => 'pricing-live' }) });
    expect(onlyResource(stack, 'AWS::CodeDeploy::DeploymentGroup').Properties.DeploymentGroupName).toBe('pricing-live');
  });
});

describe('LambdaWeightedSplit', () => {
  function versions(stack: Stack) {
    const { fn } = lambdaFixtures(stack);
    return { fn, stable: new lambda.Version(stack, 'V1', { lambda: fn }), candidate: new lambda.Version(stack, 'V2', { lambda: fn }) };
  }

  test('one alias sends the split share to the second version, with no deployment group', () => {
    const stack = testStack();
    const { stable, candidate } = versions(stack);
    new LambdaWeightedSplit(stack, 'Split', { aliasName: 'ab', version: stable, splitVersion: candidate, splitPercent: 12.3 });
    const alias = resourcesOfType(stack, 'AWS::Lambda::Alias').find(([, a]) => a.Properties.Name === 'ab')![1];
    expect(alias.Properties.FunctionVersion).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(stable.node.defaultChild as any), 'Version'] });
    expect(alias.Properties.RoutingConfig).toEqual({
      AdditionalVersionWeights: [{ FunctionVersion: { 'Fn::GetAtt': [stack.getLogicalId(candidate.node.defaultChild as any), 'Version'] }, FunctionWeight: 0.123 }],
    });
    expect(alias.UpdatePolicy).toBeUndefined();
    expect(resourcesOfType(stack, 'AWS::CodeDeploy::DeploymentGroup')).toEqual([]);
  });

  test('a split share from a Lazy is resolved and checked', () => {
    const stack = testStack();
    const { stable, candidate } = versions(stack);
    const split = new LambdaWeightedSplit(stack, 'Split', { aliasName: 'ab', version: stable, splitVersion: candidate, splitPercent: Lazy.number({ produce: () => 25 }) });
    expect(split.splitPercent).toBe(25);
  });

  test.each([0, 100, -5, 12.345, Number.NaN])('fails when splitPercent is %p', (splitPercent) => {
    const stack = testStack();
    const { stable, candidate } = versions(stack);
    expect(errorOf(() => new LambdaWeightedSplit(stack, 'Split', { aliasName: 'ab', version: stable, splitVersion: candidate, splitPercent })))
      .toBe(`Shop/Split: invalid 'splitPercent': must be a number above 0 and below 100, in steps of 0.01, got ${splitPercent}`);
  });

  test('fails when splitPercent is a CloudFormation parameter', () => {
    const stack = testStack();
    const { stable, candidate } = versions(stack);
    const param = new CfnParameter(stack, 'Share', { type: 'Number' });
    expect(errorOf(() => new LambdaWeightedSplit(stack, 'Split', { aliasName: 'ab', version: stable, splitVersion: candidate, splitPercent: param.valueAsNumber })))
      .toBe("Shop/Split: invalid 'splitPercent': must be a number known at synth (Lambda takes splitPercent / 100 as the weight, which CloudFormation cannot compute), got {\"Ref\":\"Share\"}");
  });

  test('fails when a version is $LATEST', () => {
    const stack = testStack();
    const { fn, candidate } = versions(stack);
    expect(errorOf(() => new LambdaWeightedSplit(stack, 'Split', { aliasName: 'ab', version: fn.latestVersion, splitVersion: candidate, splitPercent: 5 })))
      .toBe("Shop/Split: invalid 'version': must be a published version: Lambda cannot weight an alias with $LATEST, got '$LATEST'");
  });

  test('fails when both versions are the same', () => {
    const stack = testStack();
    const { stable } = versions(stack);
    expect(errorOf(() => new LambdaWeightedSplit(stack, 'Split', { aliasName: 'ab', version: stable, splitVersion: stable, splitPercent: 5 })))
      .toBe("Shop/Split: invalid 'splitVersion': must differ from version: the split weighs two versions, got Shop/V1 twice");
  });

  test('fails when the versions belong to different functions', () => {
    const stack = testStack();
    const { stable } = versions(stack);
    const other = new lambda.Function(stack, 'Other', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;') });
    expect(errorOf(() => new LambdaWeightedSplit(stack, 'Split', { aliasName: 'ab', version: stable, splitVersion: other.currentVersion, splitPercent: 5 })))
      .toBe("Shop/Split: invalid 'splitVersion': must be a version of the same function as version: an alias routes within one function, got a version of Shop/Other");
  });

  test('fails when the alias name is empty', () => {
    const stack = testStack();
    const { stable, candidate } = versions(stack);
    expect(errorOf(() => new LambdaWeightedSplit(stack, 'Split', { aliasName: ' ', version: stable, splitVersion: candidate, splitPercent: 5 })))
      .toBe("Shop/Split: invalid 'aliasName': must be a non-empty string, got ' '");
  });
});
