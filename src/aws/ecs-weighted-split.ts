import { Duration } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { EcsSplitTargetOptions } from './ecs-split-target-options';
import { addPriorityValidation, checkSplitProps, serviceTargetGroup } from './private/alb-split';
import { failWith } from './private/schedule';
import { numberNow, showNumber } from './private/tokens';
import { fail } from '../private/validate';

/** Properties for `EcsWeightedSplit`. */
export interface EcsWeightedSplitProps extends EcsSplitTargetOptions {
  /** The service that takes the rest of the traffic. */
  readonly service: ecs.BaseService;
  /** The second service, which takes `splitPercent` of the requests. */
  readonly splitService: ecs.BaseService;
  /** Share of requests, in percent, sent to `splitService`: a whole number from 0 to 100. */
  readonly splitPercent: number;
  /**
   * How long the load balancer keeps a client on the target group (service) it was first sent to, with
   * its own cookie; 1 second to 7 days. `Duration.seconds(0)` turns stickiness off, so each request
   * is weighed anew.
   *
   * @default Duration.hours(1)
   * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html#forward-actions
   */
  readonly stickiness?: Duration;
}

/**
 * A fixed weighted split of an Application Load Balancer listener's traffic between two ECS services,
 * with no deployment controller: an A/B test or a long comparison that changes only with the stack.
 *
 * Synthesizes a target group per service (registered with it, configured alike) and one listener rule
 * whose forward action weighs them `100 - splitPercent` and `splitPercent`, with target group
 * stickiness so a client stays on one service. For a split that grows and rolls back on alarms, use
 * `EcsCanaryRollout`.
 *
 * @example
 * new EcsWeightedSplit(stack, 'Search', { listener, service: searchV1, splitService: searchV2, splitPercent: 10 });
 */
export class EcsWeightedSplit extends Construct {
  /** Target group of `service`. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** Target group of `splitService`. */
  public readonly splitTargetGroup: elbv2.ApplicationTargetGroup;
  /** The listener rule. */
  public readonly rule: elbv2.ApplicationListenerRule;
  /** Share of requests, in percent, sent to `splitService`. */
  public readonly splitPercent: number;

  constructor(scope: Construct, id: string, props: EcsWeightedSplitProps) {
    super(scope, id);
    const where = this.node.path;
    checkSplitProps(where, props.service, props.splitService, props);
    const percent = numberNow(this, props.splitPercent);
    if (percent === undefined) {
      failWith(where, 'splitPercent', 'must be a number known at synth (the two forward weights are computed from it)', showNumber(this, props.splitPercent));
    }
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) fail(where, 'splitPercent', 'must be a whole number from 0 to 100', percent);
    this.splitPercent = percent;
    const stickiness = props.stickiness ?? Duration.hours(1);
    if (!stickiness.isUnresolved()) {
      const seconds = stickiness.toMilliseconds() / 1000;
      if (!Number.isInteger(seconds) || seconds < 0 || seconds > 7 * 24 * 3600) {
        failWith(where, 'stickiness', 'must be whole seconds up to 7 days, or 0 to turn stickiness off', stickiness.toHumanString());
      }
    }
    const sticky = stickiness.isUnresolved() || stickiness.toMilliseconds() > 0 ? stickiness : undefined;
    this.targetGroup = serviceTargetGroup(this, 'TargetGroup', props.service, props);
    this.splitTargetGroup = serviceTargetGroup(this, 'SplitTargetGroup', props.splitService, props);
    this.rule = new elbv2.ApplicationListenerRule(this, 'Rule', {
      listener: props.listener,
      priority: props.routePriority ?? 50000,
      conditions: props.routeConditions ?? [elbv2.ListenerCondition.pathPatterns(['/*'])],
      action: elbv2.ListenerAction.weightedForward([
        { targetGroup: this.targetGroup, weight: 100 - percent },
        { targetGroup: this.splitTargetGroup, weight: percent },
      ], { stickinessDuration: sticky }),
    });
    addPriorityValidation(this, [this.rule]);
  }
}
