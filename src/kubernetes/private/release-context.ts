import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Workload } from './workload';
import { HeaderMatch } from '../../strategy/header-match';
import { RolloutPlan } from '../../strategy/rollout-plan';
import { AutoscalingOptions } from '../autoscaling-options';
import { EgressTarget } from '../egress-target';
import { SideEffects } from '../side-effects';
import { TrafficRouter } from '../traffic-router';

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

/** The namespace of the chart `scope` is in, when it has one. */
export function chartNamespace(scope: Construct): string | undefined {
  return Chart.of(scope).namespace;
}

/**
 * What a traffic router does for an Argo Rollouts canary: the rules it puts on the plan, the objects
 * the Rollout references, and the Rollout's `trafficRouting`.
 */
export interface ArgoRouterBinding {
  /** False when traffic follows the ratio of pods (`TrafficRouter.none()`). */
  readonly routed: boolean;
  /** Egress mirrored canary pods need for this router (a mesh control plane). */
  readonly mirrorEgress?: EgressTarget[];
  /** Why header routes with `matches` cannot go through this router; undefined when they can. */
  headerRouteProblem(matches: HeaderMatch[]): string | undefined;
  /** Why mirror routes cannot go through this router; undefined when they can. */
  mirrorProblem(): string | undefined;
  /** Defines the objects the Rollout references (HTTPRoute, VirtualService, Ingress, ...) under `scope`. */
  addObjects(scope: Construct): void;
  /** The Rollout's `strategy.canary.trafficRouting` (plain JSON, as the CRD reads it); undefined without a router. */
  trafficRouting(managedRoutes: string[]): { [key: string]: any } | undefined;
}

/** What a traffic router does for a Flagger Canary. */
export interface FlaggerRouterBinding {
  /** Flagger `spec.provider`. */
  readonly provider: string;
  /** Fields merged into the Canary's `spec.service`. */
  readonly service: { [key: string]: any };
  /** Name of the Ingress for `spec.ingressRef`. */
  readonly ingressRef?: string;
  /** Egress mirrored canary pods need for this router (a mesh control plane); undefined when Flagger cannot mirror through it. */
  readonly mirrorEgress?: EgressTarget[];
  /** Why an A/B test cannot route `matches` through this router; undefined when it can. */
  matchProblem(matches: HeaderMatch[]): string | undefined;
  /** Defines the objects Flagger expects the user to own (an Ingress, ...) under `scope`. */
  addObjects(scope: Construct): void;
}

/** Everything an engine renders a `CanaryRollout` from. */
export interface CanaryRelease {
  readonly ctx: ReleaseContext;
  readonly plan: RolloutPlan;
  readonly router: TrafficRouter;
  /** The pod template, with the safe defaults applied. */
  readonly template: k8s.PodTemplateSpec;
  /** What mirrored canary pods may reach (Argo Rollouts with Step.mirror). */
  readonly sideEffects?: SideEffects;
  /** Production dependencies mirrored canary pods must never reach. */
  readonly productionDependencies?: EgressTarget[];
  /** The HorizontalPodAutoscaler, when the number of pods follows the load. */
  readonly autoscaling?: AutoscalingOptions;
}
