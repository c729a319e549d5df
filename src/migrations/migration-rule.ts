/**
 * The checks every migration phase goes through, by the id that appears in refusal messages.
 *
 * Each statement of each phase is parsed with the PostgreSQL parser (libpg-query) and checked before
 * anything is synthesized. A refusal names the construct, the phase and statement (`phases.expand[2]`),
 * the rule, why the statement breaks the other running version or blocks it, and the safe alternative.
 *
 * Statements on a table (or index) created earlier in the same phase are exempt from the table rules:
 * no running version uses that table yet.
 *
 * A statement you have checked by hand (for example a type change that needs no rewrite, such as
 * widening a `varchar`) can be allowed with a comment directly above it, naming the rule and a reason:
 * `-- release-strategies:allow change-column-type varchar(50) to varchar(100) rewrites nothing`.
 * The construct records every such allowance as a synth warning. `transaction-control` and
 * `timeout-override` and `postgres-version` cannot be allowed.
 */
export enum MigrationRule {
  /** Expand and migrate must not drop a table a running version reads; drop it in contract. */
  DROP_TABLE = 'drop-table',
  /** Expand and migrate must not drop a column a running version reads; drop it in contract. */
  DROP_COLUMN = 'drop-column',
  /** Expand and migrate must not drop views, functions, types, triggers, indexes, constraints or other objects. */
  DROP_OBJECT = 'drop-object',
  /** No phase renames an existing table (in contract it breaks the running version and the rollback target); create the new one next to it. */
  RENAME_TABLE = 'rename-table',
  /** No phase renames an existing column; add the new column, backfill, then drop the old one. */
  RENAME_COLUMN = 'rename-column',
  /** No phase renames existing views, functions, types, schemas, sequences or enum values. */
  RENAME_OBJECT = 'rename-object',
  /** Expand and migrate must not drop a column default the running version may rely on. */
  DROP_DEFAULT = 'drop-default',
  /** Expand and migrate must not truncate a table (contract may, for a table its `Removal`s name). */
  TRUNCATE = 'truncate',
  /** No phase changes a column's type: it rewrites the table and breaks the version reading the old type. */
  CHANGE_COLUMN_TYPE = 'change-column-type',
  /** No phase sets NOT NULL on an existing column without a validated `CHECK (column IS NOT NULL)`. */
  SET_NOT_NULL = 'set-not-null',
  /** No phase adds a NOT NULL column without a DEFAULT to an existing table. */
  REQUIRED_COLUMN = 'required-column',
  /** No phase adds a column that rewrites the table (volatile default, serial, identity, stored generated). */
  TABLE_REWRITE = 'table-rewrite',
  /** No phase builds an index on an existing table without CONCURRENTLY. */
  INDEX_WITHOUT_CONCURRENTLY = 'index-without-concurrently',
  /** No phase drops an index of an existing table without CONCURRENTLY. */
  DROP_INDEX_WITHOUT_CONCURRENTLY = 'drop-index-without-concurrently',
  /** No phase adds a CHECK or FOREIGN KEY constraint to an existing table without NOT VALID. */
  VALIDATING_CONSTRAINT = 'validating-constraint',
  /** No phase adds a PRIMARY KEY, UNIQUE or EXCLUDE constraint that builds its index under a lock. */
  CONSTRAINT_BUILDS_INDEX = 'constraint-builds-index',
  /** No phase runs VACUUM FULL, CLUSTER, LOCK TABLE, or REINDEX / REFRESH MATERIALIZED VIEW without CONCURRENTLY. */
  BLOCKING_MAINTENANCE = 'blocking-maintenance',
  /** Expand must not UPDATE, DELETE or MERGE rows of existing tables; backfills belong in migrate. */
  DATA_CHANGE_IN_EXPAND = 'data-change-in-expand',
  /** Expand may only add to the schema; any other statement belongs in migrate or contract. */
  NOT_ADDITIVE = 'not-additive',
  /**
   * No phase runs what the checks cannot see into: DO blocks, CALL of a procedure, or a call of a
   * function the phases create whose body runs dynamic SQL (EXECUTE).
   */
  UNCHECKABLE_BLOCK = 'uncheckable-block',
  /** No phase contains BEGIN, COMMIT or other transaction control; the runner manages transactions. Cannot be allowed. */
  TRANSACTION_CONTROL = 'transaction-control',
  /**
   * No phase changes lock_timeout, statement_timeout or idle_in_transaction_session_timeout, whether with
   * SET, set_config(), RESET, or ALTER ROLE / DATABASE / FUNCTION / SYSTEM ... SET; the construct sets them.
   * Cannot be allowed.
   */
  TIMEOUT_OVERRIDE = 'timeout-override',
  /**
   * No phase changes other session settings that change what its statements do behind the checks
   * (role, session_replication_role, search_path, ...), nor sets them for a role, database or function.
   */
  SESSION_OVERRIDE = 'session-override',
  /**
   * Every statement can run a second time (a Job retry, an Argo CD re-sync, a run killed midway): IF NOT
   * EXISTS / IF EXISTS / OR REPLACE forms, named constraints (the runner guards them with a catalog
   * check), INSERT ... ON CONFLICT, no renames of objects the phase creates.
   */
  NOT_IDEMPOTENT = 'not-idempotent',
  /** Migrate must not UPDATE, DELETE or MERGE an existing table in one statement; use a `Backfill`. */
  UNBATCHED_BACKFILL = 'unbatched-backfill',
  /**
   * No phase drops a database; expand and migrate must not drop a schema, nor DELETE or UPDATE every
   * row of a table (no WHERE).
   */
  DESTRUCTIVE = 'destructive',
  /** Contract may drop, truncate or empty only the tables, columns and schemas its `Removal`s name. */
  UNDECLARED_REMOVAL = 'undeclared-removal',
  /** No phase drops with CASCADE, which removes dependent objects nobody listed. */
  CASCADE = 'cascade',
  /** Every statement exists in the target PostgreSQL version (`postgresVersion`). Cannot be allowed. */
  POSTGRES_VERSION = 'postgres-version',
}
