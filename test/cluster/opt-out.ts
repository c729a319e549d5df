/**
 * Lets a test keep what it synthesizes away from the cluster checks of test/cluster/setup.ts, when the
 * objects are invalid on purpose (a test of the schema checker, say). The reason is required, so the
 * test says why.
 */
const KEY = Symbol.for('release-strategies.test.notForCluster');

/** The objects this test synthesizes are invalid on purpose: no dry run, no Rollout check. */
export function notForCluster(reason: string): void {
  if (!reason) throw new Error('notForCluster(): say why the objects must not reach the cluster');
  (globalThis as any)[KEY] = reason;
}

/** The current test's reason, if it gave one; clears it for the next test. */
export function takeOptOut(): string | undefined {
  const reason = (globalThis as any)[KEY];
  delete (globalThis as any)[KEY];
  return reason;
}
