/**
 * The checks both migration constructs (Kubernetes Job, ECS task) run at construction. Internal.
 */
import { IConstruct } from 'constructs';
import { MigrationFormat, MigrationPhases } from './migration-phases';
import { Phase } from './phase';
import { POSTGRES_VERSIONS, reviewPhases } from './review';
import { pgDuration, Timeouts } from './script';
import { checkNonEmpty, fail } from '../private/validate';
import { warn } from '../private/warnings';

/**
 * A duration given to a migration construct: its milliseconds when known at synth, and how PostgreSQL
 * reads it in SET (for a deploy-time value, the token followed by its unit).
 */
export interface TimeoutInput {
  /** Milliseconds, or undefined for a value only known at deploy time (a token): its checks are skipped. */
  readonly ms?: number;
  /** The value as PostgreSQL reads it in SET. */
  readonly text: string;
}

/** A duration known at synth. */
export function knownTimeout(ms: number): TimeoutInput {
  return { ms, text: pgDuration(ms) };
}

/**
 * The longest `lock_timeout` and backfill `batchTimeout` a migration may use: 10 seconds.
 *
 * While a DDL statement waits for its lock, every statement of the running version on that table queues
 * behind it, reads included; while a batch holds its rows, writes to them wait. So either timeout is the
 * longest stall the running version can see. PostgreSQL practice for migrations on a live database is a
 * lock_timeout of a few seconds, retried, rather than a long wait: 10 seconds stays below the request
 * timeouts of typical clients, proxies and load balancers, so a blocked migration fails (and is retried)
 * before the application's requests do.
 */
export const MAX_LOCK_WAIT_MS = 10_000;

/** What a migration construct was given. */
export interface MigrationInput {
  readonly phases: MigrationPhases;
  readonly current: Phase;
  readonly oldShapeUnusedSince?: string;
  readonly lockTimeout: TimeoutInput;
  readonly statementTimeout: TimeoutInput;
  readonly indexBuildTimeout: TimeoutInput;
  readonly batchTimeout: TimeoutInput;
  readonly postgresVersion?: number;
  /** Set when the construct runs only SQL phases: how it runs them, for the error. */
  readonly sqlOnly?: string;
}

/** What the checks resolved. */
export interface CheckedMigration {
  readonly timeouts: Timeouts;
  /** Target PostgreSQL major version. */
  readonly postgresVersion: number;
  /** Whether every statement can run again after a failed or killed run. */
  readonly rerunnable: boolean;
}

/**
 * Checks the phases (every statement of every phase against the rules), the current phase, the
 * contract declaration, the target version and the timeouts; records allowed rules as synth warnings
 * on `scope`.
 */
export function checkMigration(scope: IConstruct, input: MigrationInput): CheckedMigration {
  const where = scope.node.path;
  const { phases, current } = input;
  if (!(phases instanceof MigrationPhases)) fail(where, 'phases', 'must be built with MigrationPhases.sql(), .sqlFiles() or .pgroll()', phases);
  if (input.sqlOnly !== undefined && phases.format !== MigrationFormat.SQL) {
    fail(where, 'phases', `must be SQL phases (MigrationPhases.sql() or .sqlFiles()): ${input.sqlOnly}`, phases.format);
  }
  if (!Object.values(Phase).includes(current)) fail(where, 'current', `must be one of ${Object.values(Phase).join(', ')}`, current);
  if (!phases.hasPhase(current)) {
    const present = Object.values(Phase).filter((p) => phases.hasPhase(p));
    fail(where, 'current', `must be a phase these phases have (${present.join(', ')})`, current);
  }
  const postgresVersion = input.postgresVersion ?? POSTGRES_VERSIONS.default;
  if (!Number.isInteger(postgresVersion) || postgresVersion < POSTGRES_VERSIONS.min || postgresVersion > POSTGRES_VERSIONS.max) {
    fail(where, 'postgresVersion', `must be a PostgreSQL major version from ${POSTGRES_VERSIONS.min} to ${POSTGRES_VERSIONS.max}`, postgresVersion);
  }
  const review = reviewPhases(where, { statements: phases._statements, backfills: phases._backfills, removes: phases._removes, postgresVersion });
  for (const allowance of review.allowances) warn(scope, allowance);
  if (current === Phase.CONTRACT) {
    if (input.oldShapeUnusedSince === undefined) {
      fail(where, 'oldShapeUnusedSince', 'must name the application version since which no running version, nor the rollback target, '
        + 'reads or writes what contract removes (contract drops it for good)', undefined);
    }
    checkNonEmpty(where, 'oldShapeUnusedSince', input.oldShapeUnusedSince);
  }
  const { lockTimeout, statementTimeout, indexBuildTimeout, batchTimeout } = input;
  const cap = '(the cap: while a migration waits for a lock or holds a batch, the running version\'s statements wait behind it; PostgreSQL practice is a lock_timeout of a few seconds, retried, so a blocked migration fails before the application\'s requests time out)';
  checkMilliseconds(where, 'lockTimeout', lockTimeout.ms, 1, MAX_LOCK_WAIT_MS, cap);
  checkMilliseconds(where, 'statementTimeout', statementTimeout.ms, 1000, 86_400_000);
  checkMilliseconds(where, 'indexBuildTimeout', indexBuildTimeout.ms, 1000, 86_400_000);
  checkMilliseconds(where, 'batchTimeout', batchTimeout.ms, 100, MAX_LOCK_WAIT_MS, cap);
  if (statementTimeout.ms !== undefined && lockTimeout.ms !== undefined && statementTimeout.ms < lockTimeout.ms) {
    fail(where, 'statementTimeout', `must be at least lockTimeout (${lockTimeout.ms / 1000} seconds)`, `${statementTimeout.ms / 1000} seconds`);
  }
  return {
    timeouts: { lock: lockTimeout.text, statement: statementTimeout.text, indexBuild: indexBuildTimeout.text, batch: batchTimeout.text },
    postgresVersion,
    rerunnable: review.rerunnable,
  };
}

/** A duration, in milliseconds, from `minMs` to `maxMs`; a value known only at deploy time is not checked. */
export function checkMilliseconds(where: string, field: string, ms: number | undefined, minMs: number, maxMs: number, why?: string): void {
  if (ms === undefined) return;
  if (!Number.isInteger(ms) || ms < minMs || ms > maxMs) {
    fail(where, field, `must be a whole number of milliseconds from ${minMs} to ${maxMs}${why ? ` ${why}` : ''}`, `${ms} milliseconds`);
  }
}
