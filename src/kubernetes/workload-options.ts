import * as kplus from 'cdk8s-plus-28';
import { DisruptionBudget } from './disruption-budget';
import { Drain } from './drain';

/**
 * What every released Kubernetes workload takes: its containers, how many pods, the Service port,
 * and the safety settings each pod gets by default.
 *
 * Safe defaults, each explicitly overridable: the serving container must have a readiness probe;
 * a PodDisruptionBudget; a preStop drain within a termination grace period; cdk8s-plus's container
 * defaults (resource requests and limits, non-root user, read-only root filesystem, no privilege
 * escalation); every Linux capability dropped and UID 25000/GID 26000, each unless a container
 * sets it in its `securityContext`; the RuntimeDefault seccomp profile; no service account token mounted.
 */
export interface WorkloadOptions {
  /**
   * Containers of each pod (cdk8s-plus `ContainerProps`). Every container needs an `image` (not
   * empty, no whitespace; a cdk8s `Lazy` image is checked when the app is synthesized, an aws-cdk-lib
   * token is written out unchecked) and ports from 1 to 65535. The first one serves traffic: it needs
   * `portNumber` and, unless `allowMissingReadinessProbe` is set, `readiness`.
   */
  readonly containers: kplus.ContainerProps[];
  /** Port the Service listens on; traffic goes to the first container's `portNumber`. */
  readonly port: number;
  /**
   * Pods of the live version.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Base name of every object (the Service is called this).
   * @default - the construct id, which must then be a DNS-1035 label
   */
  readonly name?: string;
  /**
   * Labels added to every object and pod, next to the app.kubernetes.io labels. Keys are qualified
   * names (`team`, `example.com/team`); a value may be a cdk8s `Lazy`, checked when the app is synthesized.
   * @default - only the standard labels
   */
  readonly labels?: { [key: string]: string };
  /**
   * Annotations added to every pod; keys are qualified names like label keys.
   * @default - none
   */
  readonly podAnnotations?: { [key: string]: string };
  /**
   * Service account the pods run as (a DNS-1123 subdomain; a cdk8s `Lazy` is checked when the app is
   * synthesized); its token is mounted only when this is set.
   * @default - the namespace's default account, with no token mounted
   */
  readonly serviceAccountName?: string;
  /**
   * How pods stop without dropping requests.
   * @default Drain.sleep(Duration.seconds(5)) with a 30 second grace period
   */
  readonly drain?: Drain;
  /**
   * How many pods voluntary disruptions may take down at once.
   * @default DisruptionBudget.maxUnavailable(1)
   */
  readonly disruptionBudget?: DisruptionBudget;
  /**
   * Accept a serving container without a readiness probe. Without one, a pod gets traffic as soon as
   * its process starts, and a release cannot tell a healthy pod from a starting one.
   * @default false
   */
  readonly allowMissingReadinessProbe?: boolean;
  /**
   * Run pods with the container runtime's default seccomp profile.
   * @default true
   */
  readonly seccompRuntimeDefault?: boolean;
}
