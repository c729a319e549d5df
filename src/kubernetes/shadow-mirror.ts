import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { SAFE_METHODS, WRITE_METHODS } from '../private/http-methods';
import { HttpMethod } from '../strategy/http-method';
import { PathMatch } from '../strategy/path-match';
import { EgressTarget } from './egress-target';
import { MirrorRouter } from './mirror-router';
import { addShadowIsolation, checkShadowSafety, EgressGrant } from './private/shadow-isolation';
import { SideEffects, SideEffectsKind } from './side-effects';
import { WorkloadOptions } from './workload-options';
import { fail } from '../private/validate';
import { addDisruptionBudget, addService, podTemplate, resolveWorkload } from './private/workload';

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
 * The shadow's pods carry the environment variable `RELEASE_STRATEGIES_SHADOW=true` and the
 * label `release-strategies.dev/shadow=true`. Do not give the shadow labels that the production
 * Service selects on, or it would serve real traffic.
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
    // Refuse undeclared side effects before anything else is built.
    checkShadowSafety({ where, sideEffects: props.sideEffects, productionDependencies: props.productionDependencies, namespace });
    checkWrites(where, methods, props.sideEffects, props.productionDependencies ?? []);
    const w = resolveWorkload(this, props);
    if (w.name === service) {
      fail(where, 'name', `must differ from the production Service '${service}' (the shadow Service would replace it)`, w.name);
    }
    this.name = w.name;
    this.productionService = service;
    this.percent = props.percent;
    this.methods = methods;

    const routing = props.router.bind(this, {
      name: w.name, service, port: w.port, shadowService: w.name, percent: props.percent, methods, paths, namespace, labels: w.labels,
    });
    const routerEgress: EgressGrant[] = routing.egress.map((target, i) => ({ field: `router.egress[${i}]`, target }));
    const isolation = addShadowIsolation(this, 'NetworkPolicy', {
      where,
      name: `${w.name}-shadow-egress`,
      podSelector: w.selector,
      labels: w.labels,
      sideEffects: props.sideEffects,
      productionDependencies: props.productionDependencies,
      namespace,
      extraEgress: routerEgress,
    });

    const template = podTemplate(w, {
      containers: props.containers,
      extraLabels: { ...routing.podLabels, ...isolation.podLabels },
      extraEnv: isolation.env,
    });
    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: { name: w.name, labels: { ...w.labels, ...isolation.podLabels } },
      spec: {
        replicas: w.replicas,
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
    this.requestMarker = routing.requestMarker;
  }
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

/** Mirrored writes are repeated by the shadow: only a shadow whose allowlist is checked against production may get them. */
function checkWrites(where: string, methods: HttpMethod[], sideEffects: SideEffects, production: EgressTarget[]): void {
  const writes = methods.filter((m) => WRITE_METHODS.includes(m));
  if (writes.length === 0) return;
  if (sideEffects.kind !== SideEffectsKind.ISOLATED) {
    fail(where, 'sideEffects', `must be SideEffects.isolated({ allowEgressTo: [...] }) with the shadow's sandbox dependencies when writes are mirrored (methods include ${writes.join(', ')}): the shadow repeats every write it receives`, sideEffects);
  }
  if (production.length === 0) {
    fail(where, 'productionDependencies', `must list the production systems the sandbox stands in for when writes are mirrored (methods include ${writes.join(', ')}), so that no allowlist entry can reach them`, production);
  }
}
