import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Workload } from './workload';
import { checkRange, fail } from '../../private/validate';
import { AutoscalingOptions } from '../autoscaling-options';

/** What the HorizontalPodAutoscaler scales. */
export interface ScaleTarget {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

/** Checks `options` (field `autoscaling`) and returns the replicas the workload checks run with. */
export function checkAutoscaling(where: string, options: AutoscalingOptions, replicas: number | undefined): number {
  checkRange(where, 'autoscaling.minReplicas', options.minReplicas, 1, 10000);
  checkRange(where, 'autoscaling.maxReplicas', options.maxReplicas, options.minReplicas, 10000);
  if (options.cpuUtilizationPercent !== undefined) checkRange(where, 'autoscaling.cpuUtilizationPercent', options.cpuUtilizationPercent, 1, 1000);
  if (options.memoryUtilizationPercent !== undefined) checkRange(where, 'autoscaling.memoryUtilizationPercent', options.memoryUtilizationPercent, 1, 1000);
  if (replicas !== undefined) {
    fail(where, 'replicas', 'must be left out with autoscaling (the HorizontalPodAutoscaler sets the number of pods between minReplicas and maxReplicas)', replicas);
  }
  return options.minReplicas;
}

/** A HorizontalPodAutoscaler named after the workload that scales `target`. */
export function addAutoscaler(scope: Construct, w: Workload, target: ScaleTarget, options: AutoscalingOptions): k8s.KubeHorizontalPodAutoscalerV2 {
  const utilization = (name: string, percent: number): k8s.MetricSpecV2 => ({
    type: 'Resource',
    resource: { name, target: { type: 'Utilization', averageUtilization: percent } },
  });
  return new k8s.KubeHorizontalPodAutoscalerV2(scope, 'Autoscaler', {
    metadata: { name: w.name, labels: w.labels },
    spec: {
      scaleTargetRef: { ...target },
      minReplicas: options.minReplicas,
      maxReplicas: options.maxReplicas,
      metrics: [
        utilization('cpu', options.cpuUtilizationPercent ?? 80),
        ...(options.memoryUtilizationPercent !== undefined ? [utilization('memory', options.memoryUtilizationPercent)] : []),
      ],
    },
  });
}
