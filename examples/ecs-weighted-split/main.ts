/**
 * A fixed weighted split between two Fargate services behind one Application Load Balancer rule, with
 * no deployment controller: 10% of search traffic goes to the new ranking service, the rest to the
 * current one, and a client stays on the service it was first sent to for an hour (target group
 * stickiness). The split changes only when the stack does.
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
import { EcsWeightedSplit } from '@release-constructs/release-strategies';

export function buildApp(outdir?: string): App {
  // S3 server access logs are allowed by a bucket policy, not by the legacy LogDeliveryWrite ACL.
  const app = new App({ outdir, context: { '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true } });
  const stack = new Stack(app, 'SearchWeightedSplit', { env: { region: 'eu-west-1' } });

  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
  const logKey = new kms.Key(stack, 'LogKey', { enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY });
  logKey.grantEncryptDecrypt(new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`));
  const logGroup = new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, encryptionKey: logKey });
  const searchTask = new ecs.FargateTaskDefinition(stack, 'SearchTask', { cpu: 512, memoryLimitMiB: 1024 });
  searchTask.addContainer('web', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27'),
    portMappings: [{ containerPort: 80 }],
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'search', logGroup }),
  });
  const search = new ecs.FargateService(stack, 'Search', { cluster, taskDefinition: searchTask, desiredCount: 2, minHealthyPercent: 100 });
  const rankingTask = new ecs.FargateTaskDefinition(stack, 'SearchRankingTask', { cpu: 512, memoryLimitMiB: 1024 });
  rankingTask.addContainer('web', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27-alpine'),
    portMappings: [{ containerPort: 80 }],
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'ranking', logGroup }),
  });
  const ranking = new ecs.FargateService(stack, 'SearchRanking', { cluster, taskDefinition: rankingTask, desiredCount: 2, minHealthyPercent: 100 });
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


  new EcsWeightedSplit(stack, 'Split', {
    listener,
    service: search,
    splitService: ranking,
    splitPercent: 10,
    stickiness: Duration.hours(1),
    routeConditions: [elbv2.ListenerCondition.pathPatterns(['/search/*'])],
    routePriority: 100,
    healthCheck: { path: '/', healthyThresholdCount: 2, interval: Duration.seconds(10) },
    deregistrationDelay: Duration.seconds(30),
  });

  return app;
}

if (require.main === module) {
  buildApp().synth();
}
