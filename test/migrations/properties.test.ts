/**
 * Property-based tests (fast-check, fixed seeds): every generated migration is either refused in the
 * documented error format (`<path>: invalid '<field>': <what is allowed>, got <value>`), or synthesizes
 * output that validates against its schema and keeps the rules. The generator tags each statement with
 * the phases that must refuse it, independently of the classifier, and the property checks both agree.
 */
import { App, Duration as CdkDuration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Duration, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import {
  Backfill, DatabaseConnection, EcsExpandContractTask, ExpandContractJob, JobOrdering, MigrationPhases, MigrationRunner, Phase, Removal, SqlParser,
} from '../../src';
import { expectValidManifests } from '../schema-validation';

beforeAll(async () => {
  await SqlParser.load();
});

const TABLES = ['users', 'orders', 'public.users'];
const COLUMNS = ['full_name', 'display_name', 'zip', 'postcode'];
const PHASES = [Phase.EXPAND, Phase.MIGRATE, Phase.CONTRACT];

/** A generated statement, and the phases that must refuse it whatever else the migration holds. */
interface Generated {
  readonly sql: string;
  readonly refusedIn: Phase[];
}

const ALL = PHASES;
const BEFORE_CONTRACT = [Phase.EXPAND, Phase.MIGRATE];

const parts = fc.tuple(fc.constantFrom(...TABLES), fc.constantFrom(...COLUMNS), fc.nat(99), fc.boolean());
const statement: fc.Arbitrary<Generated> = parts.chain(([t, c, n, flag]) => fc.constantFrom<Generated>(
  { sql: `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS ${c}_${n} text`, refusedIn: [] },
  { sql: `ALTER TABLE ${t} ADD COLUMN ${c}_${n} text`, refusedIn: ALL },
  { sql: `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS ${c}_${n} text NOT NULL`, refusedIn: ALL },
  { sql: `ALTER TABLE ${t} ADD COLUMN IF NOT EXISTS ${c}_${n} bigserial`, refusedIn: ALL },
  { sql: `ALTER TABLE ${t} DROP COLUMN IF EXISTS ${c}${flag ? ' CASCADE' : ''}`, refusedIn: flag ? ALL : BEFORE_CONTRACT },
  { sql: `ALTER TABLE ${t} RENAME COLUMN ${c} TO ${c}_${n}`, refusedIn: ALL },
  { sql: `ALTER TABLE ${t} ALTER COLUMN ${c} TYPE varchar(${n + 1})`, refusedIn: ALL },
  { sql: `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${c}_${n}_idx ON ${t} (${c})`, refusedIn: [] },
  { sql: `CREATE INDEX IF NOT EXISTS ${c}_${n}_idx ON ${t} (${c})`, refusedIn: ALL },
  { sql: `ALTER TABLE ${t} ADD CONSTRAINT ${c}_${n}_check CHECK (${c} IS NOT NULL)${flag ? ' NOT VALID' : ''}`, refusedIn: flag ? [] : ALL },
  { sql: `ALTER TABLE ${t} VALIDATE CONSTRAINT ${c}_${n}_check`, refusedIn: [] },
  { sql: `UPDATE ${t} SET ${c} = ${c}${flag ? ` WHERE id = ${n}` : ''}`, refusedIn: flag ? BEFORE_CONTRACT : ALL },
  { sql: `DELETE FROM ${t}${flag ? ` WHERE id = ${n}` : ''}`, refusedIn: flag ? BEFORE_CONTRACT : ALL },
  { sql: `TRUNCATE ${t}`, refusedIn: ALL },
  { sql: `DROP TABLE IF EXISTS ${t}`, refusedIn: ALL },
  { sql: `SET lock_timeout = '${n}s'`, refusedIn: ALL },
  { sql: `SELECT set_config('statement_timeout', '0', ${flag})`, refusedIn: ALL },
  { sql: 'DO $$ BEGIN PERFORM 1; END $$', refusedIn: ALL },
  { sql: `CALL p_${n}()`, refusedIn: ALL },
  { sql: 'BEGIN', refusedIn: ALL },
  { sql: `COMMENT ON COLUMN ${t}.${c} IS 'n ${n}'`, refusedIn: [] },
  { sql: `INSERT INTO ${t} (${c}) VALUES ('${n}')${flag ? ' ON CONFLICT DO NOTHING' : ''}`, refusedIn: flag ? [] : ALL },
  { sql: `CREATE TABLE IF NOT EXISTS new_${n} (id bigint PRIMARY KEY, ${c} text)`, refusedIn: [] },
  { sql: `VACUUM FULL ${t}`, refusedIn: ALL },
));

/** Mostly statements no phase refuses, so that many migrations get through to synthesis. */
const mostlySafe = fc.oneof({ arbitrary: statement.filter((s) => s.refusedIn.length === 0), weight: 6 }, { arbitrary: statement, weight: 1 });
const phaseStatements = fc.record({
  expand: fc.array(mostlySafe, { maxLength: 3 }),
  migrate: fc.array(mostlySafe, { maxLength: 3 }),
  contract: fc.array(mostlySafe, { maxLength: 3 }),
});

/** Every statement of `phase` may be right, or fail in the documented format. */
const FORMAT = /^[\w/.()-]+: invalid '[^']+': [\s\S]+, got [\s\S]+$/;

function thrownBy(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e: any) {
    expect(e).toBeInstanceOf(Error);
    expect(e).not.toBeInstanceOf(TypeError);
    return e.message;
  }
}

/** Builds phases from generated statements; undefined when they hold none. */
function phasesOf(g: { expand: Generated[]; migrate: Generated[]; contract: Generated[] }, backfill: boolean): MigrationPhases | undefined {
  const options = {
    expand: g.expand.map((s) => s.sql),
    migrate: g.migrate.map((s) => s.sql),
    contract: g.contract.map((s) => s.sql),
    backfills: backfill ? [Backfill.batched({ table: 'users', set: 'display_name = full_name', pending: 'display_name IS NULL' })] : [],
    removes: [Removal.column('users', 'full_name'), Removal.column('users', 'zip')],
  };
  if (options.expand.length + options.migrate.length + options.contract.length === 0 && !backfill) return undefined;
  return MigrationPhases.sql(options);
}

function mustRefuse(g: { expand: Generated[]; migrate: Generated[]; contract: Generated[] }): boolean {
  return PHASES.some((p) => g[p].some((s) => s.refusedIn.includes(p)));
}

test('ExpandContractJob: every generated migration is refused in the documented format, or synthesizes valid manifests that keep the rules', () => {
  const runners = [
    MigrationRunner.psql({ image: 'postgres:17.6' }),
    MigrationRunner.flyway({ image: 'flyway/flyway:11.3' }),
    MigrationRunner.liquibase({ image: 'liquibase/liquibase:4.31' }),
    MigrationRunner.atlas({ image: 'arigaio/atlas:0.31.0' }),
    MigrationRunner.golangMigrate({ image: 'migrate/migrate:v4.19.1' }),
  ];
  fc.assert(fc.property(
    phaseStatements, fc.boolean(), fc.constantFrom(...PHASES), fc.constantFrom(...runners), fc.integer({ min: 8, max: 19 }),
    fc.integer({ min: 0, max: 15_000 }), fc.constantFrom(JobOrdering.argoCd(), JobOrdering.helm(), JobOrdering.none()),
    (g, backfill, current, runner, postgresVersion, lockMs, ordering) => {
      const phases = phasesOf(g, backfill);
      if (phases === undefined) return;
      const chart = Testing.chart();
      const message = thrownBy(() => new ExpandContractJob(chart, 'm', {
        database: DatabaseConnection.fromSecret({ secretName: 'db' }),
        runner,
        phases,
        current,
        ordering,
        postgresVersion,
        oldShapeUnusedSince: 'app:2.0.0',
        lockTimeout: Duration.millis(lockMs),
      }));
      if (mustRefuse(g) || lockMs === 0 || lockMs > 10_000 || postgresVersion < 10 || postgresVersion > 18) {
        expect(message).toBeDefined();
      }
      if (message !== undefined) {
        expect(message).toMatch(FORMAT);
        return;
      }
      const objects = Testing.synth(chart);
      expectValidManifests(objects);
      const job = objects.find((o) => o.kind === 'Job');
      expect(job.spec.podReplacementPolicy).toBe('Failed');
      expect(job.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
      const files = Object.values<string>(objects.find((o) => o.kind === 'ConfigMap').data).join('\n');
      for (const s of g[current]) expect(files).toContain(s.sql);
      if (runner.tool === 'psql') {
        expect(files.startsWith(`-- ${current} phase of m`)).toBe(true);
        expect(files).toContain('SELECT pg_advisory_lock(');
        expect(files).not.toMatch(/^BEGIN;\n(?:(?!COMMIT;)[\s\S])*CONCURRENTLY/m); // no concurrent build inside a transaction
      }
    },
  ), { seed: 20261129, numRuns: 1000 });
});

test('the SQL classification: statements a phase must refuse are refused, whatever the rest of the migration holds', () => {
  fc.assert(fc.property(phaseStatements, fc.boolean(), (g, backfill) => {
    const phases = phasesOf(g, backfill);
    if (phases === undefined) return;
    const current = PHASES.find((p) => phases.hasPhase(p))!;
    const message = thrownBy(() => new ExpandContractJob(Testing.chart(), 'm', {
      database: DatabaseConnection.fromSecret({ secretName: 'db' }),
      runner: MigrationRunner.psql({ image: 'postgres:17.6' }),
      phases,
      current,
      ordering: JobOrdering.none(),
      oldShapeUnusedSince: 'app:2.0.0',
    }));
    if (mustRefuse(g)) expect(message).toBeDefined();
    if (message !== undefined) {
      expect(message).toMatch(FORMAT);
      // The refusal names the first statement the independent tags refuse, or one before it.
      const field = /^test\/m: invalid 'phases\.(expand|migrate|contract)\[(\d+)\]'/.exec(message);
      if (mustRefuse(g) && field) {
        const order = (p: string, i: number) => PHASES.indexOf(p as Phase) * 100 + i;
        const first = Math.min(...PHASES.flatMap((p) => g[p].map((s, i) => (s.refusedIn.includes(p) ? order(p, i) : Infinity))));
        expect(order(field[1], Number(field[2]))).toBeLessThanOrEqual(first);
      }
    }
  }), { seed: 7, numRuns: 2000 });
});

test('EcsExpandContractTask: every generated migration is refused in the documented format, or synthesizes a template that keeps the rules', () => {
  const app = new App();
  const base = new Stack(app, 'Base', { env: { account: '111111111111', region: 'eu-west-1' } });
  const vpc = ec2.Vpc.fromVpcAttributes(base, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['eu-west-1a'], privateSubnetIds: ['subnet-1'] });
  let n = 0;
  fc.assert(fc.property(
    phaseStatements, fc.constantFrom(Phase.EXPAND, Phase.MIGRATE), fc.integer({ min: 0, max: 12_000 }), fc.integer({ min: 0, max: 4 * 3_600_000 }),
    (g, current, lockMs, timeoutMs) => {
      const phases = phasesOf(g, false);
      if (phases === undefined) return;
      const stack = new Stack(app, `S${n++}`, { env: { account: '111111111111', region: 'eu-west-1' } });
      const cluster = ecs.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'shop', vpc });
      const message = thrownBy(() => new EcsExpandContractTask(stack, 'Task', {
        cluster,
        databaseSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'Db', 'db'),
        image: ecs.ContainerImage.fromRegistry('postgres:17'),
        phases,
        current,
        lockTimeout: CdkDuration.millis(lockMs),
        timeout: CdkDuration.millis(timeoutMs),
      }));
      if (mustRefuse(g) || lockMs === 0 || lockMs > 10_000) expect(message).toBeDefined();
      if (message !== undefined) {
        expect(message).toMatch(FORMAT);
        return;
      }
      const template = Template.fromStack(stack);
      const container = Object.values<any>(template.findResources('AWS::ECS::TaskDefinition'))[0].Properties.ContainerDefinitions[0];
      const script: string = container.Environment.find((e: any) => e.Name === 'MIGRATION_SQL').Value;
      expect(script).toContain(`SET lock_timeout = '${lockMs % 1000 === 0 ? `${lockMs / 1000}s` : `${lockMs}ms`}'`);
      for (const s of g[current]) expect(script).toContain(s.sql);
      expect(Object.keys(template.findResources('Custom::ExpandContractTask'))).toHaveLength(1);
    },
  ), { seed: 42, numRuns: 120 });
});
