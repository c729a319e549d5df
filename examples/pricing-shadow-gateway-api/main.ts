/**
 * A new pricing engine shadowed at 20% through Gateway API, writing to a sandbox database.
 *
 * Pricing writes every quote it computes. The shadow gets a copy of one request in five from the
 * `public` Gateway and writes its quotes to the sandbox PostgreSQL in `pricing-sandbox`; the production
 * database (in-cluster in `pricing`, plus the managed replica subnet) and the payments namespace are
 * declared production dependencies, so the NetworkPolicy cannot be widened to reach them without the
 * synth failing.
 *
 * This HTTPRoute takes the production route's name (`pricing`) so that it replaces it: it still sends
 * every request to the production `pricing` Service. When the shadow is removed, restore the plain route
 * in the same change.
 */
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { EgressTarget, MirrorRouter, ShadowMirror, SideEffects } from '@release-constructs/release-strategies';

export function buildApp(outdir?: string): App {
  const app = new App({ outdir });
  const chart = new Chart(app, 'pricing-shadow', { namespace: 'pricing' });

  new ShadowMirror(chart, 'pricing-v3', {
    service: 'pricing',
    port: 8080,
    percent: 20,
    replicas: 2,
    containers: [{
      image: 'registry.example.com/pricing:3.0.0',
      portNumber: 8080,
      readiness: kplus.Probe.fromHttpGet('/health/ready', { periodSeconds: Duration.seconds(5) }),
      resources: {
        cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.millis(1000) },
        memory: { request: Size.mebibytes(384), limit: Size.mebibytes(768) },
      },
      securityContext: { user: 10001, group: 10001 },
      envVariables: { DATABASE_HOST: kplus.EnvValue.fromValue('postgres.pricing-sandbox.svc') },
    }],
    router: MirrorRouter.gatewayApi({
      gateway: 'public',
      gatewayNamespace: 'gateway-system',
      hostnames: ['pricing.example.com'],
      httpRoute: 'pricing',
    }),
    sideEffects: SideEffects.isolated({
      allowEgressTo: [
        EgressTarget.pods({ namespace: 'pricing-sandbox', labels: { 'app.kubernetes.io/name': 'postgres' }, ports: [5432] }),
      ],
    }),
    productionDependencies: [
      EgressTarget.pods({ namespace: 'pricing', labels: { 'app.kubernetes.io/name': 'postgres' } }),
      EgressTarget.cidr('10.42.16.0/20', { ports: [5432] }),
      EgressTarget.namespace('payments'),
    ],
  });
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
