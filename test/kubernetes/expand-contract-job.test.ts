import * as path from 'path';
import { Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  DatabaseConnection, ExpandContractJob, ExpandContractJobProps, JobOrdering, MigrationPhases, MigrationRunner, Phase,
  PostgresSslMode, SqlParser,
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
      'ALTER TABLE users ADD COLUMN display_name text',
      'CREATE INDEX CONCURRENTLY users_display_name_idx ON users (display_name)',
    ],
    migrate: ['UPDATE users SET display_name = full_name WHERE display_name IS NULL'],
    contract: ['ALTER TABLE users DROP COLUMN full_name'],
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
      activeDeadlineSeconds: 3600,
      ttlSecondsAfterFinished: 86400,
      completions: 1,
      parallelism: 1,
    });
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
  });

  test('does not retry a phase that commits in several transactions (CREATE INDEX CONCURRENTLY)', () => {
    expect(synth({ current: Phase.EXPAND }).job.spec.backoffLimit).toBe(0);
  });

  test('warns when asked to retry a phase that cannot simply run again', () => {
    const { construct, job } = synth({ current: Phase.EXPAND, backoffLimit: 3 });
    expect(job.spec.backoffLimit).toBe(3);
    expect(warningsOf(construct)).toEqual([
      'test/rename-full-name: backoffLimit 3 retries the expand phase, which psql cannot simply run again after a failure: statements committed before '
      + 'the failure run a second time, and a failed CONCURRENTLY build leaves an INVALID index behind; make every statement idempotent (IF NOT EXISTS) first',
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
      { name: 'PGOPTIONS', value: '-c lock_timeout=5s -c statement_timeout=900s' },
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
    const otherSql = MigrationPhases.sql({ expand: ['ALTER TABLE users ADD COLUMN display_name varchar(200)'] });
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
  test('psql runs the phase script with ON_ERROR_STOP; the script sets the timeouts and groups transactions', () => {
    const { container, configMap } = synth({ lockTimeout: Duration.seconds(3), statementTimeout: Duration.minutes(20) });
    expect(container.image).toBe('postgres:17.6-alpine');
    expect(container.imagePullPolicy).toBe('Always');
    expect(container.command).toEqual(['psql']);
    expect(container.args).toEqual(['--no-psqlrc', '--set=ON_ERROR_STOP=1', '--echo-queries', '--file=/migrations/expand.sql']);
    expect(configMap.data).toEqual({
      'expand.sql': [
        '-- expand phase of rename-full-name, generated by @release-constructs/release-strategies',
        "SET lock_timeout = '3s';",
        "SET statement_timeout = '1200s';",
        'BEGIN;',
        'ALTER TABLE users ADD COLUMN display_name text;',
        'COMMIT;',
        "SET lock_timeout = '0';",
        'CREATE INDEX CONCURRENTLY users_display_name_idx ON users (display_name);',
        "SET lock_timeout = '3s';",
        '',
      ].join('\n'),
    });
  });

  test('psql runs SQL files as written, comments included', () => {
    const phases = MigrationPhases.sqlFiles({ expand: [path.join(FIXTURES, 'expand.sql')] });
    const { configMap } = synth({ phases });
    expect(configMap.data['expand.sql']).toBe([
      '-- expand phase of rename-full-name, generated by @release-constructs/release-strategies',
      "SET lock_timeout = '5s';",
      "SET statement_timeout = '900s';",
      'BEGIN;',
      '-- Adds display_name next to full_name.\nALTER TABLE users ADD COLUMN display_name text;',
      'COMMIT;',
      "SET lock_timeout = '0';",
      'CREATE INDEX CONCURRENTLY users_display_name_idx ON users (display_name);',
      "SET lock_timeout = '5s';",
      '',
    ].join('\n'));
  });

  test('pgroll: expand initializes pgroll, checks that no migration is in progress, then starts this one without completing it', () => {
    const phases = MigrationPhases.pgroll({ migrationFile: path.join(FIXTURES, '03_rename_full_name.json') });
    const { pod, container, configMap } = synth({
      phases,
      runner: MigrationRunner.pgroll({ image: 'ghcr.io/xataio/pgroll:v0.14.0', psqlImage: 'postgres:17.6-alpine' }),
    });
    const flags = [
      '--postgres-url=postgres://$(PGUSER)@$(PGHOST):$(PGPORT)/$(PGDATABASE)?sslmode=$(PGSSLMODE)&lock_timeout=5000&statement_timeout=900000',
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

  test('pgroll checks raw SQL operations like SQL phases', () => {
    expect(thrown(() => synth({
      phases: MigrationPhases.pgroll({ migrationFile: path.join(FIXTURES, '04_raw_drop.json') }),
      runner: MigrationRunner.pgroll({ image: 'pgroll:1', psqlImage: 'postgres:17' }),
    }))).toBe(
      "test/rename-full-name: invalid 'phases.operations[0].sql.up': expand must not drop column legacy of users: the running version still uses it (rule drop-column); drop it in contract, once no running version reads it, got 'ALTER TABLE users DROP COLUMN legacy'",
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

  test('Flyway: versioned files of this and earlier phases, a session-level lock, and its own history table', () => {
    const { container, configMap } = synth({ runner: MigrationRunner.flyway({ image: 'flyway/flyway:11.3' }), current: Phase.MIGRATE });
    expect(configMap.data).toEqual({
      'V1_1__expand.sql': 'ALTER TABLE users ADD COLUMN display_name text;\n',
      'V1_2__expand.sql': "SET lock_timeout = '0';\nCREATE INDEX CONCURRENTLY users_display_name_idx ON users (display_name);\nSET lock_timeout = '5s';\n",
      'V2_1__migrate.sql': 'UPDATE users SET display_name = full_name WHERE display_name IS NULL;\n',
    });
    expect(container.command).toEqual(['flyway']);
    expect(container.args).toEqual([
      '-url=jdbc:postgresql://$(PGHOST):$(PGPORT)/$(PGDATABASE)?sslmode=$(PGSSLMODE)&ApplicationName=$(PGAPPNAME)&options=-c%20lock_timeout%3D5s%20-c%20statement_timeout%3D900s',
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

  test('Liquibase: a formatted-SQL changelog, CONCURRENTLY outside a transaction', () => {
    const { container, configMap, job } = synth({ runner: MigrationRunner.liquibase({ image: 'liquibase/liquibase:4.31' }) });
    expect(configMap.data).toEqual({
      'changelog.sql': [
        '--liquibase formatted sql',
        '',
        '--changeset release-strategies:rename-full-name-expand-1 runInTransaction:true splitStatements:false',
        'ALTER TABLE users ADD COLUMN display_name text;',
        '',
        '--changeset release-strategies:rename-full-name-expand-2 runInTransaction:false splitStatements:true',
        "SET lock_timeout = '0';",
        'CREATE INDEX CONCURRENTLY users_display_name_idx ON users (display_name);',
        "SET lock_timeout = '5s';",
        '',
      ].join('\n'),
    });
    expect(container.command).toEqual(['liquibase']);
    expect(container.args).toEqual([
      '--url=jdbc:postgresql://$(PGHOST):$(PGPORT)/$(PGDATABASE)?sslmode=$(PGSSLMODE)&ApplicationName=$(PGAPPNAME)&options=-c%20lock_timeout%3D5s%20-c%20statement_timeout%3D900s',
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

  test('Atlas: a versioned directory with its atlas.sum, CONCURRENTLY in a txmode-none file', () => {
    const { container, configMap, job } = synth({ runner: MigrationRunner.atlas({ image: 'arigaio/atlas:0.31.0' }), current: Phase.CONTRACT, oldShapeUnusedSince: 'orders:3.0.0' });
    expect(Object.keys(configMap.data)).toEqual(['1001_expand.sql', '1002_expand.sql', '2001_migrate.sql', '3001_contract.sql', 'atlas.sum']);
    expect(configMap.data['1002_expand.sql']).toBe(
      "-- atlas:txmode none\n\nSET lock_timeout = '0';\nCREATE INDEX CONCURRENTLY users_display_name_idx ON users (display_name);\nSET lock_timeout = '5s';\n",
    );
    expect(configMap.data['3001_contract.sql']).toBe('ALTER TABLE users DROP COLUMN full_name;\n');
    expect(configMap.data['atlas.sum'].split('\n').map((l: string) => l.replace(/ h1:.*$/, '')))
      .toEqual([expect.stringMatching(/^h1:[A-Za-z0-9+/]{43}=$/), '1001_expand.sql', '1002_expand.sql', '2001_migrate.sql', '3001_contract.sql', '']);
    expect(container.command).toEqual(['atlas']);
    expect(container.args).toEqual([
      'migrate', 'apply',
      '--dir', 'file:///migrations',
      '--url', 'postgres://$(PGUSER)@$(PGHOST):$(PGPORT)/$(PGDATABASE)?sslmode=$(PGSSLMODE)&lock_timeout=5000&statement_timeout=900000',
      '--revisions-schema', 'atlas_rename_full_name',
      '--allow-dirty',
    ]);
    expect(job.spec.backoffLimit).toBe(2);
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
      { name: 'PGOPTIONS', value: '-c lock_timeout=5s -c statement_timeout=900s' },
      { name: 'MIGRATION_PHASE', value: 'migrate' },
      { name: 'MIGRATION_FILE', value: '/migrations/migrate.sql' },
    ]));
    expect(configMap.data['migrate.sql']).toContain("SET lock_timeout = '5s';\nSET statement_timeout = '900s';\nBEGIN;\nUPDATE users SET display_name = full_name WHERE display_name IS NULL;\nCOMMIT;\n");
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
    expect(thrown(() => synth({ phases: MigrationPhases.sql({ expand: ['ALTER TABLE users ADD COLUMN x text'] }), current: Phase.CONTRACT, oldShapeUnusedSince: 'v2' }))).toBe(
      "test/rename-full-name: invalid 'current': must be a phase these phases have (expand), got 'contract'",
    );
  });

  test('fails on a name that is not a short DNS label', () => {
    expect(thrown(() => synth({ name: 'Rename_Full_Name' }))).toBe(
      "test/rename-full-name: invalid 'name': must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 40 characters), got 'Rename_Full_Name'",
    );
  });

  test('fails on a deadline shorter than the statement timeout', () => {
    expect(thrown(() => synth({ statementTimeout: Duration.minutes(30), activeDeadline: Duration.minutes(20) }))).toBe(
      "test/rename-full-name: invalid 'activeDeadline': must be longer than statementTimeout (1800 seconds), or Kubernetes kills the Job before PostgreSQL cancels the statement, got '1200 seconds'",
    );
  });

  test('fails on a statement timeout shorter than the lock timeout', () => {
    expect(thrown(() => synth({ lockTimeout: Duration.minutes(2), statementTimeout: Duration.minutes(1) }))).toBe(
      "test/rename-full-name: invalid 'statementTimeout': must be at least lockTimeout (120 seconds), got '60 seconds'",
    );
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
