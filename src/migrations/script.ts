/**
 * How a phase's statements are executed: grouped into transactions, with lock_timeout and
 * statement_timeout set first. Internal: the Kubernetes runners and the ECS task share it.
 */
import { createHash } from 'crypto';
import { Phase } from './phase';
import { SqlStatement } from './sql-statement';

/** The timeouts every session of a migration runs with. */
export interface Timeouts {
  /** `lock_timeout`, in milliseconds: how long any statement may wait for a lock. */
  readonly lockTimeoutMs: number;
  /** `statement_timeout`, in milliseconds: how long any statement may run. */
  readonly statementTimeoutMs: number;
}

/** Statements that run together: in one transaction, or alone outside any transaction. */
export interface Unit {
  readonly statements: SqlStatement[];
  /** Whether the unit runs inside a transaction block (false for CONCURRENTLY and VACUUM). */
  readonly transactional: boolean;
  /**
   * Whether the statement waits for every older transaction to finish (CREATE/DROP INDEX CONCURRENTLY,
   * REINDEX CONCURRENTLY). lock_timeout applies to that wait, so a short one would fail the build and
   * leave an INVALID index behind; such statements run without lock_timeout, bounded by statement_timeout.
   * They take no lock that blocks reads or writes while they wait.
   */
  readonly waitsForOlderTransactions: boolean;
}

/** Whether the statement cannot run inside a transaction block. */
export function cannotRunInTransaction(s: SqlStatement): boolean {
  switch (s.type) {
    case 'IndexStmt':
    case 'DropStmt':
      return s.node.concurrent === true;
    case 'ReindexStmt':
      return concurrentReindex(s);
    case 'VacuumStmt':
      return s.node.is_vacuumcmd !== false;
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

/**
 * Groups statements into units: consecutive statements share a transaction; a statement that cannot run
 * in one runs alone outside any; ALTER TYPE ... ADD VALUE commits alone (the new value cannot be used in
 * the transaction that adds it).
 */
export function planUnits(statements: readonly SqlStatement[]): Unit[] {
  const units: Unit[] = [];
  let group: SqlStatement[] = [];
  const flush = () => {
    if (group.length > 0) units.push({ statements: group, transactional: true, waitsForOlderTransactions: false });
    group = [];
  };
  for (const s of statements) {
    if (cannotRunInTransaction(s)) {
      flush();
      units.push({ statements: [s], transactional: false, waitsForOlderTransactions: waitsForOlderTransactions(s) });
    } else if (s.type === 'AlterEnumStmt') {
      flush();
      units.push({ statements: [s], transactional: true, waitsForOlderTransactions: false });
    } else {
      group.push(s);
    }
  }
  flush();
  return units;
}

/** Whether the whole phase runs in one transaction, so a failed run leaves nothing behind. */
export function runsInOneTransaction(statements: readonly SqlStatement[]): boolean {
  const units = planUnits(statements);
  return units.length <= 1 && units.every((u) => u.transactional);
}

/** A duration as PostgreSQL reads it in SET: `5s`, `1500ms`, `0`. */
export function pgDuration(ms: number): string {
  if (ms === 0) return '0';
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** `SET` commands for the timeouts. */
export function timeoutCommands(timeouts: Timeouts): string[] {
  return [
    `SET lock_timeout = '${pgDuration(timeouts.lockTimeoutMs)}'`,
    `SET statement_timeout = '${pgDuration(timeouts.statementTimeoutMs)}'`,
  ];
}

/**
 * The commands a psql session runs for a phase, in order, each without its terminating semicolon:
 * the timeouts, then every unit (transactional ones between BEGIN and COMMIT; statements that wait for
 * older transactions with lock_timeout lifted around them).
 */
export function phaseCommands(statements: readonly SqlStatement[], timeouts: Timeouts): string[] {
  const commands = timeoutCommands(timeouts);
  for (const unit of planUnits(statements)) {
    if (unit.transactional) commands.push('BEGIN');
    if (unit.waitsForOlderTransactions) commands.push("SET lock_timeout = '0'");
    commands.push(...unit.statements.map((s) => s.sql));
    if (unit.waitsForOlderTransactions) commands.push(`SET lock_timeout = '${pgDuration(timeouts.lockTimeoutMs)}'`);
    if (unit.transactional) commands.push('COMMIT');
  }
  return commands;
}

/** Commands joined into a SQL script, each terminated so that a trailing line comment cannot swallow the semicolon. */
export function toScript(header: string[], commands: readonly string[]): string {
  const lines = header.map((h) => `-- ${h}`);
  for (const command of commands) lines.push(terminate(command));
  return `${lines.join('\n')}\n`;
}

/** A command with its semicolon: on a new line when the last line holds a line comment. */
export function terminate(command: string): string {
  const lastLine = command.split('\n').pop() ?? '';
  return lastLine.includes('--') ? `${command}\n;` : `${command};`;
}

/** `-c lock_timeout=5s -c statement_timeout=900s`: session defaults for libpq's PGOPTIONS and JDBC's `options`. */
export function sessionOptions(timeouts: Timeouts): string {
  return `-c lock_timeout=${pgDuration(timeouts.lockTimeoutMs)} -c statement_timeout=${pgDuration(timeouts.statementTimeoutMs)}`;
}

/** The psql script of a phase, as `MigrationRunner.psql()` runs it. */
export function psqlScript(name: string, phase: Phase, statements: readonly SqlStatement[], timeouts: Timeouts): string {
  return toScript([`${phase} phase of ${name}, generated by @release-constructs/release-strategies`], phaseCommands(statements, timeouts));
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
