import { ContainerProps, EnvValue, Probe } from 'cdk8s-plus-28';
import { chartIn, synth } from './shadow-fixtures';
import { DisruptionBudget, EgressTarget, HttpMethod, MirrorRouter, PathMatch, ShadowMirror, ShadowMirrorProps, SideEffects } from '../../src';
import { warningsOf } from '../../src/private/warnings';

const containers: ContainerProps[] = [{
  image: 'registry.example.com/search:2.0.0',
  portNumber: 8080,
  readiness: Probe.fromHttpGet('/healthz'),
}];

function props(overrides: Partial<ShadowMirrorProps> = {}): ShadowMirrorProps {
  return {
    service: 'search',
    port: 80,
    containers,
    percent: 100,
    router: MirrorRouter.istio({ host: 'search' }),
    sideEffects: SideEffects.none(),
    ...overrides,
  };
}

const SAFE_MATCHES = [{ method: { exact: 'GET' } }, { method: { exact: 'HEAD' } }, { method: { exact: 'OPTIONS' } }];
const ALL_METHODS = [HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE];

/** What a shadow that gets writes needs: every method, a sandbox allowlist, production declared. */
function mirroringWrites(): Partial<ShadowMirrorProps> {
  return {
    methods: ALL_METHODS,
    sideEffects: SideEffects.isolated({ allowEgressTo: [EgressTarget.pods({ namespace: 'search-sandbox', labels: { app: 'index' } })] }),
    productionDependencies: [EgressTarget.namespace('search-index')],
  };
}

function only(objects: any[], kind: string): any {
  const found = objects.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
}

describe('Istio router', () => {
  test('the VirtualService routes every request to production and mirrors the percentage to the shadow Service', () => {
    const chart = chartIn('search');
    new ShadowMirror(chart, 'search-v2', props({ percent: 35 }));
    const vs = only(synth(chart), 'VirtualService');
    expect(vs.apiVersion).toBe('networking.istio.io/v1');
    expect(vs.metadata).toEqual({ name: 'search-v2', namespace: 'search', labels: { 'app.kubernetes.io/name': 'search-v2' } });
    expect(vs.spec).toEqual({
      hosts: ['search'],
      http: [
        {
          name: 'mirrored',
          match: SAFE_MATCHES,
          route: [{ destination: { host: 'search', port: { number: 80 } } }],
          mirror: { host: 'search-v2', port: { number: 80 } },
          mirrorPercentage: { value: 35 },
        },
        { name: 'production', route: [{ destination: { host: 'search', port: { number: 80 } } }] },
      ],
    });
  });

  test('only the listed methods and paths are mirrored; a prefix matches whole path segments', () => {
    const chart = chartIn('search');
    new ShadowMirror(chart, 'search-v2', props({ methods: [HttpMethod.HEAD, HttpMethod.GET], paths: [PathMatch.prefix('/v1/search'), PathMatch.exact('/suggest'), PathMatch.prefix('/')] }));
    const [mirrored, production] = only(synth(chart), 'VirtualService').spec.http;
    expect(mirrored.match).toEqual([
      { method: { exact: 'GET' }, uri: { exact: '/v1/search' } },
      { method: { exact: 'HEAD' }, uri: { exact: '/v1/search' } },
      { method: { exact: 'GET' }, uri: { prefix: '/v1/search/' } },
      { method: { exact: 'HEAD' }, uri: { prefix: '/v1/search/' } },
      { method: { exact: 'GET' }, uri: { exact: '/suggest' } },
      { method: { exact: 'HEAD' }, uri: { exact: '/suggest' } },
      { method: { exact: 'GET' }, uri: { prefix: '/' } },
      { method: { exact: 'HEAD' }, uri: { prefix: '/' } },
    ]);
    expect(production).toEqual({ name: 'production', route: [{ destination: { host: 'search', port: { number: 80 } } }] });
  });

  test('writes are mirrored only when listed, next to the safe methods', () => {
    const chart = chartIn('search');
    new ShadowMirror(chart, 'search-v2', props(mirroringWrites()));
    expect(only(synth(chart), 'VirtualService').spec.http[0].match.map((m: any) => m.method.exact))
      .toEqual(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE']);
  });

  test('the shadow pods ask for a sidecar and may reach istiod; without a sidecar they ask for none and may not', () => {
    const chart = chartIn('search');
    new ShadowMirror(chart, 'search-v2', props());
    new ShadowMirror(chart, 'search-v3', props({ router: MirrorRouter.istio({ sidecar: false }) }));
    const objects = synth(chart);
    const labels = (name: string) => objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name).spec.template.metadata.labels;
    const egress = (name: string) => objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === `${name}-shadow-egress`).spec.egress;
    expect(labels('search-v2')['sidecar.istio.io/inject']).toBe('true');
    expect(labels('search-v3')['sidecar.istio.io/inject']).toBe('false');
    expect(egress('search-v2').map((r: any) => r.ports)).toContainEqual([{ protocol: 'TCP', port: 15012 }]);
    expect(egress('search-v3').map((r: any) => r.ports)).not.toContainEqual([{ protocol: 'TCP', port: 15012 }]);
  });

  test('gateways, subset, VirtualService name and a fractional percentage reach the VirtualService', () => {
    const chart = chartIn('search');
    new ShadowMirror(chart, 'search-v2', props({
      percent: 0.25,
      router: MirrorRouter.istio({ host: 'search.example.com', gateways: ['istio-system/public', 'mesh'], subset: 'stable', virtualService: 'search' }),
    }));
    const vs = only(synth(chart), 'VirtualService');
    expect(vs.metadata.name).toBe('search');
    expect(vs.spec).toEqual({
      hosts: ['search.example.com'],
      gateways: ['istio-system/public', 'mesh'],
      http: [
        {
          name: 'mirrored',
          match: SAFE_MATCHES,
          route: [{ destination: { host: 'search', subset: 'stable', port: { number: 80 } } }],
          mirror: { host: 'search-v2', port: { number: 80 } },
          mirrorPercentage: { value: 0.25 },
        },
        { name: 'production', route: [{ destination: { host: 'search', subset: 'stable', port: { number: 80 } } }] },
      ],
    });
  });

  test('the host defaults to the production Service name', () => {
    const chart = chartIn('search');
    new ShadowMirror(chart, 'search-v2', props({ router: MirrorRouter.istio() }));
    expect(only(synth(chart), 'VirtualService').spec.hosts).toEqual(['search']);
  });
});

describe('Gateway API router', () => {
  test('the HTTPRoute attaches to the Gateway, routes to production and mirrors a whole percentage with percent', () => {
    const chart = chartIn('pricing');
    new ShadowMirror(chart, 'pricing-v3', props({
      service: 'pricing',
      port: 8080,
      percent: 20,
      router: MirrorRouter.gatewayApi({ gateway: 'public', gatewayNamespace: 'gateway-system', sectionName: 'https', hostnames: ['pricing.example.com'] }),
    }));
    const route = only(synth(chart), 'HTTPRoute');
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.metadata.name).toBe('pricing-v3');
    expect(route.spec).toEqual({
      parentRefs: [{ name: 'public', namespace: 'gateway-system', sectionName: 'https' }],
      hostnames: ['pricing.example.com'],
      rules: [
        {
          name: 'mirrored',
          matches: [{ method: 'GET' }, { method: 'HEAD' }, { method: 'OPTIONS' }],
          backendRefs: [{ name: 'pricing', port: 8080 }],
          filters: [{
            type: 'RequestMirror',
            requestMirror: { backendRef: { name: 'pricing-v3', port: 8080 }, percent: 20 },
          }],
        },
        { name: 'production', backendRefs: [{ name: 'pricing', port: 8080 }] },
      ],
    });
  });

  test('paths and methods become the matches of the mirrored rule', () => {
    const chart = chartIn('pricing');
    new ShadowMirror(chart, 'pricing-v3', props({
      service: 'pricing',
      methods: [HttpMethod.GET],
      paths: [PathMatch.prefix('/v1/quotes'), PathMatch.exact('/v1/rates')],
      router: MirrorRouter.gatewayApi({ gateway: 'public' }),
    }));
    const [mirrored, production] = only(synth(chart), 'HTTPRoute').spec.rules;
    expect(mirrored.matches).toEqual([
      { path: { type: 'PathPrefix', value: '/v1/quotes' }, method: 'GET' },
      { path: { type: 'Exact', value: '/v1/rates' }, method: 'GET' },
    ]);
    expect(production).toEqual({ name: 'production', backendRefs: [{ name: 'pricing', port: 80 }] });
  });

  test.each([
    [0.5, { numerator: 1, denominator: 200 }],
    [12.5, { numerator: 1, denominator: 8 }],
    [33.3333, { numerator: 333333, denominator: 1000000 }],
  ])('a percentage of %p is mirrored as the fraction %p', (percent, fraction) => {
    const chart = chartIn('pricing');
    new ShadowMirror(chart, 'pricing-v3', props({ service: 'pricing', percent, router: MirrorRouter.gatewayApi({ gateway: 'public' }) }));
    const mirror = only(synth(chart), 'HTTPRoute').spec.rules[0].filters[0].requestMirror;
    expect(only(synth(chart), 'HTTPRoute').spec.rules[0].name).toBe('mirrored');
    expect(mirror).toEqual({ backendRef: { name: 'pricing-v3', port: 80 }, fraction });
  });

  test('the HTTPRoute takes the name it is given (to replace the production route)', () => {
    const chart = chartIn('pricing');
    new ShadowMirror(chart, 'pricing-v3', props({ service: 'pricing', router: MirrorRouter.gatewayApi({ gateway: 'public', httpRoute: 'pricing' }) }));
    const route = only(synth(chart), 'HTTPRoute');
    expect(route.metadata.name).toBe('pricing');
    expect(route.spec.parentRefs).toEqual([{ name: 'public' }]);
    expect(route.spec.hostnames).toBeUndefined();
  });

  test('a Gateway API shadow needs no egress besides DNS and its allowlist', () => {
    const chart = chartIn('pricing');
    new ShadowMirror(chart, 'pricing-v3', props({ service: 'pricing', router: MirrorRouter.gatewayApi({ gateway: 'public' }) }));
    expect(only(synth(chart), 'NetworkPolicy').spec.egress).toHaveLength(1);
  });
});

describe('NGINX router', () => {
  test('the Ingress routes the host to production and mirrors every request to the shadow Service by its cluster name', () => {
    const chart = chartIn('search');
    new ShadowMirror(chart, 'search-v2', props({ ...mirroringWrites(), router: MirrorRouter.nginx({ host: 'search.example.com' }) }));
    const ingress = only(synth(chart), 'Ingress');
    expect(ingress.apiVersion).toBe('networking.k8s.io/v1');
    expect(ingress.metadata.name).toBe('search-v2');
    expect(ingress.metadata.annotations).toEqual({
      'nginx.ingress.kubernetes.io/mirror-target': 'http://search-v2.search.svc.cluster.local:80$request_uri',
      'nginx.ingress.kubernetes.io/mirror-request-body': 'on',
      'nginx.ingress.kubernetes.io/mirror-host': 'search.example.com-shadow',
    });
    expect(ingress.spec).toEqual({
      ingressClassName: 'nginx',
      rules: [{
        host: 'search.example.com',
        http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'search', port: { number: 80 } } } }] },
      }],
    });
  });

  test('path, class, name, body copying and cluster domain are configurable', () => {
    const chart = chartIn('search');
    new ShadowMirror(chart, 'search-v2', props({
      ...mirroringWrites(),
      router: MirrorRouter.nginx({ host: 'search.example.com', path: '/api', ingressClassName: 'public-nginx', ingress: 'search', mirrorRequestBody: false, clusterDomain: 'k8s.internal' }),
    }));
    const ingress = only(synth(chart), 'Ingress');
    expect(ingress.metadata.name).toBe('search');
    expect(ingress.metadata.annotations['nginx.ingress.kubernetes.io/mirror-target']).toBe('http://search-v2.search.svc.k8s.internal:80$request_uri');
    expect(ingress.metadata.annotations['nginx.ingress.kubernetes.io/mirror-request-body']).toBe('off');
    expect(ingress.spec.ingressClassName).toBe('public-nginx');
    expect(ingress.spec.rules[0].http.paths[0].path).toBe('/api');
  });

  test('warns that a slow shadow slows production and that ingress-nginx is retired', () => {
    const chart = chartIn('search');
    new ShadowMirror(chart, 'search-v2', props({ ...mirroringWrites(), router: MirrorRouter.nginx({ host: 'search.example.com' }) }));
    expect(warningsOf(chart)).toEqual([
      'test/search-v2: ingress-nginx sends the mirrored copy as a subrequest tied to the original request: a slow shadow slows production responses. ingress-nginx is retired; prefer MirrorRouter.gatewayApi() or MirrorRouter.istio().',
    ]);
  });

  test('fails when asked to mirror less than 100 percent', () => {
    expect(() => new ShadowMirror(chartIn('search'), 'search-v2', props({ ...mirroringWrites(), percent: 20, router: MirrorRouter.nginx({ host: 'search.example.com' }) })))
      .toThrow("test/search-v2: invalid 'percent': must be 100 with MirrorRouter.nginx() (ingress-nginx copies every request; it cannot mirror a share), got 20");
  });

  test('fails when the chart has no namespace', () => {
    expect(() => new ShadowMirror(chartIn(), 'search-v2', props({ ...mirroringWrites(), router: MirrorRouter.nginx({ host: 'search.example.com' }) })))
      .toThrow("test/search-v2: invalid 'router': must know the shadow's namespace with MirrorRouter.nginx() (the controller addresses the shadow Service by its cluster DNS name): give the Chart a namespace, got nothing");
  });

  test('fails when it would have to mirror only the safe methods (ingress-nginx has no method filter)', () => {
    expect(() => new ShadowMirror(chartIn('search'), 'search-v2', props({ router: MirrorRouter.nginx({ host: 'search.example.com' }) })))
      .toThrow("test/search-v2: invalid 'methods': must list every method with MirrorRouter.nginx() (ingress-nginx's mirror-target copies every request whatever its method; it has no method filter): mirror writes explicitly with methods [GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE], SideEffects.isolated(...) and productionDependencies, or use MirrorRouter.istio() or MirrorRouter.gatewayApi(), which copy only the methods listed, got ['GET', 'HEAD', 'OPTIONS']");
  });

  test('fails when paths are given (the mirror covers the whole Ingress)', () => {
    expect(() => new ShadowMirror(chartIn('search'), 'search-v2', props({ ...mirroringWrites(), paths: [PathMatch.prefix('/api')], router: MirrorRouter.nginx({ host: 'search.example.com' }) })))
      .toThrow("test/search-v2: invalid 'paths': must be left out with MirrorRouter.nginx() (the mirror covers the whole Ingress): give the router one path prefix, MirrorRouter.nginx({ host, path: '/api' }), got [prefix '/api']");
  });

  test('fails with a wildcard host', () => {
    expect(() => MirrorRouter.nginx({ host: '*.example.com' }))
      .toThrow("MirrorRouter.nginx(): invalid 'host': must be a host name (lower-case DNS name, no wildcard), got '*.example.com'");
  });

  test('fails with a path that does not start with a slash', () => {
    expect(() => MirrorRouter.nginx({ host: 'search.example.com', path: 'api' }))
      .toThrow("MirrorRouter.nginx(): invalid 'path': must be a path starting with '/', got 'api'");
  });
});

describe('router factories', () => {
  test('fails when the Istio host is not a host name', () => {
    expect(() => MirrorRouter.istio({ host: 'Search_Service' }))
      .toThrow("MirrorRouter.istio(): invalid 'host': must be a host name (lower-case DNS name, optionally starting with '*.'), got 'Search_Service'");
  });

  test('fails when an Istio gateway reference is malformed', () => {
    expect(() => MirrorRouter.istio({ gateways: ['istio-system/public/extra'] }))
      .toThrow("MirrorRouter.istio(): invalid 'gateways[0]': must be 'mesh', '<gateway>' or '<namespace>/<gateway>', got 'istio-system/public/extra'");
  });

  test('fails when the Gateway name is not a DNS subdomain', () => {
    expect(() => MirrorRouter.gatewayApi({ gateway: 'Public' }))
      .toThrow("MirrorRouter.gatewayApi(): invalid 'gateway': must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', at most 253 characters), got 'Public'");
  });

  test('fails when a Gateway API hostname is an IP address', () => {
    expect(() => MirrorRouter.gatewayApi({ gateway: 'public', hostnames: ['10.0.0.1:80'] }))
      .toThrow("MirrorRouter.gatewayApi(): invalid 'hostnames[0]': must be a host name (lower-case DNS name, optionally starting with '*.'; no IP addresses), got '10.0.0.1:80'");
  });

  test('fails when the Gateway API hostnames list is empty', () => {
    expect(() => MirrorRouter.gatewayApi({ gateway: 'public', hostnames: [] }))
      .toThrow("MirrorRouter.gatewayApi(): invalid 'hostnames': must list 1 to 16 hostnames when given, got []");
  });
});

describe('shadow workload', () => {
  test('the Deployment marks its pods as shadows, keeps every pod during rollouts and selects only its own pods', () => {
    const chart = chartIn('search');
    new ShadowMirror(chart, 'search-v2', props({ replicas: 3 }));
    const deployment = only(synth(chart), 'Deployment');
    expect(deployment.metadata.name).toBe('search-v2');
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'search-v2' } });
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } });
    expect(deployment.spec.template.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'search-v2',
      'app.kubernetes.io/version': '2.0.0',
      'release-strategies.dev/shadow': 'true',
      'sidecar.istio.io/inject': 'true',
    });
    expect(deployment.spec.template.spec.containers[0].env).toEqual([{ name: 'RELEASE_STRATEGIES_SHADOW', value: 'true' }]);
  });

  test('every container gets the shadow marker, and a user variable of the same name cannot turn it off', () => {
    const chart = chartIn('search');
    new ShadowMirror(chart, 'search-v2', props({
      containers: [
        { ...containers[0], envVariables: { RELEASE_STRATEGIES_SHADOW: EnvValue.fromValue('false'), LOG_LEVEL: EnvValue.fromValue('info') } },
        { name: 'proxy', image: 'registry.example.com/proxy:1.0.0' },
      ],
    }));
    const [main, proxy] = only(synth(chart), 'Deployment').spec.template.spec.containers;
    expect(main.env).toEqual(expect.arrayContaining([{ name: 'RELEASE_STRATEGIES_SHADOW', value: 'true' }, { name: 'LOG_LEVEL', value: 'info' }]));
    expect(main.env.filter((e: any) => e.name === 'RELEASE_STRATEGIES_SHADOW')).toHaveLength(1);
    expect(proxy.env).toEqual([{ name: 'RELEASE_STRATEGIES_SHADOW', value: 'true' }]);
  });

  test('the shadow Service listens on the production port and sends to the serving container', () => {
    const chart = chartIn('search');
    new ShadowMirror(chart, 'search-v2', props());
    const service = only(synth(chart), 'Service');
    expect(service.metadata.name).toBe('search-v2');
    expect(service.spec).toEqual({
      type: 'ClusterIP',
      selector: { 'app.kubernetes.io/name': 'search-v2' },
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
    });
  });

  test('the PodDisruptionBudget lets broken shadow pods be evicted', () => {
    const chart = chartIn('search');
    new ShadowMirror(chart, 'search-v2', props());
    expect(only(synth(chart), 'PodDisruptionBudget').spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'search-v2' } },
      maxUnavailable: 1,
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
  });

  test('DisruptionBudget.none() emits no PodDisruptionBudget', () => {
    const chart = chartIn('search');
    new ShadowMirror(chart, 'search-v2', props({ disruptionBudget: DisruptionBudget.none() }));
    expect(synth(chart).filter((o) => o.kind === 'PodDisruptionBudget')).toHaveLength(0);
  });

  test.each([
    ['Istio', MirrorRouter.istio(), "Host/authority suffixed with '-shadow' (added by Envoy)"],
    ['Gateway API', MirrorRouter.gatewayApi({ gateway: 'public' }), "none added by the route; Envoy-based implementations suffix the Host with '-shadow'"],
    ['NGINX', MirrorRouter.nginx({ host: 'search.example.com' }), "Host 'search.example.com-shadow' (mirror-host)"],
  ])('the %s router reports how it marks mirrored requests', (_, router, marker) => {
    expect(new ShadowMirror(chartIn('search'), 'search-v2', props({ ...mirroringWrites(), router })).requestMarker).toBe(marker);
  });

  test('exposes what it built', () => {
    const shadow = new ShadowMirror(chartIn('search'), 'search-v2', props({ percent: 40 }));
    expect(shadow.name).toBe('search-v2');
    expect(shadow.productionService).toBe('search');
    expect(shadow.percent).toBe(40);
    expect(shadow.deployment.kind).toBe('Deployment');
    expect(shadow.shadowService.kind).toBe('Service');
    expect(shadow.networkPolicy.kind).toBe('NetworkPolicy');
    expect(shadow.route.kind).toBe('VirtualService');
  });

  test('default configuration', () => {
    const chart = chartIn('search');
    new ShadowMirror(chart, 'search-v2', props());
    expect(synth(chart)).toMatchSnapshot();
  });
});

describe('refusals', () => {
  test('fails without sideEffects', () => {
    const { sideEffects, ...rest } = props();
    expect(() => new ShadowMirror(chartIn('search'), 'search-v2', rest as ShadowMirrorProps))
      .toThrow("test/search-v2: invalid 'sideEffects': must be declared: SideEffects.none() for a read-only service, or SideEffects.isolated({ allowEgressTo: [...] }) with its sandbox dependencies, got nothing");
  });

  test('fails without sideEffects before building anything', () => {
    const chart = chartIn('search');
    expect(() => new ShadowMirror(chart, 'search-v2', { ...props(), sideEffects: undefined as any }))
      .toThrow("test/search-v2: invalid 'sideEffects': must be declared: SideEffects.none() for a read-only service, or SideEffects.isolated({ allowEgressTo: [...] }) with its sandbox dependencies, got nothing");
    expect(chart.node.findAll().filter((c) => c.node.id === 'Deployment' || c.node.id === 'VirtualService')).toHaveLength(0);
  });

  test.each([0, -5, 100.5, 101, Number.NaN])('fails when percent is %p', (percent) => {
    expect(() => new ShadowMirror(chartIn('search'), 'search-v2', props({ percent })))
      .toThrow(`test/search-v2: invalid 'percent': must be a number greater than 0 and at most 100, with at most 4 decimal places, got ${percent}`);
  });

  test('fails when percent has more than 4 decimal places', () => {
    expect(() => new ShadowMirror(chartIn('search'), 'search-v2', props({ percent: 0.00001 })))
      .toThrow("test/search-v2: invalid 'percent': must be a number greater than 0 and at most 100, with at most 4 decimal places, got 0.00001");
  });

  test('fails when writes are mirrored to a shadow declared read-only', () => {
    expect(() => new ShadowMirror(chartIn('search'), 'search-v2', props({ methods: [HttpMethod.GET, HttpMethod.POST], productionDependencies: [EgressTarget.namespace('orders')] })))
      .toThrow("test/search-v2: invalid 'sideEffects': must be SideEffects.isolated({ allowEgressTo: [...] }) with the shadow's sandbox dependencies when writes are mirrored (methods include POST): the shadow repeats every write it receives, got SideEffects.none()");
  });

  test('fails when writes are mirrored and no production dependency is declared', () => {
    expect(() => new ShadowMirror(chartIn('search'), 'search-v2', props({ ...mirroringWrites(), methods: [HttpMethod.PUT, HttpMethod.DELETE], productionDependencies: undefined })))
      .toThrow("test/search-v2: invalid 'productionDependencies': must list the production systems the sandbox stands in for when writes are mirrored (methods include PUT, DELETE), so that no allowlist entry can reach them, got []");
  });

  test.each([
    [[], "invalid 'methods': must list at least one HttpMethod, got []"],
    [['TRACE'], "invalid 'methods[0]': must be an HttpMethod (GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE), got 'TRACE'"],
    [[HttpMethod.GET, HttpMethod.GET], "invalid 'methods': must not repeat a method, got ['GET', 'GET']"],
  ])('fails when methods is %p', (methods, message) => {
    expect(() => new ShadowMirror(chartIn('search'), 'search-v2', props({ methods: methods as HttpMethod[] })))
      .toThrow(`test/search-v2: ${message}`);
  });

  test.each([
    [[], "invalid 'paths': must list 1 to 8 PathMatch when given, got []"],
    [Array.from({ length: 9 }, (_, i) => PathMatch.exact(`/p${i}`)), "invalid 'paths': must list 1 to 8 PathMatch when given, got [exact '/p0', exact '/p1', exact '/p2', exact '/p3', exact '/p4', exact '/p5', exact '/p6', exact '/p7', exact '/p8']"],
    [['/api'], "invalid 'paths[0]': must be a PathMatch (PathMatch.exact() or PathMatch.prefix()), got '/api'"],
    [[PathMatch.prefix('/a'), PathMatch.prefix('/a')], "invalid 'paths': must not repeat a path, got [prefix '/a', prefix '/a']"],
  ])('fails when paths is %p', (paths, message) => {
    expect(() => new ShadowMirror(chartIn('search'), 'search-v2', props({ paths: paths as PathMatch[] })))
      .toThrow(`test/search-v2: ${message}`);
  });

  test.each(['api', '/api//v1', '/api/../admin', '/a%2fb', '/api/', '/a b', '/x#y'])('fails when a path match is %p', (path) => {
    expect(() => PathMatch.prefix(path))
      .toThrow(`PathMatch.prefix(): invalid 'path': must be a URL path starting with '/' (at most 1024 characters; no '//', '/./', '/../' or '%2f'; a prefix does not end with '/'), got '${path}'`);
  });

  test('fails when the shadow has the production Service name', () => {
    expect(() => new ShadowMirror(chartIn('search'), 'shadow', props({ name: 'search' })))
      .toThrow("test/shadow: invalid 'name': must differ from the production Service 'search' (the shadow Service would replace it), got 'search'");
  });

  test('fails when service is not a Service name', () => {
    expect(() => new ShadowMirror(chartIn('search'), 'search-v2', props({ service: 'Search' })))
      .toThrow("test/search-v2: invalid 'service': must be a Service name (DNS-1035 label: lower-case letters, digits and '-', starting with a letter, at most 63 characters), got 'Search'");
  });

  test('fails without a router', () => {
    expect(() => new ShadowMirror(chartIn('search'), 'search-v2', props({ router: undefined as any })))
      .toThrow("test/search-v2: invalid 'router': must be a MirrorRouter (MirrorRouter.istio(), MirrorRouter.gatewayApi() or MirrorRouter.nginx()), got nothing");
  });

  test('fails without a readiness probe unless opted out', () => {
    expect(() => new ShadowMirror(chartIn('search'), 'search-v2', props({ containers: [{ image: 'registry.example.com/search:2.0.0', portNumber: 8080 }] })))
      .toThrow("test/search-v2: invalid 'containers[0].readiness': must be set (e.g. Probe.fromHttpGet('/healthz')), or set allowMissingReadinessProbe: true to opt out, got nothing");
  });

  test('fails when a production dependency is not an EgressTarget', () => {
    expect(() => new ShadowMirror(chartIn('search'), 'search-v2', props({ productionDependencies: ['10.0.0.0/8' as any] })))
      .toThrow("test/search-v2: invalid 'productionDependencies[0]': must be an EgressTarget, got '10.0.0.0/8'");
  });

  test('accepts a shadow whose allowlist is disjoint from production', () => {
    const chart = chartIn('search');
    new ShadowMirror(chart, 'search-v2', props({
      sideEffects: SideEffects.isolated({ allowEgressTo: [EgressTarget.pods({ labels: { app: 'search-index-replica' } })] }),
      productionDependencies: [EgressTarget.pods({ labels: { app: 'search-index-primary' } })],
    }));
    expect(only(synth(chart), 'NetworkPolicy').spec.egress).toHaveLength(3);
  });
});
