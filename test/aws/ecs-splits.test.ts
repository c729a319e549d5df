import { CfnParameter, Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { ecsFixtures, errorOf, extraService, onlyResource, resourcesOfType, synthErrorOf, testStack } from './fixtures';
import { EcsBlueGreenService, EcsDeploymentEngine, EcsHeaderSplit, EcsWeightedSplit, HeaderMatch } from '../../src';

function twoServices() {
  const stack = testStack();
  const f = ecsFixtures(stack);
  return { stack, f, beta: extraService(stack, f, 'Beta') };
}

const idOf = (stack: any, construct: any) => stack.getLogicalId(construct.node.defaultChild);

describe('EcsWeightedSplit', () => {
  test('one rule weighs the two services\' target groups, with target group stickiness', () => {
    const { stack, f, beta } = twoServices();
    const split = new EcsWeightedSplit(stack, 'Split', {
      listener: f.listener, service: f.service, splitService: beta, splitPercent: 10, deregistrationDelay: Duration.seconds(30), healthCheck: { path: '/healthz' },
    });
    expect(onlyResource(stack, 'AWS::ElasticLoadBalancingV2::ListenerRule').Properties).toEqual({
      ListenerArn: { Ref: idOf(stack, f.listener) },
      Priority: 50000,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
      Actions: [{
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: { Ref: idOf(stack, split.targetGroup) }, Weight: 90 },
            { TargetGroupArn: { Ref: idOf(stack, split.splitTargetGroup) }, Weight: 10 },
          ],
          TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 3600 },
        },
      }],
    });
    const groups = resourcesOfType(stack, 'AWS::ElasticLoadBalancingV2::TargetGroup').map(([, tg]) => tg.Properties);
    expect(groups).toHaveLength(2);
    expect(groups[0]).toEqual(groups[1]);
    expect(groups[0]).toMatchObject({ HealthCheckPath: '/healthz', Port: 8080, TargetType: 'ip' });
    const services = resourcesOfType(stack, 'AWS::ECS::Service');
    expect(services.map(([, s]) => s.Properties.LoadBalancers[0].TargetGroupArn).sort((a: any, b: any) => a.Ref.localeCompare(b.Ref)))
      .toEqual([{ Ref: idOf(stack, split.splitTargetGroup) }, { Ref: idOf(stack, split.targetGroup) }].sort((a, b) => a.Ref.localeCompare(b.Ref)));
  });

  test('stickiness can be turned off', () => {
    const { stack, f, beta } = twoServices();
    new EcsWeightedSplit(stack, 'Split', { listener: f.listener, service: f.service, splitService: beta, splitPercent: 50, stickiness: Duration.seconds(0) });
    expect(onlyResource(stack, 'AWS::ElasticLoadBalancingV2::ListenerRule').Properties.Actions[0].ForwardConfig.TargetGroupStickinessConfig).toBeUndefined();
  });

  test.each([-1, 101, 12.5])('fails when splitPercent is %p', (splitPercent) => {
    const { stack, f, beta } = twoServices();
    expect(errorOf(() => new EcsWeightedSplit(stack, 'Split', { listener: f.listener, service: f.service, splitService: beta, splitPercent })))
      .toBe(`Shop/Split: invalid 'splitPercent': must be a whole number from 0 to 100, got ${splitPercent}`);
  });

  test('fails when splitPercent is a CloudFormation parameter', () => {
    const { stack, f, beta } = twoServices();
    const share = new CfnParameter(stack, 'Share', { type: 'Number' });
    expect(errorOf(() => new EcsWeightedSplit(stack, 'Split', { listener: f.listener, service: f.service, splitService: beta, splitPercent: share.valueAsNumber })))
      .toBe("Shop/Split: invalid 'splitPercent': must be a number known at synth (the two forward weights are computed from it), got {\"Ref\":\"Share\"}");
  });

  test('fails when stickiness is longer than 7 days', () => {
    const { stack, f, beta } = twoServices();
    expect(errorOf(() => new EcsWeightedSplit(stack, 'Split', { listener: f.listener, service: f.service, splitService: beta, splitPercent: 5, stickiness: Duration.days(8) })))
      .toBe("Shop/Split: invalid 'stickiness': must be whole seconds up to 7 days, or 0 to turn stickiness off, got 8 days");
  });

  test('fails when both services are the same', () => {
    const { stack, f } = twoServices();
    expect(errorOf(() => new EcsWeightedSplit(stack, 'Split', { listener: f.listener, service: f.service, splitService: f.service, splitPercent: 5 })))
      .toBe("Shop/Split: invalid 'splitService': must differ from service: the split sends traffic to two services, got Shop/Service twice");
  });

  test('fails when its rule takes a priority a release on the listener has', () => {
    const { stack, f, beta } = twoServices();
    new EcsWeightedSplit(stack, 'Split', { listener: f.listener, service: beta, splitService: extraService(stack, f, 'Gamma'), splitPercent: 5 });
    new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, routePriority: 100 });
    new EcsBlueGreenService(stack, 'Other', { service: extraService(stack, f, 'Delta'), listener: f.listener, routePriority: 50000 });
    expect(synthErrorOf(stack)).toBe('Validation failed with the following errors:\n'
      + "  [Shop/Split] invalid 'routePriority': must differ from the priority of every other rule on the listener (CloudFormation fails on two rules with one priority); Shop/Other/ProductionRule/Resource has it too, got 50000\n"
      + "  [Shop/Other] invalid 'routePriority': must differ from the priority of every other rule on the listener (CloudFormation fails on two rules with one priority); Shop/Split/Rule/Resource has it too, got 50000");
  });
});

describe('EcsHeaderSplit', () => {
  test('matching requests go to the split service, all others to the service', () => {
    const { stack, f, beta } = twoServices();
    const split = new EcsHeaderSplit(stack, 'Ab', {
      listener: f.listener,
      service: f.service,
      splitService: beta,
      match: [HeaderMatch.exact('X-Beta', 'on'), HeaderMatch.prefix('user-agent', 'Mozilla/5.0 (iPhone')],
      routeConditions: [elbv2.ListenerCondition.pathPatterns(['/checkout/*'])],
      routePriority: 10,
    });
    const rules = resourcesOfType(stack, 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([, r]) => r.Properties);
    expect(rules.find((r) => r.Priority === 10)).toEqual({
      ListenerArn: { Ref: idOf(stack, f.listener) },
      Priority: 10,
      Conditions: [
        { Field: 'path-pattern', PathPatternConfig: { Values: ['/checkout/*'] } },
        { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-beta', Values: ['on'] } },
        { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'user-agent', Values: ['Mozilla/5.0 (iPhone*'] } },
      ],
      Actions: [{ Type: 'forward', TargetGroupArn: { Ref: idOf(stack, split.splitTargetGroup) } }],
    });
    expect(rules.find((r) => r.Priority === 11)).toEqual({
      ListenerArn: { Ref: idOf(stack, f.listener) },
      Priority: 11,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/checkout/*'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: { Ref: idOf(stack, split.targetGroup) } }],
    });
  });

  test('fails when a match is a regular expression', () => {
    const { stack, f, beta } = twoServices();
    expect(errorOf(() => new EcsHeaderSplit(stack, 'Ab', { listener: f.listener, service: f.service, splitService: beta, match: [HeaderMatch.regex('x-beta', '^on|yes$')] })))
      .toBe("Shop/Ab: invalid 'match[0]': an Application Load Balancer matches header values exactly or with * and ? wildcards, not regular expressions; nearest: HeaderMatch.prefix() or HeaderMatch.exact(), got x-beta regex '^on|yes$'");
  });

  test('fails when an exact value holds an ALB wildcard', () => {
    const { stack, f, beta } = twoServices();
    expect(errorOf(() => new EcsHeaderSplit(stack, 'Ab', { listener: f.listener, service: f.service, splitService: beta, match: [HeaderMatch.exact('x-beta', 'on?')] })))
      .toBe("Shop/Ab: invalid 'match[0]': an exact value must not contain * or ?, which an Application Load Balancer reads as wildcards, got x-beta exact 'on?'");
  });

  test('fails with more conditions than an ALB rule takes', () => {
    const { stack, f, beta } = twoServices();
    const match = ['a', 'b', 'c', 'd', 'e'].map((h) => HeaderMatch.exact(`x-${h}`, '1'));
    expect(errorOf(() => new EcsHeaderSplit(stack, 'Ab', { listener: f.listener, service: f.service, splitService: beta, match })))
      .toBe("Shop/Ab: invalid 'match': an Application Load Balancer rule takes at most 5 conditions, route conditions included, got 5 matches and 1 route conditions");
  });

  test('fails when no match is given', () => {
    const { stack, f, beta } = twoServices();
    expect(errorOf(() => new EcsHeaderSplit(stack, 'Ab', { listener: f.listener, service: f.service, splitService: beta, match: [] })))
      .toBe("Shop/Ab: invalid 'match': must have at least one HeaderMatch, got []");
  });

  test('fails when the priority leaves no room for the rule after it', () => {
    const { stack, f, beta } = twoServices();
    expect(errorOf(() => new EcsHeaderSplit(stack, 'Ab', { listener: f.listener, service: f.service, splitService: beta, match: [HeaderMatch.exact('x-beta', 'on')], routePriority: 50000 })))
      .toBe("Shop/Ab: invalid 'routePriority': must be at most 49999: the rule for the other requests takes the next priority, got 50000");
  });
});

describe('blue/green test traffic by its own conditions', () => {
  test('a header rule on the production listener carries test traffic (Amazon ECS engine)', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    const release = new EcsBlueGreenService(stack, 'Web', {
      service: f.service,
      listener: f.listener,
      testListener: f.listener,
      testRouteConditions: [elbv2.ListenerCondition.httpHeader('x-test', ['1'])],
      testRoutePriority: 10,
    });
    const test = (release.testRule!.node.defaultChild as elbv2.CfnListenerRule);
    expect(stack.resolve(test.conditions)).toEqual([{ field: 'http-header', httpHeaderConfig: { httpHeaderName: 'x-test', values: ['1'] } }]);
    expect(test.priority).toBe(10);
    expect(onlyResource(stack, 'AWS::ECS::Service').Properties.LoadBalancers[0].AdvancedConfiguration.TestListenerRule).toEqual({ Ref: idOf(stack, release.testRule) });
  });

  test('fails when the test rule on the production listener takes the production rule\'s priority', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, testListener: f.listener, testRouteConditions: [elbv2.ListenerCondition.httpHeader('x-test', ['1'])] });
    expect(synthErrorOf(stack)).toBe('Validation failed with the following errors:\n'
      + "  [Shop/Web] invalid 'routePriority': must differ from the priority of every other rule on the listener (CloudFormation fails on two rules with one priority); Shop/Web/TestRule/Resource has it too: give each release on a listener its own routePriority, got 50000\n"
      + "  [Shop/Web] invalid 'routePriority': must differ from the priority of every other rule on the test listener (CloudFormation fails on two rules with one priority); Shop/Web/ProductionRule/Resource has it too: give each release on a listener its own routePriority, got 50000");
  });

  test('fails when CodeDeploy gets the production listener as test listener', () => {
    const stack = testStack();
    const f = ecsFixtures(stack, { deploymentController: ecs.DeploymentControllerType.CODE_DEPLOY, latestRevision: true });
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', {
      service: f.service, listener: f.listener, testListener: f.listener, testRoutePriority: 10, engine: EcsDeploymentEngine.codeDeploy(),
    }))).toBe("Shop/Web: invalid 'testListener': must be another listener than listener with AWS CodeDeploy, which moves whole listeners (test traffic on the production listener needs EcsDeploymentEngine.ecsNative()), got the production listener");
  });

  test('fails when test route conditions come without a test listener', () => {
    const stack = testStack();
    const f = ecsFixtures(stack);
    expect(errorOf(() => new EcsBlueGreenService(stack, 'Web', { service: f.service, listener: f.listener, testRoutePriority: 10 })))
      .toBe("Shop/Web: invalid 'testRoutePriority': shapes the test listener rule, so it needs testListener, got 10");
  });
});
