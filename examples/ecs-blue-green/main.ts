/**
 * Blue/green releases of a Fargate service behind an Application Load Balancer, twice: with Amazon ECS
 * moving the traffic (every CloudFormation update of the image is a blue/green deployment), and with AWS
 * CodeDeploy (the pipeline starts a CodeDeploy deployment with the stack's AppSpec output, after someone
 * approved the green tasks that took test traffic).
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { EcsBlueGreenService, EcsDeploymentEngine, RolloutPlan, Step } from '../../src';

interface Shop {
  readonly service: ecs.FargateService;
  readonly listener: elbv2.ApplicationListener;
  readonly testListener: elbv2.ApplicationListener;
}

/** A VPC, a cluster, the checkout service on Fargate and an internet-facing ALB with a test listener. */
function shop(stack: Stack, deploymentController?: ecs.DeploymentControllerType): Shop {
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Checkout', { cpu: 512, memoryLimitMiB: 1024 });
  taskDefinition.addContainer('web', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27'),
    portMappings: [{ containerPort: 80 }],
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'checkout' }),
    readonlyRootFilesystem: false,
  });
  const service = new ecs.FargateService(stack, 'Service', {
    cluster,
    taskDefinition,
    desiredCount: 3,
    minHealthyPercent: 100,
    deploymentController: deploymentController ? { type: deploymentController } : undefined,
  });
  const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true, dropInvalidHeaderFields: true });
  const listener = loadBalancer.addListener('Http', { port: 80, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
  const testListener = loadBalancer.addListener('Test', {
    port: 8080, protocol: elbv2.ApplicationProtocol.HTTP, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(404),
  });
  testListener.connections.allowDefaultPortFrom(ec2.Peer.ipv4('10.0.0.0/8'), 'test traffic from the corporate network');
  return { service, listener, testListener };
}

export function buildApp(outdir?: string): App {
  const app = new App({ outdir });

  const native = new Stack(app, 'CheckoutEcsBlueGreen');
  const a = shop(native);
  new EcsBlueGreenService(native, 'Release', {
    service: a.service,
    listener: a.listener,
    testListener: a.testListener,
    plan: RolloutPlan.allAtOnce(),
    keepPrevious: Duration.minutes(30),
    healthCheck: { path: '/', healthyThresholdCount: 2, interval: Duration.seconds(10) },
  });

  const codeDeploy = new Stack(app, 'CheckoutCodeDeployBlueGreen');
  const b = shop(codeDeploy, ecs.DeploymentControllerType.CODE_DEPLOY);
  new EcsBlueGreenService(codeDeploy, 'Release', {
    service: b.service,
    listener: b.listener,
    testListener: b.testListener,
    plan: RolloutPlan.steps([Step.pause(), Step.setWeight(100)]),
    engine: EcsDeploymentEngine.codeDeploy({ approvalTimeout: Duration.hours(2) }),
    keepPrevious: Duration.hours(1),
    healthCheck: { path: '/', healthyThresholdCount: 2, interval: Duration.seconds(10) },
  });

  return app;
}

if (require.main === module) {
  buildApp().synth();
}
