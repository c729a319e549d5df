import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { checkWhenResolved, isToken } from '../../private/tokens';
import { checkDnsLabel, checkDnsSubdomain, checkNonEmpty, checkQualifiedName, checkRange, fail } from '../../private/validate';
import { DisruptionBudget } from '../disruption-budget';
import { Drain } from '../drain';
import { WorkloadOptions } from '../workload-options';

/** Label naming the application; every selector uses it (Flagger and most tools require it). */
export const NAME_LABEL = 'app.kubernetes.io/name';
/** Label with the version (image tag) a pod runs. */
export const VERSION_LABEL = 'app.kubernetes.io/version';
/** Label with the blue/green slot a pod belongs to. */
export const SLOT_LABEL = 'release-strategies.dev/slot';

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** `WorkloadOptions` with defaults resolved and checked. */
export interface Workload {
  readonly where: string;
  readonly name: string;
  readonly replicas: number;
  readonly port: number;
  readonly targetPort: number;
  /** Labels every selector uses. */
  readonly selector: { [key: string]: string };
  /** Labels on every object: the selector plus the user's labels. */
  readonly labels: { [key: string]: string };
  readonly drain: Drain;
  readonly budget: DisruptionBudget;
  readonly options: WorkloadOptions;
}

/** Resolves and checks the options every workload takes; `where` is the construct path. */
export function resolveWorkload(scope: Construct, options: WorkloadOptions): Workload {
  const where = scope.node.path;
  const name = options.name ?? scope.node.id;
  if (options.name === undefined && !/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
    fail(where, 'name', 'must be given when the construct id is not a DNS-1035 label (it names the Service)', name);
  }
  checkDnsLabel(where, 'name', name, 47);
  if (!/^[a-z]/.test(name)) fail(where, 'name', 'must start with a letter (Service names are DNS-1035 labels)', name);
  const replicas = options.replicas ?? 2;
  checkRange(where, 'replicas', replicas, 1, 10000);
  checkRange(where, 'port', options.port, 1, 65535);
  checkContainers(scope, 'containers', options.containers, options.allowMissingReadinessProbe ?? false);
  const targetPort = servingPort(options.containers[0])!;
  for (const [key, value] of Object.entries(options.labels ?? {})) {
    checkQualifiedName(where, 'labels', key);
    checkWhenResolved(scope, value, (v) => {
      if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) {
        fail(where, `labels.${key}`, 'must be a label value (at most 63 letters, digits, -, _ or ., starting and ending with a letter or digit)', v);
      }
    });
  }
  for (const key of Object.keys(options.podAnnotations ?? {})) checkQualifiedName(where, 'podAnnotations', key);
  if (options.serviceAccountName !== undefined) {
    checkWhenResolved(scope, options.serviceAccountName, (v) => checkDnsSubdomain(where, 'serviceAccountName', v));
  }
  const budget = options.disruptionBudget ?? DisruptionBudget.maxUnavailable(1);
  if (budget.minAvailablePods !== undefined && budget.minAvailablePods >= replicas) {
    fail(where, 'disruptionBudget', `minAvailable must be lower than replicas (${replicas}), or no node running these pods could ever be drained`, budget.minAvailablePods);
  }
  const selector = { [NAME_LABEL]: name };
  return {
    where,
    name,
    replicas,
    port: options.port,
    targetPort,
    selector,
    labels: { ...(options.labels ?? {}), ...selector },
    drain: options.drain ?? Drain.sleep(Duration.seconds(5)),
    budget,
    options,
  };
}

/**
 * Checks a list of containers (the first one serves traffic) of the construct `scope`; with
 * `servingPort`, the first container must serve on that port (a second pod template behind the same
 * Service).
 */
export function checkContainers(
  scope: IConstruct, field: string, containers: kplus.ContainerProps[], allowMissingReadiness: boolean, servingPortMustBe?: number,
): void {
  const where = scope.node.path;
  if (!Array.isArray(containers) || containers.length === 0) fail(where, field, 'must have at least one container', containers);
  const serving = containers[0];
  if (servingPort(serving) === undefined) {
    fail(where, `${field}[0].portNumber`, 'must be set on the first container, which serves traffic', undefined);
  }
  containers.forEach((c, i) => {
    if (c.portNumber !== undefined) checkRange(where, `${field}[${i}].portNumber`, c.portNumber, 1, 65535);
    (c.ports ?? []).forEach((p, j) => checkRange(where, `${field}[${i}].ports[${j}].number`, p.number, 1, 65535));
  });
  if (servingPortMustBe !== undefined && servingPort(serving) !== servingPortMustBe) {
    fail(where, `${field}[0].portNumber`, `must be ${servingPortMustBe}, the port the Service sends traffic to (the service's first container)`, servingPort(serving));
  }
  if (!serving.readiness && !allowMissingReadiness) {
    fail(where, `${field}[0].readiness`, 'must be set (e.g. Probe.fromHttpGet(\'/healthz\')), or set allowMissingReadinessProbe: true to opt out', undefined);
  }
  const names = new Set<string>();
  containers.forEach((c, i) => {
    // Kubernetes accepts an empty image in a pod template; Argo Rollouts then sits in InvalidSpec and
    // a Deployment's pods never start. A cdk8s Lazy image is checked when the app is synthesized.
    checkWhenResolved(scope, c.image, (image) => checkImage(where, `${field}[${i}].image`, image));
    const n = c.name ?? (i === 0 ? 'main' : undefined);
    if (n === undefined) fail(where, `${field}[${i}].name`, 'must be set on every container after the first', undefined);
    if (names.has(n)) fail(where, `${field}[${i}].name`, 'must be unique within the pod', n);
    names.add(n);
  });
}

/** A container image reference: not empty, no whitespace. */
export function checkImage(where: string, field: string, image: string): void {
  checkNonEmpty(where, field, image);
  if (/\s/.test(image)) fail(where, field, 'must be an image reference without whitespace', image);
}

function servingPort(container: kplus.ContainerProps): number | undefined {
  return container.portNumber ?? container.ports?.[0]?.number;
}

/** Options for `podTemplate`. */
export interface PodTemplateOptions {
  /** Containers of this pod template (a slot may bring its own). */
  readonly containers: kplus.ContainerProps[];
  /** Labels added to the pod on top of the workload's (e.g. the slot). */
  readonly extraLabels?: { [key: string]: string };
  /** Environment variables added to every container (e.g. a shadow marker). */
  readonly extraEnv?: { [name: string]: string };
}

/**
 * The pod template of a workload, with the safe defaults applied, as cdk8s-plus's typed `k8s`
 * structure (so `KubeDeployment` and the generated Rollout bindings both render it).
 */
export function podTemplate(w: Workload, options: PodTemplateOptions): k8s.PodTemplateSpec {
  const containers = options.containers.map((props, i) => new kplus.Container(withDefaults(w, props, i, options.extraEnv)));
  const volumes = new Map<string, k8s.Volume>();
  for (const c of containers) {
    for (const m of c.mounts) volumes.set(m.volume.name, m.volume._toKube());
  }
  const version = imageTag(options.containers[0].image);
  const labels = { ...w.labels, ...(version ? { [VERSION_LABEL]: version } : {}), ...(options.extraLabels ?? {}) };
  const serviceAccountName = w.options.serviceAccountName;
  return {
    metadata: { labels, annotations: w.options.podAnnotations },
    spec: {
      containers: containers.map((c) => c._toKube()),
      volumes: volumes.size > 0 ? [...volumes.values()] : undefined,
      serviceAccountName,
      automountServiceAccountToken: serviceAccountName !== undefined,
      terminationGracePeriodSeconds: w.drain.terminationGracePeriodSeconds,
      securityContext: {
        runAsNonRoot: true,
        seccompProfile: (w.options.seccompRuntimeDefault ?? true) ? { type: 'RuntimeDefault' } : undefined,
      },
    },
  };
}

function withDefaults(w: Workload, props: kplus.ContainerProps, index: number, extraEnv?: { [name: string]: string }): kplus.ContainerProps {
  const name = props.name ?? (index === 0 ? 'main' : undefined);
  let lifecycle = props.lifecycle;
  if (index === 0 && !lifecycle?.preStop) {
    const preStop = w.drain.preStopCommand
      ? kplus.Handler.fromCommand(w.drain.preStopCommand)
      : w.drain.preStopHttpPath ? kplus.Handler.fromHttpGet(w.drain.preStopHttpPath, { port: w.targetPort }) : undefined;
    if (preStop) lifecycle = { ...lifecycle, preStop };
  }
  const envVariables = extraEnv
    ? { ...(props.envVariables ?? {}), ...Object.fromEntries(Object.entries(extraEnv).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)])) }
    : props.envVariables;
  // cdk8s-plus documents a high UID/GID and leaves capabilities alone; checkov (CKV_K8S_40, CKV_K8S_37,
  // CKV_K8S_28) wants a UID above 9999 and every capability dropped. The user's own values win.
  const securityContext: kplus.ContainerSecurityContextProps = {
    ...props.securityContext,
    user: props.securityContext?.user ?? DEFAULT_UID,
    group: props.securityContext?.group ?? DEFAULT_GID,
    capabilities: props.securityContext?.capabilities ?? { drop: [kplus.Capability.ALL] },
  };
  return { ...props, name, lifecycle, envVariables, securityContext };
}

/** UID containers run as unless they set their own: above 9999, so it matches no host user. */
export const DEFAULT_UID = 25000;
/** GID containers run as unless they set their own. */
export const DEFAULT_GID = 26000;

/**
 * The tag of an image reference when it is a valid label value (`registry/app:2.4.0` gives `2.4.0`);
 * none for an image given as a token.
 */
export function imageTag(image: string): string | undefined {
  if (typeof image !== 'string' || isToken(image)) return undefined; // resolved later: no version label
  const lastSegment = image.split('/').pop() ?? '';
  if (image.includes('@') || !lastSegment.includes(':')) return undefined;
  const tag = lastSegment.split(':').pop()!;
  return tag.length <= 63 && LABEL_VALUE.test(tag) ? tag : undefined;
}

/** A PodDisruptionBudget over `selector`, unless the workload opted out. */
export function addDisruptionBudget(
  scope: Construct, id: string, w: Workload, name: string, selector: { [key: string]: string },
): k8s.KubePodDisruptionBudget | undefined {
  if (w.budget.disabled) return undefined;
  const maxUnavailable = w.budget.maxUnavailableValue;
  return new k8s.KubePodDisruptionBudget(scope, id, {
    metadata: { name, labels: w.labels },
    spec: {
      selector: { matchLabels: selector },
      maxUnavailable: maxUnavailable === undefined ? undefined : intOrString(maxUnavailable),
      minAvailable: w.budget.minAvailablePods === undefined ? undefined : k8s.IntOrString.fromNumber(w.budget.minAvailablePods),
    },
  });
}

/** A ClusterIP Service named `name` that sends port `w.port` to the serving container of the pods `selector` picks. */
export function addService(scope: Construct, id: string, w: Workload, name: string, selector: { [key: string]: string }): k8s.KubeService {
  return new k8s.KubeService(scope, id, {
    metadata: { name, labels: w.labels },
    spec: {
      type: 'ClusterIP',
      selector,
      ports: [{ name: 'http', port: w.port, targetPort: k8s.IntOrString.fromNumber(w.targetPort), protocol: 'TCP' }],
    },
  });
}

/** `'25%'` stays a string, `'1'` becomes the number 1. */
export function intOrString(value: string): k8s.IntOrString {
  return /^\d+$/.test(value) ? k8s.IntOrString.fromNumber(Number(value)) : k8s.IntOrString.fromString(value);
}
