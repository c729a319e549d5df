/**
 * The three phases of an expand/contract schema change, each shipped in its own release.
 *
 * During a zero-downtime release two versions of the application share one database, so every phase
 * must keep working for both the version that is leaving and the one that is arriving:
 *
 * 1. `EXPAND` runs before the new application version rolls out and only adds to the schema.
 * 2. `MIGRATE` runs after the rollout, once every running version writes the new shape, and backfills.
 * 3. `CONTRACT` runs after a later rollout, once no running version (nor the rollback target) reads
 *    the old shape, and removes it.
 */
export enum Phase {
  /** Add the new shape next to the old one; runs before the application rollout. */
  EXPAND = 'expand',
  /** Backfill the new shape from the old; runs after the application rollout. */
  MIGRATE = 'migrate',
  /** Remove the old shape; runs after the rollout of a version that no longer uses it. */
  CONTRACT = 'contract',
}

