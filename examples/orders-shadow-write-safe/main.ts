/**
 * A write-heavy service shadowed safely: orders takes payments and sends emails on POST, so only
 * its reads are copied to the shadow.
 *
 * The shadow gets no `methods`, so the HTTPRoute copies GET, HEAD and OPTIONS only (a `mirrored` rule
 * matching those methods, next to an unmirrored `production` rule): no order is placed twice. The
 * shadow reads the sandbox replica of the orders database with its own sandbox Secret; the production
 * workload (the blue/green `orders` service in the same app) uses `orders-db`, and a shadow that
 * referenced it would fail the synth. Production declares two pieces of background work in a pod
 * annotation, the order-queue consumer and the reminder scheduler; the shadow turns both off, one by
 * environment variable and one by flag, or it would not synthesize.
 */
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  BackgroundWork, BlueGreenEngine, BlueGreenService, EgressTarget, MirrorRouter, ShadowMirror, SideEffects, Slot,
} from '../../src';

export function buildApp(outdir?: string): App {
  const app = new App({ outdir });
  const chart = new Chart(app, 'orders', { namespace: 'orders' });
  const resources = {
    cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.millis(1000) },
    memory: { request: Size.mebibytes(384), limit: Size.mebibytes(768) },
  };
  const db = kplus.Secret.fromSecretName(chart, 'orders-db', 'orders-db');
  const sandboxDb = kplus.Secret.fromSecretName(chart, 'orders-sandbox-db', 'orders-sandbox-db');
  // The database credentials are mounted as files (/etc/orders/db/password).
  const container = (version: string, secret: kplus.ISecret): kplus.ContainerProps => ({
    image: `registry.example.com/orders:${version}`,
    portNumber: 8080,
    readiness: kplus.Probe.fromHttpGet('/ready', { periodSeconds: Duration.seconds(5) }),
    resources,
    securityContext: { user: 10001, group: 10001 },
    volumeMounts: [{ path: '/etc/orders/db', volume: kplus.Volume.fromSecret(chart, `${secret.name}-volume`, secret, { name: 'db' }) }],
  });

  // Production: orders 4.2.0, blue/green; its pods declare the work they do besides serving requests.
  new BlueGreenService(chart, 'orders', {
    containers: [container('4.2.0', db)],
    port: 80,
    replicas: 4,
    podAnnotations: { [BackgroundWork.ANNOTATION]: 'order-consumer,reminder-scheduler' },
    engine: BlueGreenEngine.native({ live: Slot.BLUE }),
  });

  // The shadow: orders 5.0.0 against the sandbox replica, reads only.
  new ShadowMirror(chart, 'orders-v5', {
    service: 'orders',
    port: 80,
    percent: 25,
    replicas: 2,
    containers: [{
      ...container('5.0.0', sandboxDb),
      envVariables: { DATABASE_HOST: kplus.EnvValue.fromValue('orders-replica.orders-sandbox.svc') },
    }],
    router: MirrorRouter.gatewayApi({ gateway: 'public', gatewayNamespace: 'gateway-system', hostnames: ['orders.example.com'], httpRoute: 'orders' }),
    sideEffects: SideEffects.isolated({
      allowEgressTo: [EgressTarget.pods({ namespace: 'orders-sandbox', labels: { 'app.kubernetes.io/name': 'orders-replica' }, ports: [5432] })],
    }),
    productionDependencies: [
      EgressTarget.pods({ namespace: 'orders', labels: { 'app.kubernetes.io/name': 'postgres' } }),
      EgressTarget.namespace('payments'),
      EgressTarget.namespace('mail'),
    ],
    backgroundWork: [
      BackgroundWork.disabledByEnv('order-consumer', { variable: 'ORDER_CONSUMER_ENABLED', value: 'false' }),
      BackgroundWork.disabledByFlag('reminder-scheduler', { flag: '--scheduler=off' }),
    ],
  });
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
