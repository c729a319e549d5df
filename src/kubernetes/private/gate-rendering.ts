/**
 * What both engines' gate renderers share (Argo Rollouts AnalysisTemplates, Flagger MetricTemplates).
 * Private: never exported from index.ts. Neither engine's own module is imported here.
 */
import { Interval } from '../../strategy/interval';

/** Id of the CloudWatch query that evaluates a gate's metric math. */
export const EXPRESSION_ID = 'gate_value';

/** A duration with one unit (`90s`, `5m`, `60m`), as PromQL range selectors and Flagger read them. */
export function promDuration(i: Interval): string {
  const s = i.toSeconds();
  return s % 60 === 0 ? `${s / 60}m` : `${s}s`;
}
