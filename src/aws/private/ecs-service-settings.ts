/**
 * What an ECS service already says about its deployments, read from its L1 without resolving the
 * lazy values aws-cdk-lib fills in later (lifecycle hooks, alarms).
 */
import { Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';

/** The deployment controller of a service, as its L1 says (`ECS` when unset). */
export function controllerOf(service: ecs.BaseService): string {
  const cfnService = service.node.defaultChild as ecs.CfnService;
  // Read the L1 properties as they are: resolving them would freeze the lazy values aws-cdk-lib fills
  // in later (lifecycle hooks, alarms).
  const controllerProperty = cfnService.deploymentController as ecs.CfnService.DeploymentControllerProperty | undefined;
  return controllerProperty?.type ?? ecs.DeploymentControllerType.ECS;
}

/** The service's deployment configuration as its L1 holds it (empty when it is a token). */
export function deploymentConfigurationOf(service: ecs.BaseService): ecs.CfnService.DeploymentConfigurationProperty {
  const cfnService = service.node.defaultChild as ecs.CfnService;
  // Read the L1 property as it is: resolving it would freeze the lazy values aws-cdk-lib fills in later.
  const raw = Token.isUnresolved(cfnService.deploymentConfiguration) ? {} : cfnService.deploymentConfiguration ?? {};
  return raw as ecs.CfnService.DeploymentConfigurationProperty;
}

/** Alarm names a user enabled on the service through aws-cdk-lib (`deploymentAlarms`, `enableDeploymentAlarms()`). */
export function userDeploymentAlarms(service: ecs.BaseService): string[] {
  const config = (service as unknown as { deploymentAlarms?: { enable?: boolean; alarmNames?: string[] } }).deploymentAlarms;
  return config?.enable ? [...(config.alarmNames ?? [])] : [];
}

