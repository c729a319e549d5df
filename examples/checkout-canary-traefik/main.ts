/**
 * The checkout plan and gates of examples/checkout-canary-gateway-api behind Traefik v3, through both
 * engines: Argo Rollouts moves the weights in the TraefikService the construct emits (the controller
 * runs with --traefik-api-group traefik.io --traefik-api-version traefik.io/v1alpha1), and Flagger
 * (provider traefik) creates its own TraefikService behind the IngressRoute. Flagger also gets a
 * pre-rollout smoke test and a manual rollback trigger on its load tester, and an autoscaler.
 */
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { checkoutPlan } from '../checkout-canary-gateway-api/main';
import { CanaryRollout, FlaggerWebhook, RolloutEngine, TrafficRouter } from '@release-constructs/release-strategies';

const LOAD_TESTER = 'http://flagger-loadtester.test/';

export function buildApp(outdir?: string): App {
  const app = new App({ outdir });
  const containers: kplus.ContainerProps[] = [{ image: 'registry.example.com/checkout:2.4.0', portNumber: 8080, readiness: kplus.Probe.fromHttpGet('/healthz') }];

  const argo = new Chart(app, 'shop', { namespace: 'shop' });
  new CanaryRollout(argo, 'checkout', {
    containers,
    replicas: 10,
    port: 80,
    plan: checkoutPlan(),
    engine: RolloutEngine.argoRollouts({ scaleDownDelaySeconds: 30 }),
    trafficRouter: TrafficRouter.traefik({ hosts: ['shop.example.com'], entryPoints: ['websecure'], tlsSecretName: 'shop-example-com-tls' }),
  });

  const flagger = new Chart(app, 'shop-eu', { namespace: 'shop-eu' });
  new CanaryRollout(flagger, 'checkout', {
    containers,
    port: 80,
    autoscaling: { minReplicas: 4, maxReplicas: 20, cpuUtilizationPercent: 70 },
    plan: checkoutPlan(),
    engine: RolloutEngine.flagger({
      loadTesterUrl: LOAD_TESTER,
      loadTestCommand: 'hey -z 1m -q 10 -c 2 http://checkout-canary.shop-eu/',
      webhooks: [
        FlaggerWebhook.preRollout({ name: 'smoke', command: 'curl -fsS http://checkout-canary.shop-eu/healthz', timeoutSeconds: 30 }),
        FlaggerWebhook.rollback({ name: 'manual-rollback' }),
      ],
    }),
    trafficRouter: TrafficRouter.traefik({ hosts: ['eu.shop.example.com'], entryPoints: ['websecure'], tlsSecretName: 'eu-shop-example-com-tls' }),
  });
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
