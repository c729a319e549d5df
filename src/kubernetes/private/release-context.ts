import { Workload } from './workload';

/**
 * What a traffic router and an engine need to know about the released workload to render their
 * objects. Private: built by `CanaryRollout`, never exported.
 */
export interface ReleaseContext {
  /** Construct path, for error messages. */
  readonly where: string;
  /** The resolved workload (name, port, labels, selector). */
  readonly workload: Workload;
  /** Namespace of the chart, when it has one. */
  readonly namespace?: string;
  /** Service that always selects every pod of the workload (Argo) or that Flagger creates (apex). */
  readonly serviceName: string;
  /** Service in front of the new version. */
  readonly canaryServiceName: string;
  /** Service in front of the stable version. */
  readonly stableServiceName: string;
}

/** Router parts of a Flagger Canary. */
export interface FlaggerRouting {
  /** Flagger `spec.provider`. */
  readonly provider: string;
  /** Fields merged into the Canary's `spec.service`. */
  readonly service: { [key: string]: any };
  /** Name of the Ingress for `spec.ingressRef`. */
  readonly ingressRef?: string;
}
