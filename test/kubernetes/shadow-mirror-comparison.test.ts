import { Chart, Testing } from 'cdk8s';
import { Env, Probe, Secret } from 'cdk8s-plus-28';
import { chartIn, DNS_RULE, find, synth } from './shadow-fixtures';
import {
  BackgroundWork, CanaryRollout, EgressTarget, HttpMethod, Interval, MirrorRouter, ResponseComparison, RolloutEngine, RolloutPlan,
  ShadowMirror, ShadowMirrorProps, ShadowState, SideEffects, Step, TrafficRouter,
} from '../../src';

const baselineContainers = [{ image: 'registry.example.com/search:1.9.3', portNumber: 9090, readiness: Probe.fromHttpGet('/ready') }];
function props(overrides: Partial<ShadowMirrorProps> = {}): ShadowMirrorProps {
  return {
    service: 'search',
    port: 80,
    percent: 100,
    containers: [{ image: 'registry.example.com/search:2.0.0', portNumber: 8080, readiness: Probe.fromHttpGet('/ready') }],
    router: MirrorRouter.gatewayApi({ gateway: 'public' }),
    sideEffects: SideEffects.isolated({ allowEgressTo: [EgressTarget.pods({ labels: { app: 'index-replica' }, ports: [9200] })] }),
    comparison: ResponseComparison.mroki({ baselineContainers, ignoredFields: ['body.took', 'headers.Date'] }),
    ...overrides,
  };
}

const envOf = (deployment: any) => Object.fromEntries(deployment.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));

describe('mroki comparison', () => {
  test('the router copies requests to the comparison proxy instead of the shadow', () => {
    const chart = chartIn('search');
    const shadow = new ShadowMirror(chart, 'search-v2', props());
    const mirrored = find(synth(chart), 'HTTPRoute', 'search-v2').spec.rules[0];
    expect(mirrored.filters[0].requestMirror).toEqual({ backendRef: { name: 'search-v2-compare', port: 80 }, percent: 100 });
    expect(mirrored.backendRefs).toEqual([{ name: 'search', port: 80 }]);
    expect(shadow.requestMarker).toBe("header 'X-Mroki-Mode: shadow' (added by the comparison proxy)");
  });

  test('the compare proxy compares the shadow with the primary reached through the noise proxy', () => {
    const chart = chartIn('search');
    new ShadowMirror(chart, 'search-v2', props());
    const objects = synth(chart);
    const compare = find(objects, 'Deployment', 'search-v2-compare');
    expect(envOf(compare)).toEqual({
      MROKI_APP_PORT: '8080',
      MROKI_APP_ADMIN_PORT: '8081',
      MROKI_APP_LIVE_URL: 'http://search-v2-noise:80',
      MROKI_APP_SHADOW_URL: 'http://search-v2:80',
      MROKI_APP_DIFF_IGNORED_FIELDS: 'body.took,headers.Date',
      RELEASE_STRATEGIES_SHADOW: 'true',
    });
    expect(envOf(find(objects, 'Deployment', 'search-v2-noise'))).toEqual({
      MROKI_APP_PORT: '8080',
      MROKI_APP_ADMIN_PORT: '8081',
      MROKI_APP_LIVE_URL: 'http://search-v2-primary:80',
      MROKI_APP_SHADOW_URL: 'http://search-v2-secondary:80',
      MROKI_APP_DIFF_IGNORED_FIELDS: 'body.took,headers.Date',
      RELEASE_STRATEGIES_SHADOW: 'true',
    });
    const pod = compare.spec.template;
    expect(pod.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8081', 'prometheus.io/path': '/metrics' });
    const container = pod.spec.containers[0];
    expect(container.image).toBe('ghcr.io/pedrobarco/mroki/mroki-proxy:1.9.0');
    expect(container.ports).toEqual([{ containerPort: 8080, name: 'proxy' }, { containerPort: 8081, name: 'admin' }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 8081, scheme: 'HTTP' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 8081, scheme: 'HTTP' });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false });
    expect(find(objects, 'Service', 'search-v2-compare').spec).toEqual({
      type: 'ClusterIP',
      selector: { 'app.kubernetes.io/name': 'search-v2-compare' },
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
    });
  });

  test('comparison settings reach both proxies', () => {
    const chart = chartIn('search');
    new ShadowMirror(chart, 'search-v2', props({
      comparison: ResponseComparison.mroki({ baselineContainers, floatTolerance: 0.001, sortArrays: true, shadowTimeoutSeconds: 20, image: 'registry.example.com/mirror/mroki-proxy:1.9.0' }),
    }));
    const objects = synth(chart);
    for (const name of ['search-v2-compare', 'search-v2-noise']) {
      const d = find(objects, 'Deployment', name);
      expect(envOf(d)).toMatchObject({ MROKI_APP_DIFF_FLOAT_TOLERANCE: '0.001', MROKI_APP_DIFF_SORT_ARRAYS: 'true', MROKI_APP_SHADOW_TIMEOUT: '20s' });
      expect(envOf(d).MROKI_APP_DIFF_IGNORED_FIELDS).toBeUndefined();
      expect(d.spec.template.spec.containers[0].image).toBe('registry.example.com/mirror/mroki-proxy:1.9.0');
    }
  });

  test('with writes mirrored, the proxies pass the listed write methods on to the shadow and the secondary', () => {
    const chart = chartIn('search');
    new ShadowMirror(chart, 'search-v2', props({ methods: [HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE], productionDependencies: [EgressTarget.namespace('search-index')] }));
    const objects = synth(chart);
    expect(envOf(find(objects, 'Deployment', 'search-v2-compare')).MROKI_APP_SHADOW_RULES).toBe('allow POST:*,allow DELETE:*');
    expect(envOf(find(objects, 'Deployment', 'search-v2-noise')).MROKI_APP_SHADOW_RULES).toBe('allow POST:*,allow DELETE:*');
  });

  test('primary and secondary run the production version, marked and isolated like the shadow, with its background work off', () => {
    const chart = chartIn('search');
    new ShadowMirror(chart, 'search-v2', props({
      replicas: 3,
      backgroundWork: [BackgroundWork.disabledByEnv('reindexer', { variable: 'REINDEXER_ENABLED', value: 'false' })],
    }));
    const objects = synth(chart);
    for (const role of ['primary', 'secondary']) {
      const d = find(objects, 'Deployment', `search-v2-${role}`);
      expect(d.spec.replicas).toBe(3);
      expect(d.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': `search-v2-${role}` } });
      expect(d.spec.template.metadata.labels).toEqual({
        'app.kubernetes.io/name': `search-v2-${role}`,
        'app.kubernetes.io/version': '1.9.3',
        'release-strategies.dev/baseline-of': 'search-v2',
        'release-strategies.dev/shadow': 'true',
      });
      expect(d.spec.template.spec.containers[0].image).toBe('registry.example.com/search:1.9.3');
      expect(envOf(d)).toEqual({ REINDEXER_ENABLED: 'false', RELEASE_STRATEGIES_SHADOW: 'true' });
      expect(find(objects, 'Service', `search-v2-${role}`).spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 9090, protocol: 'TCP' }]);
    }
    expect(find(objects, 'NetworkPolicy', 'search-v2-baseline-egress').spec).toEqual({
      podSelector: { matchLabels: { 'release-strategies.dev/baseline-of': 'search-v2' } },
      policyTypes: ['Egress'],
      egress: [DNS_RULE, { to: [{ podSelector: { matchLabels: { app: 'index-replica' } } }], ports: [{ protocol: 'TCP', port: 9200 }] }],
    });
  });

  test('the proxies may reach only the shadow, the production copies and each other', () => {
    const chart = chartIn('search');
    new ShadowMirror(chart, 'search-v2', props());
    const pods = (name: string, port: number) => ({ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': name } } }], ports: [{ protocol: 'TCP', port }] });
    expect(find(synth(chart), 'NetworkPolicy', 'search-v2-comparison-egress').spec).toEqual({
      podSelector: { matchLabels: { 'release-strategies.dev/comparison-of': 'search-v2' } },
      policyTypes: ['Egress'],
      egress: [DNS_RULE, pods('search-v2', 8080), pods('search-v2-primary', 9090), pods('search-v2-secondary', 9090), pods('search-v2-noise', 8080)],
    });
  });

  test('with Istio, every pod that takes mirrored traffic gets the sidecar and istiod egress', () => {
    const chart = chartIn('search');
    new ShadowMirror(chart, 'search-v2', props({ router: MirrorRouter.istio() }));
    const objects = synth(chart);
    for (const name of ['search-v2-primary', 'search-v2-compare', 'search-v2-noise']) {
      expect(find(objects, 'Deployment', name).spec.template.metadata.labels['sidecar.istio.io/inject']).toBe('true');
    }
    for (const name of ['search-v2-baseline-egress', 'search-v2-comparison-egress']) {
      expect(find(objects, 'NetworkPolicy', name).spec.egress.at(-1).ports).toEqual([{ protocol: 'TCP', port: 15012 }]);
    }
    expect(find(objects, 'VirtualService', 'search-v2').spec.http[0].mirror).toEqual({ host: 'search-v2-compare', port: { number: 80 } });
  });

  test('a shadow paused and scaled to zero scales every comparison Deployment to zero', () => {
    const chart = chartIn('search');
    new ShadowMirror(chart, 'search-v2', props({ state: ShadowState.PAUSED_SCALED_TO_ZERO }));
    const deployments = synth(chart).filter((o) => o.kind === 'Deployment');
    expect(deployments.map((d) => [d.metadata.name, d.spec.replicas])).toEqual([
      ['search-v2', 0], ['search-v2-primary', 0], ['search-v2-secondary', 0], ['search-v2-compare', 0], ['search-v2-noise', 0],
    ]);
  });

  test('fails when a production copy references a declared production credential', () => {
    const chart = chartIn('search');
    const live = Secret.fromSecretName(chart, 'live', 'search-live-keys');
    expect(() => new ShadowMirror(chart, 'search-v2', props({
      productionCredentials: ['search-live-keys'],
      comparison: ResponseComparison.mroki({ baselineContainers: [{ ...baselineContainers[0], envFrom: [Env.fromSecret(live)] }] }),
    }))).toThrow("test/search-v2: invalid 'comparison.baselineContainers': must not reference a production credential (Secret 'search-live-keys': it is productionCredentials[0]); give the shadow a sandbox Secret, got Secret 'search-live-keys' in envFrom of container 'main'");
  });
});

describe('difference gate', () => {
  test('a Prometheus gate on the shadow\'s difference rate minus the noise rate', () => {
    const shadow = new ShadowMirror(chartIn('search'), 'search-v2', props());
    const gate = shadow.differenceGate({ name: 'shadow-differences', prometheusAddress: 'http://prometheus.monitoring:9090', maxDifferencePercent: 0.5, window: Interval.minutes(10), count: 5 });
    const rate = (pods: string, match: string) => `sum(rate(mroki_responses_compared_total{namespace="search",pod=~"${pods}-[a-z0-9]+-[a-z0-9]+"${match}}[10m]))`;
    const percent = (pods: string) => `100 * ((${rate(pods, ',result!="match"')} or vector(0)) / ${rate(pods, '')})`;
    expect(gate.queryText()).toBe(`${percent('search-v2-compare')} - ${percent('search-v2-noise')}`);
    expect(gate.prometheusOptions?.address).toBe('http://prometheus.monitoring:9090');
    expect(gate.threshold?.max).toBe(0.5);
    expect(gate.threshold?.min).toBeUndefined();
    expect(gate.count).toBe(5);
  });

  test('a canary plan can require shadow differences below a limit before any live traffic', () => {
    const chart = new Chart(Testing.app(), 'search', { namespace: 'search' });
    const shadow = new ShadowMirror(chart, 'search-v2', props());
    const differences = shadow.differenceGate({ name: 'shadow-differences', prometheusAddress: 'http://prometheus.monitoring:9090', maxDifferencePercent: 1 });
    new CanaryRollout(chart, 'search-canary', {
      name: 'search',
      containers: [{ image: 'registry.example.com/search:2.0.0', portNumber: 8080, readiness: Probe.fromHttpGet('/ready') }],
      port: 80,
      plan: RolloutPlan.steps([Step.analysis(differences), Step.setWeight(10), Step.bake(Interval.minutes(5))]),
      engine: RolloutEngine.argoRollouts(),
      trafficRouter: TrafficRouter.gatewayApi({ gateway: 'public' }),
    });
    const objects = synth(chart);
    const steps = objects.find((o) => o.kind === 'Rollout').spec.strategy.canary.steps;
    expect(steps[0].analysis.templates).toEqual([{ templateName: expect.stringContaining('shadow-differences') }]);
    expect(steps[1]).toEqual({ setWeight: 10 });
    const template = objects.find((o) => o.kind === 'AnalysisTemplate' && o.metadata.name === steps[0].analysis.templates[0].templateName);
    const metric = template.spec.metrics.find((m: any) => m.name === 'shadow-differences');
    expect(metric.provider.prometheus.query).toBe(differences.queryText());
    expect(metric.successCondition).toContain('<= 1');
  });

  test('fails without a comparison', () => {
    const shadow = new ShadowMirror(chartIn('search'), 'search-v2', props({ comparison: undefined }));
    expect(() => shadow.differenceGate({ name: 'd', prometheusAddress: 'http://prometheus:9090', maxDifferencePercent: 1 }))
      .toThrow("test/search-v2: invalid 'comparison': must be set to read differences (comparison: ResponseComparison.mroki(...)), got nothing");
  });

  test('fails when the chart has no namespace', () => {
    const shadow = new ShadowMirror(chartIn(), 'search-v2', props());
    expect(() => shadow.differenceGate({ name: 'd', prometheusAddress: 'http://prometheus:9090', maxDifferencePercent: 1 }))
      .toThrow("test/search-v2: invalid 'differenceGate': needs the shadow's namespace to select the comparison proxies' metrics: give the Chart a namespace, got nothing");
  });

  test.each([-1, 101, Number.NaN])('fails when maxDifferencePercent is %p', (maxDifferencePercent) => {
    const shadow = new ShadowMirror(chartIn('search'), 'search-v2', props());
    expect(() => shadow.differenceGate({ name: 'd', prometheusAddress: 'http://prometheus:9090', maxDifferencePercent }))
      .toThrow(`test/search-v2: invalid 'maxDifferencePercent': must be a number from 0 to 100, got ${maxDifferencePercent}`);
  });
});

describe('comparison refusals', () => {
  test.each([
    [() => ResponseComparison.mroki({ baselineContainers: [] }), "ResponseComparison.mroki(): invalid 'baselineContainers': must have at least one container (the production version), got []"],
    [() => ResponseComparison.mroki({ baselineContainers, ignoredFields: ['body.a,body.b'] }), "ResponseComparison.mroki(): invalid 'ignoredFields[0]': must be a gjson path without spaces or commas (e.g. body.requestId), got 'body.a,body.b'"],
    [() => ResponseComparison.mroki({ baselineContainers, floatTolerance: -0.1 }), `ResponseComparison.mroki(): invalid 'floatTolerance': must be a number from 0 to ${Number.MAX_SAFE_INTEGER}, got -0.1`],
    [() => ResponseComparison.mroki({ baselineContainers, shadowTimeoutSeconds: 0 }), "ResponseComparison.mroki(): invalid 'shadowTimeoutSeconds': must be a whole number from 1 to 300, got 0"],
    [() => ResponseComparison.mroki({ baselineContainers, image: 'mroki proxy' }), "ResponseComparison.mroki(): invalid 'image': must be a container image reference, got 'mroki proxy'"],
  ])('fails with bad comparison options (%#)', (make, message) => {
    expect(make).toThrow(message);
  });

  test('fails when a production copy has no readiness probe', () => {
    expect(() => new ShadowMirror(chartIn('search'), 'search-v2', props({
      comparison: ResponseComparison.mroki({ baselineContainers: [{ image: 'registry.example.com/search:1.9.3', portNumber: 9090 }] }),
    }))).toThrow("test/search-v2: invalid 'comparison.baselineContainers[0].readiness': must be set (e.g. Probe.fromHttpGet('/healthz')), or set allowMissingReadinessProbe: true to opt out, got nothing");
  });

  test('fails when the shadow name leaves no room for the comparison objects\' names', () => {
    const name = 'search-shadow-of-the-rewritten-service';
    expect(() => new ShadowMirror(chartIn('search'), 'shadow', props({ name })))
      .toThrow(`test/shadow: invalid 'name': must be at most 37 characters with a comparison (its objects are called '${name}-secondary' and the like, at most 47), got '${name}'`);
  });

  test('fails when comparison is not a ResponseComparison', () => {
    expect(() => new ShadowMirror(chartIn('search'), 'search-v2', props({ comparison: { image: 'mroki' } as any })))
      .toThrow("test/search-v2: invalid 'comparison': must be a ResponseComparison (ResponseComparison.mroki()), got {\"image\":\"mroki\"}");
  });
});
