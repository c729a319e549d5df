/**
 * Translates a `RolloutPlan` into an Argo Rollouts (v1.9) `strategy.canary`, refusing at construction
 * what the controller would only refuse at run time (while the Rollout sits in `InvalidSpec`).
 *
 * Rules mirrored from the controller's validation (pkg/apis/rollouts/validation/validation.go), in our
 * own words:
 *  - a setWeight is from 0 to 100 (the maximum traffic weight): enforced by `Step.setWeight`;
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
import { Construct } from 'constructs';
import { argoAnalysisTemplates } from './argo-analysis';
import { ReleaseContext } from './release-context';
import { fail } from '../../private/validate';
import { HeaderMatch } from '../../strategy/header-match';
import { PlanKind, RolloutPlan } from '../../strategy/rollout-plan';
import { Step, StepKind } from '../../strategy/step';
import {
  RolloutSpecStrategyCanary, RolloutSpecStrategyCanaryMaxSurge, RolloutSpecStrategyCanaryMaxUnavailable, RolloutSpecStrategyCanarySteps,
  RolloutSpecStrategyCanaryStepsPauseDuration,
} from '../imports/argo-rollout-argoproj.io';
import { ArgoRolloutsOptions } from '../rollout-engine';
import { TrafficRouter, TrafficRouterKind } from '../traffic-router';

const ENGINE = 'Argo Rollouts';

/**
 * Checks `plan` against Argo Rollouts and the router, emits the AnalysisTemplates it needs under
 * `scope`, and returns the Rollout's `strategy.canary`.
 */
export function argoCanaryStrategy(
  scope: Construct, ctx: ReleaseContext, plan: RolloutPlan, router: TrafficRouter, options: ArgoRolloutsOptions,
): RolloutSpecStrategyCanary {
  const where = ctx.where;
  const routed = router.kind !== TrafficRouterKind.NONE;
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

  const sequence = plan.sequence;
  // An A/B test sends matched requests to the new version while its weight stays 0, so it needs pods:
  // like Flagger, the canary runs at full scale for the test.
  const prefix: RolloutSpecStrategyCanarySteps[] = plan.kind === PlanKind.AB_TEST ? [{ setCanaryScale: { weight: 100 } }] : [];
  const managedRoutes: string[] = [];
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
        const problem = router._matchProblem('argo', step.match);
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
        // The side effects of the mirrored canary pods are checked and locked out by CanaryRollout.
        if (router.kind !== TrafficRouterKind.ISTIO) {
          fail(where, field, `${ENGINE} mirrors traffic only through Istio (setMirrorRoute supports Istio only), not ${router}; nearest plan: TrafficRouter.istio(), or drop the mirror step`, step.toString());
        }
        if (weight === 0 && !scaled) {
          fail(where, field, `${ENGINE} runs no canary pods at weight 0, so mirrored requests would go nowhere; nearest plan: put Step.canaryScale({ replicas: 1 }) before the mirror step`, step.toString());
        }
        addRoute(managedRoutes, step.routeName!);
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
    trafficRouting: router._argoTrafficRouting(ctx, managedRoutes) as any,
  };
}

function addRoute(routes: string[], name: string): void {
  if (!routes.includes(name)) routes.push(name);
}

function stringMatch(m: HeaderMatch): { [type: string]: string } {
  return { [m.type]: m.value };
}

function mirrorMatch(step: Step): any[] {
  if (step.match.length === 0) return [{ path: { prefix: '/' } }];
  return [{ headers: Object.fromEntries(step.match.map((m) => [m.header, stringMatch(m)])) }];
}

function toArg(a: { name: string; value?: string; valueFrom?: any }): any {
  return { name: a.name, value: a.value, valueFrom: a.valueFrom };
}

function intOrPercent<T>(cls: { fromNumber(n: number): T; fromString(s: string): T }, value: string): T {
  return /^\d+$/.test(value) ? cls.fromNumber(Number(value)) : cls.fromString(value);
}
