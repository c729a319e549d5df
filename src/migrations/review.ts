/**
 * The rules every migration phase is checked against (see `MigrationRule` for the list). Internal:
 * both the Kubernetes and the AWS constructs call `reviewPhases` with their own construct path.
 */
import { MigrationRule } from './migration-rule';
import { Phase } from './phase';
import { SqlStatement } from './sql-statement';
import { fail } from '../private/validate';

/** Statements of each phase, in order. */
export type PhaseStatements = { readonly [phase in Phase]: readonly SqlStatement[] };

/** What a review found that did not refuse the migration. */
export interface Review {
  /** One line per statement that ran under a `-- release-strategies:allow` comment. */
  readonly allowances: string[];
}

/** A table or index name, optionally schema-qualified. */
interface Relation {
  readonly schema?: string;
  readonly name: string;
}

interface Violation {
  readonly rule: MigrationRule;
  readonly problem: string;
  readonly alternative: string;
}

/** A `CHECK (column IS NOT NULL)` constraint seen so far. */
interface NotNullCheck {
  readonly name: string;
  readonly table: Relation;
  readonly column: string;
  validated: boolean;
}

/** What earlier statements of the same phase created: no running version uses those yet. */
interface PhaseState {
  readonly phase: Phase;
  readonly tables: Relation[];
  readonly indexes: Relation[];
}

/** Every phase, in release order. */
export const PHASES: readonly Phase[] = [Phase.EXPAND, Phase.MIGRATE, Phase.CONTRACT];

const VOLATILE_FUNCTIONS = new Set([
  'random', 'gen_random_uuid', 'uuid_generate_v1', 'uuid_generate_v1mc', 'uuid_generate_v4', 'uuidv4', 'uuidv7',
  'clock_timestamp', 'timeofday', 'nextval', 'setseed',
]);
const SERIAL_TYPES = new Set(['serial', 'bigserial', 'smallserial', 'serial2', 'serial4', 'serial8']);

/** Statement types expand accepts as they are (ALTER TABLE, GRANT and ALTER TYPE are checked in detail). */
const ADDITIVE_STATEMENTS = new Set([
  'CreateStmt', 'CreateTableAsStmt', 'IndexStmt', 'ViewStmt', 'CreateFunctionStmt', 'CreateTrigStmt',
  'CreateEnumStmt', 'CompositeTypeStmt', 'CreateDomainStmt', 'CreateSeqStmt', 'CreateSchemaStmt',
  'CreateExtensionStmt', 'CommentStmt', 'InsertStmt', 'SelectStmt', 'VariableSetStmt',
]);
/** ALTER TABLE actions expand accepts (each may still be refused by a specific rule). */
const ADDITIVE_TABLE_ACTIONS = new Set([
  'AT_AddColumn', 'AT_AddConstraint', 'AT_ValidateConstraint', 'AT_SetNotNull', 'AT_DropNotNull', 'AT_SetStatistics',
]);

const EXPAND_ALLOWS = 'CREATE TABLE, ADD COLUMN, CREATE INDEX CONCURRENTLY, ADD CONSTRAINT ... NOT VALID, VALIDATE CONSTRAINT, '
  + 'SET DEFAULT, new views, functions, triggers, types, sequences, schemas and extensions, COMMENT, GRANT, INSERT';

/**
 * Checks every statement of every phase, in release order, and throws the first refusal as
 * `<where>: invalid 'phases.<phase>[<n>]': <problem> (rule <id>); <alternative>, got '<statement>'`.
 */
export function reviewPhases(where: string, statements: PhaseStatements): Review {
  const checks: NotNullCheck[] = [];
  const allowances: string[] = [];
  for (const phase of PHASES) {
    const state: PhaseState = { phase, tables: [], indexes: [] };
    for (const statement of statements[phase]) {
      for (const v of violations(statement, state, checks)) {
        const reason = statement.allowed.get(v.rule);
        if (reason === undefined) {
          fail(where, `phases.${statement.field}`, `${v.problem} (rule ${v.rule}); ${v.alternative}`, statement.display);
        }
        allowances.push(`phases.${statement.field}: '${statement.display}' runs although ${v.problem} (rule ${v.rule} allowed: ${reason})`);
      }
      record(statement, state, checks);
    }
  }
  return { allowances };
}

/** Everything wrong with one statement, most specific first. */
function violations(s: SqlStatement, state: PhaseState, checks: NotNullCheck[]): Violation[] {
  const found = [...structural(s), ...specific(s, state, checks)];
  if (found.length === 0 && state.phase === Phase.EXPAND && !isAdditive(s) && !changesOnlyNewObjects(s, state)) {
    found.push({
      rule: MigrationRule.NOT_ADDITIVE,
      problem: `expand may only add to the schema (${EXPAND_ALLOWS}), and ${statementKind(s)} is none of those`,
      alternative: 'move it to migrate or contract',
    });
  }
  return found;
}

/** Rules about how the runner executes a phase, in every phase. */
function structural(s: SqlStatement): Violation[] {
  if (s.type === 'TransactionStmt') {
    return [{
      rule: MigrationRule.TRANSACTION_CONTROL,
      problem: `phases must not contain ${firstWord(s)}: the runner groups statements into transactions itself and keeps CONCURRENTLY statements outside them`,
      alternative: 'remove it',
    }];
  }
  if (s.type === 'VariableSetStmt') {
    const name: string | undefined = s.node.name;
    if (s.node.kind === 'VAR_RESET_ALL' || name === 'lock_timeout' || name === 'statement_timeout') {
      return [{
        rule: MigrationRule.TIMEOUT_OVERRIDE,
        problem: `phases must not ${name === undefined ? 'reset every setting' : `set ${name}`}: the construct sets lock_timeout and statement_timeout from its lockTimeout and statementTimeout`,
        alternative: 'set those properties instead',
      }];
    }
  }
  return [];
}

/** The rules about what a statement does to the schema and its locks. */
function specific(s: SqlStatement, state: PhaseState, checks: NotNullCheck[]): Violation[] {
  const n = s.node;
  const phase = state.phase;
  const compat = phase !== Phase.CONTRACT; // expand and migrate run next to a version that uses the old shape
  const out: Violation[] = [];
  switch (s.type) {
    case 'DoStmt':
      if (compat) {
        out.push({
          rule: MigrationRule.UNCHECKABLE_BLOCK,
          problem: `${phase} must not run a DO block: its statements cannot be checked against the running version`,
          alternative: "write the statements out, or check the block by hand and allow it with '-- release-strategies:allow uncheckable-block <reason>'",
        });
      }
      break;
    case 'DropStmt':
      out.push(...dropViolations(n, state));
      break;
    case 'RenameStmt':
      if (compat) out.push(...renameViolations(n, state));
      break;
    case 'AlterEnumStmt':
      if (compat && n.oldVal !== undefined) {
        const type = qualified(n.typeName);
        out.push({
          rule: MigrationRule.RENAME_OBJECT,
          problem: `${phase} must not rename value '${n.oldVal}' of type ${type} to '${n.newVal}': ${whoUses(phase)} the old value`,
          alternative: `add '${n.newVal}' with ALTER TYPE ${type} ADD VALUE in expand, move rows to it in migrate, and stop using '${n.oldVal}' in contract`,
        });
      }
      break;
    case 'TruncateStmt':
      if (compat) {
        for (const rv of n.relations ?? []) {
          const table = relation(rv.RangeVar);
          if (isNew(state.tables, table)) continue;
          out.push({
            rule: MigrationRule.TRUNCATE,
            problem: `${phase} must not truncate ${show(table)}: ${whoUses(phase)} its rows`,
            alternative: 'remove the rows in contract',
          });
        }
      }
      break;
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'MergeStmt': {
      const table = relation(n.relation);
      if (phase === Phase.EXPAND && !isNew(state.tables, table)) {
        out.push(s.type === 'DeleteStmt' ? {
          rule: MigrationRule.DATA_CHANGE_IN_EXPAND,
          problem: `expand must not delete rows of ${show(table)}: the running version still reads them`,
          alternative: 'delete them in migrate or contract',
        } : {
          rule: MigrationRule.DATA_CHANGE_IN_EXPAND,
          problem: `expand must not update rows of ${show(table)}: it runs before every running version writes the new shape, so rows written meanwhile would be missed`,
          alternative: 'backfill in migrate, which runs after the rollout',
        });
      }
      break;
    }
    case 'IndexStmt': {
      const table = relation(n.relation);
      if (!n.concurrent && !isNew(state.tables, table)) {
        out.push({
          rule: MigrationRule.INDEX_WITHOUT_CONCURRENTLY,
          problem: `${phase} must not build index ${n.idxname ?? `on ${show(table)}`} on existing table ${show(table)} without CONCURRENTLY: it blocks writes to ${show(table)} until the build ends`,
          alternative: 'use CREATE INDEX CONCURRENTLY',
        });
      }
      break;
    }
    case 'AlterTableStmt':
      out.push(...alterTableViolations(n, state, checks));
      break;
    case 'ReindexStmt':
      if (!(n.params ?? []).some((p: any) => p.DefElem?.defname === 'concurrently')) {
        out.push(blocking(phase, 'REINDEX', 'it blocks writes to the table while it rebuilds', 'use REINDEX ... CONCURRENTLY'));
      }
      break;
    case 'VacuumStmt':
      if ((n.options ?? []).some((o: any) => o.DefElem?.defname === 'full')) {
        out.push(blocking(phase, 'VACUUM FULL', 'it rewrites the table under an ACCESS EXCLUSIVE lock', 'run a plain VACUUM, or repack outside the release (for example with pg_repack)'));
      }
      break;
    case 'ClusterStmt':
      out.push(blocking(phase, 'CLUSTER', 'it rewrites the table under an ACCESS EXCLUSIVE lock', 'repack outside the release (for example with pg_repack)'));
      break;
    case 'RefreshMatViewStmt':
      if (!n.concurrent) {
        out.push(blocking(phase, 'REFRESH MATERIALIZED VIEW', 'it blocks every read of the view until it ends', 'use REFRESH MATERIALIZED VIEW CONCURRENTLY (it needs a unique index on the view)'));
      }
      break;
    case 'LockStmt':
      out.push(blocking(phase, 'LOCK TABLE', 'an explicit table lock blocks the running version', 'remove it; the runner bounds every lock wait with lock_timeout'));
      break;
  }
  return out;
}

function blocking(phase: Phase, what: string, why: string, alternative: string): Violation {
  return { rule: MigrationRule.BLOCKING_MAINTENANCE, problem: `${phase} must not run ${what}: ${why}`, alternative };
}

function dropViolations(n: any, state: PhaseState): Violation[] {
  const phase = state.phase;
  const compat = phase !== Phase.CONTRACT;
  const type: string = n.removeType;
  const out: Violation[] = [];
  for (const object of n.objects ?? []) {
    const names = objectNames(object);
    const target: Relation = names.length > 1 ? { schema: names[names.length - 2], name: names[names.length - 1] } : { name: names[0] };
    if (type === 'OBJECT_TABLE') {
      if (compat && !isNew(state.tables, target)) {
        out.push({
          rule: MigrationRule.DROP_TABLE,
          problem: `${phase} must not drop table ${show(target)}: ${whoUses(phase)} it`,
          alternative: 'drop it in contract, once no running version reads it',
        });
      }
    } else if (type === 'OBJECT_INDEX') {
      if (isNew(state.indexes, target)) continue;
      if (compat) {
        out.push({
          rule: MigrationRule.DROP_OBJECT,
          problem: `${phase} must not drop index ${show(target)}: ${whoUses(phase)} it for its queries`,
          alternative: 'drop it in contract, once no running version needs it',
        });
      } else if (!n.concurrent) {
        out.push({
          rule: MigrationRule.DROP_INDEX_WITHOUT_CONCURRENTLY,
          problem: `${phase} must not drop index ${show(target)} without CONCURRENTLY: it takes an ACCESS EXCLUSIVE lock on its table`,
          alternative: 'use DROP INDEX CONCURRENTLY',
        });
      }
    } else if (compat) {
      out.push({
        rule: MigrationRule.DROP_OBJECT,
        problem: `${phase} must not drop ${objectKind(type)} ${names.join('.')}: ${whoUses(phase)} it`,
        alternative: 'drop it in contract, once no running version uses it',
      });
    }
  }
  return out;
}

function renameViolations(n: any, state: PhaseState): Violation[] {
  const phase = state.phase;
  const type: string = n.renameType;
  if (type === 'OBJECT_COLUMN') {
    const table = relation(n.relation);
    if (isNew(state.tables, table)) return [];
    return [{
      rule: MigrationRule.RENAME_COLUMN,
      problem: `${phase} must not rename column ${n.subname} of ${show(table)} to ${n.newname}: ${whoUses(phase)} ${n.subname}`,
      alternative: `add ${n.newname} in expand, copy ${n.subname} into it in migrate, and drop ${n.subname} in contract`,
    }];
  }
  if (type === 'OBJECT_TABLE') {
    const table = relation(n.relation);
    if (isNew(state.tables, table)) return [];
    return [{
      rule: MigrationRule.RENAME_TABLE,
      problem: `${phase} must not rename table ${show(table)} to ${n.newname}: ${whoUses(phase)} ${show(table)}`,
      alternative: `create ${n.newname} (or a view named ${n.newname} over ${show(table)}) in expand, move the data in migrate, and drop ${show(table)} in contract`,
    }];
  }
  // Index, constraint, trigger and policy names are not part of what the application reads.
  if (['OBJECT_INDEX', 'OBJECT_TABCONSTRAINT', 'OBJECT_DOMCONSTRAINT', 'OBJECT_TRIGGER', 'OBJECT_POLICY', 'OBJECT_RULE'].includes(type)) return [];
  const name = n.relation ? show(relation(n.relation)) : objectNames(n.object).join('.');
  return [{
    rule: MigrationRule.RENAME_OBJECT,
    problem: `${phase} must not rename ${objectKind(type)} ${name} to ${n.newname}: ${whoUses(phase)} it by its old name`,
    alternative: `create ${n.newname} next to it in expand and drop the old one in contract`,
  }];
}

function alterTableViolations(n: any, state: PhaseState, checks: NotNullCheck[]): Violation[] {
  const phase = state.phase;
  const compat = phase !== Phase.CONTRACT;
  const table = relation(n.relation);
  if (isNew(state.tables, table)) return [];
  const t = show(table);
  const out: Violation[] = [];
  for (const item of n.cmds ?? []) {
    const cmd = item.AlterTableCmd;
    switch (cmd.subtype) {
      case 'AT_DropColumn':
        if (compat) {
          out.push({
            rule: MigrationRule.DROP_COLUMN,
            problem: `${phase} must not drop column ${cmd.name} of ${t}: ${whoUses(phase)} it`,
            alternative: 'drop it in contract, once no running version reads it',
          });
        }
        break;
      case 'AT_DropConstraint':
        if (compat) {
          out.push({
            rule: MigrationRule.DROP_OBJECT,
            problem: `${phase} must not drop constraint ${cmd.name} of ${t}: ${whoUses(phase)} it (for example in ON CONFLICT)`,
            alternative: 'drop it in contract, once no running version relies on it',
          });
        }
        break;
      case 'AT_ColumnDefault':
        if (compat && cmd.def === undefined) {
          out.push({
            rule: MigrationRule.DROP_DEFAULT,
            problem: `${phase} must not drop the default of column ${cmd.name} of ${t}: ${whoUses(phase)} it, inserting rows without ${cmd.name}`,
            alternative: 'drop the default in contract',
          });
        }
        break;
      case 'AT_AlterColumnType':
        out.push({
          rule: MigrationRule.CHANGE_COLUMN_TYPE,
          problem: `${phase} must not change the type of column ${cmd.name} of ${t}: it rewrites the table under an ACCESS EXCLUSIVE lock, and the running version reads the old type`,
          alternative: `add a new column of the new type in expand, backfill it in migrate, and drop ${cmd.name} in contract`,
        });
        break;
      case 'AT_SetNotNull':
        if (!checks.some((c) => c.validated && c.column === cmd.name && sameRelation(c.table, table))) {
          out.push({
            rule: MigrationRule.SET_NOT_NULL,
            problem: `${phase} must not set column ${cmd.name} of ${t} NOT NULL without a validated CHECK (${cmd.name} IS NOT NULL): PostgreSQL scans the whole table under an ACCESS EXCLUSIVE lock`,
            alternative: `add a CONSTRAINT ... CHECK (${cmd.name} IS NOT NULL) NOT VALID, VALIDATE it in a later statement or phase, then SET NOT NULL`,
          });
        }
        break;
      case 'AT_AddColumn':
        out.push(...addColumnViolations(phase, t, cmd.def.ColumnDef));
        break;
      case 'AT_AddConstraint':
        out.push(...constraintViolations(phase, t, cmd.def.Constraint));
        break;
    }
  }
  return out;
}

function addColumnViolations(phase: Phase, t: string, def: any): Violation[] {
  const constraints: any[] = (def.constraints ?? []).map((c: any) => c.Constraint);
  const has = (type: string) => constraints.find((c) => c.contype === type);
  const typeName: string = (def.typeName?.names ?? []).map((x: any) => x.String?.sval).pop() ?? '';
  const column: string = def.colname;
  const defaultExpr = has('CONSTR_DEFAULT')?.raw_expr;
  const volatile = defaultExpr === undefined ? undefined : volatileCall(defaultExpr);
  let rewrite: string | undefined;
  if (SERIAL_TYPES.has(typeName)) rewrite = `type ${typeName}`;
  else if (has('CONSTR_IDENTITY')) rewrite = 'GENERATED ... AS IDENTITY';
  else if (has('CONSTR_GENERATED')) rewrite = 'GENERATED ALWAYS AS (...) STORED';
  else if (volatile) rewrite = `the volatile default ${volatile}()`;
  const out: Violation[] = [];
  if (rewrite) {
    out.push({
      rule: MigrationRule.TABLE_REWRITE,
      problem: `${phase} must not add column ${column} to ${t} with ${rewrite}: it rewrites the whole table under an ACCESS EXCLUSIVE lock`,
      alternative: `add the column without it, set the default for new rows with ALTER COLUMN ${column} SET DEFAULT, and backfill existing rows in migrate`,
    });
  } else if (has('CONSTR_NOTNULL') && defaultExpr === undefined) {
    out.push({
      rule: MigrationRule.REQUIRED_COLUMN,
      problem: `${phase} must not add column ${column} to ${t} as NOT NULL without a DEFAULT: it fails on a table with rows and breaks the running version's inserts`,
      alternative: 'add it nullable (or with a DEFAULT), backfill it in migrate, then enforce NOT NULL with a validated CHECK',
    });
  }
  for (const c of constraints) out.push(...constraintViolations(phase, t, c));
  return out;
}

function constraintViolations(phase: Phase, t: string, c: any): Violation[] {
  const name = c.conname ? `${c.conname} ` : '';
  switch (c.contype) {
    case 'CONSTR_CHECK':
    case 'CONSTR_FOREIGN':
      if (c.skip_validation) return [];
      return [{
        rule: MigrationRule.VALIDATING_CONSTRAINT,
        problem: `${phase} must not add ${c.contype === 'CONSTR_CHECK' ? 'check' : 'foreign key'} constraint ${name}to ${t} without NOT VALID: it scans the whole table while blocking writes`,
        alternative: `add it NOT VALID, then VALIDATE CONSTRAINT ${c.conname ?? '<name>'} in a later statement or phase`,
      }];
    case 'CONSTR_PRIMARY':
    case 'CONSTR_UNIQUE': {
      if (c.indexname) return [];
      const kind = c.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE';
      return [{
        rule: MigrationRule.CONSTRAINT_BUILDS_INDEX,
        problem: `${phase} must not add ${kind} constraint ${name}to ${t} without USING INDEX: it builds the index while blocking writes`,
        alternative: `CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... ${kind} USING INDEX`,
      }];
    }
    case 'CONSTR_EXCLUSION':
      return [{
        rule: MigrationRule.CONSTRAINT_BUILDS_INDEX,
        problem: `${phase} must not add exclusion constraint ${name}to ${t}: it builds its index while blocking writes`,
        alternative: 'exclusion constraints cannot reuse an index built concurrently: add it when the table is created',
      }];
  }
  return [];
}

/** Records what a statement created or validated, for the statements after it. */
function record(s: SqlStatement, state: PhaseState, checks: NotNullCheck[]): void {
  const n = s.node;
  switch (s.type) {
    case 'CreateStmt':
      state.tables.push(relation(n.relation));
      break;
    case 'CreateTableAsStmt':
      if (n.into?.rel) state.tables.push(relation(n.into.rel));
      break;
    case 'IndexStmt':
      if (n.idxname) state.indexes.push({ schema: n.relation?.schemaname, name: n.idxname });
      break;
    case 'AlterTableStmt': {
      const table = relation(n.relation);
      for (const item of n.cmds ?? []) {
        const cmd = item.AlterTableCmd;
        if (cmd.subtype === 'AT_AddConstraint') {
          const c = cmd.def.Constraint;
          const column = notNullColumn(c);
          if (column !== undefined) {
            checks.push({ name: c.conname ?? `${table.name}_${column}_check`, table, column, validated: !c.skip_validation });
          }
        } else if (cmd.subtype === 'AT_ValidateConstraint') {
          for (const c of checks) {
            if (c.name === cmd.name && sameRelation(c.table, table)) c.validated = true;
          }
        }
      }
      break;
    }
  }
}

/** The column of a `CHECK (column IS NOT NULL)` constraint. */
function notNullColumn(c: any): string | undefined {
  const test = c?.contype === 'CONSTR_CHECK' ? c.raw_expr?.NullTest : undefined;
  const fields = test?.nulltesttype === 'IS_NOT_NULL' ? test.arg?.ColumnRef?.fields : undefined;
  return fields?.length === 1 ? fields[0].String?.sval : undefined;
}

/** Whether the statement changes only a table or index created earlier in the same phase. */
function changesOnlyNewObjects(s: SqlStatement, state: PhaseState): boolean {
  const n = s.node;
  switch (s.type) {
    case 'AlterTableStmt':
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'MergeStmt':
    case 'TruncateStmt':
      return (s.type === 'TruncateStmt' ? (n.relations ?? []).map((r: any) => r.RangeVar) : [n.relation])
        .every((r: any) => isNew(state.tables, relation(r)));
    case 'RenameStmt':
      return n.relation !== undefined && (isNew(state.tables, relation(n.relation)) || isNew(state.indexes, relation(n.relation)));
    case 'DropStmt':
      return (n.objects ?? []).every((o: any) => {
        const names = objectNames(o);
        const target: Relation = names.length > 1 ? { schema: names[names.length - 2], name: names[names.length - 1] } : { name: names[0] };
        return (n.removeType === 'OBJECT_TABLE' && isNew(state.tables, target)) || (n.removeType === 'OBJECT_INDEX' && isNew(state.indexes, target));
      });
    default:
      return false;
  }
}

/** Whether expand accepts the statement (specific rules aside). */
function isAdditive(s: SqlStatement): boolean {
  const n = s.node;
  switch (s.type) {
    case 'AlterTableStmt':
      return (n.cmds ?? []).every((item: any) => {
        const cmd = item.AlterTableCmd;
        return ADDITIVE_TABLE_ACTIONS.has(cmd.subtype) || (cmd.subtype === 'AT_ColumnDefault' && cmd.def !== undefined);
      });
    case 'GrantStmt':
      return n.is_grant === true;
    case 'AlterEnumStmt':
      return n.oldVal === undefined;
    default:
      return ADDITIVE_STATEMENTS.has(s.type);
  }
}

/** The name of the first call of a volatile function in an expression, if any. */
function volatileCall(expr: any): string | undefined {
  if (Array.isArray(expr)) {
    for (const e of expr) {
      const found = volatileCall(e);
      if (found) return found;
    }
    return undefined;
  }
  if (expr === null || typeof expr !== 'object') return undefined;
  if (expr.FuncCall) {
    const name: string = (expr.FuncCall.funcname ?? []).map((x: any) => x.String?.sval).pop() ?? '';
    if (VOLATILE_FUNCTIONS.has(name)) return name;
  }
  for (const value of Object.values(expr)) {
    const found = volatileCall(value);
    if (found) return found;
  }
  return undefined;
}

/** Who still depends on the old shape in this phase. */
function whoUses(phase: Phase): string {
  return phase === Phase.EXPAND
    ? 'the running version still uses'
    : 'the previous version may still run, or be rolled back to, and it uses';
}

function statementKind(s: SqlStatement): string {
  if (s.type === 'AlterTableStmt') {
    const actions = (s.node.cmds ?? [])
      .map((item: any) => item.AlterTableCmd.subtype)
      .filter((sub: string) => !ADDITIVE_TABLE_ACTIONS.has(sub))
      .map((sub: string) => words(sub.replace(/^AT_/, '')));
    return `ALTER TABLE ... ${actions.join(', ')}`;
  }
  if (s.type === 'GrantStmt') return 'REVOKE';
  return words(s.type.replace(/Stmt$/, ''));
}

/** `DropConstraint` becomes `DROP CONSTRAINT`. */
function words(camel: string): string {
  return camel.replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
}

function firstWord(s: SqlStatement): string {
  return s.display.split(' ')[0].toUpperCase();
}

function objectKind(type: string): string {
  return type.replace(/^OBJECT_/, '').replace(/_/g, ' ').toLowerCase();
}

function relation(rangeVar: any): Relation {
  return { schema: rangeVar?.schemaname, name: rangeVar?.relname ?? '?' };
}

/** The name parts of an object in DROP or RENAME: a list, a function with arguments, a type or a plain name. */
function objectNames(object: any): string[] {
  const items: any[] = object?.List?.items ?? object?.ObjectWithArgs?.objname ?? object?.TypeName?.names ?? [object];
  return items.map((x: any) => x?.String?.sval ?? '?');
}

function qualified(items: any[]): string {
  return items.map((x: any) => x.String?.sval ?? '?').join('.');
}

function show(r: Relation): string {
  return r.schema ? `${r.schema}.${r.name}` : r.name;
}

/** Same name, and the same schema when both name one. */
function sameRelation(a: Relation, b: Relation): boolean {
  return a.name === b.name && (a.schema === undefined || b.schema === undefined || a.schema === b.schema);
}

function isNew(created: Relation[], r: Relation): boolean {
  return created.some((c) => sameRelation(c, r));
}
