import { Testing } from 'cdk8s';
import {
  Backfill, DatabaseConnection, ExpandContractJob, JobOrdering, MigrationPhases, MigrationRunner, Phase, Removal, SqlParser, SqlPhasesOptions,
} from '../../src';
import { warningsOf } from '../../src/private/warnings';
import { thrown } from '../migrations/thrown';


beforeAll(async () => {
  await SqlParser.load();
});

/** Builds a job for `phase` with only `statements` in it. */
function build(phase: Phase, statements: string[], more: SqlPhasesOptions = {}, postgresVersion?: number) {
  const chart = Testing.chart();
  const job = new ExpandContractJob(chart, 'm', {
    database: DatabaseConnection.fromSecret({ secretName: 'db' }),
    runner: MigrationRunner.psql({ image: 'postgres:17.6' }),
    phases: MigrationPhases.sql({ ...more, [phase]: statements }),
    current: phase,
    ordering: JobOrdering.none(),
    oldShapeUnusedSince: 'app:2.0.0',
    postgresVersion,
  });
  return { chart, job };
}

const ADDITIVE = 'CREATE TABLE, ADD COLUMN, CREATE INDEX CONCURRENTLY, ADD CONSTRAINT ... NOT VALID, VALIDATE CONSTRAINT, SET DEFAULT, '
  + 'new views, functions, triggers, types, sequences, schemas and extensions, COMMENT, GRANT, INSERT';

// [what, phase, statements, the whole message]
const REFUSALS: Array<[string, Phase, string[], string]> = [
  ['drop-table in expand', Phase.EXPAND, ['DROP TABLE users'],
    "test/m: invalid 'phases.expand[0]': expand must not drop table users: the running version still uses it (rule drop-table); drop it in contract, once no running version reads it, declaring Removal.table('users'), got 'DROP TABLE users'"],
  ['drop-table in migrate', Phase.MIGRATE, ['DROP TABLE users'],
    "test/m: invalid 'phases.migrate[0]': migrate must not drop table users: the previous version may still run, or be rolled back to, and it uses it (rule drop-table); drop it in contract, once no running version reads it, declaring Removal.table('users'), got 'DROP TABLE users'"],
  ['drop-column in expand', Phase.EXPAND, ['ALTER TABLE users DROP COLUMN full_name'],
    "test/m: invalid 'phases.expand[0]': expand must not drop column full_name of users: the running version still uses it (rule drop-column); drop it in contract, once no running version reads it, declaring Removal.column('users', 'full_name'), got 'ALTER TABLE users DROP COLUMN full_name'"],
  ['drop-object (view) in expand', Phase.EXPAND, ['DROP VIEW public.active_users'],
    "test/m: invalid 'phases.expand[0]': expand must not drop view public.active_users: the running version still uses it (rule drop-object); drop it in contract, once no running version uses it, got 'DROP VIEW public.active_users'"],
  ['drop-object (function) in expand', Phase.EXPAND, ['DROP FUNCTION users_sync()'],
    "test/m: invalid 'phases.expand[0]': expand must not drop function users_sync: the running version still uses it (rule drop-object); drop it in contract, once no running version uses it, got 'DROP FUNCTION users_sync()'"],
  ['drop-object (index) in expand, even concurrently', Phase.EXPAND, ['DROP INDEX CONCURRENTLY users_email_idx'],
    "test/m: invalid 'phases.expand[0]': expand must not drop index users_email_idx: the running version still uses it for its queries (rule drop-object); drop it in contract, once no running version needs it, got 'DROP INDEX CONCURRENTLY users_email_idx'"],
  ['drop-object (constraint) in expand', Phase.EXPAND, ['ALTER TABLE users DROP CONSTRAINT users_email_key'],
    "test/m: invalid 'phases.expand[0]': expand must not drop constraint users_email_key of users: the running version still uses it (for example in ON CONFLICT) (rule drop-object); drop it in contract, once no running version relies on it, got 'ALTER TABLE users DROP CONSTRAINT users_email_key'"],
  ['drop-index-without-concurrently in contract', Phase.CONTRACT, ['DROP INDEX users_email_idx'],
    "test/m: invalid 'phases.contract[0]': contract must not drop index users_email_idx without CONCURRENTLY: it takes an ACCESS EXCLUSIVE lock on its table (rule drop-index-without-concurrently); use DROP INDEX CONCURRENTLY, got 'DROP INDEX users_email_idx'"],
  ['rename-column in expand', Phase.EXPAND, ['ALTER TABLE users RENAME COLUMN full_name TO display_name'],
    "test/m: invalid 'phases.expand[0]': expand must not rename column full_name of users to display_name: the running version still uses full_name (rule rename-column); add display_name in expand, copy full_name into it in migrate, and drop full_name in contract, got 'ALTER TABLE users RENAME COLUMN full_name TO display_name'"],
  ['rename-column in migrate', Phase.MIGRATE, ['ALTER TABLE users RENAME COLUMN full_name TO display_name'],
    "test/m: invalid 'phases.migrate[0]': migrate must not rename column full_name of users to display_name: the previous version may still run, or be rolled back to, and it uses full_name (rule rename-column); add display_name in expand, copy full_name into it in migrate, and drop full_name in contract, got 'ALTER TABLE users RENAME COLUMN full_name TO display_name'"],
  ['rename-table in expand', Phase.EXPAND, ['ALTER TABLE users RENAME TO people'],
    "test/m: invalid 'phases.expand[0]': expand must not rename table users to people: the running version still uses users (rule rename-table); create people (or a view named people over users) in expand, move the data in migrate, and drop users in contract, got 'ALTER TABLE users RENAME TO people'"],
  ['rename-object (view) in expand', Phase.EXPAND, ['ALTER VIEW active_users RENAME TO current_users'],
    "test/m: invalid 'phases.expand[0]': expand must not rename view active_users to current_users: the running version still uses it by its old name (rule rename-object); create current_users next to it in expand and drop the old one in contract, got 'ALTER VIEW active_users RENAME TO current_users'"],
  ['rename-object (enum value) in expand', Phase.EXPAND, ["ALTER TYPE status RENAME VALUE 'gone' TO 'deleted'"],
    "test/m: invalid 'phases.expand[0]': expand must not rename value 'gone' of type status to 'deleted': the running version still uses the old value (rule rename-object); add 'deleted' with ALTER TYPE status ADD VALUE in expand, move rows to it in migrate, and stop using 'gone' in contract, got 'ALTER TYPE status RENAME VALUE 'gone' TO 'deleted''"],
  ['drop-default in expand', Phase.EXPAND, ['ALTER TABLE users ALTER COLUMN plan DROP DEFAULT'],
    "test/m: invalid 'phases.expand[0]': expand must not drop the default of column plan of users: the running version still uses it, inserting rows without plan (rule drop-default); drop the default in contract, got 'ALTER TABLE users ALTER COLUMN plan DROP DEFAULT'"],
  ['truncate in migrate', Phase.MIGRATE, ['TRUNCATE users'],
    "test/m: invalid 'phases.migrate[0]': migrate must not truncate users: the previous version may still run, or be rolled back to, and it uses its rows (rule truncate); remove the rows in contract, declaring Removal.table('users'), got 'TRUNCATE users'"],
  ['change-column-type in expand', Phase.EXPAND, ['ALTER TABLE users ALTER COLUMN zip TYPE text'],
    "test/m: invalid 'phases.expand[0]': expand must not change the type of column zip of users: it rewrites the table under an ACCESS EXCLUSIVE lock, and the running version reads the old type (rule change-column-type); add a new column of the new type in expand, backfill it in migrate, and drop zip in contract, got 'ALTER TABLE users ALTER COLUMN zip TYPE text'"],
  ['change-column-type even in contract', Phase.CONTRACT, ['ALTER TABLE users ALTER COLUMN zip TYPE text'],
    "test/m: invalid 'phases.contract[0]': contract must not change the type of column zip of users: it rewrites the table under an ACCESS EXCLUSIVE lock, and the running version reads the old type (rule change-column-type); add a new column of the new type in expand, backfill it in migrate, and drop zip in contract, got 'ALTER TABLE users ALTER COLUMN zip TYPE text'"],
  ['set-not-null without a validated check', Phase.EXPAND, ['ALTER TABLE users ALTER COLUMN display_name SET NOT NULL'],
    "test/m: invalid 'phases.expand[0]': expand must not set column display_name of users NOT NULL without a validated CHECK (display_name IS NOT NULL): PostgreSQL scans the whole table under an ACCESS EXCLUSIVE lock (rule set-not-null); add a CONSTRAINT ... CHECK (display_name IS NOT NULL) NOT VALID, VALIDATE it in a later statement or phase, then SET NOT NULL, got 'ALTER TABLE users ALTER COLUMN display_name SET NOT NULL'"],
  ['set-not-null after a check that was never validated', Phase.CONTRACT,
    ['ALTER TABLE users ADD CONSTRAINT dn_not_null CHECK (display_name IS NOT NULL) NOT VALID', 'ALTER TABLE users ALTER COLUMN display_name SET NOT NULL'],
    "test/m: invalid 'phases.contract[1]': contract must not set column display_name of users NOT NULL without a validated CHECK (display_name IS NOT NULL): PostgreSQL scans the whole table under an ACCESS EXCLUSIVE lock (rule set-not-null); add a CONSTRAINT ... CHECK (display_name IS NOT NULL) NOT VALID, VALIDATE it in a later statement or phase, then SET NOT NULL, got 'ALTER TABLE users ALTER COLUMN display_name SET NOT NULL'"],
  ['required-column in expand', Phase.EXPAND, ['ALTER TABLE users ADD COLUMN tier text NOT NULL'],
    "test/m: invalid 'phases.expand[0]': expand must not add column tier to users as NOT NULL without a DEFAULT: it fails on a table with rows and breaks the running version's inserts (rule required-column); add it nullable (or with a DEFAULT), backfill it in migrate, then enforce NOT NULL with a validated CHECK, got 'ALTER TABLE users ADD COLUMN tier text NOT NULL'"],
  ['table-rewrite (volatile default)', Phase.EXPAND, ['ALTER TABLE users ADD COLUMN uid uuid DEFAULT gen_random_uuid()'],
    "test/m: invalid 'phases.expand[0]': expand must not add column uid to users with the volatile default gen_random_uuid(): it rewrites the whole table under an ACCESS EXCLUSIVE lock (rule table-rewrite); add the column without it, set the default for new rows with ALTER COLUMN uid SET DEFAULT, and backfill existing rows in migrate, got 'ALTER TABLE users ADD COLUMN uid uuid DEFAULT gen_random_uuid()'"],
  ['table-rewrite (serial)', Phase.EXPAND, ['ALTER TABLE users ADD COLUMN seq bigserial'],
    "test/m: invalid 'phases.expand[0]': expand must not add column seq to users with type bigserial: it rewrites the whole table under an ACCESS EXCLUSIVE lock (rule table-rewrite); add the column without it, set the default for new rows with ALTER COLUMN seq SET DEFAULT, and backfill existing rows in migrate, got 'ALTER TABLE users ADD COLUMN seq bigserial'"],
  ['table-rewrite (identity)', Phase.EXPAND, ['ALTER TABLE users ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY'],
    "test/m: invalid 'phases.expand[0]': expand must not add column n to users with GENERATED ... AS IDENTITY: it rewrites the whole table under an ACCESS EXCLUSIVE lock (rule table-rewrite); add the column without it, set the default for new rows with ALTER COLUMN n SET DEFAULT, and backfill existing rows in migrate, got 'ALTER TABLE users ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY'"],
  ['table-rewrite (stored generated column)', Phase.EXPAND, ['ALTER TABLE users ADD COLUMN doubled int GENERATED ALWAYS AS (age * 2) STORED'],
    "test/m: invalid 'phases.expand[0]': expand must not add column doubled to users with GENERATED ALWAYS AS (...) STORED: it rewrites the whole table under an ACCESS EXCLUSIVE lock (rule table-rewrite); add the column without it, set the default for new rows with ALTER COLUMN doubled SET DEFAULT, and backfill existing rows in migrate, got 'ALTER TABLE users ADD COLUMN doubled int GENERATED ALWAYS AS (age * 2) STORED'"],
  ['index-without-concurrently on an existing table', Phase.EXPAND, ['CREATE INDEX users_email_idx ON users (email)'],
    "test/m: invalid 'phases.expand[0]': expand must not build index users_email_idx on existing table users without CONCURRENTLY: it blocks writes to users until the build ends (rule index-without-concurrently); use CREATE INDEX CONCURRENTLY, got 'CREATE INDEX users_email_idx ON users (email)'"],
  ['validating-constraint (check) in migrate', Phase.MIGRATE, ['ALTER TABLE users ADD CONSTRAINT users_age_positive CHECK (age > 0)'],
    "test/m: invalid 'phases.migrate[0]': migrate must not add check constraint users_age_positive to users without NOT VALID: it scans the whole table while blocking writes (rule validating-constraint); add it NOT VALID, then VALIDATE CONSTRAINT users_age_positive in a later statement or phase, got 'ALTER TABLE users ADD CONSTRAINT users_age_positive CHECK (age > 0)'"],
  ['validating-constraint (foreign key) in expand', Phase.EXPAND, ['ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)'],
    "test/m: invalid 'phases.expand[0]': expand must not add foreign key constraint orders_user_fk to orders without NOT VALID: it scans the whole table while blocking writes (rule validating-constraint); add it NOT VALID, then VALIDATE CONSTRAINT orders_user_fk in a later statement or phase, got 'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)'"],
  ['constraint-builds-index (unique)', Phase.EXPAND, ['ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)'],
    "test/m: invalid 'phases.expand[0]': expand must not add UNIQUE constraint users_email_key to users without USING INDEX: it builds the index while blocking writes (rule constraint-builds-index); CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... UNIQUE USING INDEX, got 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)'"],
  ['constraint-builds-index (primary key)', Phase.EXPAND, ['ALTER TABLE users ADD PRIMARY KEY (id)'],
    "test/m: invalid 'phases.expand[0]': expand must not add PRIMARY KEY constraint to users without USING INDEX: it builds the index while blocking writes (rule constraint-builds-index); CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX, got 'ALTER TABLE users ADD PRIMARY KEY (id)'"],
  ['constraint-builds-index (exclusion)', Phase.EXPAND, ['ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&)'],
    "test/m: invalid 'phases.expand[0]': expand must not add exclusion constraint no_overlap to bookings: it builds its index while blocking writes (rule constraint-builds-index); exclusion constraints cannot reuse an index built concurrently: add it when the table is created, got 'ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&)'"],
  ['blocking-maintenance (VACUUM FULL)', Phase.CONTRACT, ['VACUUM FULL users'],
    "test/m: invalid 'phases.contract[0]': contract must not run VACUUM FULL: it rewrites the table under an ACCESS EXCLUSIVE lock (rule blocking-maintenance); run a plain VACUUM, or repack outside the release (for example with pg_repack), got 'VACUUM FULL users'"],
  ['blocking-maintenance (CLUSTER)', Phase.CONTRACT, ['CLUSTER users USING users_pkey'],
    "test/m: invalid 'phases.contract[0]': contract must not run CLUSTER: it rewrites the table under an ACCESS EXCLUSIVE lock (rule blocking-maintenance); repack outside the release (for example with pg_repack), got 'CLUSTER users USING users_pkey'"],
  ['blocking-maintenance (REINDEX)', Phase.CONTRACT, ['REINDEX TABLE users'],
    "test/m: invalid 'phases.contract[0]': contract must not run REINDEX: it blocks writes to the table while it rebuilds (rule blocking-maintenance); use REINDEX ... CONCURRENTLY, got 'REINDEX TABLE users'"],
  ['blocking-maintenance (REFRESH MATERIALIZED VIEW)', Phase.CONTRACT, ['REFRESH MATERIALIZED VIEW user_stats'],
    "test/m: invalid 'phases.contract[0]': contract must not run REFRESH MATERIALIZED VIEW: it blocks every read of the view until it ends (rule blocking-maintenance); use REFRESH MATERIALIZED VIEW CONCURRENTLY (it needs a unique index on the view), got 'REFRESH MATERIALIZED VIEW user_stats'"],
  ['blocking-maintenance (LOCK TABLE)', Phase.MIGRATE, ['LOCK TABLE users IN ACCESS EXCLUSIVE MODE'],
    "test/m: invalid 'phases.migrate[0]': migrate must not run LOCK TABLE: an explicit table lock blocks the running version (rule blocking-maintenance); remove it; the runner bounds every lock wait with lock_timeout, got 'LOCK TABLE users IN ACCESS EXCLUSIVE MODE'"],
  ['data-change-in-expand (UPDATE)', Phase.EXPAND, ['UPDATE users SET display_name = full_name WHERE display_name IS NULL'],
    "test/m: invalid 'phases.expand[0]': expand must not update rows of users: it runs before every running version writes the new shape, so rows written meanwhile would be missed (rule data-change-in-expand); backfill in migrate, which runs after the rollout, got 'UPDATE users SET display_name = full_name WHERE display_name IS NULL'"],
  ['data-change-in-expand (DELETE)', Phase.EXPAND, ['DELETE FROM users WHERE deleted'],
    "test/m: invalid 'phases.expand[0]': expand must not delete rows of users: the running version still reads them (rule data-change-in-expand); delete them in migrate or contract, got 'DELETE FROM users WHERE deleted'"],
  ['not-additive (REVOKE)', Phase.EXPAND, ['REVOKE SELECT ON users FROM reporting'],
    `test/m: invalid 'phases.expand[0]': expand may only add to the schema (${ADDITIVE}), and REVOKE is none of those (rule not-additive); move it to migrate or contract, got 'REVOKE SELECT ON users FROM reporting'`],
  ['not-additive (an ALTER TABLE action expand does not list)', Phase.EXPAND, ['ALTER TABLE users SET (fillfactor = 70)'],
    `test/m: invalid 'phases.expand[0]': expand may only add to the schema (${ADDITIVE}), and ALTER TABLE ... SET REL OPTIONS is none of those (rule not-additive); move it to migrate or contract, got 'ALTER TABLE users SET (fillfactor = 70)'`],
  ['uncheckable-block in expand', Phase.EXPAND, ['DO $$ BEGIN PERFORM 1; END $$'],
    "test/m: invalid 'phases.expand[0]': expand must not run a DO block: its statements cannot be checked against the running version (rule uncheckable-block); write the statements out, or check the block by hand and allow it with '-- release-strategies:allow uncheckable-block <reason>', got 'DO $$ BEGIN PERFORM 1; END $$'"],
  ['transaction-control', Phase.CONTRACT, ['BEGIN', 'ALTER TABLE users DROP COLUMN full_name', 'COMMIT'],
    "test/m: invalid 'phases.contract[0]': phases must not contain BEGIN: the runner groups statements into transactions itself and keeps CONCURRENTLY statements outside them (rule transaction-control); remove it, got 'BEGIN'"],
  ['timeout-override (SET)', Phase.EXPAND, ["SET lock_timeout = '1min'"],
    "test/m: invalid 'phases.expand[0]': phases must not change lock_timeout: the construct sets lock_timeout and statement_timeout from its lockTimeout, statementTimeout, indexBuildTimeout and batchTimeout (rule timeout-override); set those properties instead, got 'SET lock_timeout = '1min''"],
  ['timeout-override (RESET ALL)', Phase.MIGRATE, ['RESET ALL'],
    "test/m: invalid 'phases.migrate[0]': phases must not reset every setting: the construct sets lock_timeout and statement_timeout from its lockTimeout, statementTimeout, indexBuildTimeout and batchTimeout (rule timeout-override); set those properties instead, got 'RESET ALL'"],
];

describe.each(REFUSALS)('fails on %s', (_what, phase, statements, message) => {
  test(`fails with the statement, the rule and the safe alternative: ${message.slice(0, 60)}...`, () => {
    expect(thrown(() => build(phase, statements))).toBe(message);
  });
});

test('fails on a refused statement in a phase other than the one this release runs', () => {
  expect(thrown(() => build(Phase.CONTRACT, ['ALTER TABLE users DROP COLUMN IF EXISTS full_name'], { expand: ['ALTER TABLE users RENAME COLUMN full_name TO display_name'] }))).toBe(
    "test/m: invalid 'phases.expand[0]': expand must not rename column full_name of users to display_name: the running version still uses full_name (rule rename-column); add display_name in expand, copy full_name into it in migrate, and drop full_name in contract, got 'ALTER TABLE users RENAME COLUMN full_name TO display_name'",
  );
});

test('fails on the refused statement of an entry that holds several, naming that entry', () => {
  expect(thrown(() => build(Phase.EXPAND, ['ALTER TABLE users ADD COLUMN IF NOT EXISTS a text', 'ALTER TABLE users ADD COLUMN IF NOT EXISTS b text; ALTER TABLE users DROP COLUMN c']))).toBe(
    "test/m: invalid 'phases.expand[1]': expand must not drop column c of users: the running version still uses it (rule drop-column); drop it in contract, once no running version reads it, declaring Removal.column('users', 'c'), got 'ALTER TABLE users DROP COLUMN c'",
  );
});

const CAN_RUN_AGAIN = 'must be able to run again (a retried Job, a re-sync, a run killed midway)';
const UNCHECKABLE = "or check it by hand and allow it with '-- release-strategies:allow uncheckable-block <reason>'";

// [what, phase, statements, other phases, postgresVersion, the whole message]
const MORE_REFUSALS: Array<[string, Phase, string[], SqlPhasesOptions, number | undefined, string]> = [
  ['not-idempotent (CREATE TABLE)', Phase.EXPAND, ['CREATE TABLE audit (id bigint)'], {}, undefined,
    `test/m: invalid 'phases.expand[0]': expand ${CAN_RUN_AGAIN}, and CREATE TABLE audit fails the second time (rule not-idempotent); use CREATE TABLE IF NOT EXISTS, got 'CREATE TABLE audit (id bigint)'`],
  ['not-idempotent (CREATE INDEX CONCURRENTLY)', Phase.EXPAND, ['CREATE UNIQUE INDEX CONCURRENTLY users_email_idx ON users (email)'], {}, undefined,
    `test/m: invalid 'phases.expand[0]': expand ${CAN_RUN_AGAIN}, and CREATE INDEX users_email_idx fails the second time (rule not-idempotent); use CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx, got 'CREATE UNIQUE INDEX CONCURRENTLY users_email_idx ON users (email)'`],
  ['not-idempotent (an index without a name)', Phase.EXPAND, ['CREATE INDEX CONCURRENTLY ON users (email)'], {}, undefined,
    `test/m: invalid 'phases.expand[0]': expand ${CAN_RUN_AGAIN}, and an index without a name on users fails the second time (rule not-idempotent); name it, with CREATE INDEX CONCURRENTLY IF NOT EXISTS <name>, got 'CREATE INDEX CONCURRENTLY ON users (email)'`],
  ['not-idempotent (ADD COLUMN)', Phase.EXPAND, ['ALTER TABLE users ADD COLUMN display_name text'], {}, undefined,
    `test/m: invalid 'phases.expand[0]': expand ${CAN_RUN_AGAIN}, and ADD COLUMN display_name fails the second time (rule not-idempotent); use ADD COLUMN IF NOT EXISTS display_name, got 'ALTER TABLE users ADD COLUMN display_name text'`],
  ['not-idempotent (an unnamed constraint)', Phase.MIGRATE, ['ALTER TABLE users ADD CHECK (age > 0) NOT VALID'], {}, undefined,
    `test/m: invalid 'phases.migrate[0]': migrate ${CAN_RUN_AGAIN}, and ADD CONSTRAINT without a name fails the second time (rule not-idempotent); name the constraint (ADD CONSTRAINT <name> ...): the runner skips a named constraint that already exists, got 'ALTER TABLE users ADD CHECK (age > 0) NOT VALID'`],
  ['not-idempotent (CREATE FUNCTION)', Phase.EXPAND, ['CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$'], {}, undefined,
    `test/m: invalid 'phases.expand[0]': expand ${CAN_RUN_AGAIN}, and CREATE FUNCTION f fails the second time (rule not-idempotent); use CREATE OR REPLACE FUNCTION, got 'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$'`],
  ['not-idempotent (INSERT)', Phase.EXPAND, ["INSERT INTO plans (name) VALUES ('free')"], {}, undefined,
    `test/m: invalid 'phases.expand[0]': expand ${CAN_RUN_AGAIN}, and INSERT INTO plans without ON CONFLICT fails the second time (rule not-idempotent); add ON CONFLICT DO NOTHING (on a unique key), so the rows are inserted once, got 'INSERT INTO plans (name) VALUES ('free')'`],
  ['not-idempotent (DROP in contract)', Phase.CONTRACT, ['DROP TRIGGER users_sync ON users'], {}, undefined,
    `test/m: invalid 'phases.contract[0]': contract ${CAN_RUN_AGAIN}, and DROP TRIGGER fails the second time (rule not-idempotent); use DROP TRIGGER IF EXISTS, got 'DROP TRIGGER users_sync ON users'`],
  ['not-idempotent (a rename of a table this phase creates)', Phase.EXPAND, ['CREATE TABLE IF NOT EXISTS audit (actor text)', 'ALTER TABLE audit RENAME COLUMN actor TO who'], {}, undefined,
    `test/m: invalid 'phases.expand[1]': expand ${CAN_RUN_AGAIN}, and a rename fails the second time (rule not-idempotent); give the object its final name where this phase creates it, got 'ALTER TABLE audit RENAME COLUMN actor TO who'`],
  ['unbatched-backfill (UPDATE in migrate)', Phase.MIGRATE, ['UPDATE users SET display_name = full_name WHERE display_name IS NULL'], {}, undefined,
    "test/m: invalid 'phases.migrate[0]': migrate must not update rows of existing table users in one statement: it holds the lock of every row it changes until it commits, so the running version's writes to them wait, and a killed run starts over (rule unbatched-backfill); use Backfill.batched({ table: 'users', set: ..., pending: <the rows not done yet> }) in the phases' backfills, or check it by hand and allow it with '-- release-strategies:allow unbatched-backfill <reason>', got 'UPDATE users SET display_name = full_name WHERE display_name IS NULL'"],
  ['unbatched-backfill (DELETE in migrate)', Phase.MIGRATE, ['DELETE FROM sessions WHERE expired'], {}, undefined,
    "test/m: invalid 'phases.migrate[0]': migrate must not delete rows of existing table sessions in one statement: it holds the lock of every row it changes until it commits, so the running version's writes to them wait, and a killed run starts over (rule unbatched-backfill); use Backfill.batched({ table: 'sessions', set: ..., pending: <the rows not done yet> }) in the phases' backfills, or check it by hand and allow it with '-- release-strategies:allow unbatched-backfill <reason>', got 'DELETE FROM sessions WHERE expired'"],
  ['destructive (UPDATE without WHERE in expand)', Phase.EXPAND, ['UPDATE users SET display_name = full_name'], {}, undefined,
    "test/m: invalid 'phases.expand[0]': expand must not update every row of users (no WHERE): the running version still uses them (rule destructive); backfill with Backfill.batched({ table: 'users', set: ..., pending: <the rows not done yet> }), got 'UPDATE users SET display_name = full_name'"],
  ['destructive (DELETE without WHERE in migrate)', Phase.MIGRATE, ['DELETE FROM sessions'], {}, undefined,
    "test/m: invalid 'phases.migrate[0]': migrate must not delete every row of sessions (no WHERE): the previous version may still run, or be rolled back to, and it uses them (rule destructive); delete the rows in contract, declaring Removal.table('sessions'), got 'DELETE FROM sessions'"],
  ['destructive (DROP SCHEMA in migrate)', Phase.MIGRATE, ['DROP SCHEMA IF EXISTS legacy'], {}, undefined,
    "test/m: invalid 'phases.migrate[0]': migrate must not drop schema legacy: the previous version may still run, or be rolled back to, and it uses what it holds (rule destructive); drop it in contract, declaring Removal.schema('legacy'), got 'DROP SCHEMA IF EXISTS legacy'"],
  ['destructive (DROP DATABASE, even in contract)', Phase.CONTRACT, ['DROP DATABASE orders'], {}, undefined,
    "test/m: invalid 'phases.contract[0]': contract must not drop database orders: no release of an application drops the database it runs on (rule destructive); drop databases by hand, outside any release, got 'DROP DATABASE orders'"],
  ['undeclared-removal (DROP COLUMN)', Phase.CONTRACT, ['ALTER TABLE users DROP COLUMN IF EXISTS zip'], { removes: [Removal.column('users', 'full_name')] }, undefined,
    "test/m: invalid 'phases.contract[0]': contract must not drop column zip of users: it destroys data, and the phases declare that contract removes column users.full_name (rule undeclared-removal); declare it in removes (Removal.column('users', 'zip')) if that is what this release deletes, got 'ALTER TABLE users DROP COLUMN IF EXISTS zip'"],
  ['undeclared-removal (DROP TABLE)', Phase.CONTRACT, ['DROP TABLE IF EXISTS legacy_users'], {}, undefined,
    "test/m: invalid 'phases.contract[0]': contract must not drop table legacy_users: it destroys data, and the phases declare that contract removes nothing (rule undeclared-removal); declare it in removes (Removal.table('legacy_users')) if that is what this release deletes, got 'DROP TABLE IF EXISTS legacy_users'"],
  ['undeclared-removal (TRUNCATE)', Phase.CONTRACT, ['TRUNCATE audit_old'], {}, undefined,
    "test/m: invalid 'phases.contract[0]': contract must not truncate audit_old: it destroys data, and the phases declare that contract removes nothing (rule undeclared-removal); declare it in removes (Removal.table('audit_old')) if that is what this release deletes, got 'TRUNCATE audit_old'"],
  ['undeclared-removal (DELETE without WHERE, of a table in another schema)', Phase.CONTRACT, ['DELETE FROM public.sessions'], { removes: [Removal.table('sales.sessions')] }, undefined,
    "test/m: invalid 'phases.contract[0]': contract must not delete every row of public.sessions (no WHERE): it destroys data, and the phases declare that contract removes table sales.sessions (rule undeclared-removal); declare it in removes (Removal.table('public.sessions')) if that is what this release deletes, got 'DELETE FROM public.sessions'"],
  ['undeclared-removal (DROP SCHEMA)', Phase.CONTRACT, ['DROP SCHEMA IF EXISTS legacy'], {}, undefined,
    "test/m: invalid 'phases.contract[0]': contract must not drop schema legacy: it destroys data, and the phases declare that contract removes nothing (rule undeclared-removal); declare it in removes (Removal.schema('legacy')) if that is what this release deletes, got 'DROP SCHEMA IF EXISTS legacy'"],
  ['cascade', Phase.CONTRACT, ['DROP TABLE IF EXISTS legacy_users CASCADE'], { removes: [Removal.table('legacy_users')] }, undefined,
    "test/m: invalid 'phases.contract[0]': contract must not run DROP TABLE ... CASCADE: it also drops every object that depends on it, which nobody listed (rule cascade); drop the dependent objects by name first, or check it by hand and allow it with '-- release-strategies:allow cascade <reason>', got 'DROP TABLE IF EXISTS legacy_users CASCADE'"],
  ['rename-column in contract', Phase.CONTRACT, ['ALTER TABLE users RENAME COLUMN display_name TO name'], {}, undefined,
    "test/m: invalid 'phases.contract[0]': contract must not rename column display_name of users to name: the running version, and the version a rollback returns to, use display_name (rule rename-column); add name in expand, copy display_name into it in migrate, and drop display_name in contract, got 'ALTER TABLE users RENAME COLUMN display_name TO name'"],
  ['uncheckable-block (DO in contract)', Phase.CONTRACT, ['DO $$ BEGIN EXECUTE \'DROP TABLE users\'; END $$'], {}, undefined,
    "test/m: invalid 'phases.contract[0]': contract must not run a DO block: its statements cannot be checked against the running version (rule uncheckable-block); write the statements out, or check the block by hand and allow it with '-- release-strategies:allow uncheckable-block <reason>', got 'DO $$ BEGIN EXECUTE 'DROP TABLE users'; END $$'"],
  ['uncheckable-block (CALL)', Phase.MIGRATE, ['CALL archive_orders()'], {}, undefined,
    `test/m: invalid 'phases.migrate[0]': migrate must not call procedure archive_orders: what it runs (and commits) cannot be checked (rule uncheckable-block); write its statements out, ${UNCHECKABLE}, got 'CALL archive_orders()'`],
  ['uncheckable-block (a function of these phases that runs dynamic SQL)', Phase.MIGRATE, ['SELECT drop_old(\'users\')'],
    { expand: ["CREATE OR REPLACE FUNCTION drop_old(t text) RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE format('DROP TABLE %I', t); END $$"] }, undefined,
    `test/m: invalid 'phases.migrate[0]': migrate must not call drop_old(), which these phases create with dynamic SQL (EXECUTE): what it runs cannot be checked (rule uncheckable-block); write the statements out, ${UNCHECKABLE}, got 'SELECT drop_old('users')'`],
  ['timeout-override (set_config)', Phase.MIGRATE, ["SELECT set_config('statement_timeout', '0', false)"], {}, undefined,
    "test/m: invalid 'phases.migrate[0]': phases must not change statement_timeout with set_config(): the construct sets lock_timeout and statement_timeout from its lockTimeout, statementTimeout, indexBuildTimeout and batchTimeout (rule timeout-override); set those properties instead, got 'SELECT set_config('statement_timeout', '0', false)'"],
  ['timeout-override (ALTER ROLE ... SET)', Phase.CONTRACT, ['ALTER ROLE migrator SET lock_timeout = 0'], {}, undefined,
    "test/m: invalid 'phases.contract[0]': phases must not change lock_timeout for role migrator: the construct sets lock_timeout and statement_timeout from its lockTimeout, statementTimeout, indexBuildTimeout and batchTimeout (rule timeout-override); set those properties instead, got 'ALTER ROLE migrator SET lock_timeout = 0'"],
  ['timeout-override (a function that sets it when called)', Phase.EXPAND, ['CREATE OR REPLACE FUNCTION slow() RETURNS void LANGUAGE sql SET statement_timeout = 0 AS $$ SELECT $$'], {}, undefined,
    "test/m: invalid 'phases.expand[0]': phases must not change statement_timeout for every call of a function: the construct sets lock_timeout and statement_timeout from its lockTimeout, statementTimeout, indexBuildTimeout and batchTimeout (rule timeout-override); set those properties instead, got 'CREATE OR REPLACE FUNCTION slow() RETURNS void LANGUAGE sql SET statement_timeout = 0 AS $$ SELECT $$'"],
  ['session-override (SET ROLE)', Phase.EXPAND, ['SET ROLE admin'], {}, undefined,
    "test/m: invalid 'phases.expand[0]': expand must not change role: it changes what the statements after it do (which role runs them, which objects names resolve to, whether triggers fire) behind the checks (rule session-override); qualify names instead of changing search_path, grant the migration's role what it needs, or check it by hand and allow it with '-- release-strategies:allow session-override <reason>', got 'SET ROLE admin'"],
  ['session-override (session_replication_role)', Phase.MIGRATE, ["SET session_replication_role = 'replica'"], {}, undefined,
    "test/m: invalid 'phases.migrate[0]': migrate must not change session_replication_role: it changes what the statements after it do (which role runs them, which objects names resolve to, whether triggers fire) behind the checks (rule session-override); qualify names instead of changing search_path, grant the migration's role what it needs, or check it by hand and allow it with '-- release-strategies:allow session-override <reason>', got 'SET session_replication_role = 'replica''"],
  ['postgres-version (MERGE)', Phase.MIGRATE, ['MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET a = s.a'], {}, 14,
    "test/m: invalid 'phases.migrate[0]': MERGE needs PostgreSQL 15, and postgresVersion is 14 (rule postgres-version); write it without MERGE, or set postgresVersion to the server's version if it is 15 or later, got 'MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET a = s.a'"],
  ['postgres-version (NULLS NOT DISTINCT)', Phase.EXPAND, ['CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS u ON users (email) NULLS NOT DISTINCT'], {}, 14,
    "test/m: invalid 'phases.expand[0]': NULLS NOT DISTINCT needs PostgreSQL 15, and postgresVersion is 14 (rule postgres-version); write it without NULLS NOT DISTINCT, or set postgresVersion to the server's version if it is 15 or later, got 'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS u ON users (email) NULLS NOT DISTINCT'"],
  ['postgres-version (CREATE OR REPLACE TRIGGER)', Phase.EXPAND, ['CREATE OR REPLACE TRIGGER t BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION f()'], {}, 13,
    "test/m: invalid 'phases.expand[0]': CREATE OR REPLACE TRIGGER needs PostgreSQL 14, and postgresVersion is 13 (rule postgres-version); write it without CREATE OR REPLACE TRIGGER, or set postgresVersion to the server's version if it is 14 or later, got 'CREATE OR REPLACE TRIGGER t BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION f()'"],
  ['postgres-version (a built-in function)', Phase.EXPAND, ['ALTER TABLE users ADD COLUMN IF NOT EXISTS uid uuid DEFAULT gen_random_uuid()'], {}, 12,
    "test/m: invalid 'phases.expand[0]': gen_random_uuid() needs PostgreSQL 13, and postgresVersion is 12 (rule postgres-version); write it without gen_random_uuid(), or set postgresVersion to the server's version if it is 13 or later, got 'ALTER TABLE users ADD COLUMN IF NOT EXISTS uid uuid DEFAULT gen_random_uuid()'"],
  ['table-rewrite (any DEFAULT before PostgreSQL 11)', Phase.EXPAND, ["ALTER TABLE users ADD COLUMN IF NOT EXISTS plan text DEFAULT 'free'"], {}, 10,
    "test/m: invalid 'phases.expand[0]': expand must not add column plan to users with a DEFAULT on PostgreSQL 10 (a non-volatile DEFAULT needs no rewrite since PostgreSQL 11): it rewrites the whole table under an ACCESS EXCLUSIVE lock (rule table-rewrite); add the column without it, set the default for new rows with ALTER COLUMN plan SET DEFAULT, and backfill existing rows in migrate, got 'ALTER TABLE users ADD COLUMN IF NOT EXISTS plan text DEFAULT 'free''"],
  ['set-not-null before PostgreSQL 12, even after a validated CHECK', Phase.CONTRACT, ['ALTER TABLE users ALTER COLUMN display_name SET NOT NULL'],
    { migrate: ['ALTER TABLE users ADD CONSTRAINT dn CHECK (display_name IS NOT NULL) NOT VALID', 'ALTER TABLE users VALIDATE CONSTRAINT dn'] }, 11,
    "test/m: invalid 'phases.contract[0]': contract must not set column display_name of users NOT NULL on PostgreSQL 11: it scans the whole table under an ACCESS EXCLUSIVE lock even with a validated CHECK (PostgreSQL 12 and later use the CHECK to skip the scan) (rule set-not-null); keep the validated CHECK (display_name IS NOT NULL) instead, or set postgresVersion to 12 or later once the server runs it, got 'ALTER TABLE users ALTER COLUMN display_name SET NOT NULL'"],
];

describe.each(MORE_REFUSALS)('fails on %s', (_what, phase, statements, more, version, message) => {
  test('with the statement, the rule and the safe alternative', () => {
    expect(thrown(() => build(phase, statements, more, version))).toBe(message);
  });
});

describe('accepted statements', () => {
  test('expand accepts the additive statements of a rename and a type change, in forms that can run again', () => {
    expect(() => build(Phase.EXPAND, [
      'ALTER TABLE users ADD COLUMN IF NOT EXISTS display_name text',
      'ALTER TABLE users ADD COLUMN IF NOT EXISTS postcode text DEFAULT NULL',
      "ALTER TABLE users ADD COLUMN IF NOT EXISTS plan text NOT NULL DEFAULT 'free'",
      'ALTER TABLE users ADD COLUMN IF NOT EXISTS created timestamptz DEFAULT now()',
      'ALTER TABLE users ALTER COLUMN full_name DROP NOT NULL',
      "ALTER TABLE users ALTER COLUMN plan SET DEFAULT 'basic'",
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_display_name_idx ON users (display_name)',
      'ALTER TABLE users ADD CONSTRAINT users_dn_not_null CHECK (display_name IS NOT NULL) NOT VALID',
      'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID',
      'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email)',
      'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx',
      'CREATE OR REPLACE FUNCTION users_sync() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.display_name := coalesce(NEW.display_name, NEW.full_name); RETURN NEW; END $$',
      'CREATE TRIGGER users_sync BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION users_sync()',
      "CREATE TYPE plan_kind AS ENUM ('free', 'paid')",
      "ALTER TYPE status ADD VALUE IF NOT EXISTS 'archived'",
      'CREATE EXTENSION IF NOT EXISTS pgcrypto',
      'CREATE OR REPLACE VIEW users_v2 AS SELECT id, display_name FROM users',
      "COMMENT ON COLUMN users.full_name IS 'replaced by display_name'",
      'GRANT SELECT ON users_v2 TO reporting',
      "INSERT INTO plans (name) VALUES ('free') ON CONFLICT DO NOTHING",
      "SET maintenance_work_mem = '1GB'",
    ])).not.toThrow();
  });

  test('statements on a table created earlier in the same phase are exempt from the table rules', () => {
    expect(() => build(Phase.EXPAND, [
      'CREATE TABLE IF NOT EXISTS audit (id bigint, at timestamptz, actor text)',
      'CREATE INDEX IF NOT EXISTS audit_at_idx ON audit (at)',
      'ALTER TABLE audit ADD CONSTRAINT audit_pkey PRIMARY KEY (id)',
      'ALTER TABLE audit ADD CONSTRAINT audit_actor_present CHECK (actor IS NOT NULL)',
      'ALTER TABLE audit ALTER COLUMN at SET NOT NULL',
      'ALTER TABLE audit ADD COLUMN IF NOT EXISTS kind text NOT NULL',
      'UPDATE audit SET kind = 1',
      'DROP INDEX IF EXISTS audit_at_idx',
    ])).not.toThrow();
  });

  test('a table created in expand is an existing table in migrate', () => {
    expect(thrown(() => build(Phase.MIGRATE, ['CREATE INDEX IF NOT EXISTS audit_at_idx ON audit (at)'], { expand: ['CREATE TABLE IF NOT EXISTS audit (at timestamptz)'] }))).toBe(
      "test/m: invalid 'phases.migrate[0]': migrate must not build index audit_at_idx on existing table audit without CONCURRENTLY: it blocks writes to audit until the build ends (rule index-without-concurrently); use CREATE INDEX CONCURRENTLY, got 'CREATE INDEX IF NOT EXISTS audit_at_idx ON audit (at)'",
    );
  });

  test('SET NOT NULL is accepted once a CHECK (column IS NOT NULL) was validated in an earlier phase', () => {
    expect(() => build(Phase.CONTRACT, ['ALTER TABLE users ALTER COLUMN display_name SET NOT NULL'], {
      migrate: [
        'ALTER TABLE users ADD CONSTRAINT users_dn_not_null CHECK (display_name IS NOT NULL) NOT VALID',
        'ALTER TABLE users VALIDATE CONSTRAINT users_dn_not_null',
      ],
    })).not.toThrow();
  });

  test('migrate accepts batched backfills and validation; contract accepts the drops it declares', () => {
    expect(() => build(Phase.MIGRATE, [
      'ALTER TABLE users VALIDATE CONSTRAINT users_dn_not_null',
    ], { backfills: [Backfill.batched({ table: 'users', set: 'display_name = full_name', pending: 'display_name IS NULL' })] })).not.toThrow();
    expect(() => build(Phase.CONTRACT, [
      'DROP TRIGGER IF EXISTS users_sync ON users',
      'DROP FUNCTION IF EXISTS users_sync()',
      'ALTER TABLE users DROP COLUMN IF EXISTS full_name',
      'DROP INDEX CONCURRENTLY IF EXISTS users_full_name_idx',
      'DROP TABLE IF EXISTS public.legacy_users',
      'TRUNCATE audit_old',
      'DELETE FROM sessions',
      'DROP SCHEMA IF EXISTS legacy',
    ], { removes: [Removal.column('users', 'full_name'), Removal.table('legacy_users'), Removal.table('public.audit_old'), Removal.table('sessions'), Removal.schema('legacy')] })).not.toThrow();
  });

  test('the newest syntax is accepted when postgresVersion says the server has it', () => {
    expect(() => build(Phase.EXPAND, ['CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS u ON users (email) NULLS NOT DISTINCT'], {}, 15)).not.toThrow();
    expect(() => build(Phase.EXPAND, ['ALTER TABLE users ADD COLUMN IF NOT EXISTS uid uuid DEFAULT gen_random_uuid()'], {}, 13)).toThrow(/rule table-rewrite/);
  });
});

describe('allowing a rule with a comment', () => {
  test('a statement checked by hand runs, and the allowance is recorded as a synth warning', () => {
    const { job } = build(Phase.EXPAND, [
      '-- release-strategies:allow change-column-type varchar(50) to varchar(100) needs no rewrite\nALTER TABLE users ALTER COLUMN email TYPE varchar(100)',
    ]);
    expect(warningsOf(job)).toEqual([
      "test/m: phases.expand[0]: 'ALTER TABLE users ALTER COLUMN email TYPE varchar(100)' runs although expand must not change the type of column email of users: it rewrites the table under an ACCESS EXCLUSIVE lock, and the running version reads the old type (rule change-column-type allowed: varchar(50) to varchar(100) needs no rewrite)",
    ]);
  });

  test('an allowance covers only the statement right below it', () => {
    expect(thrown(() => build(Phase.EXPAND, [
      '-- release-strategies:allow drop-column nobody reads legacy\nALTER TABLE users DROP COLUMN IF EXISTS legacy; ALTER TABLE users DROP COLUMN IF EXISTS other',
    ]))).toBe(
      "test/m: invalid 'phases.expand[0]': expand must not drop column other of users: the running version still uses it (rule drop-column); drop it in contract, once no running version reads it, declaring Removal.column('users', 'other'), got 'ALTER TABLE users DROP COLUMN IF EXISTS other'",
    );
  });

  test('fails when the allowance names no reason', () => {
    expect(thrown(() => build(Phase.EXPAND, ['-- release-strategies:allow drop-column\nALTER TABLE users DROP COLUMN legacy']))).toBe(
      "MigrationPhases.sql(): invalid 'expand[0]': '-- release-strategies:allow drop-column' must be followed by the reason the statement is safe, got '-- release-strategies:allow drop-column'",
    );
  });

  test('fails when the allowance names a rule that does not exist', () => {
    expect(thrown(() => build(Phase.EXPAND, ['-- release-strategies:allow drop-everything because\nALTER TABLE users DROP COLUMN legacy']))).toBe(
      "MigrationPhases.sql(): invalid 'expand[0]': '-- release-strategies:allow' must name one of the rules (drop-table, drop-column, drop-object, rename-table, rename-column, rename-object, drop-default, truncate, change-column-type, set-not-null, required-column, table-rewrite, index-without-concurrently, drop-index-without-concurrently, validating-constraint, constraint-builds-index, blocking-maintenance, data-change-in-expand, not-additive, uncheckable-block, transaction-control, timeout-override, session-override, not-idempotent, unbatched-backfill, destructive, undeclared-removal, cascade, postgres-version), got 'drop-everything'",
    );
  });

  test('fails when the allowance names a rule the runner depends on', () => {
    expect(thrown(() => build(Phase.EXPAND, ['-- release-strategies:allow transaction-control I know\nBEGIN']))).toBe(
      "MigrationPhases.sql(): invalid 'expand[0]': '-- release-strategies:allow' cannot allow transaction-control: the runner depends on it, got 'transaction-control'",
    );
  });
});
