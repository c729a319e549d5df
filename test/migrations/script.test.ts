import { MigrationPhases, Phase, SqlParser } from '../../src';
import { atlasSum, pgDuration, planUnits, terminate } from '../../src/migrations/script';

beforeAll(async () => {
  await SqlParser.load();
});

function units(statements: string[]) {
  return planUnits(MigrationPhases.sql({ expand: statements })._statements[Phase.EXPAND])
    .map((u) => ({ statements: u.statements.map((s) => s.sql), transactional: u.transactional, waits: u.waitsForOlderTransactions }));
}

test('groups statements into transactions, and keeps the ones that cannot run in one alone', () => {
  expect(units([
    'ALTER TABLE users ADD COLUMN a text',
    'ALTER TABLE users ADD COLUMN b text',
    'CREATE INDEX CONCURRENTLY users_a ON users (a)',
    "ALTER TYPE status ADD VALUE 'archived'",
    'VACUUM users',
    'REINDEX INDEX CONCURRENTLY users_a',
    'COMMENT ON COLUMN users.a IS NULL',
  ])).toEqual([
    { statements: ['ALTER TABLE users ADD COLUMN a text', 'ALTER TABLE users ADD COLUMN b text'], transactional: true, waits: false },
    { statements: ['CREATE INDEX CONCURRENTLY users_a ON users (a)'], transactional: false, waits: true },
    { statements: ["ALTER TYPE status ADD VALUE 'archived'"], transactional: true, waits: false },
    { statements: ['VACUUM users'], transactional: false, waits: false },
    { statements: ['REINDEX INDEX CONCURRENTLY users_a'], transactional: false, waits: true },
    { statements: ['COMMENT ON COLUMN users.a IS NULL'], transactional: true, waits: false },
  ]);
});

test('durations are written the way SET reads them', () => {
  expect([pgDuration(0), pgDuration(5000), pgDuration(1500), pgDuration(900_000)]).toEqual(['0', '5s', '1500ms', '900s']);
});

test('a trailing line comment cannot swallow the semicolon', () => {
  expect(terminate('ALTER TABLE users ADD COLUMN a text')).toBe('ALTER TABLE users ADD COLUMN a text;');
  expect(terminate('ALTER TABLE users ADD COLUMN a text -- the new name')).toBe('ALTER TABLE users ADD COLUMN a text -- the new name\n;');
});

test('atlas.sum chains the hash of every file up to each one', () => {
  // Computed with openssl (sha256 of name+content chained over the files; the first line sums names and
  // hashes); atlasSum was also checked against an atlas.sum that Atlas itself wrote.
  expect(atlasSum([
    ['1001_expand.sql', 'ALTER TABLE users ADD COLUMN display_name text;\n'],
    ['2001_migrate.sql', 'UPDATE users SET display_name = full_name WHERE display_name IS NULL;\n'],
  ])).toBe([
    'h1:lFuq9PmCGA/mlscCjamXcZqr4LLO8X7sg6nk/Y7JYps=',
    '1001_expand.sql h1:x3OrkUPCJUVp7jGP9/7FhapPyh7AQKuuIIPq8WEdaYo=',
    '2001_migrate.sql h1:I2Oa8zkdq+Pq4GvUcD/9fM0Mwk1Q+yiR8AQ4e7N72zU=',
    '',
  ].join('\n'));
});
