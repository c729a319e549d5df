import { dollarTag, parseSql, quoteIdent } from './sql-statement';
import { checkRange, fail } from '../private/validate';

/** Options for `Backfill.batched()`. */
export interface BatchedBackfillOptions {
  /** The table to backfill, optionally schema-qualified (`sales.orders`). */
  readonly table: string;
  /**
   * The assignments of each row, as in `UPDATE ... SET` (for example `display_name = full_name`).
   * They must not change `key`.
   */
  readonly set: string;
  /**
   * The condition of the rows that still need the backfill (for example `display_name IS NULL`). A row
   * the backfill has written must no longer match it: that is what lets a killed or retried run resume
   * where it stopped, and a second run do nothing.
   */
  readonly pending: string;
  /**
   * Column the batches are cut along: a unique, indexed column of any ordered type (the primary key).
   * @default 'id'
   */
  readonly key?: string;
  /**
   * Rows per batch; each batch is one transaction. While a batch runs, the running version's writes to
   * its rows wait for it, so keep batches small. Whole number from 1 to 100000.
   * @default 1000
   */
  readonly batchSize?: number;
  /**
   * Pause between two batches, in milliseconds, to leave room for the running version's writes and for
   * replication. Whole number from 0 to 60000.
   * @default 0
   */
  readonly pauseMilliseconds?: number;
}

/**
 * A backfill of an existing table, run in keyed batches that each commit on their own.
 *
 * An `UPDATE` of a whole table in one statement holds the row lock of every row it touched until it
 * commits, so the running version's writes to any of them wait for the whole update; it also cannot
 * resume after a kill. A batched backfill updates `batchSize` rows at a time, cut along `key`, each batch
 * its own transaction with its own `statement_timeout` (the construct's `batchTimeout`), with an
 * optional pause between batches. Only rows matching `pending` are updated, so a rerun picks up where a
 * killed run stopped and a completed backfill does nothing.
 *
 * Backfills run in the migrate phase, before its statements (so a `VALIDATE CONSTRAINT` after them sees
 * every row backfilled). They need psql (`MigrationRunner.psql()`, `MigrationRunner.custom()` with the
 * psql script, or `EcsExpandContractTask`).
 */
export class Backfill {
  /**
   * Updates the `pending` rows of `table` with `set`, `batchSize` rows per transaction.
   * @example Backfill.batched({ table: 'users', set: 'display_name = full_name', pending: 'display_name IS NULL' })
   */
  public static batched(options: BatchedBackfillOptions): Backfill {
    const where = 'Backfill.batched()';
    for (const field of ['table', 'set', 'pending'] as const) {
      if (typeof options?.[field] !== 'string' || options[field].trim() === '') fail(where, field, 'must be a non-empty string', options?.[field]);
    }
    const key = options.key ?? 'id';
    const batchSize = options.batchSize ?? 1000;
    const pauseMs = options.pauseMilliseconds ?? 0;
    checkRange(where, 'batchSize', batchSize, 1, 100_000);
    checkRange(where, 'pauseMilliseconds', pauseMs, 0, 60_000);
    // One statement, so nothing can be smuggled in through the parts.
    const text = `UPDATE ${options.table} SET ${options.set} WHERE (${options.pending})`;
    const parsed = parseSql(where, 'options', text);
    if (parsed.length !== 1 || parsed[0].type !== 'UpdateStmt' || parsed[0].node.fromClause || parsed[0].node.returningList || parsed[0].node.withClause) {
      fail(where, 'options', "must describe one UPDATE: a table name, assignments for 'set' and a condition for 'pending'", text);
    }
    const keyColumn = key.toLowerCase();
    if (!/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/.test(key)) fail(where, 'key', 'must be a column name', key);
    const assigned: string[] = (parsed[0].node.targetList ?? []).map((t: any) => t.ResTarget?.name);
    if (assigned.includes(keyColumn)) fail(where, 'set', `must not change the key column ${keyColumn}: the batches are cut along it`, options.set);
    const relation = parsed[0].node.relation;
    return new Backfill(relation.schemaname, relation.relname, options.set.trim(), options.pending.trim(), keyColumn, batchSize, pauseMs);
  }

  /**
   * Schema of the table.
   * @default - the search path decides
   */
  public readonly schema?: string;
  /** Name of the table. */
  public readonly table: string;
  /** Assignments of each row. */
  public readonly set: string;
  /** Condition of the rows that still need the backfill. */
  public readonly pending: string;
  /** Column the batches are cut along. */
  public readonly key: string;
  /** Rows per batch. */
  public readonly batchSize: number;
  /** Pause between two batches, in milliseconds. */
  public readonly pauseMilliseconds: number;

  private constructor(schema: string | undefined, table: string, set: string, pending: string, key: string, batchSize: number, pauseMs: number) {
    this.schema = schema;
    this.table = table;
    this.set = set;
    this.pending = pending;
    this.key = key;
    this.batchSize = batchSize;
    this.pauseMilliseconds = pauseMs;
  }

  /** The table as it is written in SQL. */
  public toString(): string {
    return `batched backfill of ${this.schema ? `${quoteIdent(this.schema)}.` : ''}${quoteIdent(this.table)}`;
  }

  /**
   * The psql commands that run the backfill: one query that cuts the pending rows into batches along
   * the key, whose rows `\gexec` then runs as separate statements (each its own transaction): the first
   * sets `statement_timeout` to `batchTimeout`, then each batch's UPDATE and, with a pause, a pg_sleep.
   * @internal
   */
  public _psql(batchTimeout: string): string {
    const table = `${this.schema ? `${quoteIdent(this.schema)}.` : ''}${quoteIdent(this.table)}`;
    const key = quoteIdent(this.key);
    // format() template: %L takes the batch's first key, %s the upper bound; a % of the user's SQL is doubled.
    const escape = (sql: string) => sql.replace(/%/g, '%%');
    const body = `UPDATE ${table} SET ${escape(this.set)} WHERE ${key} >= %L%s AND (${escape(this.pending)})`;
    const tag = dollarTag(body);
    const pause = this.pauseMilliseconds > 0 ? `, 'SELECT pg_sleep(${this.pauseMilliseconds / 1000})'` : '';
    return [
      `-- ${this} in batches of ${this.batchSize} rows along ${this.key}, each its own transaction`,
      `SELECT CASE WHEN b.n = 1 THEN 'SET statement_timeout = ''${batchTimeout}''' END,`,
      `       format(${tag}${body}${tag}, b.first, CASE WHEN b.next IS NULL THEN '' ELSE format(' AND ${key} < %L', b.next) END)${pause}`,
      `  FROM (SELECT ${key} AS first, lead(${key}) OVER (ORDER BY ${key}) AS next, row_number() OVER (ORDER BY ${key}) AS n`,
      `          FROM (SELECT ${key}, row_number() OVER (ORDER BY ${key}) AS i FROM ${table} WHERE (${this.pending})) pending`,
      `         WHERE (pending.i - 1) % ${this.batchSize} = 0) b`,
      ' ORDER BY b.n',
      '\\gexec',
    ].join('\n');
  }
}
