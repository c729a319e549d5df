import { Chart, Testing } from 'cdk8s';
import { Probe } from 'cdk8s-plus-28';
import { chartIn, DNS_RULE } from './shadow-fixtures';
import { EgressProtocol, EgressTarget, MirrorRouter, ShadowMirror, ShadowMirrorProps, SideEffects } from '../../src';
import { parseCidr, rangesOverlap } from '../../src/kubernetes/private/cidr';
import { addShadowIsolation } from '../../src/kubernetes/private/shadow-isolation';
import { expectValidManifests } from '../schema-validation';

/** A Gateway API shadow (its router needs no egress of its own). */
function props(overrides: Partial<ShadowMirrorProps> = {}): ShadowMirrorProps {
  return {
    service: 'pricing',
    port: 8080,
    containers: [{ image: 'registry.example.com/pricing:3.0.0', portNumber: 8080, readiness: Probe.fromHttpGet('/ready') }],
    percent: 20,
    router: MirrorRouter.gatewayApi({ gateway: 'public' }),
    sideEffects: SideEffects.none(),
    ...overrides,
  };
}

function policyOf(chart: Chart): any {
  const objects = Testing.synth(chart);
  expectValidManifests(objects);
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  expect(policies).toHaveLength(1);
  return policies[0];
}

function isolated(...allowEgressTo: EgressTarget[]): SideEffects {
  return SideEffects.isolated({ allowEgressTo });
}

/** A range wider than an allowlist takes without a reason, with one. */
function wide(cidr: string, exceptCidrs?: string[]): EgressTarget {
  return EgressTarget.cidr(cidr, { exceptCidrs, acknowledgeWideRange: 'sandbox VPC, no production hosts' });
}

describe('the NetworkPolicy', () => {
  test('SideEffects.none() denies all egress of the shadow pods except DNS to kube-dns', () => {
    const chart = chartIn('pricing');
    new ShadowMirror(chart, 'pricing-v3', props());
    const policy = policyOf(chart);
    expect(policy.apiVersion).toBe('networking.k8s.io/v1');
    expect(policy.metadata).toEqual({ name: 'pricing-v3-shadow-egress', namespace: 'pricing', labels: { 'app.kubernetes.io/name': 'pricing-v3' } });
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'pricing-v3' } },
      policyTypes: ['Egress'],
      egress: [DNS_RULE],
    });
  });

  test('SideEffects.isolated() adds one rule per allowlist entry, with its ports', () => {
    const chart = chartIn('pricing');
    new ShadowMirror(chart, 'pricing-v3', props({
      sideEffects: isolated(
        EgressTarget.pods({ namespace: 'pricing-sandbox', labels: { 'app.kubernetes.io/name': 'postgres' }, ports: [5432] }),
        EgressTarget.pods({ labels: { app: 'fx-rates-stub' } }),
        EgressTarget.namespace('telemetry', { ports: [8125], protocol: EgressProtocol.UDP }),
        EgressTarget.cidr('203.0.113.0/24', { exceptCidrs: ['203.0.113.128/25'], ports: [443, 8443] }),
      ),
    }));
    expect(policyOf(chart).spec.egress).toEqual([
      DNS_RULE,
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'pricing-sandbox' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'postgres' } } }],
        ports: [{ protocol: 'TCP', port: 5432 }],
      },
      { to: [{ podSelector: { matchLabels: { app: 'fx-rates-stub' } } }] },
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'telemetry' } } }],
        ports: [{ protocol: 'UDP', port: 8125 }],
      },
      {
        to: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] } }],
        ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 8443 }],
      },
    ]);
  });

  test('other DNS servers replace kube-dns', () => {
    const chart = chartIn('pricing');
    new ShadowMirror(chart, 'pricing-v3', props({ sideEffects: SideEffects.none({ dnsServers: [EgressTarget.cidr('169.254.20.10/32')] }) }));
    expect(policyOf(chart).spec.egress).toEqual([{
      to: [{ ipBlock: { cidr: '169.254.20.10/32' } }],
      ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
    }]);
  });

  test('with the Istio router, sidecars may also reach istiod for their configuration', () => {
    const chart = chartIn('search');
    new ShadowMirror(chart, 'search-v2', props({ service: 'search', router: MirrorRouter.istio() }));
    expect(policyOf(chart).spec.egress).toEqual([
      DNS_RULE,
      {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } }, podSelector: { matchLabels: { app: 'istiod' } } }],
        ports: [{ protocol: 'TCP', port: 15012 }],
      },
    ]);
  });

  test('istiod can live in another namespace', () => {
    const chart = chartIn('search');
    new ShadowMirror(chart, 'search-v2', props({ service: 'search', router: MirrorRouter.istio({ istiodNamespace: 'mesh-control' }) }));
    expect(policyOf(chart).spec.egress[1].to).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mesh-control' } }, podSelector: { matchLabels: { app: 'istiod' } } },
    ]);
  });

  test('shadow pods outside the mesh get no istiod rule', () => {
    const chart = chartIn('search');
    new ShadowMirror(chart, 'search-v2', props({ service: 'search', router: MirrorRouter.istio({ sidecar: false }) }));
    expect(policyOf(chart).spec.egress).toEqual([DNS_RULE]);
  });
});

describe('production dependencies', () => {
  const refusal = (field: string, dependency: string, got: string) =>
    `test/pricing-v3: invalid '${field}': must not reach a production dependency (it reaches ${dependency}), got ${got}`;

  test('fails when an allowed pod selector picks a subset of production pods', () => {
    expect(() => new ShadowMirror(chartIn('pricing'), 'pricing-v3', props({
      sideEffects: isolated(EgressTarget.pods({ namespace: 'pricing', labels: { app: 'postgres', role: 'replica' } })),
      productionDependencies: [EgressTarget.pods({ namespace: 'pricing', labels: { app: 'postgres' } })],
    }))).toThrow(refusal('sideEffects.allowEgressTo[0]', "productionDependencies[0]: pods {app=postgres} in namespace 'pricing'",
      "pods {app=postgres,role=replica} in namespace 'pricing'"));
  });

  test('fails when an allowed pod selector is broader than a production one', () => {
    expect(() => new ShadowMirror(chartIn('pricing'), 'pricing-v3', props({
      sideEffects: isolated(EgressTarget.pods({ namespace: 'pricing', labels: { app: 'postgres' } })),
      productionDependencies: [EgressTarget.pods({ namespace: 'pricing', labels: { app: 'postgres', role: 'primary' } })],
    }))).toThrow(refusal('sideEffects.allowEgressTo[0]', "productionDependencies[0]: pods {app=postgres,role=primary} in namespace 'pricing'",
      "pods {app=postgres} in namespace 'pricing'"));
  });

  test('fails when selectors share no key but one pod could carry both', () => {
    expect(() => new ShadowMirror(chartIn('pricing'), 'pricing-v3', props({
      sideEffects: isolated(EgressTarget.pods({ namespace: 'payments', labels: { app: 'ledger-sandbox' } })),
      productionDependencies: [EgressTarget.pods({ namespace: 'payments', labels: { tier: 'production' } })],
    }))).toThrow(refusal('sideEffects.allowEgressTo[0]', "productionDependencies[0]: pods {tier=production} in namespace 'payments'",
      "pods {app=ledger-sandbox} in namespace 'payments'"));
  });

  test('fails when a namespace-wide allow covers a production pod selector in that namespace', () => {
    expect(() => new ShadowMirror(chartIn('pricing'), 'pricing-v3', props({
      sideEffects: isolated(EgressTarget.namespace('payments')),
      productionDependencies: [EgressTarget.pods({ namespace: 'payments', labels: { app: 'ledger' } })],
    }))).toThrow(refusal('sideEffects.allowEgressTo[0]', "productionDependencies[0]: pods {app=ledger} in namespace 'payments'",
      "every pod in namespace 'payments'"));
  });

  test('fails when allowed pods lie in a production namespace', () => {
    expect(() => new ShadowMirror(chartIn('pricing'), 'pricing-v3', props({
      sideEffects: isolated(EgressTarget.pods({ namespace: 'payments', labels: { app: 'ledger-sandbox' } })),
      productionDependencies: [EgressTarget.namespace('payments')],
    }))).toThrow(refusal('sideEffects.allowEgressTo[0]', "productionDependencies[0]: every pod in namespace 'payments'",
      "pods {app=ledger-sandbox} in namespace 'payments'"));
  });

  test("fails when pods in the shadow's own namespace are production pods of that namespace", () => {
    expect(() => new ShadowMirror(chartIn('pricing'), 'pricing-v3', props({
      sideEffects: isolated(EgressTarget.pods({ labels: { app: 'postgres' } })),
      productionDependencies: [EgressTarget.pods({ namespace: 'pricing', labels: { app: 'postgres' } })],
    }))).toThrow(refusal('sideEffects.allowEgressTo[0]', "productionDependencies[0]: pods {app=postgres} in namespace 'pricing'",
      "pods {app=postgres} in the policy's own namespace"));
  });

  test('fails when the chart has no namespace and the same pods may be production pods in any namespace', () => {
    expect(() => new ShadowMirror(chartIn(), 'pricing-v3', props({
      sideEffects: isolated(EgressTarget.pods({ labels: { app: 'postgres' } })),
      productionDependencies: [EgressTarget.pods({ namespace: 'pricing', labels: { app: 'postgres' } })],
    }))).toThrow(refusal('sideEffects.allowEgressTo[0]', "productionDependencies[0]: pods {app=postgres} in namespace 'pricing'",
      "pods {app=postgres} in the policy's own namespace"));
  });

  test.each([
    ['an allowed range contains a production range', '10.0.0.0/8', '10.20.0.0/16'],
    ['an allowed range lies inside a production range', '10.20.5.0/24', '10.20.0.0/16'],
    ['IPv6 ranges nest', '2001:db8::/32', '2001:db8:1::/48'],
  ])('fails when %s', (_, allowed, production) => {
    expect(() => new ShadowMirror(chartIn('pricing'), 'pricing-v3', props({
      sideEffects: isolated(wide(allowed)),
      productionDependencies: [EgressTarget.cidr(production)],
    }))).toThrow(refusal('sideEffects.allowEgressTo[0]', `productionDependencies[0]: ${production}`, allowed));
  });

  test('fails when an except list carves out only part of a production range', () => {
    expect(() => new ShadowMirror(chartIn('pricing'), 'pricing-v3', props({
      sideEffects: isolated(wide('10.0.0.0/8', ['10.20.0.0/17'])),
      productionDependencies: [EgressTarget.cidr('10.20.0.0/16')],
    }))).toThrow(refusal('sideEffects.allowEgressTo[0]', 'productionDependencies[0]: 10.20.0.0/16', '10.0.0.0/8 except 10.20.0.0/17'));
  });

  test('fails when both sides name the same port', () => {
    expect(() => new ShadowMirror(chartIn('pricing'), 'pricing-v3', props({
      sideEffects: isolated(EgressTarget.pods({ namespace: 'pricing', labels: { app: 'postgres' }, ports: [5432, 9187] })),
      productionDependencies: [EgressTarget.pods({ namespace: 'pricing', labels: { app: 'postgres' }, ports: [5432] })],
    }))).toThrow(refusal('sideEffects.allowEgressTo[0]', "productionDependencies[0]: pods {app=postgres} in namespace 'pricing' on TCP 5432",
      "pods {app=postgres} in namespace 'pricing' on TCP 5432, 9187"));
  });

  test('fails when the router egress reaches a production dependency', () => {
    expect(() => new ShadowMirror(chartIn('search'), 'search-v2', props({
      service: 'search',
      router: MirrorRouter.istio(),
      productionDependencies: [EgressTarget.namespace('istio-system')],
    }))).toThrow("test/search-v2: invalid 'router.egress[0]': must not reach a production dependency (it reaches productionDependencies[0]: every pod in namespace 'istio-system'), got pods {app=istiod} in namespace 'istio-system' on TCP 15012");
  });

  test('fails when DNS reaches a production dependency', () => {
    expect(() => new ShadowMirror(chartIn('pricing'), 'pricing-v3', props({
      productionDependencies: [EgressTarget.namespace('kube-system')],
    }))).toThrow(refusal('sideEffects.dnsServers[0]', "productionDependencies[0]: every pod in namespace 'kube-system'", "pods {k8s-app=kube-dns} in namespace 'kube-system'"));
  });

  test('names the allowlist entry and the dependency by position', () => {
    expect(() => new ShadowMirror(chartIn('pricing'), 'pricing-v3', props({
      sideEffects: isolated(EgressTarget.namespace('pricing-sandbox'), EgressTarget.cidr('192.0.2.0/24')),
      productionDependencies: [EgressTarget.namespace('payments'), EgressTarget.cidr('192.0.2.64/26')],
    }))).toThrow(refusal('sideEffects.allowEgressTo[1]', 'productionDependencies[1]: 192.0.2.64/26', '192.0.2.0/24'));
  });

  test.each([
    ['labels differ on a shared key', EgressTarget.pods({ namespace: 'pricing', labels: { app: 'postgres-sandbox' } }), EgressTarget.pods({ namespace: 'pricing', labels: { app: 'postgres' } })],
    ['namespaces differ', EgressTarget.namespace('pricing-sandbox'), EgressTarget.namespace('pricing')],
    ["own-namespace pods and another namespace's pods", EgressTarget.pods({ labels: { app: 'postgres' } }), EgressTarget.pods({ namespace: 'billing', labels: { app: 'postgres' } })],
    ['ports differ', EgressTarget.pods({ namespace: 'pricing', labels: { app: 'postgres' }, ports: [9187] }), EgressTarget.pods({ namespace: 'pricing', labels: { app: 'postgres' }, ports: [5432] })],
    ['protocols differ', EgressTarget.namespace('pricing', { ports: [53], protocol: EgressProtocol.UDP }), EgressTarget.namespace('pricing', { ports: [53] })],
    ['ranges are disjoint', EgressTarget.cidr('10.30.0.0/24'), EgressTarget.cidr('10.20.0.0/16')],
    ['except carves out the whole production range', wide('10.0.0.0/8', ['10.20.0.0/16']), EgressTarget.cidr('10.20.0.0/16')],
    ['production excepts the allowed range', EgressTarget.cidr('10.99.1.0/24'), EgressTarget.cidr('10.0.0.0/8', { exceptCidrs: ['10.99.0.0/16'] })],
    ['address families differ', EgressTarget.cidr('2001:db8::/64'), EgressTarget.cidr('10.0.0.0/8')],
    ['a range and a pod selector (pod IPs are unknown at synth)', wide('10.0.0.0/8'), EgressTarget.pods({ namespace: 'pricing', labels: { app: 'postgres' } })],
  ])('accepts an allowlist entry when %s', (_, allowed, production) => {
    const chart = chartIn('pricing');
    new ShadowMirror(chart, 'pricing-v3', props({ sideEffects: isolated(allowed), productionDependencies: [production] }));
    expect(policyOf(chart).spec.egress).toHaveLength(2);
  });
});

describe('SideEffects', () => {
  test('none() allows nothing but DNS', () => {
    const sideEffects = SideEffects.none();
    expect(sideEffects.kind).toBe('none');
    expect(sideEffects.allowEgressTo).toEqual([]);
    expect(sideEffects.dnsServers.map(String)).toEqual(["pods {k8s-app=kube-dns} in namespace 'kube-system'"]);
  });

  test('the allowlist reads back as a copy', () => {
    const target = EgressTarget.namespace('sandbox');
    const sideEffects = isolated(target);
    sideEffects.allowEgressTo.pop();
    expect(sideEffects.allowEgressTo).toEqual([target]);
  });

  test('fails when the allowlist is empty', () => {
    expect(() => SideEffects.isolated({ allowEgressTo: [] }))
      .toThrow("SideEffects.isolated(): invalid 'allowEgressTo': must list at least one sandbox dependency (use SideEffects.none() for a service without dependencies), got []");
  });

  test.each([
    ['0.0.0.0/0', {}, '0.0.0.0/0'],
    ['::/0', {}, '::/0'],
    ['0.0.0.0/0', { exceptCidrs: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] }, '0.0.0.0/0 except 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16'],
    ['::/0', { exceptCidrs: ['fc00::/7'], acknowledgeWideRange: 'all of it is sandbox' }, '::/0 except fc00::/7'],
  ])('fails when the allowlist allows every address (%s, %p), even with exceptions or a reason', (cidr, options, got) => {
    expect(() => isolated(EgressTarget.cidr(cidr, options)))
      .toThrow(`SideEffects.isolated(): invalid 'allowEgressTo[0]': must not allow every address, whatever it excepts (${cidr} reaches the internet, where payment, email and other production APIs live): list each sandbox range, at most /24 (IPv4) or /64 (IPv6), got ${got}`);
  });

  test.each([
    ['10.0.0.0/23', 4, 24],
    ['2001:db8::/63', 6, 64],
  ])('fails when an allowlist range (%s) is wider than the limit and not acknowledged', (cidr, family, limit) => {
    expect(() => isolated(EgressTarget.cidr('10.1.0.0/24'), EgressTarget.cidr(cidr, { ports: [443] })))
      .toThrow(`SideEffects.isolated(): invalid 'allowEgressTo[1]': must be at most /${limit} for IPv${family}, or say why it reaches no production system: EgressTarget.cidr('${cidr}', { acknowledgeWideRange: '<reason>' }), got ${cidr} on TCP 443`);
  });

  test('fails when a DNS server range is wider than the limit and not acknowledged', () => {
    expect(() => SideEffects.none({ dnsServers: [EgressTarget.cidr('10.96.0.0/12')] }))
      .toThrow("SideEffects.none(): invalid 'dnsServers[0]': must be at most /24 for IPv4, or say why it reaches no production system: EgressTarget.cidr('10.96.0.0/12', { acknowledgeWideRange: '<reason>' }), got 10.96.0.0/12");
  });

  test('accepts ranges at the limit, and wider ranges with a reason', () => {
    const target = EgressTarget.cidr('10.99.0.0/16', { acknowledgeWideRange: 'sandbox VPC, peered with nothing' });
    expect(target.wideRangeAcknowledgement).toBe('sandbox VPC, peered with nothing');
    expect(isolated(EgressTarget.cidr('10.1.0.0/24'), EgressTarget.cidr('2001:db8::/64'), target).allowEgressTo).toHaveLength(3);
    expect(SideEffects.WIDEST_IPV4_PREFIX).toBe(24);
    expect(SideEffects.WIDEST_IPV6_PREFIX).toBe(64);
  });

  test('fails when the reason for a wide range is empty', () => {
    expect(() => EgressTarget.cidr('10.99.0.0/16', { acknowledgeWideRange: ' ' }))
      .toThrow("EgressTarget.cidr(): invalid 'acknowledgeWideRange': must be a non-empty string, got ' '");
  });

  test('fails when an allowlist entry is not an EgressTarget', () => {
    expect(() => SideEffects.isolated({ allowEgressTo: ['postgres.pricing-sandbox' as any] }))
      .toThrow("SideEffects.isolated(): invalid 'allowEgressTo[0]': must be an EgressTarget, got 'postgres.pricing-sandbox'");
  });

  test('fails when a DNS server has ports', () => {
    expect(() => SideEffects.none({ dnsServers: [EgressTarget.cidr('169.254.20.10/32', { ports: [53] })] }))
      .toThrow("SideEffects.none(): invalid 'dnsServers[0]': must not set ports or protocol (DNS is always allowed on port 53 over UDP and TCP), got 169.254.20.10/32 on TCP 53");
  });

  test('fails when the DNS server list is empty', () => {
    expect(() => SideEffects.none({ dnsServers: [] }))
      .toThrow("SideEffects.none(): invalid 'dnsServers': must list at least one DNS server, got []");
  });
});

describe('EgressTarget', () => {
  test('describes itself for error messages', () => {
    expect(String(EgressTarget.pods({ labels: { app: 'db', tier: 'replica' } }))).toBe("pods {app=db,tier=replica} in the policy's own namespace");
    expect(String(EgressTarget.namespace('payments', { ports: [53], protocol: EgressProtocol.UDP }))).toBe("every pod in namespace 'payments' on UDP 53");
    expect(String(EgressTarget.cidr('10.0.0.0/8', { exceptCidrs: ['10.1.0.0/16', '10.2.0.0/16'] }))).toBe('10.0.0.0/8 except 10.1.0.0/16, 10.2.0.0/16');
  });

  test('fails when a pod selector has no labels', () => {
    expect(() => EgressTarget.pods({ labels: {} }))
      .toThrow("EgressTarget.pods(): invalid 'labels': must name at least one label (use EgressTarget.namespace() for every pod of a namespace), got {}");
  });

  test('fails when a label value is not a label value', () => {
    expect(() => EgressTarget.pods({ labels: { app: 'db!' } }))
      .toThrow("EgressTarget.pods(): invalid 'labels.app': must be a label value (at most 63 letters, digits, -, _ or ., starting and ending with a letter or digit), got 'db!'");
  });

  test('fails when a label key is not a qualified name', () => {
    expect(() => EgressTarget.pods({ labels: { 'a/b/c': 'db' } }))
      .toThrow("EgressTarget.pods(): invalid 'labels': must use label keys that are qualified names (an optional DNS subdomain prefix and '/', then at most 63 letters, digits, -, _ or .), got 'a/b/c'");
  });

  test('fails when the namespace is not a DNS label', () => {
    expect(() => EgressTarget.pods({ namespace: 'Payments', labels: { app: 'db' } }))
      .toThrow("EgressTarget.pods(): invalid 'namespace': must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters), got 'Payments'");
    expect(() => EgressTarget.namespace('pay_ments'))
      .toThrow("EgressTarget.namespace(): invalid 'name': must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters), got 'pay_ments'");
  });

  test.each(['10.0.0.0', '10.0.0.256/24', '10.0.0.0/33', '010.0.0.0/8', 'example.com/24', '2001:db8::/129'])('fails when the CIDR is %p', (cidr) => {
    expect(() => EgressTarget.cidr(cidr))
      .toThrow(`EgressTarget.cidr(): invalid 'cidr': must be an IPv4 or IPv6 CIDR such as '10.0.0.0/8', got '${cidr}'`);
  });

  test('fails when the CIDR has host bits set', () => {
    expect(() => EgressTarget.cidr('10.0.0.1/8'))
      .toThrow("EgressTarget.cidr(): invalid 'cidr': must have no host bits set (the first address of its range), got '10.0.0.1/8'");
  });

  test('fails when an except range is not inside the CIDR', () => {
    expect(() => EgressTarget.cidr('10.0.0.0/8', { exceptCidrs: ['192.168.0.0/16'] }))
      .toThrow("EgressTarget.cidr(): invalid 'exceptCidrs[0]': must be a range strictly inside 10.0.0.0/8, got '192.168.0.0/16'");
    expect(() => EgressTarget.cidr('10.0.0.0/8', { exceptCidrs: ['10.0.0.0/8'] }))
      .toThrow("EgressTarget.cidr(): invalid 'exceptCidrs[0]': must be a range strictly inside 10.0.0.0/8, got '10.0.0.0/8'");
  });

  test('fails when a port is out of range', () => {
    expect(() => EgressTarget.pods({ labels: { app: 'db' }, ports: [0] }))
      .toThrow("EgressTarget.pods(): invalid 'ports[0]': must be a whole number from 1 to 65535, got 0");
  });

  test('fails when a port repeats', () => {
    expect(() => EgressTarget.namespace('pricing', { ports: [5432, 5432] }))
      .toThrow("EgressTarget.namespace(): invalid 'ports': must not repeat a port, got [5432, 5432]");
  });
});

describe('CIDR arithmetic', () => {
  test('parses IPv4 and IPv6 ranges', () => {
    expect(parseCidr('10.20.0.0/16')).toEqual({ family: 4, start: 0x0a140000n, end: 0x0a14ffffn, prefix: 16, canonical: true });
    expect(parseCidr('2001:db8::/32')).toEqual({
      family: 6, start: 0x20010db8n * 2n ** 96n, end: (0x20010db8n + 1n) * 2n ** 96n - 1n, prefix: 32, canonical: true,
    });
    expect(parseCidr('::ffff:10.0.0.0/104')).toMatchObject({ family: 6, start: 0xffffn * 2n ** 32n + 0x0a000000n, prefix: 104, canonical: true });
    expect(parseCidr('10.0.0.1/8')).toMatchObject({ canonical: false });
  });

  test('ranges overlap unless the excepts cover every common address', () => {
    const r = (c: string) => parseCidr(c)!;
    expect(rangesOverlap(r('10.0.0.0/8'), [], r('10.1.0.0/16'), [])).toBe(true);
    expect(rangesOverlap(r('10.0.0.0/8'), [r('10.1.0.0/17'), r('10.1.128.0/17')], r('10.1.0.0/16'), [])).toBe(false);
    expect(rangesOverlap(r('10.0.0.0/8'), [r('10.1.0.0/17')], r('10.1.0.0/16'), [r('10.1.192.0/18')])).toBe(true);
    expect(rangesOverlap(r('10.0.0.0/8'), [r('10.1.0.0/17')], r('10.1.0.0/16'), [r('10.1.128.0/17')])).toBe(false);
    expect(rangesOverlap(r('10.0.0.0/8'), [], r('11.0.0.0/8'), [])).toBe(false);
  });
});

describe('reuse for other mirrored pods', () => {
  test('addShadowIsolation isolates any pods by selector and returns their shadow marker', () => {
    const chart = chartIn('shop');
    const isolation = addShadowIsolation(chart, 'MirrorIsolation', {
      where: 'shop/checkout',
      name: 'checkout-canary-egress',
      podSelector: { 'app.kubernetes.io/name': 'checkout', 'release-strategies.dev/role': 'canary' },
      sideEffects: isolated(EgressTarget.pods({ namespace: 'shop-sandbox', labels: { app: 'payments-stub' }, ports: [8080] })),
      productionDependencies: [EgressTarget.namespace('payments')],
      namespace: 'shop',
    });
    expect(isolation.env).toEqual({ RELEASE_STRATEGIES_SHADOW: 'true' });
    expect(isolation.podLabels).toEqual({ 'release-strategies.dev/shadow': 'true' });
    const policy = policyOf(chart);
    expect(policy.metadata.name).toBe('checkout-canary-egress');
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'checkout', 'release-strategies.dev/role': 'canary' } },
      policyTypes: ['Egress'],
      egress: [DNS_RULE, {
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop-sandbox' } }, podSelector: { matchLabels: { app: 'payments-stub' } } }],
        ports: [{ protocol: 'TCP', port: 8080 }],
      }],
    });
  });

  test('fails with the caller\'s field names', () => {
    expect(() => addShadowIsolation(chartIn('shop'), 'MirrorIsolation', {
      where: 'shop/checkout',
      name: 'checkout-canary-egress',
      podSelector: { 'app.kubernetes.io/name': 'checkout' },
      sideEffects: isolated(EgressTarget.namespace('payments')),
      sideEffectsField: 'mirror.sideEffects',
      productionDependencies: [EgressTarget.pods({ namespace: 'payments', labels: { app: 'ledger' } })],
      productionDependenciesField: 'mirror.productionDependencies',
    })).toThrow("shop/checkout: invalid 'mirror.sideEffects.allowEgressTo[0]': must not reach a production dependency (it reaches mirror.productionDependencies[0]: pods {app=ledger} in namespace 'payments'), got every pod in namespace 'payments'");
  });
});
