/**
 * Locks the side effects of pods that process copies of production traffic: a default-deny egress
 * NetworkPolicy that lets through only DNS and an allowlist, a shadow marker on the pods, and the
 * synth-time refusal of any allowlist entry that reaches a declared production dependency.
 *
 * Used by `ShadowMirror` for its shadow pods and meant for `CanaryRollout`'s `Step.mirror` canary pods:
 *
 *   const isolation = addShadowIsolation(this, 'MirrorIsolation', {
 *     where: this.node.path, name: `${name}-canary-egress`, podSelector: canarySelector,
 *     sideEffects: props.sideEffects, productionDependencies: props.productionDependencies,
 *     namespace: Chart.of(this).namespace,
 *   });
 *   podTemplate(w, { containers, extraEnv: isolation.env, extraLabels: isolation.podLabels });
 *
 * Call `checkShadowSafety` first when the refusals must come before any object is created.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { parseCidr, rangesOverlap } from './cidr';
import { WRITE_METHODS } from '../../private/http-methods';
import { fail } from '../../private/validate';
import { HttpMethod } from '../../strategy/http-method';
import { EgressTarget, EgressTargetKind } from '../egress-target';
import { SideEffects, SideEffectsKind } from '../side-effects';

/** One extra egress grant the pods need besides the allowlist, named for error messages. */
export interface EgressGrant {
  /** Field the grant comes from, as error messages name it (e.g. `router.egress[0]`). */
  readonly field: string;
  readonly target: EgressTarget;
}

/** What `checkShadowSafety` checks. */
export interface ShadowSafetyOptions {
  /** Construct path, for error messages. */
  readonly where: string;
  /** The declared side effects; `undefined` is refused. */
  readonly sideEffects: SideEffects | undefined;
  /** Field name of `sideEffects` in the caller's props. Default `'sideEffects'`. */
  readonly sideEffectsField?: string;
  /** What the pods must never reach. */
  readonly productionDependencies?: EgressTarget[];
  /** Field name of `productionDependencies` in the caller's props. Default `'productionDependencies'`. */
  readonly productionDependenciesField?: string;
  /** Namespace the pods and the policy live in, when known (the chart's namespace). */
  readonly namespace?: string;
  /** Egress the pods need besides DNS and the allowlist (e.g. a mesh control plane). */
  readonly extraEgress?: EgressGrant[];
}

/** What `addShadowIsolation` needs. */
export interface ShadowIsolationProps extends ShadowSafetyOptions {
  /** Name of the NetworkPolicy. */
  readonly name: string;
  /** Labels that select the pods to isolate (all of them). */
  readonly podSelector: { [key: string]: string };
  /** Labels of the NetworkPolicy object. */
  readonly labels?: { [key: string]: string };
}

/** What `addShadowIsolation` emitted and what the caller must add to its pods. */
export interface ShadowIsolation {
  readonly policy: k8s.KubeNetworkPolicy;
  /** Environment variables to add to every container (the shadow marker). */
  readonly env: { [name: string]: string };
  /** Labels to add to every pod (the shadow marker). */
  readonly podLabels: { [key: string]: string };
}

const DNS_PORTS = ['UDP/53', 'TCP/53'];

/**
 * Refuses pods without declared side effects, and any egress grant that reaches a production
 * dependency. Returns the side effects.
 */
export function checkShadowSafety(options: ShadowSafetyOptions): SideEffects {
  const where = options.where;
  const sideField = options.sideEffectsField ?? 'sideEffects';
  const prodField = options.productionDependenciesField ?? 'productionDependencies';
  const sideEffects = options.sideEffects;
  if (!(sideEffects instanceof SideEffects)) {
    fail(where, sideField, 'must be declared: SideEffects.none() for a read-only service, or SideEffects.isolated({ allowEgressTo: [...] }) with its sandbox dependencies', sideEffects);
  }
  const production = options.productionDependencies ?? [];
  if (!Array.isArray(production)) fail(where, prodField, 'must be a list of EgressTarget', production);
  production.forEach((t, i) => {
    if (!(t instanceof EgressTarget)) fail(where, `${prodField}[${i}]`, 'must be an EgressTarget', t);
  });
  const grants = egressGrants(sideEffects, sideField, options.extraEgress ?? []);
  for (const grant of grants) {
    production.forEach((dependency, i) => {
      if (reaches(grant.target, grant.ports, dependency, effectivePorts(dependency), options.namespace)) {
        fail(where, grant.field, `must not reach a production dependency (it reaches ${prodField}[${i}]: ${dependency})`, grant.target);
      }
    });
  }
  return sideEffects;
}

/**
 * Mirrored writes are repeated by the pods that receive them: only pods whose allowlist is checked
 * against production may get them. Refuses writes in `methods` unless `sideEffects` is isolated and
 * `production` lists at least one dependency. `fields` names the two props in messages.
 */
export function checkMirroredWrites(where: string, methods: HttpMethod[], sideEffects: SideEffects, production: EgressTarget[],
  fields: { sideEffects: string; productionDependencies: string; receiver: string } = { sideEffects: 'sideEffects', productionDependencies: 'productionDependencies', receiver: 'shadow' }): void {
  const writes = methods.filter((m) => WRITE_METHODS.includes(m));
  if (writes.length === 0) return;
  if (sideEffects.kind !== SideEffectsKind.ISOLATED) {
    fail(where, fields.sideEffects, `must be SideEffects.isolated({ allowEgressTo: [...] }) with the ${fields.receiver}'s sandbox dependencies when writes are mirrored (methods include ${writes.join(', ')}): the ${fields.receiver} repeats every write it receives`, sideEffects);
  }
  if (production.length === 0) {
    fail(where, fields.productionDependencies, `must list the production systems the sandbox stands in for when writes are mirrored (methods include ${writes.join(', ')}), so that no allowlist entry can reach them`, production);
  }
}

/**
 * Checks (as `checkShadowSafety`) and emits the default-deny egress NetworkPolicy over the pods
 * `podSelector` picks; returns the env and labels that mark the pods as shadows.
 */
export function addShadowIsolation(scope: Construct, id: string, props: ShadowIsolationProps): ShadowIsolation {
  const sideEffects = checkShadowSafety(props);
  const dnsRule: k8s.NetworkPolicyEgressRule = {
    to: sideEffects.dnsServers.map((t) => t._toPeer()),
    ports: [
      { protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) },
      { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) },
    ],
  };
  const targets = [...sideEffects.allowEgressTo, ...(props.extraEgress ?? []).map((g) => g.target)];
  const policy = new k8s.KubeNetworkPolicy(scope, id, {
    metadata: { name: props.name, labels: props.labels },
    spec: {
      podSelector: { matchLabels: { ...props.podSelector } },
      policyTypes: ['Egress'],
      egress: [dnsRule, ...targets.map((t) => ({ to: [t._toPeer()], ports: t._toPorts() }))],
    },
  });
  return {
    policy,
    env: { [SideEffects.SHADOW_ENV_VAR]: 'true' },
    podLabels: { [SideEffects.SHADOW_LABEL]: 'true' },
  };
}

interface ResolvedGrant {
  readonly field: string;
  readonly target: EgressTarget;
  /** `PROTOCOL/port` entries; empty means every port. */
  readonly ports: string[];
}

function egressGrants(sideEffects: SideEffects, field: string, extra: EgressGrant[]): ResolvedGrant[] {
  return [
    ...sideEffects.dnsServers.map((target, i) => ({ field: `${field}.dnsServers[${i}]`, target, ports: DNS_PORTS })),
    ...sideEffects.allowEgressTo.map((target, i) => ({ field: `${field}.allowEgressTo[${i}]`, target, ports: effectivePorts(target) })),
    ...extra.map((g) => ({ field: g.field, target: g.target, ports: effectivePorts(g.target) })),
  ];
}

function effectivePorts(target: EgressTarget): string[] {
  return target.ports.map((p) => `${target.protocol}/${p}`);
}

/**
 * Whether traffic allowed to `grant` on `grantPorts` can arrive at `dependency` on `dependencyPorts`.
 *
 * - Two IP ranges: some address lies in both, outside both `except` lists.
 * - Two selectors: the namespaces can be the same (a pod selector without a namespace means
 *   `namespace`; when that is unknown it may be any namespace) and no label key has different
 *   values in the two, so one pod can carry both label sets. A namespace-wide target has no labels.
 * - A range and a selector are not compared: pod IPs are not known at synth time.
 * - Ports: either side without ports means every port; otherwise a common protocol/port.
 */
export function reaches(grant: EgressTarget, grantPorts: string[], dependency: EgressTarget, dependencyPorts: string[],
  namespace: string | undefined): boolean {
  if (grantPorts.length > 0 && dependencyPorts.length > 0 && !grantPorts.some((p) => dependencyPorts.includes(p))) return false;
  const grantIsCidr = grant.kind === EgressTargetKind.CIDR;
  const dependencyIsCidr = dependency.kind === EgressTargetKind.CIDR;
  if (grantIsCidr && dependencyIsCidr) {
    return rangesOverlap(parseCidr(grant.cidrBlock!)!, grant.exceptCidrs.map((e) => parseCidr(e)!),
      parseCidr(dependency.cidrBlock!)!, dependency.exceptCidrs.map((e) => parseCidr(e)!));
  }
  if (grantIsCidr || dependencyIsCidr) return false;
  const ns1 = grant.namespaceName ?? namespace;
  const ns2 = dependency.namespaceName ?? namespace;
  if (ns1 !== undefined && ns2 !== undefined && ns1 !== ns2) return false;
  const labels1 = grant.podLabels ?? {};
  const labels2 = dependency.podLabels ?? {};
  return Object.keys(labels1).every((key) => !(key in labels2) || labels1[key] === labels2[key]);
}

/** A Secret a pod references, and where in the pod. */
export interface SecretReference {
  readonly secret: string;
  /** e.g. `env DB_PASSWORD of container 'main'`. */
  readonly where: string;
}

/**
 * Every Secret a pod spec (typed or JSON) references through `env`, `envFrom` and volumes
 * (`secret` and `projected`), in containers and init containers. Image pull secrets are left out:
 * they grant access to a registry, not to a dependency.
 */
export function secretReferences(podSpec: any): SecretReference[] {
  const refs: SecretReference[] = [];
  for (const c of [...(podSpec?.initContainers ?? []), ...(podSpec?.containers ?? [])]) {
    const container = `container '${c.name}'`;
    for (const e of c.env ?? []) {
      const name = e.valueFrom?.secretKeyRef?.name;
      if (name) refs.push({ secret: name, where: `env ${e.name} of ${container}` });
    }
    for (const e of c.envFrom ?? []) {
      const name = e.secretRef?.name;
      if (name) refs.push({ secret: name, where: `envFrom of ${container}` });
    }
  }
  for (const v of podSpec?.volumes ?? []) {
    if (v.secret?.secretName) refs.push({ secret: v.secret.secretName, where: `volume '${v.name}'` });
    for (const source of v.projected?.sources ?? []) {
      if (source.secret?.name) refs.push({ secret: source.secret.name, where: `volume '${v.name}'` });
    }
  }
  return refs;
}

/**
 * The first reference to a production credential that is not a sandbox credential: `production`
 * maps each production Secret to where production uses (or declares) it.
 */
export function productionCredentialIn(
  refs: SecretReference[], production: Map<string, string>, sideEffects: SideEffects,
): { ref: SecretReference; source: string } | undefined {
  const sandbox = sideEffects.sandboxCredentials;
  for (const ref of refs) {
    const source = production.get(ref.secret);
    if (source !== undefined && !sandbox.includes(ref.secret)) return { ref, source };
  }
  return undefined;
}
