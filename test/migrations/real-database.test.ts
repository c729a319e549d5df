/**
 * Runs migrations against a real PostgreSQL server, exactly as the generated Job (and the ECS task)
 * would: the Job's psql command line, its environment and the files of its ConfigMap.
 *
 * scripts/postgres.sh starts a throwaway server (installing PostgreSQL with apt-get when it is missing)
 * and stops it afterwards. When no server can be started, every test here fails: they never skip.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration as CdkDuration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Duration, Testing } from 'cdk8s';
import { PostgresServer, ROOT, runJob, startJob } from './postgres-server';
import {
  Backfill, DatabaseConnection, EcsExpandContractTask, ExpandContractJob, JobOrdering, MigrationPhases, MigrationRunner, Phase, PostgresSslMode,
  Removal, SqlParser,
} from '../../src';

let server: PostgresServer;
let migrateBinary: string;

beforeAll(async () => {
  await SqlParser.load();
  server = PostgresServer.start();
  // golang-migrate's CLI, built from source into .tools/bin (pinned; nothing to do when it is there).
  execFileSync(path.join(ROOT, 'scripts', 'install-migrate.sh'), { stdio: 'inherit', timeout: 570_000 });
  migrateBinary = path.join(ROOT, '.tools', 'bin', 'migrate');
}, 600_000);

afterAll(() => {
  server?.stop();
});

const sql = (database: string, text: string) => server.sql(database, text);
const sqlError = (database: string, text: string) => server.sqlError(database, text);

function createDatabase(name: string): void {
  sql('postgres', `CREATE DATABASE ${name}`);
  sql(name, 'CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, full_name text NOT NULL, zip integer NOT NULL)');
  sql(name, "INSERT INTO users (full_name, zip) VALUES ('Ada Lovelace', 1234), ('Grace Hopper', 90210)");
}

/** The queries of the version before the change: reads and writes full_name and the integer zip. */
const V1 = {
  insert: "INSERT INTO users (full_name, zip) VALUES ('Alan Turing', 2138)",
  select: 'SELECT full_name, zip FROM users ORDER BY id',
};
/** The queries of the version after the change: reads and writes display_name and the text postcode. */
const V2 = {
  insert: "INSERT INTO users (display_name, postcode) VALUES ('Edsger Dijkstra', '01234')",
  select: 'SELECT display_name, postcode FROM users ORDER BY id',
};

/** The rename full_name → display_name and the type change zip integer → postcode text, in three releases. */
function phases(): MigrationPhases {
  return MigrationPhases.sql({
    expand: [
      'ALTER TABLE users ADD COLUMN IF NOT EXISTS display_name text',
      'ALTER TABLE users ADD COLUMN IF NOT EXISTS postcode text',
      // Each version writes only its own columns; until contract, the trigger fills in the other ones.
      `CREATE OR REPLACE FUNCTION users_v2_sync() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         NEW.display_name := coalesce(NEW.display_name, NEW.full_name);
         NEW.full_name := coalesce(NEW.full_name, NEW.display_name);
         NEW.postcode := coalesce(NEW.postcode, lpad(NEW.zip::text, 5, '0'));
         NEW.zip := coalesce(NEW.zip, NEW.postcode::integer);
         RETURN NEW;
       END $$`,
      'CREATE TRIGGER users_v2_sync BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION users_v2_sync()',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_display_name_idx ON users (display_name)',
    ],
    backfills: [
      Backfill.batched({ table: 'users', set: 'display_name = full_name', pending: 'display_name IS NULL', batchSize: 1 }),
      Backfill.batched({ table: 'users', set: "postcode = lpad(zip::text, 5, '0')", pending: 'postcode IS NULL', batchSize: 1, pauseMilliseconds: 10 }),
    ],
    migrate: [
      'ALTER TABLE users ADD CONSTRAINT users_display_name_not_null CHECK (display_name IS NOT NULL) NOT VALID',
      'ALTER TABLE users VALIDATE CONSTRAINT users_display_name_not_null',
    ],
    contract: [
      'DROP TRIGGER IF EXISTS users_v2_sync ON users',
      'DROP FUNCTION IF EXISTS users_v2_sync()',
      'ALTER TABLE users ALTER COLUMN display_name SET NOT NULL',
      'ALTER TABLE users DROP CONSTRAINT IF EXISTS users_display_name_not_null',
      'ALTER TABLE users DROP COLUMN IF EXISTS full_name',
      'ALTER TABLE users DROP COLUMN IF EXISTS zip',
    ],
    removes: [Removal.column('users', 'full_name'), Removal.column('users', 'zip')],
  });
}

/** Synthesizes the Job of `phase`: its objects as Kubernetes would get them. */
interface JobOptions {
  readonly lockTimeout?: Duration;
  readonly runner?: MigrationRunner;
  readonly phases?: MigrationPhases;
  readonly sslMode?: PostgresSslMode;
}

function synthJob(phase: Phase, options: JobOptions = {}): any[] {
  const chart = Testing.chart();
  new ExpandContractJob(chart, 'rename-full-name', {
    database: DatabaseConnection.fromSecret({ secretName: 'orders-db-app', sslMode: options.sslMode }),
    runner: options.runner ?? MigrationRunner.psql({ image: 'postgres:17.6-alpine' }),
    phases: options.phases ?? phases(),
    current: phase,
    ordering: JobOrdering.argoCd(),
    oldShapeUnusedSince: 'orders:2.0.0',
    lockTimeout: options.lockTimeout,
  });
  return Testing.synth(chart);
}

const columns = (database: string) => sql(database, "SELECT string_agg(attname || ':' || format_type(atttypid, atttypmod) || ':' || attnotnull, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'users'::regclass AND attnum > 0 AND NOT attisdropped");
const errorsOf = (stderr: string) => stderr.split('\n').filter((l) => l.includes('ERROR') || l.includes('error:') || l.includes('FATAL'));

test('rename and type change across three releases: both versions keep working until contract', async () => {
  createDatabase('three_releases');
  expect(sql('three_releases', V1.select)).toBe('Ada Lovelace|1234\nGrace Hopper|90210');

  // Release 1: expand, while a long transaction of the running version keeps an old snapshot open.
  // CREATE INDEX CONCURRENTLY waits for it; with lock_timeout (1s here) it would fail and leave an
  // INVALID index, so the Job lifts lock_timeout around it.
  const busy = await server.openTransaction('three_releases');
  const expandRun = startJob(server, synthJob(Phase.EXPAND, { lockTimeout: Duration.seconds(1) }), 'three_releases');
  setTimeout(() => server.closeTransaction('three_releases', busy), 2000);
  const expand = await expandRun.done;
  expect(errorsOf(expand.stderr)).toEqual([]);
  expect(expand.status).toBe(0);
  expect(expand.stdout).toContain("SET lock_timeout = '1s'");
  expect(sql('three_releases', "SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_display_name_idx'::regclass")).toBe('t');

  // Both versions run now: each one's writes and reads succeed.
  expect(sqlError('three_releases', V1.insert)).toBeUndefined();
  expect(sqlError('three_releases', V2.insert)).toBeUndefined();
  expect(sql('three_releases', V1.select)).toBe('Ada Lovelace|1234\nGrace Hopper|90210\nAlan Turing|2138\nEdsger Dijkstra|1234');
  expect(sql('three_releases', V2.select)).toBe('|\n|\nAlan Turing|02138\nEdsger Dijkstra|01234');

  // Release 2: migrate backfills the rows written before expand, one row per batch here.
  const migrate = await runJob(server, synthJob(Phase.MIGRATE), 'three_releases');
  expect(errorsOf(migrate.stderr)).toEqual([]);
  expect(migrate.status).toBe(0);
  // Two rows to backfill, one batch (and transaction) each; the trigger fills postcode on those updates.
  expect(migrate.stdout.match(/^UPDATE 1$/gm)).toHaveLength(2);
  expect(sql('three_releases', V2.select)).toBe('Ada Lovelace|01234\nGrace Hopper|90210\nAlan Turing|02138\nEdsger Dijkstra|01234');
  expect(sqlError('three_releases', V1.insert)).toBeUndefined(); // a rollback to v1 still works
  expect(sqlError('three_releases', V2.insert)).toBeUndefined();

  // Release 3: contract, once no running version reads full_name or zip.
  const contract = await runJob(server, synthJob(Phase.CONTRACT), 'three_releases');
  expect(errorsOf(contract.stderr)).toEqual([]);
  expect(contract.status).toBe(0);
  expect(sqlError('three_releases', V2.insert)).toBeUndefined();
  expect(sql('three_releases', V2.select).split('\n')).toHaveLength(7);
  expect(sqlError('three_releases', V1.select)).toBe('ERROR:  column "full_name" does not exist\nLINE 1: SELECT full_name, zip FROM users ORDER BY id\n               ^');
  expect(columns('three_releases')).toBe('id:bigint:true,display_name:text:true,postcode:text:false');
}, 120_000);

test('the refused rename is what would break the running version', () => {
  createDatabase('refused_rename');
  sql('refused_rename', 'ALTER TABLE users RENAME COLUMN full_name TO display_name');
  expect(sqlError('refused_rename', V1.select)).toBe('ERROR:  column "full_name" does not exist\nLINE 1: SELECT full_name, zip FROM users ORDER BY id\n               ^');
});

test('lock_timeout fails a blocked expand fast, and the phase leaves nothing half-applied', async () => {
  createDatabase('blocked');
  // The running version holds a lock on users in a long transaction; ADD COLUMN needs ACCESS EXCLUSIVE.
  const busy = await server.openTransaction('blocked', 'SELECT count(*) FROM users');
  const started = Date.now();
  const expand = await runJob(server, synthJob(Phase.EXPAND, { lockTimeout: Duration.seconds(1) }), 'blocked');
  const seconds = (Date.now() - started) / 1000;
  server.closeTransaction('blocked', busy);
  expect(expand.status).toBe(3); // psql: an error in the script, with ON_ERROR_STOP
  expect(expand.stderr).toContain('ERROR:  canceling statement due to lock timeout');
  expect(seconds).toBeLessThan(8);
  expect(sql('blocked', "SELECT count(*) FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname IN ('display_name', 'postcode')")).toBe('0');
}, 60_000);

test('two runs of a phase never overlap: the second waits for the advisory lock of the first', async () => {
  createDatabase('overlap');
  const busy = await server.openTransaction('overlap');
  // The first run waits in CREATE INDEX CONCURRENTLY (for the open transaction), holding the lock.
  const first = startJob(server, synthJob(Phase.EXPAND), 'overlap');
  for (let i = 0; i < 200 && sql('overlap', "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted") === '0'; i++) await new Promise((r) => setTimeout(r, 25));
  const second = startJob(server, synthJob(Phase.EXPAND), 'overlap');
  for (let i = 0; i < 200 && sql('overlap', "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") === '0'; i++) await new Promise((r) => setTimeout(r, 25));
  expect(sql('overlap', "SELECT string_agg(granted::text, ',' ORDER BY granted DESC) FROM pg_locks WHERE locktype = 'advisory'")).toBe('true,false');
  expect(sql('overlap', "SELECT count(*) FROM pg_index WHERE indexrelid = to_regclass('users_display_name_idx') AND NOT indisvalid")).toBe('1');
  server.closeTransaction('overlap', busy);
  const [a, b] = await Promise.all([first.done, second.done]);
  expect([a.status, b.status]).toEqual([0, 0]);
  expect(errorsOf(b.stderr)).toEqual([]); // the second found the valid index the first built, and kept it
  expect(sql('overlap', "SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_display_name_idx'::regclass")).toBe('t');
}, 60_000);

test('the ECS task runs the same psql script, piped from its environment', () => {
  createDatabase('ecs_task');
  const stack = new Stack(new App(), 'Shop', { env: { account: '111111111111', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc');
  new EcsExpandContractTask(stack, 'Expand', {
    cluster: new ecs.Cluster(stack, 'Cluster', { vpc }),
    databaseSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'Db', 'orders-db'),
    image: ecs.ContainerImage.fromRegistry('postgres:17.6-alpine'),
    phases: phases(),
    lockTimeout: CdkDuration.seconds(1),
  });
  const taskDefinition = Object.values<any>(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'))[0];
  const container = taskDefinition.Properties.ContainerDefinitions[0];
  const env = Object.fromEntries(container.Environment.map((e: any) => [e.Name, e.Value]));
  expect(container.Command.slice(0, 2)).toEqual(['sh', '-c']);
  const result = spawnSync('sh', container.Command.slice(1), {
    encoding: 'utf8',
    env: { PATH: `${server.env.PGBIN}:${process.env.PATH}`, ...env, PGHOST: server.env.PGHOST, PGPORT: server.env.PGPORT, PGUSER: server.env.PGUSER, PGDATABASE: 'ecs_task' },
  });
  expect(errorsOf(result.stderr)).toEqual([]);
  expect(result.status).toBe(0);
  expect(sqlError('ecs_task', V1.insert)).toBeUndefined();
  expect(sqlError('ecs_task', V2.insert)).toBeUndefined();
  expect(sql('ecs_task', "SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_display_name_idx'::regclass")).toBe('t');
}, 60_000);

test('golang-migrate runs the Job of each release, CONCURRENTLY outside a transaction, and a rerun applies nothing', async () => {
  createDatabase('golang_migrate');
  const runner = MigrationRunner.golangMigrate({ image: 'migrate/migrate:v4.19.1' });
  const simple = MigrationPhases.sql({
    expand: ['ALTER TABLE users ADD COLUMN IF NOT EXISTS display_name text', 'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_display_name_idx ON users (display_name)'],
    migrate: [
      '-- release-strategies:allow unbatched-backfill two rows in this test\nUPDATE users SET display_name = full_name WHERE display_name IS NULL',
      'ALTER TABLE users ADD CONSTRAINT users_display_name_not_null CHECK (display_name IS NOT NULL) NOT VALID',
      'ALTER TABLE users VALIDATE CONSTRAINT users_display_name_not_null',
    ],
    contract: ['ALTER TABLE users DROP COLUMN IF EXISTS full_name'],
    removes: [Removal.column('users', 'full_name')],
  });
  for (const phase of [Phase.EXPAND, Phase.MIGRATE, Phase.CONTRACT]) {
    for (const run of [1, 2]) {
      // Over TCP (a lib/pq URL names a host), without TLS on this local server.
      const objects = synthJob(phase, { runner, phases: simple, sslMode: PostgresSslMode.DISABLE });
      const result = await runJob(server, objects, 'golang_migrate', { binaries: { migrate: migrateBinary }, host: '127.0.0.1' });
      expect({ phase, run, status: result.status, stderr: errorsOf(result.stderr) }).toEqual({ phase, run, status: 0, stderr: [] });
    }
  }
  expect(sql('golang_migrate', 'SELECT version, dirty FROM migrate_rename_full_name')).toBe('3001|f');
  expect(sql('golang_migrate', "SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_display_name_idx'::regclass")).toBe('t');
  expect(columns('golang_migrate')).toBe('id:bigint:true,zip:integer:true,display_name:text:false');
  expect(sql('golang_migrate', 'SELECT display_name FROM users ORDER BY id')).toBe('Ada Lovelace\nGrace Hopper');
}, 120_000);

test('the expand-contract example runs against a real database, release by release', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildApp } = require('../../examples/expand-contract/main');
  const app = await buildApp(fs.mkdtempSync(path.join(os.tmpdir(), 'example-')));
  const releases: any[][] = app.charts.map((chart: any) => Testing.synth(chart));
  expect(releases).toHaveLength(3);
  sql('postgres', 'CREATE DATABASE example');
  sql('example', 'CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, full_name text NOT NULL)');
  sql('example', "INSERT INTO users (full_name) VALUES ('Ada Lovelace')");
  const v1 = { insert: "INSERT INTO users (full_name) VALUES ('Alan Turing')", select: 'SELECT full_name FROM users ORDER BY id' };
  const v2 = { insert: "INSERT INTO users (display_name) VALUES ('Grace Hopper')", select: 'SELECT display_name FROM users ORDER BY id' };

  for (const [i, objects] of releases.entries()) {
    for (const run of [1, 2]) { // a re-sync runs the hook again
      const result = await runJob(server, objects, 'example');
      expect({ release: i + 1, run, errors: errorsOf(result.stderr), status: result.status }).toEqual({ release: i + 1, run, errors: [], status: 0 });
    }
    expect(sqlError('example', v2.insert)).toBeUndefined();
    expect(sqlError('example', v2.select)).toBeUndefined();
    if (i < 2) {
      expect(sqlError('example', v1.insert)).toBeUndefined();
      expect(sqlError('example', v1.select)).toBeUndefined();
    }
  }
  expect(sql('example', 'SELECT display_name FROM users ORDER BY id').split('\n'))
    .toEqual(['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Grace Hopper', 'Alan Turing', 'Grace Hopper']);
  expect(sqlError('example', v1.select)).toBe('ERROR:  column "full_name" does not exist\nLINE 1: SELECT full_name FROM users ORDER BY id\n               ^');
}, 120_000);
