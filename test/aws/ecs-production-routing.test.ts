import { Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { ecsFixtures, EcsFixtures, errorOf, extraService, onlyResource, ownTargetGroups, resourcesOfType, synthErrorOf, testStack, userAlarm } from './fixtures';
import { EcsBlueGreenService, EcsCanaryRollout, EcsDeploymentEngine, Interval, RolloutPlan } from '../../src';

/** The production rule and the target groups, as CloudFormation gets them. */
function routing(stack: Stack): unknown {
  return {
    rules: resourcesOfType(stack, 'AWS::ElasticLoadBalancingV2::ListenerRule'),
    targetGroups: resourcesOfType(stack, 'AWS::ElasticLoadBalancingV2::TargetGroup'),
  };
}

describe('the production routing stays the same across releases', () => {
  test('a new image, plan, keepPrevious and alarms leave the rule and target groups unchanged', () => {
    const before = testStack();
    const a = ecsFixtures(before, { image: 'registry.example.com/checkout:1.0.0' });
    new EcsCanaryRollout(before, 'Api', { service: a.service, listener: a.listener, plan: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) }) });

    const after = testStack();
    const b = ecsFixtures(after, { image: 'registry.example.com/checkout:2.0.0' });
    new EcsCanaryRollout(after, 'Api', {
      service: b.service,
      listener: b.listener,
      plan: RolloutPlan.linear({ step: 20, every: Interval.minutes(2) }),
      keepPrevious: Duration.hours(2),
      rollbackAlarms: [userAlarm(after)],
      defaultAlarms: { max5xxPercent: 5, maxP99ResponseTime: Duration.millis(800) },
    });

    expect(JSON.stringify(onlyResource(before, 'AWS::ECS::TaskDefinition'))).not.toBe(JSON.stringify(onlyResource(after, 'AWS::ECS::TaskDefinition')));
    expect(routing(after)).toEqual(routing(before));
  });

  test('moving from EcsBlueGreenService to EcsCanaryRollout under the same id keeps the rule and target groups', () => {
    const before = testStack();
    const a = ecsFixtures(before);
    new EcsBlueGreenService(before, 'Web', { service: a.service, listener: a.listener });
    const after = testStack();
    const b = ecsFixtures(after);
    new EcsCanaryRollout(after, 'Web', { service: b.service, listener: b.listener, plan: RolloutPlan.canary({ percent: 5, bake: Interval.minutes(10) }) });
    expect(routing(after)).toEqual(routing(before));
  });

  test('the CodeDeploy engine writes the same rule as the Amazon ECS engine', () => {
    const native = testStack();
    const a = ecsFixtures(native);
    new EcsBlueGreenService(native, 'Web', { service: a.service, listener: a.listener });
    const codeDeploy = testStack();
    const b = ecsFixtures(codeDeploy, { deploymentController: ecs.DeploymentControllerType.CODE_DEPLOY, latestRevision: true });
    new EcsBlueGreenService(codeDeploy, 'Web', { service: b.service, listener: b.listener, engine: EcsDeploymentEngine.codeDeploy() });
    expect(routing(codeDeploy)).toEqual(routing(native));
  });
});

describe('ordering and network access', () => {
  test('with the Amazon ECS engine the service reaches the rules through its AdvancedConfiguration only, with no redundant DependsOn', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const release = new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, testListener: f.testListener });
    const svc = onlyResource(stack, 'AWS::ECS::Service');
    const ruleIds = [release.productionRule!, release.testRule!].map((r) => stack.getLogicalId(r.node.defaultChild as any));
    for (const id of ruleIds) expect(svc.DependsOn).not.toContain(id);
    expect(svc.DependsOn).toContain(stack.getLogicalId(f.listener.node.defaultChild as any));
    expect(svc.Properties.LoadBalancers[0].AdvancedConfiguration)
      .toMatchObject({ ProductionListenerRule: { Ref: ruleIds[0] }, TestListenerRule: { Ref: ruleIds[1] } });
  });

  test('with CodeDeploy the service, which does not name the rule, waits for it with DependsOn', () => {
    const stack = testStack();
    const f = ecsFixtures(stack, { deploymentController: ecs.DeploymentControllerType.CODE_DEPLOY, latestRevision: true });
    const release = new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, engine: EcsDeploymentEngine.codeDeploy() });
    expect(onlyResource(stack, 'AWS::ECS::Service').DependsOn).toContain(stack.getLogicalId(release.productionRule!.node.defaultChild as any));
  });

  test('a custom CodeDeploy configuration is named by Ref only, without a redundant DependsOn', () => {
    const stack = testStack();
    const f = ecsFixtures(stack, { deploymentController: ecs.DeploymentControllerType.CODE_DEPLOY, latestRevision: true });
    new EcsCanaryRollout(stack, 'Api', {
      service: f.service,
      listener: f.listener,
      engine: EcsDeploymentEngine.codeDeploy(),
      plan: RolloutPlan.canary({ percent: 20, bake: Interval.minutes(5) }),
    });
    const group = onlyResource(stack, 'AWS::CodeDeploy::DeploymentGroup');
    const configId = resourcesOfType(stack, 'AWS::CodeDeploy::DeploymentConfig')[0][0];
    expect(group.Properties.DeploymentConfigName).toEqual({ Ref: configId });
    expect(group.DependsOn ?? []).not.toContain(configId);
  });

  test('the load balancer may reach the tasks on the container port', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener });
    const ingress = resourcesOfType(stack, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties);
    expect(ingress).toContainEqual(expect.objectContaining({
      IpProtocol: 'tcp',
      FromPort: 8080,
      ToPort: 8080,
      GroupId: { 'Fn::GetAtt': [stack.getLogicalId(f.service.connections.securityGroups[0].node.defaultChild as any), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [stack.getLogicalId(f.loadBalancer.connections.securityGroups[0].node.defaultChild as any), 'GroupId'] },
    }));
  });
});

describe('a production rule the user made', () => {
  type ActionOf = (blue: elbv2.ApplicationTargetGroup, green: elbv2.ApplicationTargetGroup) => elbv2.ListenerAction;
  const weighted = (blueWeight: number, greenWeight: number): ActionOf => (b, g) => elbv2.ListenerAction.weightedForward([
    { targetGroup: b, weight: blueWeight }, { targetGroup: g, weight: greenWeight },
  ]);

  function withRule(f: EcsFixtures, stack: Stack, action: ActionOf) {
    const { blue, green } = ownTargetGroups(stack, f.vpc);
    const rule = new elbv2.ApplicationListenerRule(stack, 'MyRule', {
      listener: f.listener, priority: 7, conditions: [elbv2.ListenerCondition.pathPatterns(['/api/*'])], action: action(blue, green),
    });
    return { blue, green, rule };
  }

  test('is used as the production listener rule, and no other rule is created', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const { blue, green, rule } = withRule(f, stack, weighted(1, 0));
    const release = new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, productionRule: rule, blueTargetGroup: blue, greenTargetGroup: green });
    expect(release.productionRule).toBe(rule);
    expect(resourcesOfType(stack, 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([id]) => id)).toEqual([stack.getLogicalId(rule.node.defaultChild as any)]);
    expect(onlyResource(stack, 'AWS::ECS::Service').Properties.LoadBalancers[0].AdvancedConfiguration.ProductionListenerRule)
      .toEqual({ Ref: stack.getLogicalId(rule.node.defaultChild as any) });
    expect(() => (stack.node.root as any).synth()).not.toThrow();
  });

  test('fails when it also authenticates', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const { blue, green, rule } = withRule(f, stack, (b, g) => elbv2.ListenerAction.authenticateOidc({
      authorizationEndpoint: 'https://idp.example.com/authorize',
      tokenEndpoint: 'https://idp.example.com/token',
      userInfoEndpoint: 'https://idp.example.com/userinfo',
      issuer: 'https://idp.example.com',
      clientId: 'shop',
      clientSecret: { unsafeUnwrap: () => 'x' } as any,
      next: elbv2.ListenerAction.weightedForward([{ targetGroup: b, weight: 1 }, { targetGroup: g, weight: 0 }]),
    }));
    new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, productionRule: rule, blueTargetGroup: blue, greenTargetGroup: green });
    expect(synthErrorOf(stack)).toBe("Validation failed with the following errors:\n  [Shop/Web] invalid 'productionRule': must have exactly one action, a forward to the blue and green target groups (the engines rewrite its weights and refuse rules that also redirect, respond or authenticate), got actions [authenticate-oidc, forward]");
  });

  test('fails when its forward action has more than five target groups', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const extra = [1, 2, 3, 4].map((i) => new elbv2.ApplicationTargetGroup(stack, `Extra${i}`, { vpc: f.vpc, port: 8080, targetType: elbv2.TargetType.IP }));
    const { blue, green, rule } = withRule(f, stack, (b, g) => elbv2.ListenerAction.weightedForward(
      [b, g, ...extra].map((targetGroup, i) => ({ targetGroup, weight: i === 0 ? 1 : 0 })),
    ));
    new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, productionRule: rule, blueTargetGroup: blue, greenTargetGroup: green });
    expect(synthErrorOf(stack)).toBe("Validation failed with the following errors:\n  [Shop/Web] invalid 'productionRule': a forward action takes at most 5 target groups, got 6 target groups");
  });

  test('fails when a forward weight is above 999', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const { blue, green, rule } = withRule(f, stack, weighted(1000, 0));
    new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, productionRule: rule, blueTargetGroup: blue, greenTargetGroup: green });
    expect(synthErrorOf(stack)).toBe("Validation failed with the following errors:\n  [Shop/Web] invalid 'productionRule': forward weights must be whole numbers from 0 to 999, got weight 1000");
  });

  test('fails when a forward weight is negative', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const { blue, green, rule } = withRule(f, stack, weighted(1, -1));
    new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, productionRule: rule, blueTargetGroup: blue, greenTargetGroup: green });
    expect(synthErrorOf(stack)).toBe("Validation failed with the following errors:\n  [Shop/Web] invalid 'productionRule': forward weights must be whole numbers from 0 to 999, got weight -1");
  });

  test('fails when it does not forward to the green target group', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const { blue, green, rule } = withRule(f, stack, (b) => elbv2.ListenerAction.forward([b]));
    new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, productionRule: rule, blueTargetGroup: blue, greenTargetGroup: green });
    expect(synthErrorOf(stack)).toBe("Validation failed with the following errors:\n  [Shop/Web] invalid 'productionRule': must forward to both blueTargetGroup and greenTargetGroup (Amazon ECS fails deployments whose production rule lacks one); greenTargetGroup is missing, got a forward to 1 target group");
  });

  test('fails when it belongs to another listener', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const { blue, green } = ownTargetGroups(stack, f.vpc);
    const rule = new elbv2.ApplicationListenerRule(stack, 'MyRule', {
      listener: f.testListener,
      priority: 7,
      conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])],
      action: elbv2.ListenerAction.weightedForward([{ targetGroup: blue, weight: 1 }, { targetGroup: green, weight: 0 }]),
    });
    new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, productionRule: rule, blueTargetGroup: blue, greenTargetGroup: green });
    expect(synthErrorOf(stack)).toBe(`Validation failed with the following errors:\n  [Shop/Web] invalid 'productionRule': must be a rule of listener, got a rule of another listener ({"Ref":"${stack.getLogicalId(f.testListener.node.defaultChild as any)}"})`);
  });

  test('fails without listener', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const { blue, green, rule } = withRule(f, stack, weighted(1, 0));
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: f.service, productionRule: rule, blueTargetGroup: blue, greenTargetGroup: green })))
      .toBe("Shop/Web: invalid 'productionRule': needs listener, the Application Load Balancer listener the rule belongs to, got nothing");
  });

  test('fails with route conditions, which shape only the rule the release creates', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const { blue, green, rule } = withRule(f, stack, weighted(1, 0));
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', {
      service: f.service, listener: f.listener, productionRule: rule, blueTargetGroup: blue, greenTargetGroup: green, routePriority: 3,
    }))).toBe("Shop/Web: invalid 'routePriority': shapes the rule the release creates, so it cannot be combined with productionRule, got 3");
  });

  test('fails without the target groups it forwards to', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const { rule } = withRule(f, stack, weighted(1, 0));
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, productionRule: rule })))
      .toBe("Shop/Web: invalid 'blueTargetGroup': is required with productionRule: give the two target groups the rule forwards to, got nothing");
  });
});

describe('target groups and listeners refused', () => {
  test('fails when blue and green are the same target group', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const { blue } = ownTargetGroups(stack, f.vpc);
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, blueTargetGroup: blue, greenTargetGroup: blue })))
      .toBe(`Shop/Web: invalid 'greenTargetGroup': must differ from blueTargetGroup: the engine moves traffic from one target group to the other, got {"Ref":"${stack.getLogicalId(blue.node.defaultChild as any)}"}`);
  });

  test('fails when blue and green are one imported target group', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const arn = 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/checkout/0123456789abcdef';
    const blue = elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(stack, 'B', { targetGroupArn: arn });
    const green = elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(stack, 'G', { targetGroupArn: arn });
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, blueTargetGroup: blue, greenTargetGroup: green })))
      .toBe(`Shop/Web: invalid 'greenTargetGroup': must differ from blueTargetGroup: the engine moves traffic from one target group to the other, got '${arn}'`);
  });

  test('fails when only one target group is given', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const { blue } = ownTargetGroups(stack, f.vpc);
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, blueTargetGroup: blue })))
      .toBe("Shop/Web: invalid 'greenTargetGroup': blueTargetGroup and greenTargetGroup must be given together, got nothing");
  });

  test('fails when target groups are given without a load balancer', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const { blue, green } = ownTargetGroups(stack, f.vpc);
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: f.service, blueTargetGroup: blue, greenTargetGroup: green })))
      .toBe("Shop/Web: invalid 'blueTargetGroup': needs listener or networkListener, where the target groups take traffic, got nothing");
  });

  test('fails when an Application Load Balancer gets network target groups', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const blue = new elbv2.NetworkTargetGroup(stack, 'NB', { vpc: f.vpc, port: 8080, targetType: elbv2.TargetType.IP });
    const green = new elbv2.NetworkTargetGroup(stack, 'NG', { vpc: f.vpc, port: 8080, targetType: elbv2.TargetType.IP });
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, blueTargetGroup: blue, greenTargetGroup: green })))
      .toBe(`Shop/Web: invalid 'blueTargetGroup': must be an application target group (elbv2.IApplicationTargetGroup) behind listener, got {"Ref":"${stack.getLogicalId(blue.node.defaultChild as any)}"}`);
  });

  test('fails when a Network Load Balancer gets application target groups', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const nlb = new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc: f.vpc });
    const networkListener = new elbv2.NetworkListener(stack, 'Tcp', { loadBalancer: nlb, port: 443 });
    const { blue, green } = ownTargetGroups(stack, f.vpc);
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: f.service, networkListener, blueTargetGroup: blue, greenTargetGroup: green })))
      .toBe(`Shop/Web: invalid 'blueTargetGroup': must be a network target group (elbv2.INetworkTargetGroup) behind networkListener, got {"Ref":"${stack.getLogicalId(blue.node.defaultChild as any)}"}`);
  });

  test('fails when both an ALB listener and an NLB listener are given', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const nlb = new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc: f.vpc });
    const networkListener = new elbv2.NetworkListener(stack, 'Tcp', { loadBalancer: nlb, port: 443 });
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, networkListener })))
      .toBe("Shop/Web: invalid 'networkListener': give listener (Application Load Balancer) or networkListener (Network Load Balancer), not both, got 'both'");
  });

  test('fails when the NLB listener is imported', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const imported = elbv2.NetworkListener.fromNetworkListenerArn(stack, 'Imported', 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:listener/net/shop/0123/4567');
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: f.service, networkListener: imported as any })))
      .toMatch(/^Shop\/Web: invalid 'networkListener': must be an elbv2\.NetworkListener created in this app \(the release sets its default action\), got /);
  });

  test('fails when the NLB listener already has a default action', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const nlb = new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc: f.vpc });
    const other = new elbv2.NetworkTargetGroup(stack, 'Other', { vpc: f.vpc, port: 8080, targetType: elbv2.TargetType.IP });
    const networkListener = new elbv2.NetworkListener(stack, 'Tcp', { loadBalancer: nlb, port: 443, defaultTargetGroups: [other] });
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: f.service, networkListener })))
      .toBe("Shop/Web: invalid 'networkListener': must be created without a default action: the release sets it to forward to the blue and green target groups, got a listener with a default action");
  });

  test('fails when the NLB listener default action is replaced after the release set it', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const nlb = new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc: f.vpc });
    const networkListener = new elbv2.NetworkListener(stack, 'Tcp', { loadBalancer: nlb, port: 443 });
    new EcsBlueGreenService(stack, 'Web', { service: f.service, networkListener });
    networkListener.addAction('Mine', { action: elbv2.NetworkListenerAction.forward([new elbv2.NetworkTargetGroup(stack, 'Other', { vpc: f.vpc, port: 8080, targetType: elbv2.TargetType.IP })]) });
    expect(synthErrorOf(stack)).toBe("Validation failed with the following errors:\n  [Shop/Web] invalid 'networkListener': must keep the default action the release set (a forward to the blue and green target groups); do not set another one, got default actions [forward]");
  });

  test('fails when a target protocol is given for a Network Load Balancer', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const nlb = new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc: f.vpc });
    const networkListener = new elbv2.NetworkListener(stack, 'Tcp', { loadBalancer: nlb, port: 443 });
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: f.service, networkListener, targetProtocol: elbv2.ApplicationProtocol.HTTPS })))
      .toBe("Shop/Web: invalid 'targetProtocol': applies to Application Load Balancer target groups; a Network Load Balancer forwards TCP, got 'HTTPS'");
  });

  test('fails when the test listener comes without a production listener', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: f.service, testListener: f.testListener })))
      .toBe("Shop/Web: invalid 'testListener': needs listener: test traffic goes through an Application Load Balancer, got nothing");
  });

  test('fails when the route priority is outside 1 to 50000', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, routePriority: 50001 })))
      .toBe("Shop/Web: invalid 'routePriority': must be a whole number from 1 to 50000, got 50001");
  });

  test('fails when the route conditions are empty', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, routeConditions: [] })))
      .toBe("Shop/Web: invalid 'routeConditions': must have at least one ListenerCondition, got []");
  });

  test('imported target groups work: the alarms read their names from their ARNs', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const arn = (name: string) => `arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/${name}/0123456789abcdef`;
    const blue = elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(stack, 'B', { targetGroupArn: arn('checkout-blue') });
    const green = elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(stack, 'G', { targetGroupArn: arn('checkout-green') });
    new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, blueTargetGroup: blue, greenTargetGroup: green });
    const names = resourcesOfType(stack, 'AWS::CloudWatch::Alarm')
      .filter(([, a]) => a.Properties.MetricName === 'TargetResponseTime')
      .map(([, a]) => a.Properties.Dimensions.find((d: any) => d.Name === 'TargetGroup').Value);
    expect(names.sort()).toEqual(['targetgroup/checkout-blue/0123456789abcdef', 'targetgroup/checkout-green/0123456789abcdef']);
    expect(onlyResource(stack, 'AWS::ECS::Service').Properties.LoadBalancers[0]).toMatchObject({
      TargetGroupArn: arn('checkout-blue'), AdvancedConfiguration: { AlternateTargetGroupArn: arn('checkout-green') },
    });
  });

  test('CodeDeploy moves Network Load Balancer traffic all at once', () => {
    const stack = testStack();
    const f = ecsFixtures(stack, { deploymentController: ecs.DeploymentControllerType.CODE_DEPLOY, latestRevision: true });
    const nlb = new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc: f.vpc });
    const networkListener = new elbv2.NetworkListener(stack, 'Tcp', { loadBalancer: nlb, port: 443 });
    const release = new EcsBlueGreenService(stack, 'Web', { service: f.service, networkListener, engine: EcsDeploymentEngine.codeDeploy() });
    const group = onlyResource(stack, 'AWS::CodeDeploy::DeploymentGroup');
    expect(group.Properties.DeploymentConfigName).toBe('CodeDeployDefault.ECSAllAtOnce');
    expect(group.Properties.LoadBalancerInfo.TargetGroupPairInfoList[0].ProdTrafficRoute)
      .toEqual({ ListenerArns: [{ Ref: stack.getLogicalId(networkListener.node.defaultChild as any) }] });
    expect(onlyResource(stack, 'AWS::ECS::Service').Properties.LoadBalancers)
      .toEqual([{ ContainerName: 'web', ContainerPort: 8080, TargetGroupArn: { Ref: stack.getLogicalId(release.blueTargetGroup!.node.defaultChild as any) } }]);
  });

  test('an imported listener works: the alarms read the load balancer name from its ARN', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const imported = elbv2.ApplicationListener.fromApplicationListenerAttributes(stack, 'Imported', {
      listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:listener/app/shop/0123456789abcdef/fedcba9876543210',
      securityGroup: f.loadBalancer.connections.securityGroups[0],
    });
    new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: imported });
    const rule = onlyResource(stack, 'AWS::ElasticLoadBalancingV2::ListenerRule');
    expect(rule.Properties.ListenerArn).toBe('arn:aws:elasticloadbalancing:eu-west-1:111111111111:listener/app/shop/0123456789abcdef/fedcba9876543210');
    const p99 = resourcesOfType(stack, 'AWS::CloudWatch::Alarm').find(([, a]) => a.Properties.MetricName === 'TargetResponseTime')![1];
    const lb = p99.Properties.Dimensions.find((d: any) => d.Name === 'LoadBalancer').Value;
    expect(lb).toBe('app/shop/0123456789abcdef');
  });
});

describe('collisions CloudFormation or the engine would find at deploy time', () => {
  test('fails when two releases on one listener both take the default priority', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener });
    new EcsBlueGreenService(stack, 'Orders', { service: extraService(stack, f, 'OrdersService'), listener: f.listener, routeConditions: [elbv2.ListenerCondition.pathPatterns(['/orders/*'])] });
    expect(synthErrorOf(stack)).toBe('Validation failed with the following errors:\n'
      + "  [Shop/Web] invalid 'routePriority': must differ from the priority of every other rule on the listener (CloudFormation fails on two rules with one priority); Shop/Orders/ProductionRule/Resource has it too: give each release on a listener its own routePriority, got 50000\n"
      + "  [Shop/Orders] invalid 'routePriority': must differ from the priority of every other rule on the listener (CloudFormation fails on two rules with one priority); Shop/Web/ProductionRule/Resource has it too: give each release on a listener its own routePriority, got 50000");
  });

  test('two releases on one listener with their own priorities synthesize', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, routePriority: 200 });
    new EcsBlueGreenService(stack, 'Orders', {
      service: extraService(stack, f, 'OrdersService'), listener: f.listener, routePriority: 100, routeConditions: [elbv2.ListenerCondition.pathPatterns(['/orders/*'])],
    });
    expect(resourcesOfType(stack, 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([, r]) => r.Properties.Priority).sort()).toEqual([100, 200]);
  });

  test('fails when a rule of the user has the priority the release was given', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    f.listener.addAction('Health', { priority: 10, conditions: [elbv2.ListenerCondition.pathPatterns(['/health'])], action: elbv2.ListenerAction.fixedResponse(200) });
    new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, routePriority: 10 });
    expect(synthErrorOf(stack)).toBe('Validation failed with the following errors:\n'
      + "  [Shop/Web] invalid 'routePriority': must differ from the priority of every other rule on the listener (CloudFormation fails on two rules with one priority); Shop/Alb/Http/HealthRule/Resource has it too, got 10");
  });

  test('fails when the test rule collides with a rule on the test listener', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    f.testListener.addAction('Health', { priority: 10, conditions: [elbv2.ListenerCondition.pathPatterns(['/health'])], action: elbv2.ListenerAction.fixedResponse(200) });
    new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, testListener: f.testListener, routePriority: 10 });
    expect(synthErrorOf(stack)).toBe('Validation failed with the following errors:\n'
      + "  [Shop/Web] invalid 'routePriority': must differ from the priority of every other rule on the test listener (CloudFormation fails on two rules with one priority); Shop/Alb/Test/HealthRule/Resource has it too, got 10");
  });

  test('fails when the production rule the user made sends no traffic anywhere', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const { blue, green } = ownTargetGroups(stack, f.vpc);
    const rule = new elbv2.ApplicationListenerRule(stack, 'MyRule', {
      listener: f.listener,
      priority: 7,
      conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])],
      action: elbv2.ListenerAction.weightedForward([{ targetGroup: blue, weight: 0 }, { targetGroup: green, weight: 0 }]),
    });
    new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, productionRule: rule, blueTargetGroup: blue, greenTargetGroup: green });
    expect(synthErrorOf(stack)).toBe('Validation failed with the following errors:\n'
      + "  [Shop/Web] invalid 'productionRule': must send production traffic somewhere: give the blue target group a forward weight above 0, got every forward weight 0");
  });

  test('fails when the test listener belongs to another load balancer', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const other = new elbv2.ApplicationLoadBalancer(stack, 'OtherAlb', { vpc: f.vpc });
    const testListener = other.addListener('Test', { port: 8080, protocol: elbv2.ApplicationProtocol.HTTP, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, testListener })))
      .toBe("Shop/Web: invalid 'testListener': must be a listener of the production listener's load balancer (Shop/Alb): the engine moves test and production traffic between one target group pair, got a listener of Shop/OtherAlb");
  });

  test('fails when an imported test listener belongs to another load balancer', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const imported = (id: string, arn: string) => elbv2.ApplicationListener.fromApplicationListenerAttributes(stack, id, {
      listenerArn: arn, securityGroup: f.loadBalancer.connections.securityGroups[0],
    });
    const listener = imported('Prod', 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:listener/app/shop/0123456789abcdef/fedcba9876543210');
    const testListener = imported('Test', 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:listener/app/other/1111111111111111/2222222222222222');
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: f.service, listener, testListener })))
      .toBe("Shop/Web: invalid 'testListener': must be a listener of the production listener's load balancer (app/shop/0123456789abcdef): the engine moves test and production traffic between one target group pair, got a listener of app/other/1111111111111111");
  });

  test('fails when a target group of the release is also forwarded to by another rule', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const { blue, green } = ownTargetGroups(stack, f.vpc);
    f.listener.addAction('Legacy', { priority: 5, conditions: [elbv2.ListenerCondition.pathPatterns(['/legacy/*'])], action: elbv2.ListenerAction.forward([green]) });
    new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, blueTargetGroup: blue, greenTargetGroup: green });
    expect(synthErrorOf(stack)).toBe('Validation failed with the following errors:\n'
      + "  [Shop/Web] invalid 'greenTargetGroup': must take traffic only through the release's production and test routing (the engine moves traffic between the two target groups there), got a target group that Shop/Alb/Http/LegacyRule/Resource also forwards to");
  });

  test('fails when the service is already registered in the green target group', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const { blue, green } = ownTargetGroups(stack, f.vpc);
    green.addTarget(f.service);
    new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, blueTargetGroup: blue, greenTargetGroup: green });
    expect(synthErrorOf(stack)).toBe('Validation failed with the following errors:\n'
      + "  [Shop/Web] invalid 'greenTargetGroup': must be empty before a deployment: the engine registers the new version there, and Amazon ECS refuses a green target group that already has the service, got a target group that Shop/Service/Service is registered in");
  });

  test('fails when another service is registered in the blue target group', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const { blue, green } = ownTargetGroups(stack, f.vpc);
    blue.addTarget(extraService(stack, f, 'OrdersService'));
    new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, blueTargetGroup: blue, greenTargetGroup: green });
    expect(synthErrorOf(stack)).toBe('Validation failed with the following errors:\n'
      + "  [Shop/Web] invalid 'blueTargetGroup': must hold only this service's tasks, got a target group that Shop/OrdersService/Service is registered in");
  });
});

describe('target groups the release creates', () => {
  test('health check, deregistration delay and slow start apply to both, identically', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    new EcsCanaryRollout(stack, 'Web', {
      service: f.service,
      listener: f.listener,
      plan: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) }),
      healthCheck: { path: '/healthz', interval: Duration.seconds(10), healthyThresholdCount: 2 },
      deregistrationDelay: Duration.seconds(30),
      slowStart: Duration.seconds(60),
    });
    const groups = resourcesOfType(stack, 'AWS::ElasticLoadBalancingV2::TargetGroup').map(([, tg]) => tg.Properties);
    expect(groups).toHaveLength(2);
    expect(groups[0]).toEqual(groups[1]);
    expect(groups[0]).toMatchObject({ HealthCheckPath: '/healthz', HealthCheckIntervalSeconds: 10, HealthyThresholdCount: 2 });
    expect(groups[0].TargetGroupAttributes).toEqual(expect.arrayContaining([
      { Key: 'deregistration_delay.timeout_seconds', Value: '30' },
      { Key: 'slow_start.duration_seconds', Value: '60' },
    ]));
  });

  test('a Network Load Balancer pair gets the deregistration delay', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const nlb = new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc: f.vpc });
    const networkListener = new elbv2.NetworkListener(stack, 'Tcp', { loadBalancer: nlb, port: 443 });
    new EcsBlueGreenService(stack, 'Web', { service: f.service, networkListener, deregistrationDelay: Duration.seconds(0) });
    for (const [, tg] of resourcesOfType(stack, 'AWS::ElasticLoadBalancingV2::TargetGroup')) {
      expect(tg.Properties.TargetGroupAttributes).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '0' });
    }
  });

  test.each([
    ['deregistrationDelay', Duration.seconds(3601), 'must be whole seconds from 0 to 3600, got 1 hour 1 second'],
    ['slowStart', Duration.seconds(10), 'must be whole seconds from 30 to 900, or 0 to turn slow start off, got 10 seconds'],
    ['slowStart', Duration.millis(30500), 'must be whole seconds from 30 to 900, or 0 to turn slow start off, got 30 seconds 500 millis'],
  ] as const)('fails when %s is %s', (field, value, message) => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, [field]: value })))
      .toBe(`Shop/Web: invalid '${field}': ${message}`);
  });

  test('fails when slow start is asked of a Network Load Balancer', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const nlb = new elbv2.NetworkLoadBalancer(stack, 'Nlb', { vpc: f.vpc });
    const networkListener = new elbv2.NetworkListener(stack, 'Tcp', { loadBalancer: nlb, port: 443 });
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: f.service, networkListener, slowStart: Duration.seconds(60) })))
      .toBe("Shop/Web: invalid 'slowStart': applies to Application Load Balancer target groups; a Network Load Balancer has no slow start, got Duration.seconds(60)");
  });

  test('fails when target group settings come with target groups the user made', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const { blue, green } = ownTargetGroups(stack, f.vpc);
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', {
      service: f.service, listener: f.listener, blueTargetGroup: blue, greenTargetGroup: green, deregistrationDelay: Duration.seconds(30),
    }))).toBe("Shop/Web: invalid 'deregistrationDelay': applies to the target groups the release creates; configure the target groups you pass in blueTargetGroup and greenTargetGroup instead, got Duration.seconds(30)");
  });
});
