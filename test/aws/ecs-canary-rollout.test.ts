import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { ecsFixtures, errorOf, onlyResource, resourcesOfType, testStack } from './fixtures';
import {
  EcsCanaryRollout, EcsCodeDeployTrigger, EcsDeploymentEngine, Gate, HeaderMatch, Interval, RolloutPlan, Step, Threshold,
} from '../../src';
import { warningsOf } from '../../src/private/warnings';

/** The CodeDeploy engine with deployments started by a pipeline (plans longer than a stack update waits). */
const EXTERNAL = EcsDeploymentEngine.codeDeploy({ trigger: EcsCodeDeployTrigger.EXTERNAL });

function nativeStack() {
  const stack = testStack();
  return { stack, ...ecsFixtures(stack) };
}

function codeDeployStack() {
  const stack = testStack();
  return { stack, ...ecsFixtures(stack, { deploymentController: ecs.DeploymentControllerType.CODE_DEPLOY, latestRevision: true }) };
}

/** A Network Load Balancer listener without a default action, in the fixtures' VPC. */
function networkListener(f: ReturnType<typeof nativeStack>): elbv2.NetworkListener {
  const nlb = new elbv2.NetworkLoadBalancer(f.stack, 'Nlb', { vpc: f.vpc });
  return new elbv2.NetworkListener(f.stack, 'Tcp', { loadBalancer: nlb, port: 443 });
}

describe('EcsCanaryRollout with the Amazon ECS engine', () => {
  test('a canary plan becomes the CANARY strategy with its percentage and bake', () => {
    const { stack, service, listener } = nativeStack();
    new EcsCanaryRollout(stack, 'Api', { service, listener, plan: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) }) });
    const config = onlyResource(stack, 'AWS::ECS::Service').Properties.DeploymentConfiguration;
    expect(config.Strategy).toBe('CANARY');
    expect(config.CanaryConfiguration).toEqual({ CanaryPercent: 10, CanaryBakeTimeInMinutes: 5 });
    expect(config.LinearConfiguration).toBeUndefined();
    expect(config.BakeTimeInMinutes).toBe(15);
  });

  test('a linear plan becomes the LINEAR strategy with its step and step bake', () => {
    const { stack, service, listener } = nativeStack();
    new EcsCanaryRollout(stack, 'Api', { service, listener, plan: RolloutPlan.linear({ step: 20, every: Interval.minutes(3) }) });
    const config = onlyResource(stack, 'AWS::ECS::Service').Properties.DeploymentConfiguration;
    expect(config.Strategy).toBe('LINEAR');
    expect(config.LinearConfiguration).toEqual({ StepPercent: 20, StepBakeTimeInMinutes: 3 });
    expect(config.CanaryConfiguration).toBeUndefined();
  });

  test('a steps plan shaped exactly like a canary (with the final 100%) is taken as one', () => {
    const { stack, service, listener } = nativeStack();
    new EcsCanaryRollout(stack, 'Api', {
      service, listener, plan: RolloutPlan.steps([Step.setWeight(5), Step.bake(Interval.minutes(10)), Step.setWeight(100)]),
    });
    expect(onlyResource(stack, 'AWS::ECS::Service').Properties.DeploymentConfiguration.CanaryConfiguration)
      .toEqual({ CanaryPercent: 5, CanaryBakeTimeInMinutes: 10 });
  });

  test('a steps plan shaped exactly like a linear plan is taken as one', () => {
    const { stack, service, listener } = nativeStack();
    const every = Interval.minutes(2);
    new EcsCanaryRollout(stack, 'Api', {
      service,
      listener,
      plan: RolloutPlan.steps([Step.setWeight(25), Step.bake(every), Step.setWeight(50), Step.bake(every), Step.setWeight(75), Step.bake(every)]),
    });
    const config = onlyResource(stack, 'AWS::ECS::Service').Properties.DeploymentConfiguration;
    expect(config.Strategy).toBe('LINEAR');
    expect(config.LinearConfiguration).toEqual({ StepPercent: 25, StepBakeTimeInMinutes: 2 });
  });

  test('two bakes in a row count as one bake of their sum', () => {
    const { stack, service, listener } = nativeStack();
    new EcsCanaryRollout(stack, 'Api', {
      service, listener, plan: RolloutPlan.steps([Step.setWeight(10), Step.bake(Interval.minutes(5)), Step.bake(Interval.minutes(10))]),
    });
    expect(onlyResource(stack, 'AWS::ECS::Service').Properties.DeploymentConfiguration.CanaryConfiguration)
      .toEqual({ CanaryPercent: 10, CanaryBakeTimeInMinutes: 15 });
  });

  test('a fractional canary percentage reaches CanaryPercent exactly', () => {
    const { stack, service, listener } = nativeStack();
    new EcsCanaryRollout(stack, 'Api', { service, listener, plan: RolloutPlan.canary({ percent: 0.5, bake: Interval.minutes(5) }) });
    const config = onlyResource(stack, 'AWS::ECS::Service').Properties.DeploymentConfiguration;
    expect(config.Strategy).toBe('CANARY');
    expect(config.CanaryConfiguration).toEqual({ CanaryPercent: 0.5, CanaryBakeTimeInMinutes: 5 });
    expect(config.LinearConfiguration).toBeUndefined();
    expect(config.BakeTimeInMinutes).toBe(15);
  });

  test('canary percentages 0.1 and 99.9, the bounds Amazon ECS takes below the final 100%', () => {
    for (const percent of [0.1, 99.9]) {
      const { stack, service, listener } = nativeStack();
      new EcsCanaryRollout(stack, 'Api', { service, listener, plan: RolloutPlan.canary({ percent, bake: Interval.minutes(1) }) });
      expect(onlyResource(stack, 'AWS::ECS::Service').Properties.DeploymentConfiguration.CanaryConfiguration)
        .toEqual({ CanaryPercent: percent, CanaryBakeTimeInMinutes: 1 });
    }
  });

  test('a fractional linear step reaches StepPercent exactly, and its waits are counted in tenths', () => {
    const { stack, service, listener } = nativeStack();
    new EcsCanaryRollout(stack, 'Api', { service, listener, plan: RolloutPlan.linear({ step: 3.3, every: Interval.minutes(2) }) });
    const config = onlyResource(stack, 'AWS::ECS::Service').Properties.DeploymentConfiguration;
    expect(config.Strategy).toBe('LINEAR');
    expect(config.LinearConfiguration).toEqual({ StepPercent: 3.3, StepBakeTimeInMinutes: 2 });
    expect(config.CanaryConfiguration).toBeUndefined();
    expect(config.BakeTimeInMinutes).toBe(15);
    // 3.3% steps: 3.3, 6.6, ..., 99.0, then 100: 30 waits, which count against CloudFormation's 33 hours.
    const f = nativeStack();
    expect(errorOf(() => new EcsCanaryRollout(f.stack, 'Api', {
      service: f.service,
      listener: f.listener,
      keepPrevious: Duration.minutes(181),
      plan: RolloutPlan.linear({ step: 3.3, every: Interval.minutes(60) }),
    }))).toBe("Shop/Api: invalid 'plan': CloudFormation rejects ECS deployments whose keepPrevious plus traffic-shift bakes exceed 33 hours (1980 minutes); shorten the bakes or keepPrevious, got 181 + 1800 = 1981 minutes");
  });

  test('a steps plan with fractional weights shaped like a linear plan is taken as one', () => {
    const { stack, service, listener } = nativeStack();
    const every = Interval.minutes(1);
    // 3.3 + 3.3 + 3.3 is 9.899999999999999 in floating point; the plan's 9.9 still matches.
    const steps = Array.from({ length: 30 }, (_, k) => [Step.setWeight(Number(((k + 1) * 3.3).toFixed(1))), Step.bake(every)]).flat();
    new EcsCanaryRollout(stack, 'Api', { service, listener, plan: RolloutPlan.steps([...steps, Step.setWeight(100)]) });
    expect(onlyResource(stack, 'AWS::ECS::Service').Properties.DeploymentConfiguration.LinearConfiguration)
      .toEqual({ StepPercent: 3.3, StepBakeTimeInMinutes: 1 });
  });

  test('a canary plan may bake up to 1440 minutes', () => {
    const { stack, service, listener } = nativeStack();
    new EcsCanaryRollout(stack, 'Api', { service, listener, plan: RolloutPlan.canary({ percent: 10, bake: Interval.hours(24) }) });
    expect(onlyResource(stack, 'AWS::ECS::Service').Properties.DeploymentConfiguration.CanaryConfiguration.CanaryBakeTimeInMinutes).toBe(1440);
  });

  test('behind a Network Load Balancer the listener itself is the production route, forwarding blue 100 and green 0', () => {
    const f = nativeStack();
    const nlbListener = networkListener(f);
    const rollout = new EcsCanaryRollout(f.stack, 'Api', { service: f.service, networkListener: nlbListener, plan: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) }) });
    const stack = f.stack;
    const blueId = stack.getLogicalId(rollout.blueTargetGroup.node.defaultChild as any);
    const greenId = stack.getLogicalId(rollout.greenTargetGroup.node.defaultChild as any);
    const listenerId = stack.getLogicalId(nlbListener.node.defaultChild as any);
    const nlb = resourcesOfType(stack, 'AWS::ElasticLoadBalancingV2::Listener').find(([id]) => id === listenerId)![1];
    expect(nlb.Properties.DefaultActions).toEqual([{
      Type: 'forward',
      ForwardConfig: { TargetGroups: [{ TargetGroupArn: { Ref: blueId }, Weight: 100 }, { TargetGroupArn: { Ref: greenId }, Weight: 0 }] },
    }]);
    for (const [id, tg] of resourcesOfType(stack, 'AWS::ElasticLoadBalancingV2::TargetGroup')) {
      expect([blueId, greenId]).toContain(id);
      expect(tg.Properties).toMatchObject({ Port: 8080, Protocol: 'TCP', TargetType: 'ip' });
    }
    const lb = onlyResource(stack, 'AWS::ECS::Service').Properties.LoadBalancers[0];
    expect(lb.TargetGroupArn).toEqual({ Ref: blueId });
    expect(lb.AdvancedConfiguration).toMatchObject({ AlternateTargetGroupArn: { Ref: greenId }, ProductionListenerRule: { Ref: listenerId } });
    expect(resourcesOfType(stack, 'AWS::ElasticLoadBalancingV2::ListenerRule')).toHaveLength(0);
  });
});

describe('EcsCanaryRollout with the CodeDeploy engine', () => {
  test('a canary plan becomes a custom TimeBasedCanary deployment configuration', () => {
    const { stack, service, listener } = codeDeployStack();
    new EcsCanaryRollout(stack, 'Api', {
      service, listener, engine: EcsDeploymentEngine.codeDeploy(), plan: RolloutPlan.canary({ percent: 20, bake: Interval.minutes(5) }),
    });
    const config = onlyResource(stack, 'AWS::CodeDeploy::DeploymentConfig');
    expect(config.Properties).toEqual({
      ComputePlatform: 'ECS',
      TrafficRoutingConfig: { Type: 'TimeBasedCanary', TimeBasedCanary: { CanaryPercentage: 20, CanaryInterval: 5 } },
    });
    const group = onlyResource(stack, 'AWS::CodeDeploy::DeploymentGroup');
    expect(group.Properties.DeploymentConfigName).toEqual({ Ref: resourcesOfType(stack, 'AWS::CodeDeploy::DeploymentConfig')[0][0] });
  });

  test('a linear plan becomes a custom TimeBasedLinear deployment configuration, steps below 3% allowed', () => {
    const { stack, service, listener } = codeDeployStack();
    new EcsCanaryRollout(stack, 'Api', {
      service, listener, engine: EXTERNAL, plan: RolloutPlan.linear({ step: 2, every: Interval.minutes(1) }),
    });
    expect(onlyResource(stack, 'AWS::CodeDeploy::DeploymentConfig').Properties.TrafficRoutingConfig)
      .toEqual({ Type: 'TimeBasedLinear', TimeBasedLinear: { LinearPercentage: 2, LinearInterval: 1 } });
  });

  test('a plan that starts with a pause and then canaries waits for approval first', () => {
    const { stack, service, listener } = codeDeployStack();
    new EcsCanaryRollout(stack, 'Api', {
      service,
      listener,
      engine: EXTERNAL,
      plan: RolloutPlan.steps([Step.pause(), Step.setWeight(10), Step.bake(Interval.minutes(5))]),
    });
    expect(onlyResource(stack, 'AWS::CodeDeploy::DeploymentGroup').Properties.BlueGreenDeploymentConfiguration.DeploymentReadyOption)
      .toEqual({ ActionOnTimeout: 'STOP_DEPLOYMENT', WaitTimeInMinutes: 60 });
    expect(onlyResource(stack, 'AWS::CodeDeploy::DeploymentGroup').Properties.DeploymentConfigName).toBe('CodeDeployDefault.ECSCanary10Percent5Minutes');
  });

  test('an approval wait without a test listener warns: only the tasks\' health can be checked during it', () => {
    const { stack, service, listener } = codeDeployStack();
    const rollout = new EcsCanaryRollout(stack, 'Api', {
      service,
      listener,
      engine: EXTERNAL,
      plan: RolloutPlan.steps([Step.pause(), Step.setWeight(20), Step.bake(Interval.minutes(5))]),
    });
    expect(warningsOf(rollout)).toEqual([
      "Shop/Api: the plan waits for approval before production traffic moves, but there is no testListener: nothing but the tasks' health can be checked during the wait",
    ]);
  });

  test.each([
    [RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) }), 'CodeDeployDefault.ECSCanary10Percent5Minutes'],
    [RolloutPlan.canary({ percent: 10, bake: Interval.minutes(15) }), 'CodeDeployDefault.ECSCanary10Percent15Minutes'],
    [RolloutPlan.linear({ step: 10, every: Interval.minutes(1) }), 'CodeDeployDefault.ECSLinear10PercentEvery1Minutes'],
    [RolloutPlan.linear({ step: 10, every: Interval.minutes(3) }), 'CodeDeployDefault.ECSLinear10PercentEvery3Minutes'],
  ])('a plan that matches a predefined configuration (%s) uses it: %s', (plan, name) => {
    const { stack, service, listener } = codeDeployStack();
    new EcsCanaryRollout(stack, 'Api', { service, listener, engine: EcsDeploymentEngine.codeDeploy(), plan });
    expect(onlyResource(stack, 'AWS::CodeDeploy::DeploymentGroup').Properties.DeploymentConfigName).toBe(name);
    expect(resourcesOfType(stack, 'AWS::CodeDeploy::DeploymentConfig')).toEqual([]);
  });

  test('bakes longer than a day are taken: CodeDeploy runs outside CloudFormation', () => {
    const { stack, service, listener } = codeDeployStack();
    new EcsCanaryRollout(stack, 'Api', {
      service, listener, engine: EXTERNAL, plan: RolloutPlan.canary({ percent: 10, bake: Interval.hours(30) }),
    });
    expect(onlyResource(stack, 'AWS::CodeDeploy::DeploymentConfig').Properties.TrafficRoutingConfig.TimeBasedCanary.CanaryInterval).toBe(1800);
  });
});

describe('EcsCanaryRollout refuses plans the engine cannot express', () => {
  const canary = RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) });

  test('fails when the plan moves all traffic at once', () => {
    const { stack, service, listener } = nativeStack();
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', { service, listener, plan: RolloutPlan.allAtOnce() })))
      .toBe("Shop/Api: invalid 'plan': EcsCanaryRollout needs a canary or linear plan (use EcsBlueGreenService to move all traffic at once), got setWeight(100)");
  });

  test('fails when a canary or linear plan has no load balancer', () => {
    const { stack, service } = nativeStack();
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', { service, plan: canary })))
      .toBe("Shop/Api: invalid 'listener': a canary or linear plan moves traffic on a load balancer: give listener (ALB) or networkListener (NLB), got nothing");
  });

  test('fails when the plan has two canary steps', () => {
    const { stack, service, listener } = nativeStack();
    const plan = RolloutPlan.steps([Step.setWeight(5), Step.bake(Interval.minutes(5)), Step.setWeight(25), Step.bake(Interval.minutes(10))]);
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', { service, listener, plan })))
      .toBe("Shop/Api: invalid 'plan.steps[2]': Amazon ECS takes all at once, one canary step or equal linear steps, each bake in whole minutes (a linear plan moves the same percentage after the same bake until 100%); nearest plan it can express: RolloutPlan.linear({ step: 5, every: Interval.minutes(5) }), got setWeight(25)");
  });

  test('fails when linear steps bake unequally', () => {
    const { stack, service, listener } = nativeStack();
    const unequal = RolloutPlan.steps([
      Step.setWeight(25), Step.bake(Interval.minutes(5)),
      Step.setWeight(50), Step.bake(Interval.minutes(10)),
      Step.setWeight(75), Step.bake(Interval.minutes(5)),
    ]);
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', { service, listener, plan: unequal })))
      .toBe("Shop/Api: invalid 'plan.steps[3]': Amazon ECS takes all at once, one canary step or equal linear steps, each bake in whole minutes (a linear plan moves the same percentage after the same bake until 100%); nearest plan it can express: RolloutPlan.linear({ step: 25, every: Interval.minutes(5) }), got bake(10m)");
  });

  test('fails when linear steps stop short and jump to 100%', () => {
    const { stack, service, listener } = nativeStack();
    const plan = RolloutPlan.steps([
      Step.setWeight(10), Step.bake(Interval.minutes(1)), Step.setWeight(20), Step.bake(Interval.minutes(1)), Step.setWeight(100),
    ]);
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', { service, listener, plan })))
      .toBe("Shop/Api: invalid 'plan.steps[2]': Amazon ECS takes all at once, one canary step or equal linear steps, each bake in whole minutes (a linear plan moves the same percentage after the same bake until 100%); nearest plan it can express: RolloutPlan.linear({ step: 10, every: Interval.minutes(1) }); this plan jumps from 20% to 100%, got setWeight(20)");
  });

  test('fails when a canary bake is not whole minutes', () => {
    const { stack, service, listener } = nativeStack();
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', { service, listener, plan: RolloutPlan.canary({ percent: 10, bake: Interval.seconds(90) }) })))
      .toBe("Shop/Api: invalid 'plan.interval': Amazon ECS needs whole minutes, got 90 seconds");
  });

  test('fails when a CodeDeploy interval is not whole minutes', () => {
    const { stack, service, listener } = codeDeployStack();
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', {
      service, listener, engine: EcsDeploymentEngine.codeDeploy(), plan: RolloutPlan.linear({ step: 10, every: Interval.seconds(90) }),
    }))).toBe("Shop/Api: invalid 'plan.interval': AWS CodeDeploy needs whole minutes, got 90 seconds");
  });

  test('fails when a steps plan bakes part of a minute, naming the step', () => {
    const { stack, service, listener } = nativeStack();
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', {
      service, listener, plan: RolloutPlan.steps([Step.setWeight(10), Step.bake(Interval.seconds(30))]),
    }))).toBe("Shop/Api: invalid 'plan.steps[1]': Amazon ECS needs whole minutes, got 30 seconds");
  });

  test('fails when an Amazon ECS bake exceeds 1440 minutes', () => {
    const { stack, service, listener } = nativeStack();
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', { service, listener, plan: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(1441) }) })))
      .toBe("Shop/Api: invalid 'plan.interval': Amazon ECS bakes at most 1440 minutes per step, got 1441 minutes");
  });

  test('fails when an Amazon ECS linear step is below 3%', () => {
    const { stack, service, listener } = nativeStack();
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', { service, listener, plan: RolloutPlan.linear({ step: 2, every: Interval.minutes(1) }) })))
      .toBe("Shop/Api: invalid 'plan.percent': Amazon ECS moves at least 3% per linear step; nearest plan it can express: RolloutPlan.linear({ step: 3, every: Interval.minutes(1) }), got 2%");
  });

  test('fails when the canary percentage is 0', () => {
    const { stack, service, listener } = nativeStack();
    const plan = RolloutPlan.steps([Step.setWeight(0), Step.bake(Interval.minutes(5)), Step.setWeight(100)]);
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', { service, listener, plan })))
      .toBe("Shop/Api: invalid 'plan.steps[0]': a canary percentage must be a multiple of 0.1 from 0.1 to 99.9; nearest plan it can express: RolloutPlan.canary({ percent: 0.1, bake: Interval.minutes(5) }), got setWeight(0)");
    const codeDeploy = codeDeployStack();
    expect(errorOf(() => new EcsCanaryRollout(codeDeploy.stack, 'Api', { service: codeDeploy.service, listener: codeDeploy.listener, engine: EXTERNAL, plan })))
      .toBe("Shop/Api: invalid 'plan.steps[0]': a canary percentage must be a whole number from 1 to 99; nearest plan it can express: RolloutPlan.canary({ percent: 1, bake: Interval.minutes(5) }), got setWeight(0)");
  });

  test('fails on a percentage finer than the 0.1 steps Amazon ECS takes (refused by the plan itself)', () => {
    expect(errorOf(() => RolloutPlan.canary({ percent: 0.25, bake: Interval.minutes(5) })))
      .toBe("RolloutPlan.canary(): invalid 'percent': must be a multiple of 0.1 from 0.1 to 99.9, got 0.25");
    expect(errorOf(() => Step.setWeight(12.05)))
      .toBe("Step.setWeight(): invalid 'weight': must be a multiple of 0.1 from 0 to 100, got 12.05");
  });

  test('fails when an Amazon ECS fractional linear step is below 3%', () => {
    const { stack, service, listener } = nativeStack();
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', { service, listener, plan: RolloutPlan.linear({ step: 2.9, every: Interval.minutes(1) }) })))
      .toBe("Shop/Api: invalid 'plan.percent': Amazon ECS moves at least 3% per linear step; nearest plan it can express: RolloutPlan.linear({ step: 3, every: Interval.minutes(1) }), got 2.9%");
  });

  test('fails when the CodeDeploy engine is given a fractional canary percentage', () => {
    const { stack, service, listener } = codeDeployStack();
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', {
      service, listener, engine: EXTERNAL, plan: RolloutPlan.canary({ percent: 0.5, bake: Interval.minutes(5) }),
    }))).toBe("Shop/Api: invalid 'plan.steps[0]': AWS CodeDeploy takes whole percentages; nearest plan it can express: RolloutPlan.canary({ percent: 1, bake: Interval.minutes(5) }), got setWeight(0.5)");
  });

  test('fails when the CodeDeploy engine is given a fractional linear step', () => {
    const { stack, service, listener } = codeDeployStack();
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', {
      service, listener, engine: EXTERNAL, plan: RolloutPlan.linear({ step: 12.5, every: Interval.minutes(1) }),
    }))).toBe("Shop/Api: invalid 'plan.steps[0]': AWS CodeDeploy takes whole percentages; nearest plan it can express: RolloutPlan.linear({ step: 13, every: Interval.minutes(1) }), got setWeight(12.5)");
  });

  test('fails when the CodeDeploy engine is given a fractional weight in a steps plan, naming that step', () => {
    const { stack, service, listener } = codeDeployStack();
    const plan = RolloutPlan.steps([Step.setWeight(10), Step.bake(Interval.minutes(2)), Step.setWeight(20.5), Step.bake(Interval.minutes(2))]);
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', { service, listener, engine: EXTERNAL, plan })))
      .toBe("Shop/Api: invalid 'plan.steps[2]': AWS CodeDeploy takes whole percentages; nearest plan it can express: RolloutPlan.linear({ step: 10, every: Interval.minutes(2) }), got setWeight(20.5)");
  });

  test('fails when the plan pauses after traffic moved', () => {
    const { stack, service, listener } = nativeStack();
    const plan = RolloutPlan.steps([Step.setWeight(10), Step.bake(Interval.minutes(5)), Step.pause(), Step.setWeight(100)]);
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', { service, listener, plan })))
      .toBe("Shop/Api: invalid 'plan.steps[2]': Amazon ECS takes all at once, one canary step or equal linear steps, each bake in whole minutes, not a manual pause after the first step; nearest plan it can express: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) }), got pause()");
  });

  test('fails when the Amazon ECS engine is asked to pause before traffic moves', () => {
    const { stack, service, listener } = nativeStack();
    const plan = RolloutPlan.steps([Step.pause(), Step.setWeight(10), Step.bake(Interval.minutes(5))]);
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', { service, listener, plan })))
      .toBe("Shop/Api: invalid 'plan.steps[0]': Amazon ECS cannot pause for approval before traffic moves (EcsDeploymentEngine.codeDeploy() can, as an approval wait); nearest plan it can express: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) }), got pause()");
  });

  test('fails when a gate runs as a step', () => {
    const { stack, service, listener } = nativeStack();
    const errors = Gate.cloudWatch({
      name: 'errors', metrics: [{ namespace: 'Shop', metricName: 'Errors', statistic: 'Sum' }], threshold: Threshold.atMost(5),
    });
    const plan = RolloutPlan.steps([Step.setWeight(10), Step.analysis(errors), Step.bake(Interval.minutes(5))]);
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', { service, listener, plan })))
      .toBe("Shop/Api: invalid 'plan.steps[1]': Amazon ECS takes all at once, one canary step or equal linear steps, each bake in whole minutes, not gates run as a step (put CloudWatch gates in the plan's background gates: they become rollback alarms); nearest plan it can express: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) }), got analysis(errors)");
  });

  test('fails when the plan routes by header (an A/B test)', () => {
    const { stack, service, listener } = nativeStack();
    const errors = Gate.cloudWatch({
      name: 'errors', metrics: [{ namespace: 'Shop', metricName: 'Errors', statistic: 'Sum' }], threshold: Threshold.atMost(5),
    });
    const plan = RolloutPlan.abTest({ match: [HeaderMatch.exact('x-canary', 'yes')], iterations: 10, every: Interval.minutes(1), gates: [errors] });
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', { service, listener, plan })))
      .toBe("Shop/Api: invalid 'plan.steps[0]': Amazon ECS takes all at once, one canary step or equal linear steps, each bake in whole minutes, not routing by request headers; nearest plan it can express: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(10) }), got headerRoute(x-canary exact 'yes')");
  });

  test('fails when the plan mirrors traffic', () => {
    const { stack, service, listener } = nativeStack();
    const plan = RolloutPlan.steps([Step.mirror(20), Step.setWeight(10), Step.bake(Interval.minutes(5))]);
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', { service, listener, plan })))
      .toBe("Shop/Api: invalid 'plan.steps[0]': Amazon ECS takes all at once, one canary step or equal linear steps, each bake in whole minutes, not mirroring traffic; nearest plan it can express: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) }), got mirror(20)");
  });

  test('fails when the plan scales the new version apart from its weight', () => {
    const { stack, service, listener } = nativeStack();
    const plan = RolloutPlan.steps([Step.canaryScale({ replicas: 1 }), Step.setWeight(10), Step.bake(Interval.minutes(5))]);
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', { service, listener, plan })))
      .toBe("Shop/Api: invalid 'plan.steps[0]': Amazon ECS takes all at once, one canary step or equal linear steps, each bake in whole minutes, not scaling the new version apart from its traffic weight; nearest plan it can express: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) }), got canaryScale({\"replicas\":1})");
  });

  test('fails when the plan bakes before any traffic moves', () => {
    const { stack, service, listener } = nativeStack();
    const plan = RolloutPlan.steps([Step.bake(Interval.minutes(5)), Step.setWeight(10), Step.bake(Interval.minutes(5))]);
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', { service, listener, plan })))
      .toBe("Shop/Api: invalid 'plan.steps[0]': Amazon ECS takes all at once, one canary step or equal linear steps, each bake in whole minutes; a bake before any traffic moves cannot be expressed; nearest plan it can express: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) }), got bake(5m)");
  });

  test('fails when the plan bakes after all traffic moved', () => {
    const { stack, service, listener } = nativeStack();
    const plan = RolloutPlan.steps([Step.setWeight(10), Step.bake(Interval.minutes(5)), Step.setWeight(100), Step.bake(Interval.minutes(30))]);
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', { service, listener, plan })))
      .toBe("Shop/Api: invalid 'plan.steps[3]': Amazon ECS takes all at once, one canary step or equal linear steps, each bake in whole minutes; a bake after all traffic has moved is the construct's keepPrevious time, not a plan step; nearest plan it can express: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) }), got bake(30m)");
  });

  test('fails when a traffic step has no bake after it', () => {
    const { stack, service, listener } = nativeStack();
    const plan = RolloutPlan.steps([Step.setWeight(10), Step.setWeight(100)]);
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', { service, listener, plan })))
      .toBe("Shop/Api: invalid 'plan.steps[0]': Amazon ECS takes all at once, one canary step or equal linear steps, each bake in whole minutes; every traffic step below 100% needs a bake after it; nearest plan it can express: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) }), got setWeight(10)");
  });

  test('fails when the nearest plan must round a bake up to whole minutes', () => {
    const { stack, service, listener } = nativeStack();
    const plan = RolloutPlan.steps([Step.setWeight(10), Step.bake(Interval.seconds(90)), Step.pause()]);
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', { service, listener, plan })))
      .toBe("Shop/Api: invalid 'plan.steps[2]': Amazon ECS takes all at once, one canary step or equal linear steps, each bake in whole minutes, not a manual pause after the first step; nearest plan it can express: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(2) }), got pause()");
  });

  test('fails when keepPrevious and the bakes exceed the 33 hours CloudFormation allows an ECS deployment', () => {
    const { stack, service, listener } = nativeStack();
    // 9 steps of 180 minutes = 1620, plus 400 minutes kept = 2020 > 1980
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Api', {
      service, listener, plan: RolloutPlan.linear({ step: 10, every: Interval.hours(3) }), keepPrevious: Duration.minutes(400),
    }))).toBe("Shop/Api: invalid 'plan': CloudFormation rejects ECS deployments whose keepPrevious plus traffic-shift bakes exceed 33 hours (1980 minutes); shorten the bakes or keepPrevious, got 400 + 1620 = 2020 minutes");
  });

  test('exactly 33 hours of keepPrevious and bakes is taken', () => {
    const { stack, service, listener } = nativeStack();
    // 11% steps: 9 bakes of 180 minutes = 1620, plus 360 = 1980
    new EcsCanaryRollout(stack, 'Api', {
      service, listener, plan: RolloutPlan.linear({ step: 11, every: Interval.hours(3) }), keepPrevious: Duration.minutes(360),
    });
    expect(onlyResource(stack, 'AWS::ECS::Service').Properties.DeploymentConfiguration.LinearConfiguration).toEqual({ StepPercent: 11, StepBakeTimeInMinutes: 180 });
  });

  test('fails when CodeDeploy is asked to canary on a Network Load Balancer', () => {
    const f = codeDeployStack();
    const nlbListener = networkListener(f as any);
    expect(errorOf(() => new EcsCanaryRollout(f.stack, 'Api', {
      service: f.service, networkListener: nlbListener, engine: EcsDeploymentEngine.codeDeploy(), plan: canary,
    }))).toBe("Shop/Api: invalid 'plan': AWS CodeDeploy shifts Network Load Balancer traffic all at once only; nearest plan it can express: RolloutPlan.allAtOnce(), got setWeight(10), bake(5m)");
  });
});
