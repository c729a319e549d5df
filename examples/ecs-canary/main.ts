/**
 * A canary release of a Fargate service behind an Application Load Balancer, run by Amazon ECS: 10% of
 * production traffic for 5 minutes, then the rest. The target groups' 5xx share and p99 response time,
 * a CloudWatch gate on checkout failures and an alarm the team already had all roll it back.
 */
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EcsCanaryRollout, Gate, Interval, RolloutPlan, Threshold } from '@release-constructs/release-strategies';

export function buildApp(outdir?: string): App {
  // S3 server access logs are allowed by a bucket policy, not by the legacy LogDeliveryWrite ACL.
  const app = new App({ outdir, context: { '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true } });
  const stack = new Stack(app, 'ApiEcsCanary', { env: { region: 'eu-west-1' } });

  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
  const logKey = new kms.Key(stack, 'LogKey', { enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY });
  logKey.grantEncryptDecrypt(new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`));
  const logGroup = new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, encryptionKey: logKey });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Api', { cpu: 512, memoryLimitMiB: 1024 });
  taskDefinition.addContainer('api', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27'),
    portMappings: [{ containerPort: 80 }],
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'api', logGroup }),
  });
  const service = new ecs.FargateService(stack, 'Service', { cluster, taskDefinition, desiredCount: 4, minHealthyPercent: 100 });

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
  const listener = loadBalancer.addListener('Https', {
    port: 443,
    certificates: [acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:eu-west-1:111111111111:certificate/11111111-2222-3333-4444-555555555555')],
    sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
    defaultAction: elbv2.ListenerAction.fixedResponse(404),
  });

  const checkoutFailures = Gate.cloudWatch({
    name: 'checkout-failures',
    metrics: [{ namespace: 'Shop/Api', metricName: 'CheckoutFailed', statistic: 'Sum', dimensions: { Service: 'api' } }],
    expression: 'FILL(m1, 0)',
    threshold: Threshold.atMost(5),
    failureLimit: 1,
  });
  const queueBacklog = new cloudwatch.Alarm(stack, 'OrdersBacklog', {
    alarmDescription: 'Orders wait in the queue for more than 5 minutes',
    metric: new cloudwatch.Metric({
      namespace: 'AWS/SQS', metricName: 'ApproximateAgeOfOldestMessage', dimensionsMap: { QueueName: 'orders' }, statistic: 'Maximum', period: Duration.minutes(1),
    }),
    threshold: 300,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });

  new EcsCanaryRollout(stack, 'Release', {
    service,
    listener,
    routeConditions: [elbv2.ListenerCondition.pathPatterns(['/api/*'])],
    routePriority: 100,
    plan: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5), gates: [checkoutFailures] }),
    rollbackAlarms: [queueBacklog],
    keepPrevious: Duration.minutes(20),
    defaultAlarms: { max5xxPercent: 2, maxP99ResponseTime: Duration.millis(1500) },
    healthCheck: { path: '/', healthyThresholdCount: 2, interval: Duration.seconds(10) },
  });

  return app;
}

if (require.main === module) {
  buildApp().synth();
}
