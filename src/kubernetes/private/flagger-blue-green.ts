/**
 * Renders a `BlueGreenService` for Flagger (v1.44): a Canary whose analysis has `iterations` and no
 * weights, which Flagger runs as blue/green. During the analysis production stays on `<name>-primary`
 * and the new version is reachable through `<name>-canary`; after `iterations` passing checks Flagger
 * copies the new version into the primary and scales the canary to zero.
 */
import { Construct } from 'constructs';
import { checkAnalysisInterval, renderFlaggerRelease } from './flagger-release';
import { chartNamespace, FlaggerRouterBinding, ReleaseContext } from './release-context';
import { addShadowIsolation, checkMirroredWrites, checkShadowSafety } from './shadow-isolation';
import { podTemplate, Workload } from './workload';
import { SAFE_METHODS, WRITE_METHODS } from '../../private/http-methods';
import { checkRange, fail } from '../../private/validate';
import { Interval } from '../../strategy/interval';
import { BlueGreenServiceNames, FlaggerBlueGreenOptions, FlaggerMirrorOptions } from '../blue-green-engine';
import { TrafficRouter } from '../traffic-router';

const ALL_METHODS = [...SAFE_METHODS, ...WRITE_METHODS];

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
  const mirror = options.mirror === undefined ? {} : isolateMirroredCanary(scope, ctx, router, options.mirror);
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
    traffic: { iterations: options.iterations, ...mirror },
    confirms: (options.autoPromotionEnabled ?? true) ? [] : [{ type: 'confirm-promotion', reason: 'manual promotion (autoPromotionEnabled: false)' }],
    service: options.portDiscovery ? { portDiscovery: true } : undefined,
  });
}

/**
 * Checks Flagger mirroring with ShadowMirror's rules and locks out the side effects of the new
 * version's pods while they are the canary: a default-deny egress NetworkPolicy over the pods of the
 * `<name>` Deployment. Flagger gives the primary's pods the selector label `<name>-primary`, so the
 * policy never selects production; for the same reason the pods carry no shadow marker (Flagger
 * copies the pod template, marker included, into the primary on promotion). Returns the analysis
 * fields `mirror` and `mirrorWeight`.
 */
function isolateMirroredCanary(scope: Construct, ctx: ReleaseContext, router: FlaggerRouterBinding,
  mirror: FlaggerMirrorOptions): { [key: string]: any } {
  const where = ctx.where;
  if (router.provider !== 'istio') {
    fail(where, 'engine.mirror', 'needs TrafficRouter.istio(): Flagger (v1.44) mirrors a blue/green analysis with a share (mirrorWeight) only through Istio; its Gateway API router ignores mirrorWeight and copies every request, and its other providers do not mirror at all (the Kubernetes provider runs no proxy that could copy a request)', router.provider);
  }
  const percent = mirror.percent ?? 100;
  checkRange(where, 'engine.mirror.percent', percent, 1, 100);
  const methods = mirror.methods ?? [...SAFE_METHODS];
  if (!Array.isArray(methods) || ALL_METHODS.some((m) => !methods.includes(m))) {
    fail(where, 'engine.mirror.methods', `must list every method with Flagger (its mirror copies every request the route matches, whatever its method; it has no method filter): mirror writes explicitly with methods [${ALL_METHODS.join(', ')}], SideEffects.isolated(...) and productionDependencies, or mirror with ShadowMirror and MirrorRouter.istio(), which copies only the methods listed`, methods);
  }
  const fields = { sideEffects: 'engine.mirror.sideEffects', productionDependencies: 'engine.mirror.productionDependencies', receiver: 'canary' };
  const sideEffects = checkShadowSafety({
    where,
    sideEffects: mirror.sideEffects,
    sideEffectsField: fields.sideEffects,
    productionDependencies: mirror.productionDependencies,
    productionDependenciesField: fields.productionDependencies,
    namespace: ctx.namespace,
  });
  checkMirroredWrites(where, methods, sideEffects, mirror.productionDependencies ?? [], fields);
  const reason = mirror.acknowledgeLiveHandover;
  if (typeof reason !== 'string' || reason.trim() === '') {
    fail(where, 'engine.mirror.acknowledgeLiveHandover', "must say why live requests may be served under the canary's egress isolation: after the last iteration Flagger stops mirroring and routes all live traffic to the canary pods until the promoted primary is ready, and the default-deny egress policy still selects them (they reach only DNS, istiod and the allowlist)", reason);
  }
  const w = ctx.workload;
  addShadowIsolation(scope, 'MirrorIsolation', {
    where,
    name: `${w.name}-canary-egress`,
    podSelector: { ...w.selector },
    labels: w.labels,
    sideEffects,
    sideEffectsField: fields.sideEffects,
    productionDependencies: mirror.productionDependencies,
    productionDependenciesField: fields.productionDependencies,
    namespace: ctx.namespace,
    extraEgress: (router.mirrorEgress ?? []).map((target) => ({ field: 'engine.trafficRouter.istiodNamespace', target })),
  });
  return { mirror: true, mirrorWeight: percent };
}
