/**
 * AWS scenarios: N Fargate services released with `EcsCanaryRollout`, synthesized with `app.synth()`,
 * and the same templates built from raw resources in two ways; plus a control without the release,
 * which shows what aws-cdk-lib's own constructs cost against raw resources.
 *
 * CloudFormation takes at most 500 resources per stack, so the services are spread over stacks of at
 * most STACK_RESOURCES resources: each stack has a cluster and an Application Load Balancer shared by
 * its services, in a VPC that is imported (as most teams do), and `perStack` services, each a task
 * definition, a Fargate service and its release (`EcsCanaryRollout`: two target groups, a listener
 * rule, default rollback alarms and what Amazon ECS needs to shift traffic). Stack `Cell<j>` holds
 * services `svc-0` ... `svc-<perStack - 1>` of cell `j`. The control puts as many services (without
 * release) in each stack.
 *
 * Both raw sides first synthesize each stack with the library, one stack per app (untimed, once per
 * run: a stack's template depends on its own path, which appears in security group rule ids and
 * descriptions, but not on the other stacks). Then:
 *
 * - `raw` builds every stack as `new CfnResource(stack, logicalId, { type, properties })` (plus the
 *   resources' dependencies, policies and the stack's outputs) from its template: generic resources whose
 *   properties are the template's JSON, references included as literal `{ Ref }` / `Fn::GetAtt` objects
 *   (no tokens). Parsing the template is part of its timed work, as evaluating literals would be.
 * - `typed-l1` builds every stack from the typed L1 classes (`ecs.CfnService`, `elbv2.CfnTargetGroup`,
 *   `cloudwatch.CfnAlarm`, `iam.CfnRole`, ...) with camelCase properties and references as the L1s'
 *   tokens (`targetGroup.ref`, `role.attrArn`), which is how CloudFormation is written without L2s; see
 *   cfn-l1.ts. Mapping the template to L1 properties (with `CfnInclude`) is untimed preparation; the
 *   timed part creates the L1s from fresh property objects and synthesizes. Its templates hold the same
 *   resources and values in another order, so they are compared with object keys sorted.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnDeletionPolicy, CfnOutput, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { L1Build, l1Builder, l1Recipe, sortedKeys } from './cfn-l1';
import { Baseline, cacheDir, Scenario, serviceName, SynthOutput } from './scenario';
import * as lib from '../src';
import { Interval, RolloutPlan } from '../src';

/** Most resources in one stack (CloudFormation's limit is 500; the rest is headroom). */
const STACK_RESOURCES = 450;
const ENV = { account: '111111111111', region: 'eu-west-1' };
const GROUP = 'AWS (CloudFormation)';
const RAW = 'generic `CfnResource`s (`new CfnResource(stack, id, { type, properties })`) whose properties are the template\'s JSON, references as literal `Ref`/`Fn::GetAtt` objects';
const TYPED_L1 = 'typed L1 classes (`ecs.CfnService`, `elbv2.CfnTargetGroup`, `cloudwatch.CfnAlarm`, `iam.CfnRole`, ...) with camelCase properties, '
  + 'references as the L1s\' tokens (`ref`, `attrArn`, `Fn.join`), created in dependency order';

/** What the scenario passes to `EcsCanaryRollout`. */
interface EcsCanaryRolloutLikeProps {
  readonly service: ecs.BaseService;
  readonly listener: elbv2.IApplicationListener;
  readonly plan: RolloutPlan;
  readonly routeConditions: elbv2.ListenerCondition[];
  readonly routePriority: number;
  readonly keepPrevious: Duration;
  readonly healthCheck: elbv2.HealthCheck;
}
type EcsCanaryRolloutClass = new (scope: Construct, id: string, props: EcsCanaryRolloutLikeProps) => Construct;

/**
 * `EcsCanaryRollout`, once src/aws is merged. Looked up by name so that this module compiles before;
 * after the merge, `import { EcsCanaryRollout } from '../src'` can replace it.
 */
const ECS_CANARY_ROLLOUT = (lib as { [name: string]: unknown }).EcsCanaryRollout as EcsCanaryRolloutClass | undefined;

/** The resources every stack shares: an imported VPC, a cluster, a load balancer and its listener. */
interface Cell {
  readonly cluster: ecs.Cluster;
  readonly listener: elbv2.ApplicationListener;
}

function cell(stack: Stack): Cell {
  const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    publicSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
    privateSubnetIds: ['subnet-0bbbbbbbbbbbbbbb1', 'subnet-0bbbbbbbbbbbbbbb2'],
  });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true, dropInvalidHeaderFields: true });
  const listener = loadBalancer.addListener('Http', { port: 80, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
  return { cluster, listener };
}

/** Service `k` of a cell: a task definition, a Fargate service and (unless `release` is undefined) its canary release. */
function service(stack: Stack, c: Cell, k: number, release: EcsCanaryRolloutClass | undefined): void {
  const name = serviceName(k);
  const scope = new Construct(stack, `Svc${k}`);
  const taskDefinition = new ecs.FargateTaskDefinition(scope, 'Task', { cpu: 256, memoryLimitMiB: 512 });
  taskDefinition.addContainer('app', {
    image: ecs.ContainerImage.fromRegistry(`registry.example.com/${name}:2.4.0`),
    portMappings: [{ containerPort: 8080 }],
  });
  const fargate = new ecs.FargateService(scope, 'Service', { cluster: c.cluster, taskDefinition, desiredCount: 2, minHealthyPercent: 100 });
  if (release === undefined) return;
  new release(scope, 'Release', {
    service: fargate,
    listener: c.listener,
    plan: RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) }),
    routeConditions: [elbv2.ListenerCondition.pathPatterns([`/${name}/*`])],
    routePriority: k + 1,
    keepPrevious: Duration.minutes(15),
    healthCheck: { path: '/healthz' },
  });
}

/** Services in each stack, for `n` services of which `perStack` fit in one stack. */
function stackSizes(n: number, perStack: number): number[] {
  const sizes: number[] = [];
  for (let left = n; left > 0; left -= perStack) sizes.push(Math.min(left, perStack));
  return sizes;
}

function newApp(): { app: App; outdir: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ecs-'));
  return { app: new App({ outdir, analyticsReporting: false }), outdir };
}

/** Synthesizes `app` into its directory; the output reads the templates, and removes the directory when disposed. */
function synthesize(app: App, outdir: string): SynthOutput {
  const stacks = app.synth().stacks;
  return {
    objects: () => stacks.reduce((sum, s) => sum + Object.keys(s.template.Resources ?? {}).length, 0),
    text: () => stacks.map((s) => `${s.stackName}\n${JSON.stringify(s.template, undefined, 1)}`).join('\n'),
    sortedText: () => stacks.map((s) => `${s.stackName}\n${JSON.stringify(sortedKeys(s.template), undefined, 1)}`).join('\n'),
    dispose: () => fs.rmSync(outdir, { recursive: true, force: true }),
  };
}

/** Stack `Cell<j>` with `size` services. */
function cellStack(app: App, j: number, size: number, release: EcsCanaryRolloutClass | undefined): Stack {
  const stack = new Stack(app, `Cell${j}`, { env: ENV });
  const c = cell(stack);
  for (let k = 0; k < size; k++) service(stack, c, k, release);
  return stack;
}

/** Stacks of `sizes[j]` services each, synthesized with the library. */
function libraryApp(sizes: number[], release: EcsCanaryRolloutClass | undefined): SynthOutput {
  const { app, outdir } = newApp();
  sizes.forEach((size, j) => cellStack(app, j, size, release));
  return synthesize(app, outdir);
}

/** The template the library synthesizes for stack `Cell<j>` with `size` services, alone in its app. */
function cellTemplate(j: number, size: number, release: EcsCanaryRolloutClass | undefined): any {
  const { app, outdir } = newApp();
  const stack = cellStack(app, j, size, release);
  const template = app.synth().getStackByName(stack.stackName).template;
  fs.rmSync(outdir, { recursive: true, force: true });
  return template;
}

const REBUILT_ATTRIBUTES = ['Type', 'Properties', 'DependsOn', 'UpdateReplacePolicy', 'DeletionPolicy', 'Metadata'];

/** A stack made of raw `CfnResource`s and `CfnOutput`s from a synthesized template. */
function rawStack(app: App, id: string, template: any): void {
  const stack = new Stack(app, id, { env: ENV });
  for (const section of Object.keys(template)) {
    if (!['Resources', 'Outputs', 'Parameters', 'Rules'].includes(section)) throw new Error(`template section ${section} is not rebuilt by the raw side`);
  }
  const resources = new Map<string, CfnResource>();
  for (const [logicalId, r] of Object.entries<any>(template.Resources)) {
    const other = Object.keys(r).filter((k) => !REBUILT_ATTRIBUTES.includes(k));
    if (other.length > 0) throw new Error(`resource attribute(s) ${other.join(', ')} of ${logicalId} are not rebuilt by the raw side`);
    const resource = new CfnResource(stack, logicalId, { type: r.Type, properties: r.Properties });
    if (r.UpdateReplacePolicy) resource.cfnOptions.updateReplacePolicy = r.UpdateReplacePolicy as CfnDeletionPolicy;
    if (r.DeletionPolicy) resource.cfnOptions.deletionPolicy = r.DeletionPolicy as CfnDeletionPolicy;
    if (r.Metadata) resource.cfnOptions.metadata = r.Metadata;
    resources.set(logicalId, resource);
  }
  for (const [logicalId, r] of Object.entries<any>(template.Resources)) {
    for (const dependency of r.DependsOn ?? []) resources.get(logicalId)!.addDependency(resources.get(dependency)!);
  }
  for (const [logicalId, o] of Object.entries<any>(template.Outputs ?? {})) {
    const other = Object.keys(o).filter((k) => !['Value', 'Description', 'Export'].includes(k));
    if (other.length > 0) throw new Error(`output field(s) ${other.join(', ')} of ${logicalId} are not rebuilt by the raw side`);
    new CfnOutput(stack, logicalId, { value: o.Value, description: o.Description, exportName: o.Export?.Name });
  }
  // Parameters and Rules: only the synthesizer's bootstrap-version check, which every stack gets anyway.
  for (const p of Object.keys(template.Parameters ?? {})) {
    if (p !== 'BootstrapVersion') throw new Error(`parameter ${p} is not rebuilt by the raw side`);
  }
  for (const r of Object.keys(template.Rules ?? {})) {
    if (r !== 'CheckBootstrapVersion') throw new Error(`rule ${r} is not rebuilt by the raw side`);
  }
}

/** Resources of a stack with `size` services. */
function resourceCount(size: number, release: EcsCanaryRolloutClass | undefined): number {
  return Object.keys(cellTemplate(0, size, release).Resources).length;
}

const perStackMemo = new Map<EcsCanaryRolloutClass | undefined, number>();

/**
 * Services per stack: as many released services as fit in STACK_RESOURCES (measured once with the
 * library). The control uses the same number when the release is available, so both have the same stacks.
 */
function servicesPerStack(release: EcsCanaryRolloutClass | undefined): number {
  const sizing = release ?? ECS_CANARY_ROLLOUT;
  if (!perStackMemo.has(sizing)) {
    const shared = resourceCount(0, sizing);
    perStackMemo.set(sizing, Math.floor((STACK_RESOURCES - shared) / (resourceCount(1, sizing) - shared)));
  }
  return perStackMemo.get(sizing)!;
}

/** `cellTemplate` as JSON, kept in the run's cache directory (when there is one) for the other processes. */
function cachedTemplate(variant: string, perStack: number, j: number, size: number, release: EcsCanaryRolloutClass | undefined): string {
  const dir = cacheDir();
  const file = dir === undefined ? undefined : path.join(dir, `${variant}-${perStack}-${j}-${size}.json`);
  if (file !== undefined && fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
  const json = JSON.stringify(cellTemplate(j, size, release));
  if (file !== undefined) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, json);
  }
  return json;
}

/** The typed-L1 recipe of `cellTemplate` (see cfn-l1.ts), as JSON, kept in the run's cache directory like the template. */
function cachedRecipe(variant: string, perStack: number, j: number, size: number, release: EcsCanaryRolloutClass | undefined): string {
  const dir = cacheDir();
  const file = dir === undefined ? undefined : path.join(dir, `${variant}-l1-${perStack}-${j}-${size}.json`);
  if (file !== undefined && fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
  const json = JSON.stringify(l1Recipe(JSON.parse(cachedTemplate(variant, perStack, j, size, release)), `Cell${j}`, ENV));
  if (file !== undefined) fs.writeFileSync(file, json);
  return json;
}

/** The `typed-l1` baseline of a scenario. */
function typedL1Baseline(variant: string, release: EcsCanaryRolloutClass | undefined): Baseline {
  return {
    name: 'typed-l1',
    title: TYPED_L1,
    comparison: 'sortedKeys',
    prepare: (sizes) => {
      const perStack = servicesPerStack(release);
      const builders = new Map<string, L1Build>();
      const key = (j: number, size: number) => `${j}/${size}`;
      for (const n of new Set(sizes)) {
        stackSizes(n, perStack).forEach((size, j) => {
          if (!builders.has(key(j, size))) builders.set(key(j, size), l1Builder(JSON.parse(cachedRecipe(variant, perStack, j, size, release))));
        });
      }
      return (n) => {
        const { app, outdir } = newApp();
        stackSizes(n, perStack).forEach((size, j) => builders.get(key(j, size))!(app, `Cell${j}`, ENV));
        return synthesize(app, outdir);
      };
    },
  };
}

function ecsScenario(name: string, title: string, release: EcsCanaryRolloutClass | undefined, extra: Partial<Scenario> = {}): Scenario {
  return {
    name,
    title,
    group: GROUP,
    rawTitle: RAW,
    ...extra,
    // 100 services take more than one stack: the check covers rebuilding several.
    checkSizes: [10, 100],
    extraBaselines: [typedL1Baseline(name, release)],
    repetitions: (n) => (n <= 10 ? 9 : n <= 100 ? 6 : 3),
    prepareLibrary: () => {
      servicesPerStack(release);
    },
    library: (n) => libraryApp(stackSizes(n, servicesPerStack(release)), release),
    prepareRaw: (sizes) => {
      const perStack = servicesPerStack(release);
      const templates = new Map<string, string>();
      const key = (j: number, size: number) => `${j}/${size}`;
      for (const n of new Set(sizes)) {
        stackSizes(n, perStack).forEach((size, j) => {
          if (!templates.has(key(j, size))) templates.set(key(j, size), cachedTemplate(name, perStack, j, size, release));
        });
      }
      return (n) => {
        const { app, outdir } = newApp();
        stackSizes(n, perStack).forEach((size, j) => rawStack(app, `Cell${j}`, JSON.parse(templates.get(key(j, size))!)));
        return synthesize(app, outdir);
      };
    },
  };
}

/** The AWS scenarios. */
export const scenarios: Scenario[] = [
  ecsScenario('ecs-canary', `EcsCanaryRollout: Fargate service, ALB, canary 10% for 5 minutes (at most ${STACK_RESOURCES} resources per stack)`,
    ECS_CANARY_ROLLOUT, {
      unavailable: ECS_CANARY_ROLLOUT === undefined ? 'EcsCanaryRollout is not exported from src (src/aws is not merged in this checkout)' : undefined,
    }),
  ecsScenario('ecs-control', 'Control: the same stacks and Fargate services without EcsCanaryRollout (aws-cdk-lib only)', undefined, {
    controlOf: ECS_CANARY_ROLLOUT === undefined ? undefined : 'ecs-canary',
  }),
];
