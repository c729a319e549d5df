/**
 * The Lambda handlers behind `EcsExpandContractTask`'s custom resource, as inline code (Node.js, AWS
 * SDK v3 from the runtime). Internal: not exported from the library.
 *
 * onEvent starts the migration task with ecs:RunTask on Create, and on Update when the migration's
 * content changed; it starts nothing on Delete, nor while the stack rolls back (CloudFormation then
 * sends the previous properties, and re-running an old phase is never wanted). isComplete polls
 * ecs:DescribeTasks until the task stops, and fails the deployment unless the container exited 0.
 */
export const RUN_TASK_HANDLER = `const { ECSClient, RunTaskCommand, DescribeTasksCommand } = require('@aws-sdk/client-ecs');
const { CloudFormationClient, DescribeStacksCommand } = require('@aws-sdk/client-cloudformation');
const ecs = new ECSClient({});
const cfn = new CloudFormationClient({});

exports.onEvent = async (event) => {
  const p = event.ResourceProperties;
  const skip = (why) => { console.log('not running the migration: ' + why); return { PhysicalResourceId: event.PhysicalResourceId, Data: { TaskArn: '' } }; };
  if (event.RequestType === 'Delete') return skip('the resource is being deleted');
  if (event.RequestType === 'Update') {
    if ((event.OldResourceProperties || {}).ContentHash === p.ContentHash) return skip('the migration did not change');
    const out = await cfn.send(new DescribeStacksCommand({ StackName: event.StackId }));
    const status = ((out.Stacks || [])[0] || {}).StackStatus || '';
    if (status.includes('ROLLBACK')) return skip('the stack is ' + status);
  }
  const out = await ecs.send(new RunTaskCommand({
    cluster: p.Cluster,
    taskDefinition: p.TaskDefinition,
    launchType: 'FARGATE',
    count: 1,
    startedBy: 'release-strategies',
    networkConfiguration: { awsvpcConfiguration: { subnets: p.Subnets, securityGroups: p.SecurityGroups, assignPublicIp: 'DISABLED' } },
    overrides: p.Command ? { containerOverrides: [{ name: p.Container, command: p.Command }] } : undefined,
  }));
  const task = (out.tasks || [])[0];
  if (!task) throw new Error('RunTask started no migration task: ' + JSON.stringify(out.failures || []));
  console.log('started ' + task.taskArn);
  return { PhysicalResourceId: p.ContentHash, Data: { TaskArn: task.taskArn } };
};

exports.isComplete = async (event) => {
  const arn = (event.Data || {}).TaskArn;
  if (event.RequestType === 'Delete' || !arn) return { IsComplete: true };
  const p = event.ResourceProperties;
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
