/**
 * What an ECS release hands its engine (`EcsDeploymentEngine._bind`), and what the engine made.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { ProductionRouting } from './ecs-production-routing';
import { TrafficSchedule } from './schedule';
import { EcsReleaseProps } from '../ecs-release-props';

/** An ECS release, as its engine sees it. */
export interface EcsReleaseBinding {
  /** The construct that owns the release (`EcsBlueGreenService`, `EcsCanaryRollout`). */
  readonly scope: Construct;
  readonly props: EcsReleaseProps;
  readonly service: ecs.BaseService;
  readonly schedule: TrafficSchedule;
  readonly keepPrevious: Duration;
  /** Container and port that take traffic (with a load balancer). */
  readonly containerName?: string;
  readonly containerPort?: number;
  /** Target groups and rules (with a load balancer). */
  readonly routing?: ProductionRouting;
  /** Every rollback alarm; grows after the engine is bound (`addRollbackAlarm`), so read it lazily. */
  readonly alarms: cloudwatch.IAlarm[];
}

/** What the engine made. */
export interface EcsEngineResources {
  readonly deploymentGroup?: codedeploy.EcsDeploymentGroup;
  readonly deploymentConfig?: codedeploy.IEcsDeploymentConfig;
  readonly appSpec?: string;
}
