import { createHash } from 'crypto';
import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { RUN_TASK_HANDLER } from './ecs-run-task-handler';
import { checkMigration, checkMilliseconds } from '../migrations/migration-checks';
import { MigrationPhases } from '../migrations/migration-phases';
import { Phase } from '../migrations/phase';
import { PostgresSslMode } from '../migrations/postgres-ssl-mode';
import { phaseCommands, sessionOptions } from '../migrations/script';
import { checkNonEmpty, fail } from '../private/validate';

/** Properties for `EcsExpandContractTask`. */
export interface EcsExpandContractTaskProps {
  /** The cluster the migration task runs in (on Fargate, in the cluster's VPC). */
  readonly cluster: ecs.ICluster;
  /**
   * Secret with the database connection, in the JSON format of RDS-generated secrets: `host`, `port`,
   * `username`, `password` and, unless `databaseName` is given, `dbname`.
   */
  readonly databaseSecret: secretsmanager.ISecret;
  /**
   * Name of the database to connect to.
   * @default - the secret's `dbname` key
   */
  readonly databaseName?: string;
  /** What each phase does (SQL phases; every phase is checked, whichever one this release runs). */
  readonly phases: MigrationPhases;
  /**
   * The phase this release runs.
   * @default Phase.EXPAND
   */
  readonly current?: Phase;
  /**
   * The first application version that neither reads nor writes what the contract phase removes.
   * Required when `current` is `Phase.CONTRACT`.
   * @default - contract is refused
   */
  readonly oldShapeUnusedSince?: string;
  /**
   * Image with `psql` (for example the official `postgres` image). The construct creates a Fargate task
   * definition running it, with the phase's statements in its command. Give this or `taskDefinition`.
   * @default - `taskDefinition` runs the phase
   */
  readonly image?: ecs.ContainerImage;
  /**
   * Your own Fargate task definition, whose `containerName` container has `psql`; the construct adds the
   * connection environment to that container and runs the phase through a RunTask command override
   * (RunTask limits overrides to 8192 bytes). Give this or `image`.
   * @default - a task definition running `image`
   */
  readonly taskDefinition?: ecs.FargateTaskDefinition;
  /**
   * Container of `taskDefinition` that runs the phase.
   * @default - the task definition's default container
   */
  readonly containerName?: string;
  /**
   * Subnets of the task.
   * @default - the cluster VPC's private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Security groups of the task; the database must accept connections from them.
   * @default - a new security group with all outbound traffic allowed
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /**
   * TLS mode of the connection.
   * @default PostgresSslMode.REQUIRE
   */
  readonly sslMode?: PostgresSslMode;
  /**
   * `lock_timeout` of every statement (CREATE INDEX CONCURRENTLY and other statements that wait for
   * older transactions run without it, bounded by statementTimeout).
   * @default Duration.seconds(5)
   */
  readonly lockTimeout?: Duration;
  /**
   * `statement_timeout` of every statement.
   * @default Duration.minutes(15)
   */
  readonly statementTimeout?: Duration;
  /**
   * How long the deployment waits for the task to finish (at most two hours, the limit of CloudFormation
   * custom resource providers). The task is not stopped when the deployment gives up.
   * @default - one hour, or statementTimeout plus ten minutes when that is longer
   */
  readonly timeout?: Duration;
}

const MAX_OVERRIDE_BYTES = 8192;

/**
 * Runs one phase of an expand/contract schema change as a one-off ECS task during the CloudFormation
 * deployment, and fails the deployment when the task exits non-zero.
 *
 * The phases go through the same checks as `ExpandContractJob` (PostgreSQL's grammar, `MigrationRule`),
 * and the task runs the same psql commands: `lock_timeout` and `statement_timeout` first, statements
 * grouped into transactions, CONCURRENTLY statements outside them.
 *
 * Synthesizes a Fargate task definition running `psql` (unless you pass your own), a log group, a
 * security group (unless you pass some), and a custom resource (`Custom::ExpandContractTask`) whose
 * provider starts the task with ecs:RunTask and polls ecs:DescribeTasks until it stops. It starts the
 * task on creation and whenever the phase's statements change; never on deletion or during a rollback.
 *
 * Order it against your service: `task.runsBefore(service)` for expand (the service update waits for
 * the migration), `task.runsAfter(service)` for migrate and contract (they wait for the service's
 * deployment to finish). Both add CloudFormation dependencies; `service.node.addDependency(task)` does
 * the same as `runsBefore`.
 */
export class EcsExpandContractTask extends Construct implements ec2.IConnectable {
  /** The phase this task runs. */
  public readonly phase: Phase;
  /** The custom resource that runs the task; depend on it to order resources after the migration. */
  public readonly resource: CustomResource;
  /** The task definition that runs the phase. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** Name of the container that runs the phase. */
  public readonly containerName: string;
  /** The psql command the container runs. */
  public readonly command: string[];
  /** The task's network connections: allow them into the database. */
  public readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, props: EcsExpandContractTaskProps) {
    super(scope, id);
    const where = this.node.path;
    const phase = props.current ?? Phase.EXPAND;
    const timeouts = checkMigration(this, {
      phases: props.phases,
      current: phase,
      oldShapeUnusedSince: props.oldShapeUnusedSince,
      lockTimeoutMs: (props.lockTimeout ?? Duration.seconds(5)).toMilliseconds(),
      statementTimeoutMs: (props.statementTimeout ?? Duration.minutes(15)).toMilliseconds(),
      sqlOnly: 'the ECS task runs them with psql',
    });
    const statementMs = timeouts.statementTimeoutMs;
    if ((props.image === undefined) === (props.taskDefinition === undefined)) {
      fail(where, 'image', 'must be given, or taskDefinition instead (exactly one of them)', props.image === undefined ? undefined : 'both');
    }
    if (props.databaseName !== undefined) checkNonEmpty(where, 'databaseName', props.databaseName);

    const timeoutMs = props.timeout === undefined
      ? Math.min(7_200_000, Math.max(3_600_000, statementMs + 600_000))
      : props.timeout.toMilliseconds();
    checkMilliseconds(where, 'timeout', timeoutMs, 60_000, 7_200_000);
    if (timeoutMs <= statementMs) {
      fail(where, 'timeout', `must be longer than statementTimeout (${statementMs / 1000} seconds), or the deployment gives up before PostgreSQL cancels the statement`, `${timeoutMs / 1000} seconds`);
    }

    this.phase = phase;
    const commands = phaseCommands(props.phases._statements[phase], timeouts);
    this.command = ['psql', '--no-psqlrc', '--set=ON_ERROR_STOP=1', '--echo-queries', ...commands.map((c) => `--command=${c}`)];
    const contentHash = createHash('sha256').update(JSON.stringify({ phase, command: this.command })).digest('hex');

    const secret = (key: string) => ecs.Secret.fromSecretsManager(props.databaseSecret, key);
    const secrets: { [name: string]: ecs.Secret } = {
      PGHOST: secret('host'),
      PGPORT: secret('port'),
      PGUSER: secret('username'),
      PGPASSWORD: secret('password'),
      ...(props.databaseName === undefined ? { PGDATABASE: secret('dbname') } : {}),
    };
    const environment: { [name: string]: string } = {
      PGSSLMODE: props.sslMode ?? PostgresSslMode.REQUIRE,
      PGAPPNAME: `${id}-${phase}`.slice(0, 63),
      PGOPTIONS: sessionOptions(timeouts),
      ...(props.databaseName === undefined ? {} : { PGDATABASE: props.databaseName }),
    };

    let logsHint: string;
    let override: string[] | undefined;
    if (props.image !== undefined) {
      this.containerName = 'migrate';
      const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
      this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', { cpu: 256, memoryLimitMiB: 512 });
      this.taskDefinition.addContainer(this.containerName, {
        image: props.image,
        command: this.command,
        environment,
        secrets,
        essential: true,
        readonlyRootFilesystem: true,
        user: '65532:65532',
        logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'migration' }),
      });
      logsHint = `log group ${logGroup.logGroupName}`;
    } else {
      this.taskDefinition = props.taskDefinition!;
      const container = props.containerName === undefined
        ? this.taskDefinition.defaultContainer
        : this.taskDefinition.findContainer(props.containerName);
      if (container === undefined) {
        fail(where, 'containerName', 'must name a container of taskDefinition', props.containerName);
      }
      this.containerName = container.containerName;
      for (const [name, value] of Object.entries(environment)) container.addEnvironment(name, value);
      for (const [name, value] of Object.entries(secrets)) container.addSecret(name, value);
      override = this.command;
      const bytes = Buffer.byteLength(JSON.stringify({ containerOverrides: [{ name: this.containerName, command: override }] }), 'utf8');
      if (bytes > MAX_OVERRIDE_BYTES) {
        fail(where, 'taskDefinition', `must not be used for a phase whose command exceeds RunTask's ${MAX_OVERRIDE_BYTES}-byte override limit; pass image instead, so the command is part of the task definition`, `${bytes} bytes`);
      }
      logsHint = `the logs of container ${this.containerName}`;
    }

    const securityGroups = props.securityGroups ?? [new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.cluster.vpc,
      description: `Migration task ${this.node.path}`,
      allowAllOutbound: true,
    })];
    this.connections = new ec2.Connections({ securityGroups });
    const subnets = props.cluster.vpc.selectSubnets(props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });

    const code = lambda.Code.fromInline(RUN_TASK_HANDLER);
    const onEvent = new lambda.Function(this, 'OnEvent', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.onEvent',
      code,
      timeout: Duration.minutes(1),
      description: `Starts the ${phase} migration task of ${this.node.path}`,
    });
    const isComplete = new lambda.Function(this, 'IsComplete', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.isComplete',
      code,
      timeout: Duration.minutes(1),
      description: `Waits for the ${phase} migration task of ${this.node.path}`,
    });
    this.taskDefinition.grantRun(onEvent);
    onEvent.addToRolePolicy(new iam.PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: [Stack.of(this).stackId] }));
    isComplete.addToRolePolicy(new iam.PolicyStatement({
      actions: ['ecs:DescribeTasks'],
      resources: ['*'],
      conditions: { ArnEquals: { 'ecs:cluster': props.cluster.clusterArn } },
    }));
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: Duration.seconds(15),
      totalTimeout: Duration.millis(timeoutMs),
    });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::ExpandContractTask',
      properties: {
        Cluster: props.cluster.clusterArn,
        TaskDefinition: this.taskDefinition.taskDefinitionArn,
        Container: this.containerName,
        Subnets: subnets.subnetIds,
        SecurityGroups: securityGroups.map((sg) => sg.securityGroupId),
        Command: override,
        ContentHash: contentHash,
        Phase: phase,
        Logs: logsHint,
        ...(phase === Phase.CONTRACT ? { OldShapeUnusedSince: props.oldShapeUnusedSince } : {}),
      },
    });
  }

  /**
   * Makes `targets` (typically the ECS service) wait for this migration. For the expand phase, which
   * must finish before any task runs the new version.
   */
  public runsBefore(...targets: IConstruct[]): void {
    if (this.phase !== Phase.EXPAND) {
      fail(this.node.path, 'current', `runsBefore() is for expand, which must finish before the new version starts; ${this.phase} runs after the rollout (use runsAfter())`, this.phase);
    }
    for (const target of targets) target.node.addDependency(this);
  }

  /**
   * Makes this migration wait for `targets` (typically the ECS service, whose deployment must finish).
   * For the migrate and contract phases.
   */
  public runsAfter(...targets: IConstruct[]): void {
    if (this.phase === Phase.EXPAND) {
      fail(this.node.path, 'current', 'runsAfter() is for migrate and contract; expand must finish before the new version starts (use runsBefore())', this.phase);
    }
    for (const target of targets) this.node.addDependency(target);
  }
}
