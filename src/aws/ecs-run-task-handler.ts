/**
 * The Lambda handlers behind `EcsExpandContractTask`'s custom resources, as inline code (Node.js, AWS
 * SDK v3 from the runtime). Internal: not exported from the library.
 *
 * Both resources act on Create, and on Update when the migration's content changed; never on Delete,
 * nor while the stack rolls back (CloudFormation then sends the previous properties, and re-running an
 * old phase is never wanted).
 *
 * - `Custom::ExpandContractTask` starts the migration task with ecs:RunTask; isComplete polls
 *   ecs:DescribeTasks until it stops, and fails the deployment unless the container exited 0.
 * - `Custom::ExpandContractServicesSettled` (contract only, before the task) polls each service until
 *   it is settled on the newest revision of its task definition: one deployment, COMPLETED (ECS
 *   deployment controller), or one PRIMARY task set in steady state (CodeDeploy or external), and no
 *   running task of another revision. It fails when the service's current deployment started during
 *   this stack operation: then this release itself rolled out the version contract was waiting for.
 */
export const RUN_TASK_HANDLER = `const {
  ECSClient, RunTaskCommand, DescribeTasksCommand, DescribeServicesCommand, ListTasksCommand, ListTaskDefinitionsCommand, DescribeTaskDefinitionCommand,
} = require('@aws-sdk/client-ecs');
const { CloudFormationClient, DescribeStacksCommand } = require('@aws-sdk/client-cloudformation');
const ecs = new ECSClient({});
const cfn = new CloudFormationClient({});

async function stackOf(event) {
  const out = await cfn.send(new DescribeStacksCommand({ StackName: event.StackId }));
  return (out.Stacks || [])[0] || {};
}

exports.onEvent = async (event) => {
  const p = event.ResourceProperties;
  const skip = (why) => { console.log('not running the migration: ' + why); return { PhysicalResourceId: event.PhysicalResourceId, Data: { TaskArn: '', Waiting: '' } }; };
  if (event.RequestType === 'Delete') return skip('the resource is being deleted');
  if (event.RequestType === 'Update') {
    if ((event.OldResourceProperties || {}).ContentHash === p.ContentHash) return skip('the migration did not change');
    const status = (await stackOf(event)).StackStatus || '';
    if (status.includes('ROLLBACK')) return skip('the stack is ' + status);
  }
  if (p.Action === 'wait-for-services') return { PhysicalResourceId: p.ContentHash, Data: { Waiting: 'services' } };
  const out = await ecs.send(new RunTaskCommand({
    cluster: p.Cluster,
    taskDefinition: p.TaskDefinition,
    launchType: 'FARGATE',
    count: 1,
    startedBy: 'release-strategies',
    networkConfiguration: { awsvpcConfiguration: { subnets: p.Subnets, securityGroups: p.SecurityGroups, assignPublicIp: 'DISABLED' } },
    overrides: p.Overrides ? { containerOverrides: [Object.assign({ name: p.Container }, p.Overrides)] } : undefined,
  }));
  const task = (out.tasks || [])[0];
  if (!task) throw new Error('RunTask started no migration task: ' + JSON.stringify(out.failures || []));
  console.log('started ' + task.taskArn);
  return { PhysicalResourceId: p.ContentHash, Data: { TaskArn: task.taskArn } };
};

/** The newest ACTIVE revision of a task definition's family. */
async function newestRevision(taskDefinitionArn) {
  const family = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: taskDefinitionArn }))).taskDefinition.family;
  const out = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE', sort: 'DESC', maxResults: 100 }));
  return (out.taskDefinitionArns || []).find((arn) => arn.split('/').pop().replace(/:\\d+$/, '') === family) || taskDefinitionArn;
}

/** Why the service is not settled yet (undefined when it is); throws when it will never be right. */
async function unsettled(cluster, serviceArn, operationStarted) {
  const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [serviceArn] }));
  const s = (out.services || [])[0];
  if (!s) throw new Error('service ' + serviceArn + ' not found: ' + JSON.stringify(out.failures || []));
  const name = s.serviceName;
  const controller = (s.deploymentController || {}).type || 'ECS';
  let current;
  if (controller === 'ECS') {
    const deployments = s.deployments || [];
    if (deployments.length !== 1) return name + ' has ' + deployments.length + ' deployments in flight';
    current = deployments[0];
    if (current.rolloutState && current.rolloutState !== 'COMPLETED') return name + ' is still rolling out (' + current.rolloutState + ')';
  } else {
    const sets = s.taskSets || [];
    if (sets.length !== 1) return name + ' has ' + sets.length + ' task sets: a ' + controller + ' deployment is still in flight';
    current = sets[0];
    if (current.stabilityStatus !== 'STEADY_STATE') return name + "'s task set is " + current.stabilityStatus;
  }
  const newest = await newestRevision(current.taskDefinition);
  if (current.taskDefinition !== newest) return name + ' runs ' + current.taskDefinition + ', not the newest revision ' + newest;
  let token;
  do {
    const listed = await ecs.send(new ListTasksCommand({ cluster, serviceName: name, desiredStatus: 'RUNNING', nextToken: token }));
    token = listed.nextToken;
    const arns = listed.taskArns || [];
    for (let i = 0; i < arns.length; i += 100) {
      const tasks = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }))).tasks || [];
      const old = tasks.filter((t) => t.taskDefinitionArn !== newest);
      if (old.length > 0) return name + ' still runs ' + old.length + ' task(s) of an older revision (' + old[0].taskDefinitionArn + ')';
    }
  } while (token);
  const created = current.createdAt ? new Date(current.createdAt) : undefined;
  if (created && operationStarted && created >= operationStarted) {
    throw new Error('contract must ship in a later release than the one that rolls out the version it waits for: ' + name + ' started running '
      + current.taskDefinition + ' during this stack operation, so a rollback would return to a revision that reads what contract removes');
  }
  return undefined;
}

exports.isComplete = async (event) => {
  const p = event.ResourceProperties;
  const data = event.Data || {};
  if (event.RequestType === 'Delete') return { IsComplete: true };
  if (p.Action === 'wait-for-services') {
    if (data.Waiting !== 'services') return { IsComplete: true };
    const stack = await stackOf(event);
    const started = stack.LastUpdatedTime || stack.CreationTime;
    for (const service of p.Services || []) {
      const why = await unsettled(p.Cluster, service, started ? new Date(started) : undefined);
      if (why) { console.log('waiting before contract: ' + why); return { IsComplete: false }; }
    }
    return { IsComplete: true };
  }
  const arn = data.TaskArn;
  if (!arn) return { IsComplete: true };
  const out = await ecs.send(new DescribeTasksCommand({ cluster: p.Cluster, tasks: [arn] }));
  const task = (out.tasks || [])[0];
  if (!task) throw new Error('migration task ' + arn + ' not found: ' + JSON.stringify(out.failures || []));
  if (task.lastStatus !== 'STOPPED') return { IsComplete: false };
  const c = (task.containers || []).find((x) => x.name === p.Container);
  if (c && c.exitCode === 0) return { IsComplete: true, Data: { TaskArn: arn } };
  const why = [task.stoppedReason, c && c.reason].filter(Boolean).join('; ');
  throw new Error('migration task ' + arn + ' failed: container ' + p.Container + ' exited with '
    + (c && c.exitCode !== undefined ? c.exitCode : 'no exit code') + (why ? ' (' + why + ')' : '') + '; its output is in ' + p.Logs);
};
`;
