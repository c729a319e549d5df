/**
 * One release of the checkout service across eight AWS regions, in three waves, run by CodePipeline:
 * the canary region first, baked 30 minutes under the error-rate gate; then 25% of the regions, baked
 * 20 minutes; then the rest, two regions at a time. A gate that fires during a bake rolls that wave
 * back and stops the pipeline; a failed deploy rolls its wave back too.
 *
 * The pipeline takes the synthesized templates (the cloud assembly of the region stacks, zipped by CI
 * into an S3 bucket) and deploys each region's stack with the CDK bootstrap's CloudFormation execution
 * role of that region.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { CodePipelineTarget, CodePipelineWaves, Gate, Interval, MaxInFlight, Threshold, WavePlan, WaveTargets } from '@release-constructs/release-strategies';

const ACCOUNT = '111111111111';
const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2', 'ap-southeast-1', 'ap-northeast-1', 'sa-east-1', 'ca-central-1'];

/** Orders that failed to process in one region, per minute; the service publishes the metric. */
const failedOrders = Gate.cloudWatch({
  name: 'failed-orders',
  metrics: [{ namespace: 'Checkout', metricName: 'FailedOrders', statistic: 'Sum' }],
  threshold: Threshold.atMost(5),
  failureLimit: 2,
});

export const waves = WavePlan.of([
  { name: 'canary', targets: WaveTargets.names('eu-west-1'), bake: Interval.minutes(30), gates: [failedOrders] },
  { name: 'quarter', targets: WaveTargets.share(25), bake: Interval.minutes(20), gates: [failedOrders] },
  { name: 'rest', targets: WaveTargets.rest(), maxInFlight: MaxInFlight.count(2) },
]);

/** What each region runs: the checkout order queue. */
class CheckoutRegion extends Stack {
  constructor(app: App, region: string) {
    super(app, `Checkout-${region}`, { env: { account: ACCOUNT, region } });
    const key = new kms.Key(this, 'Key', { enableKeyRotation: true });
    new sqs.Queue(this, 'Orders', { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key, enforceSSL: true, retentionPeriod: Duration.days(4) });
  }
}

export function buildApp(outdir?: string): App {
  const app = new App({ outdir });
  const delivery = new Stack(app, 'CheckoutDelivery', { env: { account: ACCOUNT, region: 'eu-west-1' } });

  // Artifacts: one versioned, encrypted bucket in the pipeline's region, and one created beforehand in
  // each other region for CodePipeline to replicate the templates to.
  const logs = s3.Bucket.fromBucketName(delivery, 'AccessLogs', `access-logs-${ACCOUNT}-eu-west-1`);
  const artifactBucket = new s3.Bucket(delivery, 'Artifacts', {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: new kms.Key(delivery, 'ArtifactKey', { enableKeyRotation: true }),
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    versioned: true,
    serverAccessLogsBucket: logs,
  });
  const replication: { [region: string]: s3.IBucket } = { 'eu-west-1': artifactBucket };
  for (const region of REGIONS.filter((r) => r !== 'eu-west-1')) {
    replication[region] = s3.Bucket.fromBucketAttributes(delivery, `Replication-${region}`, { bucketName: `release-artifacts-${ACCOUNT}-${region}`, region });
  }

  const assembly = new codepipeline.Artifact('CloudAssembly');
  const pipeline = new codepipeline.Pipeline(delivery, 'Pipeline', {
    pipelineType: codepipeline.PipelineType.V2,
    executionMode: codepipeline.ExecutionMode.QUEUED,
    crossRegionReplicationBuckets: replication,
    stages: [{
      stageName: 'Source',
      actions: [new actions.S3SourceAction({
        actionName: 'CloudAssembly',
        bucket: s3.Bucket.fromBucketName(delivery, 'Assemblies', `release-assemblies-${ACCOUNT}`),
        bucketKey: 'checkout/cloud-assembly.zip',
        output: assembly,
        trigger: actions.S3Trigger.NONE,
      })],
    }],
  });

  const targets: CodePipelineTarget[] = REGIONS.map((region) => ({
    name: region,
    stack: new CheckoutRegion(app, region),
    deploymentRole: iam.Role.fromRoleArn(delivery, `Deploy-${region}`, `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${region}`, { mutable: false }),
  }));

  new CodePipelineWaves(delivery, 'Fleet', { pipeline, plan: waves, targets, input: assembly });
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
