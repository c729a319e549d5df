/**
 * Runs migrations against a real PostgreSQL server, exactly as the generated Job (and the ECS task)
 * would: the Job's psql command line, its environment and the files of its ConfigMap.
 *
 * scripts/postgres.sh starts a throwaway server (installing PostgreSQL with apt-get when it is missing)
 * and stops it afterwards. When no server can be started, every test here fails: they never skip.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration as CdkDuration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Duration, Testing } from 'cdk8s';
import {
  DatabaseConnection, EcsExpandContractTask, ExpandContractJob, JobOrdering, MigrationPhases, MigrationRunner, Phase, SqlParser,
} from '../../src';

const ROOT = path.resolve(__dirname, '..', '..');
const SERVER_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'release-strategies-pg-'));
let server: { [key: string]: string } = {};

beforeAll(async () => {
  await SqlParser.load();
  const out = execFileSync(path.join(ROOT, 'scripts', 'postgres.sh'), ['start', SERVER_DIR], { encoding: 'utf8', timeout: 570_000, stdio: ['ignore', 'pipe', 'inherit'] });
  server = Object.fromEntries(out.trim().split('\n').map((line) => line.split(/=(.*)/s).slice(0, 2)));
}, 600_000);

afterAll(() => {
  execFileSync(path.join(ROOT, 'scripts', 'postgres.sh'), ['stop', SERVER_DIR], { stdio: 'inherit' });
});

/** Runs SQL as the administrator; returns psql's unaligned output. Throws on error. */
function sql(database: string, text: string): string {
  return execFileSync(path.join(server.PGBIN, 'psql'), ['--no-psqlrc', '--set=ON_ERROR_STOP=1', '--tuples-only', '--no-align', '--dbname', database, '--command', text], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, PGHOST: server.PGHOST, PGPORT: server.PGPORT, PGUSER: server.PGUSER },
  }).trim();
}

/** Runs SQL, returning the error message instead of throwing. */
function sqlError(database: string, text: string): string | undefined {
  try {
    sql(database, text);
    return undefined;
  } catch (e: any) {
    return String(e.stderr).trim();
  }
}

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
      'ALTER TABLE users ADD COLUMN display_name text',
      'ALTER TABLE users ADD COLUMN postcode text',
      // Each version writes only its own columns; until contract, the trigger fills in the other ones.
      `CREATE FUNCTION users_v2_sync() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         NEW.display_name := coalesce(NEW.display_name, NEW.full_name);
         NEW.full_name := coalesce(NEW.full_name, NEW.display_name);
         NEW.postcode := coalesce(NEW.postcode, lpad(NEW.zip::text, 5, '0'));
         NEW.zip := coalesce(NEW.zip, NEW.postcode::integer);
         RETURN NEW;
       END $$`,
      'CREATE TRIGGER users_v2_sync BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION users_v2_sync()',
      'CREATE INDEX CONCURRENTLY users_display_name_idx ON users (display_name)',
    ],
    migrate: [
      'UPDATE users SET display_name = full_name WHERE display_name IS NULL',
      "UPDATE users SET postcode = lpad(zip::text, 5, '0') WHERE postcode IS NULL",
      'ALTER TABLE users ADD CONSTRAINT users_display_name_not_null CHECK (display_name IS NOT NULL) NOT VALID',
      'ALTER TABLE users VALIDATE CONSTRAINT users_display_name_not_null',
    ],
    contract: [
      'DROP TRIGGER users_v2_sync ON users',
      'DROP FUNCTION users_v2_sync()',
      'ALTER TABLE users ALTER COLUMN display_name SET NOT NULL',
      'ALTER TABLE users DROP CONSTRAINT users_display_name_not_null',
      'ALTER TABLE users DROP COLUMN full_name',
      'ALTER TABLE users DROP COLUMN zip',
    ],
  });
}

/** Synthesizes the Job of `phase`: its objects as Kubernetes would get them. */
function synthJob(phase: Phase, lockTimeout = Duration.seconds(5)): any[] {
  const chart = Testing.chart();
  new ExpandContractJob(chart, 'rename-full-name', {
    database: DatabaseConnection.fromSecret({ secretName: 'orders-db-app' }),
    runner: MigrationRunner.psql({ image: 'postgres:17.6-alpine' }),
    phases: phases(),
    current: phase,
    ordering: JobOrdering.argoCd(),
    oldShapeUnusedSince: 'orders:2.0.0',
    lockTimeout,
  });
  return Testing.synth(chart);
}

/** Kubernetes' `$(VAR)` expansion of container arguments and environment values. */
function expandVariables(text: string, env: { [name: string]: string }): string {
  return text.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name) => env[name] ?? whole);
}

/**
 * Runs the Job's container the way the kubelet would: its command and arguments, its environment (the
 * Secret's keys point at the test server), and its ConfigMap's files where the Job mounts them.
 */
function runJob(objects: any[], database: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const job = objects.find((o) => o.kind === 'Job');
  const configMap = objects.find((o) => o.kind === 'ConfigMap');
  const container = job.spec.template.spec.containers[0];
  expect(job.spec.template.spec.initContainers).toBeUndefined();
  const mount = container.volumeMounts.find((m: any) => m.name === 'migrations');
  expect(job.spec.template.spec.volumes.find((v: any) => v.name === 'migrations').configMap.name).toBe(configMap.metadata.name);
  const files = fs.mkdtempSync(path.join(os.tmpdir(), 'migration-files-'));
  for (const [name, content] of Object.entries<string>(configMap.data)) fs.writeFileSync(path.join(files, name), content);
  const secret: { [key: string]: string } = { host: server.PGHOST, port: server.PGPORT, dbname: database, user: server.PGUSER, password: '' };
  const env: { [name: string]: string } = {};
  for (const e of container.env) {
    env[e.name] = e.valueFrom ? secret[e.valueFrom.secretKeyRef.key] : expandVariables(e.value, env);
  }
  env.HOME = files; // the Job mounts an emptyDir at /tmp; HOME points there
  const args: string[] = container.args.map((a: string) => expandVariables(a, env).split(mount.mountPath).join(files));
  expect(container.command).toEqual(['psql']);
  return new Promise((resolve) => {
    const child = spawn(path.join(server.PGBIN, 'psql'), args, { env: { PATH: process.env.PATH, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A session that keeps a transaction open (and its snapshot) for `seconds`, as a busy application would. */
function openTransaction(database: string, seconds: number, statement = 'SELECT 1'): ChildProcess {
  return spawn(path.join(server.PGBIN, 'psql'), ['--no-psqlrc', '--quiet', '--dbname', database,
    '--command', `BEGIN; ${statement}; SELECT pg_sleep(${seconds}); COMMIT;`], {
    env: { PATH: process.env.PATH, PGHOST: server.PGHOST, PGPORT: server.PGPORT, PGUSER: server.PGUSER },
    stdio: 'ignore',
  });
}

async function waitForOpenTransaction(database: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (sql(database, "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()") !== '0') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the open transaction did not start');
}

test('rename and type change across three releases: both versions keep working until contract', async () => {
  createDatabase('three_releases');
  expect(sql('three_releases', V1.select)).toBe('Ada Lovelace|1234\nGrace Hopper|90210');

  // Release 1: expand, while a long transaction of the running version keeps an old snapshot open.
  // CREATE INDEX CONCURRENTLY waits for it; with lock_timeout (1s here) it would fail and leave an
  // INVALID index, so the Job lifts lock_timeout around it.
  const busy = openTransaction('three_releases', 3);
  await waitForOpenTransaction('three_releases');
  const expand = await runJob(synthJob(Phase.EXPAND, Duration.seconds(1)), 'three_releases');
  busy.kill();
  expect(expand.stderr).toBe('');
  expect(expand.status).toBe(0);
  expect(expand.stdout).toContain("SET lock_timeout = '1s'");
  expect(sql('three_releases', "SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_display_name_idx'::regclass")).toBe('t');

  // Both versions run now: each one's writes and reads succeed.
  expect(sqlError('three_releases', V1.insert)).toBeUndefined();
  expect(sqlError('three_releases', V2.insert)).toBeUndefined();
  expect(sql('three_releases', V1.select)).toBe('Ada Lovelace|1234\nGrace Hopper|90210\nAlan Turing|2138\nEdsger Dijkstra|1234');
  expect(sql('three_releases', V2.select)).toBe('|\n|\nAlan Turing|02138\nEdsger Dijkstra|01234');

  // Release 2: migrate backfills the rows written before expand.
  const migrate = await runJob(synthJob(Phase.MIGRATE), 'three_releases');
  expect(migrate.stderr).toBe('');
  expect(migrate.status).toBe(0);
  expect(sql('three_releases', V2.select)).toBe('Ada Lovelace|01234\nGrace Hopper|90210\nAlan Turing|02138\nEdsger Dijkstra|01234');
  expect(sqlError('three_releases', V1.insert)).toBeUndefined(); // a rollback to v1 still works
  expect(sqlError('three_releases', V2.insert)).toBeUndefined();

  // Release 3: contract, once no running version reads full_name or zip.
  const contract = await runJob(synthJob(Phase.CONTRACT), 'three_releases');
  expect(contract.stderr).toBe('');
  expect(contract.status).toBe(0);
  expect(sqlError('three_releases', V2.insert)).toBeUndefined();
  expect(sql('three_releases', V2.select).split('\n')).toHaveLength(7);
  expect(sqlError('three_releases', V1.select)).toBe('ERROR:  column "full_name" does not exist\nLINE 1: SELECT full_name, zip FROM users ORDER BY id\n               ^');
  expect(sql('three_releases', "SELECT string_agg(attname || ':' || format_type(atttypid, atttypmod) || ':' || attnotnull, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'users'::regclass AND attnum > 0 AND NOT attisdropped"))
    .toBe('id:bigint:true,display_name:text:true,postcode:text:false');
}, 120_000);

test('the refused rename is what would break the running version', () => {
  createDatabase('refused_rename');
  sql('refused_rename', 'ALTER TABLE users RENAME COLUMN full_name TO display_name');
  expect(sqlError('refused_rename', V1.select)).toBe('ERROR:  column "full_name" does not exist\nLINE 1: SELECT full_name, zip FROM users ORDER BY id\n               ^');
});

test('lock_timeout fails a blocked expand fast, and the phase leaves nothing half-applied', async () => {
  createDatabase('blocked');
  // The running version holds a lock on users in a long transaction; ADD COLUMN needs ACCESS EXCLUSIVE.
  const busy = openTransaction('blocked', 10, 'SELECT count(*) FROM users');
  await waitForOpenTransaction('blocked');
  const started = Date.now();
  const expand = await runJob(synthJob(Phase.EXPAND, Duration.seconds(1)), 'blocked');
  const seconds = (Date.now() - started) / 1000;
  busy.kill();
  expect(expand.status).toBe(3); // psql: an error in the script, with ON_ERROR_STOP
  expect(expand.stderr).toContain('ERROR:  canceling statement due to lock timeout');
  expect(seconds).toBeLessThan(8);
  expect(sql('blocked', "SELECT count(*) FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname IN ('display_name', 'postcode')")).toBe('0');
}, 60_000);

test('the ECS task runs the same psql commands, one --command each', () => {
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
  const result = spawnSync(path.join(server.PGBIN, 'psql'), container.Command.slice(1), {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env, PGHOST: server.PGHOST, PGPORT: server.PGPORT, PGUSER: server.PGUSER, PGDATABASE: 'ecs_task' },
  });
  expect(container.Command[0]).toBe('psql');
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(sqlError('ecs_task', V1.insert)).toBeUndefined();
  expect(sqlError('ecs_task', V2.insert)).toBeUndefined();
  expect(sql('ecs_task', "SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_display_name_idx'::regclass")).toBe('t');
}, 60_000);

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
    const run = await runJob(objects, 'example');
    expect({ release: i + 1, stderr: run.stderr, status: run.status }).toEqual({ release: i + 1, stderr: '', status: 0 });
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
