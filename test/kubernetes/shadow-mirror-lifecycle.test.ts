import { App, Chart, Testing } from 'cdk8s';
import { EnvValue, Probe, Secret, Volume, Env, k8s } from 'cdk8s-plus-28';
import { chartIn, find, synth } from './shadow-fixtures';
import {
  BackgroundWork, EgressTarget, HttpMethod, MirrorRouter, ShadowMirror, ShadowMirrorProps, ShadowState, SideEffects,
} from '../../src';

function props(overrides: Partial<ShadowMirrorProps> = {}): ShadowMirrorProps {
  return {
    service: 'orders',
    port: 80,
    containers: [{ image: 'registry.example.com/orders:5.0.0', portNumber: 8080, readiness: Probe.fromHttpGet('/ready') }],
    percent: 50,
    router: MirrorRouter.gatewayApi({ gateway: 'public' }),
    sideEffects: SideEffects.none(),
    ...overrides,
  };
}

/** The production workload of Service 'orders', as a plain Deployment and Service in the same app. */
function production(chart: Chart, podSpec: Partial<k8s.PodSpec> = {}, annotations?: { [key: string]: string }): void {
  new k8s.KubeService(chart, 'orders-service', { metadata: { name: 'orders' }, spec: { selector: { app: 'orders' }, ports: [{ port: 80 }] } });
  new k8s.KubeDeployment(chart, 'orders-deployment', {
    metadata: { name: 'orders' },
    spec: {
      selector: { matchLabels: { app: 'orders' } },
      template: {
        metadata: { labels: { app: 'orders', tier: 'web' }, annotations },
        spec: { containers: [{ name: 'main', image: 'registry.example.com/orders:4.2.0' }], ...podSpec },
      },
    },
  });
}

/** Validation errors of the whole app (what `cdk8s synth` prints), or '' when it synthesizes. */
function synthErrorOf(chart: Chart): string {
  try {
    (chart.node.root as App).synthYaml();
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

describe('paused shadow', () => {
  test('PAUSED copies nothing, keeps the route to production, the pods and the isolation policy', () => {
    const chart = chartIn('orders');
    const shadow = new ShadowMirror(chart, 'orders-v5', props({ state: ShadowState.PAUSED, replicas: 3 }));
    const objects = synth(chart);
    expect(find(objects, 'HTTPRoute', 'orders-v5').spec.rules).toEqual([{ name: 'production', backendRefs: [{ name: 'orders', port: 80 }] }]);
    expect(find(objects, 'Deployment', 'orders-v5').spec.replicas).toBe(3);
    expect(find(objects, 'NetworkPolicy', 'orders-v5-shadow-egress').spec.policyTypes).toEqual(['Egress']);
    expect(shadow.state).toBe('paused');
    expect(shadow.percent).toBe(50);
  });

  test('PAUSED_SCALED_TO_ZERO also scales the shadow to zero pods', () => {
    const chart = chartIn('orders');
    new ShadowMirror(chart, 'orders-v5', props({ state: ShadowState.PAUSED_SCALED_TO_ZERO, router: MirrorRouter.istio() }));
    const objects = synth(chart);
    expect(find(objects, 'Deployment', 'orders-v5').spec.replicas).toBe(0);
    expect(find(objects, 'VirtualService', 'orders-v5').spec.http).toEqual([
      { name: 'production', route: [{ destination: { host: 'orders', port: { number: 80 } } }] },
    ]);
    expect(find(objects, 'NetworkPolicy', 'orders-v5-shadow-egress').spec.egress).toHaveLength(2);
  });

  test('a paused NGINX shadow keeps its Ingress to production without mirror annotations', () => {
    const chart = chartIn('orders');
    new ShadowMirror(chart, 'orders-v5', props({
      state: ShadowState.PAUSED,
      percent: 100,
      methods: [HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE],
      sideEffects: SideEffects.isolated({ allowEgressTo: [EgressTarget.namespace('orders-sandbox')] }),
      productionDependencies: [EgressTarget.namespace('payments')],
      router: MirrorRouter.nginx({ host: 'orders.example.com' }),
    }));
    const ingress = find(synth(chart), 'Ingress', 'orders-v5');
    expect(ingress.metadata.annotations).toBeUndefined();
    expect(ingress.spec.rules[0].http.paths[0].backend).toEqual({ service: { name: 'orders', port: { number: 80 } } });
  });

  test('fails with an unknown state', () => {
    expect(() => new ShadowMirror(chartIn('orders'), 'orders-v5', props({ state: 'stopped' as ShadowState })))
      .toThrow("test/orders-v5: invalid 'state': must be a ShadowState, got 'stopped'");
  });
});

describe('background work', () => {
  test('an environment variable turns work off in every container, a flag in the container it names', () => {
    const chart = chartIn('orders');
    new ShadowMirror(chart, 'orders-v5', props({
      containers: [
        { image: 'registry.example.com/orders:5.0.0', portNumber: 8080, readiness: Probe.fromHttpGet('/ready'), args: ['serve'] },
        { name: 'worker', image: 'registry.example.com/orders-worker:5.0.0', envVariables: { ORDER_CONSUMER_ENABLED: EnvValue.fromValue('true') } },
      ],
      backgroundWork: [
        BackgroundWork.disabledByEnv('order-consumer', { variable: 'ORDER_CONSUMER_ENABLED', value: 'false' }),
        BackgroundWork.disabledByFlag('reminder-scheduler', { flag: '--scheduler=false' }),
        BackgroundWork.disabledByFlag('cleanup', { flag: '--no-cleanup', container: 'worker' }),
      ],
    }));
    const [main, worker] = find(synth(chart), 'Deployment', 'orders-v5').spec.template.spec.containers;
    expect(main.args).toEqual(['serve', '--scheduler=false']);
    expect(worker.args).toEqual(['--no-cleanup']);
    for (const c of [main, worker]) {
      expect(c.env.filter((e: any) => e.name === 'ORDER_CONSUMER_ENABLED')).toEqual([{ name: 'ORDER_CONSUMER_ENABLED', value: 'false' }]);
    }
  });

  test('synthesizes when every background work the production workload declares is turned off', () => {
    const chart = chartIn('orders');
    production(chart, {}, { [BackgroundWork.ANNOTATION]: 'order-consumer, reminder-scheduler' });
    new ShadowMirror(chart, 'orders-v5', props({
      backgroundWork: [
        BackgroundWork.disabledByEnv('order-consumer', { variable: 'ORDER_CONSUMER_ENABLED', value: 'false' }),
        BackgroundWork.disabledByFlag('reminder-scheduler', { flag: '--scheduler=false' }),
      ],
    }));
    expect(synthErrorOf(chart)).toBe('');
  });

  test('fails at synth when the production workload declares background work the shadow does not turn off', () => {
    const chart = chartIn('orders');
    production(chart, {}, { [BackgroundWork.ANNOTATION]: 'order-consumer,reminder-scheduler' });
    new ShadowMirror(chart, 'orders-v5', props({
      backgroundWork: [BackgroundWork.disabledByEnv('order-consumer', { variable: 'ORDER_CONSUMER_ENABLED', value: 'false' })],
    }));
    expect(synthErrorOf(chart)).toBe("Validation failed with the following errors:\n  [test/orders-v5] invalid 'backgroundWork': must turn off every background work the production workload of Service 'orders' declares (Deployment 'orders', annotation release-strategies.dev/background-work: order-consumer, reminder-scheduler); missing reminder-scheduler: add BackgroundWork.disabledByEnv() or BackgroundWork.disabledByFlag() for each, got [order-consumer (ORDER_CONSUMER_ENABLED=false)]");
  });

  test('fails at synth when the production workload declares background work and the shadow declares none', () => {
    const chart = chartIn('orders');
    production(chart, {}, { [BackgroundWork.ANNOTATION]: 'order-consumer' });
    new ShadowMirror(chart, 'orders-v5', props());
    expect(synthErrorOf(chart)).toBe("Validation failed with the following errors:\n  [test/orders-v5] invalid 'backgroundWork': must turn off every background work the production workload of Service 'orders' declares (Deployment 'orders', annotation release-strategies.dev/background-work: order-consumer); missing order-consumer: add BackgroundWork.disabledByEnv() or BackgroundWork.disabledByFlag() for each, got []");
  });

  test('a production workload in another namespace is not this service', () => {
    const app = Testing.app();
    production(chartIn('other', app), {}, { [BackgroundWork.ANNOTATION]: 'order-consumer' });
    const chart = new Chart(app, 'shadow', { namespace: 'orders' });
    new ShadowMirror(chart, 'orders-v5', props());
    expect(synthErrorOf(chart)).toBe('');
  });

  test.each([
    [() => BackgroundWork.disabledByEnv('Order Consumer', { variable: 'X', value: 'false' }), "BackgroundWork.disabledByEnv(): invalid 'name': must be lower-case letters, digits and '-' (at most 63 characters), as listed in the production workload's annotation, got 'Order Consumer'"],
    [() => BackgroundWork.disabledByEnv('consumer', { variable: '1X', value: 'false' }), "BackgroundWork.disabledByEnv(): invalid 'variable': must be an environment variable name (letters, digits, '_', '-' and '.', not starting with a digit), got '1X'"],
    [() => BackgroundWork.disabledByFlag('scheduler', { flag: ' --x' }), "BackgroundWork.disabledByFlag(): invalid 'flag': must be a non-empty argument without leading or trailing spaces, got ' --x'"],
  ])('fails with a malformed declaration (%#)', (make, message) => {
    expect(make).toThrow(message);
  });

  test.each([
    [[BackgroundWork.disabledByFlag('cleanup', { flag: '--no-cleanup', container: 'worker' })], "invalid 'backgroundWork[0].container': must name a container of containers ('main'), got 'worker'"],
    [[BackgroundWork.disabledByEnv('a', { variable: 'RELEASE_STRATEGIES_SHADOW', value: 'false' })], "invalid 'backgroundWork[0]': must not set RELEASE_STRATEGIES_SHADOW (the shadow marker), got a (RELEASE_STRATEGIES_SHADOW=false)"],
    [[BackgroundWork.disabledByEnv('a', { variable: 'X', value: '0' }), BackgroundWork.disabledByEnv('a', { variable: 'Y', value: '0' })], "invalid 'backgroundWork': must not name the same work twice, got [a (X=0), a (Y=0)]"],
    [[BackgroundWork.disabledByEnv('a', { variable: 'X', value: '0' }), BackgroundWork.disabledByEnv('b', { variable: 'X', value: '1' })], "invalid 'backgroundWork[1]': must not give X another value than an earlier entry ('0'), got b (X=1)"],
  ])('fails with background work it cannot render (%#)', (backgroundWork, message) => {
    expect(() => new ShadowMirror(chartIn('orders'), 'orders-v5', props({ backgroundWork })))
      .toThrow(`test/orders-v5: ${message}`);
  });
});

describe('production credentials', () => {
  const db = Secret.fromSecretName(Testing.chart(), 'db', 'orders-db');

  test('fails at synth when the shadow reads a Secret the production workload uses (env)', () => {
    const chart = chartIn('orders');
    production(chart, { containers: [{ name: 'main', image: 'registry.example.com/orders:4.2.0', env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'orders-db', key: 'password' } } }] }] });
    new ShadowMirror(chart, 'orders-v5', props({
      containers: [{ image: 'registry.example.com/orders:5.0.0', portNumber: 8080, readiness: Probe.fromHttpGet('/ready'), envVariables: { DB_PASSWORD: EnvValue.fromSecretValue({ secret: db, key: 'password' }) } }],
    }));
    expect(synthErrorOf(chart)).toBe("Validation failed with the following errors:\n  [test/orders-v5] invalid 'containers': must not reference a Secret that the production workload of Service 'orders' uses (Secret 'orders-db': Deployment 'orders', env DB_PASSWORD of container 'main'); give the shadow a sandbox Secret, or list it in sideEffects' sandboxCredentials if it grants nothing in production, got Secret 'orders-db' in env DB_PASSWORD of container 'main'");
  });

  test('fails at synth when the shadow mounts a Secret the production workload takes with envFrom', () => {
    const chart = chartIn('orders');
    production(chart, { containers: [{ name: 'main', image: 'registry.example.com/orders:4.2.0', envFrom: [{ secretRef: { name: 'orders-db' } }] }] });
    new ShadowMirror(chart, 'orders-v5', props({
      containers: [{ image: 'registry.example.com/orders:5.0.0', portNumber: 8080, readiness: Probe.fromHttpGet('/ready'), volumeMounts: [{ path: '/etc/db', volume: Volume.fromSecret(chart, 'db-volume', db, { name: 'db' }) }] }],
    }));
    expect(synthErrorOf(chart)).toBe("Validation failed with the following errors:\n  [test/orders-v5] invalid 'containers': must not reference a Secret that the production workload of Service 'orders' uses (Secret 'orders-db': Deployment 'orders', envFrom of container 'main'); give the shadow a sandbox Secret, or list it in sideEffects' sandboxCredentials if it grants nothing in production, got Secret 'orders-db' in volume 'db'");
  });

  test('fails at synth when the shadow takes with envFrom a Secret production mounts in a projected volume', () => {
    const chart = chartIn('orders');
    production(chart, { volumes: [{ name: 'creds', projected: { sources: [{ secret: { name: 'orders-db' } }] } }] });
    new ShadowMirror(chart, 'orders-v5', props({
      containers: [{ image: 'registry.example.com/orders:5.0.0', portNumber: 8080, readiness: Probe.fromHttpGet('/ready'), envFrom: [Env.fromSecret(db)] }],
    }));
    expect(synthErrorOf(chart)).toContain("Secret 'orders-db': Deployment 'orders', volume 'creds'); give the shadow a sandbox Secret, or list it in sideEffects' sandboxCredentials if it grants nothing in production, got Secret 'orders-db' in envFrom of container 'main'");
  });

  test('a Secret declared as a sandbox credential may be shared with production', () => {
    const chart = chartIn('orders');
    production(chart, { containers: [{ name: 'main', image: 'registry.example.com/orders:4.2.0', envFrom: [{ secretRef: { name: 'orders-db' } }] }] });
    new ShadowMirror(chart, 'orders-v5', props({
      sideEffects: SideEffects.none({ sandboxCredentials: ['orders-db'] }),
      containers: [{ image: 'registry.example.com/orders:5.0.0', portNumber: 8080, readiness: Probe.fromHttpGet('/ready'), envFrom: [Env.fromSecret(db)] }],
    }));
    expect(synthErrorOf(chart)).toBe('');
  });

  test('fails when the shadow references a declared production credential', () => {
    expect(() => new ShadowMirror(chartIn('orders'), 'orders-v5', props({
      productionCredentials: ['stripe-live', 'orders-db'],
      containers: [{ image: 'registry.example.com/orders:5.0.0', portNumber: 8080, readiness: Probe.fromHttpGet('/ready'), envFrom: [Env.fromSecret(db)] }],
    }))).toThrow("test/orders-v5: invalid 'containers': must not reference a production credential (Secret 'orders-db': it is productionCredentials[1]); give the shadow a sandbox Secret, got Secret 'orders-db' in envFrom of container 'main'");
  });

  test('fails when a Secret is declared both a production and a sandbox credential', () => {
    expect(() => new ShadowMirror(chartIn('orders'), 'orders-v5', props({
      productionCredentials: ['orders-db'],
      sideEffects: SideEffects.none({ sandboxCredentials: ['orders-db'] }),
    }))).toThrow("test/orders-v5: invalid 'productionCredentials[0]': must not also be one of sideEffects' sandboxCredentials, got 'orders-db'");
  });

  test('fails when a sandbox credential is not a Secret name', () => {
    expect(() => SideEffects.none({ sandboxCredentials: ['Orders_DB'] }))
      .toThrow("SideEffects.none(): invalid 'sandboxCredentials[0]': must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', at most 253 characters), got 'Orders_DB'");
  });

  test('Secrets the production workload does not use pass', () => {
    const chart = chartIn('orders');
    production(chart, { containers: [{ name: 'main', image: 'registry.example.com/orders:4.2.0', envFrom: [{ secretRef: { name: 'orders-db' } }] }] });
    const sandbox = Secret.fromSecretName(chart, 'sandbox-db', 'orders-sandbox-db');
    new ShadowMirror(chart, 'orders-v5', props({
      containers: [{ image: 'registry.example.com/orders:5.0.0', portNumber: 8080, readiness: Probe.fromHttpGet('/ready'), envFrom: [Env.fromSecret(sandbox)] }],
    }));
    expect(synthErrorOf(chart)).toBe('');
  });
});
