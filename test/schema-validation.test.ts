import { ApiObject, Testing } from 'cdk8s';
import { notForCluster } from './cluster/opt-out';
import { manifestErrors, expectValidManifests } from './schema-validation';

function synthRaw(...objects: Array<{ apiVersion: string; kind: string; name: string; spec?: any; extra?: any }>): any[] {
  notForCluster('raw objects, most of them invalid on purpose, that test the schema checker');
  const chart = Testing.chart();
  objects.forEach((o, i) => new ApiObject(chart, `o${i}`, { apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.name }, spec: o.spec, ...(o.extra ?? {}) }));
  return Testing.synth(chart);
}

const podTemplate = {
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'main', image: 'web:1', resources: { requests: { cpu: '100m' } } }] },
};
const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', spec: { selector: { matchLabels: { app: 'web' } }, template: podTemplate } };

test('a valid core object passes', () => {
  expect(() => expectValidManifests(synthRaw(deployment))).not.toThrow();
});

test('fails on an unknown field in a core object', () => {
  const objects = synthRaw({ ...deployment, spec: { ...deployment.spec, replicaz: 3 } });
  expect(manifestErrors(objects[0])).toEqual(["Deployment/web/spec must NOT have additional properties 'replicaz'"]);
  expect(() => expectValidManifests(objects)).toThrow(/replicaz/);
});

test('fails on a mistyped field in a core object', () => {
  const objects = synthRaw({ ...deployment, spec: { ...deployment.spec, replicas: 'three' } });
  expect(manifestErrors(objects[0]).join('\n')).toContain('Deployment/web/spec/replicas must be integer');
});

test('fails on an unknown field deep in a pod template', () => {
  const template = JSON.parse(JSON.stringify(podTemplate));
  template.spec.containers[0].securityContext = { runAsNonroot: true };
  const objects = synthRaw({ ...deployment, spec: { ...deployment.spec, template } });
  expect(manifestErrors(objects[0])).toContain("Deployment/web/spec/template/spec/containers/0/securityContext must NOT have additional properties 'runAsNonroot'");
});

const rollout = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  name: 'web',
  spec: { selector: { matchLabels: { app: 'web' } }, template: podTemplate, strategy: { blueGreen: { activeService: 'web', previewService: 'web-preview' } } },
};

test('a valid custom resource passes', () => {
  expect(() => expectValidManifests(synthRaw(rollout))).not.toThrow();
});

test('fails on an unknown field in a custom resource', () => {
  const objects = synthRaw({ ...rollout, spec: { ...rollout.spec, strategy: { blueGreen: { activeService: 'web', autoPromote: true } } } });
  expect(manifestErrors(objects[0])).toEqual(["Rollout/web/spec/strategy/blueGreen must NOT have additional properties 'autoPromote'"]);
});

test('fails on a mistyped field in a custom resource', () => {
  const objects = synthRaw({ ...rollout, spec: { ...rollout.spec, strategy: { blueGreen: { activeService: 'web', scaleDownDelaySeconds: '30s' } } } });
  expect(manifestErrors(objects[0])).toEqual(['Rollout/web/spec/strategy/blueGreen/scaleDownDelaySeconds must be integer']);
});

test('fails on a pod template the CRD accepts but the Argo Rollouts controller cannot parse', () => {
  // Argo Rollouts' CRD leaves quantities untyped; the controller parses the template as a core PodTemplateSpec.
  const template = JSON.parse(JSON.stringify(podTemplate));
  template.spec.containers[0].resources.requests.cpu = { value: '100m' };
  const objects = synthRaw({ ...rollout, spec: { ...rollout.spec, template } });
  expect(manifestErrors(objects[0]).join('\n')).toContain('Rollout/web/spec/template/spec/containers/0/resources/requests/cpu must be');
});

test('fails on unknown fields in Flagger, Gateway API and Istio objects', () => {
  const objects = synthRaw(
    { apiVersion: 'flagger.app/v1beta1', kind: 'Canary', name: 'c', spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, service: { port: 80 }, analysis: { interval: '1m', threshold: 5, stepWeight: 10, maxWeight: 50, stepWieght: 5 } } },
    { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', name: 'r', spec: { rules: [{ backendRefs: [{ name: 'web', port: 80, wieght: 1 }] }] } },
    { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', name: 'v', spec: { hosts: ['web'], http: [{ mirrorPercentag: { value: 10 } }] } },
  );
  expect(objects.flatMap(manifestErrors)).toEqual([
    "Canary/c/spec/analysis must NOT have additional properties 'stepWieght'",
    "HTTPRoute/r/spec/rules/0/backendRefs/0 must NOT have additional properties 'wieght'",
    "VirtualService/v/spec/http/0 must NOT have additional properties 'mirrorPercentag'",
  ]);
});

test('fails on names and labels the API server refuses', () => {
  const objects = synthRaw(
    { apiVersion: 'v1', kind: 'Service', name: '1web', spec: { ports: [{ port: 80 }] } },
    { apiVersion: 'v1', kind: 'ConfigMap', name: 'Web_Config', extra: {} },
  );
  expect(manifestErrors(objects[0])).toEqual(["Service/1web/metadata/name '1web' must be a DNS-1035 label (Service names start with a letter, at most 63 characters)"]);
  expect(manifestErrors(objects[1])).toEqual(["ConfigMap/Web_Config/metadata/name 'Web_Config' must be a DNS-1123 subdomain"]);
});

test('fails on an object without a known schema', () => {
  const objects = synthRaw({ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w' });
  expect(manifestErrors(objects[0])).toEqual(['Widget/w: no schema for example.com/v1 Widget']);
});
