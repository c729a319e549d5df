import { MigrationPhases, Phase, SqlParser } from '../../src';

// jest gives every test file its own module registry, so the parser starts unloaded here.

test('the parser loads synchronously on first use: phases parse with nothing called first', () => {
  expect(SqlParser.isLoaded()).toBe(false);
  const phases = MigrationPhases.sql({ expand: ['ALTER TABLE users ADD COLUMN display_name text'] });
  expect(SqlParser.isLoaded()).toBe(true);
  expect(phases.statementsOf(Phase.EXPAND)).toEqual(['ALTER TABLE users ADD COLUMN display_name text']);
});

test('loadSync() and load() are safe to call again once the parser is loaded', async () => {
  SqlParser.loadSync();
  SqlParser.loadSync();
  await Promise.all([SqlParser.load(), SqlParser.load()]);
  expect(SqlParser.isLoaded()).toBe(true);
});

test('fails on a syntax error, naming the line it is on', () => {
  expect(() => MigrationPhases.sql({ expand: ['ALTER TABLE users ADD COLUMN display_name text;\nALTER TABLE users ADDD x'] })).toThrow(
    'MigrationPhases.sql(): invalid \'expand[0]\': must be valid PostgreSQL (syntax error at or near "ADDD" on line 2)',
  );
});
