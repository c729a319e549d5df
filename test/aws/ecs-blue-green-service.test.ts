import { CfnParameter, Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ecsFixtures, ecsInfrastructureRoleId, errorOf, onlyResource, onlyResourceId, resourcesOfType, testStack, userAlarm } from './fixtures';
import { EcsBlueGreenService, EcsCanaryRollout, EcsCodeDeployTrigger, EcsDeploymentEngine, Interval, RolloutPlan, Step } from '../../src';

/** The CodeDeploy engine with deployments started by a pipeline (plans longer than a stack update waits). */
const EXTERNAL = EcsDeploymentEngine.codeDeploy({ trigger: EcsCodeDeployTrigger.EXTERNAL });

describe('EcsBlueGreenService with the Amazon ECS engine', () => {
  test('sets the BLUE_GREEN strategy, a 15-minute bake and the alternate target group on the service', () => {
    const stack = testStack();
    const { service, listener } = ecsFixtures(stack);
    const release = new EcsBlueGreenService(stack, 'Web', { service, listener });

    const svc = onlyResource(stack, 'AWS::ECS::Service');
    expect(svc.Properties.DeploymentConfiguration).toMatchObject({ Strategy: 'BLUE_GREEN', BakeTimeInMinutes: 15 });
    expect(svc.Properties.DeploymentConfiguration.CanaryConfiguration).toBeUndefined();
    expect(svc.Properties.DeploymentConfiguration.LinearConfiguration).toBeUndefined();
    expect(svc.Properties.LoadBalancers).toEqual([{
      ContainerName: 'web',
      ContainerPort: 8080,
      TargetGroupArn: { Ref: stack.getLogicalId(release.blueTargetGroup!.node.defaultChild as any) },
      AdvancedConfiguration: {
        AlternateTargetGroupArn: { Ref: stack.getLogicalId(release.greenTargetGroup!.node.defaultChild as any) },
        ProductionListenerRule: { Ref: stack.getLogicalId(release.productionRule!.node.defaultChild as any) },
        RoleArn: { 'Fn::GetAtt': [ecsInfrastructureRoleId(stack), 'Arn'] },
      },
    }]);
  });

  test('creates two IP target groups on the container port and a catch-all production rule, blue 100 and green 0', () => {
    const stack = testStack();
    const { service, listener } = ecsFixtures(stack);
    const release = new EcsBlueGreenService(stack, 'Web', { service, listener });

    const groups = resourcesOfType(stack, 'AWS::ElasticLoadBalancingV2::TargetGroup');
    expect(groups).toHaveLength(2);
    for (const [, tg] of groups) expect(tg.Properties).toMatchObject({ Port: 8080, Protocol: 'HTTP', TargetType: 'ip' });
    const rule = onlyResource(stack, 'AWS::ElasticLoadBalancingV2::ListenerRule');
    expect(rule.Properties).toEqual({
      ListenerArn: { Ref: stack.getLogicalId(listener.node.defaultChild as any) },
      Priority: 50000,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
      Actions: [{
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: { Ref: stack.getLogicalId(release.blueTargetGroup!.node.defaultChild as any) }, Weight: 100 },
            { TargetGroupArn: { Ref: stack.getLogicalId(release.greenTargetGroup!.node.defaultChild as any) }, Weight: 0 },
          ],
        },
      }],
    });
  });

  test('gives Amazon ECS an infrastructure role with the load balancer managed policy', () => {
    const stack = testStack();
    const { service, listener } = ecsFixtures(stack);
    new EcsBlueGreenService(stack, 'Web', { service, listener });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ecs.amazonaws.com' } }] },
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers']] }],
    });
  });

  test('uses the infrastructure role given to the engine', () => {
    const stack = testStack();
    const { service, listener } = ecsFixtures(stack);
    const role = iam.Role.fromRoleArn(stack, 'Infra', 'arn:aws:iam::111111111111:role/ecs-infrastructure');
    new EcsBlueGreenService(stack, 'Web', { service, listener, engine: EcsDeploymentEngine.ecsNative({ infrastructureRole: role }) });
    const svc = onlyResource(stack, 'AWS::ECS::Service');
    expect(svc.Properties.LoadBalancers[0].AdvancedConfiguration.RoleArn).toBe('arn:aws:iam::111111111111:role/ecs-infrastructure');
    expect(resourcesOfType(stack, 'AWS::IAM::Role').filter(([, r]) => JSON.stringify(r).includes('ecs.amazonaws.com'))).toHaveLength(0);
  });

  test('keepPrevious becomes the bake time in minutes', () => {
    const stack = testStack();
    const { service, listener } = ecsFixtures(stack);
    new EcsBlueGreenService(stack, 'Web', { service, listener, plan: RolloutPlan.allAtOnce(), keepPrevious: Duration.minutes(30) });
    expect(onlyResource(stack, 'AWS::ECS::Service').Properties.DeploymentConfiguration.BakeTimeInMinutes).toBe(30);
  });

  test('the previous revision may be kept the whole 24 hours', () => {
    const stack = testStack();
    const { service, listener } = ecsFixtures(stack);
    new EcsBlueGreenService(stack, 'Web', { service, listener, keepPrevious: Duration.hours(24) });
    expect(onlyResource(stack, 'AWS::ECS::Service').Properties.DeploymentConfiguration.BakeTimeInMinutes).toBe(1440);
  });

  test('a test listener gets a test rule like the production one, named in the service', () => {
    const stack = testStack();
    const { service, listener, testListener } = ecsFixtures(stack);
    const release = new EcsBlueGreenService(stack, 'Web', { service, listener, testListener });
    const rules = resourcesOfType(stack, 'AWS::ElasticLoadBalancingV2::ListenerRule');
    expect(rules).toHaveLength(2);
    const testRuleId = stack.getLogicalId(release.testRule!.node.defaultChild as any);
    const testRule = rules.find(([id]) => id === testRuleId)![1];
    expect(testRule.Properties.ListenerArn).toEqual({ Ref: stack.getLogicalId(testListener.node.defaultChild as any) });
    expect(testRule.Properties.Actions[0].ForwardConfig.TargetGroups.map((g: any) => g.Weight)).toEqual([100, 0]);
    expect(onlyResource(stack, 'AWS::ECS::Service').Properties.LoadBalancers[0].AdvancedConfiguration.TestListenerRule).toEqual({ Ref: testRuleId });
  });

  test('route conditions and priority shape the production rule', () => {
    const stack = testStack();
    const { service, listener } = ecsFixtures(stack);
    new EcsBlueGreenService(stack, 'Web', {
      service, listener, routePriority: 10, routeConditions: [elbv2.ListenerCondition.hostHeaders(['checkout.example.com'])],
    });
    const rule = onlyResource(stack, 'AWS::ElasticLoadBalancingV2::ListenerRule');
    expect(rule.Properties.Priority).toBe(10);
    expect(rule.Properties.Conditions).toEqual([{ Field: 'host-header', HostHeaderConfig: { Values: ['checkout.example.com'] } }]);
  });

  test('target groups the user made are used instead of new ones', () => {
    const stack = testStack();
    const { service, listener, vpc } = ecsFixtures(stack);
    const props = { vpc, port: 8080, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP };
    const blue = new elbv2.ApplicationTargetGroup(stack, 'Blue', props);
    const green = new elbv2.ApplicationTargetGroup(stack, 'Green', props);
    new EcsBlueGreenService(stack, 'Web', { service, listener, blueTargetGroup: blue, greenTargetGroup: green });
    expect(resourcesOfType(stack, 'AWS::ElasticLoadBalancingV2::TargetGroup').map(([id]) => id).sort())
      .toEqual([stack.getLogicalId(blue.node.defaultChild as any), stack.getLogicalId(green.node.defaultChild as any)].sort());
    const svc = onlyResource(stack, 'AWS::ECS::Service');
    expect(svc.Properties.LoadBalancers[0].TargetGroupArn).toEqual({ Ref: stack.getLogicalId(blue.node.defaultChild as any) });
    expect(svc.Properties.LoadBalancers[0].AdvancedConfiguration.AlternateTargetGroupArn)
      .toEqual({ Ref: stack.getLogicalId(green.node.defaultChild as any) });
  });

  test('a health check and target protocol apply to the target groups it creates', () => {
    const stack = testStack();
    const { service, listener } = ecsFixtures(stack);
    new EcsBlueGreenService(stack, 'Web', {
      service, listener, targetProtocol: elbv2.ApplicationProtocol.HTTPS, healthCheck: { path: '/healthz', healthyThresholdCount: 2 },
    });
    for (const [, tg] of resourcesOfType(stack, 'AWS::ElasticLoadBalancingV2::TargetGroup')) {
      expect(tg.Properties).toMatchObject({ Protocol: 'HTTPS', HealthCheckPath: '/healthz', HealthyThresholdCount: 2 });
    }
  });

  test('without a load balancer the service is a headless blue/green deployment: no target groups, no alarms', () => {
    const stack = testStack();
    const { service } = ecsFixtures(stack);
    new EcsBlueGreenService(stack, 'Web', { service });
    const svc = onlyResource(stack, 'AWS::ECS::Service');
    expect(svc.Properties.DeploymentConfiguration).toMatchObject({
      Strategy: 'BLUE_GREEN', BakeTimeInMinutes: 15, Alarms: { AlarmNames: [], Enable: false, Rollback: false },
    });
    expect(svc.Properties.LoadBalancers).toBeUndefined();
    expect(resourcesOfType(stack, 'AWS::ElasticLoadBalancingV2::TargetGroup')).toHaveLength(0);
    expect(resourcesOfType(stack, 'AWS::CloudWatch::Alarm')).toHaveLength(0);
  });

  test('an EC2 service on bridge networking gets instance target groups', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const task = new ecs.Ec2TaskDefinition(stack, 'Ec2Task', { networkMode: ecs.NetworkMode.BRIDGE });
    task.addContainer('web', {
      image: ecs.ContainerImage.fromRegistry('registry.example.com/checkout:1.0.0'), memoryLimitMiB: 256, portMappings: [{ containerPort: 8080 }],
    });
    f.cluster.addCapacity('Ec2', { instanceType: new ec2.InstanceType('t3.small'), minCapacity: 1 });
    const service = new ecs.Ec2Service(stack, 'Ec2Service', { cluster: f.cluster, taskDefinition: task, minHealthyPercent: 100 });
    new EcsBlueGreenService(stack, 'Web', { service, listener: f.listener });
    const groups = resourcesOfType(stack, 'AWS::ElasticLoadBalancingV2::TargetGroup');
    expect(groups).toHaveLength(2);
    for (const [, tg] of groups) expect(tg.Properties).toMatchObject({ TargetType: 'instance', Port: 8080 });
    const svc = resourcesOfType(stack, 'AWS::ECS::Service').find(([id]) => id === stack.getLogicalId(service.node.defaultChild as any))![1];
    expect(svc.Properties.DeploymentConfiguration.Strategy).toBe('BLUE_GREEN');
    expect(svc.Properties.LaunchType).toBe('EC2');
  });

  test('lifecycle hooks added to the service after the release still reach its deployment configuration', () => {
    const stack = testStack();
    const { service, listener } = ecsFixtures(stack);
    new EcsBlueGreenService(stack, 'Web', { service, listener });
    const hook = new lambda.Function(stack, 'Hook', {
      runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({ hookStatus: "SUCCEEDED" });'),
    });
    service.addLifecycleHook(new ecs.DeploymentLifecycleLambdaTarget(hook, 'Smoke', { lifecycleStages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT] }));
    const config = onlyResource(stack, 'AWS::ECS::Service').Properties.DeploymentConfiguration;
    expect(config.Strategy).toBe('BLUE_GREEN');
    expect(config.LifecycleHooks).toHaveLength(1);
    expect(config.LifecycleHooks[0]).toMatchObject({
      HookTargetArn: { 'Fn::GetAtt': [stack.getLogicalId(hook.node.defaultChild as any), 'Arn'] }, LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
    });
  });

  test('a keepPrevious from a CloudFormation parameter is passed through unchecked', () => {
    const stack = testStack();
    const { service, listener } = ecsFixtures(stack);
    const minutes = new CfnParameter(stack, 'KeepMinutes', { type: 'Number', default: 30 });
    new EcsBlueGreenService(stack, 'Web', { service, listener, keepPrevious: Duration.minutes(minutes.valueAsNumber) });
    expect(onlyResource(stack, 'AWS::ECS::Service').Properties.DeploymentConfiguration.BakeTimeInMinutes).toEqual({ Ref: 'KeepMinutes' });
  });

  test('a container and port other than the default one take traffic when named', () => {
    const stack = testStack();
    const { service, listener, taskDefinition } = ecsFixtures(stack);
    taskDefinition.addContainer('admin', { image: ecs.ContainerImage.fromRegistry('registry.example.com/admin:1'), portMappings: [{ containerPort: 9000 }] });
    new EcsBlueGreenService(stack, 'Web', { service, listener, containerName: 'admin', containerPort: 9000 });
    expect(onlyResource(stack, 'AWS::ECS::Service').Properties.LoadBalancers[0]).toMatchObject({ ContainerName: 'admin', ContainerPort: 9000 });
    for (const [, tg] of resourcesOfType(stack, 'AWS::ElasticLoadBalancingV2::TargetGroup')) expect(tg.Properties.Port).toBe(9000);
  });
});

describe('EcsBlueGreenService with the CodeDeploy engine', () => {
  function codeDeployFixtures() {
    const stack = testStack();
    const f = ecsFixtures(stack, { deploymentController: ecs.DeploymentControllerType.CODE_DEPLOY, latestRevision: true });
    return { stack, ...f };
  }

  test('creates an ECS application and a blue/green deployment group with the target group pair and listeners', () => {
    const { stack, service, listener, testListener } = codeDeployFixtures();
    const release = new EcsBlueGreenService(stack, 'Web', { service, listener, testListener, engine: EcsDeploymentEngine.codeDeploy() });
    Template.fromStack(stack).hasResourceProperties('AWS::CodeDeploy::Application', { ComputePlatform: 'ECS' });
    const group = onlyResource(stack, 'AWS::CodeDeploy::DeploymentGroup');
    expect(group.Properties).toMatchObject({
      DeploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce',
      DeploymentStyle: { DeploymentOption: 'WITH_TRAFFIC_CONTROL', DeploymentType: 'BLUE_GREEN' },
      BlueGreenDeploymentConfiguration: {
        DeploymentReadyOption: { ActionOnTimeout: 'CONTINUE_DEPLOYMENT', WaitTimeInMinutes: 0 },
        TerminateBlueInstancesOnDeploymentSuccess: { Action: 'TERMINATE', TerminationWaitTimeInMinutes: 15 },
      },
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'] },
      LoadBalancerInfo: {
        TargetGroupPairInfoList: [{
          ProdTrafficRoute: { ListenerArns: [{ Ref: stack.getLogicalId(listener.node.defaultChild as any) }] },
          TestTrafficRoute: { ListenerArns: [{ Ref: stack.getLogicalId(testListener.node.defaultChild as any) }] },
          TargetGroups: [
            { Name: { 'Fn::GetAtt': [stack.getLogicalId(release.blueTargetGroup!.node.defaultChild as any), 'TargetGroupName'] } },
            { Name: { 'Fn::GetAtt': [stack.getLogicalId(release.greenTargetGroup!.node.defaultChild as any), 'TargetGroupName'] } },
          ],
        }],
      },
    });
    expect(resourcesOfType(stack, 'AWS::CodeDeploy::DeploymentConfig')).toHaveLength(0);
  });

  test('registers only the blue target group on the service and leaves its deployment strategy alone', () => {
    const { stack, service, listener } = codeDeployFixtures();
    const release = new EcsBlueGreenService(stack, 'Web', { service, listener, engine: EcsDeploymentEngine.codeDeploy() });
    const svc = onlyResource(stack, 'AWS::ECS::Service');
    expect(svc.Properties.DeploymentController).toEqual({ Type: 'CODE_DEPLOY' });
    expect(svc.Properties.LoadBalancers).toEqual([{
      ContainerName: 'web', ContainerPort: 8080, TargetGroupArn: { Ref: stack.getLogicalId(release.blueTargetGroup!.node.defaultChild as any) },
    }]);
    expect(svc.Properties.DeploymentConfiguration.Strategy).toBeUndefined();
    expect(svc.Properties.DeploymentConfiguration.BakeTimeInMinutes).toBeUndefined();
  });

  test('the rollback alarms are the deployment group alarms', () => {
    const { stack, service, listener } = codeDeployFixtures();
    const release = new EcsBlueGreenService(stack, 'Web', { service, listener, engine: EcsDeploymentEngine.codeDeploy() });
    const group = onlyResource(stack, 'AWS::CodeDeploy::DeploymentGroup');
    expect(group.Properties.AlarmConfiguration.Enabled).toBe(true);
    const names = release.rollbackAlarms.map((a) => ({ Name: { Ref: stack.getLogicalId(a.node.defaultChild as any) } }));
    expect(group.Properties.AlarmConfiguration.Alarms).toEqual(names);
    expect(group.Properties.AlarmConfiguration.Alarms).toHaveLength(4);
  });

  test('keepPrevious becomes the termination wait, up to 2 days', () => {
    const { stack, service, listener } = codeDeployFixtures();
    new EcsBlueGreenService(stack, 'Web', { service, listener, engine: EcsDeploymentEngine.codeDeploy(), keepPrevious: Duration.days(2) });
    expect(onlyResource(stack, 'AWS::CodeDeploy::DeploymentGroup').Properties.BlueGreenDeploymentConfiguration.TerminateBlueInstancesOnDeploymentSuccess)
      .toEqual({ Action: 'TERMINATE', TerminationWaitTimeInMinutes: 2880 });
  });

  test('a plan that starts with a pause waits for approval before production traffic moves', () => {
    const { stack, service, listener } = codeDeployFixtures();
    new EcsBlueGreenService(stack, 'Web', {
      service, listener, plan: RolloutPlan.steps([Step.pause(), Step.setWeight(100)]), engine: EXTERNAL,
    });
    expect(onlyResource(stack, 'AWS::CodeDeploy::DeploymentGroup').Properties.BlueGreenDeploymentConfiguration.DeploymentReadyOption)
      .toEqual({ ActionOnTimeout: 'STOP_DEPLOYMENT', WaitTimeInMinutes: 60 });
  });

  test('the approval timeout is configurable', () => {
    const { stack, service, listener } = codeDeployFixtures();
    new EcsBlueGreenService(stack, 'Web', {
      service,
      listener,
      plan: RolloutPlan.steps([Step.pause(), Step.setWeight(100)]),
      engine: EcsDeploymentEngine.codeDeploy({ trigger: EcsCodeDeployTrigger.EXTERNAL, approvalTimeout: Duration.hours(4) }),
    });
    expect(onlyResource(stack, 'AWS::CodeDeploy::DeploymentGroup').Properties.BlueGreenDeploymentConfiguration.DeploymentReadyOption)
      .toEqual({ ActionOnTimeout: 'STOP_DEPLOYMENT', WaitTimeInMinutes: 240 });
  });

  test('stack outputs name the application and deployment group and carry an AppSpec for the registered task definition', () => {
    const { stack, service, listener, taskDefinition } = codeDeployFixtures();
    const release = new EcsBlueGreenService(stack, 'Web', { service, listener, engine: EcsDeploymentEngine.codeDeploy() });
    const outputs = Template.fromStack(stack).toJSON().Outputs;
    const byDescription = (text: string) => Object.values<any>(outputs).find((o) => o.Description.startsWith(text));
    expect(byDescription('CodeDeploy application').Value).toEqual({ Ref: onlyResourceId(stack, 'AWS::CodeDeploy::Application') });
    expect(byDescription('CodeDeploy deployment group').Value).toEqual({ Ref: stack.getLogicalId((release.deploymentGroup as any).node.defaultChild) });
    const appSpec = stack.resolve(release.appSpec);
    expect(byDescription('AppSpec content').Value).toEqual(appSpec);
    // The AppSpec is JSON with the task definition ARN filled in by CloudFormation.
    expect(JSON.stringify(appSpec)).toContain(`{"Ref":"${stack.getLogicalId(taskDefinition.node.defaultChild as any)}"}`);
    expect(JSON.stringify(appSpec)).toContain('\\"LoadBalancerInfo\\":{\\"ContainerName\\":\\"web\\",\\"ContainerPort\\":8080}');
    expect(JSON.stringify(appSpec)).toContain('\\"Type\\":\\"AWS::ECS::Service\\"');
    // The version as CodeDeploy documents it: 0.0, not 0.
    expect(appSpec['Fn::Join'][1][0]).toMatch(/^\{"version":0\.0,"Resources":\[/);
  });

  test('rollbackOnAlarm false keeps the alarms but rolls back only on failure', () => {
    const { stack, service, listener } = codeDeployFixtures();
    new EcsBlueGreenService(stack, 'Web', { service, listener, engine: EcsDeploymentEngine.codeDeploy(), rollbackOnAlarm: false });
    expect(onlyResource(stack, 'AWS::CodeDeploy::DeploymentGroup').Properties.AutoRollbackConfiguration)
      .toEqual({ Enabled: true, Events: ['DEPLOYMENT_FAILURE'] });
  });

  test('user alarms, also added after construction, join the deployment group alarms', () => {
    const { stack, service, listener } = codeDeployFixtures();
    const orders = userAlarm(stack);
    const release = new EcsBlueGreenService(stack, 'Web', {
      service, listener, engine: EcsDeploymentEngine.codeDeploy(), rollbackAlarms: [orders], defaultAlarms: { enabled: false },
    });
    const late = userAlarm(stack, 'LateAlarm');
    release.addRollbackAlarm(late);
    expect(onlyResource(stack, 'AWS::CodeDeploy::DeploymentGroup').Properties.AlarmConfiguration.Alarms).toEqual([
      { Name: { Ref: stack.getLogicalId(orders.node.defaultChild as any) } },
      { Name: { Ref: stack.getLogicalId(late.node.defaultChild as any) } },
    ]);
  });
});

describe('EcsBlueGreenService refuses', () => {
  test('fails when the plan is a canary', () => {
    const stack = testStack();
    const { service, listener } = ecsFixtures(stack);
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service, listener, plan: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) }) })))
      .toBe("Shop/Web: invalid 'plan': EcsBlueGreenService moves all traffic at once (use EcsCanaryRollout for canary and linear plans), got setWeight(10), bake(5m)");
  });

  test('fails when the Amazon ECS engine keeps the previous revision longer than 24 hours', () => {
    const stack = testStack();
    const { service, listener } = ecsFixtures(stack);
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service, listener, keepPrevious: Duration.minutes(1441) })))
      .toBe("Shop/Web: invalid 'keepPrevious': Amazon ECS keeps the previous revision at most 24 hours (1440 minutes), got 1441 minutes");
  });

  test('fails when CodeDeploy keeps the original task set longer than 2 days', () => {
    const stack = testStack();
    const { service, listener } = ecsFixtures(stack, { deploymentController: ecs.DeploymentControllerType.CODE_DEPLOY, latestRevision: true });
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service, listener, engine: EcsDeploymentEngine.codeDeploy(), keepPrevious: Duration.hours(49) })))
      .toBe("Shop/Web: invalid 'keepPrevious': AWS CodeDeploy keeps the original task set at most 2 days (2880 minutes), got 2940 minutes");
  });

  test('fails when keepPrevious is not whole minutes', () => {
    const stack = testStack();
    const { service, listener } = ecsFixtures(stack);
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service, listener, keepPrevious: Duration.seconds(90) })))
      .toBe("Shop/Web: invalid 'keepPrevious': Amazon ECS needs whole minutes, got 90 seconds");
  });

  test('fails when the Amazon ECS engine is asked to pause before traffic moves', () => {
    const stack = testStack();
    const { service, listener } = ecsFixtures(stack);
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service, listener, plan: RolloutPlan.steps([Step.pause(), Step.setWeight(100)]) })))
      .toBe("Shop/Web: invalid 'plan.steps[0]': Amazon ECS cannot pause for approval before traffic moves (EcsDeploymentEngine.codeDeploy() can, as an approval wait); nearest plan it can express: RolloutPlan.allAtOnce(), got pause()");
  });

  test('fails when an approval timeout is given for a plan without a pause', () => {
    const stack = testStack();
    const { service, listener } = ecsFixtures(stack, { deploymentController: ecs.DeploymentControllerType.CODE_DEPLOY, latestRevision: true });
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', {
      service, listener, engine: EcsDeploymentEngine.codeDeploy({ approvalTimeout: Duration.hours(1) }),
    }))).toBe("Shop/Web: invalid 'engine.approvalTimeout': needs a plan that starts with Step.pause(), the approval CodeDeploy waits for, got '1 hour'");
  });

  test('fails when the approval timeout is not whole minutes', () => {
    const stack = testStack();
    const { service, listener } = ecsFixtures(stack, { deploymentController: ecs.DeploymentControllerType.CODE_DEPLOY, latestRevision: true });
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', {
      service,
      listener,
      plan: RolloutPlan.steps([Step.pause(), Step.setWeight(100)]),
      engine: EcsDeploymentEngine.codeDeploy({ approvalTimeout: Duration.seconds(30) }),
    }))).toBe("Shop/Web: invalid 'engine.approvalTimeout': AWS CodeDeploy needs whole minutes, at least 1, got 30 seconds");
  });

  test('fails when the Amazon ECS engine gets a CODE_DEPLOY service', () => {
    const stack = testStack();
    const { service, listener } = ecsFixtures(stack, { deploymentController: ecs.DeploymentControllerType.CODE_DEPLOY, latestRevision: true });
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service, listener })))
      .toBe("Shop/Web: invalid 'service': the Amazon ECS engine needs a service with the ECS deployment controller (the default); use EcsDeploymentEngine.codeDeploy() for a CODE_DEPLOY service, got a service with the CODE_DEPLOY deployment controller");
  });

  test('a deployment circuit breaker on the service stays: Amazon ECS supports it on blue/green deployments', () => {
    const stack = testStack();
    const { service, listener } = ecsFixtures(stack, { circuitBreaker: { rollback: true } });
    new EcsBlueGreenService(stack, 'Web', { service, listener });
    expect(onlyResource(stack, 'AWS::ECS::Service').Properties.DeploymentConfiguration).toMatchObject({
      Strategy: 'BLUE_GREEN', DeploymentCircuitBreaker: { Enable: true, Rollback: true },
    });
  });

  test('fails when a canary plan meets a service with a deployment circuit breaker', () => {
    const stack = testStack();
    const { service, listener } = ecsFixtures(stack, { circuitBreaker: { rollback: true } });
    expect(errorOf(() => new EcsCanaryRollout(stack, 'Web', { service, listener, plan: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) }) })))
      .toBe("Shop/Web: invalid 'service': must not use a deployment circuit breaker with a canary or linear plan: Amazon ECS supports the circuit breaker on rolling and blue/green deployments only (canary and linear deployments roll back on alarms), got a service with circuitBreaker");
  });

  test('fails when a CodeDeploy service carries Amazon ECS deployment settings', () => {
    const stack = testStack();
    const f = ecsFixtures(stack, { deploymentController: ecs.DeploymentControllerType.CODE_DEPLOY, latestRevision: true });
    (f.service.node.defaultChild as ecs.CfnService).deploymentConfiguration = { bakeTimeInMinutes: 10, strategy: 'BLUE_GREEN' };
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, engine: EcsDeploymentEngine.codeDeploy() })))
      .toBe("Shop/Web: invalid 'service': must leave circuitBreaker, deploymentStrategy and bakeTime unset: AWS CodeDeploy runs the deployment (rollback on alarms and failures, keepPrevious as the termination wait), got a service with deploymentStrategy BLUE_GREEN, bakeTime 10");
  });

  test('fails when the service already sets a deployment strategy', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const service = new ecs.FargateService(stack, 'Other', {
      cluster: f.cluster,
      taskDefinition: f.taskDefinition,
      minHealthyPercent: 100,
      deploymentStrategy: ecs.DeploymentStrategy.BLUE_GREEN,
      bakeTime: Duration.minutes(5),
    });
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service, listener: f.listener })))
      .toBe("Shop/Web: invalid 'service': must leave deploymentStrategy and bakeTime unset: the release sets them from the plan and keepPrevious, got a service with deploymentStrategy BLUE_GREEN and bakeTime 5");
  });

  test('fails when the service already enables deployment alarms', () => {
    const stack = testStack();
    const { service, listener } = ecsFixtures(stack);
    service.enableDeploymentAlarms(['checkout-errors']);
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service, listener })))
      .toBe("Shop/Web: invalid 'service': must leave deploymentAlarms unset: pass those alarms in rollbackAlarms so one list decides the rollback, got a service with deployment alarms 'checkout-errors'");
  });

  test('fails when the CodeDeploy engine gets a service with the ECS controller', () => {
    const stack = testStack();
    const { service, listener } = ecsFixtures(stack);
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service, listener, engine: EcsDeploymentEngine.codeDeploy() })))
      .toBe("Shop/Web: invalid 'service': the AWS CodeDeploy engine needs a service created with deploymentController: { type: DeploymentControllerType.CODE_DEPLOY }, got a service with the ECS deployment controller");
  });

  test('fails when the CodeDeploy engine gets a service pinned to a task definition revision', () => {
    const stack = testStack();
    const { service, listener, taskDefinition } = ecsFixtures(stack, { deploymentController: ecs.DeploymentControllerType.CODE_DEPLOY });
    (service.node.defaultChild as ecs.CfnService).taskDefinition = taskDefinition.taskDefinitionArn;
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service, listener, engine: EcsDeploymentEngine.codeDeploy() })))
      .toBe("Shop/Web: invalid 'service': the AWS CodeDeploy engine needs a service that follows the latest revision of its task definition family, so CloudFormation never changes the task definition CodeDeploy rolled out, got a service pinned to one task definition revision");
  });

  test('fails when the CodeDeploy engine has no load balancer', () => {
    const stack = testStack();
    const { service } = ecsFixtures(stack, { deploymentController: ecs.DeploymentControllerType.CODE_DEPLOY, latestRevision: true });
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service, engine: EcsDeploymentEngine.codeDeploy() })))
      .toBe("Shop/Web: invalid 'listener': AWS CodeDeploy moves ECS traffic on a load balancer: give listener (ALB) or networkListener (NLB), got nothing");
  });

  test('fails when the service is not an ECS service construct', () => {
    const stack = testStack();
    const { listener } = ecsFixtures(stack);
    const imported = ecs.FargateService.fromFargateServiceArn(stack, 'Imported', 'arn:aws:ecs:eu-west-1:111111111111:service/shop/checkout');
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: imported as any, listener })))
      .toMatch(/^Shop\/Web: invalid 'service': must be an ecs\.FargateService or ecs\.Ec2Service created in this app, got /);
  });

  test('fails when the service already has a release', () => {
    const stack = testStack();
    const { service, listener } = ecsFixtures(stack);
    new EcsBlueGreenService(stack, 'Web', { service, listener });
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Again', { service, listener })))
      .toBe("Shop/Again: invalid 'service': takes one release: its deployment configuration and load balancers are already set, got a service released by Shop/Web");
  });

  test('fails when a container has no port mappings', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const task = new ecs.FargateTaskDefinition(stack, 'Worker');
    task.addContainer('worker', { image: ecs.ContainerImage.fromRegistry('registry.example.com/worker:1') });
    const service = new ecs.FargateService(stack, 'WorkerService', { cluster: f.cluster, taskDefinition: task, minHealthyPercent: 100 });
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service, listener: f.listener })))
      .toBe("Shop/Web: invalid 'containerPort': is required: container 'worker' has no port mappings, got nothing");
  });

  test('fails when the task definition has no essential container to default to', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const task = new ecs.FargateTaskDefinition(stack, 'Sidecars');
    task.addContainer('proxy', { image: ecs.ContainerImage.fromRegistry('registry.example.com/proxy:1'), essential: false, portMappings: [{ containerPort: 8080 }] });
    const service = new ecs.FargateService(stack, 'SidecarService', { cluster: f.cluster, taskDefinition: task, minHealthyPercent: 100 });
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service, listener: f.listener })))
      .toBe("Shop/Web: invalid 'containerName': is required: the task definition has no default (essential) container, got nothing");
  });

  test('fails when containerName names no container', () => {
    const stack = testStack();
    const { service, listener } = ecsFixtures(stack);
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service, listener, containerName: 'api' })))
      .toBe("Shop/Web: invalid 'containerName': must name a container of the service's task definition, got 'api'");
  });

  test('fails when containerPort is not a port mapping of the container', () => {
    const stack = testStack();
    const { service, listener } = ecsFixtures(stack);
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service, listener, containerPort: 9090 })))
      .toBe("Shop/Web: invalid 'containerPort': must be a port mapping of container 'web' (8080), got 9090");
  });
});
