import { MigrationPhases, Phase, SqlParser } from '../../src';
import { advisoryLockKeys, atlasSum, invalidIndexGuard, pgDuration, planUnits, renderStatement, terminate } from '../../src/migrations/script';

beforeAll(async () => {
  await SqlParser.load();
});

function parsed(statements: string[]) {
  return MigrationPhases.sql({ expand: statements })._statements[Phase.EXPAND];
}

function units(statements: string[], postgresVersion = 15) {
  return planUnits(parsed(statements), postgresVersion)
    .map((u) => ({ statements: u.statements.map((s) => s.sql), transactional: u.transactional, waits: u.waitsForOlderTransactions }));
}

test('groups statements into transactions, and keeps the ones that cannot run in one alone', () => {
  expect(units([
    'ALTER TABLE users ADD COLUMN a text',
    'ALTER TABLE users ADD COLUMN b text',
    'CREATE INDEX CONCURRENTLY users_a ON users (a)',
    "ALTER TYPE status ADD VALUE IF NOT EXISTS 'archived'",
    'VACUUM users',
    'REINDEX INDEX CONCURRENTLY users_a',
    'COMMENT ON COLUMN users.a IS NULL',
  ])).toEqual([
    { statements: ['ALTER TABLE users ADD COLUMN a text', 'ALTER TABLE users ADD COLUMN b text'], transactional: true, waits: false },
    { statements: ['CREATE INDEX CONCURRENTLY users_a ON users (a)'], transactional: false, waits: true },
    { statements: ["ALTER TYPE status ADD VALUE IF NOT EXISTS 'archived'"], transactional: true, waits: false },
    { statements: ['VACUUM users'], transactional: false, waits: false },
    { statements: ['REINDEX INDEX CONCURRENTLY users_a'], transactional: false, waits: true },
    { statements: ['COMMENT ON COLUMN users.a IS NULL'], transactional: true, waits: false },
  ]);
});

test('VALIDATE CONSTRAINT and row writes commit alone, so no scan runs under the lock of the DDL before it', () => {
  expect(units([
    'ALTER TABLE users ADD CONSTRAINT c CHECK (a IS NOT NULL) NOT VALID',
    'ALTER TABLE users VALIDATE CONSTRAINT c',
    'ALTER TABLE users ADD COLUMN d text',
    "UPDATE users SET d = 'x' WHERE id = 1",
    'ALTER TABLE users ADD COLUMN e text',
  ])).toEqual([
    { statements: ['ALTER TABLE users ADD CONSTRAINT c CHECK (a IS NOT NULL) NOT VALID'], transactional: true, waits: false },
    { statements: ['ALTER TABLE users VALIDATE CONSTRAINT c'], transactional: true, waits: false },
    { statements: ['ALTER TABLE users ADD COLUMN d text'], transactional: true, waits: false },
    { statements: ["UPDATE users SET d = 'x' WHERE id = 1"], transactional: true, waits: false },
    { statements: ['ALTER TABLE users ADD COLUMN e text'], transactional: true, waits: false },
  ]);
  expect(planUnits(parsed(['ALTER TABLE users VALIDATE CONSTRAINT c', 'ALTER TABLE users ADD COLUMN d text']), 15).map((u) => u.timeout)).toEqual(['indexBuild', 'statement']);
});

test('before PostgreSQL 12, ALTER TYPE ... ADD VALUE runs outside a transaction block', () => {
  expect(units(["ALTER TYPE status ADD VALUE IF NOT EXISTS 'archived'"], 11)).toEqual([
    { statements: ["ALTER TYPE status ADD VALUE IF NOT EXISTS 'archived'"], transactional: false, waits: false },
  ]);
});

test('statements without an IF NOT EXISTS form run behind a catalog check; others as written', () => {
  const [constraint, trigger, type, column] = parsed([
    'ALTER TABLE sales.orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID',
    'CREATE TRIGGER t BEFORE INSERT ON "Users" FOR EACH ROW EXECUTE FUNCTION f()',
    "CREATE TYPE plan AS ENUM ('free')",
    'ALTER TABLE users ADD COLUMN IF NOT EXISTS a text',
  ]);
  expect(renderStatement(constraint)).toBe([
    'DO $guard$ BEGIN',
    '  IF NOT EXISTS (SELECT FROM pg_constraint WHERE conrelid = to_regclass(\'"sales"."orders"\') AND conname = \'orders_total_positive\') THEN',
    '    EXECUTE $rs$ALTER TABLE sales.orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID$rs$;',
    '  ELSE',
    "    RAISE NOTICE 'skipped, it ran before: %', $rs$ALTER TABLE sales.orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID$rs$;",
    '  END IF;',
    'END $guard$',
  ].join('\n'));
  expect(renderStatement(trigger)).toContain('IF NOT EXISTS (SELECT FROM pg_trigger WHERE tgrelid = to_regclass(\'"Users"\') AND tgname = \'t\') THEN');
  expect(renderStatement(type)).toContain('IF NOT EXISTS (SELECT WHERE to_regtype(\'"plan"\') IS NOT NULL) THEN');
  expect(renderStatement(column)).toBe('ALTER TABLE users ADD COLUMN IF NOT EXISTS a text');
});

test('a concurrent index build is preceded by a check that drops an INVALID index of that name', () => {
  const [build, plain] = parsed(['CREATE INDEX CONCURRENTLY IF NOT EXISTS users_a ON sales.users (a)', 'CREATE INDEX IF NOT EXISTS users_b ON users (b)']);
  expect(invalidIndexGuard(build)).toBe([
    'DO $guard$ BEGIN',
    '  IF EXISTS (SELECT FROM pg_index WHERE indexrelid = to_regclass(\'"sales"."users_a"\') AND NOT indisvalid) THEN',
    '    RAISE NOTICE \'dropping INVALID index %, left by a build that did not finish, to build it again\', \'"sales"."users_a"\';',
    '    EXECUTE \'DROP INDEX "sales"."users_a"\';',
    '  END IF;',
    'END $guard$',
  ].join('\n'));
  expect(invalidIndexGuard(build, true)).toBe([
    '-- an INVALID index left by a build that did not finish is dropped, without blocking anyone, and built again',
    'SELECT format(\'DROP INDEX CONCURRENTLY %s\', indexrelid::regclass) FROM pg_index WHERE indexrelid = to_regclass(\'"sales"."users_a"\') AND NOT indisvalid',
    '\\gexec',
  ].join('\n'));
  expect(invalidIndexGuard(plain)).toBeUndefined();
});

test('the advisory lock is keyed by the migration name, in a namespace of its own', () => {
  expect(advisoryLockKeys('rename-full-name')).toEqual([1381190983, -863929847]);
  expect(advisoryLockKeys('other')[1]).not.toBe(-863929847);
});

test('durations are written the way SET reads them', () => {
  expect([pgDuration(0), pgDuration(5000), pgDuration(1500), pgDuration(900_000)]).toEqual(['0', '5s', '1500ms', '900s']);
});

test('a trailing line comment cannot swallow the semicolon', () => {
  expect(terminate('ALTER TABLE users ADD COLUMN a text')).toBe('ALTER TABLE users ADD COLUMN a text;');
  expect(terminate('ALTER TABLE users ADD COLUMN a text -- the new name')).toBe('ALTER TABLE users ADD COLUMN a text -- the new name\n;');
  expect(terminate('SELECT 1\n\\gexec')).toBe('SELECT 1\n\\gexec');
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
