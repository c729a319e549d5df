/**
 * How a phase's statements are executed: grouped into transactions, with lock_timeout and
 * statement_timeout set first. Internal: the Kubernetes runners and the ECS task share it.
 */
import { createHash } from 'crypto';
import { Backfill } from './backfill';
import { Phase } from './phase';
import { dollarTag, quoteIdent, SqlStatement } from './sql-statement';

/**
 * The timeouts of a migration, as PostgreSQL reads them in SET (`5s`, `1500ms`, or a deploy-time
 * value such as `${Token[...]}s`).
 */
export interface Timeouts {
  /** `lock_timeout` of every statement but those that wait for older transactions. */
  readonly lock: string;
  /** `statement_timeout` of DDL and every other statement. */
  readonly statement: string;
  /** `statement_timeout` of index builds (CONCURRENTLY) and constraint validation. */
  readonly indexBuild: string;
  /** `statement_timeout` of each backfill batch. */
  readonly batch: string;
}

/** Which `statement_timeout` a unit runs under. */
export enum TimeoutClass {
  STATEMENT = 'statement',
  INDEX_BUILD = 'indexBuild',
}

/** Statements that run together: in one transaction, or alone outside any transaction. */
export interface Unit {
  readonly statements: SqlStatement[];
  /** Whether the unit runs inside a transaction block (false for CONCURRENTLY and VACUUM). */
  readonly transactional: boolean;
  /**
   * Whether the statement waits for every older transaction to finish (CREATE/DROP INDEX CONCURRENTLY,
   * REINDEX CONCURRENTLY). lock_timeout applies to that wait, so a short one would fail the build and
   * leave an INVALID index behind; such statements run without lock_timeout, bounded by the index build
   * timeout. They take no lock that blocks reads or writes while they wait.
   */
  readonly waitsForOlderTransactions: boolean;
  /** Which statement_timeout the unit runs under. */
  readonly timeout: TimeoutClass;
  /** The backfill this unit runs (its `statements` are then empty). */
  readonly backfill?: Backfill;
}

/** Whether the statement cannot run inside a transaction block. */
export function cannotRunInTransaction(s: SqlStatement, postgresVersion: number): boolean {
  switch (s.type) {
    case 'IndexStmt':
    case 'DropStmt':
      return s.node.concurrent === true;
    case 'ReindexStmt':
      return concurrentReindex(s);
    case 'VacuumStmt':
      return s.node.is_vacuumcmd !== false;
    case 'AlterEnumStmt':
      // ADD VALUE may run in a transaction block only since PostgreSQL 12.
      return s.node.oldVal === undefined && postgresVersion < 12;
    case 'CreatedbStmt':
    case 'DropdbStmt':
    case 'AlterSystemStmt':
    case 'CreateTableSpaceStmt':
    case 'DropTableSpaceStmt':
      return true;
    default:
      return false;
  }
}

function concurrentReindex(s: SqlStatement): boolean {
  return (s.node.params ?? []).some((p: any) => p.DefElem?.defname === 'concurrently');
}

function waitsForOlderTransactions(s: SqlStatement): boolean {
  return ((s.type === 'IndexStmt' || s.type === 'DropStmt') && s.node.concurrent === true)
    || (s.type === 'ReindexStmt' && concurrentReindex(s));
}

/** Statements that scan or write many rows: each runs in a transaction of its own. */
function runsAlone(s: SqlStatement): TimeoutClass | undefined {
  switch (s.type) {
    case 'AlterTableStmt':
      // VALIDATE scans the table under a lock that blocks no reads or writes; in a transaction with the
      // ADD CONSTRAINT before it, it would scan under that statement's ACCESS EXCLUSIVE lock instead.
      return (s.node.cmds ?? []).some((c: any) => c.AlterTableCmd?.subtype === 'AT_ValidateConstraint') ? TimeoutClass.INDEX_BUILD : undefined;
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'MergeStmt':
    case 'InsertStmt':
    case 'AlterEnumStmt':
      // Row writes hold their row locks until commit; a new enum value is usable only once committed.
      return TimeoutClass.STATEMENT;
    default:
      return undefined;
  }
}

/**
 * Groups a phase into units: the backfills first (migrate), each its own; then consecutive DDL shares
 * a transaction; a statement that cannot run in one runs alone outside any; VALIDATE CONSTRAINT, row
 * writes and ALTER TYPE ... ADD VALUE each commit alone, so no scan or row write holds the locks of the
 * DDL before it.
 */
export function planUnits(statements: readonly SqlStatement[], postgresVersion: number, backfills: readonly Backfill[] = []): Unit[] {
  const units: Unit[] = backfills.map((b) => ({
    statements: [], transactional: false, waitsForOlderTransactions: false, timeout: TimeoutClass.STATEMENT, backfill: b,
  }));
  let group: SqlStatement[] = [];
  const flush = () => {
    if (group.length > 0) units.push({ statements: group, transactional: true, waitsForOlderTransactions: false, timeout: TimeoutClass.STATEMENT });
    group = [];
  };
  for (const s of statements) {
    const alone = runsAlone(s);
    if (cannotRunInTransaction(s, postgresVersion)) {
      flush();
      const waits = waitsForOlderTransactions(s);
      const timeout = waits ? TimeoutClass.INDEX_BUILD : TimeoutClass.STATEMENT;
      units.push({ statements: [s], transactional: false, waitsForOlderTransactions: waits, timeout });
    } else if (alone !== undefined) {
      flush();
      units.push({ statements: [s], transactional: true, waitsForOlderTransactions: false, timeout: alone });
    } else {
      group.push(s);
    }
  }
  flush();
  return units;
}

/** A duration as PostgreSQL reads it in SET: `5s`, `1500ms`, `0`. */
export function pgDuration(ms: number): string {
  if (ms === 0) return '0';
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** `SET <name> = '<value>'`. */
function set(name: string, value: string): string {
  return `SET ${name} = '${value}'`;
}

/**
 * The statement as the runner sends it: statements PostgreSQL has no IF NOT EXISTS form for (a named
 * ADD CONSTRAINT, CREATE TRIGGER, CREATE TYPE or DOMAIN) are wrapped in a catalog check, so a rerun
 * skips what the first run created.
 */
export function renderStatement(s: SqlStatement): string {
  const exists = existenceCheck(s);
  if (exists === undefined) return s.sql;
  const tag = dollarTag(s.sql);
  return `DO $guard$ BEGIN\n  IF NOT EXISTS (${exists}) THEN\n    EXECUTE ${tag}${s.sql}${tag};\n  ELSE\n    RAISE NOTICE 'skipped, it ran before: %', ${tag}${s.display.slice(0, 200)}${tag};\n  END IF;\nEND $guard$`;
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function regclass(rangeVar: any): string {
  const name = rangeVar?.schemaname ? `${quoteIdent(rangeVar.schemaname)}.${quoteIdent(rangeVar.relname)}` : quoteIdent(rangeVar?.relname ?? '');
  return `to_regclass(${literal(name)})`;
}

function typeName(items: any[]): string {
  return literal(items.map((x: any) => quoteIdent(x.String?.sval ?? '')).join('.'));
}

/** The catalog query that finds what the statement creates, for statements without an IF NOT EXISTS form. */
function existenceCheck(s: SqlStatement): string | undefined {
  const n = s.node;
  switch (s.type) {
    case 'AlterTableStmt': {
      const added = (n.cmds ?? []).map((c: any) => c.AlterTableCmd).find((c: any) => c.subtype === 'AT_AddConstraint' && c.def?.Constraint?.conname);
      if (added === undefined) return undefined;
      return `SELECT FROM pg_constraint WHERE conrelid = ${regclass(n.relation)} AND conname = ${literal(added.def.Constraint.conname)}`;
    }
    case 'CreateTrigStmt':
      if (n.replace) return undefined;
      return `SELECT FROM pg_trigger WHERE tgrelid = ${regclass(n.relation)} AND tgname = ${literal(n.trigname)}`;
    case 'CreateEnumStmt':
    case 'CompositeTypeStmt':
    case 'CreateDomainStmt': {
      const names = s.type === 'CompositeTypeStmt' ? [n.typevar?.schemaname, n.typevar?.relname].filter(Boolean).map((x: string) => ({ String: { sval: x } }))
        : s.type === 'CreateEnumStmt' ? n.typeName : n.domainname;
      return `SELECT WHERE to_regtype(${typeName(names ?? [])}) IS NOT NULL`;
    }
    default:
      return undefined;
  }
}

/** The index a CREATE INDEX CONCURRENTLY builds, as regclass text, when it has a name. */
function builtIndex(s: SqlStatement): string | undefined {
  if (s.type !== 'IndexStmt' || !s.node.concurrent || !s.node.idxname) return undefined;
  const schema = s.node.relation?.schemaname;
  return schema ? `${quoteIdent(schema)}.${quoteIdent(s.node.idxname)}` : quoteIdent(s.node.idxname);
}

/**
 * Before a CREATE INDEX CONCURRENTLY: a build that failed or was killed leaves an INVALID index behind,
 * which IF NOT EXISTS would then keep. This drops such an index so the build runs again; a valid index
 * is kept. psql drops it with DROP INDEX CONCURRENTLY (`\gexec`), which blocks no reads or writes;
 * tools that cannot run a psql meta-command drop it in a DO block (a short ACCESS EXCLUSIVE lock,
 * bounded by lock_timeout).
 */
export function invalidIndexGuard(s: SqlStatement, psql = false): string | undefined {
  const index = builtIndex(s);
  if (index === undefined) return undefined;
  if (psql) {
    return '-- an INVALID index left by a build that did not finish is dropped, without blocking anyone, and built again\n'
      + `SELECT format('DROP INDEX CONCURRENTLY %s', indexrelid::regclass) FROM pg_index WHERE indexrelid = to_regclass(${literal(index)}) AND NOT indisvalid\n\\gexec`;
  }
  return `DO $guard$ BEGIN\n  IF EXISTS (SELECT FROM pg_index WHERE indexrelid = to_regclass(${literal(index)}) AND NOT indisvalid) THEN\n`
    + `    RAISE NOTICE 'dropping INVALID index %, left by a build that did not finish, to build it again', ${literal(index)};\n`
    + `    EXECUTE ${literal(`DROP INDEX ${index}`)};\n  END IF;\nEND $guard$`;
}

/** The advisory lock keys of a migration: a fixed namespace and a hash of its name. */
export function advisoryLockKeys(name: string): [number, number] {
  return [0x52534d47, createHash('sha256').update(name).digest().readInt32BE(0)];
}

/**
 * The commands of one unit, each without its terminating semicolon (psql meta-commands start with a
 * backslash), leaving lock_timeout and statement_timeout as they found them. `explicitTransactions`
 * wraps a group in BEGIN/COMMIT (psql); tools that run each file in a transaction of their own leave it out.
 */
export function unitCommands(unit: Unit, timeouts: Timeouts, explicitTransactions = true): string[] {
  if (unit.backfill) {
    // The query that cuts the batches scans the table (reads only): it runs under the index build timeout.
    return [set('statement_timeout', timeouts.indexBuild), unit.backfill._psql(timeouts.batch), set('statement_timeout', timeouts.statement)];
  }
  const commands: string[] = [];
  // psql scripts (explicit transactions) drop an INVALID index concurrently, so after the lifted timeouts.
  const psql = explicitTransactions;
  const guard = unit.statements.length === 1 ? invalidIndexGuard(unit.statements[0], psql) : undefined;
  if (guard && !psql) commands.push(guard);
  const timeout = unit.timeout === TimeoutClass.INDEX_BUILD ? timeouts.indexBuild : timeouts.statement;
  if (unit.waitsForOlderTransactions) commands.push(set('lock_timeout', '0'));
  if (timeout !== timeouts.statement) commands.push(set('statement_timeout', timeout));
  if (guard && psql) commands.push(guard);
  const grouped = explicitTransactions && unit.transactional && unit.statements.length > 1;
  if (grouped) commands.push('BEGIN');
  commands.push(...unit.statements.map(renderStatement));
  if (grouped) commands.push('COMMIT');
  if (timeout !== timeouts.statement) commands.push(set('statement_timeout', timeouts.statement));
  if (unit.waitsForOlderTransactions) commands.push(set('lock_timeout', timeouts.lock));
  return commands;
}

/** What a psql script needs to know besides the statements. */
export interface ScriptContext {
  /** Name of the migration: it keys the advisory lock, so two runs of it never overlap. */
  readonly name: string;
  readonly phase: Phase;
  readonly statements: readonly SqlStatement[];
  readonly backfills: readonly Backfill[];
  readonly timeouts: Timeouts;
  readonly postgresVersion: number;
}

/**
 * The commands a psql session runs for a phase, in order, each without its terminating semicolon: the
 * timeouts; the migration's advisory lock (a second run waits for the first to end, at most
 * statement_timeout; the lock is the session's, so a killed run releases it and a concurrent index build
 * does not wait for it); then every unit.
 */
export function phaseCommands(context: ScriptContext): string[] {
  const { timeouts } = context;
  const [k1, k2] = advisoryLockKeys(context.name);
  const commands = [
    set('lock_timeout', timeouts.lock),
    set('statement_timeout', timeouts.statement),
    set('lock_timeout', '0'),
    `-- one run of ${context.name} at a time\nSELECT pg_advisory_lock(${k1}, ${k2})`,
    set('lock_timeout', timeouts.lock),
  ];
  for (const unit of planUnits(context.statements, context.postgresVersion, context.phase === Phase.MIGRATE ? context.backfills : [])) {
    commands.push(...unitCommands(unit, timeouts));
  }
  return commands;
}

/** Commands joined into a SQL script, each terminated so that a trailing line comment cannot swallow the semicolon. */
export function toScript(header: string[], commands: readonly string[]): string {
  const lines = header.map((h) => `-- ${h}`);
  for (const command of commands) lines.push(terminate(command));
  return `${lines.join('\n')}\n`;
}

/** A command with its semicolon (none after a psql meta-command): on a new line when the last line holds a line comment. */
export function terminate(command: string): string {
  const lastLine = command.split('\n').pop() ?? '';
  if (lastLine.startsWith('\\')) return command;
  return lastLine.includes('--') ? `${command}\n;` : `${command};`;
}

/** `-c lock_timeout=5s -c statement_timeout=60s`: session defaults for libpq's PGOPTIONS and JDBC's `options`. */
export function sessionOptions(timeouts: Timeouts): string {
  return `-c lock_timeout=${timeouts.lock} -c statement_timeout=${timeouts.statement}`;
}

/** The psql script of a phase, as `MigrationRunner.psql()` and `EcsExpandContractTask` run it. */
export function psqlScript(context: ScriptContext): string {
  return toScript([`${context.phase} phase of ${context.name}, generated by @release-constructs/release-strategies`], phaseCommands(context));
}

/**
 * Atlas's integrity file: each file's hash chains the names and contents of every file up to it;
 * the first line sums the names and hashes.
 */
export function atlasSum(files: Array<[string, string]>): string {
  const running = createHash('sha256');
  const entries = files.map(([name, content]) => {
    running.update(name);
    running.update(content);
    return [name, running.copy().digest('base64')];
  });
  const total = createHash('sha256');
  for (const [name, hash] of entries) {
    total.update(name);
    total.update(hash);
  }
  return `h1:${total.digest('base64')}\n${entries.map(([name, hash]) => `${name} h1:${hash}`).join('\n')}\n`;
}
