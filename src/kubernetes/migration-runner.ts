import { Duration } from 'cdk8s';
import { MIGRATIONS_PATH, RunnerContainer, RunnerContext, RunnerSpec } from './runner-spec';
import { MigrationFormat } from '../migrations/migration-phases';
import { Phase } from '../migrations/phase';
import { PHASES } from '../migrations/review';
import { atlasSum, planUnits, psqlScript, renderStatement, ScriptContext, sessionOptions, terminate, Timeouts, Unit, unitCommands } from '../migrations/script';
import { checkRange, fail } from '../private/validate';
import { checkImage } from './private/workload';

/** Options for `MigrationRunner.psql()`. */
export interface PsqlRunnerOptions {
  /**
   * Image with `psql` (for example the official `postgres` image); pin a version or a digest.
   * @example 'postgres:17.6-alpine'
   */
  readonly image: string;
}

/** Options for `MigrationRunner.pgroll()`. */
export interface PgrollRunnerOptions {
  /**
   * Image with the `pgroll` binary; pin a version or a digest.
   * @example 'ghcr.io/xataio/pgroll:v0.14.0'
   */
  readonly image: string;
  /**
   * Image with `psql`, for the check that exactly one migration is in progress before each step.
   * @example 'postgres:17.6-alpine'
   */
  readonly psqlImage: string;
  /**
   * Schema the migration changes.
   * @default 'public'
   */
  readonly schema?: string;
  /**
   * Schema where pgroll keeps its state.
   * @default 'pgroll'
   */
  readonly stateSchema?: string;
  /**
   * Rows pgroll backfills per batch during `pgroll start` (`--backfill-batch-size`); each batch is
   * one transaction, during which the running version's writes to its rows wait. Whole number from 1
   * to 100000.
   * @default 1000 (pgroll's own default)
   */
  readonly backfillBatchSize?: number;
  /**
   * Pause between two backfill batches (`--backfill-batch-delay`), from 0 to 1 minute.
   * @default - no pause (pgroll's own default)
   */
  readonly backfillBatchDelay?: Duration;
}

/** Options for `MigrationRunner.flyway()`. */
export interface FlywayRunnerOptions {
  /**
   * Flyway image (10 or later); pin a version or a digest.
   * @example 'flyway/flyway:11.3'
   */
  readonly image: string;
  /**
   * Schema history table for this migration's versions. Each `ExpandContractJob` numbers its files from
   * 1.1 (expand), 2.1 (migrate) and 3.1 (contract), so it keeps its own history table.
   * @default - `flyway_<name>_history`, with the name's dashes as underscores
   */
  readonly historyTable?: string;
}

/** Options for `MigrationRunner.liquibase()`. */
export interface LiquibaseRunnerOptions {
  /**
   * Liquibase image with the PostgreSQL JDBC driver; pin a version or a digest. The official images
   * bundle the driver up to 4.x; from Liquibase 5.0 on they ship no driver, so `liquibase/liquibase:5...`
   * (and an unpinned `latest`) is refused unless `postgresDriverIncluded` says your image adds it.
   * @example 'liquibase/liquibase:4.31'
   */
  readonly image: string;
  /**
   * Whether `image` has the PostgreSQL JDBC driver although it is a Liquibase 5 (or unpinned) official
   * image, for example an image you build `FROM liquibase/liquibase:5.0` with `lpm add postgresql`.
   * @default false
   */
  readonly postgresDriverIncluded?: boolean;
}

/** Options for `MigrationRunner.golangMigrate()`. */
export interface GolangMigrateRunnerOptions {
  /**
   * golang-migrate image (`migrate` CLI built with the postgres driver); pin a version or a digest.
   * @example 'migrate/migrate:v4.19.1'
   */
  readonly image: string;
  /**
   * Table in which golang-migrate records this migration's version.
   * @default - `migrate_<name>`, with the name's dashes as underscores
   */
  readonly migrationsTable?: string;
}

/** Options for `MigrationRunner.atlas()`. */
export interface AtlasRunnerOptions {
  /**
   * Atlas image; pin a version or a digest.
   * @example 'arigaio/atlas:0.31.0'
   */
  readonly image: string;
  /**
   * Schema of Atlas's revisions table for this migration.
   * @default - `atlas_<name>`, with the name's dashes as underscores
   */
  readonly revisionsSchema?: string;
}

/** Options for `MigrationRunner.custom()`. */
export interface CustomRunnerOptions {
  /**
   * Entrypoint to run instead of the image's own.
   * @default - the image's entrypoint
   */
  readonly command?: string[];
  /**
   * Whether running the phase again after a failure is safe (the tool records what it applied, or the
   * phase runs in one transaction). The Job retries only then, unless `backoffLimit` is set.
   * @default false
   */
  readonly retriesAreSafe?: boolean;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const SMALL = { cpuRequest: '50m', cpuLimit: '500m', memoryRequest: '64Mi', memoryLimit: '256Mi' };
const JVM = { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' };

/**
 * The tool that runs a migration phase inside the Job.
 *
 * Every runner connects with the libpq environment of the `DatabaseConnection`, runs with
 * `lock_timeout` and `statement_timeout` set, keeps statements that cannot run in a transaction
 * (CREATE INDEX CONCURRENTLY and friends) outside one, and lifts `lock_timeout` around the statements
 * that must wait for older transactions (a concurrent index build waits for every older transaction; a
 * short lock_timeout would fail it and leave an INVALID index). The phase's files are mounted from a
 * ConfigMap at `/migrations`.
 */
export abstract class MigrationRunner {
  /**
   * `psql` runs the phase's statements as a script: `SET lock_timeout`, `SET statement_timeout`, then
   * the statements grouped into transactions (`BEGIN` ... `COMMIT`), with `ON_ERROR_STOP` so the first
   * error fails the Job. The session first takes the migration's advisory lock, so two runs never
   * overlap. DDL shares transactions; VALIDATE CONSTRAINT, row writes and each backfill batch commit on
   * their own; CONCURRENTLY statements run outside any. Every statement is idempotent (the rules refuse
   * what is not, and named constraints get a catalog check), and an INVALID index left by a killed build
   * is dropped and built again, so a failed or killed run simply runs again.
   */
  public static psql(options: PsqlRunnerOptions): MigrationRunner {
    checkImage('MigrationRunner.psql()', 'image', options.image);
    return new PsqlRunner(options.image);
  }

  /**
   * pgroll runs a pgroll migration (`MigrationPhases.pgroll()`): expand runs `pgroll init` (idempotent)
   * and `pgroll start` (never with `--complete`), contract runs `pgroll complete`. Before each, a psql
   * check fails the Job unless exactly the expected migration state holds: no migration in progress
   * before start, and this migration (and only it) in progress before complete. So pgroll completes
   * exactly one migration at a time, and never one it did not start.
   * @see https://pgroll.com/docs/latest/cli
   */
  public static pgroll(options: PgrollRunnerOptions): MigrationRunner {
    const where = 'MigrationRunner.pgroll()';
    checkImage(where, 'image', options.image);
    checkImage(where, 'psqlImage', options.psqlImage);
    const schema = options.schema ?? 'public';
    const stateSchema = options.stateSchema ?? 'pgroll';
    checkIdentifier(where, 'schema', schema);
    checkIdentifier(where, 'stateSchema', stateSchema);
    if (options.backfillBatchSize !== undefined) checkRange(where, 'backfillBatchSize', options.backfillBatchSize, 1, 100_000);
    const delayMs = options.backfillBatchDelay?.toMilliseconds();
    if (delayMs !== undefined && (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > 60_000)) {
      fail(where, 'backfillBatchDelay', 'must be a whole number of milliseconds from 0 to 60000', `${delayMs} milliseconds`);
    }
    return new PgrollRunner(options.image, options.psqlImage, schema, stateSchema, options.backfillBatchSize, delayMs);
  }

  /**
   * Flyway runs the phases as versioned migrations (expand `V1_<n>`, migrate `V2_<n>`, contract
   * `V3_<n>`, one file per transaction) from the files of this and earlier phases. Flyway's PostgreSQL
   * lock is taken at session level (`postgresql.transactional.lock=false`): with the default
   * transaction-level advisory lock, CREATE INDEX CONCURRENTLY waits forever for Flyway's own lock
   * transaction, or deadlocks with another Flyway waiting for the lock. Placeholder replacement is off,
   * so `${...}` in SQL stays as written.
   * @see https://documentation.red-gate.com/flyway/reference/configuration/flyway-namespace/flyway-postgresql-namespace
   */
  public static flyway(options: FlywayRunnerOptions): MigrationRunner {
    const where = 'MigrationRunner.flyway()';
    checkImage(where, 'image', options.image);
    if (options.historyTable !== undefined) checkIdentifier(where, 'historyTable', options.historyTable);
    return new FlywayRunner(options.image, options.historyTable);
  }

  /**
   * Liquibase runs the phases as a formatted-SQL changelog of this and earlier phases, one changeset
   * per statement. CONCURRENTLY statements get `runInTransaction:false`; Liquibase's lock is a row in
   * DATABASECHANGELOGLOCK, committed before the changesets run, so a concurrent index build does not
   * wait on it.
   * @see https://docs.liquibase.com/concepts/changelogs/sql-format.html
   */
  public static liquibase(options: LiquibaseRunnerOptions): MigrationRunner {
    const where = 'MigrationRunner.liquibase()';
    checkImage(where, 'image', options.image);
    if (!(options.postgresDriverIncluded ?? false) && officialLiquibaseWithoutDriver(options.image)) {
      fail(where, 'image', 'must bundle the PostgreSQL JDBC driver: official Liquibase images ship it up to 4.x and none from 5.0 on (pin liquibase/liquibase:4.x, '
        + 'or build an image with `lpm add postgresql` and set postgresDriverIncluded: true)', options.image);
    }
    return new LiquibaseRunner(options.image);
  }

  /**
   * golang-migrate runs the phases as numbered `.up.sql` files of this and earlier phases (expand from
   * 1001, migrate from 2001, contract from 3001), one transaction per file, recording the version in its
   * own table. CONCURRENTLY statements and the settings around them get a file each (golang-migrate sends
   * a file as one query, which PostgreSQL runs as one transaction). Its advisory lock is the session's, so
   * a concurrent index build does not wait for it. After a failure golang-migrate marks the version dirty
   * and refuses to run until someone forces it, so the Job does not retry.
   * @see https://github.com/golang-migrate/migrate/tree/master/database/postgres
   */
  public static golangMigrate(options: GolangMigrateRunnerOptions): MigrationRunner {
    const where = 'MigrationRunner.golangMigrate()';
    checkImage(where, 'image', options.image);
    if (options.migrationsTable !== undefined) checkIdentifier(where, 'migrationsTable', options.migrationsTable);
    return new GolangMigrateRunner(options.image, options.migrationsTable);
  }

  /**
   * Atlas runs the phases as a versioned migration directory (with its `atlas.sum`) of this and earlier
   * phases, one file per transaction; CONCURRENTLY statements get their own file with
   * `-- atlas:txmode none`.
   * @see https://atlasgo.io/versioned/apply
   */
  public static atlas(options: AtlasRunnerOptions): MigrationRunner {
    const where = 'MigrationRunner.atlas()';
    checkImage(where, 'image', options.image);
    if (options.revisionsSchema !== undefined) checkIdentifier(where, 'revisionsSchema', options.revisionsSchema);
    return new AtlasRunner(options.image, options.revisionsSchema);
  }

  /**
   * Your own image, run with `args`. It gets the libpq environment, `PGOPTIONS` with the timeouts (so
   * libpq clients apply them), `MIGRATION_PHASE`, and `MIGRATION_FILE`: for SQL phases the same script
   * psql would run (timeouts, transactions and all), for pgroll the migration file. Arguments may
   * reference them as `$(MIGRATION_FILE)`.
   * @example MigrationRunner.custom('registry.example.com/migrate:1.4', ['apply', '--file', '$(MIGRATION_FILE)'])
   */
  public static custom(image: string, args: string[], options: CustomRunnerOptions = {}): MigrationRunner {
    const where = 'MigrationRunner.custom()';
    checkImage(where, 'image', image);
    if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) fail(where, 'args', 'must be a list of strings', args);
    if (options.command !== undefined && (!Array.isArray(options.command) || options.command.length === 0)) {
      fail(where, 'command', 'must be a non-empty list of strings when given', options.command);
    }
    return new CustomRunner(image, args, options.command, options.retriesAreSafe ?? false);
  }

  /** Name of the tool (`psql`, `pgroll`, `flyway`, `liquibase`, `atlas`, `golang-migrate` or `custom`). */
  public readonly tool: string;
  /** Image of the container that runs the phase. */
  public readonly image: string;

  protected constructor(tool: string, image: string) {
    this.tool = tool;
    this.image = image;
  }

  /**
   * The files and containers that run `context.phase`. Throws (naming `context.where`) when the runner
   * cannot run these phases.
   * @internal
   */
  public abstract _render(context: RunnerContext): RunnerSpec;
}

function checkIdentifier(where: string, field: string, value: string): void {
  if (typeof value !== 'string' || !IDENTIFIER.test(value)) {
    fail(where, field, "must be a lower-case PostgreSQL identifier (letters, digits and '_', at most 63)", value);
  }
}

/** `rename-full-name` as a PostgreSQL identifier: `rename_full_name`. */
function identifierOf(name: string): string {
  return name.replace(/-/g, '_');
}

function requireSql(context: RunnerContext, tool: string): void {
  if (context.phases.format !== MigrationFormat.SQL) {
    fail(context.where, 'runner', `${tool} runs SQL phases (MigrationPhases.sql() or .sqlFiles()); a pgroll migration needs MigrationRunner.pgroll()`, context.phases.format);
  }
}

/**
 * SQL phases for a versioned tool, which runs files, not psql scripts: a batched backfill needs psql to
 * commit each batch.
 */
function requireFileSql(context: RunnerContext, tool: string): void {
  requireSql(context, tool);
  const backfills = context.phases._backfills;
  if (backfills.length > 0) {
    fail(context.where, 'runner', `${tool} cannot run batched backfills, which commit each batch from a psql script: use MigrationRunner.psql() (or .custom() with the psql script) for these phases`, backfills[0].toString());
  }
}

/** Official Liquibase images that ship no JDBC driver: 5.0 and later, or unpinned. */
function officialLiquibaseWithoutDriver(image: string): boolean {
  const match = /^(?:docker\.io\/)?(?:library\/)?(liquibase(?:\/liquibase)?)(?::([^@]+))?(?:@.*)?$/.exec(image);
  if (!match) return false;
  const tag = match[2];
  if (tag === undefined) return !image.includes('@');
  const major = /^v?(\d+)/.exec(tag);
  return major === null ? true : Number(major[1]) >= 5;
}

const PHASE_NUMBER: { [phase in Phase]: number } = { [Phase.EXPAND]: 1, [Phase.MIGRATE]: 2, [Phase.CONTRACT]: 3 };

/** The phases up to and including `phase`, with their units: versioned tools apply what is pending. */
function unitsUpTo(context: RunnerContext): Array<{ phase: Phase; units: Unit[] }> {
  return PHASES
    .filter((p) => PHASE_NUMBER[p] <= PHASE_NUMBER[context.phase])
    .map((p) => ({ phase: p, units: planUnits(context.phases._statements[p], context.postgresVersion) }));
}

/** Whether a failed run of the current phase can simply run again (every unit is transactional). */
function allTransactional(context: RunnerContext): boolean {
  return planUnits(context.phases._statements[context.phase], context.postgresVersion).every((u) => u.transactional);
}

/**
 * The body of a file holding one unit, for tools that wrap each file in their own transaction: the
 * unit's commands without BEGIN/COMMIT (catalog guards, and the timeouts lifted around statements that
 * wait for older transactions, included).
 */
function unitBody(unit: Unit, timeouts: Timeouts): string {
  return unitCommands(unit, timeouts, false).map(terminate).join('\n');
}

function jdbcUrl(timeouts: Timeouts): string {
  return 'jdbc:postgresql://$(PGHOST):$(PGPORT)/$(PGDATABASE)?sslmode=$(PGSSLMODE)&ApplicationName=$(PGAPPNAME)'
    + `&options=${encodeURIComponent(sessionOptions(timeouts))}`;
}

/** A lib/pq URL (pgroll, Atlas, golang-migrate): the password stays in PGPASSWORD; unknown parameters become session settings. */
function libpqUrl(timeouts: Timeouts, extra = ''): string {
  return 'postgres://$(PGUSER)@$(PGHOST):$(PGPORT)/$(PGDATABASE)?sslmode=$(PGSSLMODE)'
    + `&lock_timeout=${timeouts.lock}&statement_timeout=${timeouts.statement}${extra}`;
}

class PsqlRunner extends MigrationRunner {
  constructor(image: string) {
    super('psql', image);
  }

  public _render(context: RunnerContext): RunnerSpec {
    requireSql(context, 'MigrationRunner.psql()');
    const file = `${context.phase}.sql`;
    return {
      files: { [file]: psqlScript(scriptContext(context)) },
      initContainers: [],
      container: {
        name: 'migrate',
        image: this.image,
        command: ['psql'],
        args: ['--no-psqlrc', '--set=ON_ERROR_STOP=1', '--echo-queries', `--file=${MIGRATIONS_PATH}/${file}`],
      },
      // Every statement is idempotent and an INVALID index is rebuilt, unless a statement was allowed not to be.
      retriesAreSafe: context.rerunnable,
      defaultResources: SMALL,
    };
  }
}

class PgrollRunner extends MigrationRunner {
  constructor(
    image: string,
    private readonly psqlImage: string,
    private readonly schema: string,
    private readonly stateSchema: string,
    private readonly batchSize?: number,
    private readonly batchDelayMs?: number,
  ) {
    super('pgroll', image);
  }

  public _render(context: RunnerContext): RunnerSpec {
    const pgroll = context.phases._pgroll;
    if (pgroll === undefined) {
      fail(context.where, 'runner', 'MigrationRunner.pgroll() runs a pgroll migration (MigrationPhases.pgroll())', context.phases.format);
    }
    const file = `${pgroll.name}.json`;
    const flags = [
      `--postgres-url=${libpqUrl(context.timeouts)}`,
      `--schema=${this.schema}`,
      `--pgroll-schema=${this.stateSchema}`,
      `--lock-timeout=${context.lockTimeoutMs}`,
    ];
    const backfill = [
      ...(this.batchSize === undefined ? [] : [`--backfill-batch-size=${this.batchSize}`]),
      ...(this.batchDelayMs === undefined ? [] : [`--backfill-batch-delay=${this.batchDelayMs}ms`]),
    ];
    const guard = (sql: string): RunnerContainer => ({
      name: 'pgroll-check',
      image: this.psqlImage,
      command: ['psql'],
      args: ['--no-psqlrc', '--set=ON_ERROR_STOP=1', `--command=${sql}`],
    });
    const active = `SELECT name INTO active FROM ${this.stateSchema}.migrations WHERE schema = '${this.schema}' AND NOT done;`;
    if (context.phase === Phase.EXPAND) {
      return {
        files: { [file]: pgroll.content },
        initContainers: [
          { name: 'pgroll-init', image: this.image, command: ['pgroll'], args: ['init', ...flags] },
          guard(`DO $check$ DECLARE active text; BEGIN ${active} IF active IS NOT NULL THEN RAISE EXCEPTION `
            + `'pgroll migration % is still in progress in schema ${this.schema}: complete it before starting ${pgroll.name} (pgroll runs one migration at a time)', active; `
            + 'END IF; END $check$'),
        ],
        container: { name: 'migrate', image: this.image, command: ['pgroll'], args: ['start', ...flags, ...backfill, `${MIGRATIONS_PATH}/${file}`] },
        retriesAreSafe: true,
        defaultResources: SMALL,
      };
    }
    return {
      files: { [file]: pgroll.content },
      initContainers: [
        guard(`DO $check$ DECLARE active text; BEGIN ${active} IF active IS DISTINCT FROM '${pgroll.name}' THEN RAISE EXCEPTION `
          + `'pgroll complete would complete %, not ${pgroll.name}: only the migration this release started may be completed', coalesce(active, 'nothing'); `
          + 'END IF; END $check$'),
      ],
      container: { name: 'migrate', image: this.image, command: ['pgroll'], args: ['complete', ...flags] },
      retriesAreSafe: true,
      defaultResources: SMALL,
    };
  }
}

class FlywayRunner extends MigrationRunner {
  constructor(image: string, private readonly historyTable?: string) {
    super('flyway', image);
  }

  public _render(context: RunnerContext): RunnerSpec {
    requireFileSql(context, 'MigrationRunner.flyway()');
    const files: { [name: string]: string } = {};
    for (const { phase, units } of unitsUpTo(context)) {
      units.forEach((unit, i) => {
        files[`V${PHASE_NUMBER[phase]}_${i + 1}__${phase}.sql`] = `${unitBody(unit, context.timeouts)}\n`;
      });
    }
    return {
      files,
      initContainers: [],
      container: {
        name: 'migrate',
        image: this.image,
        command: ['flyway'],
        args: [
          `-url=${jdbcUrl(context.timeouts)}`,
          `-locations=filesystem:${MIGRATIONS_PATH}`,
          `-table=${this.historyTable ?? `flyway_${identifierOf(context.name)}_history`}`,
          '-baselineOnMigrate=true',
          '-baselineVersion=0',
          '-postgresql.transactional.lock=false',
          '-mixed=true',
          '-placeholderReplacement=false',
          'migrate',
        ],
        env: [{ name: 'FLYWAY_USER', value: '$(PGUSER)' }, { name: 'FLYWAY_PASSWORD', value: '$(PGPASSWORD)' }],
      },
      // Flyway rolls back a failed transactional migration and records nothing; a failed
      // non-transactional one is recorded as failed and needs `flyway repair`.
      retriesAreSafe: allTransactional(context),
      defaultResources: JVM,
    };
  }
}

class LiquibaseRunner extends MigrationRunner {
  constructor(image: string) {
    super('liquibase', image);
  }

  public _render(context: RunnerContext): RunnerSpec {
    requireFileSql(context, 'MigrationRunner.liquibase()');
    const lines = ['--liquibase formatted sql'];
    for (const { phase, units } of unitsUpTo(context)) {
      let n = 0;
      for (const unit of units) {
        // One changeset per command, none split further: Liquibase's splitter does not know dollar quotes.
        // The settings and the INVALID-index check around a statement run again whenever it does.
        const statements = new Set(unit.statements.map(renderStatement));
        for (const command of unitCommands(unit, context.timeouts, false)) {
          n += 1;
          const id = `${context.name}-${phase}-${n}`;
          const always = statements.has(command) ? '' : ' runAlways:true';
          lines.push('', `--changeset release-strategies:${id} runInTransaction:${unit.transactional} splitStatements:false${always}`, terminate(command));
        }
      }
    }
    return {
      files: { 'changelog.sql': `${lines.join('\n')}\n` },
      initContainers: [],
      container: {
        name: 'migrate',
        image: this.image,
        command: ['liquibase'],
        args: [`--url=${jdbcUrl(context.timeouts)}`, `--search-path=${MIGRATIONS_PATH}`, '--changelog-file=changelog.sql', '--show-banner=false', 'update'],
        env: [{ name: 'LIQUIBASE_COMMAND_USERNAME', value: '$(PGUSER)' }, { name: 'LIQUIBASE_COMMAND_PASSWORD', value: '$(PGPASSWORD)' }],
      },
      // Liquibase records each changeset it applied; a failed non-transactional one may leave an
      // INVALID index that the retry then trips over.
      retriesAreSafe: allTransactional(context),
      defaultResources: JVM,
    };
  }
}

class AtlasRunner extends MigrationRunner {
  constructor(image: string, private readonly revisionsSchema?: string) {
    super('atlas', image);
  }

  public _render(context: RunnerContext): RunnerSpec {
    requireFileSql(context, 'MigrationRunner.atlas()');
    const migrations: Array<[string, string]> = [];
    for (const { phase, units } of unitsUpTo(context)) {
      units.forEach((unit, i) => {
        const version = String(PHASE_NUMBER[phase] * 1000 + i + 1);
        const body = `${unitBody(unit, context.timeouts)}\n`;
        migrations.push([`${version}_${phase}.sql`, unit.transactional ? body : `-- atlas:txmode none\n\n${body}`]);
      });
    }
    return {
      files: { ...Object.fromEntries(migrations), 'atlas.sum': atlasSum(migrations) },
      initContainers: [],
      container: {
        name: 'migrate',
        image: this.image,
        command: ['atlas'],
        args: [
          'migrate', 'apply',
          '--dir', `file://${MIGRATIONS_PATH}`,
          '--url', libpqUrl(context.timeouts),
          '--revisions-schema', this.revisionsSchema ?? `atlas_${identifierOf(context.name)}`,
          '--allow-dirty',
        ],
      },
      retriesAreSafe: allTransactional(context),
      defaultResources: SMALL,
    };
  }
}

class GolangMigrateRunner extends MigrationRunner {
  constructor(image: string, private readonly migrationsTable?: string) {
    super('golang-migrate', image);
  }

  public _render(context: RunnerContext): RunnerSpec {
    requireFileSql(context, 'MigrationRunner.golangMigrate()');
    const files: { [name: string]: string } = {};
    for (const { phase, units } of unitsUpTo(context)) {
      let n = 0;
      const add = (body: string) => {
        n += 1;
        files[`${PHASE_NUMBER[phase] * 1000 + n}_${phase}.up.sql`] = `${body}\n`;
      };
      for (const unit of units) {
        // A file is one query, which PostgreSQL runs as one transaction: what cannot run in one gets its own file.
        if (unit.transactional) add(unitBody(unit, context.timeouts));
        else unitCommands(unit, context.timeouts, false).forEach((command) => add(terminate(command)));
      }
    }
    const table = this.migrationsTable ?? `migrate_${identifierOf(context.name)}`;
    return {
      files,
      initContainers: [],
      container: {
        name: 'migrate',
        image: this.image,
        command: ['migrate'],
        args: ['-path', MIGRATIONS_PATH, '-database', libpqUrl(context.timeouts, `&x-migrations-table=${table}`), 'up'],
      },
      // A failed file leaves the version dirty; golang-migrate then refuses to run until it is forced.
      retriesAreSafe: false,
      defaultResources: SMALL,
    };
  }
}

class CustomRunner extends MigrationRunner {
  constructor(image: string, private readonly args: string[], private readonly command: string[] | undefined, private readonly retries: boolean) {
    super('custom', image);
  }

  public _render(context: RunnerContext): RunnerSpec {
    const pgroll = context.phases._pgroll;
    const file = pgroll ? `${pgroll.name}.json` : `${context.phase}.sql`;
    const content = pgroll ? pgroll.content : psqlScript(scriptContext(context));
    return {
      files: { [file]: content },
      initContainers: [],
      container: {
        name: 'migrate',
        image: this.image,
        command: this.command,
        args: this.args,
        env: [{ name: 'MIGRATION_PHASE', value: context.phase }, { name: 'MIGRATION_FILE', value: `${MIGRATIONS_PATH}/${file}` }],
      },
      retriesAreSafe: this.retries,
      defaultResources: SMALL,
    };
  }
}

/** What psqlScript needs, from the runner context. */
function scriptContext(context: RunnerContext): ScriptContext {
  return {
    name: context.name,
    phase: context.phase,
    statements: context.phases._statements[context.phase],
    backfills: context.phases._backfills,
    timeouts: context.timeouts,
    postgresVersion: context.postgresVersion,
  };
}
