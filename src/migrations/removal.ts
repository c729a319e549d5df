import { fail } from '../private/validate';

/** What a `Removal` names. */
export enum RemovalKind {
  /** A table: dropping it, truncating it, or deleting or updating all of its rows. */
  TABLE = 'table',
  /** A column of a table: dropping it. */
  COLUMN = 'column',
  /** A schema: dropping it. */
  SCHEMA = 'schema',
}

const NAME = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

/**
 * Something the contract phase removes for good, declared next to the phases.
 *
 * Contract may destroy data only where the phases say so: `DROP TABLE`, `TRUNCATE`, `DELETE` or `UPDATE`
 * without `WHERE` of a table, `DROP COLUMN` of a column and `DROP SCHEMA` of a schema are refused
 * (rule `undeclared-removal`) unless a `Removal` names that object. The declaration is a second, explicit
 * place that says what the release deletes, which a reviewer reads next to the statements.
 */
export class Removal {
  /**
   * A table (optionally schema-qualified, `sales.orders`): contract may drop it, truncate it, or delete
   * or update all of its rows.
   * @example Removal.table('legacy_users')
   */
  public static table(name: string): Removal {
    const [schema, table] = qualifiedName('Removal.table()', 'name', name);
    return new Removal(RemovalKind.TABLE, schema, table);
  }

  /**
   * A column of a table (the table optionally schema-qualified): contract may drop it.
   * @example Removal.column('users', 'full_name')
   */
  public static column(table: string, column: string): Removal {
    const [schema, name] = qualifiedName('Removal.column()', 'table', table);
    checkName('Removal.column()', 'column', column);
    return new Removal(RemovalKind.COLUMN, schema, name, column);
  }

  /**
   * A schema: contract may drop it.
   * @example Removal.schema('legacy')
   */
  public static schema(name: string): Removal {
    checkName('Removal.schema()', 'name', name);
    return new Removal(RemovalKind.SCHEMA, undefined, name);
  }

  /** What the removal names. */
  public readonly kind: RemovalKind;
  /**
   * Schema of the table.
   * @default - any schema (the name is not qualified)
   */
  public readonly schemaName?: string;
  /** Name of the table, or of the schema. */
  public readonly objectName: string;
  /**
   * Column of the table.
   * @default - not a column removal
   */
  public readonly columnName?: string;

  private constructor(kind: RemovalKind, schema: string | undefined, name: string, column?: string) {
    this.kind = kind;
    this.schemaName = schema;
    this.objectName = name;
    this.columnName = column;
  }

  /** How the removal reads in messages: `table users`, `column users.full_name`, `schema legacy`. */
  public toString(): string {
    const table = this.schemaName ? `${this.schemaName}.${this.objectName}` : this.objectName;
    return this.kind === RemovalKind.COLUMN ? `column ${table}.${this.columnName}` : `${this.kind} ${table}`;
  }
}

/** Names as PostgreSQL folds them: unquoted identifiers are lower-cased. */
function checkName(where: string, field: string, name: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    fail(where, field, 'must be a PostgreSQL identifier (letters, digits, _ and $, at most 63, not starting with a digit)', name);
  }
}

function qualifiedName(where: string, field: string, name: string): [string | undefined, string] {
  const parts = typeof name === 'string' ? name.split('.') : [];
  if (parts.length < 1 || parts.length > 2) fail(where, field, "must be a table name, optionally qualified ('schema.table')", name);
  parts.forEach((p) => checkName(where, field, p));
  const folded = parts.map((p) => p.toLowerCase());
  return folded.length === 2 ? [folded[0], folded[1]] : [undefined, folded[0]];
}
