import { Construct } from 'constructs';
import * as gw from './imports/gateway-api-gateway.networking.k8s.io';
import * as dr from './imports/istio-destination-rule-networking.istio.io';
import * as vs from './imports/istio-virtual-service-networking.istio.io';
import { FlaggerRouting, ReleaseContext } from './private/release-context';
import { checkDnsSubdomain, checkNonEmpty, fail } from '../private/validate';
import { addSingleRouteIngress } from './private/ingress';
import { checkGatewayRoute, checkHost } from './private/route-checks';
import { HeaderMatch, MatchType } from '../strategy/header-match';

/** Which traffic router a `TrafficRouter` is. */
export enum TrafficRouterKind {
  /** Kubernetes Gateway API HTTPRoute. */
  GATEWAY_API = 'gatewayApi',
  /** Istio VirtualService (and DestinationRule subsets). */
  ISTIO = 'istio',
  /** ingress-nginx canary Ingress annotations. */
  NGINX = 'nginx',
  /** AWS Load Balancer Controller Ingress actions. */
  ALB = 'alb',
  /** Service Mesh Interface TrafficSplit. */
  SMI = 'smi',
  /** No router: traffic follows the ratio of pods. */
  NONE = 'none',
}

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
   * Name of the TrafficSplit the engine creates.
   * @default - the workload name
   */
  readonly trafficSplitName?: string;
}

const ARGO = 'Argo Rollouts';

/**
 * Splits traffic between the stable and the new version in the proportions a rollout asks for.
 *
 * Support by engine (every refusal happens at construction, naming the engine and the step):
 *
 * | router | Argo Rollouts | Flagger |
 * | --- | --- | --- |
 * | `gatewayApi()` | weights and header routes through the Argo Rollouts Gateway API plugin (`argoproj-labs/gatewayAPI`) | native (`gatewayapi:v1`), A/B by header |
 * | `istio()` | weights, header routes, mirrors | native, A/B by header or cookie |
 * | `nginx()` | weights only | weights, A/B by one exact header |
 * | `alb()` | weights, header routes (exact values only) | not supported |
 * | `smi()` | weights only | weights only (`smi:v1alpha3`) |
 * | `none()` | replica-ratio weights (coarse, see `none()`) | not supported |
 */
export class TrafficRouter {
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
    const where = 'TrafficRouter.gatewayApi()';
    checkGatewayRoute(where, options);
    return new TrafficRouter(TrafficRouterKind.GATEWAY_API, { gatewayApi: { ...options } });
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
    return new TrafficRouter(TrafficRouterKind.ISTIO, { istio: { ...options } });
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
    return new TrafficRouter(TrafficRouterKind.NGINX, { nginx: { ...options } });
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
    return new TrafficRouter(TrafficRouterKind.ALB, { alb: { ...options } });
  }

  /**
   * Route with an SMI TrafficSplit, which the engine creates. Note: the SMI specification is archived;
   * prefer `gatewayApi()` on meshes that implement it.
   *
   * @example TrafficRouter.smi()
   */
  public static smi(options: SmiRouterOptions = {}): TrafficRouter {
    if (options.trafficSplitName !== undefined) checkDnsSubdomain('TrafficRouter.smi()', 'trafficSplitName', options.trafficSplitName);
    return new TrafficRouter(TrafficRouterKind.SMI, { smi: { ...options } });
  }

  /**
   * No traffic router (Argo Rollouts only): the canary gets traffic in proportion to its share of
   * the pods behind the workload's Service. Weights are therefore coarse: with `replicas` pods the
   * smallest step is 100 / replicas percent, and every weight rounds to whole pods. Header routes,
   * mirrors and canary scaling need a router. The construct records a synth warning saying so.
   */
  public static none(): TrafficRouter {
    return new TrafficRouter(TrafficRouterKind.NONE, {});
  }

  /** Which router this is. */
  public readonly kind: TrafficRouterKind;
  private readonly settings: RouterSettings;

  private constructor(kind: TrafficRouterKind, settings: RouterSettings) {
    this.kind = kind;
    this.settings = settings;
  }

  /** A short description such as `gatewayApi` (used in error messages). */
  public toString(): string {
    return `TrafficRouter.${this.kind}()`;
  }

  /**
   * Checks that this router can carry `matches` for the engine; returns an error text, or undefined.
   * @internal
   */
  public _matchProblem(engine: 'argo' | 'flagger', matches: HeaderMatch[]): string | undefined {
    const types = (allowed: MatchType[], routerName: string): string | undefined => {
      const bad = matches.find((m) => !allowed.includes(m.type));
      return bad ? `${routerName} matches headers by ${allowed.join(' or ')} only (${String(bad)} is ${bad.type})` : undefined;
    };
    if (engine === 'argo') {
      switch (this.kind) {
        case TrafficRouterKind.ISTIO: return undefined;
        // ALB conditions compare exact values only (Argo: "ALB supports 'exact' value only").
        case TrafficRouterKind.ALB: return types([MatchType.EXACT], `${ARGO} with AWS ALB`);
        // Gateway API HTTPHeaderMatch has the types Exact and RegularExpression, no prefix.
        case TrafficRouterKind.GATEWAY_API: return types([MatchType.EXACT, MatchType.REGEX], 'Gateway API');
        default: return `${ARGO} sends header routes only through Istio, AWS ALB or the Gateway API plugin, not ${this}`;
      }
    }
    switch (this.kind) {
      case TrafficRouterKind.ISTIO: return undefined;
      case TrafficRouterKind.GATEWAY_API: return types([MatchType.EXACT, MatchType.REGEX], 'Gateway API');
      case TrafficRouterKind.NGINX:
        // Flagger's NGINX router turns the match into canary-by-header and canary-by-header-value: one
        // header, compared exactly.
        if (matches.length !== 1 || matches[0].type !== MatchType.EXACT || matches[0].header === 'cookie') {
          return 'Flagger with NGINX routes A/B traffic by exactly one header compared exactly (HeaderMatch.exact), no cookies or patterns';
        }
        return undefined;
      default: return `Flagger runs A/B tests only with Istio, NGINX or Gateway API routers, not ${this}`;
    }
  }

  /**
   * Emits the router objects the engine expects to exist (HTTPRoute, VirtualService, DestinationRule,
   * Ingress) under `scope`.
   * @internal
   */
  public _renderObjects(scope: Construct, ctx: ReleaseContext, engine: 'argo' | 'flagger'): void {
    const w = ctx.workload;
    const metadata = (name: string) => ({ name, labels: w.labels });
    switch (this.kind) {
      case TrafficRouterKind.GATEWAY_API: {
        if (engine === 'flagger') return; // Flagger creates the HTTPRoute itself.
        const o = this.settings.gatewayApi!;
        new gw.HttpRoute(scope, 'HttpRoute', {
          metadata: metadata(this._httpRouteName(ctx)),
          spec: {
            parentRefs: [{ name: o.gateway, namespace: o.gatewayNamespace, sectionName: o.sectionName }],
            hostnames: o.hostnames,
            rules: [{
              backendRefs: [
                { name: ctx.stableServiceName, port: w.port, weight: 100 },
                { name: ctx.canaryServiceName, port: w.port, weight: 0 },
              ],
            }],
          },
        });
        return;
      }
      case TrafficRouterKind.ISTIO: {
        if (engine === 'flagger') return; // Flagger creates the VirtualService and DestinationRules itself.
        const o = this.settings.istio!;
        const subset = o.subsetLevel ?? false;
        const destination = (host: string, subsetName: string | undefined, weight: number): vs.VirtualServiceSpecHttpRoute => ({
          destination: { host, subset: subsetName, port: { number: w.port } },
          weight,
        });
        new vs.VirtualService(scope, 'VirtualService', {
          metadata: metadata(w.name),
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
        if (subset) {
          new dr.DestinationRule(scope, 'DestinationRule', {
            metadata: metadata(w.name),
            spec: {
              host: ctx.serviceName,
              // Argo Rollouts adds the rollouts-pod-template-hash label to each subset at run time.
              subsets: [{ name: 'stable', labels: { ...w.selector } }, { name: 'canary', labels: { ...w.selector } }],
            },
          });
        }
        return;
      }
      case TrafficRouterKind.NGINX: {
        const o = this.settings.nginx!;
        // Argo Rollouts: the stable Ingress must send traffic to the stable Service (it validates that a
        // rule uses it). Flagger: the Ingress sends traffic to the apex Service Flagger manages.
        const backend = engine === 'argo' ? ctx.stableServiceName : ctx.serviceName;
        addSingleRouteIngress(scope, 'Ingress', {
          ...metadata(w.name),
          ingressClassName: o.ingressClassName ?? 'nginx',
          host: o.host,
          path: o.path ?? '/',
          serviceName: backend,
          port: { number: w.port },
        });
        return;
      }
      case TrafficRouterKind.ALB: {
        const o = this.settings.alb!;
        // The rule points at the root Service on the port named 'use-annotation': the AWS Load Balancer
        // Controller then reads the weighted forward action Argo Rollouts writes into the
        // alb.ingress.kubernetes.io/actions.<root service> annotation.
        addSingleRouteIngress(scope, 'Ingress', {
          ...metadata(w.name),
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
        return;
      }
      default:
        return;
    }
  }

  /**
   * The Rollout's `strategy.canary.trafficRouting` (plain JSON, as the CRD reads it), or undefined for `none()`.
   * @internal
   */
  public _argoTrafficRouting(ctx: ReleaseContext, managedRoutes: string[]): { [key: string]: any } | undefined {
    const managed = managedRoutes.length > 0 ? { managedRoutes: managedRoutes.map((name) => ({ name })) } : {};
    switch (this.kind) {
      case TrafficRouterKind.GATEWAY_API: {
        const plugin: { [key: string]: any } = managedRoutes.length > 0
          ? { httpRoutes: [{ name: this._httpRouteName(ctx), useHeaderRoutes: true }] }
          : { httpRoute: this._httpRouteName(ctx) };
        if (ctx.namespace !== undefined) plugin.namespace = ctx.namespace;
        return { ...managed, plugins: { 'argoproj-labs/gatewayAPI': plugin } };
      }
      case TrafficRouterKind.ISTIO: {
        const subset = this.settings.istio!.subsetLevel ?? false;
        return {
          ...managed,
          istio: {
            virtualService: { name: ctx.workload.name, routes: ['primary'] },
            destinationRule: subset ? { name: ctx.workload.name, canarySubsetName: 'canary', stableSubsetName: 'stable' } : undefined,
          },
        };
      }
      case TrafficRouterKind.NGINX:
        return { ...managed, nginx: { stableIngress: ctx.workload.name } };
      case TrafficRouterKind.ALB:
        return { ...managed, alb: { ingress: ctx.workload.name, servicePort: ctx.workload.port, rootService: ctx.serviceName } };
      case TrafficRouterKind.SMI:
        return { ...managed, smi: { rootService: ctx.serviceName, trafficSplitName: this.settings.smi!.trafficSplitName ?? ctx.workload.name } };
      default:
        return undefined;
    }
  }

  /**
   * Flagger's `provider` and the router-specific parts of the Canary's `service` and `ingressRef`;
   * undefined when Flagger has no such router.
   * @internal
   */
  public _flagger(ctx: ReleaseContext): FlaggerRouting | undefined {
    switch (this.kind) {
      case TrafficRouterKind.GATEWAY_API: {
        const o = this.settings.gatewayApi!;
        return {
          provider: 'gatewayapi:v1',
          service: {
            gatewayRefs: [{ name: o.gateway, namespace: o.gatewayNamespace, sectionName: o.sectionName }],
            hosts: o.hostnames,
          },
        };
      }
      case TrafficRouterKind.ISTIO: {
        const o = this.settings.istio!;
        return { provider: 'istio', service: { hosts: o.hosts, gateways: o.gateways } };
      }
      case TrafficRouterKind.NGINX:
        return { provider: 'nginx', service: {}, ingressRef: ctx.workload.name };
      case TrafficRouterKind.SMI:
        return { provider: 'smi:v1alpha3', service: {} };
      default:
        return undefined;
    }
  }

  /**
   * Problems this router has with an engine beyond steps (e.g. a Flagger HTTPRoute name); each is
   * `[field, allowed, got]`.
   * @internal
   */
  public _engineProblems(engine: 'argo' | 'flagger', ctx: ReleaseContext): Array<[string, string, unknown]> {
    if (engine !== 'flagger') return [];
    if (this.kind === TrafficRouterKind.GATEWAY_API) {
      const name = this.settings.gatewayApi!.httpRoute;
      if (name !== undefined && name !== ctx.workload.name) {
        return [['trafficRouter.httpRoute', `Flagger names the HTTPRoute it creates after the workload ('${ctx.workload.name}'); leave httpRoute out`, name]];
      }
    }
    if (this.kind === TrafficRouterKind.ISTIO && this.settings.istio!.subsetLevel) {
      return [['trafficRouter.subsetLevel', 'Flagger routes Istio traffic by host (<name>-primary and <name>-canary DestinationRules); leave subsetLevel out', true]];
    }
    if (this.kind === TrafficRouterKind.ALB) {
      return [['trafficRouter', 'Flagger has no AWS ALB router; use TrafficRouter.gatewayApi() (AWS Gateway API Controller), .istio() or .nginx(), or RolloutEngine.argoRollouts()', String(this)]];
    }
    if (this.kind === TrafficRouterKind.NONE) {
      return [['trafficRouter', 'Flagger shifts canary traffic only through a router (without one it runs blue/green, not a canary); use TrafficRouter.gatewayApi(), .istio(), .nginx() or .smi(), or RolloutEngine.argoRollouts() for a replica-ratio canary', String(this)]];
    }
    return [];
  }

  /** @internal */
  public _httpRouteName(ctx: ReleaseContext): string {
    return this.settings.gatewayApi?.httpRoute ?? ctx.workload.name;
  }
}

interface RouterSettings {
  readonly gatewayApi?: GatewayApiRouterOptions;
  readonly istio?: IstioRouterOptions;
  readonly nginx?: NginxRouterOptions;
  readonly alb?: AlbRouterOptions;
  readonly smi?: SmiRouterOptions;
}

function checkPath(where: string, path: string | undefined): void {
  if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/'))) fail(where, 'path', "must start with '/'", path);
}
