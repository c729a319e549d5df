/**
 * What every Flagger release renders, canary or blue/green: the MetricTemplates, the Deployment
 * Flagger copies into `<name>-primary`, the Canary, a PodDisruptionBudget over the primary pods, the
 * objects the router needs and, with autoscaling, the HorizontalPodAutoscaler Flagger copies too.
 * Private: never exported from index.ts.
 */
import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { addAutoscaler } from './autoscaler';
import { flaggerAnalysis } from './flagger-analysis';
import { promDuration } from './gate-rendering';
import { FlaggerRouterBinding } from './release-context';
import { addDisruptionBudget, NAME_LABEL, Workload } from './workload';
import { fail } from '../../private/validate';
import { Gate } from '../../strategy/gate';
import { Interval } from '../../strategy/interval';
import { AutoscalingOptions } from '../autoscaling-options';
import { FlaggerWebhook } from '../flagger-webhook';
import { Canary } from '../imports/flagger-flagger.app';

const ENGINE = 'Flagger';
/** Names of the webhooks the engine writes itself. */
const RESERVED_WEBHOOKS = ['load-test', 'confirm-rollout', 'confirm-traffic-increase', 'confirm-promotion'];
/** Flagger's shortest analysis interval: it raises any shorter one to this (GetAnalysisInterval). */
const MIN_INTERVAL_SECONDS = 10;

/** Engine settings every Flagger release takes. */
export interface FlaggerSettings {
  readonly loadTesterUrl?: string;
  readonly loadTestCommand?: string;
  readonly progressDeadlineSeconds?: number;
  readonly webhooks?: FlaggerWebhook[];
  readonly metricsServer?: string;
}

/** One Flagger release, with its analysis already mapped. */
export interface FlaggerRelease {
  readonly where: string;
  readonly workload: Workload;
  readonly namespace?: string;
  readonly template: k8s.PodTemplateSpec;
  readonly router: FlaggerRouterBinding;
  readonly settings: FlaggerSettings;
  /** Gates checked at every interval, and the field they came from (for messages). */
  readonly gates: Gate[];
  readonly gatesField: string;
  /** Static values of placeholders only some releases have (blue/green Service names). */
  readonly placeholders?: { [name: string]: string };
  readonly interval: Interval;
  /** Traffic fields of the analysis: stepWeight/maxWeight, stepWeights, or iterations (and match). */
  readonly traffic: { [key: string]: any };
  /** Confirm webhooks on the load tester's gate, from manual pauses or manual promotion. */
  readonly confirms: Array<{ readonly type: string; readonly reason: string }>;
  /** Extra `service` fields (e.g. portDiscovery). */
  readonly service?: { [key: string]: any };
  readonly autoscaling?: AutoscalingOptions;
}

/** Renders `release` under `scope`. */
export function renderFlaggerRelease(scope: Construct, release: FlaggerRelease): void {
  const { where, workload: w, settings } = release;
  const threshold = checkGatesFit(where, release.gatesField, release.gates, release.interval);
  const { metrics, webhooks } = flaggerAnalysis(scope, w.name, release.gates, {
    where,
    field: release.gatesField,
    loadTesterUrl: settings.loadTesterUrl,
    namespace: release.namespace,
    provider: release.router.provider,
    placeholders: release.placeholders,
  });

  const hooks: Array<{ [key: string]: any }> = [];
  for (const confirm of release.confirms) {
    if (settings.loadTesterUrl === undefined) {
      fail(where, 'engine.loadTesterUrl', `is required for ${confirm.reason} (${confirm.type}): Flagger's manual gates are confirm webhooks on the load tester's gate API`, undefined);
    }
    hooks.push({ name: confirm.type, type: confirm.type, url: `${settings.loadTesterUrl.replace(/\/+$/, '')}/gate/check` });
  }
  if (settings.loadTestCommand !== undefined) {
    hooks.push({ name: 'load-test', type: 'rollout', url: settings.loadTesterUrl!, timeout: '15s', metadata: { type: 'cmd', cmd: settings.loadTestCommand } });
  }
  (settings.webhooks ?? []).forEach((hook, i) => {
    if (!(hook instanceof FlaggerWebhook)) fail(where, `engine.webhooks[${i}]`, 'must be a FlaggerWebhook', hook);
    hooks.push(hook._render(where, `engine.webhooks[${i}]`, settings.loadTesterUrl));
  });
  const names = new Set<string>();
  for (const name of [...metrics.map((m) => m.name), ...webhooks.map((h) => h.name), ...hooks.map((h) => h.name)]) {
    if (names.has(name)) {
      fail(where, release.gatesField, `must not repeat a Flagger metric or webhook name (${RESERVED_WEBHOOKS.join(', ')} are taken by the engine's own webhooks)`, name);
    }
    names.add(name);
  }

  const autoscaled = release.autoscaling !== undefined;
  const deployment = new k8s.KubeDeployment(scope, 'Deployment', {
    metadata: { name: w.name, labels: w.labels },
    spec: {
      replicas: autoscaled ? undefined : w.replicas,
      // Flagger requires the selector to use app, name or app.kubernetes.io/name; the primary it
      // creates selects app.kubernetes.io/name=<name>-primary.
      selector: { matchLabels: w.selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromString('25%'), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
      template: release.template,
    },
  });
  if (release.autoscaling) {
    addAutoscaler(scope, w, { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.name }, release.autoscaling);
  }
  // The objects the Canary references (an Ingress, an IngressRoute) come before it.
  release.router.addObjects(scope);
  const spec = {
    provider: release.router.provider,
    metricsServer: settings.metricsServer,
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: w.name },
    autoscalerRef: autoscaled ? { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: w.name } : undefined,
    progressDeadlineSeconds: settings.progressDeadlineSeconds,
    ingressRef: release.router.ingressRef ? { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: release.router.ingressRef } : undefined,
    service: { port: w.port, targetPort: w.targetPort, ...release.router.service, ...(release.service ?? {}) },
    analysis: {
      interval: promDuration(release.interval),
      threshold,
      ...release.traffic,
      metrics: metrics.length > 0 ? metrics : undefined,
      webhooks: hooks.length + webhooks.length > 0 ? [...hooks, ...webhooks] : undefined,
    },
  };
  new Canary(scope, 'Resource', {
    metadata: { name: w.name, labels: w.labels },
    spec: Lazy.any({ produce: () => spec }),
  });
  addDisruptionBudget(scope, 'DisruptionBudget', w, `${w.name}-primary`, { [NAME_LABEL]: `${w.name}-primary` });
}

/** Flagger has one `threshold` for every check: gates must agree on failureLimit. Returns the threshold. */
function checkGatesFit(where: string, field: string, gates: Gate[], interval: Interval): number {
  gates.forEach((g) => {
    if (g.initialDelay !== undefined && g.initialDelay.toSeconds() > interval.toSeconds()) {
      fail(where, field, `${ENGINE} checks gate '${g.name}' one analysis interval (${interval}) after each traffic step and cannot delay it further; nearest plan: initialDelay of at most ${interval}`, g.initialDelay.toString());
    }
  });
  if (gates.length === 0) return 1;
  const limit = gates[0].failureLimit;
  const other = gates.find((g) => g.failureLimit !== limit);
  if (other) {
    fail(where, field, `${ENGINE} has one failure threshold for all checks, so every gate needs the same failureLimit (gate '${gates[0].name}' has ${limit}, gate '${other.name}' has ${other.failureLimit})`, other.failureLimit);
  }
  return limit + 1;
}

/** Refuses an analysis interval Flagger would silently lengthen to 10 seconds. */
export function checkAnalysisInterval(where: string, field: string, interval: Interval, got: string): void {
  if (interval.toSeconds() < MIN_INTERVAL_SECONDS) {
    fail(where, field, `${ENGINE} runs its analysis at most every ${MIN_INTERVAL_SECONDS}s and raises a shorter interval to ${MIN_INTERVAL_SECONDS}s, so every step would take longer than declared; nearest plan: an interval of at least ${MIN_INTERVAL_SECONDS}s`, got);
  }
}
