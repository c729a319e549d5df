import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { thrown } from './thrown';
import { MigrationFormat, MigrationPhases, Phase, SqlParser } from '../../src';

const FIXTURES = path.join(__dirname, '..', 'kubernetes', 'fixtures');

beforeAll(async () => {
  await SqlParser.load();
});


describe('MigrationPhases.sql()', () => {
  test('splits entries into statements with PostgreSQL\'s grammar, semicolons inside function bodies included', () => {
    const phases = MigrationPhases.sql({
      expand: [
        "ALTER TABLE users ADD COLUMN display_name text; COMMENT ON COLUMN users.display_name IS 'a;b'",
        'CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.a := 1; RETURN NEW; END $$;',
      ],
      contract: ['ALTER TABLE users DROP COLUMN full_name'],
    });
    expect(phases.format).toBe(MigrationFormat.SQL);
    expect(phases.statementsOf(Phase.EXPAND)).toEqual([
      'ALTER TABLE users ADD COLUMN display_name text',
      "COMMENT ON COLUMN users.display_name IS 'a;b'",
      'CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.a := 1; RETURN NEW; END $$',
    ]);
    expect(phases.statementsOf(Phase.MIGRATE)).toEqual([]);
    expect([Phase.EXPAND, Phase.MIGRATE, Phase.CONTRACT].map((p) => phases.hasPhase(p))).toEqual([true, false, true]);
  });

  test('keeps statements with non-ASCII text intact (the parser counts bytes)', () => {
    const phases = MigrationPhases.sql({ expand: ["COMMENT ON TABLE users IS 'Benutzer – Übersicht'; ALTER TABLE users ADD COLUMN größe int"] });
    expect(phases.statementsOf(Phase.EXPAND)).toEqual(["COMMENT ON TABLE users IS 'Benutzer – Übersicht'", 'ALTER TABLE users ADD COLUMN größe int']);
  });

  test('fails on a syntax error, naming the entry and the line', () => {
    expect(thrown(() => MigrationPhases.sql({ migrate: ['UPDATE users SET a = 1;\nALTER TABEL users ADD COLUMN b text'] }))).toBe(
      "MigrationPhases.sql(): invalid 'migrate[0]': must be valid PostgreSQL (syntax error at or near \"TABEL\" on line 2), got 'UPDATE users SET a = 1;\nALTER TABEL users ADD COLUMN b text'",
    );
  });

  test('fails on an entry without a statement', () => {
    expect(thrown(() => MigrationPhases.sql({ expand: ['ALTER TABLE users ADD COLUMN a text', '-- nothing here'] }))).toBe(
      "MigrationPhases.sql(): invalid 'expand[1]': must contain at least one SQL statement, got '-- nothing here'",
    );
  });

  test('fails without any statement', () => {
    expect(thrown(() => MigrationPhases.sql({}))).toBe(
      "MigrationPhases.sql(): invalid 'options': must give statements for at least one of expand, migrate and contract, or a backfill, got {}",
    );
  });
});

describe('MigrationPhases.sqlFiles()', () => {
  test('reads each file', () => {
    const phases = MigrationPhases.sqlFiles({ expand: [path.join(FIXTURES, 'expand.sql')] });
    expect(phases.statementsOf(Phase.EXPAND)).toEqual([
      '-- Adds display_name next to full_name.\nALTER TABLE users ADD COLUMN IF NOT EXISTS display_name text',
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_display_name_idx ON users (display_name)',
    ]);
  });

  test('fails on a file that cannot be read', () => {
    expect(thrown(() => MigrationPhases.sqlFiles({ contract: ['db/missing.sql'] }))).toBe(
      "MigrationPhases.sqlFiles(): invalid 'contract[0]': must be a readable SQL file (ENOENT), got 'db/missing.sql'",
    );
  });

  test('fails on a syntax error, showing the file', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'phases-')), 'bad.sql');
    fs.writeFileSync(file, 'ALTER TABLE users ADD COLUMN a text;\n\nDROP COLUMN b;\n');
    expect(thrown(() => MigrationPhases.sqlFiles({ contract: [file] }))).toBe(
      `MigrationPhases.sqlFiles(): invalid 'contract[0]': must be valid PostgreSQL (syntax error at or near "COLUMN" on line 3), got '${file}'`,
    );
  });
});

describe('MigrationPhases.pgroll()', () => {
  test('names the migration after its file, with start and complete as its phases', () => {
    const phases = MigrationPhases.pgroll({ migrationFile: path.join(FIXTURES, '03_rename_full_name.json') });
    expect(phases.format).toBe(MigrationFormat.PGROLL);
    expect([Phase.EXPAND, Phase.MIGRATE, Phase.CONTRACT].map((p) => phases.hasPhase(p))).toEqual([true, false, true]);
    expect(phases.statementsOf(Phase.EXPAND)).toEqual([]);
  });

  test('collects the SQL of raw sql operations: on start, or on complete with onComplete', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgroll-'));
    const file = path.join(dir, '05_raw.json');
    fs.writeFileSync(file, JSON.stringify({
      operations: [
        { sql: { up: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_a ON users (a)', down: 'DROP INDEX IF EXISTS users_a' } },
        { sql: { up: 'DROP TABLE legacy', onComplete: true } },
      ],
    }));
    const phases = MigrationPhases.pgroll({ migrationFile: file });
    expect(phases.statementsOf(Phase.EXPAND)).toEqual(['CREATE INDEX CONCURRENTLY IF NOT EXISTS users_a ON users (a)']);
    expect(phases.statementsOf(Phase.CONTRACT)).toEqual(['DROP TABLE legacy']);
  });

  test('fails on a raw sql operation run by start that pgroll could not roll back (no down)', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pgroll-')), '09_raw.json');
    fs.writeFileSync(file, JSON.stringify({ operations: [{ sql: { up: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_a ON users (a)' } }] }));
    expect(thrown(() => MigrationPhases.pgroll({ migrationFile: file }))).toBe(
      "MigrationPhases.pgroll(): invalid 'operations[0].sql.down': must undo the raw SQL that pgroll start runs: without it pgroll cannot roll the migration back (pgroll rollback, or a failed start), got nothing",
    );
  });

  test('fails on a file that is not JSON', () => {
    expect(thrown(() => MigrationPhases.pgroll({ migrationFile: 'migrations/03_rename.yaml' }))).toBe(
      "MigrationPhases.pgroll(): invalid 'migrationFile': must be the path of a pgroll migration in JSON (ending in .json), got 'migrations/03_rename.yaml'",
    );
  });

  test('fails on a migration without operations', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pgroll-')), '06_empty.json');
    fs.writeFileSync(file, '{"operations": []}');
    expect(thrown(() => MigrationPhases.pgroll({ migrationFile: file }))).toBe(
      `MigrationPhases.pgroll(): invalid 'migrationFile': must hold a pgroll migration with at least one entry in 'operations', got '${file}'`,
    );
  });

  test('fails on a migration named differently from its file', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pgroll-')), '07_add.json');
    fs.writeFileSync(file, '{"name": "07_other", "operations": [{"drop_index": {"name": "x"}}]}');
    expect(thrown(() => MigrationPhases.pgroll({ migrationFile: file }))).toBe(
      "MigrationPhases.pgroll(): invalid 'migrationFile': must not name the migration differently from its file name ('07_add'), got '07_other'",
    );
  });

  test('fails on a file name pgroll cannot use as a schema version', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pgroll-')), '08-Add.json');
    fs.writeFileSync(file, '{"operations": [{"drop_index": {"name": "x"}}]}');
    expect(thrown(() => MigrationPhases.pgroll({ migrationFile: file }))).toBe(
      `MigrationPhases.pgroll(): invalid 'migrationFile': must be named with lower-case letters, digits and _ (at most 50), as pgroll names the schema version after it, got '${file}'`,
    );
  });
});
