/**
 * A canary release of a Fargate service behind an Application Load Balancer, run by Amazon ECS: 10% of
 * production traffic for 5 minutes, then the rest. The target groups' 5xx share and p99 response time,
 * a CloudWatch gate on checkout failures and an alarm the team already had all roll it back.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { EcsCanaryRollout, Gate, Interval, RolloutPlan, Threshold } from '../../src';

export function buildApp(outdir?: string): App {
  const app = new App({ outdir });
  const stack = new Stack(app, 'ApiEcsCanary');

  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Api', { cpu: 512, memoryLimitMiB: 1024 });
  taskDefinition.addContainer('api', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27'),
    portMappings: [{ containerPort: 80 }],
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'api' }),
  });
  const service = new ecs.FargateService(stack, 'Service', { cluster, taskDefinition, desiredCount: 4, minHealthyPercent: 100 });
  const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true, dropInvalidHeaderFields: true });
  const listener = loadBalancer.addListener('Http', { port: 80, defaultAction: elbv2.ListenerAction.fixedResponse(404) });

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
