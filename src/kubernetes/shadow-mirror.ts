import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { EgressTarget } from './egress-target';
import { MirrorRouter } from './mirror-router';
import { addShadowIsolation, checkShadowSafety, EgressGrant } from './private/shadow-isolation';
import { SideEffects } from './side-effects';
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
   * @default - nothing is checked beyond the default-deny policy itself
   */
  readonly productionDependencies?: EgressTarget[];
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
    if (!(props.router instanceof MirrorRouter)) {
      fail(where, 'router', 'must be a MirrorRouter (MirrorRouter.istio(), MirrorRouter.gatewayApi() or MirrorRouter.nginx())', props.router);
    }
    const namespace = Chart.of(this).namespace;
    // Refuse undeclared side effects before anything else is built.
    checkShadowSafety({ where, sideEffects: props.sideEffects, productionDependencies: props.productionDependencies, namespace });
    const w = resolveWorkload(this, props);
    if (w.name === service) {
      fail(where, 'name', `must differ from the production Service '${service}' (the shadow Service would replace it)`, w.name);
    }
    this.name = w.name;
    this.productionService = service;
    this.percent = props.percent;

    const routing = props.router.bind(this, {
      name: w.name, service, port: w.port, shadowService: w.name, percent: props.percent, namespace, labels: w.labels,
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

    const template = podTemplate(w, { containers: props.containers, extraLabels: isolation.podLabels, extraEnv: isolation.env });
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
