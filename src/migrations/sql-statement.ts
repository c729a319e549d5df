/**
 * Parsing SQL into statements with PostgreSQL's own grammar (libpg-query). Internal: shared by
 * `MigrationPhases` and the checks; never exported from the library.
 */
import { MigrationRule } from './migration-rule';
import { pgQuery } from './pg-query';
import { fail } from '../private/validate';

/** One parsed SQL statement. */
export interface SqlStatement {
  /** The statement as written (comments kept), without its terminating semicolon. */
  readonly sql: string;
  /** The statement on one line without its leading comments, for messages. */
  readonly display: string;
  /** The parse-tree node type, e.g. `AlterTableStmt`. */
  readonly type: string;
  /** The parse-tree node. */
  readonly node: any;
  /** Where the statement came from, relative to the phases: `expand[2]`. */
  readonly field: string;
  /** Rules allowed for this statement by a `-- release-strategies:allow <rule> <reason>` comment, with the reason. */
  readonly allowed: ReadonlyMap<MigrationRule, string>;
}

/** Rules a comment cannot allow: the runner depends on them. */
export const UNALLOWABLE_RULES: ReadonlySet<MigrationRule> = new Set([
  MigrationRule.TRANSACTION_CONTROL, MigrationRule.TIMEOUT_OVERRIDE, MigrationRule.POSTGRES_VERSION,
]);

const ALLOW_COMMENT = /^\s*--\s*release-strategies:allow\b\s*(\S*)\s*(.*?)\s*$/;
const RULE_IDS = new Set<string>(Object.values(MigrationRule));

/**
 * Splits `sql` into parsed statements. `where`/`field` name the input in errors; `got` is what the
 * error shows as the value (the SQL itself, or the file it came from).
 */
export function parseSql(where: string, field: string, sql: string, got: string = sql): SqlStatement[] {
  if (typeof sql !== 'string') fail(where, field, 'must be SQL text', sql);
  let tree: any;
  try {
    tree = pgQuery().parseSync(sql);
  } catch (e: any) {
    const position: number | undefined = e?.sqlDetails?.cursorPosition;
    const line = position === undefined ? undefined : Buffer.from(sql, 'utf8').subarray(0, position).toString('utf8').split('\n').length;
    fail(where, field, `must be valid PostgreSQL (${e?.message ?? e}${line === undefined ? '' : ` on line ${line}`})`, got);
  }
  const bytes = Buffer.from(sql, 'utf8');
  const statements: SqlStatement[] = (tree.stmts ?? []).map((raw: any) => {
    const start: number = raw.stmt_location ?? 0;
    const end = raw.stmt_len ? start + raw.stmt_len : bytes.length;
    const text = bytes.subarray(start, end).toString('utf8').trim();
    const [type, node] = Object.entries<any>(raw.stmt)[0];
    return {
      sql: text,
      display: displayText(text),
      type,
      node,
      field,
      allowed: allowances(where, field, text),
    };
  });
  if (statements.length === 0) fail(where, field, 'must contain at least one SQL statement', got);
  return statements;
}

/** The statement without leading comments, on one line. */
export function displayText(sql: string): string {
  let rest = sql;
  for (;;) {
    const trimmed = rest.replace(/^\s+/, '');
    if (trimmed.startsWith('--')) {
      const newline = trimmed.indexOf('\n');
      rest = newline < 0 ? '' : trimmed.slice(newline + 1);
    } else if (trimmed.startsWith('/*')) {
      const close = trimmed.indexOf('*/');
      rest = close < 0 ? '' : trimmed.slice(close + 2);
    } else {
      rest = trimmed;
      break;
    }
  }
  return rest.replace(/\s+/g, ' ').trim();
}

function allowances(where: string, field: string, sql: string): Map<MigrationRule, string> {
  const allowed = new Map<MigrationRule, string>();
  for (const line of sql.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (!trimmed.startsWith('--')) break;
    const match = ALLOW_COMMENT.exec(trimmed);
    if (!match) continue;
    const [, rule, reason] = match;
    if (!RULE_IDS.has(rule)) {
      fail(where, field, `'-- release-strategies:allow' must name one of the rules (${[...RULE_IDS].join(', ')})`, rule);
    }
    if (UNALLOWABLE_RULES.has(rule as MigrationRule)) {
      fail(where, field, `'-- release-strategies:allow' cannot allow ${rule}: the runner depends on it`, rule);
    }
    if (reason === '') {
      fail(where, field, `'-- release-strategies:allow ${rule}' must be followed by the reason the statement is safe`, trimmed);
    }
    allowed.set(rule as MigrationRule, reason);
  }
  return allowed;
}

/** An identifier as PostgreSQL reads it back exactly (names from the parse tree are already folded). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A dollar-quote tag that does not occur in `text`. */
export function dollarTag(text: string): string {
  let tag = '$rs$';
  for (let i = 1; text.includes(tag); i++) tag = `$rs${i}$`;
  return tag;
}
