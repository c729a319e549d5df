import { createHash } from 'crypto';
import { ApiObject, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DatabaseConnection } from './database-connection';
import { JobOrdering } from './job-ordering';
import { MigrationRunner } from './migration-runner';
import { MIGRATIONS_PATH, RunnerContainer, RunnerSpec } from './runner-spec';
import { checkMigration, checkMilliseconds, knownTimeout } from '../migrations/migration-checks';
import { MigrationPhases } from '../migrations/migration-phases';
import { Phase } from '../migrations/phase';
import { sessionOptions } from '../migrations/script';
import { checkDnsLabel, checkRange, fail, show } from '../private/validate';
import { warn } from '../private/warnings';
import { NAME_LABEL } from './private/workload';

/** Properties for `ExpandContractJob`. */
export interface ExpandContractJobProps {
  /** The database the migration runs against. */
  readonly database: DatabaseConnection;
  /** The tool that runs each phase. */
  readonly runner: MigrationRunner;
  /** What each phase does. Every phase is checked, whichever one this release runs. */
  readonly phases: MigrationPhases;
  /** The phase this release runs. */
  readonly current: Phase;
  /** When the Job runs relative to the application rollout. */
  readonly ordering: JobOrdering;
  /**
   * The first application version that neither reads nor writes what the contract phase removes
   * (for example `checkout:3.0.0`). Contract may run only when every running version, and the version
   * a rollback would return to, is this one or later. Required when `current` is `Phase.CONTRACT`;
   * recorded on the Job as the `release-strategies.dev/old-shape-unused-since` annotation.
   * @default - contract is refused
   */
  readonly oldShapeUnusedSince?: string;
  /**
   * Base name of the Job and its ConfigMap, which are named `<name>-<phase>-<hash of their content>`.
   * @default - the construct id, which must then be a DNS-1123 label of at most 40 characters
   */
  readonly name?: string;
  /**
   * `lock_timeout` of every statement: how long it may wait for a lock, while the statements queued
   * behind it (the application's) wait too. At most 10 seconds: PostgreSQL practice for migrations on a
   * live database is a lock wait of a few seconds that fails and is retried, rather than a long queue
   * that stalls every request to the table. Statements that wait for older transactions (CREATE INDEX
   * CONCURRENTLY) run without it; they block no reads or writes while waiting.
   * @default Duration.seconds(5)
   */
  readonly lockTimeout?: Duration;
  /**
   * `statement_timeout` of DDL and every other statement (the waits for the migration's advisory lock
   * included). DDL holds its lock until it ends, so a DDL statement that runs for long is one that
   * rewrites or scans a table, which the rules refuse.
   * @default Duration.minutes(1)
   */
  readonly statementTimeout?: Duration;
  /**
   * `statement_timeout` of index builds (CREATE / DROP / REINDEX ... CONCURRENTLY), constraint
   * validation (VALIDATE CONSTRAINT) and the query that cuts a backfill into batches: long scans that
   * block no reads or writes of the running version.
   * @default Duration.hours(1)
   */
  readonly indexBuildTimeout?: Duration;
  /**
   * `statement_timeout` of each backfill batch: the longest the running version's writes to the rows of
   * a batch can wait for it. At most 10 seconds, like `lockTimeout`.
   * @default Duration.seconds(5)
   */
  readonly batchTimeout?: Duration;
  /**
   * Major version of the PostgreSQL server the migration runs against. Rules that depend on it follow
   * it (a non-volatile DEFAULT rewrites the table before 11; SET NOT NULL scans it even with a validated
   * CHECK before 12), and syntax the version does not have is refused with the version it needs.
   * From 10 to 18.
   * @default 15 (the oldest version the PostgreSQL project still supports)
   */
  readonly postgresVersion?: number;
  /**
   * How often the Job retries a failed run.
   * @default - 2 when a failed run can simply run again (the phase runs in one transaction, or the tool
   * records what it applied and no CONCURRENTLY statement can leave an INVALID index behind), otherwise 0
   */
  readonly backoffLimit?: number;
  /**
   * How long the Job may run in all, retries included (`activeDeadlineSeconds`). Give a backfill of a
   * large table the time its batches need.
   * @default - one hour, or the longest of statementTimeout and indexBuildTimeout plus ten minutes when that is longer
   */
  readonly activeDeadline?: Duration;
  /**
   * How long a finished Job is kept (`ttlSecondsAfterFinished`). With Argo CD or Helm hooks it must
   * be at least 10 minutes: a hook Job deleted before the tool has seen it finish leaves the sync
   * waiting for it (argoproj/argo-cd#18884).
   * @default Duration.days(1)
   */
  readonly ttlAfterFinished?: Duration;
  /**
   * Service account the Job runs as; its token is mounted only when this is set.
   * @default - the namespace's default account, with no token mounted
   */
  readonly serviceAccountName?: string;
  /**
   * Resource requests and limits of the migration container.
   * @default - 50m/500m CPU and 64Mi/256Mi memory; 250m/1 CPU and 512Mi/1Gi for Flyway and Liquibase
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * User id the containers run as (never root).
   * @default 65532
   */
  readonly runAsUser?: number;
  /**
   * Labels added to the Job, its pod and its ConfigMap.
   * @default - only the standard labels
   */
  readonly labels?: { [key: string]: string };
}

const PHASE_LABEL = 'release-strategies.dev/migration-phase';
const UNUSED_SINCE_ANNOTATION = 'release-strategies.dev/old-shape-unused-since';
const CONTENT_ANNOTATION = 'release-strategies.dev/content-sha256';
const HOOK_TTL_MINIMUM_SECONDS = 600;

/**
 * Runs one phase of an expand/contract schema change as a Kubernetes Job, and refuses a phase that
 * would break the other running version.
 *
 * Every statement of every phase is parsed with PostgreSQL's grammar and checked against
 * `MigrationRule` (expand only adds; drops and renames wait for contract; nothing takes a lock that
 * blocks the application for long). Contract needs `oldShapeUnusedSince`.
 *
 * Synthesizes one ConfigMap (the phase's files: immutable) and one Job, both named
 * `<name>-<phase>-<hash>` from a hash of their content, since a Job cannot be changed once created.
 * The Job runs `lock_timeout` and `statement_timeout`, one pod at a time, with a backoff limit, an
 * active deadline and a TTL that outlives Argo CD's and Helm's hook handling; its pod runs as non-root
 * with a read-only root filesystem, no privilege escalation, no capabilities, the RuntimeDefault
 * seccomp profile, resource requests and limits, and no service account token.
 *
 * The Job is a deployment hook (or a plain Job you order yourself), never an Argo Rollouts analysis
 * step: an AnalysisRun may run once per canary step, be retried, or be aborted halfway.
 */
export class ExpandContractJob extends Construct {
  /** The phase this Job runs. */
  public readonly phase: Phase;
  /** Name of the Job. */
  public readonly jobName: string;
  /** Name of the ConfigMap with the phase's files. */
  public readonly configMapName: string;
  /** How often the Job retries a failed run. */
  public readonly backoffLimit: number;
  /** The Job. */
  public readonly job: k8s.KubeJob;
  /** The ConfigMap the Job mounts at `/migrations`. */
  public readonly configMap: k8s.KubeConfigMap;
  /** Base name of the migration, which keys its advisory lock. */
  private readonly baseName: string;
  /** The phases this Job runs one of (to find the other phases of the same change in the release). */
  private readonly phases: MigrationPhases;

  constructor(scope: Construct, id: string, props: ExpandContractJobProps) {
    super(scope, id);
    const where = this.node.path;
    if (!(props.runner instanceof MigrationRunner)) fail(where, 'runner', 'must be built with a MigrationRunner factory', props.runner);
    if (!(props.database instanceof DatabaseConnection)) fail(where, 'database', 'must be built with DatabaseConnection.fromSecret()', props.database);
    if (!(props.ordering instanceof JobOrdering)) fail(where, 'ordering', 'must be JobOrdering.argoCd(), .helm() or .none()', props.ordering);
    const phase = props.current;
    const lockMs = (props.lockTimeout ?? Duration.seconds(5)).toMilliseconds();
    const statementMs = (props.statementTimeout ?? Duration.minutes(1)).toMilliseconds();
    const indexBuildMs = (props.indexBuildTimeout ?? Duration.hours(1)).toMilliseconds();
    const checked = checkMigration(this, {
      phases: props.phases,
      current: phase,
      oldShapeUnusedSince: props.oldShapeUnusedSince,
      lockTimeout: knownTimeout(lockMs),
      statementTimeout: knownTimeout(statementMs),
      indexBuildTimeout: knownTimeout(indexBuildMs),
      batchTimeout: knownTimeout((props.batchTimeout ?? Duration.seconds(5)).toMilliseconds()),
      postgresVersion: props.postgresVersion,
    });
    const timeouts = checked.timeouts;
    const longestMs = Math.max(statementMs, indexBuildMs);
    const name = props.name ?? id;
    checkDnsLabel(where, 'name', name, 40);
    const deadlineSeconds = props.activeDeadline === undefined
      ? Math.max(3600, Math.ceil(longestMs / 1000) + 600)
      : durationMs(where, 'activeDeadline', props.activeDeadline, 1000, 7 * 86_400_000) / 1000;
    if (deadlineSeconds * 1000 <= longestMs) {
      const field = longestMs === statementMs ? 'statementTimeout' : 'indexBuildTimeout';
      fail(where, 'activeDeadline', `must be longer than ${field} (${longestMs / 1000} seconds), or Kubernetes kills the Job before PostgreSQL cancels the statement`, `${deadlineSeconds} seconds`);
    }
    const ttlSeconds = durationMs(where, 'ttlAfterFinished', props.ttlAfterFinished ?? Duration.days(1), 0, 30 * 86_400_000) / 1000;
    if (props.ordering.isHook() && ttlSeconds < HOOK_TTL_MINIMUM_SECONDS) {
      fail(where, 'ttlAfterFinished', `must be at least 10 minutes with ${props.ordering.kind} hooks: a hook Job deleted before the tool sees it finish leaves the sync waiting for it`, `${ttlSeconds} seconds`);
    }
    const uid = props.runAsUser ?? 65532;
    checkRange(where, 'runAsUser', uid, 1, 2_147_483_647);

    const env: k8s.EnvVar[] = [
      ...props.database._env(),
      { name: 'PGAPPNAME', value: `${name}-${phase}` },
      { name: 'PGOPTIONS', value: sessionOptions(timeouts) },
      { name: 'HOME', value: '/tmp' },
    ];
    const spec = props.runner._render({
      where,
      name,
      phase,
      phases: props.phases,
      timeouts,
      env,
      lockTimeoutMs: lockMs,
      postgresVersion: checked.postgresVersion,
      rerunnable: checked.rerunnable,
    });
    const backoffLimit = props.backoffLimit ?? (spec.retriesAreSafe ? 2 : 0);
    checkRange(where, 'backoffLimit', backoffLimit, 0, 10);
    if (backoffLimit > 0 && !spec.retriesAreSafe) {
      warn(this, `backoffLimit ${backoffLimit} retries the ${phase} phase, which ${props.runner.tool} cannot simply run again after a failure: `
        + (props.runner.tool === 'psql' ? 'a statement allowed with not-idempotent fails the second time' : `${props.runner.tool} records a failed step and does not run it again by itself`));
    }
    this.phase = phase;
    this.baseName = name;
    this.phases = props.phases;
    this.backoffLimit = backoffLimit;

    const labels = { ...(props.labels ?? {}), [NAME_LABEL]: name, 'app.kubernetes.io/component': 'schema-migration', [PHASE_LABEL]: phase };
    const annotations: { [key: string]: string } = phase === Phase.CONTRACT ? { [UNUSED_SINCE_ANNOTATION]: props.oldShapeUnusedSince! } : {};
    const jobSpec = (configMapName: string): k8s.JobSpec => ({
      backoffLimit,
      activeDeadlineSeconds: deadlineSeconds,
      ttlSecondsAfterFinished: ttlSeconds,
      completions: 1,
      parallelism: 1,
      // A replacement pod starts only once the failed one is gone, so two runs never overlap (the
      // migration's advisory lock would make the second wait anyway).
      podReplacementPolicy: 'Failed',
      template: {
        metadata: { labels },
        spec: podSpec(spec, env, configMapName, uid, props),
      },
    });
    // Jobs are immutable: name both objects after everything that goes into them.
    const hash = createHash('sha256')
      .update(JSON.stringify({ files: spec.files, job: jobSpec(''), labels, annotations, ordering: props.ordering._annotations(phase, false) }))
      .digest('hex');
    const objectName = `${name}-${phase}-${hash.slice(0, 10)}`;
    this.jobName = objectName;
    this.configMapName = objectName;

    this.configMap = new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: objectName, labels, annotations: { ...props.ordering._annotations(phase, true), [CONTENT_ANNOTATION]: hash } },
      immutable: true,
      data: spec.files,
    });
    this.job = new k8s.KubeJob(this, 'Resource', {
      metadata: {
        name: objectName,
        labels,
        annotations: { ...props.ordering._annotations(phase, false), ...annotations, [CONTENT_ANNOTATION]: hash },
      },
      spec: jobSpec(objectName),
    });
    this.node.addValidation({ validate: () => this.releaseProblems(props, name) });
  }

  /** What the rest of the chart (the release this Job ships in) makes unsafe. */
  private releaseProblems(props: ExpandContractJobProps, name: string): string[] {
    const chart = Chart.of(this);
    const problems: string[] = [];
    const objects = chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
    if (this.phase === Phase.EXPAND && props.ordering.isHook()) {
      const secret = props.database.secretName;
      const creator = objects.find((o) => !isHook(o) && createsSecret(o, secret));
      if (creator !== undefined) {
        problems.push(`invalid 'database': the ${props.ordering.kind} hook that runs expand runs before the chart's other objects are created, `
          + `and ${creator.kind} ${creator.name} of this chart creates Secret ${secret}: create the Secret (or the database) in an earlier release, or order the Job with JobOrdering.none(), got ${show(secret)}`);
      }
    }
    if (this.phase === Phase.CONTRACT) {
      const expand = chart.node.findAll().find((c) => c instanceof ExpandContractJob && c !== this && c.phase === Phase.EXPAND
        && (c.baseName === name || c.phases === props.phases));
      if (expand !== undefined) {
        problems.push(`invalid 'current': contract of ${name} must not ship in the same release as its expand (${expand.node.path}): the rollback target of this release reads the shape contract removes, got 'contract'`);
      }
      const image = objects.flatMap(imagesOf).find((i) => sameImage(i, props.oldShapeUnusedSince!));
      if (image !== undefined) {
        problems.push(`invalid 'oldShapeUnusedSince': contract must ship in a release after the one that rolls out ${props.oldShapeUnusedSince}: this chart also deploys ${image}, `
          + `so a failed or rolled-back rollout of it returns to a version that reads what contract removes; ship the contract with a later release (or from a chart of its own, synced after this one), got ${show(props.oldShapeUnusedSince)}`);
      }
    }
    return problems;
  }
}

function isHook(o: ApiObject): boolean {
  const annotations = o.metadata.toJson().annotations ?? {};
  return 'argocd.argoproj.io/hook' in annotations || 'helm.sh/hook' in annotations;
}

/** Whether the object is, or makes its operator create, the Secret named `secret`. */
function createsSecret(o: ApiObject, secret: string): boolean {
  if (o.kind === 'Secret') return o.name === secret;
  // CloudNativePG writes `<cluster>-app` and `<cluster>-superuser`; Crunchy PGO `<cluster>-pguser-<user>`.
  if (o.kind === 'Cluster' && o.apiVersion.startsWith('postgresql.cnpg.io/')) return secret === `${o.name}-app` || secret === `${o.name}-superuser`;
  if (o.kind === 'PostgresCluster' && o.apiVersion.startsWith('postgres-operator.crunchydata.com/')) return secret.startsWith(`${o.name}-pguser-`);
  return false;
}

/** Every container image of the object's pod templates. */
function imagesOf(o: ApiObject): string[] {
  const images: string[] = [];
  const visit = (value: any) => {
    if (Array.isArray(value)) {
      value.forEach(visit);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries<any>(value)) {
        if ((key === 'containers' || key === 'initContainers') && Array.isArray(child)) {
          for (const c of child) if (typeof c?.image === 'string') images.push(c.image);
        }
        visit(child);
      }
    }
  };
  if (o.kind !== 'Job' || !(o.node.scope instanceof ExpandContractJob)) visit(o.toJson());
  return images;
}

/** `registry.example.com/orders:2.0.0` is `orders:2.0.0`. */
function sameImage(image: string, version: string): boolean {
  return image === version || image.endsWith(`/${version}`);
}

function durationMs(where: string, field: string, value: Duration, minMs: number, maxMs: number): number {
  const ms = value.toMilliseconds();
  checkMilliseconds(where, field, ms, minMs, maxMs);
  return ms;
}

function podSpec(spec: RunnerSpec, env: k8s.EnvVar[], configMapName: string, uid: number, props: ExpandContractJobProps): k8s.PodSpec {
  const resources = resourcesOf(spec, props.resources);
  const container = (c: RunnerContainer): k8s.Container => ({
    name: c.name,
    image: c.image,
    // As cdk8s-plus does for every container: a moved tag is pulled again.
    imagePullPolicy: 'Always',
    command: c.command,
    args: c.args,
    env: [...env, ...(c.env ?? [])],
    volumeMounts: [
      { name: 'migrations', mountPath: MIGRATIONS_PATH, readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ],
    resources,
    securityContext: {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      privileged: false,
      capabilities: { drop: ['ALL'] },
    },
  });
  return {
    restartPolicy: 'Never',
    serviceAccountName: props.serviceAccountName,
    automountServiceAccountToken: props.serviceAccountName !== undefined,
    securityContext: { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, seccompProfile: { type: 'RuntimeDefault' } },
    initContainers: spec.initContainers.length > 0 ? spec.initContainers.map(container) : undefined,
    containers: [container(spec.container)],
    volumes: [
      { name: 'migrations', configMap: { name: configMapName } },
      { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
    ],
  };
}

function resourcesOf(spec: RunnerSpec, given?: kplus.ContainerResources): k8s.ResourceRequirements {
  const d = spec.defaultResources;
  const q = (value: string) => k8s.Quantity.fromString(value);
  const mem = (size: { toMebibytes(): number } | undefined, fallback: string) => q(size ? `${size.toMebibytes()}Mi` : fallback);
  return {
    requests: { cpu: q(given?.cpu?.request?.amount ?? d.cpuRequest), memory: mem(given?.memory?.request, d.memoryRequest) },
    limits: { cpu: q(given?.cpu?.limit?.amount ?? d.cpuLimit), memory: mem(given?.memory?.limit, d.memoryLimit) },
  };
}
