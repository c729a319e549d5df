/**
 * The checks both migration constructs (Kubernetes Job, ECS task) run at construction. Internal.
 */
import { IConstruct } from 'constructs';
import { MigrationFormat, MigrationPhases } from './migration-phases';
import { Phase } from './phase';
import { reviewPhases } from './review';
import { Timeouts } from './script';
import { checkNonEmpty, fail } from '../private/validate';
import { warn } from '../private/warnings';

/** What a migration construct was given, with its durations in milliseconds. */
export interface MigrationInput {
  readonly phases: MigrationPhases;
  readonly current: Phase;
  readonly oldShapeUnusedSince?: string;
  readonly lockTimeoutMs: number;
  readonly statementTimeoutMs: number;
  /** Set when the construct runs only SQL phases: how it runs them, for the error. */
  readonly sqlOnly?: string;
}

/**
 * Checks the phases (every statement of every phase against the rules), the current phase, the
 * contract declaration and the timeouts; records allowed rules as synth warnings on `scope`.
 */
export function checkMigration(scope: IConstruct, input: MigrationInput): Timeouts {
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
  for (const allowance of reviewPhases(where, phases._statements).allowances) warn(scope, allowance);
  if (current === Phase.CONTRACT) {
    if (input.oldShapeUnusedSince === undefined) {
      fail(where, 'oldShapeUnusedSince', 'must name the application version since which no running version, nor the rollback target, '
        + 'reads or writes what contract removes (contract drops it for good)', undefined);
    }
    checkNonEmpty(where, 'oldShapeUnusedSince', input.oldShapeUnusedSince);
  }
  checkMilliseconds(where, 'lockTimeout', input.lockTimeoutMs, 1, 600_000);
  checkMilliseconds(where, 'statementTimeout', input.statementTimeoutMs, 1000, 86_400_000);
  if (input.statementTimeoutMs < input.lockTimeoutMs) {
    fail(where, 'statementTimeout', `must be at least lockTimeout (${input.lockTimeoutMs / 1000} seconds)`, `${input.statementTimeoutMs / 1000} seconds`);
  }
  return { lockTimeoutMs: input.lockTimeoutMs, statementTimeoutMs: input.statementTimeoutMs };
}

/** A duration, in milliseconds, from `minMs` to `maxMs`. */
export function checkMilliseconds(where: string, field: string, ms: number, minMs: number, maxMs: number): void {
  if (!Number.isInteger(ms) || ms < minMs || ms > maxMs) {
    fail(where, field, `must be a whole number of milliseconds from ${minMs} to ${maxMs}`, `${ms} milliseconds`);
  }
}
