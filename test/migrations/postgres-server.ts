/**
 * A throwaway PostgreSQL server for the real-database tests (scripts/postgres.sh), and what the tests
 * run against it: SQL as the administrator, a generated Job's container as the kubelet would run it, and
 * a bounded load loop of an application version's statements that measures how long each one waited.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..', '..');

/** A running server: its binaries and connection. */
export class PostgresServer {
  /** Starts a server in a new temporary directory (installing PostgreSQL when it is missing). */
  public static start(): PostgresServer {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'release-strategies-pg-'));
    const out = execFileSync(path.join(ROOT, 'scripts', 'postgres.sh'), ['start', dir], { encoding: 'utf8', timeout: 570_000, stdio: ['ignore', 'pipe', 'inherit'] });
    return new PostgresServer(dir, Object.fromEntries(out.trim().split('\n').map((line) => line.split(/=(.*)/s).slice(0, 2))));
  }

  private constructor(private readonly dir: string, public readonly env: { [key: string]: string }) {}

  public stop(): void {
    execFileSync(path.join(ROOT, 'scripts', 'postgres.sh'), ['stop', this.dir], { stdio: 'inherit' });
  }

  public bin(name: string): string {
    return path.join(this.env.PGBIN, name);
  }

  /** The environment of an administrator session on `database`. */
  public connection(database: string): { [name: string]: string } {
    return { PATH: process.env.PATH ?? '', PGHOST: this.env.PGHOST, PGPORT: this.env.PGPORT, PGUSER: this.env.PGUSER, PGDATABASE: database };
  }

  /** Runs SQL as the administrator; returns psql's unaligned output. Throws on error. */
  public sql(database: string, text: string): string {
    return execFileSync(this.bin('psql'), ['--no-psqlrc', '--set=ON_ERROR_STOP=1', '--tuples-only', '--no-align', '--command', text], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: this.connection(database),
    }).trim();
  }

  /** Runs SQL, returning the error message instead of throwing. */
  public sqlError(database: string, text: string): string | undefined {
    try {
      this.sql(database, text);
      return undefined;
    } catch (e: any) {
      return String(e.stderr).trim();
    }
  }

  /** A session that keeps a transaction open (and its snapshot) until it is killed, as a busy application would. */
  public async openTransaction(database: string, statement = 'SELECT 1'): Promise<ChildProcess> {
    const child = spawn(this.bin('psql'), ['--no-psqlrc', '--quiet', '--command', `BEGIN; ${statement}; SELECT pg_sleep(60); COMMIT;`], {
      env: { ...this.connection(database), PGAPPNAME: 'open-transaction' }, stdio: 'ignore',
    });
    for (let i = 0; i < 200; i++) {
      if (this.sql(database, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'open-transaction' AND wait_event = 'PgSleep'") !== '0') return child;
      await sleep(25);
    }
    throw new Error('the open transaction did not start');
  }

  /** Ends the transaction `openTransaction` keeps open. */
  public closeTransaction(database: string, child: ChildProcess): void {
    child.kill('SIGKILL');
    this.sql(database, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'open-transaction'");
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What a process printed and how it ended. */
export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A started process: its output so far, and its end. */
export interface Started {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly done: Promise<Run>;
}

export function start(command: string, args: string[], env: { [name: string]: string }, stdin?: string): Started {
  const child = spawn(command, args, { env });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  child.stderr!.on('data', (d) => { stderr += d; });
  if (stdin !== undefined) child.stdin!.end(stdin);
  const done = new Promise<Run>((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
  return { child, output: () => stdout, done };
}

/** Kubernetes' `$(VAR)` expansion of container arguments and environment values. */
export function expandVariables(text: string, env: { [name: string]: string }): string {
  return text.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name) => env[name] ?? whole);
}

/**
 * Starts the Job's container the way the kubelet would: its command and arguments, its environment
 * (the Secret's keys point at the test server), and its ConfigMap's files where the Job mounts them.
 */
export function startJob(server: PostgresServer, objects: any[], database: string, options: JobRunOptions = {}): Started {
  const job = objects.find((o) => o.kind === 'Job');
  const configMap = objects.find((o) => o.kind === 'ConfigMap');
  const container = job.spec.template.spec.containers[0];
  if (job.spec.template.spec.initContainers !== undefined) throw new Error('the Job has init containers; this runs only its container');
  const mount = container.volumeMounts.find((m: any) => m.name === 'migrations');
  const files = fs.mkdtempSync(path.join(os.tmpdir(), 'migration-files-'));
  for (const [name, content] of Object.entries<string>(configMap.data)) fs.writeFileSync(path.join(files, name), content);
  const secret: { [key: string]: string } = { host: options.host ?? server.env.PGHOST, port: server.env.PGPORT, dbname: database, user: server.env.PGUSER, password: '' };
  const env: { [name: string]: string } = {};
  for (const e of container.env) {
    env[e.name] = e.valueFrom ? secret[e.valueFrom.secretKeyRef.key] : expandVariables(e.value, env);
  }
  env.HOME = files; // the Job mounts an emptyDir at /tmp; HOME points there
  const args: string[] = container.args.map((a: string) => expandVariables(a, env).split(mount.mountPath).join(files));
  const command = container.command[0];
  const program = options.binaries?.[command] ?? server.bin(command);
  return start(program, args, { PATH: process.env.PATH ?? '', ...env });
}

/** How a Job's container runs here. */
export interface JobRunOptions {
  /** Programs on this machine for the container's commands (default: the server's binaries). */
  readonly binaries?: { [command: string]: string };
  /** The Secret's host (default: the server's Unix socket directory). */
  readonly host?: string;
}

/** Runs the Job's container to its end. */
export function runJob(server: PostgresServer, objects: any[], database: string, options: JobRunOptions = {}): Promise<Run> {
  return startJob(server, objects, database, options).done;
}

/** One statement of a version's workload: its SQL, given a random row id. */
export type Statement = (id: number) => string;

/** What a load loop measured. */
export interface Load {
  /** Statements run. */
  readonly statements: number;
  /** The longest any one of them took, in milliseconds (a lock wait included). */
  readonly maxWaitMs: number;
  /** The statement that took longest. */
  readonly slowest: string;
  /** Errors the statements got. */
  readonly errors: string[];
}

/** How many sessions a load loop runs, over which rows, how fast and for how long at most. */
export interface LoadOptions {
  readonly workers: number;
  readonly rows: number;
  readonly pauseMs: number;
  readonly maxStatements: number;
}

/**
 * A bounded load loop: `workers` sessions, each running `statements` in turn (random ids from 1 to
 * `rows`) with `pauseMs` between two, until `stop()` is called or each has run `maxStatements`.
 */
export class LoadLoop {
  private stopped = false;
  private readonly finished: Promise<Load[]>;

  constructor(server: PostgresServer, database: string, statements: Statement[], options: LoadOptions) {
    const workers = Array.from({ length: options.workers }, (_, w) => this.worker(server, database, statements, options, w));
    this.finished = Promise.all(workers);
  }

  /** Stops the loop and returns what it measured. */
  public async stop(): Promise<Load> {
    this.stopped = true;
    const loads = await this.finished;
    const slowest = loads.reduce((a, b) => (b.maxWaitMs > a.maxWaitMs ? b : a));
    return {
      statements: loads.reduce((n, l) => n + l.statements, 0),
      maxWaitMs: slowest.maxWaitMs,
      slowest: slowest.slowest,
      errors: loads.flatMap((l) => l.errors),
    };
  }

  private async worker(server: PostgresServer, database: string, statements: Statement[], options: LoadOptions, w: number): Promise<Load> {
    const child = spawn(server.bin('psql'), ['--no-psqlrc', '--quiet', '--set=ON_ERROR_STOP=0'], { env: { ...server.connection(database), PGAPPNAME: `load-${w}` } });
    const errors: string[] = [];
    let buffer = '';
    let waiting: (() => void) | undefined;
    child.stdout.on('data', (d) => {
      buffer += d;
      if (buffer.includes('@@done\n')) {
        buffer = '';
        const resolve = waiting;
        waiting = undefined;
        resolve?.();
      }
    });
    child.stderr.on('data', (d) => { for (const line of String(d).split('\n')) if (line.startsWith('ERROR')) errors.push(line); });
    let maxWaitMs = 0;
    let slowest = '';
    let n = 0;
    for (; n < options.maxStatements && !this.stopped; n++) {
      const sql = statements[n % statements.length](1 + Math.floor(Math.random() * options.rows));
      const started = process.hrtime.bigint();
      await new Promise<void>((resolve) => {
        waiting = resolve;
        child.stdin.write(`${sql};\n\\echo @@done\n`);
      });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (ms > maxWaitMs) {
        maxWaitMs = ms;
        slowest = sql;
      }
      await sleep(options.pauseMs);
    }
    child.stdin.end();
    await new Promise((resolve) => child.on('close', resolve));
    return { statements: n, maxWaitMs, slowest, errors };
  }
}
