import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { BackgroundWork } from './background-work';
import { EgressTarget } from './egress-target';
import { MirrorRouter } from './mirror-router';
import { SAFE_METHODS, WRITE_METHODS } from '../private/http-methods';
import { checkDnsSubdomain, checkNumber, fail, show } from '../private/validate';
import { Gate, GateOptions } from '../strategy/gate';
import { HttpMethod } from '../strategy/http-method';
import { Interval } from '../strategy/interval';
import { PathMatch } from '../strategy/path-match';
import { Threshold } from '../strategy/threshold';
import { ComparisonBinding } from './private/mroki-comparison';
import { productionPodOwners } from './private/production-workload';
import { addShadowIsolation, checkMirroredWrites, checkShadowSafety, EgressGrant, productionCredentialIn, secretReferences } from './private/shadow-isolation';
import { addDisruptionBudget, addService, podTemplate, resolveWorkload } from './private/workload';
import { ResponseComparison } from './response-comparison';
import { SideEffects } from './side-effects';
import { WorkloadOptions } from './workload-options';

/** Whether a shadow gets copies of production traffic. */
export enum ShadowState {
  /** Requests are copied to the shadow. */
  MIRRORING = 'mirroring',
  /**
   * No request is copied (the route sends production traffic only); the shadow's pods keep running
   * under the same isolation, ready to resume.
   */
  PAUSED = 'paused',
  /** No request is copied and every Deployment of the shadow is scaled to zero; the isolation stays. */
  PAUSED_SCALED_TO_ZERO = 'paused-scaled-to-zero',
}

/** Properties for `ShadowMirror`. */
export interface ShadowMirrorProps extends WorkloadOptions {
  /**
   * Name of the production Service whose traffic is mirrored, in the shadow's namespace. `port`
   * is its port; the shadow Service listens on the same one.
   */
  readonly service: string;
  /**
   * Percentage of production requests copied to the shadow: more than 0, at most 100, with at
   * most 4 decimal places (`0.5` copies one request in 200). Every copy is extra load on the
   * shadow and on whatever it calls.
   */
  readonly percent: number;
  /** How requests reach production and are copied to the shadow. */
  readonly router: MirrorRouter;
  /**
   * What the shadow may touch: `SideEffects.none()` for a read-only service, or
   * `SideEffects.isolated({ allowEgressTo: [...] })` with its sandbox dependencies. Required: a
   * shadow repeats every write, charge and email of the requests it copies.
   */
  readonly sideEffects: SideEffects;
  /**
   * Production systems the shadow must never reach (databases, queues, payment and email
   * providers). Construction fails when DNS, the allowlist or the router's egress reaches one.
   * Required (at least one) when `methods` includes a write method.
   * @default - nothing is checked beyond the default-deny policy itself
   */
  readonly productionDependencies?: EgressTarget[];
  /**
   * Methods whose requests are copied to the shadow; requests with any other method go to
   * production only. A write method (POST, PUT, PATCH, DELETE) is an explicit opt-in: the shadow
   * then repeats every write it receives, so it needs `SideEffects.isolated(...)` and at least one
   * `productionDependencies` entry to check that allowlist against.
   * @default [HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS]
   */
  readonly methods?: HttpMethod[];
  /**
   * Paths whose requests are copied (any of them, combined with `methods`); at most 8.
   * @default - every path
   */
  readonly paths?: PathMatch[];
  /**
   * Whether requests are copied, or the shadow is paused (0 % copied, pods kept or scaled to zero).
   * A paused shadow keeps its route (which still sends production traffic to `service`) and its
   * isolation policy.
   * @default ShadowState.MIRRORING
   */
  readonly state?: ShadowState;
  /**
   * Background work (queue consumers, schedulers) the shadow must not run, each turned off by the
   * environment variable or flag named. Required for every name the production workload of
   * `service` declares in its `BackgroundWork.ANNOTATION` annotation, checked at synth.
   * @default - none turned off; refused at synth if the production workload declares any
   */
  readonly backgroundWork?: BackgroundWork[];
  /**
   * Secrets that hold production credentials, which the shadow's pods must never reference. Secrets
   * the production workload of `service` references (when it is part of the same app) are refused
   * too, unless listed in the side effects' `sandboxCredentials`.
   * @default - only the production workload's own Secrets are refused
   */
  readonly productionCredentials?: string[];
  /**
   * Compares the shadow's responses with production's (`ResponseComparison.mroki(...)`): the router
   * then copies requests to the comparison proxy, which sends them on to the shadow and to two
   * copies of the production version. Read the result with `differenceGate()`.
   * @default - responses are dropped uncompared
   */
  readonly comparison?: ResponseComparison;
}

/** Options for `ShadowMirror.differenceGate`. */
export interface ShadowDifferenceGateOptions extends GateOptions {
  /** Address of the Prometheus server that scrapes the comparison proxies, e.g. `http://prometheus.monitoring:9090`. */
  readonly prometheusAddress: string;
  /**
   * Largest share of compared responses, in percent, by which the shadow may differ from production
   * beyond the noise two copies of production show. From 0 to 100.
   */
  readonly maxDifferencePercent: number;
  /**
   * Time window the rates are taken over.
   * @default Interval.minutes(5)
   */
  readonly window?: Interval;
}

/**
 * A shadow of a production service: a new version that processes a copy of live traffic and
 * whose responses are dropped, with its side effects locked out.
 *
 * Synthesizes the shadow's Deployment (safe pod defaults, `maxUnavailable: 0`), its ClusterIP
 * Service, a PodDisruptionBudget (unless opted out; broken shadow pods never block a node drain),
 * a default-deny egress NetworkPolicy that lets the shadow's pods reach only DNS, the allowlist of
 * `sideEffects` and what the router needs, and the routing object of `router` (an Istio
 * VirtualService, a Gateway API HTTPRoute or an ingress-nginx Ingress) that sends production
 * traffic to `service` and copies `percent` of it to the shadow.
 *
 * Only GET, HEAD and OPTIONS requests are copied unless `methods` opts into writes. With a
 * `comparison`, it also synthesizes two copies of the production version (primary and secondary)
 * and two comparison proxies, each with its Deployment, Service, PodDisruptionBudget and a
 * default-deny egress NetworkPolicy, and `differenceGate()` reads how often the shadow's responses
 * differ from production's.
 *
 * The shadow's pods carry the environment variable `RELEASE_STRATEGIES_SHADOW=true` and the
 * label `release-strategies.dev/shadow=true`. Do not give the shadow labels that the production
 * Service selects on, or it would serve real traffic.
 *
 * Checked at synth, against the production workload of `service` when the same app defines it (the
 * Service of that name in the shadow's namespace, and every Deployment, StatefulSet, DaemonSet,
 * ReplicaSet or Rollout whose pods it selects): the shadow references none of its Secrets unless
 * they are sandbox credentials, and turns off every background work it declares.
 *
 * @example
 * new ShadowMirror(chart, 'search-v2', {
 *   service: 'search', port: 80, percent: 100,
 *   containers: [{ image: 'registry.example.com/search:2.0.0', portNumber: 8080, readiness: Probe.fromHttpGet('/healthz') }],
 *   router: MirrorRouter.istio({ host: 'search' }),
 *   sideEffects: SideEffects.isolated({ allowEgressTo: [EgressTarget.pods({ labels: { app: 'search-index-replica' }, ports: [9200] })] }),
 * });
 */
export class ShadowMirror extends Construct {
  /** Base name of the shadow's objects; its Service has this name. */
  public readonly name: string;
  /** Name of the production Service being mirrored. */
  public readonly productionService: string;
  /** Percentage of production requests copied to the shadow. */
  public readonly percent: number;
  /** Methods whose requests are copied to the shadow. */
  public readonly methods: HttpMethod[];
  /** How the router marks mirrored requests, in words. */
  public readonly requestMarker: string;
  /** The shadow's Deployment. */
  public readonly deployment: ApiObject;
  /** The shadow's Service, which the router copies requests to. */
  public readonly shadowService: ApiObject;
  /** The default-deny egress NetworkPolicy over the shadow's pods. */
  public readonly networkPolicy: ApiObject;
  /** The routing object (VirtualService, HTTPRoute or Ingress). */
  public readonly route: ApiObject;
  /** Whether requests are copied, or the shadow is paused. */
  public readonly state: ShadowState;
  private readonly comparisonBinding?: ComparisonBinding;
  private readonly namespace?: string;

  constructor(scope: Construct, id: string, props: ShadowMirrorProps) {
    super(scope, id);
    const where = this.node.path;
    const service = props.service;
    if (typeof service !== 'string' || service.length > 63 || !/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(service)) {
      fail(where, 'service', 'must be a Service name (DNS-1035 label: lower-case letters, digits and \'-\', starting with a letter, at most 63 characters)', service);
    }
    checkPercent(where, props.percent);
    const methods = checkMethods(where, props.methods);
    const paths = checkPaths(where, props.paths);
    if (!(props.router instanceof MirrorRouter)) {
      fail(where, 'router', 'must be a MirrorRouter (MirrorRouter.istio(), MirrorRouter.gatewayApi() or MirrorRouter.nginx())', props.router);
    }
    const namespace = Chart.of(this).namespace;
    const state = props.state ?? ShadowState.MIRRORING;
    if (!Object.values(ShadowState).includes(state)) fail(where, 'state', 'must be a ShadowState', state);
    if (props.comparison !== undefined && !(props.comparison instanceof ResponseComparison)) {
      fail(where, 'comparison', 'must be a ResponseComparison (ResponseComparison.mroki())', props.comparison);
    }
    // Refuse undeclared side effects before anything else is built.
    const sideEffects = checkShadowSafety({ where, sideEffects: props.sideEffects, productionDependencies: props.productionDependencies, namespace });
    checkMirroredWrites(where, methods, sideEffects, props.productionDependencies ?? []);
    const productionCredentials = checkProductionCredentials(where, props.productionCredentials, sideEffects);
    const backgroundWork = checkBackgroundWork(where, props.backgroundWork);
    const w = resolveWorkload(this, props);
    if (w.name === service) {
      fail(where, 'name', `must differ from the production Service '${service}' (the shadow Service would replace it)`, w.name);
    }
    this.name = w.name;
    this.productionService = service;
    this.percent = props.percent;
    this.methods = methods;
    this.state = state;
    this.namespace = namespace;
    const replicas = state === ShadowState.PAUSED_SCALED_TO_ZERO ? 0 : w.replicas;

    const routing = props.router.bind(this, {
      name: w.name,
      service,
      port: w.port,
      shadowService: props.comparison ? `${w.name}-compare` : w.name,
      percent: state === ShadowState.MIRRORING ? props.percent : 0,
      methods,
      paths,
      namespace,
      labels: w.labels,
    });
    const routerEgress: EgressGrant[] = routing.egress.map((target, i) => ({ field: `router.egress[${i}]`, target }));
    const routerPodLabels = routing.podLabels ?? {};
    type Selector = { [key: string]: string };
    const isolate = (policyId: string, name: string, podSelector: Selector, effects: SideEffects) => addShadowIsolation(this, policyId, {
      where,
      name,
      podSelector,
      labels: w.labels,
      sideEffects: effects,
      productionDependencies: props.productionDependencies,
      namespace,
      extraEgress: routerEgress,
    });
    const isolation = isolate('NetworkPolicy', `${w.name}-shadow-egress`, w.selector, sideEffects);

    const backgroundWorkEnv = Object.fromEntries(backgroundWork.filter((b) => b.env).map((b) => [b.env!.variable, b.env!.value]));
    const withoutBackgroundWork = (field: string, containers: kplus.ContainerProps[]) => addBackgroundFlags(where, field, containers, backgroundWork);
    const template = podTemplate(w, {
      containers: withoutBackgroundWork('containers', props.containers),
      extraLabels: { ...routerPodLabels, ...isolation.podLabels },
      extraEnv: { ...backgroundWorkEnv, ...isolation.env },
    });
    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name: w.name, labels: { ...w.labels, ...isolation.podLabels } },
      spec: {
        replicas,
        selector: { matchLabels: w.selector },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0) } },
        template,
      },
    });
    this.shadowService = addService(this, 'Service', w, w.name, w.selector);
    const budget = addDisruptionBudget(this, 'DisruptionBudget', w, w.name, w.selector);
    // A shadow serves no user: its unhealthy pods must never hold up a node drain.
    budget?.addJsonPatch(JsonPatch.add('/spec/unhealthyPodEvictionPolicy', 'AlwaysAllow'));
    this.networkPolicy = isolation.policy;
    this.route = routing.route;

    this.comparisonBinding = props.comparison?._bind(this, {
      workload: w, replicas, methods, sideEffects, routerPodLabels, isolate, withoutBackgroundWork, backgroundWorkEnv,
    });
    this.requestMarker = this.comparisonBinding
      ? "header 'X-Mroki-Mode: shadow' (added by the comparison proxy)"
      : routing.requestMarker;

    const templates = [{ field: 'containers', template }, ...(this.comparisonBinding?.baselineTemplates ?? [])];
    const declared = new Map(productionCredentials.map((secret, i) => [secret, `it is productionCredentials[${i}]`]));
    for (const t of templates) {
      const found = productionCredentialIn(secretReferences(t.template.spec), declared, sideEffects);
      if (found) {
        fail(where, t.field, `must not reference a production credential (Secret '${found.ref.secret}': ${found.source}); give the shadow a sandbox Secret`, described(`Secret '${found.ref.secret}' in ${found.ref.where}`));
      }
    }
    this.node.addValidation({ validate: () => this.checkAgainstProduction(templates, sideEffects, backgroundWork) });
  }

  /**
   * A gate that holds while the shadow's responses differ from production's in at most
   * `maxDifferencePercent` percent of the compared requests, beyond the noise (the share in which
   * two copies of production differ from each other). Put it in a canary plan's analysis step
   * before the first traffic step, so the new version gets real traffic only after it answered
   * mirrored traffic like production.
   *
   * A Prometheus gate on the comparison proxies' `mroki_responses_compared_total` counters, selected
   * by the `namespace` and `pod` labels that Prometheus' Kubernetes pod discovery adds (the
   * prometheus.io annotation scrape job of the Prometheus Helm chart, or a PodMonitor): both must
   * reach the proxies' port 8081. With no comparison yet (no traffic, or nothing scraped), the query
   * has no data and the gate fails. Comparison errors count as differences.
   * @example shadow.differenceGate({ name: 'shadow-differences', prometheusAddress: 'http://prometheus.monitoring:9090', maxDifferencePercent: 1 })
   */
  public differenceGate(options: ShadowDifferenceGateOptions): Gate {
    const where = this.node.path;
    const binding = this.comparisonBinding;
    if (!binding) fail(where, 'comparison', 'must be set to read differences (comparison: ResponseComparison.mroki(...))', undefined);
    if (this.namespace === undefined) {
      fail(where, 'differenceGate', "needs the shadow's namespace to select the comparison proxies' metrics: give the Chart a namespace", undefined);
    }
    checkNumber(where, 'maxDifferencePercent', options.maxDifferencePercent, 0, 100);
    const window = (options.window ?? Interval.minutes(5)).toDurationString();
    const percent = (pods: string) => {
      const series = `mroki_responses_compared_total{namespace="${this.namespace}",pod=~"${pods}-[a-z0-9]+-[a-z0-9]+"`;
      return `100 * ((sum(rate(${series},result!="match"}[${window}])) or vector(0)) / sum(rate(${series}}[${window}])))`;
    };
    return Gate.prometheus({
      ...options,
      address: options.prometheusAddress,
      query: `${percent(binding.comparePods)} - ${percent(binding.noisePods)}`,
      threshold: Threshold.atMost(options.maxDifferencePercent),
    });
  }

  /** Synth-time checks against the production workload of the same Service, when the app defines it. */
  private checkAgainstProduction(
    templates: { field: string; template: k8s.PodTemplateSpec }[], sideEffects: SideEffects, backgroundWork: BackgroundWork[],
  ): string[] {
    const owners = productionPodOwners(this.node.root, this.productionService, this.namespace, this);
    if (owners === undefined) return [];
    const service = `the production workload of Service '${this.productionService}'`;
    const used = new Map<string, string>();
    for (const owner of owners) {
      for (const ref of secretReferences(owner.podSpec)) {
        if (!used.has(ref.secret)) used.set(ref.secret, `${owner.description}, ${ref.where}`);
      }
    }
    const errors: string[] = [];
    for (const t of templates) {
      const found = productionCredentialIn(secretReferences(t.template.spec), used, sideEffects);
      if (found) {
        errors.push(invalidMessage(t.field, `must not reference a Secret that ${service} uses (Secret '${found.ref.secret}': ${found.source}); give the shadow a sandbox Secret, or list it in sideEffects' sandboxCredentials if it grants nothing in production`, described(`Secret '${found.ref.secret}' in ${found.ref.where}`)));
      }
    }
    const turnedOff = backgroundWork.map((b) => b.name);
    for (const owner of owners) {
      const declared = (owner.annotations[BackgroundWork.ANNOTATION] ?? '').split(',').map((n) => n.trim()).filter((n) => n !== '');
      const missing = declared.filter((n) => !turnedOff.includes(n));
      if (missing.length > 0) {
        errors.push(invalidMessage('backgroundWork', `must turn off every background work ${service} declares (${owner.description}, annotation ${BackgroundWork.ANNOTATION}: ${declared.join(', ')}); missing ${missing.join(', ')}: add BackgroundWork.disabledByEnv() or BackgroundWork.disabledByFlag() for each`, backgroundWork));
      }
    }
    return errors;
  }
}

/** A value that error messages show as `text`, unquoted. */
function described(text: string): object {
  return { toString: () => text };
}

/** The message `fail` throws, without the construct path (synth-time validations get it from cdk8s). */
function invalidMessage(field: string, allowed: string, got: unknown): string {
  return `invalid '${field}': ${allowed}, got ${show(got)}`;
}

/** More than 0, at most 100, at most 4 decimal places (Envoy's and Gateway API's finest share is one in a million). */
function checkPercent(where: string, percent: number): void {
  const allowed = 'must be a number greater than 0 and at most 100, with at most 4 decimal places';
  if (typeof percent !== 'number' || !Number.isFinite(percent) || percent <= 0 || percent > 100) fail(where, 'percent', allowed, percent);
  if (Math.abs(Math.round(percent * 10000) - percent * 10000) > 1e-6) fail(where, 'percent', allowed, percent);
}

function checkMethods(where: string, methods: HttpMethod[] | undefined): HttpMethod[] {
  if (methods === undefined) return [...SAFE_METHODS];
  const all = [...SAFE_METHODS, ...WRITE_METHODS];
  if (!Array.isArray(methods) || methods.length === 0) fail(where, 'methods', 'must list at least one HttpMethod', methods);
  methods.forEach((m, i) => {
    if (!all.includes(m)) fail(where, `methods[${i}]`, `must be an HttpMethod (${all.join(', ')})`, m);
  });
  if (new Set(methods).size !== methods.length) fail(where, 'methods', 'must not repeat a method', methods);
  // Routes list methods in one order, whatever order they were given in.
  return all.filter((m) => methods.includes(m));
}

function checkPaths(where: string, paths: PathMatch[] | undefined): PathMatch[] | undefined {
  if (paths === undefined) return undefined;
  // 8 paths by 7 methods stay within Gateway API's 64 matches per rule.
  if (!Array.isArray(paths) || paths.length === 0 || paths.length > 8) fail(where, 'paths', 'must list 1 to 8 PathMatch when given', paths);
  paths.forEach((p, i) => {
    if (!(p instanceof PathMatch)) fail(where, `paths[${i}]`, 'must be a PathMatch (PathMatch.exact() or PathMatch.prefix())', p);
  });
  if (new Set(paths.map(String)).size !== paths.length) fail(where, 'paths', 'must not repeat a path', paths);
  return [...paths];
}

function checkProductionCredentials(where: string, credentials: string[] | undefined, sideEffects: SideEffects): string[] {
  const list = credentials ?? [];
  if (!Array.isArray(list)) fail(where, 'productionCredentials', 'must be a list of Secret names', list);
  list.forEach((name, i) => {
    checkDnsSubdomain(where, `productionCredentials[${i}]`, name);
    if (sideEffects.sandboxCredentials.includes(name)) {
      fail(where, `productionCredentials[${i}]`, "must not also be one of sideEffects' sandboxCredentials", name);
    }
  });
  return [...list];
}

function checkBackgroundWork(where: string, work: BackgroundWork[] | undefined): BackgroundWork[] {
  const list = work ?? [];
  if (!Array.isArray(list)) fail(where, 'backgroundWork', 'must be a list of BackgroundWork', list);
  list.forEach((b, i) => {
    if (!(b instanceof BackgroundWork)) fail(where, `backgroundWork[${i}]`, 'must be a BackgroundWork (BackgroundWork.disabledByEnv() or disabledByFlag())', b);
    if (b.env?.variable === SideEffects.SHADOW_ENV_VAR) fail(where, `backgroundWork[${i}]`, `must not set ${SideEffects.SHADOW_ENV_VAR} (the shadow marker)`, b);
  });
  if (new Set(list.map((b) => b.name)).size !== list.length) fail(where, 'backgroundWork', 'must not name the same work twice', list);
  const values = new Map<string, string>();
  list.forEach((b, i) => {
    if (!b.env) return;
    const other = values.get(b.env.variable);
    if (other !== undefined && other !== b.env.value) {
      fail(where, `backgroundWork[${i}]`, `must not give ${b.env.variable} another value than an earlier entry ('${other}')`, b);
    }
    values.set(b.env.variable, b.env.value);
  });
  return [...list];
}

/** The containers with each flag that turns background work off appended to its container's arguments. */
function addBackgroundFlags(where: string, field: string, containers: kplus.ContainerProps[], work: BackgroundWork[]): kplus.ContainerProps[] {
  const names = containers.map((c, i) => c.name ?? (i === 0 ? 'main' : undefined));
  const flags = work.map((b, i) => ({ b, i })).filter(({ b }) => b.flag !== undefined);
  for (const { b, i } of flags) {
    const container = b.flag!.container;
    if (container !== undefined && !names.includes(container)) {
      fail(where, `backgroundWork[${i}].container`, `must name a container of ${field} (${names.filter((n) => n !== undefined).map((n) => `'${n}'`).join(', ')})`, container);
    }
  }
  return containers.map((c, index) => {
    const own = flags.filter(({ b }) => (b.flag!.container === undefined ? index === 0 : b.flag!.container === names[index]));
    return own.length === 0 ? c : { ...c, args: [...(c.args ?? []), ...own.map(({ b }) => b.flag!.flag)] };
  });
}
