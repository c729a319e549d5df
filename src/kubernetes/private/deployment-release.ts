import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { addAutoscaler } from './autoscaler';
import { addDisruptionBudget, addService, podTemplate, Workload } from './workload';
import { checkRange } from '../../private/validate';
import { AutoscalingOptions } from '../autoscaling-options';
import { DeploymentReleaseOptions } from '../deployment-release-options';

/** The progress settings of a Deployment, resolved and checked. */
export interface DeploymentProgress {
  readonly minReadySeconds: number;
  readonly progressDeadlineSeconds: number;
  readonly revisionHistoryLimit: number;
}

/** Resolves and checks `minReadySeconds`, `progressDeadlineSeconds` and `revisionHistoryLimit`. */
export function resolveProgress(where: string, options: DeploymentReleaseOptions): DeploymentProgress {
  const minReadySeconds = options.minReadySeconds ?? 0;
  checkRange(where, 'minReadySeconds', minReadySeconds, 0, 86400);
  const progressDeadlineSeconds = options.progressDeadlineSeconds ?? 600;
  // The API server refuses a progress deadline that is not greater than minReadySeconds.
  checkRange(where, 'progressDeadlineSeconds', progressDeadlineSeconds, minReadySeconds + 1, 86400 * 7);
  const revisionHistoryLimit = options.revisionHistoryLimit ?? 10;
  checkRange(where, 'revisionHistoryLimit', revisionHistoryLimit, 0, 1000);
  return { minReadySeconds, progressDeadlineSeconds, revisionHistoryLimit };
}

/**
 * A Service `<name>`, the Deployment `<name>` with `strategy`, a HorizontalPodAutoscaler when asked,
 * and the PodDisruptionBudget `<name>`, in that order.
 */
export function addDeploymentRelease(
  scope: Construct, w: Workload, strategy: k8s.DeploymentStrategy, progress: DeploymentProgress, autoscaling?: AutoscalingOptions,
): k8s.KubeDeployment {
  addService(scope, 'Service', w, w.name, w.selector);
  const deployment = new k8s.KubeDeployment(scope, 'Resource', {
    metadata: { name: w.name, labels: w.labels },
    spec: {
      replicas: autoscaling ? undefined : w.replicas,
      selector: { matchLabels: w.selector },
      strategy,
      minReadySeconds: progress.minReadySeconds > 0 ? progress.minReadySeconds : undefined,
      progressDeadlineSeconds: progress.progressDeadlineSeconds,
      revisionHistoryLimit: progress.revisionHistoryLimit,
      template: podTemplate(w, { containers: w.options.containers }),
    },
  });
  if (autoscaling) addAutoscaler(scope, w, { apiVersion: 'apps/v1', kind: 'Deployment', name: w.name }, autoscaling);
  addDisruptionBudget(scope, 'DisruptionBudget', w, w.name, w.selector);
  return deployment;
}
