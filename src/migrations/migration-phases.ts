import * as fs from 'fs';
import * as path from 'path';
import { Backfill } from './backfill';
import { Phase } from './phase';
import { Removal } from './removal';
import { PHASES, PhaseStatements } from './review';
import { parseSql, SqlStatement } from './sql-statement';
import { fail } from '../private/validate';

/** How the phases of a migration are written. */
export enum MigrationFormat {
  /** PostgreSQL statements per phase; the runner groups them into transactions. */
  SQL = 'sql',
  /** One pgroll migration: `pgroll start` expands, `pgroll complete` contracts. */
  PGROLL = 'pgroll',
}

/** SQL statements of each phase, for `MigrationPhases.sql()`. */
export interface SqlPhasesOptions {
  /**
   * Statements that add the new shape; each entry may hold one or more statements.
   * @default - no expand phase
   */
  readonly expand?: string[];
  /**
   * Statements that backfill the new shape from the old one.
   * @default - no migrate phase
   */
  readonly migrate?: string[];
  /**
   * Statements that remove the old shape.
   * @default - no contract phase
   */
  readonly contract?: string[];
  /**
   * Batched backfills of the migrate phase, run before its statements.
   * @default - no backfills
   */
  readonly backfills?: Backfill[];
  /**
   * What contract removes for good: the tables, columns and schemas its statements may drop, truncate
   * or empty. Any other such statement in contract is refused (rule `undeclared-removal`).
   * @default - contract removes nothing that holds data (it may still drop triggers, functions, indexes, constraints and defaults)
   */
  readonly removes?: Removal[];
}

/** SQL files of each phase, for `MigrationPhases.sqlFiles()`. Paths are read when the phases are built. */
export interface SqlFilePhasesOptions {
  /**
   * Files with the statements that add the new shape.
   * @default - no expand phase
   */
  readonly expand?: string[];
  /**
   * Files with the statements that backfill the new shape.
   * @default - no migrate phase
   */
  readonly migrate?: string[];
  /**
   * Files with the statements that remove the old shape.
   * @default - no contract phase
   */
  readonly contract?: string[];
  /**
   * Batched backfills of the migrate phase, run before its statements.
   * @default - no backfills
   */
  readonly backfills?: Backfill[];
  /**
   * What contract removes for good: the tables, columns and schemas its statements may drop, truncate
   * or empty. Any other such statement in contract is refused (rule `undeclared-removal`).
   * @default - contract removes nothing that holds data (it may still drop triggers, functions, indexes, constraints and defaults)
   */
  readonly removes?: Removal[];
}

/** A pgroll migration, for `MigrationPhases.pgroll()`. */
export interface PgrollPhasesOptions {
  /**
   * Path of the pgroll migration file, in JSON. Its file name without `.json` is the migration's name
   * (and the name of the schema version pgroll creates, `public_<name>`).
   * @see https://pgroll.com/docs/latest/operations
   */
  readonly migrationFile: string;
  /**
   * What the raw SQL operations that run on complete (`onComplete: true`) remove for good.
   * @default - they remove nothing that holds data
   */
  readonly removes?: Removal[];
}

/** The pgroll migration behind `MigrationPhases.pgroll()`. */
interface PgrollMigration {
  readonly name: string;
  readonly content: string;
}

/**
 * What a schema change does in each phase, parsed with PostgreSQL's grammar when it is built.
 *
 * Building phases parses them (the parser loads on first use: see `SqlParser`). Syntax errors fail here;
 * the rules (what each phase may contain) are checked by the construct that runs the phases, so its
 * errors name the construct.
 */
export class MigrationPhases {
  /**
   * Statements written inline, per phase.
   * @example MigrationPhases.sql({
   *   expand: ['ALTER TABLE users ADD COLUMN display_name text'],
   *   migrate: ['UPDATE users SET display_name = full_name WHERE display_name IS NULL'],
   *   contract: ['ALTER TABLE users DROP COLUMN full_name'],
   * })
   */
  public static sql(options: SqlPhasesOptions): MigrationPhases {
    const where = 'MigrationPhases.sql()';
    return new MigrationPhases(MigrationFormat.SQL, parsePhases(where, options, (field, entry) => {
      if (typeof entry !== 'string') fail(where, field, 'must be SQL text', entry);
      return parseSql(where, field, entry);
    }), undefined, backfillsOf(where, options), removesOf(where, options.removes));
  }

  /**
   * Statements read from SQL files, per phase (relative paths are resolved from the working directory).
   * @example MigrationPhases.sqlFiles({ expand: ['db/042-expand.sql'], contract: ['db/042-contract.sql'] })
   */
  public static sqlFiles(options: SqlFilePhasesOptions): MigrationPhases {
    const where = 'MigrationPhases.sqlFiles()';
    return new MigrationPhases(MigrationFormat.SQL, parsePhases(where, options, (field, file) => {
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (e: any) {
        fail(where, field, `must be a readable SQL file (${e?.code ?? e})`, file);
      }
      return parseSql(where, field, text, file);
    }), undefined, backfillsOf(where, options), removesOf(where, options.removes));
  }

  /**
   * A pgroll migration. pgroll itself keeps both schema versions working (with views and triggers) and
   * backfills during `pgroll start`, so it has an expand phase (`pgroll start`) and a contract phase
   * (`pgroll complete`), and no migrate phase. Raw `sql` operations are checked like SQL phases: their
   * `up` runs on start (expand rules) unless `onComplete` is set (contract rules).
   * @example MigrationPhases.pgroll({ migrationFile: 'migrations/03_rename_full_name.json' })
   */
  public static pgroll(options: PgrollPhasesOptions): MigrationPhases {
    const where = 'MigrationPhases.pgroll()';
    const file = options.migrationFile;
    if (typeof file !== 'string' || !file.endsWith('.json')) {
      fail(where, 'migrationFile', 'must be the path of a pgroll migration in JSON (ending in .json)', file);
    }
    let content: string;
    let migration: any;
    try {
      content = fs.readFileSync(file, 'utf8');
    } catch (e: any) {
      fail(where, 'migrationFile', `must be a readable file (${e?.code ?? e})`, file);
    }
    try {
      migration = JSON.parse(content);
    } catch (e: any) {
      fail(where, 'migrationFile', `must hold valid JSON (${e?.message ?? e})`, file);
    }
    const name = path.basename(file, '.json');
    if (!/^[a-z0-9_]{1,50}$/.test(name)) {
      fail(where, 'migrationFile', 'must be named with lower-case letters, digits and _ (at most 50), as pgroll names the schema version after it', file);
    }
    if (migration?.name !== undefined && migration.name !== name) {
      fail(where, 'migrationFile', `must not name the migration differently from its file name ('${name}')`, migration.name);
    }
    const operations = migration?.operations;
    if (!Array.isArray(operations) || operations.length === 0) {
      fail(where, 'migrationFile', "must hold a pgroll migration with at least one entry in 'operations'", file);
    }
    const expand: SqlStatement[] = [];
    const contract: SqlStatement[] = [];
    operations.forEach((op: any, i: number) => {
      const raw = op?.sql;
      if (raw === undefined) return;
      if (typeof raw.up !== 'string') fail(where, `operations[${i}].sql.up`, 'must be SQL text', raw.up);
      if (raw.onComplete !== true && (typeof raw.down !== 'string' || raw.down.trim() === '')) {
        fail(where, `operations[${i}].sql.down`, 'must undo the raw SQL that pgroll start runs: without it pgroll cannot roll the migration back (pgroll rollback, or a failed start)', raw.down);
      }
      (raw.onComplete === true ? contract : expand).push(...parseSql(where, `operations[${i}].sql.up`, raw.up));
    });
    const statements = { [Phase.EXPAND]: expand, [Phase.MIGRATE]: [], [Phase.CONTRACT]: contract };
    return new MigrationPhases(MigrationFormat.PGROLL, statements, { name, content }, [], removesOf(where, options.removes));
  }

  /** How the phases are written. */
  public readonly format: MigrationFormat;

  /** @internal */
  public readonly _statements: PhaseStatements;

  /** @internal */
  public readonly _pgroll?: PgrollMigration;

  /** @internal */
  public readonly _backfills: readonly Backfill[];

  /** @internal */
  public readonly _removes: readonly Removal[];

  private constructor(
    format: MigrationFormat,
    statements: PhaseStatements,
    pgroll: PgrollMigration | undefined,
    backfills: Backfill[],
    removes: Removal[],
  ) {
    this.format = format;
    this._statements = statements;
    this._pgroll = pgroll;
    this._backfills = backfills;
    this._removes = removes;
  }

  /**
   * The statements of one phase, each as written (for pgroll, the SQL of its raw `sql` operations).
   */
  public statementsOf(phase: Phase): string[] {
    return this._statements[phase].map((s) => s.sql);
  }

  /**
   * Whether the phase has anything to run. A pgroll migration always has an expand (`pgroll start`)
   * and a contract (`pgroll complete`) phase, and never a migrate phase.
   */
  public hasPhase(phase: Phase): boolean {
    if (this.format === MigrationFormat.PGROLL) return phase !== Phase.MIGRATE;
    return this._statements[phase].length > 0 || (phase === Phase.MIGRATE && this._backfills.length > 0);
  }
}

function parsePhases(
  where: string,
  options: SqlPhasesOptions,
  parse: (field: string, entry: string) => SqlStatement[],
): PhaseStatements {
  const result: { [phase in Phase]: SqlStatement[] } = { [Phase.EXPAND]: [], [Phase.MIGRATE]: [], [Phase.CONTRACT]: [] };
  for (const phase of PHASES) {
    const entries = options?.[phase];
    if (entries === undefined) continue;
    if (!Array.isArray(entries)) fail(where, phase, 'must be a list', entries);
    result[phase] = entries.flatMap((entry, i) => parse(`${phase}[${i}]`, entry));
  }
  if (Object.values(result).every((list) => list.length === 0) && !(Array.isArray(options?.backfills) && options.backfills.length > 0)) {
    fail(where, 'options', 'must give statements for at least one of expand, migrate and contract, or a backfill', options);
  }
  return result;
}

function backfillsOf(where: string, options: SqlPhasesOptions): Backfill[] {
  const backfills = options?.backfills ?? [];
  if (!Array.isArray(backfills) || backfills.some((b) => !(b instanceof Backfill))) {
    fail(where, 'backfills', 'must be a list of Backfill.batched() backfills', backfills);
  }
  return [...backfills];
}

function removesOf(where: string, removes: Removal[] | undefined): Removal[] {
  const list = removes ?? [];
  if (!Array.isArray(list) || list.some((r) => !(r instanceof Removal))) {
    fail(where, 'removes', 'must be a list of Removal.table(), .column() or .schema()', list);
  }
  return [...list];
}
