/**
 * A linear release of a Lambda function through its `live` alias: CodeDeploy moves 10% more traffic to
 * the new version every minute, after a pre-traffic hook checked it, and rolls back when more than 1% of
 * the new version's invocations fail. CloudFormation runs the deployment when it publishes a new version.
 */
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { Interval, LambdaCanaryRollout, RolloutPlan } from '@release-constructs/release-strategies';

const PRICING = `
exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ price: 42, currency: 'EUR' }) });
`;

/** The pre-traffic hook: invokes the new version once and reports the outcome to CodeDeploy. */
const SMOKE_TEST = `
const { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } = require('@aws-sdk/client-codedeploy');
const { LambdaClient, InvokeCommand } = require('@aws-sdk/client-lambda');
exports.handler = async (event) => {
  let status = 'Succeeded';
  try {
    const out = await new LambdaClient({}).send(new InvokeCommand({ FunctionName: process.env.TARGET, Payload: Buffer.from('{}') }));
    if (out.FunctionError) status = 'Failed';
  } catch (e) {
    status = 'Failed';
  }
  await new CodeDeployClient({}).send(new PutLifecycleEventHookExecutionStatusCommand({
    deploymentId: event.DeploymentId, lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId, status,
  }));
};
`;

interface FunctionOptions {
  readonly code: string;
  readonly vpc: ec2.IVpc;
  readonly key: kms.IKey;
  readonly environment?: { [name: string]: string };
}

/** A function in the VPC with encrypted logs and environment, a dead-letter queue and a concurrency cap. */
function fn(scope: Construct, id: string, options: FunctionOptions): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(options.code),
    vpc: options.vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    reservedConcurrentExecutions: 20,
    environment: options.environment,
    environmentEncryption: options.key,
    deadLetterQueue: new sqs.Queue(scope, `${id}Dlq`, {
      encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: options.key, enforceSSL: true, retentionPeriod: Duration.days(14),
    }),
    logGroup: new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.ONE_MONTH, encryptionKey: options.key }),
  });
}

export function buildApp(outdir?: string): App {
  const app = new App({ outdir });
  const stack = new Stack(app, 'PricingLambdaLinear', { env: { region: 'eu-west-1' } });

  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'functions', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  // The smoke test calls Lambda and CodeDeploy without internet access.
  vpc.addInterfaceEndpoint('LambdaEndpoint', { service: ec2.InterfaceVpcEndpointAwsService.LAMBDA });
  vpc.addInterfaceEndpoint('CodeDeployEndpoint', { service: ec2.InterfaceVpcEndpointAwsService.CODEDEPLOY });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY });
  key.grantEncryptDecrypt(new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`));

  const pricing = fn(stack, 'Pricing', { code: PRICING, vpc, key });
  const alias = new lambda.Alias(stack, 'Live', { aliasName: 'live', version: pricing.currentVersion });

  const smokeTest = fn(stack, 'SmokeTest', { code: SMOKE_TEST, vpc, key, environment: { TARGET: pricing.currentVersion.functionArn } });
  pricing.currentVersion.grantInvoke(smokeTest);

  new LambdaCanaryRollout(stack, 'Release', {
    alias,
    plan: RolloutPlan.linear({ step: 10, every: Interval.minutes(1) }),
    preTrafficHook: smokeTest,
  });

  return app;
}

if (require.main === module) {
  buildApp().synth();
}
