import { k8s } from 'cdk8s-plus-28';
import { contains, parseCidr } from './private/cidr';
import { checkDnsLabel, checkNonEmpty, checkRange, fail } from '../private/validate';

/** Transport protocol of the ports an `EgressTarget` opens. */
export enum EgressProtocol {
  /** TCP. */
  TCP = 'TCP',
  /** UDP. */
  UDP = 'UDP',
  /** SCTP. */
  SCTP = 'SCTP',
}

/** What an `EgressTarget` selects. */
export enum EgressTargetKind {
  /** Pods chosen by labels, in one namespace. */
  PODS = 'pods',
  /** Every pod of one namespace. */
  NAMESPACE = 'namespace',
  /** An IP address range (`ipBlock`). */
  CIDR = 'cidr',
}

/** Ports every `EgressTarget` factory takes. */
export interface EgressPortOptions {
  /**
   * Destination ports, all with `protocol`.
   * @default - every port
   */
  readonly ports?: number[];
  /**
   * Protocol of `ports`.
   * @default EgressProtocol.TCP
   */
  readonly protocol?: EgressProtocol;
}

/** Options for `EgressTarget.pods`. */
export interface EgressPodsOptions extends EgressPortOptions {
  /** Labels the pods carry, all of them (`matchLabels`). At least one. */
  readonly labels: { [key: string]: string };
  /**
   * Namespace of the pods, matched by its `kubernetes.io/metadata.name` label.
   * @default - the namespace of the pods the NetworkPolicy applies to (the chart's namespace)
   */
  readonly namespace?: string;
}

/** Options for `EgressTarget.cidr`. */
export interface EgressCidrOptions extends EgressPortOptions {
  /**
   * Ranges inside the CIDR that are left out.
   * @default - the whole range
   */
  readonly exceptCidrs?: string[];
  /**
   * Why this range reaches no production system, when it is wider than a shadow allowlist accepts
   * without one (`SideEffects.WIDEST_IPV4_PREFIX`, `SideEffects.WIDEST_IPV6_PREFIX`), e.g. a sandbox
   * VPC that holds no production host. Excepted ranges do not count: the width is the CIDR's own.
   * `0.0.0.0/0` and `::/0` are refused in an allowlist whatever the reason.
   * @default - none: a shadow allowlist refuses the range if it is wider than the limit
   */
  readonly acknowledgeWideRange?: string;
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Label Kubernetes sets on every namespace to its own name (since v1.22). */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * A destination pods may (or, as a production dependency, must not) send traffic to, rendered as
 * a NetworkPolicy egress peer: pods by label in a namespace, every pod of a namespace, or an IP
 * range. Shadows use it for their allowlist and for the production dependencies it is checked
 * against.
 *
 * Namespaces are matched by name only (the `kubernetes.io/metadata.name` label), and pods by exact
 * labels only, so that whether two targets can reach the same pod is decidable at synth time.
 *
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export class EgressTarget {
  /**
   * Pods carrying all of `labels`, in `namespace` (or in the NetworkPolicy's own namespace).
   * @example EgressTarget.pods({ namespace: 'pricing-sandbox', labels: { 'app.kubernetes.io/name': 'postgres' }, ports: [5432] })
   */
  public static pods(options: EgressPodsOptions): EgressTarget {
    const where = 'EgressTarget.pods()';
    const labels = options.labels;
    if (typeof labels !== 'object' || labels === null || Object.keys(labels).length === 0) {
      fail(where, 'labels', 'must name at least one label (use EgressTarget.namespace() for every pod of a namespace)', labels);
    }
    checkLabels(where, labels);
    if (options.namespace !== undefined) checkDnsLabel(where, 'namespace', options.namespace);
    return new EgressTarget(where, EgressTargetKind.PODS, options.namespace, { ...labels }, undefined, [], options);
  }

  /**
   * Every pod of namespace `name`.
   * @example EgressTarget.namespace('search-sandbox', { ports: [9200] })
   */
  public static namespace(name: string, options: EgressPortOptions = {}): EgressTarget {
    const where = 'EgressTarget.namespace()';
    checkDnsLabel(where, 'name', name);
    return new EgressTarget(where, EgressTargetKind.NAMESPACE, name, undefined, undefined, [], options);
  }

  /**
   * Addresses in `cidr` (IPv4 or IPv6, host bits zero), except the ranges in `exceptCidrs`.
   *
   * Network plugins differ on whether an `ipBlock` also matches pod IPs: Calico applies it to pod
   * IPs, Cilium does not. Prefer `pods()` or `namespace()` for anything that runs in the cluster.
   * @example EgressTarget.cidr('10.40.12.0/24', { ports: [5432] })
   */
  public static cidr(cidr: string, options: EgressCidrOptions = {}): EgressTarget {
    const where = 'EgressTarget.cidr()';
    const range = parseCidr(cidr);
    if (!range) fail(where, 'cidr', "must be an IPv4 or IPv6 CIDR such as '10.0.0.0/8'", cidr);
    if (!range.canonical) fail(where, 'cidr', 'must have no host bits set (the first address of its range)', cidr);
    const except = options.exceptCidrs ?? [];
    except.forEach((e, i) => {
      const r = parseCidr(e);
      if (!r) fail(where, `exceptCidrs[${i}]`, "must be an IPv4 or IPv6 CIDR such as '10.1.0.0/16'", e);
      if (!r.canonical) fail(where, `exceptCidrs[${i}]`, 'must have no host bits set (the first address of its range)', e);
      if (!contains(range, r) || (r.start === range.start && r.end === range.end)) {
        fail(where, `exceptCidrs[${i}]`, `must be a range strictly inside ${cidr}`, e);
      }
    });
    const reason = options.acknowledgeWideRange;
    if (reason !== undefined) checkNonEmpty(where, 'acknowledgeWideRange', reason);
    return new EgressTarget(where, EgressTargetKind.CIDR, undefined, undefined, cidr, [...except], options, reason);
  }

  /** What this target selects. */
  public readonly kind: EgressTargetKind;
  /**
   * Namespace of a PODS or NAMESPACE target.
   * @default - for PODS: the NetworkPolicy's own namespace; for CIDR: not namespaced
   */
  public readonly namespaceName?: string;
  /**
   * Labels a PODS target matches.
   * @default - not a PODS target
   */
  public readonly podLabels?: { [key: string]: string };
  /**
   * Address range of a CIDR target.
   * @default - not a CIDR target
   */
  public readonly cidrBlock?: string;
  /** Protocol of `ports`. */
  public readonly protocol: EgressProtocol;
  /**
   * Why a CIDR target wider than a shadow allowlist's limit reaches no production system.
   * @default - not acknowledged
   */
  public readonly wideRangeAcknowledgement?: string;
  private readonly _except: string[];
  private readonly _ports: number[];

  private constructor(where: string, kind: EgressTargetKind, namespace: string | undefined, podLabels: { [key: string]: string } | undefined,
    cidr: string | undefined, except: string[], options: EgressPortOptions, wideRangeAcknowledgement?: string) {
    const ports = options.ports ?? [];
    if (!Array.isArray(ports)) fail(where, 'ports', 'must be a list of port numbers', ports);
    ports.forEach((p, i) => checkRange(where, `ports[${i}]`, p, 1, 65535));
    if (new Set(ports).size !== ports.length) fail(where, 'ports', 'must not repeat a port', ports);
    const protocol = options.protocol ?? EgressProtocol.TCP;
    if (!Object.values(EgressProtocol).includes(protocol)) fail(where, 'protocol', 'must be an EgressProtocol', protocol);
    this.kind = kind;
    this.namespaceName = namespace;
    this.podLabels = podLabels;
    this.cidrBlock = cidr;
    this.protocol = protocol;
    this.wideRangeAcknowledgement = wideRangeAcknowledgement;
    this._except = except;
    this._ports = [...ports];
  }

  /** Ranges left out of a CIDR target (a copy). */
  public get exceptCidrs(): string[] {
    return [...this._except];
  }

  /** Destination ports; empty means every port (a copy). */
  public get ports(): number[] {
    return [...this._ports];
  }

  /** A short description such as `pods {app=db} in namespace 'payments'`, used in error messages. */
  public toString(): string {
    const ports = this._ports.length > 0 ? ` on ${this.protocol} ${this._ports.join(', ')}` : '';
    switch (this.kind) {
      case EgressTargetKind.PODS: {
        const labels = Object.entries(this.podLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
        const ns = this.namespaceName === undefined ? "in the policy's own namespace" : `in namespace '${this.namespaceName}'`;
        return `pods {${labels}} ${ns}${ports}`;
      }
      case EgressTargetKind.NAMESPACE: return `every pod in namespace '${this.namespaceName}'${ports}`;
      case EgressTargetKind.CIDR: {
        const except = this._except.length > 0 ? ` except ${this._except.join(', ')}` : '';
        return `${this.cidrBlock}${except}${ports}`;
      }
    }
  }

  /** @internal */
  public _toPeer(): k8s.NetworkPolicyPeer {
    switch (this.kind) {
      case EgressTargetKind.PODS: return {
        namespaceSelector: this.namespaceName === undefined ? undefined : { matchLabels: { [NAMESPACE_NAME_LABEL]: this.namespaceName } },
        podSelector: { matchLabels: { ...this.podLabels } },
      };
      case EgressTargetKind.NAMESPACE: return { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: this.namespaceName! } } };
      case EgressTargetKind.CIDR: return { ipBlock: { cidr: this.cidrBlock!, except: this._except.length > 0 ? [...this._except] : undefined } };
    }
  }

  /** @internal */
  public _toPorts(): k8s.NetworkPolicyPort[] | undefined {
    if (this._ports.length === 0) return undefined;
    return this._ports.map((port) => ({ protocol: this.protocol, port: k8s.IntOrString.fromNumber(port) }));
  }
}

function checkLabels(where: string, labels: { [key: string]: string }): void {
  for (const [key, value] of Object.entries(labels)) {
    const parts = key.split('/');
    const name = parts[parts.length - 1];
    const prefix = parts.length === 2 ? parts[0] : undefined;
    const badPrefix = prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix));
    if (parts.length > 2 || name.length > 63 || !LABEL_NAME.test(name) || badPrefix) {
      fail(where, 'labels', 'must use label keys that are qualified names (an optional DNS subdomain prefix and \'/\', then at most 63 letters, digits, -, _ or .)', key);
    }
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      fail(where, `labels.${key}`, 'must be a label value (at most 63 letters, digits, -, _ or ., starting and ending with a letter or digit)', value);
    }
  }
}
