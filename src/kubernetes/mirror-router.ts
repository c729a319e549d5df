import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { EgressTarget } from './egress-target';
import { SAFE_METHODS, WRITE_METHODS } from '../private/http-methods';
import { HttpMethod } from '../strategy/http-method';
import { PathMatch, PathMatchType } from '../strategy/path-match';
import * as gateway from './imports/gateway-api-gateway.networking.k8s.io';
import * as istio from './imports/istio-virtual-service-networking.istio.io';
import { checkDnsLabel, checkDnsSubdomain, checkNonEmpty, fail } from '../private/validate';
import { addSingleRouteIngress } from './private/ingress';
import { checkGatewayRoute, checkHost } from './private/route-checks';
import { warn } from '../private/warnings';

/** What a `MirrorRouter` routes: the production Service and the shadow that gets a copy of its traffic. */
export interface MirrorTarget {
  /** Base name of the shadow's objects; routing objects are called this unless told otherwise. */
  readonly name: string;
  /** Name of the production Service whose traffic is mirrored, in the same namespace. */
  readonly service: string;
  /** Port of the production Service; the shadow Service listens on the same port. */
  readonly port: number;
  /** Name of the shadow Service that receives the copies. */
  readonly shadowService: string;
  /**
   * Percentage of the matching requests copied to the shadow: more than 0, at most 100, at most 4
   * decimal places; 0 while the shadow is paused (the route then sends production traffic only).
   */
  readonly percent: number;
  /** Methods whose requests are copied, at least one; requests with other methods go to production only. */
  readonly methods: HttpMethod[];
  /**
   * Paths whose requests are copied (any of them), at most 8.
   * @default - every path
   */
  readonly paths?: PathMatch[];
  /**
   * Namespace of both Services.
   * @default - unknown (the chart has no namespace; objects go where they are applied)
   */
  readonly namespace?: string;
  /** Labels for the routing object. */
  readonly labels: { [key: string]: string };
}

/** What a `MirrorRouter` set up. */
export interface MirrorRouterConfig {
  /** The routing object that sends production traffic to the production Service and copies it to the shadow. */
  readonly route: ApiObject;
  /** Egress the shadow's pods need for this router to work (e.g. a sidecar's control plane). */
  readonly egress: EgressTarget[];
  /**
   * Labels the shadow's pods need for this router (e.g. whether a sidecar is injected).
   * @default - none
   */
  readonly podLabels?: { [key: string]: string };
  /** How mirrored requests are marked, in words. */
  readonly requestMarker: string;
}

/** Options for `MirrorRouter.istio`. */
export interface IstioMirrorOptions {
  /**
   * Host clients address: a Service short name, a cluster FQDN, or an external host served
   * through `gateways`.
   * @default - the production Service name
   */
  readonly host?: string;
  /**
   * Gateways and sidecars the VirtualService applies to (`<namespace>/<gateway>`, or `mesh`).
   * @default - the mesh only (every sidecar)
   */
  readonly gateways?: string[];
  /**
   * DestinationRule subset of the production destination.
   * @default - every pod of the production Service
   */
  readonly subset?: string;
  /**
   * Name of the VirtualService. Istio applies only one VirtualService per host to sidecars: if
   * you already run one for `host`, give its name here so this one replaces it (and move its
   * retries and timeouts here), or remove it.
   * @default - the shadow's name
   */
  readonly virtualService?: string;
  /**
   * Whether the shadow's pods run an Istio sidecar. `true` labels them
   * `sidecar.istio.io/inject: "true"` and lets them reach istiod on port 15012 (configuration and
   * certificates); `false` labels them `sidecar.istio.io/inject: "false"` and opens no egress to the
   * control plane. A namespace labelled `istio-injection=disabled` gets no sidecar either way: set
   * `false` there. With ambient mode (no sidecar), traffic leaves through ztunnel on port 15008:
   * set `false` and give allowlist entries that port too.
   * @default true
   */
  readonly sidecar?: boolean;
  /**
   * Namespace istiod runs in.
   * @default 'istio-system'
   */
  readonly istiodNamespace?: string;
}

/** Options for `MirrorRouter.gatewayApi`. */
export interface GatewayApiMirrorOptions {
  /** Name of the Gateway the HTTPRoute attaches to. */
  readonly gateway: string;
  /**
   * Namespace of the Gateway; its listener must allow routes from the shadow's namespace.
   * @default - the HTTPRoute's own namespace
   */
  readonly gatewayNamespace?: string;
  /**
   * Listener of the Gateway to attach to.
   * @default - every listener that accepts the route
   */
  readonly sectionName?: string;
  /**
   * Hostnames the route serves.
   * @default - every hostname of the listener
   */
  readonly hostnames?: string[];
  /**
   * Name of the HTTPRoute. This route sends production traffic too: when routes share a hostname,
   * the oldest wins, so either give the name of the route you already run for the service (this
   * one replaces it) or remove that route. When you remove the shadow, put your plain production
   * route back in the same change, or the service loses its route.
   * @default - the shadow's name
   */
  readonly httpRoute?: string;
}

/** Options for `MirrorRouter.nginx`. */
export interface NginxMirrorOptions {
  /** Host of the Ingress rule (the public name of the production service). */
  readonly host: string;
  /**
   * Path prefix of the Ingress rule; the mirror applies to every path of the Ingress (ingress-nginx
   * has no other path filter for mirrors, so `ShadowMirror`'s `paths` is refused with this router).
   * @default '/'
   */
  readonly path?: string;
  /**
   * IngressClass of the ingress-nginx controller.
   * @default 'nginx'
   */
  readonly ingressClassName?: string;
  /**
   * Name of the Ingress. It routes production traffic too: give the name of the Ingress you
   * already run for this host and path (this one replaces it), or remove that one.
   * @default - the shadow's name
   */
  readonly ingress?: string;
  /**
   * Whether the request body is copied to the shadow (`mirror-request-body`).
   * @default true
   */
  readonly mirrorRequestBody?: boolean;
  /**
   * Cluster DNS domain, used to address the shadow Service from the controller.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
}


/**
 * Copies a share of a production Service's traffic to a shadow Service; the shadow's responses
 * are dropped. Chosen once per `ShadowMirror`, which calls `bind`.
 *
 * Only requests with the target's methods (by default the safe ones: GET, HEAD, OPTIONS) and paths
 * are copied: Istio and Gateway API render a mirrored route for them next to an unmirrored route
 * for everything else, both to the same production destination. ingress-nginx cannot filter a
 * mirror by method, so its router refuses any method list that leaves a write method out.
 *
 * The mirrored request carries a shadow marker where the router can set one: Envoy-based routers
 * (Istio, and most Gateway API implementations) append `-shadow` to its Host/authority; the
 * NGINX router sets the same suffix through `mirror-host`. No router can add a header to the copy
 * alone (a route-level header would also reach production), so the pods' environment variable
 * `RELEASE_STRATEGIES_SHADOW` is the marker to rely on.
 */
export abstract class MirrorRouter {
  /**
   * An Istio VirtualService for `host`: every request goes to the production Service, and
   * `percent` of the requests that match the shadow's methods and paths are copied to the shadow
   * Service. The first HTTP route (`mirrored`) matches them (`match[].method.exact`, `match[].uri`)
   * and carries `mirror` + `mirrorPercentage`; the second (`production`) takes the rest unmirrored.
   *
   * Envoy sends the copy without waiting for it and appends `-shadow` to its Host/authority.
   * Istio cannot add headers to a mirror alone (istio/istio#50811).
   * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRoute
   * @example MirrorRouter.istio({ host: 'search' })
   */
  public static istio(options: IstioMirrorOptions = {}): MirrorRouter {
    const where = 'MirrorRouter.istio()';
    if (options.host !== undefined) checkHost(where, 'host', options.host, true);
    (options.gateways ?? []).forEach((g, i) => {
      if (typeof g !== 'string' || !/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(g)) {
        fail(where, `gateways[${i}]`, "must be 'mesh', '<gateway>' or '<namespace>/<gateway>'", g);
      }
    });
    if (options.subset !== undefined) checkDnsLabel(where, 'subset', options.subset);
    if (options.virtualService !== undefined) checkDnsSubdomain(where, 'virtualService', options.virtualService);
    if (options.istiodNamespace !== undefined) checkDnsLabel(where, 'istiodNamespace', options.istiodNamespace);
    return new IstioMirrorRouter({ ...options, gateways: options.gateways ? [...options.gateways] : undefined });
  }

  /**
   * A Gateway API HTTPRoute attached to `gateway`: every request goes to the production Service,
   * and a `RequestMirror` filter copies `percent` of the requests that match the shadow's methods
   * and paths to the shadow Service (`percent` for whole numbers, `fraction` otherwise; both in the
   * v1.6 standard channel). The first rule (`mirrored`) matches them (`matches[].method`,
   * `matches[].path`) and carries the filter; the second (`production`) has no match and no filter.
   * A method match takes precedence over none for the same path, and a longer path prefix over a
   * shorter one, so only the listed requests are copied.
   *
   * `RequestMirror` has no header modifier of its own, and a rule-level `RequestHeaderModifier`
   * would also change production requests, so the copy carries no added header; Envoy-based
   * implementations append `-shadow` to its Host.
   * @see https://gateway-api.sigs.k8s.io/reference/spec/#httprequestmirrorfilter
   * @example MirrorRouter.gatewayApi({ gateway: 'public', gatewayNamespace: 'gateway-system', hostnames: ['pricing.example.com'] })
   */
  public static gatewayApi(options: GatewayApiMirrorOptions): MirrorRouter {
    const where = 'MirrorRouter.gatewayApi()';
    checkGatewayRoute(where, options);
    const hostnames = options.hostnames;
    return new GatewayApiMirrorRouter({ ...options, hostnames: hostnames ? [...hostnames] : undefined });
  }

  /**
   * An Ingress for ingress-nginx whose `mirror-target` annotation copies every request to the
   * shadow Service; `mirror-host` marks the copy with the Host `<host>-shadow`.
   *
   * ingress-nginx mirrors every request, whatever its method (its mirror annotations have no method
   * filter): the shadow must list every method in `methods`, which makes it a write-mirroring shadow
   * (`SideEffects.isolated(...)` and `productionDependencies` required); percent must be 100. The
   * copy is a subrequest tied to the original: a slow shadow slows production requests. ingress-nginx is retired (no
   * releases after March 2026); it stays supported here, but prefer Gateway API or Istio.
   * @see https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#mirror
   * @example MirrorRouter.nginx({ host: 'search.example.com' })
   */
  public static nginx(options: NginxMirrorOptions): MirrorRouter {
    const where = 'MirrorRouter.nginx()';
    checkHost(where, 'host', options.host, false);
    const path = options.path ?? '/';
    if (typeof path !== 'string' || !/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/.test(path)) {
      fail(where, 'path', "must be a path starting with '/'", path);
    }
    if (options.ingressClassName !== undefined) checkDnsSubdomain(where, 'ingressClassName', options.ingressClassName);
    if (options.ingress !== undefined) checkDnsSubdomain(where, 'ingress', options.ingress);
    if (options.clusterDomain !== undefined) checkNonEmpty(where, 'clusterDomain', options.clusterDomain);
    if (options.clusterDomain !== undefined) checkDnsSubdomain(where, 'clusterDomain', options.clusterDomain);
    return new NginxMirrorRouter({ ...options, path });
  }

  protected constructor() {}

  /**
   * Called once by the `ShadowMirror` that uses this router: defines the routing object under
   * `scope` and returns what the shadow needs.
   */
  public abstract bind(scope: Construct, target: MirrorTarget): MirrorRouterConfig;
}

class IstioMirrorRouter extends MirrorRouter {
  constructor(private readonly options: IstioMirrorOptions) { super(); }

  public bind(scope: Construct, target: MirrorTarget): MirrorRouterConfig {
    const o = this.options;
    const production = [{ destination: { host: target.service, subset: o.subset, port: { number: target.port } } }];
    const http: istio.VirtualServiceSpecHttp[] = [];
    if (target.percent > 0) {
      http.push({
        name: 'mirrored',
        match: istioMatches(target),
        route: production,
        mirror: { host: target.shadowService, port: { number: target.port } },
        mirrorPercentage: { value: target.percent },
      });
    }
    http.push({ name: 'production', route: production });
    const route = new istio.VirtualService(scope, 'VirtualService', {
      metadata: { name: o.virtualService ?? target.name, labels: target.labels },
      spec: { hosts: [o.host ?? target.service], gateways: o.gateways, http },
    });
    const sidecar = o.sidecar ?? true;
    const egress = sidecar
      ? [EgressTarget.pods({ namespace: o.istiodNamespace ?? 'istio-system', labels: { app: 'istiod' }, ports: [15012] })]
      : [];
    return {
      route,
      egress,
      podLabels: { [ISTIO_INJECT_LABEL]: String(sidecar) },
      requestMarker: "Host/authority suffixed with '-shadow' (added by Envoy)",
    };
  }
}

class GatewayApiMirrorRouter extends MirrorRouter {
  constructor(private readonly options: GatewayApiMirrorOptions) { super(); }

  public bind(scope: Construct, target: MirrorTarget): MirrorRouterConfig {
    const o = this.options;
    const share = Number.isInteger(target.percent) ? { percent: target.percent } : { fraction: fraction(target.percent) };
    const production = [{ name: target.service, port: target.port }];
    const rules: gateway.HttpRouteSpecRules[] = [];
    if (target.percent > 0) {
      rules.push({
        name: 'mirrored',
        matches: gatewayMatches(target),
        backendRefs: production,
        filters: [{
          type: gateway.HttpRouteSpecRulesFiltersType.REQUEST_MIRROR,
          requestMirror: { backendRef: { name: target.shadowService, port: target.port }, ...share },
        }],
      });
    }
    rules.push({ name: 'production', backendRefs: production });
    const route = new gateway.HttpRoute(scope, 'HTTPRoute', {
      metadata: { name: o.httpRoute ?? target.name, labels: target.labels },
      spec: {
        parentRefs: [{ name: o.gateway, namespace: o.gatewayNamespace, sectionName: o.sectionName }],
        hostnames: o.hostnames,
        rules,
      },
    });
    return { route, egress: [], requestMarker: "none added by the route; Envoy-based implementations suffix the Host with '-shadow'" };
  }
}

class NginxMirrorRouter extends MirrorRouter {
  constructor(private readonly options: NginxMirrorOptions) { super(); }

  public bind(scope: Construct, target: MirrorTarget): MirrorRouterConfig {
    const where = scope.node.path;
    const o = this.options;
    if (target.percent !== 100 && target.percent !== 0) {
      fail(where, 'percent', 'must be 100 with MirrorRouter.nginx() (ingress-nginx copies every request; it cannot mirror a share)', target.percent);
    }
    const missing = ALL_METHODS.filter((m) => !target.methods.includes(m));
    if (missing.length > 0) {
      fail(where, 'methods', `must list every method with MirrorRouter.nginx() (ingress-nginx's mirror-target copies every request whatever its method; it has no method filter): mirror writes explicitly with methods [${ALL_METHODS.join(', ')}], SideEffects.isolated(...) and productionDependencies, or use MirrorRouter.istio() or MirrorRouter.gatewayApi(), which copy only the methods listed`, target.methods);
    }
    if (target.paths !== undefined) {
      fail(where, 'paths', "must be left out with MirrorRouter.nginx() (the mirror covers the whole Ingress): give the router one path prefix, MirrorRouter.nginx({ host, path: '/api' })", target.paths);
    }
    if (target.namespace === undefined) {
      fail(where, 'router', "must know the shadow's namespace with MirrorRouter.nginx() (the controller addresses the shadow Service by its cluster DNS name): give the Chart a namespace", undefined);
    }
    const domain = o.clusterDomain ?? 'cluster.local';
    const marker = `${o.host}-shadow`;
    const route = addSingleRouteIngress(scope, 'Ingress', {
      name: o.ingress ?? target.name,
      labels: target.labels,
      annotations: target.percent === 0 ? undefined : {
        'nginx.ingress.kubernetes.io/mirror-target': `http://${target.shadowService}.${target.namespace}.svc.${domain}:${target.port}$request_uri`,
        'nginx.ingress.kubernetes.io/mirror-request-body': (o.mirrorRequestBody ?? true) ? 'on' : 'off',
        'nginx.ingress.kubernetes.io/mirror-host': marker,
      },
      ingressClassName: o.ingressClassName ?? 'nginx',
      host: o.host,
      path: o.path!,
      serviceName: target.service,
      port: { number: target.port },
    });
    warn(scope, 'ingress-nginx sends the mirrored copy as a subrequest tied to the original request: a slow shadow slows production responses. ingress-nginx is retired; prefer MirrorRouter.gatewayApi() or MirrorRouter.istio().');
    return { route, egress: [], requestMarker: `Host '${marker}' (mirror-host)` };
  }
}

/** Pod label that asks Istio's injector for a sidecar (`"true"`) or none (`"false"`). */
const ISTIO_INJECT_LABEL = 'sidecar.istio.io/inject';

const ALL_METHODS = [...SAFE_METHODS, ...WRITE_METHODS];

/**
 * The matches of the mirrored Istio route: every method, for every path. Istio's `uri.prefix` is a
 * plain string prefix, so a path prefix becomes an exact match on it plus a prefix match on it
 * followed by '/' (the segment semantics of Gateway API's PathPrefix).
 */
function istioMatches(target: MirrorTarget): istio.VirtualServiceSpecHttpMatch[] {
  const uris: (istio.VirtualServiceSpecHttpMatchUri | undefined)[] = target.paths === undefined ? [undefined] : target.paths.flatMap((p) => {
    if (p.type === PathMatchType.EXACT) return [{ exact: p.path }];
    return p.path === '/' ? [{ prefix: '/' }] : [{ exact: p.path }, { prefix: `${p.path}/` }];
  });
  return uris.flatMap((uri) => target.methods.map((m) => ({ method: { exact: m }, uri })));
}

/** The matches of the mirrored Gateway API rule: every method, for every path. */
function gatewayMatches(target: MirrorTarget): gateway.HttpRouteSpecRulesMatches[] {
  const paths: (gateway.HttpRouteSpecRulesMatchesPath | undefined)[] = target.paths === undefined ? [undefined] : target.paths.map((p) => ({
    type: p.type === PathMatchType.EXACT ? gateway.HttpRouteSpecRulesMatchesPathType.EXACT : gateway.HttpRouteSpecRulesMatchesPathType.PATH_PREFIX,
    value: p.path,
  }));
  return paths.flatMap((path) => target.methods.map((m) => ({ path, method: gateway.HttpRouteSpecRulesMatchesMethod[m] })));
}

/** `percent` as a reduced fraction of requests (`0.5` percent is 1/200). */
function fraction(percent: number): { numerator: number; denominator: number } {
  let numerator = Math.round(percent * 10000);
  let denominator = 1000000;
  const d = gcd(numerator, denominator);
  numerator /= d;
  denominator /= d;
  return { numerator, denominator };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
