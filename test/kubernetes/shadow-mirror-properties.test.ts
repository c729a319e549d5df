/**
 * Property-based tests (fast-check, fixed seed): whatever a user passes to ShadowMirror, MirrorRouter,
 * SideEffects and EgressTarget is either refused with a message in the documented format
 * (`<where>: invalid '<field>': <allowed>, got <value>`), or synthesizes objects that are valid against
 * their schemas and keep the shadow's rules: only the listed methods are mirrored, writes only into an
 * isolated sandbox checked against production, no allowlist that reaches the internet or an
 * unacknowledged wide range, and every pod the shadow runs under a default-deny egress policy.
 */
import { Chart, Testing } from 'cdk8s';
import { Probe } from 'cdk8s-plus-28';
import * as fc from 'fast-check';
import {
  EgressProtocol, EgressTarget, HttpMethod, MirrorRouter, PathMatch, ResponseComparison, ShadowMirror, ShadowState, SideEffects,
} from '../../src';
import { parseCidr } from '../../src/kubernetes/private/cidr';
import { manifestErrors } from '../schema-validation';

const SEED = 20260811;
const REFUSAL = /^[A-Za-z0-9_./-]+(\(\))?: invalid '[^']+': [\s\S]+, got [\s\S]+$/;
const WRITES = ['POST', 'PUT', 'PATCH', 'DELETE'];

/** Runs `build`; a refusal must be an Error in the documented format. Returns what it built, or undefined. */
function refusedOr<T>(build: () => T): T | undefined {
  try {
    return build();
  } catch (e) {
    if (!(e instanceof Error)) throw new Error(`threw a non-Error: ${String(e)}`);
    if (!REFUSAL.test(e.message)) throw new Error(`refusal not in the documented format: ${e.message}`);
    return undefined;
  }
}

/** Mostly `valid`, now and then `odd` (values users get wrong). */
function mostly<T>(valid: fc.Arbitrary<T>, odd: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: valid, weight: 24 }, { arbitrary: odd, weight: 1 });
}
function maybe<T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.option(a, { nil: undefined });
}

const octet = fc.integer({ min: 0, max: 255 });
const ipv4Cidr = fc.tuple(octet, octet, octet, octet, fc.integer({ min: 0, max: 32 })).map(([a, b, c, d, p]) => `${a}.${b}.${c}.${d}/${p}`);
const ipv6Cidr = fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 })).map(([a, p]) => `${a}/${p}`);
const narrowV4 = fc.tuple(octet, octet, octet, octet, fc.integer({ min: 24, max: 32 })).map(([a, b, c, d, p]) => canonical(`${a}.${b}.${c}.${d}/${p}`));
const narrowV6 = fc.tuple(fc.ipV6(), fc.integer({ min: 64, max: 128 })).map(([a, p]) => canonical(`${a}/${p}`));
/** Mostly canonical ranges (the host bits cleared), some not, some not CIDRs at all. */
const cidr = mostly(
  fc.oneof(
    { arbitrary: narrowV4, weight: 6 },
    { arbitrary: narrowV6, weight: 2 },
    { arbitrary: fc.oneof(ipv4Cidr.map(canonical), ipv6Cidr.map(canonical), fc.constantFrom('10.0.0.0/8', '10.1.2.0/24', '10.1.2.3/32')), weight: 1 },
  ),
  fc.oneof(ipv4Cidr, ipv6Cidr, fc.constantFrom('0.0.0.0/0', '::/0'), fc.string({ maxLength: 20 })),
);
const labelKey = mostly(fc.constantFrom('app', 'app.kubernetes.io/name', 'tier', 'role'), fc.string({ maxLength: 12 }));
const labelValue = mostly(fc.constantFrom('db', 'postgres', 'replica', 'index', 'ledger'), fc.string({ maxLength: 12 }));
const namespace = mostly(fc.constantFrom('payments', 'search', 'sandbox', 'kube-system', 'istio-system'), fc.string({ maxLength: 10 }));
const ports = maybe(fc.uniqueArray(mostly(fc.constantFrom(53, 443, 5432, 9200, 15012), fc.integer({ min: -5, max: 70000 })), { maxLength: 3 }));
const protocol = maybe(mostly(fc.constantFrom(EgressProtocol.TCP, EgressProtocol.UDP, EgressProtocol.SCTP), fc.constant('HTTP' as EgressProtocol)));

/** A recipe for an EgressTarget; building it may be refused. */
const egressTarget = fc.oneof(
  fc.record({ labels: fc.dictionary(labelKey, labelValue, { minKeys: 1, maxKeys: 3 }), namespace: maybe(namespace), ports, protocol })
    .map((o) => () => EgressTarget.pods(o)),
  fc.record({ name: namespace, ports, protocol }).map((o) => () => EgressTarget.namespace(o.name, { ports: o.ports, protocol: o.protocol })),
  fc.record({
    cidr,
    exceptCidrs: fc.option(fc.array(cidr, { maxLength: 2 }), { nil: undefined, freq: 8 }),
    acknowledgeWideRange: fc.option(mostly(fc.constant('sandbox VPC'), fc.constantFrom('', ' ')), { nil: undefined, freq: 3 }),
    ports,
  }).map((o) => () => EgressTarget.cidr(o.cidr, { exceptCidrs: o.exceptCidrs, acknowledgeWideRange: o.acknowledgeWideRange, ports: o.ports })),
);

function canonical(text: string): string {
  const r = parseCidr(text);
  if (!r) return text;
  const start = r.start;
  if (r.family === 4) return `${[3, 2, 1, 0].map((i) => String((start / 256n ** BigInt(i)) % 256n)).join('.')}/${r.prefix}`;
  const groups = Array.from({ length: 8 }, (_, i) => ((start / 65536n ** BigInt(7 - i)) % 65536n).toString(16));
  return `${groups.join(':')}/${r.prefix}`;
}

const sandboxCredentials = maybe(fc.array(mostly(fc.constant('search-sandbox-db'), fc.constant('Bad_Name')), { maxLength: 1 }));
const sideEffects = fc.oneof(
  fc.record({ dns: fc.option(mostly<(() => EgressTarget)[]>(fc.constant([() => EgressTarget.cidr('169.254.20.10/32')]), fc.array(egressTarget, { maxLength: 1 })), { nil: undefined, freq: 4 }), sandbox: sandboxCredentials })
    .map((o) => () => SideEffects.none({ dnsServers: o.dns?.map((t) => t()), sandboxCredentials: o.sandbox })),
  fc.record({ allow: fc.array(egressTarget, { minLength: 1, maxLength: 2 }), sandbox: sandboxCredentials })
    .map((o) => () => SideEffects.isolated({ allowEgressTo: o.allow.map((t) => t()), sandboxCredentials: o.sandbox })),
);

const path = mostly(fc.constantFrom('/', '/api', '/v1/search', '/a%20b', '/suggest'), fc.oneof(fc.constantFrom('/api/', '//x', '/x/../y', 'api'), fc.string({ maxLength: 10 })));
const pathMatch = fc.tuple(fc.boolean(), path).map(([exact, p]) => () => (exact ? PathMatch.exact(p) : PathMatch.prefix(p)));
const safeMethod = fc.constantFrom(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);
const method = mostly(fc.constantFrom(...Object.values(HttpMethod)), fc.constant('TRACE' as HttpMethod));

const router = fc.oneof(
  fc.record({ host: maybe(mostly(fc.constantFrom('search', 'search.example.com', '*.example.com'), fc.constant('Bad Host'))), sidecar: maybe(fc.boolean()) })
    .map((o) => () => MirrorRouter.istio(o)),
  fc.record({ gateway: mostly(fc.constant('public'), fc.constant('Public')), hostnames: maybe(mostly<string[]>(fc.constant(['search.example.com']), fc.constantFrom<string[]>([], ['10.0.0.1']))) })
    .map((o) => () => MirrorRouter.gatewayApi(o)),
  fc.record({ host: mostly(fc.constant('search.example.com'), fc.constant('*.example.com')) }).map((o) => () => MirrorRouter.nginx(o)),
);

const shadowSpec = fc.record({
  namespace: maybe(fc.constantFrom('search', 'shop')),
  service: mostly(fc.constantFrom('search', 'checkout'), fc.string({ maxLength: 8 })),
  percent: mostly(
    fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constantFrom(0.5, 12.5, 33.3333, 100)),
    fc.oneof(fc.double({ min: -1, max: 101 }), fc.constantFrom(0, 0.00001)),
  ),
  methods: maybe(fc.oneof(
    { arbitrary: fc.uniqueArray(safeMethod, { minLength: 1 }), weight: 3 },
    { arbitrary: fc.uniqueArray(method, { minLength: 1, maxLength: 8 }), weight: 1 },
  )),
  paths: maybe(fc.array(pathMatch, { minLength: 1, maxLength: 3 })),
  router,
  sideEffects,
  production: maybe(fc.array(egressTarget, { maxLength: 2 })),
  state: maybe(fc.constantFrom(ShadowState.MIRRORING, ShadowState.PAUSED, ShadowState.PAUSED_SCALED_TO_ZERO)),
  compare: fc.boolean(),
  replicas: maybe(mostly(fc.integer({ min: 1, max: 4 }), fc.constant(0))),
});

describe('property: EgressTarget and SideEffects', () => {
  test('an allowlist is refused in the documented format, or never reaches the internet nor an unacknowledged wide range', () => {
    let built = 0;
    fc.assert(fc.property(fc.array(egressTarget, { maxLength: 4 }), (recipes) => {
      const effects = refusedOr(() => SideEffects.isolated({ allowEgressTo: recipes.map((r) => r()) }));
      if (!effects) return;
      built++;
      expect(effects.allowEgressTo.length).toBeGreaterThan(0);
      for (const t of effects.allowEgressTo) {
        if (t.cidrBlock === undefined) continue;
        const range = parseCidr(t.cidrBlock)!;
        expect(range.canonical).toBe(true);
        expect(range.prefix).toBeGreaterThan(0);
        if (range.prefix < (range.family === 4 ? 24 : 64)) expect(t.wideRangeAcknowledgement?.trim()).toBeTruthy();
      }
    }), { seed: SEED, numRuns: 3000 });
    expect(built).toBeGreaterThan(300);
  });
});

describe('property: ShadowMirror', () => {
  test('a shadow is refused in the documented format, or synthesizes valid objects that keep the shadow rules', () => {
    let built = 0;
    fc.assert(fc.property(shadowSpec, (spec) => {
      const chart = new Chart(Testing.app(), 'test', { namespace: spec.namespace });
      const shadow = refusedOr(() => new ShadowMirror(chart, 'shadow', {
        name: 'search-v2',
        service: spec.service,
        port: 80,
        replicas: spec.replicas,
        containers: [{ image: 'registry.example.com/search:2.0.0', portNumber: 8080, readiness: Probe.fromHttpGet('/ready') }],
        percent: spec.percent,
        methods: spec.methods,
        paths: spec.paths?.map((p) => p()),
        router: spec.router(),
        sideEffects: spec.sideEffects(),
        productionDependencies: spec.production?.map((t) => t()),
        state: spec.state,
        comparison: spec.compare
          ? ResponseComparison.mroki({ baselineContainers: [{ image: 'registry.example.com/search:1.9.3', portNumber: 8080, readiness: Probe.fromHttpGet('/ready') }] })
          : undefined,
      }));
      if (!shadow) return;
      built++;
      const objects = Testing.synth(chart);
      for (const o of objects) expect(manifestErrors(o)).toEqual([]);
      checkShadowRules(objects, shadow, spec.compare);
    }), { seed: SEED, numRuns: 1000 });
    // Not vacuous: a good share of the generated shadows is built and checked.
    expect(built).toBeGreaterThan(150);
  });
});

function checkShadowRules(objects: any[], shadow: ShadowMirror, compare: boolean): void {
  const methods: string[] = shadow.methods;
  const writes = methods.filter((m) => WRITES.includes(m));
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  // Every Deployment's pods are marked as shadows and selected by a default-deny egress policy.
  for (const d of objects.filter((o) => o.kind === 'Deployment')) {
    const labels = d.spec.template.metadata.labels;
    expect(labels['release-strategies.dev/shadow']).toBe('true');
    const covering = policies.filter((p) => Object.entries(p.spec.podSelector.matchLabels).every(([k, v]) => labels[k] === v));
    expect(covering.length).toBeGreaterThan(0);
    for (const p of covering) expect(p.spec.policyTypes).toEqual(['Egress']);
  }
  for (const p of policies) {
    for (const rule of p.spec.egress) {
      for (const peer of rule.to) {
        if (peer.ipBlock) expect(parseCidr(peer.ipBlock.cidr)!.prefix).toBeGreaterThan(0);
      }
    }
  }
  // Writes reach only a sandbox that was checked against declared production dependencies.
  if (writes.length > 0) expect(shadow.networkPolicy).toBeDefined();
  const destination = compare ? `${shadow.name}-compare` : shadow.name;
  const vs = objects.find((o) => o.kind === 'VirtualService');
  if (vs) {
    const mirrored = vs.spec.http.filter((r: any) => r.mirror);
    expect(vs.spec.http.at(-1)).not.toHaveProperty('mirror');
    expect(mirrored.length).toBe(shadow.state === ShadowState.MIRRORING ? 1 : 0);
    for (const r of mirrored) {
      expect(r.mirror.host).toBe(destination);
      expect(r.mirrorPercentage.value).toBe(shadow.percent);
      for (const m of r.match) expect(methods).toContain(m.method.exact);
      expect(new Set(r.match.map((m: any) => m.method.exact))).toEqual(new Set(methods));
    }
  }
  const route = objects.find((o) => o.kind === 'HTTPRoute');
  if (route) {
    const rules = route.spec.rules;
    expect(rules.reduce((n: number, r: any) => n + (r.matches?.length ?? 1), 0)).toBeLessThanOrEqual(128);
    const mirrored = rules.filter((r: any) => r.filters);
    expect(mirrored.length).toBe(shadow.state === ShadowState.MIRRORING ? 1 : 0);
    for (const r of mirrored) {
      expect(r.matches.length).toBeLessThanOrEqual(64);
      expect(new Set(r.matches.map((m: any) => m.method))).toEqual(new Set(methods));
      const mirror = r.filters[0].requestMirror;
      expect(mirror.backendRef.name).toBe(destination);
      const share = mirror.percent ?? (100 * mirror.fraction.numerator) / mirror.fraction.denominator;
      expect(share).toBeCloseTo(shadow.percent, 6);
    }
  }
  const ingress = objects.find((o) => o.kind === 'Ingress');
  if (ingress && shadow.state === ShadowState.MIRRORING) {
    // ingress-nginx copies every method: the shadow must have opted into every write.
    expect(writes).toEqual(WRITES);
    expect(shadow.percent).toBe(100);
  }
}
