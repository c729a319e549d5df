/**
 * What the static ALB splits (`EcsWeightedSplit`, `EcsHeaderSplit`) share: a target group per service,
 * configured alike, and the checks on their common props.
 */
import { Stack, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { rulePriorityProblems } from './ecs-production-routing';
import { failWith } from './schedule';
import { checkRange, fail } from '../../private/validate';
import { EcsSplitTargetOptions } from '../ecs-split-target-options';

/** Checks the services and the target group options of a split. */
export function checkSplitProps(where: string, service: ecs.BaseService, splitService: ecs.BaseService, o: EcsSplitTargetOptions): void {
  for (const [field, s] of [['service', service], ['splitService', splitService]] as const) {
    if (!(s instanceof ecs.BaseService)) fail(where, field, 'must be an ecs.FargateService or ecs.Ec2Service created in this app', s);
  }
  if (service === splitService) failWith(where, 'splitService', 'must differ from service: the split sends traffic to two services', `${service.node.path} twice`);
  if (o.routePriority !== undefined && !Token.isUnresolved(o.routePriority)) checkRange(where, 'routePriority', o.routePriority, 1, 50000);
  if (o.deregistrationDelay !== undefined && !o.deregistrationDelay.isUnresolved()) {
    const seconds = o.deregistrationDelay.toMilliseconds() / 1000;
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > 3600) failWith(where, 'deregistrationDelay', 'must be whole seconds from 0 to 3600', o.deregistrationDelay.toHumanString());
  }
}

/** A target group for `service`'s default container (its first port), registered with the service. */
export function serviceTargetGroup(scope: Construct, id: string, service: ecs.BaseService, o: EcsSplitTargetOptions): elbv2.ApplicationTargetGroup {
  const where = scope.node.path;
  const container = service.taskDefinition.defaultContainer;
  const port = container?.portMappings[0]?.containerPort;
  if (container === undefined || port === undefined) {
    failWith(where, id === 'TargetGroup' ? 'service' : 'splitService', 'must have a default (essential) container with a port mapping, which takes the traffic', service.node.path);
  }
  const tg = new elbv2.ApplicationTargetGroup(scope, id, {
    vpc: service.cluster.vpc,
    port,
    protocol: o.targetProtocol ?? elbv2.ApplicationProtocol.HTTP,
    targetType: service.taskDefinition.networkMode === ecs.NetworkMode.AWS_VPC ? elbv2.TargetType.IP : elbv2.TargetType.INSTANCE,
    healthCheck: o.healthCheck,
    deregistrationDelay: o.deregistrationDelay,
  });
  service.loadBalancerTarget({ containerName: container.containerName, containerPort: port }).attachToApplicationTargetGroup(tg);
  return tg;
}

/** Refuses at synth a priority another rule on the listener already has. */
export function addPriorityValidation(scope: Construct, rules: elbv2.ApplicationListenerRule[]): void {
  scope.node.addValidation({ validate: () => rules.flatMap((rule) => rulePriorityProblems(Stack.of(scope), rule, 'routePriority', 'the listener', true)) });
}
