/**
 * The arithmetic of a Kubernetes rolling update, shared by `ReleaseTimeline.rollingUpdate` and the
 * Kubernetes constructs that check their settings. Not exported from the package.
 */
import { fail } from '../private/validate';

const INT_OR_PERCENT = /^(\d+)(%?)$/;

/** Pods a rolling update may add (`maxSurge`) and take down (`maxUnavailable`) at once, for `replicas` pods. */
export interface Fenceposts {
  readonly surge: number;
  readonly unavailable: number;
}

/** Checks a whole number of pods (`'1'`) or a percentage (`'25%'`, at most 100%). */
export function checkIntOrPercent(where: string, field: string, value: string): void {
  const m = typeof value === 'string' ? INT_OR_PERCENT.exec(value) : null;
  if (!m || (m[2] === '%' && Number(m[1]) > 100)) {
    fail(where, field, "must be a whole number of pods ('1') or a percentage from 0% to 100% ('25%')", value);
  }
}

/**
 * Resolves maxSurge and maxUnavailable the way the Deployment controller does: a percentage of
 * `replicas`, rounded up for the surge and down for unavailable pods.
 */
export function fenceposts(replicas: number, maxSurge: string, maxUnavailable: string): Fenceposts {
  const resolve = (value: string, roundUp: boolean): number => {
    const m = INT_OR_PERCENT.exec(value)!;
    if (m[2] !== '%') return Number(m[1]);
    const exact = (Number(m[1]) * replicas) / 100;
    return roundUp ? Math.ceil(exact) : Math.floor(exact);
  };
  return { surge: resolve(maxSurge, true), unavailable: resolve(maxUnavailable, false) };
}

/**
 * Refuses settings with which a rolling update of `replicas` pods cannot progress as declared: both
 * resolving to 0 (the API server refuses two literal zeros; when rounding gives 0 and 0, the controller
 * takes one pod down anyway), or every pod down at once (that is a recreate).
 */
export function checkFenceposts(where: string, replicas: number, maxSurge: string, maxUnavailable: string): Fenceposts {
  checkIntOrPercent(where, 'maxSurge', maxSurge);
  checkIntOrPercent(where, 'maxUnavailable', maxUnavailable);
  const f = fenceposts(replicas, maxSurge, maxUnavailable);
  if (f.surge === 0 && f.unavailable === 0) {
    fail(where, 'maxSurge', `must not resolve to 0 pods while maxUnavailable does too (with ${replicas} replicas the update could never replace a pod; Kubernetes would take one pod down instead)`, maxSurge);
  }
  if (f.unavailable >= replicas) {
    fail(where, 'maxUnavailable', `must leave at least one of the ${replicas} pods serving (taking every pod down at once is a recreate: use RecreateService)`, maxUnavailable);
  }
  return f;
}
