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
import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { flaggerAnalysis, FlaggerWebhook } from './flagger-analysis';
import { promDuration } from './gate-rendering';
import { CanaryRelease, FlaggerRouterBinding, ReleaseContext } from './release-context';
import { addDisruptionBudget, NAME_LABEL } from './workload';
import { fail } from '../../private/validate';
import { Gate } from '../../strategy/gate';
import { HeaderMatch } from '../../strategy/header-match';
import { Interval } from '../../strategy/interval';
import { PlanKind, RolloutPlan } from '../../strategy/rollout-plan';
import { StepKind } from '../../strategy/step';
import { Canary } from '../imports/flagger-flagger.app';
import { FlaggerOptions } from '../rollout-engine';

const ENGINE = 'Flagger';
const RESERVED_WEBHOOKS = ['load-test', 'confirm-rollout', 'confirm-traffic-increase', 'confirm-promotion'];

/**
 * Renders a `CanaryRollout` for Flagger under `scope`: the MetricTemplates, the Deployment, the
 * Canary, a PodDisruptionBudget over the primary pods and the objects the router needs.
 */
export function renderFlaggerCanary(scope: Construct, release: CanaryRelease, options: FlaggerOptions): void {
  const { ctx } = release;
  const w = ctx.workload;
  const spec = flaggerCanarySpec(scope, ctx, release, options);
  new k8s.KubeDeployment(scope, 'Deployment', {
    metadata: { name: w.name, labels: w.labels },
    spec: {
      replicas: w.replicas,
      // Flagger requires the selector to use app, name or app.kubernetes.io/name; the primary it
      // creates selects app.kubernetes.io/name=<name>-primary.
      selector: { matchLabels: w.selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromString('25%'), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
      template: release.template,
    },
  });
  // The objects the Canary references (an Ingress) come before it.
  spec.router.addObjects(scope);
  new Canary(scope, 'Resource', {
    metadata: { name: w.name, labels: w.labels },
    spec: Lazy.any({ produce: () => spec.canary }),
  });
  addDisruptionBudget(scope, 'DisruptionBudget', w, `${w.name}-primary`, { [NAME_LABEL]: `${w.name}-primary` });
  if (release.sideEffects !== undefined || release.productionDependencies !== undefined) {
    fail(ctx.where, 'sideEffects', 'applies only to Argo Rollouts plans with Step.mirror (Flagger canaries do not mirror)', release.sideEffects ?? release.productionDependencies);
  }
}

/** Checks the plan against Flagger, emits the MetricTemplates it needs and returns the Canary `spec`. */
function flaggerCanarySpec(
  scope: Construct, ctx: ReleaseContext, release: CanaryRelease, options: FlaggerOptions,
): { canary: { [key: string]: any }; router: FlaggerRouterBinding } {
  const where = ctx.where;
  const plan = release.plan;
  const routing = release.router._bindFlagger(ctx);

  const shape = plan.kind === PlanKind.AB_TEST ? abTestShape(where, plan, routing) : canaryShape(where, plan);
  const gates = plan.gates();
  const threshold = checkGatesFit(where, gates, shape.interval);
  const { metrics, webhooks } = flaggerAnalysis(scope, ctx.workload.name, gates, {
    where, field: 'plan.gates', loadTesterUrl: options.loadTesterUrl, namespace: ctx.namespace,
  });

  const hooks: FlaggerWebhook[] = [];
  const needsTester = (what: string) => {
    if (options.loadTesterUrl === undefined) {
      fail(where, 'engine.loadTesterUrl', `is required for ${what}: Flagger's manual gates are confirm webhooks on the load tester's gate API`, undefined);
    }
    return `${options.loadTesterUrl!.replace(/\/+$/, '')}/gate/check`;
  };
  for (const type of shape.confirms) hooks.push({ name: type, type, url: needsTester(`the pause steps (${type})`) });
  if (options.loadTestCommand !== undefined) {
    hooks.push({ name: 'load-test', type: 'rollout', url: options.loadTesterUrl!, timeout: '15s', metadata: { type: 'cmd', cmd: options.loadTestCommand } });
  }
  const names = new Set<string>();
  for (const name of [...metrics.map((m) => m.name), ...webhooks.map((h) => h.name), ...hooks.map((h) => h.name)]) {
    if (names.has(name)) {
      fail(where, 'plan.gates', `must not repeat a Flagger metric or webhook name (${RESERVED_WEBHOOKS.join(', ')} are taken by the engine's own webhooks)`, name);
    }
    names.add(name);
  }

  const canary = {
    provider: routing.provider,
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: ctx.workload.name },
    progressDeadlineSeconds: options.progressDeadlineSeconds,
    ingressRef: routing.ingressRef ? { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: routing.ingressRef } : undefined,
    service: { port: ctx.workload.port, targetPort: ctx.workload.targetPort, ...routing.service },
    analysis: {
      interval: promDuration(shape.interval),
      threshold,
      ...shape.traffic,
      metrics: metrics.length > 0 ? metrics : undefined,
      webhooks: hooks.length + webhooks.length > 0 ? [...hooks, ...webhooks] : undefined,
    },
  };
  return { canary, router: routing };
}

interface Shape {
  readonly interval: Interval;
  readonly traffic: { [key: string]: any };
  readonly confirms: string[];
}

function abTestShape(where: string, plan: RolloutPlan, router: FlaggerRouterBinding): Shape {
  const match = plan.sequence[0].match;
  const problem = router.matchProblem(match);
  if (problem) fail(where, 'plan.steps[0]', `${problem}; nearest plan: a router that supports it, or RolloutPlan.canary()`, plan.sequence[0].toString());
  checkAnalysisInterval(where, 'plan.every', plan.interval!, plan.interval!.toString());
  return {
    interval: plan.interval!,
    traffic: {
      iterations: plan.iterations,
      match: [{ headers: Object.fromEntries(match.map((m: HeaderMatch) => [m.header, { [m.type]: m.value }])) }],
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

/** Flagger has one `threshold` for every check: gates must agree on failureLimit. Returns the threshold. */
function checkGatesFit(where: string, gates: Gate[], interval: Interval): number {
  gates.forEach((g) => {
    if (g.initialDelay !== undefined && g.initialDelay.toSeconds() > interval.toSeconds()) {
      fail(where, 'plan.gates', `${ENGINE} checks gate '${g.name}' one analysis interval (${interval}) after each traffic step and cannot delay it further; nearest plan: initialDelay of at most ${interval}`, g.initialDelay.toString());
    }
  });
  if (gates.length === 0) return 1;
  const limit = gates[0].failureLimit;
  const other = gates.find((g) => g.failureLimit !== limit);
  if (other) {
    fail(where, 'plan.gates', `${ENGINE} has one failure threshold for all checks, so every gate needs the same failureLimit (gate '${gates[0].name}' has ${limit}, gate '${other.name}' has ${other.failureLimit})`, other.failureLimit);
  }
  return limit + 1;
}

/** Flagger's shortest analysis interval: it raises any shorter one to this (GetAnalysisInterval). */
const MIN_INTERVAL_SECONDS = 10;

/** Refuses an analysis interval Flagger would silently lengthen to 10 seconds. */
export function checkAnalysisInterval(where: string, field: string, interval: Interval, got: string): void {
  if (interval.toSeconds() < MIN_INTERVAL_SECONDS) {
    fail(where, field, `${ENGINE} runs its analysis at most every ${MIN_INTERVAL_SECONDS}s and raises a shorter interval to ${MIN_INTERVAL_SECONDS}s, so every step would take longer than declared; nearest plan: an interval of at least ${MIN_INTERVAL_SECONDS}s`, got);
  }
}
