/**
 * A linear release of a Lambda function through its `live` alias: CodeDeploy moves 10% more traffic to
 * the new version every minute, after a pre-traffic hook checked it, and rolls back when more than 1% of
 * the new version's invocations fail. CloudFormation runs the deployment when it publishes a new version.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Interval, LambdaCanaryRollout, RolloutPlan } from '../../src';

const HANDLER = `
exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ price: 42, currency: 'EUR' }) });
`;

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

export function buildApp(outdir?: string): App {
  const app = new App({ outdir });
  const stack = new Stack(app, 'PricingLambdaLinear');

  const fn = new lambda.Function(stack, 'Pricing', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(HANDLER),
    logGroup: new logs.LogGroup(stack, 'PricingLogs', { retention: logs.RetentionDays.ONE_MONTH }),
  });
  const alias = new lambda.Alias(stack, 'Live', { aliasName: 'live', version: fn.currentVersion });

  const smokeTest = new lambda.Function(stack, 'SmokeTest', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(SMOKE_TEST),
    environment: { TARGET: fn.currentVersion.functionArn },
    logGroup: new logs.LogGroup(stack, 'SmokeTestLogs', { retention: logs.RetentionDays.ONE_MONTH }),
  });
  fn.currentVersion.grantInvoke(smokeTest);

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
