/**
 * The custom resource that makes a stack update roll a new task definition out through AWS CodeDeploy
 * and wait for it (handlers: codedeploy-deployment-handler.ts), on aws-cdk-lib's Provider framework.
 */
import { CustomResource, Duration } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { CODEDEPLOY_DEPLOYMENT_HANDLER } from './codedeploy-deployment-handler';

/** How long the Provider framework may wait beyond the handler's own deadline (which stops the deployment). */
export const PROVIDER_MARGIN_MINUTES = 5;
/** aws-cdk-lib's Provider framework waits at most one hour. */
export const PROVIDER_MAX_MINUTES = 60;

/** Properties of `StackUpdateDeployment`. */
export interface StackUpdateDeploymentProps {
  readonly deploymentGroup: codedeploy.IEcsDeploymentGroup;
  readonly deploymentConfig: codedeploy.IEcsDeploymentConfig;
  /** AppSpec content; it names the task definition ARN, so a new revision changes it. */
  readonly appSpec: string;
  readonly taskDefinitionArn: string;
  /** How long the handler waits for production traffic to move before it stops the deployment. */
  readonly timeout: Duration;
}

/** A CodeDeploy deployment per new task definition, started and awaited by the stack update. */
export class StackUpdateDeployment extends Construct {
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: StackUpdateDeploymentProps) {
    super(scope, id);
    const code = lambda.Code.fromInline(CODEDEPLOY_DEPLOYMENT_HANDLER);
    const group = props.deploymentGroup;
    const onEvent = new lambda.Function(this, 'OnEvent', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.onEvent',
      code,
      timeout: Duration.minutes(1),
      description: `Starts a CodeDeploy deployment of ${scope.node.path} when the task definition changes`,
    });
    const isComplete = new lambda.Function(this, 'IsComplete', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.isComplete',
      code,
      timeout: Duration.minutes(1),
      description: `Waits for the CodeDeploy deployment of ${scope.node.path}`,
    });
    // What CreateDeployment and GetDeployment/StopDeployment need, on this group only.
    onEvent.addToRolePolicy(new iam.PolicyStatement({ actions: ['codedeploy:CreateDeployment'], resources: [group.deploymentGroupArn] }));
    onEvent.addToRolePolicy(new iam.PolicyStatement({
      actions: ['codedeploy:GetApplicationRevision', 'codedeploy:RegisterApplicationRevision'], resources: [group.application.applicationArn],
    }));
    onEvent.addToRolePolicy(new iam.PolicyStatement({ actions: ['codedeploy:GetDeploymentConfig'], resources: [props.deploymentConfig.deploymentConfigArn] }));
    isComplete.addToRolePolicy(new iam.PolicyStatement({ actions: ['codedeploy:GetDeployment', 'codedeploy:StopDeployment'], resources: [group.deploymentGroupArn] }));
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: Duration.seconds(15),
      totalTimeout: Duration.minutes(props.timeout.toMinutes() + PROVIDER_MARGIN_MINUTES),
    });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::CodeDeployEcsDeployment',
      properties: {
        ApplicationName: group.application.applicationName,
        DeploymentGroupName: group.deploymentGroupName,
        TaskDefinition: props.taskDefinitionArn,
        AppSpec: props.appSpec,
        TimeoutSeconds: props.timeout.toSeconds(),
      },
    });
  }
}
