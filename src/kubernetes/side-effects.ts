import { EgressProtocol, EgressTarget, EgressTargetKind } from './egress-target';
import { parseCidr } from './private/cidr';
import { checkDnsSubdomain, fail } from '../private/validate';

/** How a shadow's side effects are contained. */
export enum SideEffectsKind {
  /** A read-only service: no egress at all besides DNS. */
  NONE = 'none',
  /** Egress only to the sandbox dependencies in the allowlist, besides DNS. */
  ISOLATED = 'isolated',
}

/** Options every `SideEffects` takes. */
export interface SideEffectsOptions {
  /**
   * DNS servers the pods may query, on port 53 over UDP and TCP (give targets without ports).
   * Override for NodeLocal DNSCache (`EgressTarget.cidr('169.254.20.10/32')`) or a cluster whose
   * DNS pods carry other labels.
   * @default [EgressTarget.pods({ namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } })]
   */
  readonly dnsServers?: EgressTarget[];
  /**
   * Secrets the pods may reference although the production workload of the same service uses
   * them too, because they grant nothing in production (a read-only key, a sandbox account shared
   * by both). A shadow that references a production workload's Secret not listed here is refused.
   * @default - none: every Secret the production workload references is refused
   */
  readonly sandboxCredentials?: string[];
}

/** Options for `SideEffects.isolated`. */
export interface IsolatedSideEffectsOptions extends SideEffectsOptions {
  /**
   * Sandbox dependencies the pods may reach (a sandbox database, a payment provider's test API).
   * None of them may reach a production dependency. At least one; use `SideEffects.none()` for a
   * service without dependencies.
   */
  readonly allowEgressTo: EgressTarget[];
}

/**
 * What a shadow (or any pod that processes copies of production traffic) may touch. Required by
 * `ShadowMirror`: a shadow that writes, charges or sends emails on mirrored requests repeats them
 * in production.
 *
 * Either choice gets a default-deny egress NetworkPolicy over the pods that lets through only DNS
 * and the declared allowlist, and marks the pods as shadows: environment variable
 * `RELEASE_STRATEGIES_SHADOW=true` (so the application can refuse to write) and pod label
 * `release-strategies.dev/shadow=true` (so production dependencies can refuse them in their own
 * ingress policies).
 *
 * The policy restricts egress only (`policyTypes: ['Egress']`): mirrored requests arrive from client
 * sidecars, a gateway or an ingress controller, and receiving them has no side effect.
 *
 * A NetworkPolicy only takes effect on a cluster whose network plugin enforces it (Calico, Cilium,
 * Antrea, cloud network policy add-ons). A `ShadowMirror` whose pods reference a Secret of the
 * production workload (or a declared production credential) is refused unless the Secret is one of
 * `sandboxCredentials`; credentials that reach pods another way (a CSI secret store, a cloud
 * workload identity) are not seen: point those at sandbox accounts.
 */
export class SideEffects {
  /** Environment variable set to `'true'` in every container of a shadow pod. */
  public static readonly SHADOW_ENV_VAR = 'RELEASE_STRATEGIES_SHADOW';
  /** Label set to `'true'` on every shadow pod. */
  public static readonly SHADOW_LABEL = 'release-strategies.dev/shadow';
  /**
   * Widest IPv4 range (prefix length) an allowlist or DNS server list takes without
   * `acknowledgeWideRange`: a /24, 256 addresses, about one subnet. Wider ranges tend to hold
   * production hosts too.
   */
  public static readonly WIDEST_IPV4_PREFIX = 24;
  /**
   * Widest IPv6 range (prefix length) an allowlist or DNS server list takes without
   * `acknowledgeWideRange`: a /64, one subnet.
   */
  public static readonly WIDEST_IPV6_PREFIX = 64;

  /**
   * A read-only service: the pods may resolve names and nothing else.
   * @example SideEffects.none()
   */
  public static none(options: SideEffectsOptions = {}): SideEffects {
    return new SideEffects('SideEffects.none()', SideEffectsKind.NONE, [], options);
  }

  /**
   * A service with side effects, pointed at sandbox dependencies: the pods may resolve names and
   * reach `allowEgressTo`, nothing else.
   * @example SideEffects.isolated({ allowEgressTo: [EgressTarget.pods({ namespace: 'pricing-sandbox', labels: { app: 'postgres' }, ports: [5432] })] })
   */
  public static isolated(options: IsolatedSideEffectsOptions): SideEffects {
    const where = 'SideEffects.isolated()';
    const allow = options.allowEgressTo;
    if (!Array.isArray(allow) || allow.length === 0) {
      fail(where, 'allowEgressTo', 'must list at least one sandbox dependency (use SideEffects.none() for a service without dependencies)', allow);
    }
    allow.forEach((t, i) => {
      if (!(t instanceof EgressTarget)) fail(where, `allowEgressTo[${i}]`, 'must be an EgressTarget', t);
      checkReach(where, `allowEgressTo[${i}]`, t);
    });
    return new SideEffects(where, SideEffectsKind.ISOLATED, [...allow], options);
  }

  /** Which choice this is. */
  public readonly kind: SideEffectsKind;
  private readonly _allow: EgressTarget[];
  private readonly _dns: EgressTarget[];
  private readonly _sandbox: string[];

  private constructor(where: string, kind: SideEffectsKind, allow: EgressTarget[], options: SideEffectsOptions) {
    const dns = options.dnsServers ?? [EgressTarget.pods({ namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } })];
    if (!Array.isArray(dns) || dns.length === 0) fail(where, 'dnsServers', 'must list at least one DNS server', dns);
    dns.forEach((t, i) => {
      if (!(t instanceof EgressTarget)) fail(where, `dnsServers[${i}]`, 'must be an EgressTarget', t);
      if (t.ports.length > 0 || t.protocol !== EgressProtocol.TCP) {
        fail(where, `dnsServers[${i}]`, 'must not set ports or protocol (DNS is always allowed on port 53 over UDP and TCP)', t);
      }
      checkReach(where, `dnsServers[${i}]`, t);
    });
    const sandbox = options.sandboxCredentials ?? [];
    if (!Array.isArray(sandbox)) fail(where, 'sandboxCredentials', 'must be a list of Secret names', sandbox);
    sandbox.forEach((name, i) => checkDnsSubdomain(where, `sandboxCredentials[${i}]`, name));
    if (new Set(sandbox).size !== sandbox.length) fail(where, 'sandboxCredentials', 'must not repeat a Secret', sandbox);
    this.kind = kind;
    this._allow = allow;
    this._dns = [...dns];
    this._sandbox = [...sandbox];
  }

  /** Secrets the pods may share with the production workload (a copy). */
  public get sandboxCredentials(): string[] {
    return [...this._sandbox];
  }

  /** Sandbox dependencies the pods may reach (a copy); empty for `none()`. */
  public get allowEgressTo(): EgressTarget[] {
    return [...this._allow];
  }

  /** DNS servers the pods may query on port 53 (a copy). */
  public get dnsServers(): EgressTarget[] {
    return [...this._dns];
  }

  /** `none()` or `isolated(<n> targets)`, used in error messages. */
  public toString(): string {
    return this.kind === SideEffectsKind.NONE ? 'SideEffects.none()' : `SideEffects.isolated(${this._allow.length} targets)`;
  }
}

/**
 * Refuses a CIDR target that reaches the internet (`/0`, whatever is excepted) or is wider than the
 * documented limit without an acknowledgement.
 */
function checkReach(where: string, field: string, target: EgressTarget): void {
  if (target.kind !== EgressTargetKind.CIDR) return;
  const range = parseCidr(target.cidrBlock!)!;
  if (range.prefix === 0) {
    fail(where, field, `must not allow every address, whatever it excepts (${target.cidrBlock} reaches the internet, where payment, email and other production APIs live): list each sandbox range, at most /${SideEffects.WIDEST_IPV4_PREFIX} (IPv4) or /${SideEffects.WIDEST_IPV6_PREFIX} (IPv6)`, target);
  }
  const widest = range.family === 4 ? SideEffects.WIDEST_IPV4_PREFIX : SideEffects.WIDEST_IPV6_PREFIX;
  if (range.prefix < widest && target.wideRangeAcknowledgement === undefined) {
    fail(where, field, `must be at most /${widest} for IPv${range.family}, or say why it reaches no production system: EgressTarget.cidr('${target.cidrBlock}', { acknowledgeWideRange: '<reason>' })`, target);
  }
}
