/**
 * The proof standard of the migration rules: every phase of a rename runs against a real PostgreSQL
 * server (scripts/postgres.sh) while a bounded load loop runs the statements of the application
 * versions that are live during that phase, and the longest any of those statements waited stays under
 * the phase's lock_timeout plus a small margin. Every phase is killed midway once, then run again, then
 * run a third time (a re-sync of a finished phase), and ends in the right schema.
 *
 * A control runs the migrate phase the way the library used to (backfill, ADD CONSTRAINT and VALIDATE
 * in one transaction) under the same load, and measures a wait far over the bound: the measurement
 * catches a phase that blocks the running version.
 */
import { Duration, Testing } from 'cdk8s';
import { Load, LoadLoop, PostgresServer, sleep, start, startJob, Statement } from './postgres-server';
import {
  Backfill, DatabaseConnection, ExpandContractJob, JobOrdering, MigrationPhases, MigrationRunner, Phase, Removal, SqlParser,
} from '../../src';

/** lock_timeout and batchTimeout of every phase here. */
const LOCK_MS = 1000;
/**
 * What the load may see on top of them: the phase's own DDL time while it holds its lock, psql's round
 * trips between the statements of a transaction, and a statement's own time, on a shared two-core
 * machine at a load average of 20 to 30.
 */
const MARGIN_MS = 2000;
const ROWS = 200_000;
const NAME = 'rename-full-name';

let server: PostgresServer;
const measured: Array<[string, Load, number]> = [];

beforeAll(async () => {
  await SqlParser.load();
  server = PostgresServer.start();
  // The control gets six times the rows, so that what it blocks stands out from a busy machine's noise
  // and stays over the bound on a fast one.
  for (const [database, rows] of [['live', ROWS], ['control', 6 * ROWS]] as const) {
    server.sql('postgres', `CREATE DATABASE ${database}`);
    server.sql(database, 'CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, full_name text NOT NULL, zip integer NOT NULL)');
    server.sql(database, `INSERT INTO users (full_name, zip) SELECT 'user ' || n, n % 99999 FROM generate_series(1, ${rows}) n`);
    server.sql(database, 'VACUUM ANALYZE users');
  }
}, 600_000);

afterAll(() => {
  server?.stop();
  process.stdout.write(`\nLongest wait of a running version's statement per phase (lock_timeout ${LOCK_MS} ms, ${ROWS} rows):\n`
    + measured.map(([phase, l, idleMs]) => `  ${phase}: ${l.maxWaitMs.toFixed(0)} ms over ${l.statements} statements (${l.slowest}); the same load with no phase running: ${idleMs.toFixed(0)} ms\n`).join(''));
});

/** Version 1 reads and writes full_name. */
const V1: Statement[] = [
  (id) => `SELECT full_name, zip FROM users WHERE id = ${id}`,
  (id) => `UPDATE users SET full_name = full_name || '' WHERE id = ${id}`,
  (id) => `INSERT INTO users (full_name, zip) VALUES ('v1 ${id}', ${id % 99999})`,
];
/** Version 2 reads and writes display_name. */
const V2: Statement[] = [
  (id) => `SELECT display_name, zip FROM users WHERE id = ${id}`,
  (id) => `UPDATE users SET display_name = display_name || '' WHERE id = ${id}`,
  (id) => `INSERT INTO users (display_name, zip) VALUES ('v2 ${id}', ${id % 99999})`,
];

function phases(): MigrationPhases {
  return MigrationPhases.sql({
    expand: [
      'ALTER TABLE users ADD COLUMN IF NOT EXISTS display_name text',
      // Each version writes only its own column; until contract, the trigger keeps the other in step.
      `CREATE OR REPLACE FUNCTION users_sync() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'UPDATE' AND NEW.full_name IS DISTINCT FROM OLD.full_name AND NEW.display_name IS NOT DISTINCT FROM OLD.display_name THEN
           NEW.display_name := NEW.full_name;
         END IF;
         NEW.display_name := coalesce(NEW.display_name, NEW.full_name);
         NEW.full_name := coalesce(NEW.full_name, NEW.display_name);
         RETURN NEW;
       END $$`,
      'CREATE OR REPLACE TRIGGER users_sync BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION users_sync()',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_display_name_idx ON users (display_name)',
    ],
    backfills: [Backfill.batched({ table: 'users', set: 'display_name = full_name', pending: 'display_name IS NULL', batchSize: 1000 })],
    migrate: [
      'ALTER TABLE users ADD CONSTRAINT users_display_name_not_null CHECK (display_name IS NOT NULL) NOT VALID',
      'ALTER TABLE users VALIDATE CONSTRAINT users_display_name_not_null',
    ],
    contract: [
      'DROP TRIGGER IF EXISTS users_sync ON users',
      'DROP FUNCTION IF EXISTS users_sync()',
      'ALTER TABLE users ALTER COLUMN display_name SET NOT NULL',
      'ALTER TABLE users DROP CONSTRAINT IF EXISTS users_display_name_not_null',
      'ALTER TABLE users DROP COLUMN IF EXISTS full_name',
    ],
    removes: [Removal.column('users', 'full_name')],
  });
}

function job(phase: Phase): any[] {
  const chart = Testing.chart();
  new ExpandContractJob(chart, NAME, {
    database: DatabaseConnection.fromSecret({ secretName: 'orders-db-app' }),
    runner: MigrationRunner.psql({ image: 'postgres:17.6-alpine' }),
    phases: phases(),
    current: phase,
    ordering: JobOrdering.argoCd(),
    oldShapeUnusedSince: 'orders:2.0.0',
    lockTimeout: Duration.millis(LOCK_MS),
    batchTimeout: Duration.millis(LOCK_MS),
  });
  return Testing.synth(chart);
}

function load(database: string, statements: Statement[]): LoadLoop {
  return new LoadLoop(server, database, statements, { workers: 3, rows: ROWS, pauseMs: 5, maxStatements: 5000 });
}

/**
 * The longest wait of the same load with no phase running, measured just before the phase: what a busy
 * machine adds to any statement. The bound of a phase is its lock_timeout plus the margin plus this.
 */
async function idleWait(database: string, statements: Statement[]): Promise<number> {
  const loop = load(database, statements);
  await sleep(1500);
  return (await loop.stop()).maxWaitMs;
}

/** Kills a running phase midway, as a deleted pod would: the client goes, and so does its session. */
async function kill(run: { child: any; done: Promise<any> }, phase: Phase): Promise<void> {
  run.child.kill('SIGKILL');
  await run.done;
  server.sql('live', `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '${NAME}-${phase}'`);
}

async function until(what: string, condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (condition()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting until ${what}`);
}

function expectBounded(phase: string, l: Load, idleMs: number): void {
  measured.push([phase, l, idleMs]);
  expect({ phase, errors: l.errors }).toEqual({ phase, errors: [] });
  expect(l.statements).toBeGreaterThan(5); // the load ran while the phase did (a short phase on a busy machine sees few)
  expect(l.maxWaitMs).toBeLessThan(LOCK_MS + MARGIN_MS + idleMs);
}

test('expand under version 1 traffic: killed during the index build, rerun rebuilds the INVALID index, a third run changes nothing', async () => {
  const idleMs = await idleWait('live', V1);
  const traffic = load('live', V1);
  // A long transaction of the running version keeps the index build waiting; the run is killed then.
  const busy = await server.openTransaction('live');
  const first = startJob(server, job(Phase.EXPAND), 'live');
  const index = "SELECT coalesce((SELECT indisvalid::text FROM pg_index WHERE indexrelid = to_regclass('users_display_name_idx')), 'none')";
  await until('the index build waits', () => server.sql('live', index) === 'false');
  await kill(first, Phase.EXPAND);
  server.closeTransaction('live', busy);
  expect(server.sql('live', index)).toBe('false'); // what a killed build leaves behind

  const second = await startJob(server, job(Phase.EXPAND), 'live').done;
  expect(second.status).toBe(0);
  expect(second.stdout).toContain('DROP INDEX CONCURRENTLY users_display_name_idx');
  expect(server.sql('live', index)).toBe('true');
  const third = await startJob(server, job(Phase.EXPAND), 'live').done;
  expect({ status: third.status, stderr: third.stderr.split('\n').filter((l) => l.startsWith('ERROR')) }).toEqual({ status: 0, stderr: [] });
  expectBounded('expand', await traffic.stop(), idleMs);

  // Both versions work now.
  expect(server.sqlError('live', "INSERT INTO users (full_name, zip) VALUES ('Ada', 1)")).toBeUndefined();
  expect(server.sqlError('live', "INSERT INTO users (display_name, zip) VALUES ('Grace', 2)")).toBeUndefined();
}, 120_000);

test('migrate under version 1 and 2 traffic: killed midway through the backfill, rerun resumes it, a third run changes nothing', async () => {
  const idleMs = await idleWait('live', [...V1, ...V2]);
  const traffic = load('live', [...V1, ...V2]);
  const pending = () => Number(server.sql('live', 'SELECT count(*) FROM users WHERE display_name IS NULL'));
  const before = pending();
  expect(before).toBeGreaterThan(ROWS / 2);
  const first = startJob(server, job(Phase.MIGRATE), 'live');
  await until('30 batches committed', () => pending() <= before - 30_000);
  await kill(first, Phase.MIGRATE);
  const left = pending();
  expect(left).toBeLessThan(before - 25_000); // the committed batches stay committed
  expect(left).toBeGreaterThan(0);

  const second = await startJob(server, job(Phase.MIGRATE), 'live').done;
  expect({ status: second.status, errors: second.stderr.split('\n').filter((l) => l.startsWith('ERROR')) }).toEqual({ status: 0, errors: [] });
  expect(pending()).toBe(0);
  expect(server.sql('live', "SELECT convalidated FROM pg_constraint WHERE conname = 'users_display_name_not_null'")).toBe('t');
  const third = await startJob(server, job(Phase.MIGRATE), 'live').done;
  expect(third.status).toBe(0);
  expect(third.stdout).not.toMatch(/^UPDATE [1-9]/m); // nothing left to backfill
  expect(third.stderr).toContain('NOTICE:  skipped, it ran before: ALTER TABLE users ADD CONSTRAINT users_display_name_not_null');
  expectBounded('migrate', await traffic.stop(), idleMs);
}, 120_000);

test('contract under version 2 traffic: killed while it waits for its lock, rerun completes, a third run changes nothing', async () => {
  const idleMs = await idleWait('live', V2);
  const traffic = load('live', V2);
  const busy = await server.openTransaction('live', 'SELECT count(*) FROM users');
  const first = startJob(server, job(Phase.CONTRACT), 'live');
  await until('contract waits for its lock', () => server.sql('live', `SELECT count(*) FROM pg_stat_activity WHERE application_name = '${NAME}-contract' AND wait_event_type = 'Lock'`) === '1');
  await kill(first, Phase.CONTRACT);
  server.closeTransaction('live', busy);
  expect(server.sql('live', "SELECT count(*) FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'full_name' AND NOT attisdropped")).toBe('1');

  for (const run of [1, 2]) {
    const result = await startJob(server, job(Phase.CONTRACT), 'live').done;
    expect({ run, status: result.status, errors: result.stderr.split('\n').filter((l) => l.startsWith('ERROR')) }).toEqual({ run, status: 0, errors: [] });
  }
  expectBounded('contract', await traffic.stop(), idleMs);
  expect(server.sql('live', "SELECT string_agg(attname || ':' || attnotnull, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'users'::regclass AND attnum > 0 AND NOT attisdropped"))
    .toBe('id:true,zip:true,display_name:true');
  expect(server.sql('live', 'SELECT count(*) FROM users WHERE display_name IS NULL')).toBe('0');
}, 120_000);

test('control: the old single-transaction migrate (backfill, ADD CONSTRAINT, VALIDATE) keeps the running version waiting far over the bound', async () => {
  server.sql('control', 'ALTER TABLE users ADD COLUMN display_name text');
  const idleMs = await idleWait('control', V1);
  const traffic = load('control', V1);
  await sleep(200);
  const script = [
    `SET lock_timeout = '${LOCK_MS}ms';`,
    'BEGIN;',
    'UPDATE users SET display_name = full_name WHERE display_name IS NULL;',
    'ALTER TABLE users ADD CONSTRAINT users_display_name_not_null CHECK (display_name IS NOT NULL) NOT VALID;',
    'ALTER TABLE users VALIDATE CONSTRAINT users_display_name_not_null;',
    'COMMIT;',
  ].join('\n');
  // It may also end in a lock timeout or deadlock: its ALTER TABLE waits for writers that wait for its row locks.
  await start(server.bin('psql'), ['--no-psqlrc', '--set=ON_ERROR_STOP=1', '--file=-'], server.connection('control'), script).done;
  await sleep(200);
  const l = await traffic.stop();
  measured.push(['control (one transaction)', l, idleMs]);
  expect(l.maxWaitMs).toBeGreaterThan(LOCK_MS + MARGIN_MS + idleMs);
}, 120_000);
