/**
 * Renaming `users.full_name` to `users.display_name` without ever blocking a rollback: one schema
 * change in three releases, each one running its phase as an Argo CD hook of the orders Application.
 *
 * - Release 1 ships orders 2.0.0, which reads and writes `display_name`. Its expand Job runs as a
 *   PreSync hook, before the rollout: it only adds (the column, a trigger that keeps both columns
 *   filled while 1.x and 2.x run side by side, an index built CONCURRENTLY). Rolling back to 1.x is safe.
 * - Release 2 runs the migrate Job as a PostSync hook, once 2.0.0 runs everywhere: it backfills the
 *   rows written before expand in batches of 1000 (each its own transaction, resumable after a kill)
 *   and validates a NOT NULL check without locking the table.
 * - Release 3 runs the contract Job, once no running version nor the rollback target reads
 *   `full_name` (orders 2.0.0 stopped reading it): it drops the trigger and the old column.
 *
 * Each release is one chart here (`orders-release-1.k8s.yaml`, ...) so the three can be read side by
 * side; a real repository has one chart whose `current` phase moves forward release by release.
 * Every statement is checked at synth: a `RENAME COLUMN` in expand, or a `DROP COLUMN` before contract,
 * fails the build with the rule and the safe alternative.
 */
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import {
  Backfill, DatabaseConnection, ExpandContractJob, JobOrdering, MigrationPhases, MigrationRunner, Phase, Removal, SqlParser,
} from '@release-constructs/release-strategies';

/** The three phases of the rename, from the SQL files next to this example. */
export function renameFullName(): MigrationPhases {
  const sql = (file: string) => path.join(__dirname, 'sql', file);
  return MigrationPhases.sqlFiles({
    expand: [sql('1-expand.sql')],
    backfills: [Backfill.batched({ table: 'users', set: 'display_name = full_name', pending: 'display_name IS NULL', batchSize: 1000 })],
    migrate: [sql('2-migrate.sql')],
    contract: [sql('3-contract.sql')],
    removes: [Removal.column('users', 'full_name')],
  });
}

export async function buildApp(outdir?: string): Promise<App> {
  // The PostgreSQL parser that checks the phases loads asynchronously: once, before building.
  await SqlParser.load();
  const app = new App({ outdir });
  const phases = renameFullName();
  [Phase.EXPAND, Phase.MIGRATE, Phase.CONTRACT].forEach((current, i) => {
    const chart = new Chart(app, `orders-release-${i + 1}`, { namespace: 'orders' });
    new ExpandContractJob(chart, 'rename-full-name', {
      // The application Secret CloudNativePG writes for the `orders-db` cluster.
      database: DatabaseConnection.fromSecret({ secretName: 'orders-db-app' }),
      runner: MigrationRunner.psql({ image: 'postgres:17.6-alpine' }),
      phases,
      current,
      ordering: JobOrdering.argoCd(),
      oldShapeUnusedSince: 'orders:2.0.0',
    });
  });
  return app;
}

if (require.main === module) {
  buildApp().then((app) => app.synth()).catch((e) => {
    process.stderr.write(`${e.stack ?? e}\n`);
    process.exit(1);
  });
}
