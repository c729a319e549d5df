import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { EcsSplitTargetOptions } from './ecs-split-target-options';
import { addPriorityValidation, checkSplitProps, serviceTargetGroup } from './private/alb-split';
import { failWith } from './private/schedule';
import { numberNow, showNumber } from './private/tokens';
import { fail } from '../private/validate';
import { HeaderMatch, MatchType } from '../strategy/header-match';

/** Application Load Balancer rules take at most five condition values. */
const MAX_CONDITION_VALUES = 5;

/** Properties for `EcsHeaderSplit`. */
export interface EcsHeaderSplitProps extends EcsSplitTargetOptions {
  /** The service that takes every request that does not match. */
  readonly service: ecs.BaseService;
  /** The second service, which takes the requests that match every entry of `match`. */
  readonly splitService: ecs.BaseService;
  /**
   * What sends a request to `splitService`: every entry must match (ALB compares header values
   * without regard to case). `HeaderMatch.exact()` (without `*` or `?`, which the ALB reads as
   * wildcards) and `HeaderMatch.prefix()`; regular expressions (and cookies) are refused.
   */
  readonly match: HeaderMatch[];
}

/**
 * Header-based A/B routing between two ECS services on an Application Load Balancer listener, with no
 * deployment controller: requests whose headers match go to `splitService`, all others to `service`.
 *
 * Synthesizes a target group per service (registered with it, configured alike) and two listener
 * rules: priority `routePriority` with the route conditions and an `http-header` condition per match,
 * forwarding to `splitService`, and priority `routePriority + 1` with the route conditions only,
 * forwarding to `service`.
 *
 * @example
 * new EcsHeaderSplit(stack, 'Checkout', { listener, service: checkout, splitService: checkoutBeta, match: [HeaderMatch.exact('x-beta', 'on')] });
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html#http-header-conditions
 */
export class EcsHeaderSplit extends Construct {
  /** Target group of `service`. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** Target group of `splitService`. */
  public readonly splitTargetGroup: elbv2.ApplicationTargetGroup;
  /** The rule that sends matching requests to `splitService`. */
  public readonly matchRule: elbv2.ApplicationListenerRule;
  /** The rule that sends the other requests to `service`. */
  public readonly defaultRule: elbv2.ApplicationListenerRule;

  constructor(scope: Construct, id: string, props: EcsHeaderSplitProps) {
    super(scope, id);
    const where = this.node.path;
    checkSplitProps(where, props.service, props.splitService, props);
    if (!Array.isArray(props.match) || props.match.length === 0) fail(where, 'match', 'must have at least one HeaderMatch', props.match);
    const routeConditions = props.routeConditions ?? [elbv2.ListenerCondition.pathPatterns(['/*'])];
    if (routeConditions.length + props.match.length > MAX_CONDITION_VALUES) {
      failWith(where, 'match', `an Application Load Balancer rule takes at most ${MAX_CONDITION_VALUES} conditions, route conditions included`, `${props.match.length} matches and ${routeConditions.length} route conditions`);
    }
    const headerConditions = props.match.map((m, i) => {
      if (!(m instanceof HeaderMatch)) fail(where, `match[${i}]`, 'must be a HeaderMatch', m);
      if (m.header.length > 40) failWith(where, `match[${i}]`, 'an Application Load Balancer header name has at most 40 characters', `'${m.header}'`);
      if (m.type === MatchType.REGEX) {
        failWith(where, `match[${i}]`, 'an Application Load Balancer matches header values exactly or with * and ? wildcards, not regular expressions; nearest: HeaderMatch.prefix() or HeaderMatch.exact()', m.toString());
      }
      if (m.type === MatchType.EXACT && /[*?]/.test(m.value)) {
        failWith(where, `match[${i}]`, 'an exact value must not contain * or ?, which an Application Load Balancer reads as wildcards', m.toString());
      }
      const value = m.type === MatchType.PREFIX ? `${m.value}*` : m.value;
      if (value.length > 128) failWith(where, `match[${i}]`, 'an Application Load Balancer header value has at most 128 characters', m.toString());
      return elbv2.ListenerCondition.httpHeader(m.header, [value]);
    });
    const priority = numberNow(this, props.routePriority ?? 49999);
    if (priority === undefined) {
      failWith(where, 'routePriority', 'must be a number known at synth (the rule for the other requests takes routePriority + 1)', showNumber(this, props.routePriority!));
    }
    if (priority === 50000) failWith(where, 'routePriority', 'must be at most 49999: the rule for the other requests takes the next priority', '50000');
    this.targetGroup = serviceTargetGroup(this, 'TargetGroup', props.service, props);
    this.splitTargetGroup = serviceTargetGroup(this, 'SplitTargetGroup', props.splitService, props);
    this.matchRule = new elbv2.ApplicationListenerRule(this, 'MatchRule', {
      listener: props.listener,
      priority,
      conditions: [...routeConditions, ...headerConditions],
      action: elbv2.ListenerAction.forward([this.splitTargetGroup]),
    });
    this.defaultRule = new elbv2.ApplicationListenerRule(this, 'DefaultRule', {
      listener: props.listener, priority: priority + 1, conditions: routeConditions, action: elbv2.ListenerAction.forward([this.targetGroup]),
    });
    addPriorityValidation(this, [this.matchRule, this.defaultRule]);
  }
}
