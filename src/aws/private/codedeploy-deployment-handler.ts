/**
 * The Lambda handlers behind the custom resource that rolls a new task definition out through AWS
 * CodeDeploy when a stack update registers it (the CodeDeploy engine's default trigger), as inline code
 * (Node.js, AWS SDK v3 from the runtime). Internal: not exported from the library.
 *
 * onEvent creates a deployment (AppSpec content from the resource's properties) on Update when the
 * task definition changed, also while the stack rolls back (then it deploys the previous task
 * definition, which is what the stack returns to). It deploys nothing on Create (the service was just
 * created with that task definition) or Delete. isComplete polls GetDeployment: done when the
 * deployment succeeded or its termination wait started (all production traffic is on the new tasks;
 * CodeDeploy keeps the old ones for keepPrevious); a failed or stopped deployment fails the stack
 * update with CodeDeploy's reason; past the deadline it stops the deployment with rollback and fails.
 */
export const CODEDEPLOY_DEPLOYMENT_HANDLER = `const { CodeDeployClient, CreateDeploymentCommand, GetDeploymentCommand, StopDeploymentCommand } = require('@aws-sdk/client-codedeploy');
const codedeploy = new CodeDeployClient({});

exports.onEvent = async (event) => {
  const p = event.ResourceProperties;
  const physicalId = event.PhysicalResourceId || (p.ApplicationName + '/' + p.DeploymentGroupName);
  const skip = (why) => { console.log('no deployment: ' + why); return { PhysicalResourceId: physicalId, Data: { DeploymentId: '' } }; };
  if (event.RequestType === 'Create') return skip('the service was created with this task definition');
  if (event.RequestType === 'Delete') return skip('the resource is being deleted');
  if ((event.OldResourceProperties || {}).TaskDefinition === p.TaskDefinition) return skip('the task definition did not change');
  const out = await codedeploy.send(new CreateDeploymentCommand({
    applicationName: p.ApplicationName,
    deploymentGroupName: p.DeploymentGroupName,
    revision: { revisionType: 'AppSpecContent', appSpecContent: { content: p.AppSpec } },
    description: 'Stack update: ' + p.TaskDefinition,
  }));
  console.log('started CodeDeploy deployment ' + out.deploymentId + ' of ' + p.TaskDefinition);
  return { PhysicalResourceId: physicalId, Data: { DeploymentId: out.deploymentId, Deadline: String(Date.now() + Number(p.TimeoutSeconds) * 1000) } };
};

exports.isComplete = async (event) => {
  const data = event.Data || {};
  const id = data.DeploymentId;
  if (!id) return { IsComplete: true };
  const out = await codedeploy.send(new GetDeploymentCommand({ deploymentId: id }));
  const info = out.deploymentInfo || {};
  if (info.status === 'Succeeded' || (info.status === 'InProgress' && info.instanceTerminationWaitTimeStarted)) {
    console.log('deployment ' + id + ': production traffic is on the new task set (' + info.status + ')');
    return { IsComplete: true, Data: { DeploymentId: id } };
  }
  if (info.status === 'Failed' || info.status === 'Stopped') {
    const why = [(info.errorInformation || {}).code, (info.errorInformation || {}).message, (info.rollbackInfo || {}).rollbackMessage].filter(Boolean).join('; ');
    throw new Error('CodeDeploy deployment ' + id + ' ' + info.status.toLowerCase() + (why ? ': ' + why : '') + '; production stays on the previous task definition');
  }
  if (Date.now() > Number(data.Deadline)) {
    await codedeploy.send(new StopDeploymentCommand({ deploymentId: id, autoRollbackEnabled: true }));
    throw new Error('CodeDeploy deployment ' + id + ' did not move production traffic within ' + Math.round(Number(event.ResourceProperties.TimeoutSeconds) / 60)
      + ' minutes (status ' + info.status + '); stopped it with rollback');
  }
  return { IsComplete: false };
};
`;
