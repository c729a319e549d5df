/**
 * Shared inputs for the AWS tests: a VPC, a cluster, a Fargate service whose task definition has one
 * container on port 8080, an Application Load Balancer with a listener on port 80 (and a test listener
 * on 8080), and a Lambda function with an alias.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/** A stack in a fixed account and region, so ARNs and partitions are predictable. */
export function testStack(): Stack {
  const app = new App();
  return new Stack(app, 'Shop', { env: { account: '111111111111', region: 'eu-west-1' } });
}

/** Options for `ecsFixtures`. */
export interface EcsFixtureOptions {
  /** Deployment controller of the service. */
  readonly deploymentController?: ecs.DeploymentControllerType;
  /** Image of the container. */
  readonly image?: string;
  /** Whether the service uses the `latest` task definition revision (needed by CodeDeploy). */
  readonly latestRevision?: boolean;
  /** Circuit breaker on the service. */
  readonly circuitBreaker?: ecs.DeploymentCircuitBreaker;
}

/** Everything an ECS release needs. */
export interface EcsFixtures {
  readonly vpc: ec2.IVpc;
  readonly cluster: ecs.Cluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly service: ecs.FargateService;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly listener: elbv2.ApplicationListener;
  readonly testListener: elbv2.ApplicationListener;
}

/** A Fargate service behind an ALB, in `stack`. */
export function ecsFixtures(stack: Stack, options: EcsFixtureOptions = {}): EcsFixtures {
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 256, memoryLimitMiB: 512 });
  taskDefinition.addContainer('web', {
    image: ecs.ContainerImage.fromRegistry(options.image ?? 'registry.example.com/checkout:1.0.0'),
    portMappings: [{ containerPort: 8080 }],
  });
  const service = new ecs.FargateService(stack, 'Service', {
    cluster,
    taskDefinition,
    desiredCount: 2,
    minHealthyPercent: 100,
    deploymentController: options.deploymentController ? { type: options.deploymentController } : undefined,
    taskDefinitionRevision: options.latestRevision ? ecs.TaskDefinitionRevision.LATEST : undefined,
    circuitBreaker: options.circuitBreaker,
  });
  const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });
  const listener = loadBalancer.addListener('Http', {
    port: 80,
    defaultAction: elbv2.ListenerAction.fixedResponse(404),
  });
  const testListener = loadBalancer.addListener('Test', {
    port: 8080,
    protocol: elbv2.ApplicationProtocol.HTTP,
    defaultAction: elbv2.ListenerAction.fixedResponse(404),
  });
  return { vpc, cluster, taskDefinition, service, loadBalancer, listener, testListener };
}

/** Another Fargate service in the fixtures' cluster, one container `web` on port 8080. */
export function extraService(stack: Stack, f: EcsFixtures, id: string, options: EcsFixtureOptions = {}): ecs.FargateService {
  const taskDefinition = new ecs.FargateTaskDefinition(stack, `${id}Task`, { cpu: 256, memoryLimitMiB: 512 });
  taskDefinition.addContainer('web', {
    image: ecs.ContainerImage.fromRegistry(options.image ?? `registry.example.com/${id.toLowerCase()}:1.0.0`),
    portMappings: [{ containerPort: 8080 }],
  });
  return new ecs.FargateService(stack, id, {
    cluster: f.cluster,
    taskDefinition,
    desiredCount: 2,
    minHealthyPercent: 100,
    deploymentController: options.deploymentController ? { type: options.deploymentController } : undefined,
    circuitBreaker: options.circuitBreaker,
  });
}

/** Two target groups created outside the construct. */
export function ownTargetGroups(stack: Stack, vpc: ec2.IVpc): { blue: elbv2.ApplicationTargetGroup; green: elbv2.ApplicationTargetGroup } {
  const props = { vpc, port: 8080, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP, healthCheck: { path: '/healthz' } };
  return {
    blue: new elbv2.ApplicationTargetGroup(stack, 'OwnBlue', props),
    green: new elbv2.ApplicationTargetGroup(stack, 'OwnGreen', props),
  };
}

/** A CloudWatch alarm created by the user. */
export function userAlarm(stack: Stack, id = 'OrdersAlarm'): cloudwatch.Alarm {
  return new cloudwatch.Alarm(stack, id, {
    metric: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'FailedOrders', statistic: 'Sum', period: Duration.minutes(1) }),
    threshold: 5,
    evaluationPeriods: 1,
  });
}

/** A Lambda function with a `live` alias on its current version. */
export function lambdaFixtures(stack: Stack, code = 'exports.handler = async () => ({ ok: true });'): { fn: lambda.Function; alias: lambda.Alias } {
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(code),
  });
  const alias = new lambda.Alias(stack, 'Live', { aliasName: 'live', version: fn.currentVersion });
  return { fn, alias };
}

/** Resources of one type, as `[logicalId, resource]` pairs. */
export function resourcesOfType(stack: Stack, type: string): Array<[string, any]> {
  return Object.entries(Template.fromStack(stack).findResources(type));
}

/** The only resource of a type; fails the test when there is not exactly one. */
export function onlyResource(stack: Stack, type: string): any {
  const found = resourcesOfType(stack, type);
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return found[0][1];
}

/** The logical ID CloudFormation gives a construct's default resource. */
export function logicalIdOf(stack: Stack, construct: { node: { defaultChild?: any } }): string {
  return stack.getLogicalId(construct.node.defaultChild as any);
}

/** Runs `fn` and returns the message it threw; fails the test when it does not throw. */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error, but nothing was thrown');
}

/** The message `app.synth()` throws for the stack's validation errors. */
export function synthErrorOf(stack: Stack): string {
  return errorOf(() => (stack.node.root as App).synth());
}

/** The logical ID of the only resource of a type. */
export function onlyResourceId(stack: Stack, type: string): string {
  const found = resourcesOfType(stack, type);
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return found[0][0];
}

/** The logical ID of the role Amazon ECS assumes to shift traffic (trusted by ecs.amazonaws.com). */
export function ecsInfrastructureRoleId(stack: Stack): string {
  const roles = resourcesOfType(stack, 'AWS::IAM::Role')
    .filter(([, r]) => r.Properties.AssumeRolePolicyDocument.Statement.some((s: any) => s.Principal?.Service === 'ecs.amazonaws.com'));
  if (roles.length !== 1) throw new Error(`expected exactly one role trusted by ecs.amazonaws.com, found ${roles.length}`);
  return roles[0][0];
}
