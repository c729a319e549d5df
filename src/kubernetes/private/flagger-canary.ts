/**
 * Translates a `RolloutPlan` into a Flagger (v1.44) Canary `spec`, refusing plans Flagger cannot
 * express with an error naming the engine, the step and the nearest plan it can express.
 *
 * Flagger's model: after the canary Deployment is ready it raises the canary weight once per
 * `analysis.interval` (by `stepWeight` up to `maxWeight`, or through `stepWeights`), checking every
 * metric and `rollout` webhook at every interval; `threshold` failed checks roll back. An A/B test
 * routes requests matching `match` to the canary for `iterations` intervals. Manual gates are confirm
 * webhooks: `confirm-rollout` before the analysis starts, `confirm-traffic-increase` before every
 * weight increase, `confirm-promotion` before promotion.
 */
import { Construct } from 'constructs';
import { checkAnalysisInterval, renderFlaggerRelease } from './flagger-release';
import { CanaryRelease, FlaggerRouterBinding } from './release-context';
import { checkWholePercentages } from './whole-percentages';
import { fail } from '../../private/validate';
import { HeaderMatch } from '../../strategy/header-match';
import { Interval } from '../../strategy/interval';
import { PlanKind, RolloutPlan } from '../../strategy/rollout-plan';
import { StepKind } from '../../strategy/step';
import { FlaggerOptions } from '../rollout-engine';

const ENGINE = 'Flagger';

/**
 * Renders a `CanaryRollout` for Flagger under `scope`: the MetricTemplates, the Deployment, the
 * Canary, a PodDisruptionBudget over the primary pods and the objects the router needs.
 */
export function renderFlaggerCanary(scope: Construct, release: CanaryRelease, options: FlaggerOptions): void {
  const { ctx, plan } = release;
  const where = ctx.where;
  const router = release.router._bindFlagger(ctx);
  if (release.sideEffects !== undefined || release.productionDependencies !== undefined) {
    fail(where, 'sideEffects', 'applies only to Argo Rollouts plans with Step.mirror (Flagger canaries do not mirror)', release.sideEffects ?? release.productionDependencies);
  }
  const shape = plan.kind === PlanKind.AB_TEST ? abTestShape(where, plan, router) : canaryShape(where, plan);
  renderFlaggerRelease(scope, {
    where,
    workload: ctx.workload,
    namespace: ctx.namespace,
    template: release.template,
    router,
    settings: options,
    gates: plan.gates(),
    gatesField: 'plan.gates',
    interval: shape.interval,
    traffic: shape.traffic,
    confirms: shape.confirms.map((type) => ({ type, reason: 'the pause steps' })),
    autoscaling: release.autoscaling,
  });
}

interface Shape {
  readonly interval: Interval;
  readonly traffic: { [key: string]: any };
  readonly confirms: string[];
}

function abTestShape(where: string, plan: RolloutPlan, router: FlaggerRouterBinding): Shape {
  // An A/B plan starts with one header route per alternative (any of them sends a request to the new version).
  const routes = plan.sequence.filter((s) => s.kind === StepKind.HEADER_ROUTE);
  routes.forEach((route, i) => {
    const problem = router.matchProblem(route.match);
    if (problem) fail(where, `plan.steps[${i}]`, `${problem}; nearest plan: a router that supports it, or RolloutPlan.canary()`, route.toString());
  });
  if (routes.length > 1) {
    const problem = router.matchProblem([...routes[0].match, ...routes[1].match]);
    if (problem) fail(where, 'plan.steps[1]', `${problem}; nearest plan: one list of matches, or a router that supports several`, routes[1].toString());
  }
  checkAnalysisInterval(where, 'plan.every', plan.interval!, plan.interval!.toString());
  return {
    interval: plan.interval!,
    traffic: {
      iterations: plan.iterations,
      match: routes.map((route) => ({ headers: Object.fromEntries(route.match.map((m: HeaderMatch) => [m.header, { [m.type]: m.value }])) })),
    },
    confirms: [],
  };
}

function canaryShape(where: string, plan: RolloutPlan): Shape {
  const steps = plan.sequence;
  const weights: number[] = [];
  const weightIndex: number[] = [];
  let interval: Interval | undefined;
  let pendingBake = -1; // index of a setWeight still waiting for its bake
  const pauses: Array<{ index: number; before: number }> = []; // before = number of traffic steps seen
  const refuse = (i: number, allowed: string): never => fail(where, `plan.steps[${i}]`, `${ENGINE} ${allowed}`, steps[i].toString());

  steps.forEach((step, i) => {
    switch (step.kind) {
      case StepKind.SET_WEIGHT: {
        const w = step.weight!;
        if (pendingBake >= 0) {
          refuse(pendingBake, 'moves traffic once per analysis interval, so every traffic step needs one bake after it; nearest plan: add Step.bake() after this step');
        }
        if (w === 0) refuse(i, 'starts every analysis at weight 0 by itself; nearest plan: drop setWeight(0)');
        if (weights.length > 0 && w <= weights[weights.length - 1]) {
          refuse(i, `only raises the canary weight (previous weight ${weights[weights.length - 1]}); nearest plan: weights that only grow`);
        }
        weights.push(w);
        weightIndex.push(i);
        pendingBake = i;
        return;
      }
      case StepKind.BAKE:
        if (pendingBake < 0) {
          refuse(i, 'waits exactly one analysis interval after each traffic step and nowhere else; nearest plan: one Step.bake() directly after each Step.setWeight()');
        }
        if (interval !== undefined && interval.toSeconds() !== step.duration!.toSeconds()) {
          refuse(i, `has one analysis interval for every step (the first bake is ${interval}); nearest plan: bake ${interval} after every traffic step`);
        }
        if (interval === undefined) checkAnalysisInterval(where, `plan.steps[${i}]`, step.duration!, step.toString());
        interval = interval ?? step.duration!;
        pendingBake = -1;
        return;
      case StepKind.PAUSE:
        if (pendingBake >= 0) {
          refuse(i, 'cannot pause between a traffic step and its bake; nearest plan: move the pause before the next Step.setWeight()');
        }
        pauses.push({ index: i, before: weights.length });
        return;
      case StepKind.ANALYSIS:
        return; // its gates become metrics checked at every interval (see RolloutEngine.flagger)
      case StepKind.SET_CANARY_SCALE:
        refuse(i, 'scales the canary Deployment itself and cannot scale it apart from its weight; nearest plan: drop canaryScale steps, or use RolloutEngine.argoRollouts()');
        return;
      case StepKind.MIRROR:
        refuse(i, 'mirrors traffic only in blue/green analyses, not in a canary plan; nearest plan: drop the mirror step, or use RolloutEngine.argoRollouts() with TrafficRouter.istio()');
        return;
      case StepKind.HEADER_ROUTE:
        refuse(i, 'routes by header only in an A/B test, which has no weights; nearest plan: RolloutPlan.abTest({ match, iterations, every })');
        return;
    }
  });

  if (pendingBake >= 0) {
    // A final setWeight(100) without a bake is the promotion itself, which Flagger does after the last step.
    if (steps[pendingBake].weight === 100 && weights.length > 1) {
      weights.pop();
      weightIndex.pop();
    } else {
      refuse(pendingBake, 'moves traffic once per analysis interval, so every traffic step needs one bake after it; nearest plan: add Step.bake() after this step');
    }
  }
  // After the loop, which refuses mirror steps (Flagger mirrors only in blue/green analyses) first.
  checkWholePercentages(where, ENGINE, plan);
  if (weights.length === 0 || interval === undefined) {
    fail(where, 'plan', `${ENGINE} needs at least one traffic step followed by a bake (its analysis interval); nearest plan: RolloutPlan.canary({ percent, bake })`, plan.toString());
  }

  const n = weights.length;
  const middle = pauses.filter((p) => p.before > 0 && p.before < n);
  const confirms: string[] = [];
  const atStart = pauses.some((p) => p.before === 0);
  const atEnd = pauses.some((p) => p.before >= n);
  if (middle.length === 0) {
    if (atStart) confirms.push('confirm-rollout');
  } else {
    const covered = new Set(middle.map((p) => p.before));
    const everyStep = atStart && covered.size === n - 1;
    if (!everyStep) {
      refuse(middle[0].index, 'has manual gates only before the analysis (confirm-rollout), before every traffic step (confirm-traffic-increase) or before promotion (confirm-promotion); nearest plan: pause before the first step, before every step, or at the end');
    }
    confirms.push('confirm-traffic-increase');
  }
  if (atEnd) confirms.push('confirm-promotion');

  const step = weights[0];
  const equal = weights.every((w, k) => w === step * (k + 1));
  const traffic = equal ? { stepWeight: step, maxWeight: weights[n - 1] } : { stepWeights: weights };
  return { interval, traffic, confirms };
}
