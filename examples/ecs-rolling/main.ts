/**
 * Rolling updates of a Fargate worker that takes no load balancer traffic: Amazon ECS replaces tasks
 * without dropping below the desired count, the deployment circuit breaker rolls back tasks that never
 * become healthy, and a CloudWatch gate on the order queue's age (plus an alarm the team already had)
 * rolls the deployment back while it runs and during a 10-minute bake.
 */
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { EcsRollingService, Gate, RolloutPlan, Step, Threshold } from '@release-constructs/release-strategies';

export function buildApp(outdir?: string): App {
  const app = new App({ outdir });
  const stack = new Stack(app, 'OrdersEcsRolling', { env: { region: 'eu-west-1' } });

  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
  const logKey = new kms.Key(stack, 'LogKey', { enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY });
  logKey.grantEncryptDecrypt(new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`));
  const logGroup = new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, encryptionKey: logKey });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Worker', { cpu: 256, memoryLimitMiB: 512 });
  taskDefinition.addContainer('worker', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox:1.36'),
    command: ['sh', '-c', 'while true; do sleep 30; done'],
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'worker', logGroup }),
  });
  const service = new ecs.FargateService(stack, 'Service', { cluster, taskDefinition, desiredCount: 3, minHealthyPercent: 100 });

  const queueAge = Gate.cloudWatch({
    name: 'orders-queue-age',
    metrics: [{ namespace: 'AWS/SQS', metricName: 'ApproximateAgeOfOldestMessage', statistic: 'Maximum', dimensions: { QueueName: 'orders' } }],
    threshold: Threshold.atMost(600),
    failureLimit: 2,
  });
  const failedOrders = new cloudwatch.Alarm(stack, 'FailedOrders', {
    alarmDescription: 'More than 10 orders failed in a minute',
    metric: new cloudwatch.Metric({ namespace: 'Shop/Orders', metricName: 'Failed', statistic: 'Sum', period: Duration.minutes(1) }),
    threshold: 10,
    evaluationPeriods: 2,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });

  new EcsRollingService(stack, 'Release', {
    service,
    plan: RolloutPlan.steps([Step.setWeight(100)], { backgroundGates: [queueAge] }),
    minHealthyPercent: 100,
    maxHealthyPercent: 150,
    bakeTime: Duration.minutes(10),
    rollbackAlarms: [failedOrders],
  });

  return app;
}

if (require.main === module) {
  buildApp().synth();
}
