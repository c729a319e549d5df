import { Construct } from 'constructs';
import { EgressTarget } from './egress-target';
import * as gw from './imports/gateway-api-gateway.networking.k8s.io';
import * as dr from './imports/istio-destination-rule-networking.istio.io';
import * as vs from './imports/istio-virtual-service-networking.istio.io';
import * as ir from './imports/traefik-ingress-route-traefik.io';
import * as ts from './imports/traefik-service-traefik.io';
import { addSingleRouteIngress } from './private/ingress';
import { ArgoRouterBinding, FlaggerRouterBinding, ReleaseContext } from './private/release-context';
import { checkGatewayRoute, checkHost } from './private/route-checks';
import { checkDnsLabel, checkDnsSubdomain, checkNonEmpty, fail } from '../private/validate';
import { HeaderMatch, MatchType } from '../strategy/header-match';

/** Options for `TrafficRouter.gatewayApi`. */
export interface GatewayApiRouterOptions {
  /** Name of the Gateway the HTTPRoute attaches to. */
  readonly gateway: string;
  /**
   * Namespace of the Gateway.
   * @default - the HTTPRoute's own namespace
   */
  readonly gatewayNamespace?: string;
  /**
   * Listener (section) of the Gateway to attach to.
   * @default - every listener that accepts the route
   */
  readonly sectionName?: string;
  /**
   * Name of the HTTPRoute. Flagger always names the HTTPRoute it creates after the workload, so
   * with `RolloutEngine.flagger()` this must be the workload name (or left out).
   * @default - the workload name
   */
  readonly httpRoute?: string;
  /**
   * Host names the route answers for.
   * @default - every host name of the Gateway's listeners
   */
  readonly hostnames?: string[];
}

/** How Istio sidecars talk TLS to the workload's pods (a DestinationRule's `trafficPolicy.tls.mode`). */
export enum IstioTlsMode {
  /** Istio mutual TLS with the mesh's own certificates. */
  ISTIO_MUTUAL = 'ISTIO_MUTUAL',
  /** Plain text (for pods outside the mesh, or while mutual TLS is being turned on). */
  DISABLE = 'DISABLE',
  /** TLS to a server that terminates it itself, without a client certificate. */
  SIMPLE = 'SIMPLE',
}

/** Options for `TrafficRouter.istio`. */
export interface IstioRouterOptions {
  /**
   * Hosts of the VirtualService (mesh-internal service names or external host names).
   * @default - the workload's Service name
   */
  readonly hosts?: string[];
  /**
   * Istio Gateways the VirtualService is bound to (`mesh` for sidecar traffic).
   * @default - sidecars only (Istio's implicit `mesh` gateway)
   */
  readonly gateways?: string[];
  /**
   * Split traffic between DestinationRule subsets of one host instead of between the stable and canary
   * Services (Argo Rollouts only; Flagger always routes by host).
   * @default false
   */
  readonly subsetLevel?: boolean;
  /**
   * TLS mode of the traffic to the workload's pods. Flagger: the Canary's `service.trafficPolicy`,
   * which Flagger puts on the DestinationRules it creates. Argo Rollouts: the DestinationRule `<name>`
   * with `subsetLevel`, otherwise one DestinationRule per Service (`<name>-stable`, `<name>-canary`).
   * @default - no DestinationRule TLS setting (Istio's automatic mutual TLS decides)
   */
  readonly tlsMode?: IstioTlsMode;
  /**
   * Namespace istiod runs in. Canary pods that receive mirrored requests (Argo Rollouts
   * `Step.mirror`, Flagger blue/green `mirror`) are egress-isolated; their Istio sidecar may still
   * reach istiod there on port 15012 (configuration and certificates).
   * @default 'istio-system'
   */
  readonly istiodNamespace?: string;
}

/** Options for `TrafficRouter.nginx`. */
export interface NginxRouterOptions {
  /** Host name the Ingress serves. */
  readonly host: string;
  /**
   * IngressClass of the ingress-nginx controller.
   * @default 'nginx'
   */
  readonly ingressClassName?: string;
  /**
   * Path prefix routed to the workload.
   * @default '/'
   */
  readonly path?: string;
}

/** Options for `TrafficRouter.alb`. */
export interface AlbRouterOptions {
  /**
   * Host name the Ingress serves.
   * @default - every host name
   */
  readonly host?: string;
  /**
   * IngressClass of the AWS Load Balancer Controller.
   * @default 'alb'
   */
  readonly ingressClassName?: string;
  /**
   * Provision an internet-facing load balancer instead of an internal one.
   * @default false
   */
  readonly internetFacing?: boolean;
  /**
   * Path prefix routed to the workload.
   * @default '/'
   */
  readonly path?: string;
}

/** Options for `TrafficRouter.smi`. */
export interface SmiRouterOptions {
  /**
   * Name of the TrafficSplit Argo Rollouts creates (Flagger always names it after the workload).
   * @default - the workload name (Argo Rollouts' own default; the field is left out of the Rollout)
   */
  readonly trafficSplitName?: string;
}

/** Options for `TrafficRouter.traefik`. */
export interface TraefikRouterOptions {
  /** Host names the IngressRoute answers for (`Host(...)` rules, any of them matches); no wildcards. */
  readonly hosts: string[];
  /**
   * Path prefix routed to the workload (`PathPrefix(...)`).
   * @default '/' (every path)
   */
  readonly pathPrefix?: string;
  /**
   * Traefik entry points the IngressRoute listens on, e.g. `websecure`.
   * @default - every entry point (Traefik's default)
   */
  readonly entryPoints?: string[];
  /**
   * Secret holding the TLS certificate for `hosts`; the IngressRoute then terminates TLS.
   * @default - no `tls` section: plain HTTP, or TLS configured on the entry point
   */
  readonly tlsSecretName?: string;
  /**
   * Name of the weighted TraefikService Argo Rollouts moves the weights in. Flagger always names the
   * TraefikService it creates after the workload, so with `RolloutEngine.flagger()` this must be the
   * workload name (or left out).
   * @default - the workload name
   */
  readonly traefikService?: string;
}

const ARGO = 'Argo Rollouts';

/**
 * Splits traffic between the stable and the new version in the proportions a rollout asks for.
 * Chosen once per `CanaryRollout`; each router renders its own objects for the engine that uses it.
 *
 * Support by engine (every refusal happens at construction, naming the engine and the step):
 *
 * | router | Argo Rollouts | Flagger |
 * | --- | --- | --- |
 * | `gatewayApi()` | weights and header routes through the Argo Rollouts Gateway API plugin (`argoproj-labs/gatewayAPI`) | native (`gatewayapi:v1`), A/B by header |
 * | `istio()` | weights, header routes, mirrors, TLS mode | native, A/B by header or cookie, TLS mode |
 * | `nginx()` | weights only | weights, A/B by one exact header |
 * | `alb()` | weights, header routes (exact values only) | not supported |
 * | `smi()` | weights only | weights only (`smi:v1alpha3`) |
 * | `traefik()` | weights only (TraefikService `traefik.io/v1alpha1`) | weights only (`traefik`) |
 * | `none()` | replica-ratio weights (coarse, see `none()`) | not supported |
 */
export abstract class TrafficRouter {
  /**
   * Route with a Kubernetes Gateway API HTTPRoute attached to `gateway`.
   *
   * Argo Rollouts: the construct emits the HTTPRoute (stable Service weight 100, canary Service weight
   * 0) and the Rollout configures the `argoproj-labs/gatewayAPI` traffic router plugin, which must be
   * installed in the Argo Rollouts controller. Flagger: the Canary's `service.gatewayRefs`; Flagger
   * creates the HTTPRoute itself, named after the workload.
   *
   * @example TrafficRouter.gatewayApi({ gateway: 'public', gatewayNamespace: 'gateways', hostnames: ['shop.example.com'] })
   */
  public static gatewayApi(options: GatewayApiRouterOptions): TrafficRouter {
    checkGatewayRoute('TrafficRouter.gatewayApi()', options);
    return new GatewayApiRouter({ ...options });
  }

  /**
   * Route with an Istio VirtualService.
   *
   * Argo Rollouts: the construct emits the VirtualService `<name>` with one route named `primary`
   * (and, with `subsetLevel`, the DestinationRule `<name>` with subsets `stable` and `canary`); the
   * controller rewrites their weights. Flagger: the Canary's `service.hosts`/`service.gateways`;
   * Flagger creates the VirtualService and DestinationRules itself.
   *
   * @example TrafficRouter.istio({ hosts: ['checkout', 'checkout.example.com'], gateways: ['mesh', 'istio-system/public'] })
   */
  public static istio(options: IstioRouterOptions = {}): TrafficRouter {
    const where = 'TrafficRouter.istio()';
    if (options.hosts !== undefined) {
      if (options.hosts.length === 0) fail(where, 'hosts', 'must list at least one host', options.hosts);
      options.hosts.forEach((h, i) => checkNonEmpty(where, `hosts[${i}]`, h));
    }
    options.gateways?.forEach((g, i) => checkNonEmpty(where, `gateways[${i}]`, g));
    if (options.tlsMode !== undefined && !Object.values(IstioTlsMode).includes(options.tlsMode)) {
      fail(where, 'tlsMode', `must be one of ${Object.values(IstioTlsMode).join(', ')}`, options.tlsMode);
    }
    if (options.istiodNamespace !== undefined) checkDnsLabel(where, 'istiodNamespace', options.istiodNamespace);
    return new IstioRouter({ ...options });
  }

  /**
   * Route with ingress-nginx canary annotations on a copy of the stable Ingress, which the construct
   * emits (`<name>`, class `nginx`).
   *
   * Note: the Kubernetes ingress-nginx project has been retired; this router is kept for clusters that
   * still run it and is never a default. Prefer `gatewayApi()`.
   *
   * @example TrafficRouter.nginx({ host: 'shop.example.com' })
   */
  public static nginx(options: NginxRouterOptions): TrafficRouter {
    const where = 'TrafficRouter.nginx()';
    checkHost(where, 'host', options.host, true);
    if (options.ingressClassName !== undefined) checkDnsSubdomain(where, 'ingressClassName', options.ingressClassName);
    checkPath(where, options.path);
    return new NginxRouter({ ...options });
  }

  /**
   * Route with an AWS Load Balancer Controller Ingress (Argo Rollouts only; Flagger has no ALB router).
   * The construct emits the Ingress `<name>`; Argo Rollouts writes its weighted forward action.
   *
   * @example TrafficRouter.alb({ host: 'shop.example.com', internetFacing: true })
   */
  public static alb(options: AlbRouterOptions = {}): TrafficRouter {
    const where = 'TrafficRouter.alb()';
    if (options.host !== undefined) checkHost(where, 'host', options.host, true);
    if (options.ingressClassName !== undefined) checkDnsSubdomain(where, 'ingressClassName', options.ingressClassName);
    checkPath(where, options.path);
    return new AlbRouter({ ...options });
  }

  /**
   * Route with an SMI TrafficSplit, which the engine creates. Note: the SMI specification is archived;
   * prefer `gatewayApi()` on meshes that implement it.
   *
   * @example TrafficRouter.smi()
   */
  public static smi(options: SmiRouterOptions = {}): TrafficRouter {
    if (options.trafficSplitName !== undefined) checkDnsSubdomain('TrafficRouter.smi()', 'trafficSplitName', options.trafficSplitName);
    return new SmiRouter({ ...options });
  }

  /**
   * Route with Traefik (v3): an IngressRoute `<name>` for `hosts` that sends every request to the
   * weighted TraefikService `<name>`.
   *
   * Argo Rollouts: the construct also emits the TraefikService (stable Service weight 100, canary
   * Service weight 0), and the Rollout's `trafficRouting.traefik` names it; the controller rewrites
   * the weights. Argo Rollouts 1.9 looks for TraefikServices in the `traefik.containo.us` group
   * unless it runs with `--traefik-api-group traefik.io --traefik-api-version traefik.io/v1alpha1`,
   * which Traefik v3 (the only group it serves) needs. Flagger (`provider: traefik`): Flagger
   * creates the TraefikService `<name>` itself, over its `<name>-primary` and `<name>-canary`
   * Services. Weights only with both engines: neither routes headers or mirrors through Traefik.
   *
   * @see https://doc.traefik.io/traefik/routing/providers/kubernetes-crd/
   * @example TrafficRouter.traefik({ hosts: ['shop.example.com'], entryPoints: ['websecure'], tlsSecretName: 'shop-tls' })
   */
  public static traefik(options: TraefikRouterOptions): TrafficRouter {
    const where = 'TrafficRouter.traefik()';
    const hosts = options.hosts;
    if (!Array.isArray(hosts) || hosts.length === 0) fail(where, 'hosts', 'must list at least one host name', hosts);
    hosts.forEach((h, i) => checkHost(where, `hosts[${i}]`, h, false));
    const pathPrefix = options.pathPrefix ?? '/';
    if (typeof pathPrefix !== 'string' || !/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/.test(pathPrefix)) {
      fail(where, 'pathPrefix', "must be a path starting with '/'", pathPrefix);
    }
    if (options.entryPoints !== undefined) {
      if (options.entryPoints.length === 0) fail(where, 'entryPoints', 'must list at least one entry point when given', options.entryPoints);
      options.entryPoints.forEach((e, i) => {
        if (typeof e !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(e)) {
          fail(where, `entryPoints[${i}]`, "must be an entry point name (letters, digits, '.', '_' and '-')", e);
        }
      });
    }
    if (options.tlsSecretName !== undefined) checkDnsSubdomain(where, 'tlsSecretName', options.tlsSecretName);
    if (options.traefikService !== undefined) checkDnsSubdomain(where, 'traefikService', options.traefikService);
    return new TraefikRouter({ ...options, hosts: [...hosts], pathPrefix, entryPoints: options.entryPoints && [...options.entryPoints] });
  }

  /**
   * No traffic router (Argo Rollouts only): the canary gets traffic in proportion to its share of
   * the pods behind the workload's Service. Weights are therefore coarse: with `replicas` pods the
   * smallest step is 100 / replicas percent, and every weight rounds to whole pods. Header routes,
   * mirrors and canary scaling need a router. The construct records a synth warning saying so.
   */
  public static none(): TrafficRouter {
    return new NoRouter();
  }

  protected constructor() {}

  /** A short description such as `TrafficRouter.gatewayApi()` (used in error messages). */
  public abstract toString(): string;

  /**
   * What this router does for an Argo Rollouts canary of `ctx`; refuses what Argo Rollouts cannot do with it.
   * @internal
   */
  public abstract _bindArgo(ctx: ReleaseContext): ArgoRouterBinding;

  /**
   * What this router does for a Flagger Canary of `ctx`; refuses what Flagger cannot do with it.
   * @internal
   */
  public abstract _bindFlagger(ctx: ReleaseContext): FlaggerRouterBinding;

  /**
   * What this router does for a Flagger blue/green release (iterations, no weights); the same as for
   * a canary unless the router says otherwise.
   * @internal
   */
  public _bindFlaggerBlueGreen(ctx: ReleaseContext): FlaggerRouterBinding {
    return this._bindFlagger(ctx);
  }
}

/** Argo Rollouts sends header routes only through some routers. */
function argoNoHeaderRoutes(router: TrafficRouter): string {
  return `${ARGO} sends header routes only through Istio, AWS ALB or the Gateway API plugin, not ${router}`;
}

/** Argo Rollouts' setMirrorRoute supports Istio only. */
function argoNoMirror(router: TrafficRouter): string {
  return `${ARGO} mirrors traffic only through Istio (setMirrorRoute supports Istio only), not ${router}; nearest plan: TrafficRouter.istio(), or drop the mirror step`;
}

/** Flagger runs A/B tests only through some routers. */
function flaggerNoAbTests(router: TrafficRouter): string {
  return `Flagger runs A/B tests only with Istio, NGINX or Gateway API routers, not ${router}`;
}

/** Refuses a name for an object Flagger creates itself and always names after the workload. */
function flaggerNamesAfterWorkload(ctx: ReleaseContext, field: string, kind: string, name: string | undefined): void {
  if (name !== undefined && name !== ctx.workload.name) {
    fail(ctx.where, `trafficRouter.${field}`, `Flagger names the ${kind} it creates after the workload ('${ctx.workload.name}'); leave ${field} out`, name);
  }
}

/** The problem with `matches` when the router compares header values only in the `allowed` ways. */
function matchTypes(matches: HeaderMatch[], allowed: MatchType[], routerName: string): string | undefined {
  const bad = matches.find((m) => !allowed.includes(m.type));
  return bad ? `${routerName} matches headers by ${allowed.join(' or ')} only (${String(bad)} is ${bad.type})` : undefined;
}

/** Metadata of a router object named `name`. */
function metadata(ctx: ReleaseContext, name: string) {
  return { name, labels: ctx.workload.labels };
}

class GatewayApiRouter extends TrafficRouter {
  constructor(private readonly options: GatewayApiRouterOptions) { super(); }

  public toString(): string { return 'TrafficRouter.gatewayApi()'; }

  public _bindArgo(ctx: ReleaseContext): ArgoRouterBinding {
    const o = this.options;
    const routeName = o.httpRoute ?? ctx.workload.name;
    return {
      routed: true,
      // Gateway API HTTPHeaderMatch has the types Exact and RegularExpression, no prefix.
      headerRouteProblem: (matches) => matchTypes(matches, [MatchType.EXACT, MatchType.REGEX], 'Gateway API'),
      mirrorProblem: () => argoNoMirror(this),
      addObjects: (scope) => {
        new gw.HttpRoute(scope, 'HttpRoute', {
          metadata: metadata(ctx, routeName),
          spec: {
            parentRefs: [{ name: o.gateway, namespace: o.gatewayNamespace, sectionName: o.sectionName }],
            hostnames: o.hostnames,
            rules: [{
              backendRefs: [
                { name: ctx.stableServiceName, port: ctx.workload.port, weight: 100 },
                { name: ctx.canaryServiceName, port: ctx.workload.port, weight: 0 },
              ],
            }],
          },
        });
      },
      trafficRouting: (managedRoutes) => {
        const plugin: { [key: string]: any } = managedRoutes.length > 0
          ? { httpRoutes: [{ name: routeName, useHeaderRoutes: true }] }
          : { httpRoute: routeName };
        if (ctx.namespace !== undefined) plugin.namespace = ctx.namespace;
        return { ...managed(managedRoutes), plugins: { 'argoproj-labs/gatewayAPI': plugin } };
      },
    };
  }

  public _bindFlagger(ctx: ReleaseContext): FlaggerRouterBinding {
    const o = this.options;
    flaggerNamesAfterWorkload(ctx, 'httpRoute', 'HTTPRoute', o.httpRoute);
    return {
      provider: 'gatewayapi:v1',
      service: {
        gatewayRefs: [{ name: o.gateway, namespace: o.gatewayNamespace, sectionName: o.sectionName }],
        hosts: o.hostnames,
      },
      matchProblem: (matches) => matchTypes(matches, [MatchType.EXACT, MatchType.REGEX], 'Gateway API'),
      addObjects: () => {}, // Flagger creates the HTTPRoute itself.
    };
  }
}

class IstioRouter extends TrafficRouter {
  constructor(private readonly options: IstioRouterOptions) { super(); }

  public toString(): string { return 'TrafficRouter.istio()'; }

  public _bindArgo(ctx: ReleaseContext): ArgoRouterBinding {
    const o = this.options;
    const w = ctx.workload;
    const subset = o.subsetLevel ?? false;
    return {
      routed: true,
      headerRouteProblem: () => undefined,
      mirrorProblem: () => undefined,
      mirrorEgress: this.istiodEgress(),
      addObjects: (scope) => {
        const destination = (host: string, subsetName: string | undefined, weight: number): vs.VirtualServiceSpecHttpRoute => ({
          destination: { host, subset: subsetName, port: { number: w.port } },
          weight,
        });
        new vs.VirtualService(scope, 'VirtualService', {
          metadata: metadata(ctx, w.name),
          spec: {
            hosts: o.hosts ?? [ctx.serviceName],
            gateways: o.gateways,
            http: [{
              name: 'primary',
              route: subset
                ? [destination(ctx.serviceName, 'stable', 100), destination(ctx.serviceName, 'canary', 0)]
                : [destination(ctx.stableServiceName, undefined, 100), destination(ctx.canaryServiceName, undefined, 0)],
            }],
          },
        });
        const tlsMode = o.tlsMode as string as dr.DestinationRuleSpecTrafficPolicyTlsMode | undefined;
        const trafficPolicy = tlsMode === undefined ? undefined : { tls: { mode: tlsMode } };
        if (subset) {
          new dr.DestinationRule(scope, 'DestinationRule', {
            metadata: metadata(ctx, w.name),
            spec: {
              host: ctx.serviceName,
              trafficPolicy,
              // Argo Rollouts adds the rollouts-pod-template-hash label to each subset at run time.
              subsets: [{ name: 'stable', labels: { ...w.selector } }, { name: 'canary', labels: { ...w.selector } }],
            },
          });
        } else if (trafficPolicy) {
          for (const [id, host] of [['StableDestinationRule', ctx.stableServiceName], ['CanaryDestinationRule', ctx.canaryServiceName]]) {
            new dr.DestinationRule(scope, id, { metadata: metadata(ctx, host), spec: { host, trafficPolicy } });
          }
        }
      },
      trafficRouting: (managedRoutes) => ({
        ...managed(managedRoutes),
        istio: {
          virtualService: { name: w.name, routes: ['primary'] },
          destinationRule: subset ? { name: w.name, canarySubsetName: 'canary', stableSubsetName: 'stable' } : undefined,
        },
      }),
    };
  }

  public _bindFlagger(ctx: ReleaseContext): FlaggerRouterBinding {
    const o = this.options;
    if (o.subsetLevel) {
      fail(ctx.where, 'trafficRouter.subsetLevel', 'Flagger routes Istio traffic by host (<name>-primary and <name>-canary DestinationRules); leave subsetLevel out', true);
    }
    return {
      provider: 'istio',
      service: { hosts: o.hosts, gateways: o.gateways, trafficPolicy: o.tlsMode === undefined ? undefined : { tls: { mode: o.tlsMode } } },
      matchProblem: () => undefined,
      mirrorEgress: this.istiodEgress(),
      addObjects: () => {}, // Flagger creates the VirtualService and DestinationRules itself.
    };
  }

  /** The sidecar's way to istiod, for mirrored canary pods behind a default-deny egress policy. */
  private istiodEgress(): EgressTarget[] {
    return [EgressTarget.pods({ namespace: this.options.istiodNamespace ?? 'istio-system', labels: { app: 'istiod' }, ports: [15012] })];
  }
}

class NginxRouter extends TrafficRouter {
  constructor(private readonly options: NginxRouterOptions) { super(); }

  public toString(): string { return 'TrafficRouter.nginx()'; }

  public _bindArgo(ctx: ReleaseContext): ArgoRouterBinding {
    return {
      routed: true,
      headerRouteProblem: () => argoNoHeaderRoutes(this),
      mirrorProblem: () => argoNoMirror(this),
      // Argo Rollouts: the stable Ingress must send traffic to the stable Service (it validates that a
      // rule uses it).
      addObjects: (scope) => this.addIngress(scope, ctx, ctx.stableServiceName),
      trafficRouting: (managedRoutes) => ({ ...managed(managedRoutes), nginx: { stableIngress: ctx.workload.name } }),
    };
  }

  public _bindFlagger(ctx: ReleaseContext): FlaggerRouterBinding {
    return {
      provider: 'nginx',
      service: {},
      ingressRef: ctx.workload.name,
      matchProblem: (matches) => {
        // Flagger's NGINX router turns the match into canary-by-header and canary-by-header-value: one
        // header, compared exactly.
        if (matches.length !== 1 || matches[0].type !== MatchType.EXACT || matches[0].header === 'cookie') {
          return 'Flagger with NGINX routes A/B traffic by exactly one header compared exactly (HeaderMatch.exact), no cookies or patterns';
        }
        return undefined;
      },
      // Flagger: the Ingress sends traffic to the apex Service Flagger manages.
      addObjects: (scope) => this.addIngress(scope, ctx, ctx.serviceName),
    };
  }

  private addIngress(scope: Construct, ctx: ReleaseContext, backend: string): void {
    const o = this.options;
    addSingleRouteIngress(scope, 'Ingress', {
      ...metadata(ctx, ctx.workload.name),
      ingressClassName: o.ingressClassName ?? 'nginx',
      host: o.host,
      path: o.path ?? '/',
      serviceName: backend,
      port: { number: ctx.workload.port },
    });
  }
}

class AlbRouter extends TrafficRouter {
  constructor(private readonly options: AlbRouterOptions) { super(); }

  public toString(): string { return 'TrafficRouter.alb()'; }

  public _bindArgo(ctx: ReleaseContext): ArgoRouterBinding {
    const o = this.options;
    return {
      routed: true,
      // ALB conditions compare exact values only (Argo: "ALB supports 'exact' value only").
      headerRouteProblem: (matches) => matchTypes(matches, [MatchType.EXACT], `${ARGO} with AWS ALB`),
      mirrorProblem: () => argoNoMirror(this),
      addObjects: (scope) => {
        // The rule points at the root Service on the port named 'use-annotation': the AWS Load Balancer
        // Controller then reads the weighted forward action Argo Rollouts writes into the
        // alb.ingress.kubernetes.io/actions.<root service> annotation.
        addSingleRouteIngress(scope, 'Ingress', {
          ...metadata(ctx, ctx.workload.name),
          annotations: {
            'alb.ingress.kubernetes.io/scheme': (o.internetFacing ?? false) ? 'internet-facing' : 'internal',
            'alb.ingress.kubernetes.io/target-type': 'ip',
          },
          ingressClassName: o.ingressClassName ?? 'alb',
          host: o.host,
          path: o.path ?? '/',
          serviceName: ctx.serviceName,
          port: { name: 'use-annotation' },
        });
      },
      trafficRouting: (managedRoutes) => ({
        ...managed(managedRoutes),
        alb: { ingress: ctx.workload.name, servicePort: ctx.workload.port, rootService: ctx.serviceName },
      }),
    };
  }

  public _bindFlagger(ctx: ReleaseContext): FlaggerRouterBinding {
    return fail(ctx.where, 'trafficRouter', 'Flagger has no AWS ALB router; use TrafficRouter.gatewayApi() (AWS Gateway API Controller), .istio() or .nginx(), or RolloutEngine.argoRollouts()', String(this));
  }
}

class SmiRouter extends TrafficRouter {
  constructor(private readonly options: SmiRouterOptions) { super(); }

  public toString(): string { return 'TrafficRouter.smi()'; }

  public _bindArgo(ctx: ReleaseContext): ArgoRouterBinding {
    return {
      routed: true,
      headerRouteProblem: () => argoNoHeaderRoutes(this),
      mirrorProblem: () => argoNoMirror(this),
      addObjects: () => {}, // Argo Rollouts creates the TrafficSplit.
      trafficRouting: (managedRoutes) => ({
        ...managed(managedRoutes),
        // Argo Rollouts names the TrafficSplit after the Rollout unless told otherwise.
        smi: { rootService: ctx.serviceName, trafficSplitName: this.options.trafficSplitName },
      }),
    };
  }

  public _bindFlagger(ctx: ReleaseContext): FlaggerRouterBinding {
    flaggerNamesAfterWorkload(ctx, 'trafficSplitName', 'TrafficSplit', this.options.trafficSplitName);
    return {
      provider: 'smi:v1alpha3',
      service: {},
      matchProblem: () => flaggerNoAbTests(this),
      addObjects: () => {}, // Flagger creates the TrafficSplit.
    };
  }
}

class TraefikRouter extends TrafficRouter {
  constructor(private readonly options: TraefikRouterOptions) { super(); }

  public toString(): string { return 'TrafficRouter.traefik()'; }

  public _bindArgo(ctx: ReleaseContext): ArgoRouterBinding {
    const name = this.options.traefikService ?? ctx.workload.name;
    const port = ctx.workload.port;
    return {
      routed: true,
      headerRouteProblem: () => argoNoHeaderRoutes(this),
      mirrorProblem: () => argoNoMirror(this),
      addObjects: (scope) => {
        // Argo Rollouts finds the two entries by Service name and sets their weights (100 - w, w).
        new ts.TraefikService(scope, 'TraefikService', {
          metadata: metadata(ctx, name),
          spec: {
            weighted: {
              services: [
                { name: ctx.stableServiceName, port: ts.TraefikServiceSpecWeightedServicesPort.fromNumber(port), weight: 100 },
                { name: ctx.canaryServiceName, port: ts.TraefikServiceSpecWeightedServicesPort.fromNumber(port), weight: 0 },
              ],
            },
          },
        });
        this.addIngressRoute(scope, ctx, name);
      },
      trafficRouting: () => ({ traefik: { weightedTraefikServiceName: name } }),
    };
  }

  public _bindFlagger(ctx: ReleaseContext): FlaggerRouterBinding {
    flaggerNamesAfterWorkload(ctx, 'traefikService', 'TraefikService', this.options.traefikService);
    return {
      provider: 'traefik',
      service: {},
      matchProblem: () => flaggerNoAbTests(this),
      // Flagger creates and weights the TraefikService <name>; the IngressRoute that uses it is the user's.
      addObjects: (scope) => this.addIngressRoute(scope, ctx, ctx.workload.name),
    };
  }

  /** The IngressRoute `<name>` sending every matching request to the TraefikService `traefikService`. */
  private addIngressRoute(scope: Construct, ctx: ReleaseContext, traefikService: string): void {
    const o = this.options;
    const hosts = o.hosts.map((h) => `Host(\`${h}\`)`);
    const host = hosts.length > 1 ? `(${hosts.join(' || ')})` : hosts[0];
    const match = o.pathPrefix === '/' ? hosts.join(' || ') : `${host} && PathPrefix(\`${o.pathPrefix}\`)`;
    new ir.IngressRoute(scope, 'IngressRoute', {
      metadata: metadata(ctx, ctx.workload.name),
      spec: {
        entryPoints: o.entryPoints,
        routes: [{
          kind: ir.IngressRouteSpecRoutesKind.RULE,
          match,
          services: [{ name: traefikService, kind: ir.IngressRouteSpecRoutesServicesKind.TRAEFIK_SERVICE }],
        }],
        tls: o.tlsSecretName === undefined ? undefined : { secretName: o.tlsSecretName },
      },
    });
  }
}

class NoRouter extends TrafficRouter {
  public toString(): string { return 'TrafficRouter.none()'; }

  public _bindArgo(): ArgoRouterBinding {
    return {
      routed: false,
      headerRouteProblem: () => argoNoHeaderRoutes(this),
      mirrorProblem: () => argoNoMirror(this),
      addObjects: () => {},
      trafficRouting: () => undefined,
    };
  }

  public _bindFlagger(ctx: ReleaseContext): FlaggerRouterBinding {
    return fail(ctx.where, 'trafficRouter', 'Flagger shifts canary traffic only through a router (without one it runs blue/green, not a canary); use TrafficRouter.gatewayApi(), .istio(), .nginx() or .smi(), or RolloutEngine.argoRollouts() for a replica-ratio canary', String(this));
  }

  public _bindFlaggerBlueGreen(): FlaggerRouterBinding {
    // Flagger's Kubernetes provider: no mesh or ingress; the Services it creates are switched over.
    return { provider: 'kubernetes', service: {}, matchProblem: () => flaggerNoAbTests(this), addObjects: () => {} };
  }
}

/** `trafficRouting.managedRoutes` for the header and mirror routes the steps create. */
function managed(managedRoutes: string[]): { managedRoutes?: Array<{ name: string }> } {
  return managedRoutes.length > 0 ? { managedRoutes: managedRoutes.map((name) => ({ name })) } : {};
}

function checkPath(where: string, path: string | undefined): void {
  if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/'))) fail(where, 'path', "must start with '/'", path);
}
