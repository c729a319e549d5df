/**
 * Property-based tests of the AWS constructs (fast-check, fixed seed): every generated input is either
 * refused with the documented message format — `<path>: invalid '<field>': <allowed>, got <value>`,
 * never a TypeError and never a token's internal number — or synthesizes a template whose resources
 * carry the values CloudFormation accepts.
 */
import { App, CfnParameter, Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as fc from 'fast-check';
import {
  EcsCanaryRollout, EcsCodeDeployTrigger, EcsDeploymentEngine, EcsRollingService, EcsWeightedSplit, Interval, LambdaCanaryRollout,
  LambdaWeightedSplit, RolloutPlan,
} from '../../src';

const SEED = 20261129;
const RUNS = 200;
const REFUSAL = /^Shop\/[A-Za-z]+: invalid '[A-Za-z0-9.[\]]+': .+, got .+$/s;
/** aws-cdk-lib encodes number tokens as huge negative doubles; a message must never show one. */
const TOKEN_NUMBER = /-1\.8\d*e\+289/;

/** Runs `build`; returns 'ok' when it synthesizes, or the refusal message (checked for the format). */
function outcome(build: (stack: Stack) => void): string {
  const app = new App();
  const stack = new Stack(app, 'Shop', { env: { account: '111111111111', region: 'eu-west-1' } });
  try {
    build(stack);
    app.synth();
    return 'ok';
  } catch (e) {
    const message = (e as Error).message.replace(/^Validation failed with the following errors:\n {2}\[(Shop\/\w+)\] /, '$1: ');
    expect(e).not.toBeInstanceOf(TypeError);
    expect(message).toMatch(REFUSAL);
    expect(message).not.toMatch(TOKEN_NUMBER);
    return message;
  }
}

/** A cheap Fargate service in an imported VPC, and an ALB listener. */
function cheapService(stack: Stack) {
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    publicSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
    privateSubnetIds: ['subnet-0bbbbbbbbbbbbbbb1', 'subnet-0bbbbbbbbbbbbbbb2'],
  });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const service = (id: string, codeDeploy = false) => {
    const task = new ecs.FargateTaskDefinition(stack, `${id}Task`);
    task.addContainer('web', { image: ecs.ContainerImage.fromRegistry('web:1'), portMappings: [{ containerPort: 8080 }] });
    const codeDeployOptions = {
      deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY },
      taskDefinitionRevision: ecs.TaskDefinitionRevision.LATEST,
    };
    return new ecs.FargateService(stack, id, { cluster, taskDefinition: task, minHealthyPercent: 100, ...(codeDeploy ? codeDeployOptions : {}) });
  };
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
  const listener = alb.addListener('Http', { port: 80, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
  return { service, listener };
}

/** Plain numbers, edge values, and numbers that are tokens (resolvable now, or only by CloudFormation). */
const numberish = fc.oneof(
  fc.double({ min: -10, max: 3000, noNaN: false }),
  fc.integer({ min: -5, max: 3000 }),
  fc.constantFrom(0, 1, 3, 99, 100, 1440, 50000),
  fc.integer({ min: 0, max: 200 }).map((n) => ({ lazy: n })),
  fc.constant({ param: true }),
);
type Numberish = number | { lazy: number } | { param: true };
function materialize(stack: Stack, n: Numberish, name: string): number {
  if (typeof n === 'number') return n;
  if ('lazy' in n) return Lazy.number({ produce: () => n.lazy });
  return new CfnParameter(stack, name, { type: 'Number' }).valueAsNumber;
}

describe('property: refused in the documented format, or synthesized with values CloudFormation takes', () => {
  test('EcsCanaryRollout default alarm settings, priority and keepPrevious', () => {
    fc.assert(fc.property(numberish, numberish, numberish, fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 1, max: 99 }),
      (periods, datapoints, priority, keepMinutes, percent) => {
        let config: any;
        const result = outcome((stack) => {
          const { service, listener } = cheapService(stack);
          const svc = service('ApiService');
          new EcsCanaryRollout(stack, 'Api', {
            service: svc,
            listener,
            plan: RolloutPlan.canary({ percent, bake: Interval.minutes(5) }),
            routePriority: materialize(stack, priority, 'Priority'),
            keepPrevious: Duration.minutes(keepMinutes),
            defaultAlarms: { evaluationPeriods: materialize(stack, periods, 'Periods'), datapointsToAlarm: materialize(stack, datapoints, 'Datapoints') },
          });
          config = stack;
        });
        if (result === 'ok') {
          const template = (config.node.root as App).synth().getStackByName('Shop').template;
          for (const r of Object.values<any>(template.Resources)) {
            if (r.Type === 'AWS::CloudWatch::Alarm') {
              const p = r.Properties;
              if (typeof p.EvaluationPeriods === 'number') expect(p.EvaluationPeriods).toBeGreaterThanOrEqual(1);
              if (typeof p.DatapointsToAlarm === 'number' && typeof p.EvaluationPeriods === 'number') expect(p.DatapointsToAlarm).toBeLessThanOrEqual(p.EvaluationPeriods);
            }
            if (r.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule' && typeof r.Properties.Priority === 'number') {
              expect(r.Properties.Priority).toBeGreaterThanOrEqual(1);
              expect(r.Properties.Priority).toBeLessThanOrEqual(50000);
            }
            if (r.Type === 'AWS::ECS::Service') {
              const d = r.Properties.DeploymentConfiguration;
              expect(d.BakeTimeInMinutes).toBeLessThanOrEqual(1440);
              expect(d.CanaryConfiguration.CanaryPercent).toBe(percent);
            }
          }
        }
      }), { seed: SEED, numRuns: RUNS });
  });

  test('fractional percentages: Amazon ECS renders them exactly, AWS CodeDeploy (ECS and Lambda) refuses them naming the nearest whole plan', () => {
    const tenths = fc.oneof(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 10, max: 999 }).map((t) => t / 10));
    fc.assert(fc.property(fc.constantFrom('canary' as const, 'linear' as const), tenths, fc.constantFrom('ecs' as const, 'codeDeploy' as const, 'lambda' as const),
      (shape, percent, engine) => {
        const plan = shape === 'canary'
          ? RolloutPlan.canary({ percent, bake: Interval.minutes(1) })
          : RolloutPlan.linear({ step: percent, every: Interval.minutes(1) });
        let root: App | undefined;
        const result = outcome((stack) => {
          root = stack.node.root as App;
          if (engine === 'lambda') {
            const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;') });
            new LambdaCanaryRollout(stack, 'Api', { alias: new lambda.Alias(stack, 'Live', { aliasName: 'live', version: fn.currentVersion }), plan });
            return;
          }
          const { service, listener } = cheapService(stack);
          new EcsCanaryRollout(stack, 'Api', {
            service: service('ApiService', engine === 'codeDeploy'),
            listener,
            plan,
            engine: engine === 'ecs' ? EcsDeploymentEngine.ecsNative() : EcsDeploymentEngine.codeDeploy({ trigger: EcsCodeDeployTrigger.EXTERNAL }),
          });
        });
        const resources = (): any[] => Object.values<any>(root!.synth().getStackByName('Shop').template.Resources);
        if (engine === 'ecs') {
          if (shape === 'linear' && percent < 3) {
            expect(result).toBe(`Shop/Api: invalid 'plan.percent': Amazon ECS moves at least 3% per linear step; nearest plan it can express: RolloutPlan.linear({ step: 3, every: Interval.minutes(1) }), got ${percent}%`);
            return;
          }
          expect(result).toBe('ok');
          const config = resources().find((r) => r.Type === 'AWS::ECS::Service').Properties.DeploymentConfiguration;
          expect(shape === 'canary' ? config.CanaryConfiguration.CanaryPercent : config.LinearConfiguration.StepPercent).toBe(percent);
          return;
        }
        if (Number.isInteger(percent)) {
          expect(result).toBe('ok');
          const config = resources().find((r) => r.Type === 'AWS::CodeDeploy::DeploymentConfig')?.Properties.TrafficRoutingConfig;
          // A plan matching a predefined configuration (10% every 1 minute) creates none.
          if (config) expect(config.TimeBasedCanary?.CanaryPercentage ?? config.TimeBasedLinear?.LinearPercentage).toBe(percent);
          return;
        }
        const whole = Math.min(Math.max(Math.round(percent), 1), 99);
        const nearest = shape === 'canary' ? `RolloutPlan.canary({ percent: ${whole}, bake: Interval.minutes(1) })` : `RolloutPlan.linear({ step: ${whole}, every: Interval.minutes(1) })`;
        expect(result).toBe(`Shop/Api: invalid 'plan.steps[0]': AWS CodeDeploy takes whole percentages; nearest plan it can express: ${nearest}, got setWeight(${percent})`);
      }), { seed: SEED, numRuns: 60 });
  });

  test('EcsRollingService capacity limits', () => {
    fc.assert(fc.property(numberish, numberish, (min, max) => {
      outcome((stack) => {
        const { service } = cheapService(stack);
        new EcsRollingService(stack, 'Worker', { service: service('WorkerService'), minHealthyPercent: materialize(stack, min, 'Min'), maxHealthyPercent: materialize(stack, max, 'Max') });
      });
    }), { seed: SEED, numRuns: RUNS });
  });

  test('EcsWeightedSplit shares and priorities', () => {
    fc.assert(fc.property(numberish, numberish, (percent, priority) => {
      outcome((stack) => {
        const { service, listener } = cheapService(stack);
        new EcsWeightedSplit(stack, 'Split', {
          listener, service: service('A'), splitService: service('B'), splitPercent: materialize(stack, percent, 'Percent'), routePriority: materialize(stack, priority, 'Priority'),
        });
      });
    }), { seed: SEED, numRuns: RUNS });
  });

  test('LambdaWeightedSplit shares and LambdaCanaryRollout deployment group names', () => {
    fc.assert(fc.property(numberish, fc.string({ maxLength: 120 }), (percent, groupName) => {
      outcome((stack) => {
        const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;') });
        new LambdaWeightedSplit(stack, 'Split', {
          aliasName: 'ab',
          version: new lambda.Version(stack, 'V1', { lambda: fn }),
          splitVersion: new lambda.Version(stack, 'V2', { lambda: fn }),
          splitPercent: materialize(stack, percent, 'Percent'),
        });
        const alias = new lambda.Alias(stack, 'Live', { aliasName: 'live', version: fn.currentVersion });
        new LambdaCanaryRollout(stack, 'Rollout', { alias, plan: RolloutPlan.allAtOnce(), deploymentGroupName: groupName });
      });
    }), { seed: SEED, numRuns: RUNS });
  });
});

test('fails when datapointsToAlarm, a Lazy, exceeds evaluationPeriods (found by the properties above)', () => {
  const app = new App();
  const stack = new Stack(app, 'Shop', { env: { account: '111111111111', region: 'eu-west-1' } });
  const { service, listener } = cheapService(stack);
  expect(() => new EcsCanaryRollout(stack, 'Api', {
    service: service('ApiService'),
    listener,
    plan: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) }),
    defaultAlarms: { evaluationPeriods: 2, datapointsToAlarm: Lazy.number({ produce: () => 5 }) },
  })).toThrow("Shop/Api: invalid 'defaultAlarms.datapointsToAlarm': must be a whole number from 1 to 2, got 5");
});
