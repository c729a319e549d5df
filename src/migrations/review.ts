/**
 * The rules every migration phase is checked against (see `MigrationRule` for the list). Internal:
 * both the Kubernetes and the AWS constructs call `reviewPhases` with their own construct path.
 */
import { Backfill } from './backfill';
import { MigrationRule } from './migration-rule';
import { Phase } from './phase';
import { Removal, RemovalKind } from './removal';
import { SqlStatement } from './sql-statement';
import { fail } from '../private/validate';

/** Statements of each phase, in order. */
export type PhaseStatements = { readonly [phase in Phase]: readonly SqlStatement[] };

/** What a review checks: the phases, what contract declares it removes, the target server. */
export interface ReviewInput {
  readonly statements: PhaseStatements;
  readonly backfills: readonly Backfill[];
  readonly removes: readonly Removal[];
  /** Major version of the target PostgreSQL server. */
  readonly postgresVersion: number;
}

/** What a review found that did not refuse the migration. */
export interface Review {
  /** One line per statement that ran under a `-- release-strategies:allow` comment. */
  readonly allowances: string[];
  /** Whether every statement can run again after a failed or killed run (no `not-idempotent` allowance). */
  readonly rerunnable: boolean;
}

/** The oldest and newest PostgreSQL major versions the rules know. */
export const POSTGRES_VERSIONS = { min: 10, max: 18, default: 15 };

/** Settings only the construct sets. */
const TIMEOUT_SETTINGS = new Set(['lock_timeout', 'statement_timeout', 'idle_in_transaction_session_timeout', 'transaction_timeout']);
/** Settings a phase may change: they change how fast or how verbosely it runs, not what it does. */
const HARMLESS_SETTINGS = new Set([
  'application_name', 'client_min_messages', 'maintenance_work_mem', 'work_mem', 'max_parallel_maintenance_workers',
  'max_parallel_workers_per_gather', 'default_statistics_target',
]);

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
  readonly version: number;
  readonly removes: readonly Removal[];
  /** Functions created by any earlier statement whose body runs dynamic SQL. */
  readonly dynamicFunctions: Set<string>;
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
export function reviewPhases(where: string, input: ReviewInput): Review {
  const checks: NotNullCheck[] = [];
  const allowances: string[] = [];
  const dynamicFunctions = new Set<string>();
  let rerunnable = true;
  for (const phase of PHASES) {
    const state: PhaseState = { phase, tables: [], indexes: [], version: input.postgresVersion, removes: input.removes, dynamicFunctions };
    for (const statement of input.statements[phase]) {
      for (const v of violations(statement, state, checks)) {
        const reason = statement.allowed.get(v.rule);
        if (reason === undefined) {
          fail(where, `phases.${statement.field}`, `${v.problem} (rule ${v.rule}); ${v.alternative}`, statement.display);
        }
        if (v.rule === MigrationRule.NOT_IDEMPOTENT) rerunnable = false;
        allowances.push(`phases.${statement.field}: '${statement.display}' runs although ${v.problem} (rule ${v.rule} allowed: ${reason})`);
      }
      record(statement, state, checks);
    }
  }
  return { allowances, rerunnable };
}

/** Everything wrong with one statement, most specific first. */
function violations(s: SqlStatement, state: PhaseState, checks: NotNullCheck[]): Violation[] {
  const found = [...versionViolations(s, state.version), ...structural(s, state), ...specific(s, state, checks), ...idempotency(s, state)];
  if (found.length === 0 && state.phase === Phase.EXPAND && !isAdditive(s) && !changesOnlyNewObjects(s, state)) {
    found.push({
      rule: MigrationRule.NOT_ADDITIVE,
      problem: `expand may only add to the schema (${EXPAND_ALLOWS}), and ${statementKind(s)} is none of those`,
      alternative: 'move it to migrate or contract',
    });
  }
  return found;
}

/** Rules about how the runner executes a phase, and what it can see, in every phase. */
function structural(s: SqlStatement, state: PhaseState): Violation[] {
  const phase = state.phase;
  if (s.type === 'TransactionStmt') {
    return [{
      rule: MigrationRule.TRANSACTION_CONTROL,
      problem: `phases must not contain ${firstWord(s)}: the runner groups statements into transactions itself and keeps CONCURRENTLY statements outside them`,
      alternative: 'remove it',
    }];
  }
  const out: Violation[] = [];
  const setting = (name: string | undefined, how: string) => {
    if (name === undefined || TIMEOUT_SETTINGS.has(name)) {
      out.push({
        rule: MigrationRule.TIMEOUT_OVERRIDE,
        problem: `phases must not ${name === undefined ? 'reset every setting' : `change ${name}`}${how}: the construct sets lock_timeout and statement_timeout from its lockTimeout, statementTimeout, indexBuildTimeout and batchTimeout`,
        alternative: 'set those properties instead',
      });
    } else if (!HARMLESS_SETTINGS.has(name)) {
      out.push({
        rule: MigrationRule.SESSION_OVERRIDE,
        problem: `${phase} must not change ${name}${how}: it changes what the statements after it do (which role runs them, which objects names resolve to, whether triggers fire) behind the checks`,
        alternative: 'qualify names instead of changing search_path, grant the migration\'s role what it needs, or check it by hand and allow it with \'-- release-strategies:allow session-override <reason>\'',
      });
    }
  };
  switch (s.type) {
    case 'VariableSetStmt':
      setting(s.node.kind === 'VAR_RESET_ALL' ? undefined : s.node.name, '');
      break;
    case 'AlterRoleSetStmt':
    case 'AlterDatabaseSetStmt':
    case 'AlterSystemStmt': {
      const set = s.node.setstmt;
      const target = s.type === 'AlterRoleSetStmt' ? `role ${s.node.role?.rolename ?? 'ALL'}` : s.type === 'AlterDatabaseSetStmt' ? `database ${s.node.dbname}` : 'the server';
      setting(set?.kind === 'VAR_RESET_ALL' ? undefined : set?.name, ` for ${target}`);
      break;
    }
    case 'AlterFunctionStmt':
    case 'CreateFunctionStmt':
      for (const option of [...(s.node.actions ?? []), ...(s.node.options ?? [])]) {
        const set = option.DefElem?.defname === 'set' ? option.DefElem.arg?.VariableSetStmt : undefined;
        if (set) setting(set.kind === 'VAR_RESET_ALL' ? undefined : set.name, ' for every call of a function');
      }
      break;
    case 'DoStmt':
      out.push({
        rule: MigrationRule.UNCHECKABLE_BLOCK,
        problem: `${phase} must not run a DO block: its statements cannot be checked against the running version`,
        alternative: "write the statements out, or check the block by hand and allow it with '-- release-strategies:allow uncheckable-block <reason>'",
      });
      break;
    case 'CallStmt':
      out.push({
        rule: MigrationRule.UNCHECKABLE_BLOCK,
        problem: `${phase} must not call procedure ${qualified(s.node.funccall?.funcname ?? [])}: what it runs (and commits) cannot be checked`,
        alternative: "write its statements out, or check it by hand and allow it with '-- release-strategies:allow uncheckable-block <reason>'",
      });
      break;
  }
  if (s.type !== 'CreateFunctionStmt') {
    for (const call of functionCalls(s.node)) {
      const name: string = (call.funcname ?? []).map((x: any) => x.String?.sval).pop() ?? '';
      if (name === 'set_config') {
        const first = call.args?.[0]?.A_Const?.sval?.sval;
        setting(typeof first === 'string' ? first : '(a setting named at run time)', ' with set_config()');
      } else if (state.dynamicFunctions.has(name)) {
        out.push({
          rule: MigrationRule.UNCHECKABLE_BLOCK,
          problem: `${phase} must not call ${name}(), which these phases create with dynamic SQL (EXECUTE): what it runs cannot be checked`,
          alternative: "write the statements out, or check it by hand and allow it with '-- release-strategies:allow uncheckable-block <reason>'",
        });
      }
    }
  }
  return out;
}

/** Statements and options that the target PostgreSQL version does not have. */
function versionViolations(s: SqlStatement, version: number): Violation[] {
  const needs: Array<[number, string]> = [];
  const n = s.node;
  switch (s.type) {
    case 'MergeStmt':
      needs.push([15, 'MERGE']);
      if (n.returningList) needs.push([17, 'MERGE ... RETURNING']);
      if ((n.mergeWhenClauses ?? []).some((c: any) => c.MergeWhenClause?.matchKind === 'MERGE_WHEN_NOT_MATCHED_BY_SOURCE')) needs.push([17, 'MERGE ... WHEN NOT MATCHED BY SOURCE']);
      break;
    case 'IndexStmt':
      if (n.nulls_not_distinct) needs.push([15, 'NULLS NOT DISTINCT']);
      break;
    case 'CreateTrigStmt':
      if (n.replace) needs.push([14, 'CREATE OR REPLACE TRIGGER']);
      break;
    case 'ReindexStmt':
      if ((n.params ?? []).some((p: any) => p.DefElem?.defname === 'concurrently')) needs.push([12, 'REINDEX ... CONCURRENTLY']);
      break;
    case 'CallStmt':
      needs.push([11, 'CALL']);
      break;
    case 'CreateFunctionStmt':
      if (n.is_procedure) needs.push([11, 'CREATE PROCEDURE']);
      break;
    case 'AlterTableStmt':
      for (const item of n.cmds ?? []) {
        const cmd = item.AlterTableCmd;
        if (cmd.subtype === 'AT_DetachPartition' && cmd.def?.PartitionCmd?.concurrent) needs.push([14, 'DETACH PARTITION ... CONCURRENTLY']);
        if (cmd.subtype === 'AT_SetExpression') needs.push([17, 'ALTER COLUMN ... SET EXPRESSION']);
      }
      break;
  }
  walk(n, (key, value) => {
    if (key === 'Constraint' && value.contype === 'CONSTR_GENERATED') needs.push([12, 'GENERATED ALWAYS AS (...) STORED']);
    if (key === 'Constraint' && value.nulls_not_distinct) needs.push([15, 'NULLS NOT DISTINCT']);
    if (key === 'JsonTable') needs.push([17, 'JSON_TABLE']);
    if (key === 'FuncCall') {
      const name: string = (value.funcname ?? []).map((x: any) => x.String?.sval).pop() ?? '';
      const since = FUNCTIONS_SINCE[name];
      if (since !== undefined) needs.push([since, `${name}()`]);
    }
  });
  return needs.filter(([since]) => since > version).slice(0, 1).map(([since, what]) => ({
    rule: MigrationRule.POSTGRES_VERSION,
    problem: `${what} needs PostgreSQL ${since}, and postgresVersion is ${version}`,
    alternative: `write it without ${what}, or set postgresVersion to the server's version if it is ${since} or later`,
  }));
}

/** Built-in functions newer than the oldest version the rules know, by the version that added them. */
const FUNCTIONS_SINCE: { [name: string]: number } = { gen_random_uuid: 13, uuidv7: 18, uuidv4: 18, any_value: 16, random_normal: 16 };

/** Every way a statement can fail on its second run, and how to write it so it does not. */
function idempotency(s: SqlStatement, state: PhaseState): Violation[] {
  const n = s.node;
  const out: Violation[] = [];
  const rerun = (what: string, alternative: string) => out.push({
    rule: MigrationRule.NOT_IDEMPOTENT,
    problem: `${state.phase} must be able to run again (a retried Job, a re-sync, a run killed midway), and ${what} fails the second time`,
    alternative,
  });
  switch (s.type) {
    case 'CreateStmt':
      if (!n.if_not_exists) rerun(`CREATE TABLE ${show(relation(n.relation))}`, 'use CREATE TABLE IF NOT EXISTS');
      break;
    case 'CreateTableAsStmt':
      if (!n.if_not_exists) rerun('CREATE TABLE ... AS', 'use CREATE TABLE IF NOT EXISTS ... AS');
      break;
    case 'IndexStmt':
      if (!n.idxname) rerun(`an index without a name on ${show(relation(n.relation))}`, `name it, with CREATE INDEX${n.concurrent ? ' CONCURRENTLY' : ''} IF NOT EXISTS <name>`);
      else if (!n.if_not_exists) rerun(`CREATE INDEX ${n.idxname}`, `use CREATE ${n.unique ? 'UNIQUE ' : ''}INDEX${n.concurrent ? ' CONCURRENTLY' : ''} IF NOT EXISTS ${n.idxname}`);
      break;
    case 'CreateSeqStmt':
    case 'CreateSchemaStmt':
    case 'CreateExtensionStmt':
      if (!n.if_not_exists) rerun(statementKind(s), `use ${statementKind(s)} IF NOT EXISTS`);
      break;
    case 'CreateFunctionStmt':
      if (!n.replace) rerun(`CREATE ${n.is_procedure ? 'PROCEDURE' : 'FUNCTION'} ${qualified(n.funcname)}`, `use CREATE OR REPLACE ${n.is_procedure ? 'PROCEDURE' : 'FUNCTION'}`);
      break;
    case 'ViewStmt':
      if (!n.replace) rerun(`CREATE VIEW ${show(relation(n.view))}`, 'use CREATE OR REPLACE VIEW');
      break;
    case 'AlterEnumStmt':
      if (n.oldVal === undefined && !n.skipIfNewValExists) rerun(`ALTER TYPE ${qualified(n.typeName)} ADD VALUE '${n.newVal}'`, `use ADD VALUE IF NOT EXISTS '${n.newVal}'`);
      break;
    case 'InsertStmt':
      if (!n.onConflictClause) rerun(`INSERT INTO ${show(relation(n.relation))} without ON CONFLICT`, 'add ON CONFLICT DO NOTHING (on a unique key), so the rows are inserted once');
      break;
    case 'DropStmt':
      if (!n.missing_ok) rerun(`DROP ${objectKind(n.removeType).toUpperCase()}`, `use DROP ${objectKind(n.removeType).toUpperCase()}${n.concurrent ? ' CONCURRENTLY' : ''} IF EXISTS`);
      break;
    case 'RenameStmt':
      rerun('a rename', 'give the object its final name where this phase creates it');
      break;
    case 'AlterTableStmt':
      for (const item of n.cmds ?? []) {
        const cmd = item.AlterTableCmd;
        if (cmd.subtype === 'AT_AddColumn' && !cmd.missing_ok) rerun(`ADD COLUMN ${cmd.def.ColumnDef.colname}`, `use ADD COLUMN IF NOT EXISTS ${cmd.def.ColumnDef.colname}`);
        if (cmd.subtype === 'AT_DropColumn' && !cmd.missing_ok) rerun(`DROP COLUMN ${cmd.name}`, `use DROP COLUMN IF EXISTS ${cmd.name}`);
        if (cmd.subtype === 'AT_DropConstraint' && !cmd.missing_ok) rerun(`DROP CONSTRAINT ${cmd.name}`, `use DROP CONSTRAINT IF EXISTS ${cmd.name}`);
        if (cmd.subtype === 'AT_AddConstraint' && !cmd.def?.Constraint?.conname) {
          rerun('ADD CONSTRAINT without a name', 'name the constraint (ADD CONSTRAINT <name> ...): the runner skips a named constraint that already exists');
        }
      }
      break;
  }
  return out;
}

/** The rules about what a statement does to the schema and its locks. */
function specific(s: SqlStatement, state: PhaseState, checks: NotNullCheck[]): Violation[] {
  const n = s.node;
  const phase = state.phase;
  const compat = phase !== Phase.CONTRACT; // expand and migrate run next to a version that uses the old shape
  const out: Violation[] = [];
  switch (s.type) {
    case 'DropdbStmt':
      out.push({
        rule: MigrationRule.DESTRUCTIVE,
        problem: `${phase} must not drop database ${n.dbname}: no release of an application drops the database it runs on`,
        alternative: 'drop databases by hand, outside any release',
      });
      break;
    case 'DropStmt':
      out.push(...dropViolations(n, state));
      break;
    case 'RenameStmt':
      out.push(...renameViolations(n, state));
      break;
    case 'AlterEnumStmt':
      if (n.oldVal !== undefined) {
        const type = qualified(n.typeName);
        out.push({
          rule: MigrationRule.RENAME_OBJECT,
          problem: `${phase} must not rename value '${n.oldVal}' of type ${type} to '${n.newVal}': ${whoUses(phase)} the old value`,
          alternative: `add '${n.newVal}' with ALTER TYPE ${type} ADD VALUE in expand, move rows to it in migrate, and stop using '${n.oldVal}' in contract`,
        });
      }
      break;
    case 'TruncateStmt':
      if (n.behavior === 'DROP_CASCADE') out.push(cascade(phase, 'TRUNCATE ... CASCADE', 'it also empties every table with a foreign key to it'));
      for (const rv of n.relations ?? []) {
        const table = relation(rv.RangeVar);
        if (isNew(state.tables, table)) continue;
        if (compat) {
          out.push({
            rule: MigrationRule.TRUNCATE,
            problem: `${phase} must not truncate ${show(table)}: ${whoUses(phase)} its rows`,
            alternative: `remove the rows in contract, declaring Removal.table('${show(table)}')`,
          });
        } else {
          out.push(...undeclared(state, `truncate ${show(table)}`, RemovalKind.TABLE, table));
        }
      }
      break;
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'MergeStmt': {
      const table = relation(n.relation);
      if (isNew(state.tables, table)) break;
      const verb = s.type === 'DeleteStmt' ? 'delete' : 'update';
      if (s.type !== 'MergeStmt' && n.whereClause === undefined) {
        if (compat) {
          out.push({
            rule: MigrationRule.DESTRUCTIVE,
            problem: `${phase} must not ${verb} every row of ${show(table)} (no WHERE): ${whoUses(phase)} them`,
            alternative: verb === 'update'
              ? `backfill with Backfill.batched({ table: '${show(table)}', set: ..., pending: <the rows not done yet> })`
              : `delete the rows in contract, declaring Removal.table('${show(table)}')`,
          });
        } else {
          out.push(...undeclared(state, `${verb} every row of ${show(table)} (no WHERE)`, RemovalKind.TABLE, table));
        }
        break;
      }
      if (phase === Phase.MIGRATE) {
        out.push({
          rule: MigrationRule.UNBATCHED_BACKFILL,
          problem: `migrate must not ${verb} rows of existing table ${show(table)} in one statement: it holds the lock of every row it changes until it commits, so the running version's writes to them wait, and a killed run starts over`,
          alternative: `use Backfill.batched({ table: '${show(table)}', set: ..., pending: <the rows not done yet> }) in the phases' backfills, or check it by hand and allow it with '-- release-strategies:allow unbatched-backfill <reason>'`,
        });
      }
      if (phase === Phase.EXPAND) {
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
  if (n.behavior === 'DROP_CASCADE') out.push(cascade(phase, `DROP ${objectKind(type).toUpperCase()} ... CASCADE`, 'it also drops every object that depends on it, which nobody listed'));
  for (const object of n.objects ?? []) {
    const names = objectNames(object);
    const target: Relation = names.length > 1 ? { schema: names[names.length - 2], name: names[names.length - 1] } : { name: names[0] };
    if (type === 'OBJECT_TABLE') {
      if (isNew(state.tables, target)) continue;
      if (compat) {
        out.push({
          rule: MigrationRule.DROP_TABLE,
          problem: `${phase} must not drop table ${show(target)}: ${whoUses(phase)} it`,
          alternative: `drop it in contract, once no running version reads it, declaring Removal.table('${show(target)}')`,
        });
      } else {
        out.push(...undeclared(state, `drop table ${show(target)}`, RemovalKind.TABLE, target));
      }
    } else if (type === 'OBJECT_SCHEMA') {
      if (compat) {
        out.push({
          rule: MigrationRule.DESTRUCTIVE,
          problem: `${phase} must not drop schema ${names.join('.')}: ${whoUses(phase)} what it holds`,
          alternative: `drop it in contract, declaring Removal.schema('${names.join('.')}')`,
        });
      } else {
        out.push(...undeclared(state, `drop schema ${names.join('.')}`, RemovalKind.SCHEMA, { name: names[names.length - 1] }));
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
        if (cmd.behavior === 'DROP_CASCADE') out.push(cascade(phase, 'DROP COLUMN ... CASCADE', 'it also drops the views, indexes and constraints that use the column'));
        if (compat) {
          out.push({
            rule: MigrationRule.DROP_COLUMN,
            problem: `${phase} must not drop column ${cmd.name} of ${t}: ${whoUses(phase)} it`,
            alternative: `drop it in contract, once no running version reads it, declaring Removal.column('${t}', '${cmd.name}')`,
          });
        } else {
          out.push(...undeclared(state, `drop column ${cmd.name} of ${t}`, RemovalKind.COLUMN, table, cmd.name));
        }
        break;
      case 'AT_DropConstraint':
        if (cmd.behavior === 'DROP_CASCADE') out.push(cascade(phase, 'DROP CONSTRAINT ... CASCADE', 'it also drops the foreign keys that depend on it'));
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
        if (state.version < 12) {
          out.push({
            rule: MigrationRule.SET_NOT_NULL,
            problem: `${phase} must not set column ${cmd.name} of ${t} NOT NULL on PostgreSQL ${state.version}: it scans the whole table under an ACCESS EXCLUSIVE lock even with a validated CHECK (PostgreSQL 12 and later use the CHECK to skip the scan)`,
            alternative: `keep the validated CHECK (${cmd.name} IS NOT NULL) instead, or set postgresVersion to 12 or later once the server runs it`,
          });
        } else if (!checks.some((c) => c.validated && c.column === cmd.name && sameRelation(c.table, table))) {
          out.push({
            rule: MigrationRule.SET_NOT_NULL,
            problem: `${phase} must not set column ${cmd.name} of ${t} NOT NULL without a validated CHECK (${cmd.name} IS NOT NULL): PostgreSQL scans the whole table under an ACCESS EXCLUSIVE lock`,
            alternative: `add a CONSTRAINT ... CHECK (${cmd.name} IS NOT NULL) NOT VALID, VALIDATE it in a later statement or phase, then SET NOT NULL`,
          });
        }
        break;
      case 'AT_AddColumn':
        out.push(...addColumnViolations(phase, t, cmd.def.ColumnDef, state.version));
        break;
      case 'AT_AddConstraint':
        out.push(...constraintViolations(phase, t, cmd.def.Constraint));
        break;
    }
  }
  return out;
}

function addColumnViolations(phase: Phase, t: string, def: any, version: number): Violation[] {
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
  else if (defaultExpr !== undefined && version < 11) rewrite = `a DEFAULT on PostgreSQL ${version} (a non-volatile DEFAULT needs no rewrite since PostgreSQL 11)`;
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
    case 'CreateFunctionStmt': {
      const name: string = (n.funcname ?? []).map((x: any) => x.String?.sval).pop() ?? '';
      const body: string = (n.options ?? []).filter((o: any) => o.DefElem?.defname === 'as')
        .flatMap((o: any) => o.DefElem.arg?.List?.items ?? []).map((x: any) => x.String?.sval ?? '').join('\n');
      if (/\bEXECUTE\b/i.test(body)) state.dynamicFunctions.add(name);
      else state.dynamicFunctions.delete(name);
      break;
    }
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
  switch (phase) {
    case Phase.EXPAND: return 'the running version still uses';
    case Phase.MIGRATE: return 'the previous version may still run, or be rolled back to, and it uses';
    default: return 'the running version, and the version a rollback returns to, use';
  }
}

function cascade(phase: Phase, what: string, why: string): Violation {
  return {
    rule: MigrationRule.CASCADE,
    problem: `${phase} must not run ${what}: ${why}`,
    alternative: "drop the dependent objects by name first, or check it by hand and allow it with '-- release-strategies:allow cascade <reason>'",
  };
}

/** A removal in contract that the phases must declare. */
function undeclared(state: PhaseState, what: string, kind: RemovalKind, table: Relation, column?: string): Violation[] {
  const covered = state.removes.some((r) => {
    const sameName = sameRelation({ schema: r.schemaName, name: r.objectName }, table);
    if (r.kind === RemovalKind.TABLE) return (kind === RemovalKind.TABLE || kind === RemovalKind.COLUMN) && sameName;
    if (r.kind === RemovalKind.COLUMN) return kind === RemovalKind.COLUMN && sameName && r.columnName === column;
    return kind === RemovalKind.SCHEMA && r.objectName === table.name;
  });
  if (covered) return [];
  const factory = kind === RemovalKind.COLUMN ? `Removal.column('${show(table)}', '${column}')`
    : kind === RemovalKind.TABLE ? `Removal.table('${show(table)}')` : `Removal.schema('${table.name}')`;
  const declared = state.removes.length === 0 ? 'nothing' : state.removes.map((r) => r.toString()).join(', ');
  return [{
    rule: MigrationRule.UNDECLARED_REMOVAL,
    problem: `contract must not ${what}: it destroys data, and the phases declare that contract removes ${declared}`,
    alternative: `declare it in removes (${factory}) if that is what this release deletes`,
  }];
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

/** Calls `visit(key, value)` for every object in a parse tree. */
function walk(node: any, visit: (key: string, value: any) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) visit(key, value);
      walk(value, visit);
    }
  }
}

/** Every function call in a parse tree. */
function functionCalls(node: any): any[] {
  const calls: any[] = [];
  walk(node, (key, value) => { if (key === 'FuncCall') calls.push(value); });
  return calls;
}
