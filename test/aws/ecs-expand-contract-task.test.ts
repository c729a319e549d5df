import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { EcsExpandContractTask, EcsExpandContractTaskProps, MigrationPhases, Phase, PostgresSslMode, SqlParser } from '../../src';
import { RUN_TASK_HANDLER } from '../../src/aws/ecs-run-task-handler';
import { thrown } from '../migrations/thrown';

beforeAll(async () => {
  await SqlParser.load();
});


function renamePhases(): MigrationPhases {
  return MigrationPhases.sql({
    expand: ['ALTER TABLE users ADD COLUMN display_name text', 'CREATE INDEX CONCURRENTLY users_display_name_idx ON users (display_name)'],
    migrate: ['UPDATE users SET display_name = full_name WHERE display_name IS NULL'],
    contract: ['ALTER TABLE users DROP COLUMN full_name'],
  });
}

function fixture() {
  const stack = new Stack(new App(), 'Shop', { env: { account: '111111111111', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const databaseSecret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Db', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:orders-db-AbCdEf');
  const appTask = new ecs.FargateTaskDefinition(stack, 'AppTask');
  appTask.addContainer('app', { image: ecs.ContainerImage.fromRegistry('registry.example.com/orders:2.0.0'), portMappings: [{ containerPort: 8080 }] });
  const service = new ecs.FargateService(stack, 'Service', { cluster, taskDefinition: appTask });
  return { stack, vpc, cluster, databaseSecret, service };
}

function build(overrides: Partial<EcsExpandContractTaskProps> = {}) {
  const f = fixture();
  const task = new EcsExpandContractTask(f.stack, 'Expand', {
    cluster: f.cluster,
    databaseSecret: f.databaseSecret,
    image: ecs.ContainerImage.fromRegistry('postgres:17.6-alpine'),
    phases: renamePhases(),
    ...overrides,
  });
  return { ...f, task, template: () => Template.fromStack(f.stack) };
}

const COMMAND = [
  'psql', '--no-psqlrc', '--set=ON_ERROR_STOP=1', '--echo-queries',
  "--command=SET lock_timeout = '5s'",
  "--command=SET statement_timeout = '900s'",
  '--command=BEGIN',
  '--command=ALTER TABLE users ADD COLUMN display_name text',
  '--command=COMMIT',
  "--command=SET lock_timeout = '0'",
  '--command=CREATE INDEX CONCURRENTLY users_display_name_idx ON users (display_name)',
  "--command=SET lock_timeout = '5s'",
];

describe('EcsExpandContractTask', () => {
  test('a Fargate task definition runs psql with the phase as commands, the connection from the secret', () => {
    const { template } = build();
    template().hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'],
      NetworkMode: 'awsvpc',
      Cpu: '256',
      Memory: '512',
      ContainerDefinitions: [Match.objectLike({
        Name: 'migrate',
        Image: 'postgres:17.6-alpine',
        Command: COMMAND,
        Essential: true,
        ReadonlyRootFilesystem: true,
        User: '65532:65532',
        Environment: [
          { Name: 'PGSSLMODE', Value: 'require' },
          { Name: 'PGAPPNAME', Value: 'Expand-expand' },
          { Name: 'PGOPTIONS', Value: '-c lock_timeout=5s -c statement_timeout=900s' },
        ],
        Secrets: ['host', 'port', 'username', 'password', 'dbname'].map((key, i) => ({
          Name: ['PGHOST', 'PGPORT', 'PGUSER', 'PGPASSWORD', 'PGDATABASE'][i],
          ValueFrom: `arn:aws:secretsmanager:eu-west-1:111111111111:secret:orders-db-AbCdEf:${key}::`,
        })),
        LogConfiguration: Match.objectLike({ LogDriver: 'awslogs', Options: Match.objectLike({ 'awslogs-stream-prefix': 'migration' }) }),
      })],
    });
  });

  test('the custom resource runs that task in the private subnets, and changes when the phase does', () => {
    const { template, task, stack } = build();
    expect(task.command).toEqual(COMMAND);
    const resources = template().findResources('Custom::ExpandContractTask');
    expect(Object.keys(resources)).toHaveLength(1);
    const properties = Object.values<any>(resources)[0].Properties;
    expect(properties).toEqual({
      ServiceToken: expect.anything(),
      Cluster: { 'Fn::GetAtt': [stack.getLogicalId(task.node.scope!.node.findChild('Cluster').node.defaultChild as any), 'Arn'] },
      TaskDefinition: { Ref: stack.getLogicalId(task.taskDefinition.node.defaultChild as any) },
      Container: 'migrate',
      Subnets: [{ Ref: 'VpcPrivateSubnet1Subnet536B997A' }, { Ref: 'VpcPrivateSubnet2Subnet3788AAA1' }],
      SecurityGroups: [{ 'Fn::GetAtt': [expect.stringMatching(/^ExpandSecurityGroup/), 'GroupId'] }],
      ContentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      Phase: 'expand',
      Logs: { 'Fn::Join': ['', ['log group ', { Ref: expect.stringMatching(/^ExpandLogs/) }]] },
    });
    const other = build({ phases: MigrationPhases.sql({ expand: ['ALTER TABLE users ADD COLUMN display_name varchar(200)'] }) }).template();
    const otherHash = Object.values<any>(other.findResources('Custom::ExpandContractTask'))[0].Properties.ContentHash;
    expect(otherHash).not.toBe(properties.ContentHash);
  });

  test('the provider starts the task and polls it every 15 seconds for an hour', () => {
    const { template } = build();
    const functions = Object.values<any>(template().findResources('AWS::Lambda::Function'))
      .filter((f) => f.Properties.Code.ZipFile !== undefined)
      .map((f) => [f.Properties.Handler, f.Properties.Runtime, f.Properties.Code.ZipFile]);
    expect(functions).toEqual([
      ['index.onEvent', 'nodejs22.x', RUN_TASK_HANDLER],
      ['index.isComplete', 'nodejs22.x', RUN_TASK_HANDLER],
    ]);
    const machine = Object.values<any>(template().findResources('AWS::StepFunctions::StateMachine'))[0];
    const definition = JSON.stringify(machine.Properties.DefinitionString);
    expect(definition).toContain('\\"IntervalSeconds\\":15');
    expect(definition).toContain('\\"MaxAttempts\\":240');
  });

  test('the handlers may run the task, pass its roles, read the stack status and describe tasks of the cluster only', () => {
    const { template } = build();
    const statements = Object.values<any>(template().findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'ecs:RunTask', Effect: 'Allow', Resource: expect.anything() }),
      expect.objectContaining({ Action: 'iam:PassRole', Effect: 'Allow' }),
      expect.objectContaining({ Action: 'cloudformation:DescribeStacks', Resource: { Ref: 'AWS::StackId' } }),
      expect.objectContaining({
        Action: 'ecs:DescribeTasks',
        Resource: '*',
        Condition: { ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [expect.stringMatching(/^Cluster/), 'Arn'] } } },
      }),
    ]));
  });

  test('runsBefore(service): the service update waits for the expand task', () => {
    const { task, service, template, stack } = build();
    task.runsBefore(service);
    const serviceResource = template().findResources('AWS::ECS::Service');
    expect(Object.values<any>(serviceResource)[0].DependsOn).toContain(stack.getLogicalId(task.resource.node.defaultChild as any));
  });

  test('runsAfter(service): contract waits for the service deployment', () => {
    const { task, service, template, stack } = build({ current: Phase.CONTRACT, oldShapeUnusedSince: 'orders:3.0.0' });
    task.runsAfter(service);
    const custom = template().findResources('Custom::ExpandContractTask');
    expect(Object.values<any>(custom)[0].DependsOn).toContain(stack.getLogicalId(service.node.defaultChild as any));
    expect(Object.values<any>(custom)[0].Properties).toMatchObject({ Phase: 'contract', OldShapeUnusedSince: 'orders:3.0.0' });
  });

  test('your own task definition runs the phase through a RunTask command override', () => {
    const f = fixture();
    const own = new ecs.FargateTaskDefinition(f.stack, 'Own');
    own.addContainer('tools', { image: ecs.ContainerImage.fromRegistry('registry.example.com/db-tools:1.2') });
    const task = new EcsExpandContractTask(f.stack, 'Expand', {
      cluster: f.cluster,
      databaseSecret: f.databaseSecret,
      taskDefinition: own,
      phases: renamePhases(),
      databaseName: 'orders',
      sslMode: PostgresSslMode.VERIFY_FULL,
    });
    const template = Template.fromStack(f.stack);
    template.hasResourceProperties('Custom::ExpandContractTask', { Container: 'tools', Command: COMMAND, Logs: 'the logs of container tools' });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Name: 'tools',
        Environment: [
          { Name: 'PGSSLMODE', Value: 'verify-full' },
          { Name: 'PGAPPNAME', Value: 'Expand-expand' },
          { Name: 'PGOPTIONS', Value: '-c lock_timeout=5s -c statement_timeout=900s' },
          { Name: 'PGDATABASE', Value: 'orders' },
        ],
        Secrets: Match.arrayWith([Match.objectLike({ Name: 'PGPASSWORD' })]),
      })],
    });
    expect(task.containerName).toBe('tools');
  });

  test('allowances are synth warnings, as on Kubernetes', () => {
    const { task } = build({ phases: MigrationPhases.sql({ expand: ['-- release-strategies:allow drop-column nothing reads legacy since 1.0\nALTER TABLE users DROP COLUMN legacy'] }) });
    expect(task.node.metadata.map((m) => m.data)).toEqual([
      "phases.expand[0]: 'ALTER TABLE users DROP COLUMN legacy' runs although expand must not drop column legacy of users: the running version still uses it (rule drop-column allowed: nothing reads legacy since 1.0)",
    ]);
  });
});

describe('EcsExpandContractTask bad input', () => {
  test('fails on a statement the expand phase refuses, with the same message as on Kubernetes', () => {
    expect(thrown(() => build({ phases: MigrationPhases.sql({ expand: ['ALTER TABLE users RENAME COLUMN full_name TO display_name'] }) }))).toBe(
      "Shop/Expand: invalid 'phases.expand[0]': expand must not rename column full_name of users to display_name: the running version still uses full_name (rule rename-column); add display_name in expand, copy full_name into it in migrate, and drop full_name in contract, got 'ALTER TABLE users RENAME COLUMN full_name TO display_name'",
    );
  });

  test('fails on contract without the version that stopped using the old shape', () => {
    expect(thrown(() => build({ current: Phase.CONTRACT }))).toBe(
      "Shop/Expand: invalid 'oldShapeUnusedSince': must name the application version since which no running version, nor the rollback target, reads or writes what contract removes (contract drops it for good), got nothing",
    );
  });

  test('fails on a pgroll migration', () => {
    expect(thrown(() => build({ phases: MigrationPhases.pgroll({ migrationFile: path.join(__dirname, '..', 'kubernetes', 'fixtures', '03_rename_full_name.json') }) }))).toBe(
      "Shop/Expand: invalid 'phases': must be SQL phases (MigrationPhases.sql() or .sqlFiles()): the ECS task runs them with psql, got 'pgroll'",
    );
  });

  test('fails without an image or a task definition', () => {
    expect(thrown(() => build({ image: undefined }))).toBe("Shop/Expand: invalid 'image': must be given, or taskDefinition instead (exactly one of them), got nothing");
  });

  test('fails on a timeout the statement timeout outlasts', () => {
    expect(thrown(() => build({ statementTimeout: Duration.minutes(30), timeout: Duration.minutes(20) }))).toBe(
      "Shop/Expand: invalid 'timeout': must be longer than statementTimeout (1800 seconds), or the deployment gives up before PostgreSQL cancels the statement, got '1200 seconds'",
    );
  });

  test('fails on a timeout beyond the two hours a provider can wait', () => {
    expect(thrown(() => build({ timeout: Duration.hours(3) }))).toBe(
      "Shop/Expand: invalid 'timeout': must be a whole number of milliseconds from 60000 to 7200000, got '10800000 milliseconds'",
    );
  });

  test('fails on runsBefore() for a phase that runs after the rollout', () => {
    const { task, service } = build({ current: Phase.MIGRATE });
    expect(thrown(() => task.runsBefore(service))).toBe(
      "Shop/Expand: invalid 'current': runsBefore() is for expand, which must finish before the new version starts; migrate runs after the rollout (use runsAfter()), got 'migrate'",
    );
  });

  test('fails on runsAfter() for expand', () => {
    const { task, service } = build();
    expect(thrown(() => task.runsAfter(service))).toBe(
      "Shop/Expand: invalid 'current': runsAfter() is for migrate and contract; expand must finish before the new version starts (use runsBefore()), got 'expand'",
    );
  });

  test('fails on a command too large for a RunTask override', () => {
    const f = fixture();
    const own = new ecs.FargateTaskDefinition(f.stack, 'Own');
    own.addContainer('tools', { image: ecs.ContainerImage.fromRegistry('registry.example.com/db-tools:1.2') });
    const columns = Array.from({ length: 200 }, (_, i) => `ALTER TABLE users ADD COLUMN extra_column_number_${i} text`);
    expect(thrown(() => new EcsExpandContractTask(f.stack, 'Expand', {
      cluster: f.cluster, databaseSecret: f.databaseSecret, taskDefinition: own, phases: MigrationPhases.sql({ expand: columns }),
    }))).toMatch(/^Shop\/Expand: invalid 'taskDefinition': must not be used for a phase whose command exceeds RunTask's 8192-byte override limit; pass image instead, so the command is part of the task definition, got '\d+ bytes'$/);
  });
});

/** The inline handlers, loaded with fake AWS SDK clients that record what they are sent. */
function handlers(responses: { [command: string]: any }) {
  const sent: Array<[string, any]> = [];
  const command = (name: string) => class { public readonly name = name; constructor(public readonly input: any) {} };
  const client = class {
    public async send(c: any) {
      sent.push([c.name, c.input]);
      return responses[c.name];
    }
  };
  const modules: { [name: string]: any } = {
    '@aws-sdk/client-ecs': { ECSClient: client, RunTaskCommand: command('RunTask'), DescribeTasksCommand: command('DescribeTasks') },
    '@aws-sdk/client-cloudformation': { CloudFormationClient: client, DescribeStacksCommand: command('DescribeStacks') },
  };
  const exports: any = {};
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function('require', 'exports', 'console', RUN_TASK_HANDLER)((name: string) => modules[name], exports, { log: () => undefined });
  return { exports, sent };
}

const PROPERTIES = {
  Cluster: 'arn:aws:ecs:eu-west-1:111111111111:cluster/shop',
  TaskDefinition: 'arn:aws:ecs:eu-west-1:111111111111:task-definition/migrate:3',
  Container: 'migrate',
  Subnets: ['subnet-1', 'subnet-2'],
  SecurityGroups: ['sg-1'],
  ContentHash: 'abc123',
  Logs: 'log group shop-migrations',
};
const TASK = 'arn:aws:ecs:eu-west-1:111111111111:task/shop/0123';

describe('the custom resource handlers', () => {
  test('onEvent starts the task on create', async () => {
    const { exports, sent } = handlers({ RunTask: { tasks: [{ taskArn: TASK }] } });
    expect(await exports.onEvent({ RequestType: 'Create', ResourceProperties: PROPERTIES })).toEqual({ PhysicalResourceId: 'abc123', Data: { TaskArn: TASK } });
    expect(sent).toEqual([['RunTask', {
      cluster: PROPERTIES.Cluster,
      taskDefinition: PROPERTIES.TaskDefinition,
      launchType: 'FARGATE',
      count: 1,
      startedBy: 'release-strategies',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1', 'subnet-2'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' } },
      overrides: undefined,
    }]]);
  });

  test('onEvent passes the command as an override for your own task definition', async () => {
    const { exports, sent } = handlers({ RunTask: { tasks: [{ taskArn: TASK }] } });
    await exports.onEvent({ RequestType: 'Create', ResourceProperties: { ...PROPERTIES, Command: ['psql', '--command=SELECT 1'] } });
    expect(sent[0][1].overrides).toEqual({ containerOverrides: [{ name: 'migrate', command: ['psql', '--command=SELECT 1'] }] });
  });

  test('onEvent starts nothing when the migration did not change, during a rollback, or on delete', async () => {
    const unchanged = handlers({});
    expect(await unchanged.exports.onEvent({ RequestType: 'Update', PhysicalResourceId: 'abc123', ResourceProperties: PROPERTIES, OldResourceProperties: { ...PROPERTIES, Subnets: ['subnet-9'] } }))
      .toEqual({ PhysicalResourceId: 'abc123', Data: { TaskArn: '' } });
    expect(unchanged.sent).toEqual([]);

    const rollback = handlers({ DescribeStacks: { Stacks: [{ StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS' }] } });
    expect(await rollback.exports.onEvent({ RequestType: 'Update', StackId: 'stack-1', PhysicalResourceId: 'new', ResourceProperties: PROPERTIES, OldResourceProperties: { ...PROPERTIES, ContentHash: 'new' } }))
      .toEqual({ PhysicalResourceId: 'new', Data: { TaskArn: '' } });
    expect(rollback.sent).toEqual([['DescribeStacks', { StackName: 'stack-1' }]]);

    const deleted = handlers({});
    expect(await deleted.exports.onEvent({ RequestType: 'Delete', PhysicalResourceId: 'abc123', ResourceProperties: PROPERTIES })).toEqual({ PhysicalResourceId: 'abc123', Data: { TaskArn: '' } });
    expect(deleted.sent).toEqual([]);
  });

  test('onEvent starts the task when an update changes the migration', async () => {
    const { exports, sent } = handlers({ DescribeStacks: { Stacks: [{ StackStatus: 'UPDATE_IN_PROGRESS' }] }, RunTask: { tasks: [{ taskArn: TASK }] } });
    expect(await exports.onEvent({ RequestType: 'Update', StackId: 'stack-1', PhysicalResourceId: 'old', ResourceProperties: PROPERTIES, OldResourceProperties: { ...PROPERTIES, ContentHash: 'old' } }))
      .toEqual({ PhysicalResourceId: 'abc123', Data: { TaskArn: TASK } });
    expect(sent.map(([name]) => name)).toEqual(['DescribeStacks', 'RunTask']);
  });

  test('onEvent fails when RunTask starts no task', async () => {
    const { exports } = handlers({ RunTask: { tasks: [], failures: [{ reason: 'RESOURCE:MEMORY' }] } });
    await expect(exports.onEvent({ RequestType: 'Create', ResourceProperties: PROPERTIES })).rejects.toThrow('RunTask started no migration task: [{"reason":"RESOURCE:MEMORY"}]');
  });

  test('isComplete waits until the task stops, and succeeds only on exit code 0', async () => {
    const event = { RequestType: 'Create', ResourceProperties: PROPERTIES, Data: { TaskArn: TASK } };
    const running = handlers({ DescribeTasks: { tasks: [{ lastStatus: 'RUNNING', containers: [{ name: 'migrate' }] }] } });
    expect(await running.exports.isComplete(event)).toEqual({ IsComplete: false });
    expect(running.sent).toEqual([['DescribeTasks', { cluster: PROPERTIES.Cluster, tasks: [TASK] }]]);

    const succeeded = handlers({ DescribeTasks: { tasks: [{ lastStatus: 'STOPPED', containers: [{ name: 'migrate', exitCode: 0 }] }] } });
    expect(await succeeded.exports.isComplete(event)).toEqual({ IsComplete: true, Data: { TaskArn: TASK } });
  });

  test('isComplete fails the deployment when the task exits non-zero, saying why and where the output is', async () => {
    const failed = handlers({ DescribeTasks: { tasks: [{ lastStatus: 'STOPPED', stoppedReason: 'Essential container in task exited', containers: [{ name: 'migrate', exitCode: 3 }] }] } });
    await expect(failed.exports.isComplete({ RequestType: 'Create', ResourceProperties: PROPERTIES, Data: { TaskArn: TASK } })).rejects.toThrow(
      `migration task ${TASK} failed: container migrate exited with 3 (Essential container in task exited); its output is in log group shop-migrations`,
    );
  });

  test('isComplete has nothing to wait for when no task was started', async () => {
    const { exports, sent } = handlers({});
    expect(await exports.isComplete({ RequestType: 'Update', ResourceProperties: PROPERTIES, Data: { TaskArn: '' } })).toEqual({ IsComplete: true });
    expect(sent).toEqual([]);
  });
});
