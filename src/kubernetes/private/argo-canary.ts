/**
 * Translates a `RolloutPlan` into an Argo Rollouts (v1.9) `strategy.canary`, refusing at construction
 * what the controller would only refuse at run time (while the Rollout sits in `InvalidSpec`).
 *
 * Rules mirrored from the controller's validation (pkg/apis/rollouts/validation/validation.go), in our
 * own words:
 *  - a setWeight is from 0 to 100 (the maximum traffic weight): enforced by `Step.setWeight`; it and
 *    a setMirrorRoute percentage are integers (whole-percentages.ts refuses a fraction);
 *  - canaryService and stableService must be two different Services, and are required with a traffic
 *    router: the construct always emits `<name>-canary` and `<name>-stable`;
 *  - setCanaryScale needs a traffic router;
 *  - setHeaderRoute needs Istio, ALB, Apisix or a traffic router plugin (the Gateway API plugin), and
 *    ALB compares header values exactly only;
 *  - setMirrorRoute needs Istio;
 *  - header and mirror routes must be listed in trafficRouting.managedRoutes: the construct lists them;
 *  - scaleDownDelaySeconds and dynamicStableScale need a traffic router and exclude each other;
 *  - maxSurge and maxUnavailable are not both zero (checked in `RolloutEngine.argoRollouts`);
 *  - inline analyses must not run forever (each metric has a count) and background analysis args
 *    must be given by the Rollout (see argo-analysis.ts).
 */
import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { argoAnalysisTemplates } from './argo-analysis';
import { addAutoscaler } from './autoscaler';
import { ArgoRouterBinding, CanaryRelease, ReleaseContext } from './release-context';
import { RolloutResource } from './rollout-resource';
import { addShadowIsolation, checkMirroredWrites, checkShadowSafety } from './shadow-isolation';
import { checkWholePercentages } from './whole-percentages';
import { addDisruptionBudget, addService, Workload } from './workload';
import { fail } from '../../private/validate';
import { warn } from '../../private/warnings';
import { HeaderMatch } from '../../strategy/header-match';
import { PathMatch } from '../../strategy/path-match';
import { PlanKind, RolloutPlan } from '../../strategy/rollout-plan';
import { Step, StepKind } from '../../strategy/step';
import {
  RolloutSpec, RolloutSpecStrategyCanary, RolloutSpecStrategyCanaryMaxSurge, RolloutSpecStrategyCanaryMaxUnavailable,
  RolloutSpecStrategyCanarySteps, RolloutSpecStrategyCanaryStepsPauseDuration,
} from '../imports/argo-rollout-argoproj.io';
import { ArgoRolloutsOptions } from '../rollout-engine';
import { SideEffects } from '../side-effects';

const ENGINE = 'Argo Rollouts';

/**
 * Renders a `CanaryRollout` for Argo Rollouts under `scope`: the AnalysisTemplates, the mirrored
 * canary's isolation, the three Services, the Rollout, its PodDisruptionBudget and the router's objects.
 */
export function renderArgoCanary(scope: Construct, release: CanaryRelease, options: ArgoRolloutsOptions): void {
  const { ctx, plan } = release;
  const w = ctx.workload;
  const router = release.router._bindArgo(ctx);
  const strategy = argoCanaryStrategy(scope, ctx, plan, router, options);
  const canaryLabels = isolateMirroredCanary(scope, release, router);
  addService(scope, 'Service', w, ctx.serviceName, w.selector);
  addService(scope, 'StableService', w, ctx.stableServiceName, w.selector);
  addService(scope, 'CanaryService', w, ctx.canaryServiceName, w.selector);
  // The objects the Rollout references come before it, so that `kubectl apply -f` never shows the
  // controller a Rollout whose router objects do not exist yet (it would sit in InvalidSpec meanwhile).
  router.addObjects(scope);
  const spec = (): RolloutSpec => ({
    // With an autoscaler, the autoscaler owns the number of pods.
    replicas: release.autoscaling ? undefined : w.replicas,
    selector: { matchLabels: { ...w.selector } },
    // spec.template is rendered by the core binding (see RolloutResource).
    progressDeadlineSeconds: options.progressDeadlineSeconds,
    progressDeadlineAbort: options.progressDeadlineAbort,
    strategy: { canary: canaryLabels ? { ...strategy, canaryMetadata: { labels: canaryLabels } } : strategy },
  });
  const rollout = new RolloutResource(scope, 'Resource', {
    metadata: { name: w.name, labels: w.labels },
    spec: Lazy.any({ produce: spec }),
  }, release.template);
  if (release.autoscaling) addAutoscaler(scope, w, { apiVersion: rollout.apiVersion, kind: rollout.kind, name: rollout.name }, release.autoscaling);
  addDisruptionBudget(scope, 'DisruptionBudget', w, w.name, w.selector);
  if (!router.routed) warnReplicaRatio(scope, w, plan);
}

/**
 * Checks `plan` against Argo Rollouts and the router, emits the AnalysisTemplates it needs under
 * `scope`, and returns the Rollout's `strategy.canary`.
 */
function argoCanaryStrategy(
  scope: Construct, ctx: ReleaseContext, plan: RolloutPlan, router: ArgoRouterBinding, options: ArgoRolloutsOptions,
): RolloutSpecStrategyCanary {
  const where = ctx.where;
  const routed = router.routed;
  if (!routed) {
    const needsRouter: Array<[keyof ArgoRolloutsOptions, string]> = [
      ['dynamicStableScale', 'dynamicStableScale'], ['scaleDownDelaySeconds', 'scaleDownDelaySeconds'], ['abortScaleDownDelaySeconds', 'abortScaleDownDelaySeconds'],
    ];
    for (const [key, name] of needsRouter) {
      const value = options[key];
      if (value !== undefined && value !== false) {
        fail(where, `engine.${name}`, `${ENGINE} applies ${name} only with a traffic router; pick a TrafficRouter other than none() or remove ${name}`, value);
      }
    }
  }

  checkWholePercentages(where, ENGINE, plan);
  const sequence = plan.sequence;
  // An A/B test sends matched requests to the new version while its weight stays 0, so it needs pods:
  // like Flagger, the canary runs at full scale for the test.
  const prefix: RolloutSpecStrategyCanarySteps[] = plan.kind === PlanKind.AB_TEST ? [{ setCanaryScale: { weight: 100 } }] : [];
  const managedRoutes: string[] = [];
  /** Mirror routes in place at the current step. */
  const mirrorRoutes: string[] = [];
  const steps: RolloutSpecStrategyCanarySteps[] = [...prefix];
  let weight = 0;
  let scaled = plan.kind === PlanKind.AB_TEST;
  sequence.forEach((step, i) => {
    const field = `plan.steps[${i}]`;
    switch (step.kind) {
      case StepKind.SET_WEIGHT:
        weight = step.weight!;
        steps.push({ setWeight: step.weight });
        return;
      case StepKind.BAKE:
        steps.push({ pause: { duration: RolloutSpecStrategyCanaryStepsPauseDuration.fromString(step.duration!.toDurationString()) } });
        return;
      case StepKind.PAUSE:
        steps.push({ pause: {} });
        return;
      case StepKind.ANALYSIS: {
        const ref = argoAnalysisTemplates(scope, ctx.workload.name, step.gates, { where, field: `${field}.gates` });
        steps.push({ analysis: { templates: ref.templates, args: ref.args.map(toArg) } });
        return;
      }
      case StepKind.SET_CANARY_SCALE: {
        if (!routed) {
          fail(where, field, `${ENGINE} scales the canary apart from its weight only with a traffic router (setCanaryScale requires trafficRouting); nearest plan: drop the step, or pick a TrafficRouter other than none()`, step.toString());
        }
        const s = step.scale!;
        scaled = s.matchTrafficWeight !== true;
        steps.push({ setCanaryScale: { replicas: s.replicas, weight: s.weight, matchTrafficWeight: s.matchTrafficWeight } });
        return;
      }
      case StepKind.HEADER_ROUTE: {
        const problem = router.headerRouteProblem(step.match);
        if (problem) fail(where, field, `${problem}; nearest plan: Step.setWeight() instead of the header route, or a router that supports it`, step.toString());
        if (weight === 0 && !scaled) {
          fail(where, field, `${ENGINE} runs no canary pods at weight 0, so a header route would send matched requests nowhere; nearest plan: put Step.canaryScale({ replicas: 1 }) (or a weight) before the header route, or use RolloutPlan.abTest()`, step.toString());
        }
        addRoute(managedRoutes, step.routeName!);
        const match = step.match.map((m) => ({ headerName: m.header, headerValue: stringMatch(m) }));
        steps.push({ setHeaderRoute: { name: step.routeName!, match } });
        return;
      }
      case StepKind.MIRROR: {
        // The side effects of the mirrored canary pods are checked and locked out by isolateMirroredCanary.
        const problem = router.mirrorProblem();
        if (problem) fail(where, field, problem, step.toString());
        if (step.weight === 0) {
          // setMirrorRoute with a name and no match removes the route (Argo Rollouts' Istio reconciler).
          if (!mirrorRoutes.includes(step.routeName!)) {
            fail(where, field, `must stop a mirror route an earlier Step.mirror() added (${mirrorRoutes.length > 0 ? mirrorRoutes.map((r) => `'${r}'`).join(', ') : 'none yet'}); nearest plan: Step.stopMirror({ name }) with the name given to Step.mirror()`, step.toString());
          }
          mirrorRoutes.splice(mirrorRoutes.indexOf(step.routeName!), 1);
          steps.push({ setMirrorRoute: { name: step.routeName! } });
          return;
        }
        if (weight === 0 && !scaled) {
          fail(where, field, `${ENGINE} runs no canary pods at weight 0, so mirrored requests would go nowhere; nearest plan: put Step.canaryScale({ replicas: 1 }) before the mirror step`, step.toString());
        }
        addRoute(managedRoutes, step.routeName!);
        addRoute(mirrorRoutes, step.routeName!);
        steps.push({ setMirrorRoute: { name: step.routeName!, percentage: step.weight, match: mirrorMatch(step) } });
        return;
      }
    }
  });

  let analysis: RolloutSpecStrategyCanary['analysis'];
  if (plan.backgroundGates.length > 0) {
    const ref = argoAnalysisTemplates(scope, ctx.workload.name, plan.backgroundGates, { where, field: 'plan.backgroundGates', continuous: true });
    analysis = { templates: ref.templates, args: ref.args.map(toArg), startingStep: plan.backgroundStartStep + prefix.length };
  }

  return {
    canaryService: ctx.canaryServiceName,
    stableService: ctx.stableServiceName,
    maxSurge: intOrPercent(RolloutSpecStrategyCanaryMaxSurge, options.maxSurge!),
    maxUnavailable: intOrPercent(RolloutSpecStrategyCanaryMaxUnavailable, options.maxUnavailable!),
    dynamicStableScale: options.dynamicStableScale,
    scaleDownDelaySeconds: options.scaleDownDelaySeconds,
    abortScaleDownDelaySeconds: options.abortScaleDownDelaySeconds,
    steps,
    analysis,
    trafficRouting: router.trafficRouting(managedRoutes) as any,
  };
}

function addRoute(routes: string[], name: string): void {
  if (!routes.includes(name)) routes.push(name);
}

function stringMatch(m: HeaderMatch): { [type: string]: string } {
  return { [m.type]: m.value };
}

/**
 * The mirror route's matches: one per method and path (Argo Rollouts ORs the entries, and ANDs the
 * method, path and headers inside one), each with every header condition.
 */
function mirrorMatch(step: Step): any[] {
  const headers = step.match.length === 0 ? undefined : Object.fromEntries(step.match.map((m) => [m.header, stringMatch(m)]));
  const paths: Array<PathMatch | undefined> = step.paths.length === 0 ? [undefined] : step.paths;
  return step.methods.flatMap((method) => paths.map((p) => ({
    method: { exact: method },
    path: p && { [p.type]: p.path },
    headers,
  })));
}

function toArg(a: { name: string; value?: string; valueFrom?: any }): any {
  return { name: a.name, value: a.value, valueFrom: a.valueFrom };
}

function intOrPercent<T>(cls: { fromNumber(n: number): T; fromString(s: string): T }, value: string): T {
  return /^\d+$/.test(value) ? cls.fromNumber(Number(value)) : cls.fromString(value);
}

/**
 * Locks out the side effects of canary pods that receive mirrored requests, with the rules
 * ShadowMirror applies to shadows: declared side effects, a default-deny egress NetworkPolicy (DNS,
 * the allowlist and the router's control plane), no allowlist entry reaching a production
 * dependency, mirrored writes only with `SideEffects.isolated(...)` and production dependencies,
 * and a shadow marker. Returns the labels the canary pods get while they are the canary, or
 * undefined when the plan does not mirror.
 *
 * The isolation selects the shadow label that Argo Rollouts puts on canary pods only
 * (`canaryMetadata`) and takes off when they are promoted. The canary pods therefore stay isolated
 * until promotion, also after `Step.stopMirror()`, so a mirroring plan may not send them live
 * traffic (weight or header routes): those requests could reach only the sandbox allowlist.
 * The marker is that label, not an environment variable: an environment variable would stay set on
 * the pods after their promotion to stable. For the same reason the checks of ShadowMirror on
 * credentials and background work do not apply: the canary's pod template becomes production's.
 */
function isolateMirroredCanary(scope: Construct, release: CanaryRelease, router: ArgoRouterBinding): { [key: string]: string } | undefined {
  const { ctx, plan } = release;
  const where = ctx.where;
  const sequence = plan.sequence;
  const mirrors = sequence.filter((s) => s.kind === StepKind.MIRROR);
  if (mirrors.length === 0) {
    if (release.sideEffects !== undefined || release.productionDependencies !== undefined) {
      fail(where, 'sideEffects', 'applies only to plans with Step.mirror; the canary pods of this plan serve real traffic', release.sideEffects ?? release.productionDependencies);
    }
    return undefined;
  }
  sequence.forEach((step, i) => {
    const liveTraffic = (step.kind === StepKind.SET_WEIGHT && step.weight! > 0) || step.kind === StepKind.HEADER_ROUTE;
    if (liveTraffic) {
      fail(where, `plan.steps[${i}]`, 'must not send live traffic to the canary of a plan that mirrors: its pods keep the shadow label, and with it the default-deny egress policy, until promotion (also after Step.stopMirror()), so live requests could reach only the sandbox allowlist. Refused in a mirroring plan: any Step.setWeight() above 0 and any Step.headerRoute(). Nearest plan: Step.canaryScale(...), Step.mirror(...), Step.stopMirror(), bakes and analysis steps, then promotion; release the live canary in a plan without mirror steps', step.toString());
    }
  });
  const w = ctx.workload;
  const sideEffects = checkShadowSafety({
    where, sideEffects: release.sideEffects, productionDependencies: release.productionDependencies, namespace: ctx.namespace,
  });
  checkMirroredWrites(where, [...new Set(mirrors.flatMap((s) => s.methods))], sideEffects, release.productionDependencies ?? [],
    { sideEffects: 'sideEffects', productionDependencies: 'productionDependencies', receiver: 'canary' });
  const isolation = addShadowIsolation(scope, 'MirrorIsolation', {
    where,
    name: `${w.name}-canary-egress`,
    podSelector: { ...w.selector, [SideEffects.SHADOW_LABEL]: 'true' },
    labels: w.labels,
    sideEffects,
    productionDependencies: release.productionDependencies,
    namespace: ctx.namespace,
    extraEgress: (router.mirrorEgress ?? []).map((target) => ({ field: 'trafficRouter.istiodNamespace', target })),
  });
  return isolation.podLabels;
}

/** Without a router, weights follow the share of pods: say how coarse they become. */
function warnReplicaRatio(scope: Construct, w: Workload, plan: RolloutPlan): void {
  const weights = plan.sequence.filter((s) => s.kind === StepKind.SET_WEIGHT && s.weight! > 0 && s.weight! < 100).map((s) => s.weight!);
  const share = (p: number) => Math.round((Math.ceil((p * w.replicas) / 100) / w.replicas) * 1000) / 10;
  const detail = weights.length > 0 ? `; weights ${weights.join(', ')} become about ${weights.map((p) => `${share(p)}%`).join(', ')}` : '';
  warn(scope, `TrafficRouter.none(): traffic follows the share of pods, so weights move in steps of ${Math.round(10000 / w.replicas) / 100}% with ${w.replicas} replicas${detail}`);
}
