/**
 * Renders a `BlueGreenService` for Flagger (v1.44): a Canary whose analysis has `iterations` and no
 * weights, which Flagger runs as blue/green. During the analysis production stays on `<name>-primary`
 * and the new version is reachable through `<name>-canary`; after `iterations` passing checks Flagger
 * copies the new version into the primary and scales the canary to zero.
 */
import { Construct } from 'constructs';
import { checkAnalysisInterval, renderFlaggerRelease } from './flagger-release';
import { chartNamespace, ReleaseContext } from './release-context';
import { podTemplate, Workload } from './workload';
import { Interval } from '../../strategy/interval';
import { BlueGreenServiceNames, FlaggerBlueGreenOptions } from '../blue-green-engine';
import { TrafficRouter } from '../traffic-router';

/** Renders the Flagger blue/green release of `w` under `scope`. */
export function renderFlaggerBlueGreen(scope: Construct, w: Workload, names: BlueGreenServiceNames, options: FlaggerBlueGreenOptions): void {
  const where = w.where;
  const ctx: ReleaseContext = {
    where,
    workload: w,
    namespace: chartNamespace(scope),
    serviceName: names.active,
    canaryServiceName: names.preview,
    stableServiceName: `${w.name}-primary`,
  };
  const router = (options.trafficRouter ?? TrafficRouter.none())._bindFlaggerBlueGreen(ctx);
  const interval = options.interval ?? Interval.minutes(1);
  checkAnalysisInterval(where, 'engine.interval', interval, interval.toString());
  renderFlaggerRelease(scope, {
    where,
    workload: w,
    namespace: ctx.namespace,
    template: podTemplate(w, { containers: w.options.containers }),
    router,
    settings: options,
    gates: options.prePromotionAnalysis ?? [],
    gatesField: 'engine.prePromotionAnalysis',
    placeholders: { previewService: names.preview, activeService: names.active },
    interval,
    traffic: { iterations: options.iterations },
    confirms: (options.autoPromotionEnabled ?? true) ? [] : [{ type: 'confirm-promotion', reason: 'manual promotion (autoPromotionEnabled: false)' }],
    service: options.portDiscovery ? { portDiscovery: true } : undefined,
  });
}
