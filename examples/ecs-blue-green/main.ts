/**
 * Blue/green releases of a Fargate service behind an Application Load Balancer, twice: with Amazon ECS
 * moving the traffic (every CloudFormation update of the image is a blue/green deployment), and with AWS
 * CodeDeploy (the pipeline starts a CodeDeploy deployment with the stack's AppSpec output, after someone
 * approved the green tasks that took test traffic on port 8443).
 */
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EcsBlueGreenService, EcsCodeDeployTrigger, EcsDeploymentEngine, RolloutPlan, Step } from '@release-constructs/release-strategies';

const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:111111111111:certificate/11111111-2222-3333-4444-555555555555';

interface Shop {
  readonly service: ecs.FargateService;
  readonly listener: elbv2.ApplicationListener;
  readonly testListener: elbv2.ApplicationListener;
}

/**
 * A VPC, a cluster, the checkout service on Fargate (encrypted logs kept a month) and an internet-facing
 * ALB with access logs, HTTPS on 443 for production and on 8443 for test traffic from the office.
 */
function shop(stack: Stack, deploymentController?: ecs.DeploymentControllerType): Shop {
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });

  const logKey = new kms.Key(stack, 'LogKey', { enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY });
  logKey.grantEncryptDecrypt(new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`));
  const logGroup = new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, encryptionKey: logKey });

  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Checkout', { cpu: 512, memoryLimitMiB: 1024 });
  taskDefinition.addContainer('web', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27'),
    portMappings: [{ containerPort: 80 }],
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'checkout', logGroup }),
  });
  const service = new ecs.FargateService(stack, 'Service', {
    cluster,
    taskDefinition,
    desiredCount: 3,
    minHealthyPercent: 100,
    deploymentController: deploymentController ? { type: deploymentController } : undefined,
  });

  const accessLogs = new s3.Bucket(stack, 'AccessLogs', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    versioned: true,
    serverAccessLogsPrefix: 'server-access/',
    lifecycleRules: [{ expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(30) }],
  });
  const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true, dropInvalidHeaderFields: true });
  loadBalancer.logAccessLogs(accessLogs, 'alb');
  const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN);
  const listener = loadBalancer.addListener('Https', {
    port: 443, certificates: [certificate], sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS, defaultAction: elbv2.ListenerAction.fixedResponse(404),
  });
  const testListener = loadBalancer.addListener('Test', {
    port: 8443,
    certificates: [certificate],
    sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
    open: false,
    defaultAction: elbv2.ListenerAction.fixedResponse(404),
  });
  testListener.connections.allowDefaultPortFrom(ec2.Peer.ipv4('198.51.100.0/24'), 'test traffic from the office');
  return { service, listener, testListener };
}

export function buildApp(outdir?: string): App {
  // S3 server access logs are allowed by a bucket policy, not by the legacy LogDeliveryWrite ACL.
  const app = new App({ outdir, context: { '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true } });

  // Amazon ECS: a stack update with a new image is the deployment.
  const native = new Stack(app, 'CheckoutEcsBlueGreen', { env: { region: 'eu-west-1' } });
  const a = shop(native);
  new EcsBlueGreenService(native, 'Release', {
    service: a.service,
    listener: a.listener,
    testListener: a.testListener,
    plan: RolloutPlan.allAtOnce(),
    keepPrevious: Duration.minutes(30),
    healthCheck: { path: '/', healthyThresholdCount: 2, interval: Duration.seconds(10) },
  });

  // AWS CodeDeploy: the stack registers the new task definition; the pipeline deploys it (an external
  // trigger, chosen explicitly: a 2-hour approval is longer than a stack update waits), and a person
  // approves the green tasks (ContinueDeployment) within 2 hours.
  const codeDeploy = new Stack(app, 'CheckoutCodeDeployBlueGreen', { env: { region: 'eu-west-1' } });
  const b = shop(codeDeploy, ecs.DeploymentControllerType.CODE_DEPLOY);
  new EcsBlueGreenService(codeDeploy, 'Release', {
    service: b.service,
    listener: b.listener,
    testListener: b.testListener,
    plan: RolloutPlan.steps([Step.pause(), Step.setWeight(100)]),
    engine: EcsDeploymentEngine.codeDeploy({ approvalTimeout: Duration.hours(2), trigger: EcsCodeDeployTrigger.EXTERNAL }),
    keepPrevious: Duration.hours(1),
    healthCheck: { path: '/', healthyThresholdCount: 2, interval: Duration.seconds(10) },
  });

  return app;
}

if (require.main === module) {
  buildApp().synth();
}
