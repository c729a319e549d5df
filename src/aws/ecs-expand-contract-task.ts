import { createHash } from 'crypto';
import { CustomResource, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { RUN_TASK_HANDLER } from './ecs-run-task-handler';
import { checkMigration, checkMilliseconds, knownTimeout, TimeoutInput } from '../migrations/migration-checks';
import { MigrationPhases } from '../migrations/migration-phases';
import { Phase } from '../migrations/phase';
import { PostgresSslMode } from '../migrations/postgres-ssl-mode';
import { psqlScript, sessionOptions } from '../migrations/script';
import { checkNonEmpty, fail, show } from '../private/validate';

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
   * `lock_timeout` of every statement, at most 10 seconds (see `ExpandContractJobProps.lockTimeout`
   * for why). CREATE INDEX CONCURRENTLY and other statements that wait for older transactions run
   * without it, bounded by indexBuildTimeout. A value known only at deploy time (a token) is passed to
   * PostgreSQL as given, unchecked.
   * @default Duration.seconds(5)
   */
  readonly lockTimeout?: Duration;
  /**
   * `statement_timeout` of DDL and every other statement. A token is passed on unchecked.
   * @default Duration.minutes(1)
   */
  readonly statementTimeout?: Duration;
  /**
   * `statement_timeout` of index builds, constraint validation and the query that cuts a backfill into
   * batches. A token is passed on unchecked.
   * @default Duration.hours(1)
   */
  readonly indexBuildTimeout?: Duration;
  /**
   * `statement_timeout` of each backfill batch, at most 10 seconds. A token is passed on unchecked.
   * @default Duration.seconds(5)
   */
  readonly batchTimeout?: Duration;
  /**
   * Major version of the PostgreSQL server (see `ExpandContractJobProps.postgresVersion`). From 10 to 18.
   * @default 15 (the oldest version the PostgreSQL project still supports)
   */
  readonly postgresVersion?: number;
  /**
   * How long the deployment waits for the task to finish, and for contract also for the service to
   * settle first (at most two hours, the limit of CloudFormation custom resource providers). The task is
   * not stopped when the deployment gives up. Must be known at synth: the provider's polling schedule
   * is built from it.
   * @default - one hour, or the longest of statementTimeout and indexBuildTimeout plus ten minutes when that is longer
   */
  readonly timeout?: Duration;
}

const MAX_OVERRIDE_BYTES = 8192;

/** How the task runs the psql script: from its environment, through a pipe, so psql reads it as a file. */
const RUN_SCRIPT = ['sh', '-c', 'printf \'%s\' "$MIGRATION_SQL" | psql --no-psqlrc --set=ON_ERROR_STOP=1 --echo-queries --file=-'];

/** PostgreSQL's unit for each aws-cdk-lib Duration unit. */
const PG_UNITS: { [label: string]: string } = { millis: 'ms', seconds: 's', minutes: 'min', hours: 'h', days: 'd' };

/**
 * Runs one phase of an expand/contract schema change as a one-off ECS task during the CloudFormation
 * deployment, and fails the deployment when the task exits non-zero.
 *
 * The phases go through the same checks as `ExpandContractJob` (PostgreSQL's grammar, `MigrationRule`),
 * and the task runs the same psql script (`sh -c` pipes it from the `MIGRATION_SQL` environment variable
 * into psql, so the image needs `sh` and `psql`): the timeouts, the migration's advisory lock, DDL in
 * transactions, CONCURRENTLY statements outside them, batched backfills.
 *
 * Before contract runs, the custom resource checks through the ECS API that every service passed to
 * `runsAfter()` is settled on the newest revision of its task definition: no deployment or CodeDeploy
 * task set in flight, no task of an older revision running; it polls until then (at most `timeout`). It
 * fails the deployment when the service's current deployment started during this very stack operation:
 * contract must ship in a later release than the task definition that stopped using the old shape, or a
 * rollback would return to a version that reads what contract removed.
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
  /** The command the container runs: `sh -c` piping `MIGRATION_SQL` into psql. */
  public readonly command: string[];
  /** The psql script of the phase, in the container's `MIGRATION_SQL` environment variable. */
  public readonly script: string;
  /** The task's network connections: allow them into the database. */
  public readonly connections: ec2.Connections;

  /** The phases this task runs one of (to find the other phases of the same change in the release). */
  private readonly phases: MigrationPhases;
  /** Services contract waits for (registered by runsAfter()). */
  private readonly services: ecs.IBaseService[] = [];
  /** The handler that checks the services, which runsAfter() grants ecs:DescribeServices. */
  private readonly checker: lambda.Function;

  constructor(scope: Construct, id: string, props: EcsExpandContractTaskProps) {
    super(scope, id);
    const where = this.node.path;
    const phase = props.current ?? Phase.EXPAND;
    if (Token.isUnresolved(props.postgresVersion)) {
      fail(where, 'postgresVersion', 'must be known at synth, not a token: the rules that check the phases depend on it', '<token>');
    }
    const statement = timeoutOf(props.statementTimeout, Duration.minutes(1));
    const indexBuild = timeoutOf(props.indexBuildTimeout, Duration.hours(1));
    const checked = checkMigration(this, {
      phases: props.phases,
      current: phase,
      oldShapeUnusedSince: props.oldShapeUnusedSince,
      lockTimeout: timeoutOf(props.lockTimeout, Duration.seconds(5)),
      statementTimeout: statement,
      indexBuildTimeout: indexBuild,
      batchTimeout: timeoutOf(props.batchTimeout, Duration.seconds(5)),
      postgresVersion: props.postgresVersion,
      sqlOnly: 'the ECS task runs them with psql',
    });
    const timeouts = checked.timeouts;
    if ((props.image === undefined) === (props.taskDefinition === undefined)) {
      fail(where, 'image', 'must be given, or taskDefinition instead (exactly one of them)', props.image === undefined ? undefined : 'both');
    }
    if (props.databaseName !== undefined) checkNonEmpty(where, 'databaseName', props.databaseName);

    // Unknown (token) statement timeouts count as the default for the provider's schedule.
    const longestMs = Math.max(statement.ms ?? 60_000, indexBuild.ms ?? 3_600_000);
    if (props.timeout?.isUnresolved()) {
      fail(where, 'timeout', 'must be known at synth, not a token: the provider builds its polling schedule from it', props.timeout.toHumanString());
    }
    const timeoutMs = props.timeout === undefined
      ? Math.min(7_200_000, Math.max(3_600_000, longestMs + 600_000))
      : props.timeout.toMilliseconds();
    checkMilliseconds(where, 'timeout', timeoutMs, 60_000, 7_200_000);
    if (timeoutMs % 1000 !== 0) fail(where, 'timeout', 'must be a whole number of seconds (the provider counts its polls in seconds)', `${timeoutMs} milliseconds`);
    if (timeoutMs <= longestMs) {
      const field = longestMs === statement.ms ? 'statementTimeout' : 'indexBuildTimeout';
      fail(where, 'timeout', `must be longer than ${field} (${longestMs / 1000} seconds), or the deployment gives up before PostgreSQL cancels the statement`, `${timeoutMs / 1000} seconds`);
    }

    this.phase = phase;
    this.phases = props.phases;
    this.script = psqlScript({
      name: id,
      phase,
      statements: props.phases._statements[phase],
      backfills: props.phases._backfills,
      timeouts,
      postgresVersion: checked.postgresVersion,
    });
    this.command = RUN_SCRIPT;
    const contentHash = createHash('sha256').update(JSON.stringify({ phase, command: this.command, script: this.script })).digest('hex');

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
    const scriptEnvironment = { MIGRATION_SQL: this.script };

    let logsHint: string;
    let override: { [key: string]: any } | undefined;
    if (props.image !== undefined) {
      this.containerName = 'migrate';
      const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
      this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', { cpu: 256, memoryLimitMiB: 512 });
      this.taskDefinition.addContainer(this.containerName, {
        image: props.image,
        command: this.command,
        environment: { ...environment, ...scriptEnvironment },
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
      override = { command: this.command, environment: [{ name: 'MIGRATION_SQL', value: this.script }] };
      const bytes = Buffer.byteLength(JSON.stringify({ containerOverrides: [{ name: this.containerName, ...override }] }), 'utf8');
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
    this.taskDefinition.grantRun(isComplete);
    for (const fn of [onEvent, isComplete]) {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['cloudformation:DescribeStacks'], resources: [Stack.of(this).stackId] }));
    }
    isComplete.addToRolePolicy(new iam.PolicyStatement({
      actions: ['ecs:DescribeTasks', 'ecs:ListTasks'],
      resources: ['*'],
      conditions: { ArnEquals: { 'ecs:cluster': props.cluster.clusterArn } },
    }));
    if (phase === Phase.CONTRACT) {
      // What contract checks first: the services' deployments, task sets, tasks and task definitions
      // (ecs:DescribeServices is granted per service by runsAfter()).
      isComplete.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:ListTaskDefinitions', 'ecs:DescribeTaskDefinition'], resources: ['*'] }));
    }
    this.checker = isComplete;
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: Duration.seconds(15),
      totalTimeout: Duration.millis(timeoutMs),
    });
    const common = { Cluster: props.cluster.clusterArn, ContentHash: contentHash, Phase: phase };
    let wait: CustomResource | undefined;
    if (phase === Phase.CONTRACT) {
      wait = new CustomResource(this, 'WaitForServices', {
        serviceToken: provider.serviceToken,
        resourceType: 'Custom::ExpandContractServicesSettled',
        properties: { ...common, Action: 'wait-for-services', Services: Lazy.list({ produce: () => this.services.map((svc) => svc.serviceArn) }) },
      });
    }
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::ExpandContractTask',
      properties: {
        ...common,
        TaskDefinition: this.taskDefinition.taskDefinitionArn,
        Container: this.containerName,
        Subnets: subnets.subnetIds,
        SecurityGroups: securityGroups.map((sg) => sg.securityGroupId),
        Overrides: override,
        Logs: logsHint,
        ...(phase === Phase.CONTRACT ? { OldShapeUnusedSince: props.oldShapeUnusedSince } : {}),
      },
    });
    if (wait !== undefined) this.resource.node.addDependency(wait);
    this.node.addValidation({
      validate: () => {
        if (phase !== Phase.CONTRACT) return [];
        const problems: string[] = [];
        if (this.services.length === 0) {
          problems.push(`invalid 'current': contract must first check that the service no longer runs the old version: pass the ECS service to runsAfter(), got ${show(phase)}`);
        }
        const expand = Stack.of(this).node.findAll()
          .find((c) => c instanceof EcsExpandContractTask && c.phase === Phase.EXPAND && c.phases === props.phases);
        if (expand !== undefined) {
          problems.push(`invalid 'current': contract must not ship in the same release as the expand of the same phases (${expand.node.path}): the rollback target of this release reads the shape contract removes, got ${show(phase)}`);
        }
        return problems;
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
   * For the migrate and contract phases. For contract, each ECS service among `targets` is also checked
   * at deploy time, through the ECS API, before the task runs: settled on the newest revision of its
   * task definition, nothing of an older revision running, no deployment or task set in flight.
   */
  public runsAfter(...targets: IConstruct[]): void {
    if (this.phase === Phase.EXPAND) {
      fail(this.node.path, 'current', 'runsAfter() is for migrate and contract; expand must finish before the new version starts (use runsBefore())', this.phase);
    }
    for (const target of targets) {
      this.node.addDependency(target);
      if (this.phase === Phase.CONTRACT && target instanceof ecs.BaseService && !this.services.includes(target)) {
        this.services.push(target);
        this.checker.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeServices'], resources: [target.serviceArn] }));
      }
    }
  }
}

/** A Duration as PostgreSQL reads it: known milliseconds, or the token with its unit (checked by nobody). */
function timeoutOf(value: Duration | undefined, fallback: Duration): TimeoutInput {
  const d = value ?? fallback;
  if (!d.isUnresolved()) return knownTimeout(d.toMilliseconds());
  return { text: `${d.formatTokenToNumber().split(' ')[0]}${PG_UNITS[d.unitLabel()]}` };
}
