import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { EgressTarget } from './egress-target';
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
  /** Percentage of requests copied to the shadow: more than 0, at most 100, at most 4 decimal places. */
  readonly percent: number;
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
   * Whether the shadow's pods run an Istio sidecar; if so their egress policy also lets them
   * reach istiod on port 15012 (configuration and certificates). Set `false` for pods outside the
   * mesh. With ambient mode, traffic leaves through ztunnel on port 15008: allowlist entries need
   * that port too.
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
   * Path prefix of the Ingress rule; the mirror applies to every path of the Ingress.
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
 * The mirrored request carries a shadow marker where the router can set one: Envoy-based routers
 * (Istio, and most Gateway API implementations) append `-shadow` to its Host/authority; the
 * NGINX router sets the same suffix through `mirror-host`. No router can add a header to the copy
 * alone (a route-level header would also reach production), so the pods' environment variable
 * `RELEASE_STRATEGIES_SHADOW` is the marker to rely on.
 */
export abstract class MirrorRouter {
  /**
   * An Istio VirtualService for `host`: every request goes to the production Service, and
   * `percent` of them are copied to the shadow Service (`mirror` + `mirrorPercentage`).
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
   * and a `RequestMirror` filter copies `percent` of them to the shadow Service (`percent` for
   * whole numbers, `fraction` otherwise; both in the v1.6 standard channel).
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
   * ingress-nginx mirrors every request (percent must be 100), and the copy is a subrequest tied
   * to the original: a slow shadow slows production requests. ingress-nginx is retired (no
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
    const route = new istio.VirtualService(scope, 'VirtualService', {
      metadata: { name: o.virtualService ?? target.name, labels: target.labels },
      spec: {
        hosts: [o.host ?? target.service],
        gateways: o.gateways,
        http: [{
          route: [{ destination: { host: target.service, subset: o.subset, port: { number: target.port } } }],
          mirror: { host: target.shadowService, port: { number: target.port } },
          mirrorPercentage: { value: target.percent },
        }],
      },
    });
    const egress = (o.sidecar ?? true)
      ? [EgressTarget.pods({ namespace: o.istiodNamespace ?? 'istio-system', labels: { app: 'istiod' }, ports: [15012] })]
      : [];
    return { route, egress, requestMarker: "Host/authority suffixed with '-shadow' (added by Envoy)" };
  }
}

class GatewayApiMirrorRouter extends MirrorRouter {
  constructor(private readonly options: GatewayApiMirrorOptions) { super(); }

  public bind(scope: Construct, target: MirrorTarget): MirrorRouterConfig {
    const o = this.options;
    const share = Number.isInteger(target.percent) ? { percent: target.percent } : { fraction: fraction(target.percent) };
    const route = new gateway.HttpRoute(scope, 'HTTPRoute', {
      metadata: { name: o.httpRoute ?? target.name, labels: target.labels },
      spec: {
        parentRefs: [{ name: o.gateway, namespace: o.gatewayNamespace, sectionName: o.sectionName }],
        hostnames: o.hostnames,
        rules: [{
          backendRefs: [{ name: target.service, port: target.port }],
          filters: [{
            type: gateway.HttpRouteSpecRulesFiltersType.REQUEST_MIRROR,
            requestMirror: { backendRef: { name: target.shadowService, port: target.port }, ...share },
          }],
        }],
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
    if (target.percent !== 100) {
      fail(where, 'percent', 'must be 100 with MirrorRouter.nginx() (ingress-nginx copies every request; it cannot mirror a share)', target.percent);
    }
    if (target.namespace === undefined) {
      fail(where, 'router', "must know the shadow's namespace with MirrorRouter.nginx() (the controller addresses the shadow Service by its cluster DNS name): give the Chart a namespace", undefined);
    }
    const domain = o.clusterDomain ?? 'cluster.local';
    const marker = `${o.host}-shadow`;
    const route = addSingleRouteIngress(scope, 'Ingress', {
      name: o.ingress ?? target.name,
      labels: target.labels,
      annotations: {
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
