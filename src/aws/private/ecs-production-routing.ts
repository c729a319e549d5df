/**
 * Where production (and test) traffic of an ECS release comes in: the target group pair, the
 * production and test listener rules (ALB) or the listener's default action (NLB), and the checks
 * that keep them acceptable to Amazon ECS, CodeDeploy and CloudFormation.
 */
import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct, IConstruct } from 'constructs';
import { failWith } from './schedule';
import { checkRange, fail, show } from '../../private/validate';
import { EcsReleaseProps } from '../ecs-release-props';

/** Forward actions take at most five target groups, weighted from 0 to 999. */
export const MAX_FORWARD_TARGET_GROUPS = 5;
export const MAX_FORWARD_WEIGHT = 999;

/**
 * The production (and test) rule's action: one forward over the target group pair, blue 100 and green 0.
 *
 * aws-cdk-lib's weighted forward registers the target groups as attached through the rule, so the
 * service gets a `DependsOn` on the rule (the target groups must be attached to the load balancer before
 * ECS registers tasks). With the Amazon ECS engine the service already names the rules in its
 * `AdvancedConfiguration`, which orders them first; the extra `DependsOn` only makes cfn-lint warn
 * (W3005). This action then attaches the target groups through the listener instead. With CodeDeploy
 * the service does not name the rule, so the rule stays the attaching construct.
 */
class PairForward extends elbv2.ListenerAction {
  constructor(private readonly blue: elbv2.IApplicationTargetGroup, private readonly green: elbv2.IApplicationTargetGroup,
    private readonly serviceNamesRule: boolean) {
    super({
      type: 'forward',
      forwardConfig: {
        targetGroups: [{ targetGroupArn: blue.targetGroupArn, weight: 100 }, { targetGroupArn: green.targetGroupArn, weight: 0 }],
      },
    });
  }

  public bind(_scope: Construct, listener: elbv2.IApplicationListener, associatingConstruct?: IConstruct): void {
    for (const tg of [this.blue, this.green]) tg.registerListener(listener, this.serviceNamesRule ? undefined : associatingConstruct);
  }
}

/** Refuses listener, rule and target group props that do not fit together. */
export function checkRoutingProps(scope: Construct, props: EcsReleaseProps): void {
  const where = scope.node.path;
  const alb = props.listener;
  const nlb = props.networkListener;
  if (alb !== undefined && nlb !== undefined) {
    fail(where, 'networkListener', 'give listener (Application Load Balancer) or networkListener (Network Load Balancer), not both', 'both');
  }
  if (nlb !== undefined && !(nlb instanceof elbv2.NetworkListener)) {
    fail(where, 'networkListener', 'must be an elbv2.NetworkListener created in this app (the release sets its default action)', nlb);
  }
  const hasLoadBalancer = alb !== undefined || nlb !== undefined;
  if (props.productionRule !== undefined && alb === undefined) {
    fail(where, 'productionRule', 'needs listener, the Application Load Balancer listener the rule belongs to', undefined);
  }
  if (props.productionRule !== undefined && (props.routeConditions !== undefined || props.routePriority !== undefined)) {
    fail(where, props.routeConditions !== undefined ? 'routeConditions' : 'routePriority', 'shapes the rule the release creates, so it cannot be combined with productionRule', props.routeConditions ?? props.routePriority);
  }
  if (props.productionRule === undefined && props.routePriority !== undefined && !Token.isUnresolved(props.routePriority)) {
    checkRange(where, 'routePriority', props.routePriority, 1, 50000);
  }
  if (props.routeConditions !== undefined && props.routeConditions.length === 0) {
    fail(where, 'routeConditions', 'must have at least one ListenerCondition', props.routeConditions);
  }
  if (props.testListener !== undefined && alb === undefined) {
    fail(where, 'testListener', 'needs listener: test traffic goes through an Application Load Balancer', undefined);
  }
  for (const field of ['testRouteConditions', 'testRoutePriority'] as const) {
    if (props[field] !== undefined && props.testListener === undefined) {
      fail(where, field, 'shapes the test listener rule, so it needs testListener', props[field]);
    }
  }
  if (props.testRoutePriority !== undefined && !Token.isUnresolved(props.testRoutePriority)) checkRange(where, 'testRoutePriority', props.testRoutePriority, 1, 50000);
  if (props.testRouteConditions !== undefined && props.testRouteConditions.length === 0) {
    fail(where, 'testRouteConditions', 'must have at least one ListenerCondition', props.testRouteConditions);
  }
  if (alb !== undefined && props.testListener !== undefined) {
    const production = loadBalancerOf(alb);
    const test = loadBalancerOf(props.testListener);
    if (production !== undefined && test !== undefined && production !== test) {
      failWith(where, 'testListener', `must be a listener of the production listener's load balancer (${production}): the engine moves test and production traffic between one target group pair`,
        `a listener of ${test}`);
    }
  }
  const own = props.blueTargetGroup !== undefined || props.greenTargetGroup !== undefined;
  for (const field of ['healthCheck', 'deregistrationDelay', 'slowStart'] as const) {
    if (own && props[field] !== undefined) {
      fail(where, field, 'applies to the target groups the release creates; configure the target groups you pass in blueTargetGroup and greenTargetGroup instead', props[field]);
    }
  }
  checkSeconds(where, 'deregistrationDelay', props.deregistrationDelay, 0, 3600);
  if (props.slowStart !== undefined && nlb !== undefined) {
    fail(where, 'slowStart', 'applies to Application Load Balancer target groups; a Network Load Balancer has no slow start', props.slowStart);
  }
  if (props.slowStart !== undefined && !props.slowStart.isUnresolved() && props.slowStart.toMilliseconds() !== 0) checkSeconds(where, 'slowStart', props.slowStart, 30, 900);
  if ((props.blueTargetGroup === undefined) !== (props.greenTargetGroup === undefined)) {
    fail(where, props.blueTargetGroup === undefined ? 'blueTargetGroup' : 'greenTargetGroup', 'blueTargetGroup and greenTargetGroup must be given together', undefined);
  }
  if (props.blueTargetGroup !== undefined && !hasLoadBalancer) {
    fail(where, 'blueTargetGroup', 'needs listener or networkListener, where the target groups take traffic', undefined);
  }
  if (props.productionRule !== undefined && props.blueTargetGroup === undefined) {
    fail(where, 'blueTargetGroup', 'is required with productionRule: give the two target groups the rule forwards to', undefined);
  }
  if (props.blueTargetGroup !== undefined && sameTargetGroup(scope, props.blueTargetGroup, props.greenTargetGroup!)) {
    fail(where, 'greenTargetGroup', 'must differ from blueTargetGroup: the engine moves traffic from one target group to the other', Stack.of(scope).resolve(props.greenTargetGroup!.targetGroupArn));
  }
}

/** A duration in whole seconds from `min` to `max` (tokens are not checked). */
function checkSeconds(where: string, field: string, value: Duration | undefined, min: number, max: number): void {
  if (value === undefined || value.isUnresolved()) return;
  const seconds = value.toMilliseconds() / 1000;
  if (!Number.isInteger(seconds) || seconds < min || seconds > max) {
    failWith(where, field, `must be whole seconds from ${min} to ${max}${field === 'slowStart' ? ', or 0 to turn slow start off' : ''}`, value.toHumanString());
  }
}

/**
 * The load balancer of an ALB listener, as a path (a load balancer of this app) or as the
 * `app/<name>/<id>` part of a literal listener ARN; undefined when it cannot be known before deployment.
 */
function loadBalancerOf(listener: elbv2.IApplicationListener): string | undefined {
  const lb = (listener as { loadBalancer?: unknown }).loadBalancer;
  if (lb instanceof elbv2.ApplicationLoadBalancer) return lb.node.path;
  if (Token.isUnresolved(listener.listenerArn)) return undefined;
  // arn:<partition>:elasticloadbalancing:<region>:<account>:listener/app/<name>/<lb-id>/<listener-id>
  const match = /:listener\/(app\/[^/]+\/[^/]+)\//.exec(listener.listenerArn);
  return match?.[1];
}

/** What `createProductionRouting` made. */
export interface ProductionRouting {
  readonly blue: elbv2.ITargetGroup;
  readonly green: elbv2.ITargetGroup;
  readonly productionRule?: elbv2.ApplicationListenerRule;
  readonly testRule?: elbv2.ApplicationListenerRule;
}

/**
 * Creates (or checks) the target group pair and routes production traffic to it: a rule on the ALB
 * listener (and one on the test listener), or the NLB listener's default action.
 * `serviceNamesRule`: whether the service names the rules itself (the Amazon ECS engine).
 */
export function createProductionRouting(scope: Construct, props: EcsReleaseProps, service: ecs.BaseService,
  containerPort: number | undefined, serviceNamesRule: boolean): ProductionRouting {
  const where = scope.node.path;
  const alb = props.listener;
  const nlb = props.networkListener;
  const vpc = service.cluster.vpc;
  const targetType = service.taskDefinition.networkMode === ecs.NetworkMode.AWS_VPC ? elbv2.TargetType.IP : elbv2.TargetType.INSTANCE;
  let blue = props.blueTargetGroup;
  let green = props.greenTargetGroup;
  if (alb !== undefined) {
    if (blue === undefined) {
      const tgProps: elbv2.ApplicationTargetGroupProps = {
        vpc,
        port: containerPort,
        protocol: props.targetProtocol ?? elbv2.ApplicationProtocol.HTTP,
        targetType,
        healthCheck: props.healthCheck,
        deregistrationDelay: props.deregistrationDelay,
        slowStart: props.slowStart,
      };
      blue = new elbv2.ApplicationTargetGroup(scope, 'BlueTargetGroup', tgProps);
      green = new elbv2.ApplicationTargetGroup(scope, 'GreenTargetGroup', tgProps);
    } else {
      for (const [field, tg] of [['blueTargetGroup', blue], ['greenTargetGroup', green]] as const) {
        if (typeof (tg as any).registerListener !== 'function' || typeof (tg as any).registerConnectable !== 'function') {
          fail(where, field, 'must be an application target group (elbv2.IApplicationTargetGroup) behind listener', Stack.of(scope).resolve(tg!.targetGroupArn));
        }
      }
    }
  } else {
    if (props.targetProtocol !== undefined) {
      fail(where, 'targetProtocol', 'applies to Application Load Balancer target groups; a Network Load Balancer forwards TCP', props.targetProtocol);
    }
    if (blue === undefined) {
      const tgProps: elbv2.NetworkTargetGroupProps = {
        vpc,
        port: containerPort!,
        protocol: elbv2.Protocol.TCP,
        targetType,
        healthCheck: props.healthCheck,
        deregistrationDelay: props.deregistrationDelay,
      };
      blue = new elbv2.NetworkTargetGroup(scope, 'BlueTargetGroup', tgProps);
      green = new elbv2.NetworkTargetGroup(scope, 'GreenTargetGroup', tgProps);
    } else {
      for (const [field, tg] of [['blueTargetGroup', blue], ['greenTargetGroup', green]] as const) {
        if (typeof (tg as any).registerListener !== 'function' || typeof (tg as any).registerConnectable === 'function') {
          fail(where, field, 'must be a network target group (elbv2.INetworkTargetGroup) behind networkListener', Stack.of(scope).resolve(tg!.targetGroupArn));
        }
      }
    }
  }

  // Production (and test) routing: one forward action over both target groups, blue first with all
  // the traffic. Its properties depend only on the listener, the conditions, the priority and the
  // target groups, never on the image, the plan or the alarms: both engines rewrite the weights
  // outside CloudFormation, and a later template change would send production back to whichever
  // target group the template names, which may by then hold no tasks.
  const forward = (): elbv2.ListenerAction =>
    new PairForward(blue as elbv2.IApplicationTargetGroup, green as elbv2.IApplicationTargetGroup, serviceNamesRule);
  if (alb === undefined) {
    // aws-cdk-lib keeps the default action in a private field (renamed across versions), and resolving
    // the listener's lazy DefaultActions here would freeze them. Setting ours over an existing one
    // makes aws-cdk-lib record a warning, which tells.
    const replaced = () => nlb!.node.metadata.filter((m) => String(m.data).includes('listenerExistingDefaultActionReplaced')).length;
    const before = replaced();
    nlb!.addAction('ReleaseForward', {
      action: elbv2.NetworkListenerAction.weightedForward([
        { targetGroup: blue as elbv2.INetworkTargetGroup, weight: 100 },
        { targetGroup: green as elbv2.INetworkTargetGroup, weight: 0 },
      ]),
    });
    if (replaced() > before) {
      failWith(where, 'networkListener', 'must be created without a default action: the release sets it to forward to the blue and green target groups', 'a listener with a default action');
    }
    return { blue: blue!, green: green! };
  }
  const conditions = props.routeConditions ?? [elbv2.ListenerCondition.pathPatterns(['/*'])];
  const priority = props.routePriority ?? 50000;
  // A rule the user made is checked at synth (routingProblems): its action may still be configured after this.
  const productionRule = props.productionRule ?? new elbv2.ApplicationListenerRule(scope, 'ProductionRule', {
    listener: alb, priority, conditions, action: forward(),
  });
  const testRule = props.testListener === undefined ? undefined : new elbv2.ApplicationListenerRule(scope, 'TestRule', {
    listener: props.testListener,
    priority: props.testRoutePriority ?? priority,
    conditions: props.testRouteConditions ?? conditions,
    action: forward(),
  });
  return { blue: blue!, green: green!, productionRule, testRule };
}

/**
 * Problems of the routing that are known only at synth (the framework adds the path): a production
 * rule the user made, the NLB listener's default action, and collisions CloudFormation or the engine
 * would otherwise report at deploy time (rule priorities, target groups used elsewhere).
 */
export function routingProblems(scope: Construct, props: EcsReleaseProps, routing: ProductionRouting, service: ecs.BaseService): string[] {
  const errors: string[] = [];
  if (props.productionRule !== undefined && props.listener !== undefined) {
    errors.push(...productionRuleProblems(scope, props.productionRule, props.listener, routing.blue, routing.green));
  }
  if (props.networkListener !== undefined) {
    errors.push(...networkListenerProblems(scope, props.networkListener, routing.blue, routing.green));
  }
  const stack = Stack.of(scope);
  const index = stackIndex(stack);
  const own = [routing.productionRule, routing.testRule].filter((r) => r !== undefined).map((r) => r!.node.defaultChild as elbv2.CfnListenerRule);
  const testField = props.testRoutePriority !== undefined ? 'testRoutePriority' : 'routePriority';
  for (const [field, rule] of [['routePriority', routing.productionRule], [testField, routing.testRule]] as const) {
    if (rule === undefined || rule === props.productionRule) continue;
    errors.push(...rulePriorityProblems(stack, rule, field, rule === routing.testRule ? 'the test listener' : 'the listener', props.routePriority !== undefined, index));
  }
  for (const [field, tg] of [['blueTargetGroup', routing.blue], ['greenTargetGroup', routing.green]] as const) {
    const arn = JSON.stringify(stack.resolve(tg.targetGroupArn));
    const elsewhere = index.rules.find((r) => !own.includes(r) && r !== props.productionRule?.node.defaultChild
      && index.forwards(r, r.actions).has(arn))
      ?? index.listeners.find((l) => l !== props.networkListener?.node.defaultChild && index.forwards(l, l.defaultActions).has(arn));
    if (elsewhere !== undefined) {
      errors.push(problemWith(field, 'must take traffic only through the release\'s production and test routing (the engine moves traffic between the two target groups there)',
        `a target group that ${elsewhere.node.path} also forwards to`));
      continue;
    }
    const registered = index.services.find((s) => (s !== service.node.defaultChild || tg === routing.green) && index.registers(s).has(arn));
    if (registered !== undefined) {
      errors.push(problemWith(field, tg === routing.green
        ? 'must be empty before a deployment: the engine registers the new version there, and Amazon ECS refuses a green target group that already has the service'
        : 'must hold only this service\'s tasks', `a target group that ${registered.node.path} is registered in`));
    }
  }
  return errors;
}

/**
 * A rule's priority must be unique on its listener: CloudFormation fails on two rules with one
 * priority. `given`: whether the user chose the priority (otherwise the message says to).
 */
export function rulePriorityProblems(stack: Stack, rule: elbv2.ApplicationListenerRule, field: string, which: string, given: boolean,
  index: StackIndex = stackIndex(stack)): string[] {
  const cfn = rule.node.defaultChild as elbv2.CfnListenerRule;
  const clash = index.rules.find((other) => other !== cfn && other.listenerArn === cfn.listenerArn
    && !Token.isUnresolved(other.priority) && other.priority === cfn.priority);
  return clash === undefined ? [] : [problemWith(field, `must differ from the priority of every other rule on ${which} (CloudFormation fails on two rules with one priority); `
    + `${clash.node.path} has it too${given ? '' : ': give each release on a listener its own routePriority'}`, `${cfn.priority}`)];
}

/**
 * The listener rules, listeners and ECS services of a stack, with the target groups each forwards to
 * or registers in (resolved ARNs, computed once per resource).
 */
interface StackIndex {
  readonly rules: elbv2.CfnListenerRule[];
  readonly listeners: elbv2.CfnListener[];
  readonly services: ecs.CfnService[];
  forwards(resource: elbv2.CfnListenerRule | elbv2.CfnListener, actions: unknown): Set<string>;
  registers(service: ecs.CfnService): Set<string>;
}

/**
 * The index of a stack, shared by the checks of every release in it during one synthesis: each
 * release's check used to resolve every rule and service of the stack again, which made synthesis
 * quadratic in the releases per stack. Validation runs synchronously; the index is dropped in the next
 * microtask, and rebuilt whenever the stack's construct count changed (constructs added in between).
 */
const indexes = new WeakMap<Stack, { readonly size: number; readonly index: StackIndex }>();

function stackIndex(stack: Stack): StackIndex {
  const all = stack.node.findAll();
  const cached = indexes.get(stack);
  if (cached !== undefined && cached.size === all.length) return cached.index;
  const rules: elbv2.CfnListenerRule[] = [];
  const listeners: elbv2.CfnListener[] = [];
  const services: ecs.CfnService[] = [];
  for (const c of all) {
    if (c instanceof elbv2.CfnListenerRule) rules.push(c);
    else if (c instanceof elbv2.CfnListener) listeners.push(c);
    else if (c instanceof ecs.CfnService) services.push(c);
  }
  const arns = new Map<object, Set<string>>();
  const memo = (key: object, compute: () => string[]) => {
    let found = arns.get(key);
    if (found === undefined) arns.set(key, found = new Set(compute()));
    return found;
  };
  const index: StackIndex = {
    rules,
    listeners,
    services,
    forwards: (resource, actions) => memo(resource, () => forwardedArns(stack, actions)),
    registers: (service) => memo(service, () => registeredArns(stack, service)),
  };
  if (cached === undefined) queueMicrotask(() => indexes.delete(stack));
  indexes.set(stack, { size: all.length, index });
  return index;
}

/** The target groups (resolved ARNs, as JSON) that actions (rule actions or listener default actions) forward to. */
function forwardedArns(stack: Stack, actions: unknown): string[] {
  const resolved: any[] = stack.resolve(actions) ?? [];
  if (!Array.isArray(resolved)) return [];
  return resolved.flatMap((a) => [
    ...(a?.targetGroupArn !== undefined ? [JSON.stringify(a.targetGroupArn)] : []),
    ...((a?.forwardConfig?.targetGroups ?? []) as any[]).map((g) => JSON.stringify(g?.targetGroupArn)),
  ]);
}

/** The target groups (resolved ARNs, as JSON) an ECS service registers its tasks in. */
function registeredArns(stack: Stack, service: ecs.CfnService): string[] {
  const resolved: any[] = stack.resolve(service.loadBalancers) ?? [];
  return Array.isArray(resolved) ? resolved.map((lb) => JSON.stringify(lb?.targetGroupArn)) : [];
}

/** A validation message with the value written as is. */
export function problemWith(field: string, allowed: string, got: string): string {
  return `invalid '${field}': ${allowed}, got ${got}`;
}

/** A validation message: `invalid '<field>': <allowed>, got <value>` (the framework adds the path). */
export function problem(field: string, allowed: string, got: unknown): string {
  return problemWith(field, allowed, show(got));
}

function sameTargetGroup(scope: Construct, a: elbv2.ITargetGroup, b: elbv2.ITargetGroup): boolean {
  if (a === b) return true;
  const stack = Stack.of(scope);
  return JSON.stringify(stack.resolve(a.targetGroupArn)) === JSON.stringify(stack.resolve(b.targetGroupArn));
}

/**
 * A production rule the user made must suit both engines: its only action forwards (ECS refuses rules
 * that mix forward with redirect, fixed-response or authenticate actions), to both target groups, with
 * at most five target groups weighted 0 to 999. Runs at synth, when the rule's action is final.
 */
function productionRuleProblems(scope: Construct, rule: elbv2.ApplicationListenerRule, listener: elbv2.IApplicationListener,
  blue: elbv2.ITargetGroup, green: elbv2.ITargetGroup): string[] {
  const stack = Stack.of(scope);
  const cfn = rule.node.defaultChild as elbv2.CfnListenerRule;
  if (JSON.stringify(stack.resolve(cfn.listenerArn)) !== JSON.stringify(stack.resolve(listener.listenerArn))) {
    return [problemWith('productionRule', 'must be a rule of listener', `a rule of another listener (${JSON.stringify(stack.resolve(cfn.listenerArn))})`)];
  }
  const actions: any[] = stack.resolve(cfn.actions) ?? [];
  const types = actions.map((a) => a.type);
  if (actions.length !== 1 || types[0] !== 'forward') {
    return [problemWith('productionRule', 'must have exactly one action, a forward to the blue and green target groups (the engines rewrite its weights and refuse rules that also redirect, respond or authenticate)',
      `actions [${types.join(', ')}]`)];
  }
  const action = actions[0];
  const groups: Array<{ targetGroupArn: unknown; weight?: number }> = action.forwardConfig?.targetGroups
    ?? (action.targetGroupArn !== undefined ? [{ targetGroupArn: action.targetGroupArn }] : []);
  if (groups.length > MAX_FORWARD_TARGET_GROUPS) {
    return [problemWith('productionRule', `a forward action takes at most ${MAX_FORWARD_TARGET_GROUPS} target groups`, `${groups.length} target groups`)];
  }
  for (const g of groups) {
    if (g.weight !== undefined && !Token.isUnresolved(g.weight) && (!Number.isInteger(g.weight) || g.weight < 0 || g.weight > MAX_FORWARD_WEIGHT)) {
      return [problemWith('productionRule', `forward weights must be whole numbers from 0 to ${MAX_FORWARD_WEIGHT}`, `weight ${g.weight}`)];
    }
  }
  if (groups.length > 0 && groups.every((g) => g.weight === 0)) {
    return [problemWith('productionRule', 'must send production traffic somewhere: give the blue target group a forward weight above 0', 'every forward weight 0')];
  }
  const arns = groups.map((g) => JSON.stringify(g.targetGroupArn));
  for (const [name, tg] of [['blueTargetGroup', blue], ['greenTargetGroup', green]] as const) {
    if (!arns.includes(JSON.stringify(stack.resolve(tg.targetGroupArn)))) {
      return [problemWith('productionRule', `must forward to both blueTargetGroup and greenTargetGroup (Amazon ECS fails deployments whose production rule lacks one); ${name} is missing`,
        `a forward to ${groups.length} target group${groups.length === 1 ? '' : 's'}`)];
    }
  }
  return [];
}

/** The NLB listener's default action must still be the release's forward at synth. */
function networkListenerProblems(scope: Construct, listener: elbv2.NetworkListener, blue: elbv2.ITargetGroup, green: elbv2.ITargetGroup): string[] {
  const stack = Stack.of(scope);
  const actions: any[] = stack.resolve((listener.node.defaultChild as elbv2.CfnListener).defaultActions) ?? [];
  const expected = [{
    type: 'forward',
    forwardConfig: {
      targetGroups: [
        { targetGroupArn: stack.resolve(blue.targetGroupArn), weight: 100 },
        { targetGroupArn: stack.resolve(green.targetGroupArn), weight: 0 },
      ],
    },
  }];
  const strip = (a: any[]) => a.map((x) => ({
    type: x.type,
    forwardConfig: x.forwardConfig === undefined ? undefined : { targetGroups: x.forwardConfig.targetGroups },
  }));
  if (JSON.stringify(strip(actions)) !== JSON.stringify(expected)) {
    return [problemWith('networkListener', 'must keep the default action the release set (a forward to the blue and green target groups); do not set another one',
      `default actions [${actions.map((a) => a.type).join(', ')}]`)];
  }
  return [];
}
