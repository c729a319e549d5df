/**
 * The objects of a mroki response comparison (see `ResponseComparison.mroki`):
 *
 *   router copy -> <name>-compare (mroki: live = <name>-noise, shadow = <name>, the candidate)
 *                  <name>-noise   (mroki: live = <name>-primary, shadow = <name>-secondary)
 *
 * so each mirrored request reaches primary, secondary and candidate once, `<name>-compare` compares
 * candidate with primary and `<name>-noise` compares secondary with primary. Primary and secondary
 * run the production version with the shadow's isolation; the proxies may reach nothing but those
 * Services and DNS.
 */
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ShadowIsolation } from './shadow-isolation';
import { addDisruptionBudget, addService, checkContainers, NAME_LABEL, podTemplate, resolveWorkload, Workload } from './workload';
import { WRITE_METHODS } from '../../private/http-methods';
import { fail } from '../../private/validate';
import { HttpMethod } from '../../strategy/http-method';
import { EgressTarget } from '../egress-target';
import type { MrokiComparisonOptions } from '../response-comparison';
import { SideEffects } from '../side-effects';

/** What the comparison needs from the `ShadowMirror` that uses it. */
export interface ComparisonContext {
  /** The shadow's workload (the candidate). */
  readonly workload: Workload;
  /** Replicas of every Deployment of the comparison (0 while the shadow is paused and scaled to zero). */
  readonly replicas: number;
  /** Methods the router copies. */
  readonly methods: HttpMethod[];
  /** The shadow's side effects (DNS servers, allowlist). */
  readonly sideEffects: SideEffects;
  /** Labels the router needs on every pod that takes mirrored traffic. */
  readonly routerPodLabels: { [key: string]: string };
  /**
   * A default-deny egress NetworkPolicy over the pods `podSelector` picks, letting through what
   * `sideEffects` allows and what the router needs, checked against the production dependencies.
   */
  readonly isolate: (id: string, name: string, podSelector: { [key: string]: string }, sideEffects: SideEffects) => ShadowIsolation;
  /** Containers with the shadow's background work turned off (flags). */
  readonly withoutBackgroundWork: (field: string, containers: kplus.ContainerProps[]) => kplus.ContainerProps[];
  /** Environment that turns the shadow's background work off. */
  readonly backgroundWorkEnv: { [name: string]: string };
}

/** What the comparison built. */
export interface ComparisonBinding {
  /** The Service the router copies requests to. */
  readonly mirrorService: string;
  /** Pod templates of the production copies, by field, for the credential checks. */
  readonly baselineTemplates: { field: string; template: k8s.PodTemplateSpec }[];
  /** Name prefixes of the pods of the two proxies, for the difference gate. */
  readonly comparePods: string;
  readonly noisePods: string;
}

/** Label on the pods of the production copies (primary and secondary) of shadow `<name>`. */
const BASELINE_LABEL = 'release-strategies.dev/baseline-of';
/** Label on the pods of the comparison proxies of shadow `<name>`. */
const PROXY_LABEL = 'release-strategies.dev/comparison-of';
const PROXY_PORT = 8080;
const ADMIN_PORT = 8081;

export function addMrokiComparison(scope: Construct, ctx: ComparisonContext, options: MrokiComparisonOptions): ComparisonBinding {
  const w = ctx.workload;
  if (w.name.length > 37) {
    fail(w.where, 'name', `must be at most 37 characters with a comparison (its objects are called '${w.name}-secondary' and the like, at most 47)`, w.name);
  }
  const field = 'comparison.baselineContainers';
  checkContainers(scope, field, options.baselineContainers, w.options.allowMissingReadinessProbe ?? false);
  const baselineContainers = ctx.withoutBackgroundWork(field, options.baselineContainers);

  // Production copies: the same workload options as the shadow, the production containers.
  const baselineIsolation = ctx.isolate('BaselineNetworkPolicy', `${w.name}-baseline-egress`, { [BASELINE_LABEL]: w.name }, ctx.sideEffects);
  const baselineTemplates = (['primary', 'secondary'] as const).map((role) => {
    const b = copyOf(scope, w, `${w.name}-${role}`, baselineContainers);
    const template = podTemplate(b, {
      containers: baselineContainers,
      extraLabels: { ...ctx.routerPodLabels, ...baselineIsolation.podLabels, [BASELINE_LABEL]: w.name },
      extraEnv: { ...ctx.backgroundWorkEnv, ...baselineIsolation.env },
    });
    addDeployment(scope, `${cap(role)}Deployment`, b, ctx.replicas, template);
    addService(scope, `${cap(role)}Service`, b, b.name, b.selector);
    addDisruptionBudget(scope, `${cap(role)}DisruptionBudget`, b, b.name, b.selector);
    return { field, template, workload: b };
  });
  const [primary, secondary] = baselineTemplates.map((t) => t.workload);

  // The two proxies, which reach only the candidate, the production copies and each other.
  const compare = `${w.name}-compare`;
  const noise = `${w.name}-noise`;
  const allow = [
    EgressTarget.pods({ labels: { [NAME_LABEL]: w.name }, ports: [w.targetPort] }),
    EgressTarget.pods({ labels: { [NAME_LABEL]: primary.name }, ports: [primary.targetPort] }),
    EgressTarget.pods({ labels: { [NAME_LABEL]: secondary.name }, ports: [secondary.targetPort] }),
    EgressTarget.pods({ labels: { [NAME_LABEL]: noise }, ports: [PROXY_PORT] }),
  ];
  const proxyIsolation = ctx.isolate('ComparisonNetworkPolicy', `${w.name}-comparison-egress`, { [PROXY_LABEL]: w.name },
    SideEffects.isolated({ allowEgressTo: allow, dnsServers: ctx.sideEffects.dnsServers }));
  const writes = ctx.methods.filter((m) => WRITE_METHODS.includes(m));
  const proxies: [string, string, string, string][] = [
    ['Compare', compare, `http://${noise}:${w.port}`, `http://${w.name}:${w.port}`],
    ['Noise', noise, `http://${primary.name}:${w.port}`, `http://${secondary.name}:${w.port}`],
  ];
  for (const [id, name, live, shadow] of proxies) {
    const container: kplus.ContainerProps = {
      name: 'mroki-proxy',
      image: options.image!,
      ports: [{ number: PROXY_PORT, name: 'proxy' }, { number: ADMIN_PORT, name: 'admin' }],
      envVariables: Object.fromEntries(Object.entries(mrokiEnv(live, shadow, options, writes))
        .map(([k, v]) => [k, kplus.EnvValue.fromValue(v)])),
      readiness: kplus.Probe.fromHttpGet('/health/ready', { port: ADMIN_PORT }),
      liveness: kplus.Probe.fromHttpGet('/health/live', { port: ADMIN_PORT }),
      resources: {
        cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(1000) },
        memory: { request: Size.mebibytes(128), limit: Size.mebibytes(512) },
      },
    };
    const p = copyOf(scope, w, name, [container], {
      'prometheus.io/scrape': 'true', 'prometheus.io/port': String(ADMIN_PORT), 'prometheus.io/path': '/metrics',
    });
    const template = podTemplate(p, {
      containers: [container],
      extraLabels: { ...ctx.routerPodLabels, ...proxyIsolation.podLabels, [PROXY_LABEL]: w.name },
      extraEnv: proxyIsolation.env,
    });
    addDeployment(scope, `${id}Deployment`, p, ctx.replicas, template);
    addService(scope, `${id}Service`, p, p.name, p.selector);
    addDisruptionBudget(scope, `${id}DisruptionBudget`, p, p.name, p.selector);
  }
  return {
    mirrorService: compare,
    baselineTemplates: baselineTemplates.map(({ field: f, template }) => ({ field: f, template })),
    comparePods: compare,
    noisePods: noise,
  };
}

/** The shadow's workload options with other containers, name and (for the proxies) pod annotations. */
function copyOf(scope: Construct, w: Workload, name: string, containers: kplus.ContainerProps[], annotations?: { [key: string]: string }): Workload {
  return resolveWorkload(scope, {
    ...w.options,
    name,
    containers,
    podAnnotations: annotations ? { ...(w.options.podAnnotations ?? {}), ...annotations } : w.options.podAnnotations,
  });
}

function addDeployment(scope: Construct, id: string, w: Workload, replicas: number, template: k8s.PodTemplateSpec): void {
  new k8s.KubeDeployment(scope, id, {
    metadata: { name: w.name, labels: { ...w.labels, ...(template.metadata?.labels ?? {}) } },
    spec: {
      replicas,
      selector: { matchLabels: w.selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0) } },
      template,
    },
  });
}

/** The standalone-mode settings of one mroki proxy (MROKI_APP_*, cmd/mroki-proxy/config). */
function mrokiEnv(live: string, shadow: string, o: MrokiComparisonOptions, writes: HttpMethod[]): { [name: string]: string } {
  const env: { [name: string]: string } = {
    MROKI_APP_PORT: String(PROXY_PORT),
    MROKI_APP_ADMIN_PORT: String(ADMIN_PORT),
    MROKI_APP_LIVE_URL: live,
    MROKI_APP_SHADOW_URL: shadow,
  };
  if (o.shadowTimeoutSeconds !== undefined) env.MROKI_APP_SHADOW_TIMEOUT = `${o.shadowTimeoutSeconds}s`;
  if ((o.ignoredFields ?? []).length > 0) env.MROKI_APP_DIFF_IGNORED_FIELDS = o.ignoredFields!.join(',');
  if (o.floatTolerance !== undefined) env.MROKI_APP_DIFF_FLOAT_TOLERANCE = String(o.floatTolerance);
  if (o.sortArrays !== undefined) env.MROKI_APP_DIFF_SORT_ARRAYS = String(o.sortArrays);
  // mroki copies only GET, HEAD and OPTIONS to its shadow unless a rule allows a write method.
  if (writes.length > 0) env.MROKI_APP_SHADOW_RULES = writes.map((m) => `allow ${m}:*`).join(',');
  return env;
}

function cap(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}
