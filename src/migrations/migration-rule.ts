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
 * `timeout-override` cannot be allowed.
 */
export enum MigrationRule {
  /** Expand and migrate must not drop a table a running version reads; drop it in contract. */
  DROP_TABLE = 'drop-table',
  /** Expand and migrate must not drop a column a running version reads; drop it in contract. */
  DROP_COLUMN = 'drop-column',
  /** Expand and migrate must not drop views, functions, types, triggers, indexes, constraints or other objects. */
  DROP_OBJECT = 'drop-object',
  /** Expand and migrate must not rename a table; create the new one next to it. */
  RENAME_TABLE = 'rename-table',
  /** Expand and migrate must not rename a column; add the new column, backfill, then drop the old one. */
  RENAME_COLUMN = 'rename-column',
  /** Expand and migrate must not rename views, functions, types, schemas, sequences or enum values. */
  RENAME_OBJECT = 'rename-object',
  /** Expand and migrate must not drop a column default the running version may rely on. */
  DROP_DEFAULT = 'drop-default',
  /** Expand and migrate must not truncate a table. */
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
  /** Expand and migrate must not run DO blocks, whose statements cannot be checked. */
  UNCHECKABLE_BLOCK = 'uncheckable-block',
  /** No phase contains BEGIN, COMMIT or other transaction control; the runner manages transactions. Cannot be allowed. */
  TRANSACTION_CONTROL = 'transaction-control',
  /** No phase sets lock_timeout or statement_timeout; the construct sets them. Cannot be allowed. */
  TIMEOUT_OVERRIDE = 'timeout-override',
}
