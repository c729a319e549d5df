import { MigrationPhases, SqlParser } from '../../src';

// This file loads the parser itself: jest gives every test file its own module registry.

test('fails to build phases before the parser is loaded, then parses once it is', async () => {
  expect(SqlParser.isLoaded()).toBe(false);
  expect(() => MigrationPhases.sql({ expand: ['ALTER TABLE users ADD COLUMN display_name text'] })).toThrow(
    new Error("MigrationPhases.sql(): the PostgreSQL parser is not loaded yet: call 'await SqlParser.load()' once before building migrations (it loads asynchronously)"),
  );
  await Promise.all([SqlParser.load(), SqlParser.load()]);
  expect(SqlParser.isLoaded()).toBe(true);
  await SqlParser.load();
  expect(MigrationPhases.sql({ expand: ['ALTER TABLE users ADD COLUMN display_name text'] }).statementsOf('expand' as any))
    .toEqual(['ALTER TABLE users ADD COLUMN display_name text']);
});
