/** Helpers the ShadowMirror tests share. */
import { App, Chart, Testing } from 'cdk8s';
import { expectValidManifests } from '../schema-validation';

/** The egress rule every shadow policy starts with: DNS to kube-dns. */
export const DNS_RULE = {
  to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
};

/** A chart with path `test`, in `namespace`, in a new app unless one is given. */
export function chartIn(namespace?: string, app: App = Testing.app()): Chart {
  return new Chart(app, 'test', { namespace });
}

/** The chart's objects, each checked against its schema. */
export function synth(chart: Chart): any[] {
  const objects = Testing.synth(chart);
  expectValidManifests(objects);
  return objects;
}

/** The one object of `kind` named `name`. */
export function find(objects: any[], kind: string, name: string): any {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  expect(found).toHaveLength(1);
  return found[0];
}
