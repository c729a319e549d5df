import * as path from 'path';
import { ApiObject, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  Backfill, DatabaseConnection, ExpandContractJob, ExpandContractJobProps, JobOrdering, MigrationPhases, MigrationRunner, Phase,
  PostgresSslMode, Removal, SqlParser,
} from '../../src';
import { warningsOf } from '../../src/private/warnings';
import { thrown } from '../migrations/thrown';
import { expectValidManifests } from '../schema-validation';

const FIXTURES = path.join(__dirname, 'fixtures');

beforeAll(async () => {
  await SqlParser.load();
});


function renamePhases(): MigrationPhases {
  return MigrationPhases.sql({
    expand: [
      'ALTER TABLE users ADD COLUMN IF NOT EXISTS display_name text',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_display_name_idx ON users (display_name)',
    ],
    migrate: ['ALTER TABLE users ADD CONSTRAINT users_display_name_not_null CHECK (display_name IS NOT NULL) NOT VALID'],
    contract: ['ALTER TABLE users DROP COLUMN IF EXISTS full_name'],
    removes: [Removal.column('users', 'full_name')],
  });
}

function props(overrides: Partial<ExpandContractJobProps> = {}): ExpandContractJobProps {
  return {
    database: DatabaseConnection.fromSecret({ secretName: 'orders-db-app' }),
    runner: MigrationRunner.psql({ image: 'postgres:17.6-alpine' }),
    phases: renamePhases(),
    current: Phase.EXPAND,
    ordering: JobOrdering.argoCd(),
    ...overrides,
  };
}

function synth(overrides: Partial<ExpandContractJobProps> = {}) {
  const chart = Testing.chart();
  const construct = new ExpandContractJob(chart, 'rename-full-name', props(overrides));
  const objects = Testing.synth(chart);
  expectValidManifests(objects);
  const job = objects.find((o) => o.kind === 'Job');
  const configMap = objects.find((o) => o.kind === 'ConfigMap');
  return { construct, objects, job, configMap, pod: job.spec.template.spec, container: job.spec.template.spec.containers[0] };
}

describe('the Job', () => {
  test('default configuration', () => {
    expect(synth().objects).toMatchSnapshot();
  });

  test('runs one pod once, with retries, a deadline and a TTL', () => {
    const { job } = synth({ current: Phase.MIGRATE });
    expect(job.spec).toMatchObject({
      backoffLimit: 2,
      activeDeadlineSeconds: 4200, // the index build timeout (one hour) plus ten minutes
      ttlSecondsAfterFinished: 86400,
      completions: 1,
      parallelism: 1,
      podReplacementPolicy: 'Failed',
    });
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
  });

  test('retries a phase that commits in several transactions: every statement can run again', () => {
    expect(synth({ current: Phase.EXPAND }).job.spec.backoffLimit).toBe(2);
  });

  test('does not retry a phase with a statement allowed not to be idempotent, and warns when asked to', () => {
    const phases = MigrationPhases.sql({ expand: ['-- release-strategies:allow not-idempotent seeded once by hand\nINSERT INTO plans VALUES (1)'] });
    expect(synth({ phases }).job.spec.backoffLimit).toBe(0);
    const { construct, job } = synth({ phases, backoffLimit: 3 });
    expect(job.spec.backoffLimit).toBe(3);
    expect(warningsOf(construct)).toContain(
      'test/rename-full-name: backoffLimit 3 retries the expand phase, which psql cannot simply run again after a failure: a statement allowed with not-idempotent fails the second time',
    );
  });

  test('does not retry a phase whose versioned tool records a failed step', () => {
    const { construct, job } = synth({ runner: MigrationRunner.flyway({ image: 'flyway/flyway:11.3' }), backoffLimit: 1 });
    expect(job.spec.backoffLimit).toBe(1);
    expect(warningsOf(construct)).toEqual([
      'test/rename-full-name: backoffLimit 1 retries the expand phase, which flyway cannot simply run again after a failure: flyway records a failed step and does not run it again by itself',
    ]);
  });

  test('the deadline outlasts a long statement timeout', () => {
    const { job } = synth({ statementTimeout: Duration.hours(2) });
    expect(job.spec.activeDeadlineSeconds).toBe(7800);
  });

  test('runs as non-root with a read-only root filesystem, no privilege escalation and RuntimeDefault seccomp', () => {
    const { pod, container } = synth();
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(container.securityContext).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      privileged: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
  });

  test('takes resources, a service account and a user id', () => {
    const { pod, container } = synth({
      resources: {
        cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.units(2) },
        memory: { request: Size.mebibytes(128), limit: Size.gibibytes(1) },
      },
      serviceAccountName: 'migrator',
      runAsUser: 10001,
    });
    expect(container.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2', memory: '1024Mi' } });
    expect(pod.serviceAccountName).toBe('migrator');
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.securityContext.runAsUser).toBe(10001);
  });

  test('connects with the libpq environment from the Secret, and the timeouts as session options', () => {
    const { container } = synth({ database: DatabaseConnection.fromSecret({ secretName: 'db', userKey: 'username', sslMode: PostgresSslMode.VERIFY_FULL }) });
    expect(container.env).toEqual([
      { name: 'PGHOST', valueFrom: { secretKeyRef: { name: 'db', key: 'host' } } },
      { name: 'PGPORT', valueFrom: { secretKeyRef: { name: 'db', key: 'port' } } },
      { name: 'PGDATABASE', valueFrom: { secretKeyRef: { name: 'db', key: 'dbname' } } },
      { name: 'PGUSER', valueFrom: { secretKeyRef: { name: 'db', key: 'username' } } },
      { name: 'PGPASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
      { name: 'PGSSLMODE', value: 'verify-full' },
      { name: 'PGAPPNAME', value: 'rename-full-name-expand' },
      { name: 'PGOPTIONS', value: '-c lock_timeout=5s -c statement_timeout=60s' },
      { name: 'HOME', value: '/tmp' },
    ]);
  });

  test('mounts the ConfigMap read-only at /migrations and a scratch /tmp', () => {
    const { pod, container, configMap } = synth();
    expect(container.volumeMounts).toEqual([
      { name: 'migrations', mountPath: '/migrations', readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
    expect(pod.volumes).toEqual([
      { name: 'migrations', configMap: { name: configMap.metadata.name } },
      { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
    ]);
    expect(configMap.immutable).toBe(true);
  });

  test('labels the Job, its pod and its ConfigMap with the migration and the phase', () => {
    const { job, configMap } = synth({ current: Phase.CONTRACT, oldShapeUnusedSince: 'orders:3.0.0', labels: { team: 'orders' } });
    const labels = { 'team': 'orders', 'app.kubernetes.io/name': 'rename-full-name', 'app.kubernetes.io/component': 'schema-migration', 'release-strategies.dev/migration-phase': 'contract' };
    expect(job.metadata.labels).toEqual(labels);
    expect(job.spec.template.metadata.labels).toEqual(labels);
    expect(configMap.metadata.labels).toEqual(labels);
    expect(job.metadata.annotations['release-strategies.dev/old-shape-unused-since']).toBe('orders:3.0.0');
  });
});

describe('names', () => {
  test('the Job and its ConfigMap are named after the migration, the phase and a hash of their content', () => {
    const { job, configMap } = synth();
    expect(job.metadata.name).toMatch(/^rename-full-name-expand-[0-9a-f]{10}$/);
    expect(configMap.metadata.name).toBe(job.metadata.name);
    expect(job.metadata.annotations['release-strategies.dev/content-sha256']).toMatch(new RegExp(`^${job.metadata.name.slice(-10)}[0-9a-f]{54}$`));
  });

  test('the same content gives the same name; any change to it a new one', () => {
    const first = synth().job.metadata.name;
    expect(synth().job.metadata.name).toBe(first);
    const otherSql = MigrationPhases.sql({ expand: ['ALTER TABLE users ADD COLUMN IF NOT EXISTS display_name varchar(200)'] });
    expect(synth({ phases: otherSql }).job.metadata.name).not.toBe(first);
    expect(synth({ runner: MigrationRunner.psql({ image: 'postgres:17.7-alpine' }) }).job.metadata.name).not.toBe(first);
    expect(synth({ lockTimeout: Duration.seconds(3) }).job.metadata.name).not.toBe(first);
  });

  test('takes a name instead of the construct id', () => {
    expect(synth({ name: 'users-v2' }).job.metadata.name).toMatch(/^users-v2-expand-[0-9a-f]{10}$/);
  });
});

describe('ordering', () => {
  test('Argo CD: expand is a PreSync hook and its ConfigMap comes one wave earlier', () => {
    const { job, configMap } = synth({ ordering: JobOrdering.argoCd({ syncWave: 5 }) });
    expect(job.metadata.annotations).toMatchObject({
      'argocd.argoproj.io/hook': 'PreSync',
      'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded,BeforeHookCreation',
      'argocd.argoproj.io/sync-wave': '5',
    });
    expect(configMap.metadata.annotations).toMatchObject({
      'argocd.argoproj.io/hook': 'PreSync',
      'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded,BeforeHookCreation',
      'argocd.argoproj.io/sync-wave': '4',
    });
  });

  test.each([Phase.MIGRATE, Phase.CONTRACT])('Argo CD: %s is a PostSync hook', (phase) => {
    const { job, configMap } = synth({ current: phase, oldShapeUnusedSince: 'orders:3.0.0' });
    expect(job.metadata.annotations['argocd.argoproj.io/hook']).toBe('PostSync');
    expect(configMap.metadata.annotations['argocd.argoproj.io/hook']).toBe('PostSync');
    expect(job.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('0');
    expect(configMap.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-1');
  });

  test('Helm: expand is a pre-install/pre-upgrade hook; migrate and contract are post hooks', () => {
    const expand = synth({ ordering: JobOrdering.helm({ weight: 10 }) });
    expect(expand.job.metadata.annotations).toMatchObject({
      'helm.sh/hook': 'pre-install,pre-upgrade',
      'helm.sh/hook-weight': '10',
      'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
    });
    expect(expand.configMap.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'pre-install,pre-upgrade', 'helm.sh/hook-weight': '9' });
    const migrate = synth({ ordering: JobOrdering.helm(), current: Phase.MIGRATE });
    expect(migrate.job.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'post-install,post-upgrade', 'helm.sh/hook-weight': '0' });
    expect(Object.keys(migrate.job.metadata.annotations).filter((k) => k.startsWith('argocd'))).toEqual([]);
  });

  test('none: no hook annotations at all', () => {
    const { job, configMap } = synth({ ordering: JobOrdering.none() });
    expect(Object.keys(job.metadata.annotations)).toEqual(['release-strategies.dev/content-sha256']);
    expect(Object.keys(configMap.metadata.annotations)).toEqual(['release-strategies.dev/content-sha256']);
  });

  test('without hooks the TTL may be short', () => {
    expect(synth({ ordering: JobOrdering.none(), ttlAfterFinished: Duration.seconds(0) }).job.spec.ttlSecondsAfterFinished).toBe(0);
  });

  test('fails on a TTL shorter than 10 minutes with Argo CD hooks', () => {
    expect(thrown(() => synth({ ttlAfterFinished: Duration.minutes(1) }))).toBe(
      "test/rename-full-name: invalid 'ttlAfterFinished': must be at least 10 minutes with argocd hooks: a hook Job deleted before the tool sees it finish leaves the sync waiting for it, got '60 seconds'",
    );
  });

  test('fails on a sync wave that is not a whole number', () => {
    expect(thrown(() => JobOrdering.argoCd({ syncWave: 1.5 }))).toBe(
      "JobOrdering.argoCd(): invalid 'syncWave': must be a whole number from -1000000 to 1000000, got 1.5",
    );
  });
});

describe('runners', () => {
  const PSQL_INDEX_GUARD = [
    '-- an INVALID index left by a build that did not finish is dropped, without blocking anyone, and built again',
    'SELECT format(\'DROP INDEX CONCURRENTLY %s\', indexrelid::regclass) FROM pg_index WHERE indexrelid = to_regclass(\'"users_display_name_idx"\') AND NOT indisvalid',
    '\\gexec',
  ];
  const INDEX_GUARD = [
    'DO $guard$ BEGIN',
    '  IF EXISTS (SELECT FROM pg_index WHERE indexrelid = to_regclass(\'"users_display_name_idx"\') AND NOT indisvalid) THEN',
    '    RAISE NOTICE \'dropping INVALID index %, left by a build that did not finish, to build it again\', \'"users_display_name_idx"\';',
    '    EXECUTE \'DROP INDEX "users_display_name_idx"\';',
    '  END IF;',
    'END $guard$;',
  ];

  test('psql runs the phase script with ON_ERROR_STOP: timeouts, the advisory lock, then the units', () => {
    const timeouts = { lockTimeout: Duration.seconds(3), statementTimeout: Duration.minutes(2), indexBuildTimeout: Duration.minutes(30) };
    const { container, configMap } = synth(timeouts);
    expect(container.image).toBe('postgres:17.6-alpine');
    expect(container.imagePullPolicy).toBe('Always');
    expect(container.command).toEqual(['psql']);
    expect(container.args).toEqual(['--no-psqlrc', '--set=ON_ERROR_STOP=1', '--echo-queries', '--file=/migrations/expand.sql']);
    expect(configMap.data).toEqual({
      'expand.sql': [
        '-- expand phase of rename-full-name, generated by @release-constructs/release-strategies',
        "SET lock_timeout = '3s';",
        "SET statement_timeout = '120s';",
        "SET lock_timeout = '0';",
        '-- one run of rename-full-name at a time',
        'SELECT pg_advisory_lock(1381190983, -863929847);',
        "SET lock_timeout = '3s';",
        'ALTER TABLE users ADD COLUMN IF NOT EXISTS display_name text;',
        "SET lock_timeout = '0';",
        "SET statement_timeout = '1800s';",
        ...PSQL_INDEX_GUARD,
        'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_display_name_idx ON users (display_name);',
        "SET statement_timeout = '120s';",
        "SET lock_timeout = '3s';",
        '',
      ].join('\n'),
    });
  });

  test('psql: DDL shares a transaction; backfills run first, batch by batch; VALIDATE commits alone under the index build timeout', () => {
    const phases = MigrationPhases.sql({
      backfills: [Backfill.batched({ table: 'users', set: "display_name = full_name || '%'", pending: 'display_name IS NULL', batchSize: 500, pauseMilliseconds: 50 })],
      migrate: [
        'ALTER TABLE users ADD COLUMN IF NOT EXISTS a text',
        'ALTER TABLE users ALTER COLUMN a SET DEFAULT 1',
        'ALTER TABLE users VALIDATE CONSTRAINT users_display_name_not_null',
      ],
    });
    const { configMap } = synth({ phases, current: Phase.MIGRATE, batchTimeout: Duration.seconds(2) });
    expect(configMap.data['migrate.sql'].split('\n').slice(7)).toEqual([
      "SET statement_timeout = '3600s';",
      '-- batched backfill of "users" in batches of 500 rows along id, each its own transaction',
      "SELECT CASE WHEN b.n = 1 THEN 'SET statement_timeout = ''2s''' END,",
      '       format($rs$UPDATE "users" SET display_name = full_name || \'%%\' WHERE "id" >= %L%s AND (display_name IS NULL)$rs$, b.first, CASE WHEN b.next IS NULL THEN \'\' ELSE format(\' AND "id" < %L\', b.next) END), \'SELECT pg_sleep(0.05)\'',
      '  FROM (SELECT "id" AS first, lead("id") OVER (ORDER BY "id") AS next, row_number() OVER (ORDER BY "id") AS n',
      '          FROM (SELECT "id", row_number() OVER (ORDER BY "id") AS i FROM "users" WHERE (display_name IS NULL)) pending',
      '         WHERE (pending.i - 1) % 500 = 0) b',
      ' ORDER BY b.n',
      '\\gexec',
      "SET statement_timeout = '60s';",
      'BEGIN;',
      'ALTER TABLE users ADD COLUMN IF NOT EXISTS a text;',
      'ALTER TABLE users ALTER COLUMN a SET DEFAULT 1;',
      'COMMIT;',
      "SET statement_timeout = '3600s';",
      'ALTER TABLE users VALIDATE CONSTRAINT users_display_name_not_null;',
      "SET statement_timeout = '60s';",
      '',
    ]);
  });

  test('psql runs SQL files as written, comments included', () => {
    const phases = MigrationPhases.sqlFiles({ expand: [path.join(FIXTURES, 'expand.sql')] });
    const { configMap } = synth({ phases });
    expect(configMap.data['expand.sql'].split('\n').slice(7)).toEqual([
      '-- Adds display_name next to full_name.',
      'ALTER TABLE users ADD COLUMN IF NOT EXISTS display_name text;',
      "SET lock_timeout = '0';",
      "SET statement_timeout = '3600s';",
      ...PSQL_INDEX_GUARD,
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_display_name_idx ON users (display_name);',
      "SET statement_timeout = '60s';",
      "SET lock_timeout = '5s';",
      '',
    ]);
  });

  test('pgroll: expand initializes pgroll, checks that no migration is in progress, then starts this one without completing it', () => {
    const phases = MigrationPhases.pgroll({ migrationFile: path.join(FIXTURES, '03_rename_full_name.json') });
    const { pod, container, configMap } = synth({
      phases,
      runner: MigrationRunner.pgroll({ image: 'ghcr.io/xataio/pgroll:v0.14.0', psqlImage: 'postgres:17.6-alpine' }),
    });
    const flags = [
      '--postgres-url=postgres://$(PGUSER)@$(PGHOST):$(PGPORT)/$(PGDATABASE)?sslmode=$(PGSSLMODE)&lock_timeout=5s&statement_timeout=60s',
      '--schema=public',
      '--pgroll-schema=pgroll',
      '--lock-timeout=5000',
    ];
    expect(pod.initContainers.map((c: any) => [c.name, c.image, c.command, c.args])).toEqual([
      ['pgroll-init', 'ghcr.io/xataio/pgroll:v0.14.0', ['pgroll'], ['init', ...flags]],
      ['pgroll-check', 'postgres:17.6-alpine', ['psql'], ['--no-psqlrc', '--set=ON_ERROR_STOP=1',
        "--command=DO $check$ DECLARE active text; BEGIN SELECT name INTO active FROM pgroll.migrations WHERE schema = 'public' AND NOT done; "
        + "IF active IS NOT NULL THEN RAISE EXCEPTION 'pgroll migration % is still in progress in schema public: complete it before starting 03_rename_full_name "
        + "(pgroll runs one migration at a time)', active; END IF; END $check$"]],
    ]);
    expect(pod.initContainers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    expect(container.command).toEqual(['pgroll']);
    expect(container.args).toEqual(['start', ...flags, '/migrations/03_rename_full_name.json']);
    expect(container.args).not.toContain('--complete');
    expect(Object.keys(configMap.data)).toEqual(['03_rename_full_name.json']);
    expect(JSON.parse(configMap.data['03_rename_full_name.json']).operations[0]).toEqual({ rename_column: { table: 'users', from: 'full_name', to: 'display_name' } });
  });

  test('pgroll: contract checks that exactly this migration is in progress, then completes it', () => {
    const phases = MigrationPhases.pgroll({ migrationFile: path.join(FIXTURES, '03_rename_full_name.json') });
    const { pod, container } = synth({
      phases,
      current: Phase.CONTRACT,
      oldShapeUnusedSince: 'orders:3.0.0',
      runner: MigrationRunner.pgroll({ image: 'ghcr.io/xataio/pgroll:v0.14.0', psqlImage: 'postgres:17.6-alpine', schema: 'orders', stateSchema: 'roll' }),
    });
    expect(pod.initContainers.map((c: any) => c.args[2])).toEqual([
      "--command=DO $check$ DECLARE active text; BEGIN SELECT name INTO active FROM roll.migrations WHERE schema = 'orders' AND NOT done; "
      + "IF active IS DISTINCT FROM '03_rename_full_name' THEN RAISE EXCEPTION 'pgroll complete would complete %, not 03_rename_full_name: "
      + "only the migration this release started may be completed', coalesce(active, 'nothing'); END IF; END $check$",
    ]);
    expect(container.args.slice(0, 1)).toEqual(['complete']);
    expect(container.args).toContain('--schema=orders');
    expect(container.args).toContain('--pgroll-schema=roll');
  });

  test('pgroll: start gets the backfill batch size and the pause between batches', () => {
    const phases = MigrationPhases.pgroll({ migrationFile: path.join(FIXTURES, '03_rename_full_name.json') });
    const { container } = synth({
      phases,
      runner: MigrationRunner.pgroll({ image: 'ghcr.io/xataio/pgroll:v0.16.2', psqlImage: 'postgres:17.6-alpine', backfillBatchSize: 500, backfillBatchDelay: Duration.millis(250) }),
    });
    expect(container.args.slice(-3)).toEqual(['--backfill-batch-size=500', '--backfill-batch-delay=250ms', '/migrations/03_rename_full_name.json']);
    expect(thrown(() => MigrationRunner.pgroll({ image: 'p:1', psqlImage: 'postgres:17', backfillBatchDelay: Duration.minutes(2) }))).toBe(
      "MigrationRunner.pgroll(): invalid 'backfillBatchDelay': must be a whole number of milliseconds from 0 to 60000, got '120000 milliseconds'",
    );
  });

  test('pgroll checks raw SQL operations like SQL phases', () => {
    expect(thrown(() => synth({
      phases: MigrationPhases.pgroll({ migrationFile: path.join(FIXTURES, '04_raw_drop.json') }),
      runner: MigrationRunner.pgroll({ image: 'pgroll:1', psqlImage: 'postgres:17' }),
    }))).toBe(
      "test/rename-full-name: invalid 'phases.operations[0].sql.up': expand must not drop column legacy of users: the running version still uses it (rule drop-column); drop it in contract, once no running version reads it, declaring Removal.column('users', 'legacy'), got 'ALTER TABLE users DROP COLUMN legacy'",
    );
  });

  test('fails on a migrate phase for pgroll, which backfills during start', () => {
    expect(thrown(() => synth({
      phases: MigrationPhases.pgroll({ migrationFile: path.join(FIXTURES, '03_rename_full_name.json') }),
      runner: MigrationRunner.pgroll({ image: 'pgroll:1', psqlImage: 'postgres:17' }),
      current: Phase.MIGRATE,
    }))).toBe("test/rename-full-name: invalid 'current': must be a phase these phases have (expand, contract), got 'migrate'");
  });

  test('fails on a pgroll migration run by psql', () => {
    expect(thrown(() => synth({ phases: MigrationPhases.pgroll({ migrationFile: path.join(FIXTURES, '03_rename_full_name.json') }) }))).toBe(
      "test/rename-full-name: invalid 'runner': MigrationRunner.psql() runs SQL phases (MigrationPhases.sql() or .sqlFiles()); a pgroll migration needs MigrationRunner.pgroll(), got 'pgroll'",
    );
  });

  test('fails on SQL phases run by pgroll', () => {
    expect(thrown(() => synth({ runner: MigrationRunner.pgroll({ image: 'pgroll:1', psqlImage: 'postgres:17' }) }))).toBe(
      "test/rename-full-name: invalid 'runner': MigrationRunner.pgroll() runs a pgroll migration (MigrationPhases.pgroll()), got 'sql'",
    );
  });

  const CONSTRAINT_GUARD = [
    'DO $guard$ BEGIN',
    '  IF NOT EXISTS (SELECT FROM pg_constraint WHERE conrelid = to_regclass(\'"users"\') AND conname = \'users_display_name_not_null\') THEN',
    '    EXECUTE $rs$ALTER TABLE users ADD CONSTRAINT users_display_name_not_null CHECK (display_name IS NOT NULL) NOT VALID$rs$;',
    '  ELSE',
    "    RAISE NOTICE 'skipped, it ran before: %', $rs$ALTER TABLE users ADD CONSTRAINT users_display_name_not_null CHECK (display_name IS NOT NULL) NOT VALID$rs$;",
    '  END IF;',
    'END $guard$;',
  ].join('\n');
  const CONCURRENT_UNIT = [
    ...INDEX_GUARD,
    "SET lock_timeout = '0';",
    "SET statement_timeout = '3600s';",
    'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_display_name_idx ON users (display_name);',
    "SET statement_timeout = '60s';",
    "SET lock_timeout = '5s';",
  ];

  test('Flyway: versioned files of this and earlier phases, a session-level lock, and its own history table', () => {
    const { container, configMap } = synth({ runner: MigrationRunner.flyway({ image: 'flyway/flyway:11.3' }), current: Phase.MIGRATE });
    expect(configMap.data).toEqual({
      'V1_1__expand.sql': 'ALTER TABLE users ADD COLUMN IF NOT EXISTS display_name text;\n',
      'V1_2__expand.sql': `${CONCURRENT_UNIT.join('\n')}\n`,
      'V2_1__migrate.sql': `${CONSTRAINT_GUARD}\n`,
    });
    expect(container.command).toEqual(['flyway']);
    expect(container.args).toEqual([
      '-url=jdbc:postgresql://$(PGHOST):$(PGPORT)/$(PGDATABASE)?sslmode=$(PGSSLMODE)&ApplicationName=$(PGAPPNAME)&options=-c%20lock_timeout%3D5s%20-c%20statement_timeout%3D60s',
      '-locations=filesystem:/migrations',
      '-table=flyway_rename_full_name_history',
      '-baselineOnMigrate=true',
      '-baselineVersion=0',
      '-postgresql.transactional.lock=false',
      '-mixed=true',
      '-placeholderReplacement=false',
      'migrate',
    ]);
    expect(container.env.slice(-2)).toEqual([{ name: 'FLYWAY_USER', value: '$(PGUSER)' }, { name: 'FLYWAY_PASSWORD', value: '$(PGPASSWORD)' }]);
    expect(container.resources).toEqual({ requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } });
  });

  test('Liquibase: a formatted-SQL changelog, CONCURRENTLY outside a transaction, the settings around it run always', () => {
    const { container, configMap, job } = synth({ runner: MigrationRunner.liquibase({ image: 'liquibase/liquibase:4.31' }) });
    const changeset = (n: number, tx: boolean, always: boolean, body: string) =>
      ['', `--changeset release-strategies:rename-full-name-expand-${n} runInTransaction:${tx} splitStatements:false${always ? ' runAlways:true' : ''}`, ...body.split('\n')];
    expect(configMap.data['changelog.sql'].split('\n')).toEqual([
      '--liquibase formatted sql',
      ...changeset(1, true, false, 'ALTER TABLE users ADD COLUMN IF NOT EXISTS display_name text;'),
      ...changeset(2, false, true, INDEX_GUARD.join('\n')),
      ...changeset(3, false, true, "SET lock_timeout = '0';"),
      ...changeset(4, false, true, "SET statement_timeout = '3600s';"),
      ...changeset(5, false, false, 'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_display_name_idx ON users (display_name);'),
      ...changeset(6, false, true, "SET statement_timeout = '60s';"),
      ...changeset(7, false, true, "SET lock_timeout = '5s';"),
      '',
    ]);
    expect(container.command).toEqual(['liquibase']);
    expect(container.args).toEqual([
      '--url=jdbc:postgresql://$(PGHOST):$(PGPORT)/$(PGDATABASE)?sslmode=$(PGSSLMODE)&ApplicationName=$(PGAPPNAME)&options=-c%20lock_timeout%3D5s%20-c%20statement_timeout%3D60s',
      '--search-path=/migrations',
      '--changelog-file=changelog.sql',
      '--show-banner=false',
      'update',
    ]);
    expect(container.env.slice(-2)).toEqual([
      { name: 'LIQUIBASE_COMMAND_USERNAME', value: '$(PGUSER)' },
      { name: 'LIQUIBASE_COMMAND_PASSWORD', value: '$(PGPASSWORD)' },
    ]);
    expect(job.spec.backoffLimit).toBe(0);
  });

  test.each(['liquibase/liquibase:5.0', 'liquibase/liquibase:5.0.1@sha256:0123', 'liquibase:latest', 'docker.io/liquibase/liquibase'])('fails on the official Liquibase image %s, which ships no PostgreSQL driver', (image) => {
    expect(thrown(() => MigrationRunner.liquibase({ image }))).toBe(
      "MigrationRunner.liquibase(): invalid 'image': must bundle the PostgreSQL JDBC driver: official Liquibase images ship it up to 4.x and none from 5.0 on (pin liquibase/liquibase:4.x, "
      + `or build an image with \`lpm add postgresql\` and set postgresDriverIncluded: true), got '${image}'`,
    );
  });

  test('accepts a Liquibase 5 image that says it adds the driver, and images of your own', () => {
    expect(MigrationRunner.liquibase({ image: 'liquibase/liquibase:5.0', postgresDriverIncluded: true }).image).toBe('liquibase/liquibase:5.0');
    expect(MigrationRunner.liquibase({ image: 'registry.example.com/liquibase-postgres:5.0' }).tool).toBe('liquibase');
  });

  test('Atlas: a versioned directory with its atlas.sum, CONCURRENTLY in a txmode-none file', () => {
    const { container, configMap, job } = synth({ runner: MigrationRunner.atlas({ image: 'arigaio/atlas:0.31.0' }), current: Phase.CONTRACT, oldShapeUnusedSince: 'orders:3.0.0' });
    expect(Object.keys(configMap.data)).toEqual(['1001_expand.sql', '1002_expand.sql', '2001_migrate.sql', '3001_contract.sql', 'atlas.sum']);
    expect(configMap.data['1002_expand.sql']).toBe(`-- atlas:txmode none\n\n${CONCURRENT_UNIT.join('\n')}\n`);
    expect(configMap.data['3001_contract.sql']).toBe('ALTER TABLE users DROP COLUMN IF EXISTS full_name;\n');
    expect(configMap.data['atlas.sum'].split('\n').map((l: string) => l.replace(/ h1:.*$/, '')))
      .toEqual([expect.stringMatching(/^h1:[A-Za-z0-9+/]{43}=$/), '1001_expand.sql', '1002_expand.sql', '2001_migrate.sql', '3001_contract.sql', '']);
    expect(container.command).toEqual(['atlas']);
    expect(container.args).toEqual([
      'migrate', 'apply',
      '--dir', 'file:///migrations',
      '--url', 'postgres://$(PGUSER)@$(PGHOST):$(PGPORT)/$(PGDATABASE)?sslmode=$(PGSSLMODE)&lock_timeout=5s&statement_timeout=60s',
      '--revisions-schema', 'atlas_rename_full_name',
      '--allow-dirty',
    ]);
    expect(job.spec.backoffLimit).toBe(2);
  });

  test('golang-migrate: numbered up files of this and earlier phases; what cannot run in a transaction gets a file per command', () => {
    const { container, configMap, job } = synth({ runner: MigrationRunner.golangMigrate({ image: 'migrate/migrate:v4.19.1' }), current: Phase.MIGRATE });
    expect(configMap.data).toEqual({
      '1001_expand.up.sql': 'ALTER TABLE users ADD COLUMN IF NOT EXISTS display_name text;\n',
      '1002_expand.up.sql': `${INDEX_GUARD.join('\n')}\n`,
      '1003_expand.up.sql': "SET lock_timeout = '0';\n",
      '1004_expand.up.sql': "SET statement_timeout = '3600s';\n",
      '1005_expand.up.sql': 'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_display_name_idx ON users (display_name);\n',
      '1006_expand.up.sql': "SET statement_timeout = '60s';\n",
      '1007_expand.up.sql': "SET lock_timeout = '5s';\n",
      '2001_migrate.up.sql': `${CONSTRAINT_GUARD}\n`,
    });
    expect(container.command).toEqual(['migrate']);
    expect(container.args).toEqual([
      '-path', '/migrations',
      '-database', 'postgres://$(PGUSER)@$(PGHOST):$(PGPORT)/$(PGDATABASE)?sslmode=$(PGSSLMODE)&lock_timeout=5s&statement_timeout=60s&x-migrations-table=migrate_rename_full_name',
      'up',
    ]);
    expect(job.spec.backoffLimit).toBe(0);
  });

  test.each([
    ['flyway', MigrationRunner.flyway({ image: 'flyway/flyway:11.3' })],
    ['liquibase', MigrationRunner.liquibase({ image: 'liquibase/liquibase:4.31' })],
    ['atlas', MigrationRunner.atlas({ image: 'arigaio/atlas:0.31.0' })],
    ['golangMigrate', MigrationRunner.golangMigrate({ image: 'migrate/migrate:v4.19.1' })],
  ])('fails on a batched backfill run by %s, which cannot commit batch by batch', (factory, runner) => {
    const phases = MigrationPhases.sql({ backfills: [Backfill.batched({ table: 'users', set: 'a = b', pending: 'a IS NULL' })] });
    expect(thrown(() => synth({ runner, phases, current: Phase.MIGRATE }))).toBe(
      `test/rename-full-name: invalid 'runner': MigrationRunner.${factory}() cannot run batched backfills, which commit each batch from a psql script: use MigrationRunner.psql() (or .custom() with the psql script) for these phases, got 'batched backfill of "users"'`,
    );
  });

  test('custom: your image and arguments, with the phase script and the timeouts in the environment', () => {
    const { container, configMap, job } = synth({
      runner: MigrationRunner.custom('registry.example.com/migrate:1.4', ['apply', '--file', '$(MIGRATION_FILE)'], { command: ['/bin/migrate'] }),
      current: Phase.MIGRATE,
    });
    expect(container.image).toBe('registry.example.com/migrate:1.4');
    expect(container.command).toEqual(['/bin/migrate']);
    expect(container.args).toEqual(['apply', '--file', '$(MIGRATION_FILE)']);
    expect(container.env).toEqual(expect.arrayContaining([
      { name: 'PGOPTIONS', value: '-c lock_timeout=5s -c statement_timeout=60s' },
      { name: 'MIGRATION_PHASE', value: 'migrate' },
      { name: 'MIGRATION_FILE', value: '/migrations/migrate.sql' },
    ]));
    expect(configMap.data['migrate.sql']).toContain(`SET lock_timeout = '5s';\n${CONSTRAINT_GUARD}\n`);
    expect(job.spec.backoffLimit).toBe(0);
  });
});

describe('bad input', () => {
  test('fails on contract without the version that stopped using the old shape', () => {
    expect(thrown(() => synth({ current: Phase.CONTRACT }))).toBe(
      "test/rename-full-name: invalid 'oldShapeUnusedSince': must name the application version since which no running version, nor the rollback target, reads or writes what contract removes (contract drops it for good), got nothing",
    );
  });

  test('fails on a phase the migration does not have', () => {
    expect(thrown(() => synth({ phases: MigrationPhases.sql({ expand: ['ALTER TABLE users ADD COLUMN IF NOT EXISTS x text'] }), current: Phase.CONTRACT, oldShapeUnusedSince: 'v2' }))).toBe(
      "test/rename-full-name: invalid 'current': must be a phase these phases have (expand), got 'contract'",
    );
  });

  test('fails on a name that is not a short DNS label', () => {
    expect(thrown(() => synth({ name: 'Rename_Full_Name' }))).toBe(
      "test/rename-full-name: invalid 'name': must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 40 characters), got 'Rename_Full_Name'",
    );
  });

  test('fails on a deadline shorter than the statement timeout', () => {
    const timeouts = { statementTimeout: Duration.minutes(30), indexBuildTimeout: Duration.minutes(10), activeDeadline: Duration.minutes(20) };
    expect(thrown(() => synth(timeouts))).toBe(
      "test/rename-full-name: invalid 'activeDeadline': must be longer than statementTimeout (1800 seconds), or Kubernetes kills the Job before PostgreSQL cancels the statement, got '1200 seconds'",
    );
  });

  test('fails on a statement timeout shorter than the lock timeout', () => {
    expect(thrown(() => synth({ lockTimeout: Duration.seconds(8), statementTimeout: Duration.seconds(5) }))).toBe(
      "test/rename-full-name: invalid 'statementTimeout': must be at least lockTimeout (8 seconds), got '5 seconds'",
    );
  });

  const CAP = "(the cap: while a migration waits for a lock or holds a batch, the running version's statements wait behind it; PostgreSQL practice is a lock_timeout of a few seconds, retried, so a blocked migration fails before the application's requests time out)";

  test('fails on a lock timeout over the 10-second cap, saying why', () => {
    expect(thrown(() => synth({ lockTimeout: Duration.seconds(30) }))).toBe(
      `test/rename-full-name: invalid 'lockTimeout': must be a whole number of milliseconds from 1 to 10000 ${CAP}, got '30000 milliseconds'`,
    );
  });

  test('fails on a backfill batch timeout over the same cap', () => {
    expect(thrown(() => synth({ batchTimeout: Duration.seconds(11) }))).toBe(
      `test/rename-full-name: invalid 'batchTimeout': must be a whole number of milliseconds from 100 to 10000 ${CAP}, got '11000 milliseconds'`,
    );
  });

  test('fails on a PostgreSQL version the rules do not know', () => {
    expect(thrown(() => synth({ postgresVersion: 9 }))).toBe("test/rename-full-name: invalid 'postgresVersion': must be a PostgreSQL major version from 10 to 18, got 9");
  });

  test('fails on a backoff limit above 10', () => {
    expect(thrown(() => synth({ backoffLimit: 11 }))).toBe("test/rename-full-name: invalid 'backoffLimit': must be a whole number from 0 to 10, got 11");
  });

  test('fails on a root user id', () => {
    expect(thrown(() => synth({ runAsUser: 0 }))).toBe("test/rename-full-name: invalid 'runAsUser': must be a whole number from 1 to 2147483647, got 0");
  });

  test('fails on a Secret key that Kubernetes does not accept', () => {
    expect(thrown(() => DatabaseConnection.fromSecret({ secretName: 'db', passwordKey: 'pass word' }))).toBe(
      "DatabaseConnection.fromSecret(): invalid 'passwordKey': must be a Secret key (letters, digits, '-', '_' and '.'), got 'pass word'",
    );
  });

  test('fails on an image with whitespace', () => {
    expect(thrown(() => MigrationRunner.psql({ image: 'postgres 17' }))).toBe(
      "MigrationRunner.psql(): invalid 'image': must be an image reference without whitespace, got 'postgres 17'",
    );
  });

  test('fails on a pgroll schema that is not a plain identifier', () => {
    expect(thrown(() => MigrationRunner.pgroll({ image: 'pgroll:1', psqlImage: 'postgres:17', schema: 'public; DROP' }))).toBe(
      "MigrationRunner.pgroll(): invalid 'schema': must be a lower-case PostgreSQL identifier (letters, digits and '_', at most 63), got 'public; DROP'",
    );
  });
});

describe('the release it ships in (the chart)', () => {
  test('fails when the chart creates the database Secret that the expand hook, which runs first, needs', () => {
    const chart = Testing.chart();
    new kplus.Secret(chart, 'DbSecret', { metadata: { name: 'orders-db-app' }, stringData: { host: 'db' } });
    new ExpandContractJob(chart, 'rename-full-name', props());
    expect(() => Testing.synth(chart)).toThrow(
      "[test/rename-full-name] invalid 'database': the argocd hook that runs expand runs before the chart's other objects are created, and Secret orders-db-app of this chart creates Secret orders-db-app: "
      + "create the Secret (or the database) in an earlier release, or order the Job with JobOrdering.none(), got 'orders-db-app'",
    );
  });

  test('fails when the chart creates the CloudNativePG cluster whose application Secret the expand hook reads', () => {
    const chart = Testing.chart();
    new ApiObject(chart, 'Db', { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name: 'orders-db' } });
    new ExpandContractJob(chart, 'rename-full-name', props({ ordering: JobOrdering.helm() }));
    expect(() => Testing.synth(chart)).toThrow(/invalid 'database': the helm hook that runs expand runs before the chart's other objects are created, and Cluster orders-db of this chart creates Secret orders-db-app/);
  });

  test('accepts a Secret of the chart for migrate and contract (they run after the sync), and without hooks', () => {
    for (const extra of [{ current: Phase.MIGRATE }, { ordering: JobOrdering.none() }]) {
      const chart = Testing.chart();
      new kplus.Secret(chart, 'DbSecret', { metadata: { name: 'orders-db-app' }, stringData: { host: 'db' } });
      new ExpandContractJob(chart, 'rename-full-name', props(extra));
      expect(() => Testing.synth(chart)).not.toThrow();
    }
  });

  test('fails when the same release runs the expand and the contract of one migration', () => {
    const chart = Testing.chart();
    new ExpandContractJob(chart, 'expand', props({ name: 'rename-full-name' }));
    new ExpandContractJob(chart, 'contract', props({ name: 'rename-full-name', current: Phase.CONTRACT, oldShapeUnusedSince: 'orders:2.0.0' }));
    expect(() => Testing.synth(chart)).toThrow(
      "[test/contract] invalid 'current': contract of rename-full-name must not ship in the same release as its expand (test/expand): the rollback target of this release reads the shape contract removes, got 'contract'",
    );
  });

  test('fails when contract ships in the release that rolls out the version that stopped using the old shape', () => {
    const chart = Testing.chart();
    new kplus.Deployment(chart, 'orders', { containers: [{ image: 'registry.example.com/orders:2.0.0', portNumber: 8080 }] });
    new ExpandContractJob(chart, 'rename-full-name', props({ current: Phase.CONTRACT, oldShapeUnusedSince: 'orders:2.0.0' }));
    expect(() => Testing.synth(chart)).toThrow(
      "[test/rename-full-name] invalid 'oldShapeUnusedSince': contract must ship in a release after the one that rolls out orders:2.0.0: this chart also deploys registry.example.com/orders:2.0.0, "
      + "so a failed or rolled-back rollout of it returns to a version that reads what contract removes; ship the contract with a later release (or from a chart of its own, synced after this one), got 'orders:2.0.0'",
    );
  });

  test('accepts contract in a release whose workloads run a later version', () => {
    const chart = Testing.chart();
    new kplus.Deployment(chart, 'orders', { containers: [{ image: 'registry.example.com/orders:2.1.0', portNumber: 8080 }] });
    new ExpandContractJob(chart, 'rename-full-name', props({ current: Phase.CONTRACT, oldShapeUnusedSince: 'orders:2.0.0' }));
    expect(() => Testing.synth(chart)).not.toThrow();
  });
});

describe('Backfill and Removal', () => {
  test('fails on a backfill whose parts smuggle in a second statement', () => {
    expect(thrown(() => Backfill.batched({ table: 'users', set: 'a = 1 WHERE true; DROP TABLE users; UPDATE users SET a = 1', pending: 'a IS NULL' }))).toBe(
      "Backfill.batched(): invalid 'options': must describe one UPDATE: a table name, assignments for 'set' and a condition for 'pending', got 'UPDATE users SET a = 1 WHERE true; DROP TABLE users; UPDATE users SET a = 1 WHERE (a IS NULL)'",
    );
    expect(thrown(() => Backfill.batched({ table: 'users', set: 'a = 1; DROP TABLE users', pending: 'a IS NULL' }))).toBe(
      "Backfill.batched(): invalid 'options': must be valid PostgreSQL (syntax error at or near \"WHERE\" on line 1), got 'UPDATE users SET a = 1; DROP TABLE users WHERE (a IS NULL)'",
    );
  });

  test('fails on a backfill that changes its key, or with a batch size out of range', () => {
    expect(thrown(() => Backfill.batched({ table: 'users', set: 'id = id + 1', pending: 'moved IS NULL' }))).toBe(
      "Backfill.batched(): invalid 'set': must not change the key column id: the batches are cut along it, got 'id = id + 1'",
    );
    expect(thrown(() => Backfill.batched({ table: 'users', set: 'a = b', pending: 'a IS NULL', batchSize: 0 }))).toBe(
      "Backfill.batched(): invalid 'batchSize': must be a whole number from 1 to 100000, got 0",
    );
  });

  test('fails on a removal that is not a table name', () => {
    expect(thrown(() => Removal.table('a.b.c'))).toBe("Removal.table(): invalid 'name': must be a table name, optionally qualified ('schema.table'), got 'a.b.c'");
    expect(thrown(() => Removal.column('users', 'full name'))).toBe(
      "Removal.column(): invalid 'column': must be a PostgreSQL identifier (letters, digits, _ and $, at most 63, not starting with a digit), got 'full name'",
    );
  });
});
