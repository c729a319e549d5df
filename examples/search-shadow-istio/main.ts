/**
 * A rewrite of the search service, shadowed at 100% through Istio before it takes any real traffic.
 *
 * Every request to `search` still goes to production; the mesh copies each one to `search-v2` and drops
 * its responses. Search is read-only, but the rewrite still talks to an index: it gets the read replica
 * cluster and nothing else. The primary index cluster (which takes writes from the indexer) and the
 * click-tracking pipeline are declared production dependencies, so pointing the shadow at either fails
 * the synth instead of doubling production writes.
 *
 * The rewrite can check `RELEASE_STRATEGIES_SHADOW=true` to skip its own logging of search sessions; the
 * copies it receives carry the Host `search-shadow` (Envoy appends `-shadow`).
 */
import { App, Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { EgressTarget, MirrorRouter, ShadowMirror, SideEffects } from '@release-constructs/release-strategies';

export function buildApp(outdir?: string): App {
  const app = new App({ outdir });
  const chart = new Chart(app, 'search-shadow', { namespace: 'search' });

  new ShadowMirror(chart, 'search-v2', {
    service: 'search',
    port: 80,
    percent: 100,
    replicas: 3,
    containers: [{
      image: 'registry.example.com/search:2.0.0-rc.4',
      portNumber: 8080,
      readiness: kplus.Probe.fromHttpGet('/ready', { periodSeconds: Duration.seconds(5) }),
      liveness: kplus.Probe.fromHttpGet('/livez'),
      resources: {
        cpu: { request: kplus.Cpu.millis(500), limit: kplus.Cpu.millis(2000) },
        memory: { request: Size.gibibytes(1), limit: Size.gibibytes(2) },
      },
      securityContext: { user: 10001, group: 10001 },
      envVariables: { INDEX_URL: kplus.EnvValue.fromValue('http://search-index-replica.search.svc:9200') },
    }],
    router: MirrorRouter.istio({ host: 'search' }),
    sideEffects: SideEffects.isolated({
      allowEgressTo: [
        EgressTarget.pods({ labels: { 'app.kubernetes.io/name': 'search-index', 'search.example.com/role': 'replica' }, ports: [9200] }),
      ],
    }),
    productionDependencies: [
      EgressTarget.pods({ labels: { 'app.kubernetes.io/name': 'search-index', 'search.example.com/role': 'primary' } }),
      EgressTarget.namespace('click-tracking'),
    ],
  });
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
