/**
 * A raw baseline made of the typed CloudFormation classes (L1s: `elbv2.CfnTargetGroup`,
 * `cloudwatch.CfnAlarm`, `ecs.CfnService`, `iam.CfnRole`, ...), as someone writes a stack without L2
 * constructs: each resource is `new CfnXxx(stack, logicalId, { camelCaseProps })`, and references between
 * resources are the tokens the L1s offer (`targetGroup.ref`, `role.attrArn`, `Fn.join`, `Aws.PARTITION`).
 *
 * Two steps, so that only what such code does is timed:
 *
 * - `l1Recipe(template)` (untimed, once per template): includes the template with aws-cdk-lib's
 *   `CfnInclude`, whose parser maps every CloudFormation property to the L1's camelCase property (nested
 *   property types included), and reads back each L1's properties. Values that are references become
 *   markers holding the CloudFormation intrinsic. The result is plain JSON (kept in the run's cache);
 *   `CfnInclude`, its parser and its tree are thrown away.
 * - `l1Builder(recipe)` (untimed: compiles the recipe to functions) returns `build(app, stackId, env)`,
 *   the timed part: creates the stack and its L1s in dependency order (a resource before the resources
 *   that refer to it, as code must), each from a fresh properties object whose references are the
 *   referenced L1's `ref` / `attrXxx` tokens or `Fn.join` / `Fn.select` / `Fn.split` over them; then
 *   `DependsOn`, deletion policies, metadata and outputs.
 *
 * The output holds the same resources with the same values as the template, but not in the same order:
 * resources come in creation order and each L1 writes its properties in its own (alphabetical) order,
 * where the L2 constructs may have added keys later (property overrides). Compare the outputs with object
 * keys sorted.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Aws, CfnDeletionPolicy, CfnOutput, CfnResource, Environment, Fn, IResolvable, Stack, Token } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';

/** A value of an L1 property that is a CloudFormation intrinsic (a reference), with how the L1 holds it. */
interface IntrinsicMarker {
  readonly $cfn: 'string' | 'number' | 'list' | 'object';
  readonly value: unknown;
}

/** One L1 to create. */
interface L1Resource {
  readonly logicalId: string;
  readonly type: string;
  /** `<module>.<class>`, e.g. `aws-cdk-lib/aws-ecs.CfnService`. */
  readonly l1Class: string;
  /** The L1's properties, camelCase, with `IntrinsicMarker`s where the template has intrinsics. */
  readonly props: unknown;
  readonly dependsOn: string[];
  readonly updateReplacePolicy?: string;
  readonly deletionPolicy?: string;
  readonly metadata?: unknown;
}

/** What `l1Builder` needs to rebuild a template from L1s (plain JSON). */
export interface L1Recipe {
  /** In creation order. */
  readonly resources: L1Resource[];
  readonly outputs: Array<{ logicalId: string; value: unknown; description?: string; exportName?: string }>;
}

const CLASSES_FILE = path.join(path.dirname(require.resolve('aws-cdk-lib/package.json')), 'cloudformation-include', 'cfn-types-2-classes.json');
const RESOURCE_ATTRIBUTES = ['Type', 'Properties', 'DependsOn', 'UpdateReplacePolicy', 'DeletionPolicy', 'Metadata'];

/**
 * The recipe of `template` (a synthesized stack template). Parameters and rules other than the
 * synthesizer's bootstrap-version check, and any other section or resource attribute, are refused.
 */
export function l1Recipe(template: any, stackId: string, env: Environment): L1Recipe {
  for (const section of Object.keys(template)) {
    if (!['Resources', 'Outputs', 'Parameters', 'Rules'].includes(section)) throw new Error(`template section ${section} is not rebuilt from L1s`);
  }
  for (const p of Object.keys(template.Parameters ?? {})) if (p !== 'BootstrapVersion') throw new Error(`parameter ${p} is not rebuilt from L1s`);
  for (const r of Object.keys(template.Rules ?? {})) if (r !== 'CheckBootstrapVersion') throw new Error(`rule ${r} is not rebuilt from L1s`);
  for (const [logicalId, r] of Object.entries<any>(template.Resources)) {
    const other = Object.keys(r).filter((k) => !RESOURCE_ATTRIBUTES.includes(k));
    if (other.length > 0) throw new Error(`resource attribute(s) ${other.join(', ')} of ${logicalId} are not rebuilt from L1s`);
  }
  const classes: { [type: string]: string } = JSON.parse(fs.readFileSync(CLASSES_FILE, 'utf8'));

  // The bootstrap-version parameter and rule come from the synthesizer of the stack that includes the template.
  const included = { Resources: template.Resources, Outputs: template.Outputs };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-l1-'));
  try {
    const file = path.join(dir, 'template.json');
    fs.writeFileSync(file, JSON.stringify(included));
    const app = new App({ outdir: dir, analyticsReporting: false });
    const stack = new Stack(app, stackId, { env });
    const include = new CfnInclude(stack, 'Template', { templateFile: file });

    const toMarkers = (value: unknown, where: string): unknown => {
      if (value === undefined || value === null) return value;
      if (Token.isUnresolved(value)) {
        const kind = typeof value === 'string' ? 'string' : typeof value === 'number' ? 'number' : Array.isArray(value) ? 'list' : 'object';
        return { $cfn: kind, value: stack.resolve(value) } satisfies IntrinsicMarker;
      }
      if (Array.isArray(value)) return value.map((v, i) => toMarkers(v, `${where}[${i}]`));
      if (typeof value === 'object') {
        if ('$cfn' in value) throw new Error(`${where} has a $cfn key, which marks intrinsics in the recipe`);
        const out: { [key: string]: unknown } = {};
        for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toMarkers(v, `${where}.${k}`);
        return out;
      }
      return value;
    };

    const resources = new Map<string, L1Resource>();
    for (const [logicalId, r] of Object.entries<any>(template.Resources)) {
      const l1 = include.getResource(logicalId);
      const l1Class = classes[r.Type];
      if (l1Class === undefined) throw new Error(`${logicalId}: no L1 class for ${r.Type}`);
      const [moduleName, className] = l1Class.split('.');
      if (l1.constructor !== l1ClassOf(moduleName, className)) throw new Error(`${logicalId}: CfnInclude made a ${l1.constructor.name}, not ${l1Class}`);
      const overrides = (l1 as unknown as { rawOverrides: object }).rawOverrides;
      if (Object.keys(overrides).length > 0) throw new Error(`${logicalId}: properties the L1 does not know (${Object.keys(overrides).join(', ')})`);
      // The L1's properties as its constructor takes them (protected in TypeScript, public at run time).
      const props = (l1 as unknown as { cfnProperties: { [key: string]: unknown } }).cfnProperties;
      resources.set(logicalId, {
        logicalId,
        type: r.Type,
        l1Class,
        props: toMarkers(props, logicalId),
        dependsOn: ([] as string[]).concat(r.DependsOn ?? []),
        updateReplacePolicy: r.UpdateReplacePolicy,
        deletionPolicy: r.DeletionPolicy,
        metadata: r.Metadata,
      });
    }
    const outputs = Object.entries<any>(template.Outputs ?? {}).map(([logicalId, o]) => {
      const other = Object.keys(o).filter((k) => !['Value', 'Description', 'Export'].includes(k));
      if (other.length > 0) throw new Error(`output field(s) ${other.join(', ')} of ${logicalId} are not rebuilt from L1s`);
      return { logicalId, value: o.Value, description: o.Description, exportName: o.Export?.Name };
    });

    // Dependency order: what a resource refers to (or depends on) first, the template's order otherwise.
    const ordered: L1Resource[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (id: string, from: string) => {
      if (state.get(id) === 'done') return;
      if (state.get(id) === 'visiting') throw new Error(`reference cycle through ${id} (from ${from})`);
      const resource = resources.get(id);
      if (resource === undefined) throw new Error(`${from} refers to ${id}, which is not a resource of the template`);
      state.set(id, 'visiting');
      for (const d of [...referencedIds(resource.props), ...resource.dependsOn]) visit(d, id);
      state.set(id, 'done');
      ordered.push(resource);
    };
    for (const id of resources.keys()) visit(id, id);
    return { resources: ordered, outputs };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The L1 class `className` of aws-cdk-lib module `moduleName` (e.g. `aws-cdk-lib/aws-ecs`, `CfnService`), loaded on demand. */
function l1ClassOf(moduleName: string, className: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(moduleName)[className];
}

/** Logical IDs that the intrinsics in `value` refer to. */
function referencedIds(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    value.forEach((v) => referencedIds(v, into));
  } else if (value !== null && typeof value === 'object') {
    const o = value as { [key: string]: unknown };
    if (typeof o.Ref === 'string' && !o.Ref.startsWith('AWS::')) into.add(o.Ref);
    if (Array.isArray(o['Fn::GetAtt'])) into.add(o['Fn::GetAtt'][0] as string);
    Object.values(o).forEach((v) => referencedIds(v, into));
  }
  return into;
}

/** The L1s of one stack being built, by logical ID. */
type Made = Map<string, CfnResource>;
/** Produces a value for one build. */
type Producer = (made: Made) => unknown;

const PSEUDO: { [name: string]: unknown } = {
  'AWS::AccountId': Aws.ACCOUNT_ID,
  'AWS::NotificationARNs': Aws.NOTIFICATION_ARNS,
  'AWS::NoValue': Aws.NO_VALUE,
  'AWS::Partition': Aws.PARTITION,
  'AWS::Region': Aws.REGION,
  'AWS::StackId': Aws.STACK_ID,
  'AWS::StackName': Aws.STACK_NAME,
  'AWS::URLSuffix': Aws.URL_SUFFIX,
};

const asString = (v: unknown): string => (typeof v === 'string' ? v : Token.asString(v));
const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(asString) : Token.asList(v));

/** An L1's attribute as code reads it: the `attrXxx` property (made by the L1's constructor), else `getAtt`. */
function attribute(l1: CfnResource, name: string): unknown {
  const property = (l1 as unknown as { [key: string]: unknown })[`attr${name.replace(/\./g, '')}`];
  return property !== undefined ? property : l1.getAtt(name);
}

/** A CloudFormation intrinsic, rebuilt from the L1s' tokens and `Fn`. */
function compileIntrinsic(json: unknown): Producer {
  if (Array.isArray(json)) {
    const items = json.map(compileIntrinsic);
    return (made) => items.map((f) => f(made));
  }
  if (json === null || typeof json !== 'object') return () => json;
  const entries = Object.entries(json as object);
  if (entries.length === 1) {
    const [fn, args] = entries[0] as [string, any];
    switch (fn) {
      case 'Ref': {
        if (args.startsWith('AWS::')) {
          if (!(args in PSEUDO)) throw new Error(`pseudo parameter ${args} is not rebuilt from L1s`);
          const pseudo = PSEUDO[args];
          return () => pseudo;
        }
        return (made) => made.get(args)!.ref;
      }
      case 'Fn::GetAtt': {
        const [id, name] = args as [string, string];
        return (made) => attribute(made.get(id)!, name);
      }
      case 'Fn::Join': {
        const list = compileIntrinsic(args[1]);
        return (made) => Fn.join(args[0], asList(list(made)));
      }
      case 'Fn::Select': {
        const list = compileIntrinsic(args[1]);
        return (made) => Fn.select(args[0], asList(list(made)));
      }
      case 'Fn::Split': {
        const source = compileIntrinsic(args[1]);
        return (made) => Fn.split(args[0], asString(source(made)));
      }
      default:
        if (fn.startsWith('Fn::') || fn === 'Condition') throw new Error(`intrinsic ${fn} is not rebuilt from L1s`);
    }
  }
  const compiled = entries.map(([k, v]) => [k, compileIntrinsic(v)] as const);
  return (made) => {
    const out: { [key: string]: unknown } = {};
    for (const [k, f] of compiled) out[k] = f(made);
    return out;
  };
}

/** An L1 property value: literals copied as an object literal would be, intrinsics rebuilt as the L1 holds them. */
function compileValue(value: unknown): Producer {
  if (Array.isArray(value)) {
    const items = value.map(compileValue);
    return (made) => items.map((f) => f(made));
  }
  if (value === null || typeof value !== 'object') return () => value;
  const marker = value as IntrinsicMarker;
  if (marker.$cfn !== undefined) {
    const intrinsic = compileIntrinsic(marker.value);
    switch (marker.$cfn) {
      case 'string': return (made) => asString(intrinsic(made));
      case 'number': return (made) => Token.asNumber(intrinsic(made));
      case 'list': return (made) => asList(intrinsic(made));
      default: return (made) => {
        const v = intrinsic(made);
        return Token.isUnresolved(v) && typeof v !== 'object' ? Token.asAny(v) : (v as IResolvable);
      };
    }
  }
  const entries = Object.entries(value).map(([k, v]) => [k, compileValue(v)] as const);
  return (made) => {
    const out: { [key: string]: unknown } = {};
    for (const [k, f] of entries) out[k] = f(made);
    return out;
  };
}

/** Builds one stack of L1s from its recipe (see the module's documentation). */
export type L1Build = (app: App, stackId: string, env: Environment) => Stack;

/** Compiles `recipe` (untimed) into the function that builds its stack (timed). */
export function l1Builder(recipe: L1Recipe): L1Build {
  type L1Class = new (scope: Stack, id: string, props: unknown) => CfnResource;
  const steps = recipe.resources.map((r) => {
    const [moduleName, className] = r.l1Class.split('.');
    const cls = l1ClassOf(moduleName, className) as L1Class;
    return { r, cls, props: compileValue(r.props) };
  });
  const outputs = recipe.outputs.map((o) => ({ ...o, value: compileIntrinsic(o.value) }));
  return (app, stackId, env) => {
    const stack = new Stack(app, stackId, { env });
    const made: Made = new Map();
    for (const { r, cls, props } of steps) {
      const l1 = new cls(stack, r.logicalId, props(made));
      if (r.updateReplacePolicy) l1.cfnOptions.updateReplacePolicy = r.updateReplacePolicy as CfnDeletionPolicy;
      if (r.deletionPolicy) l1.cfnOptions.deletionPolicy = r.deletionPolicy as CfnDeletionPolicy;
      if (r.metadata) l1.cfnOptions.metadata = r.metadata as { [key: string]: unknown };
      made.set(r.logicalId, l1);
    }
    for (const { r } of steps) {
      for (const d of r.dependsOn) made.get(r.logicalId)!.addDependency(made.get(d)!);
    }
    for (const o of outputs) {
      new CfnOutput(stack, o.logicalId, { value: asString(o.value(made)), description: o.description, exportName: o.exportName });
    }
    return stack;
  };
}

/** JSON with object keys sorted (arrays keep their order): equal for templates that differ only in key order. */
export function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: { [key: string]: unknown } = {};
  for (const k of Object.keys(value).sort()) out[k] = sortedKeys((value as { [key: string]: unknown })[k]);
  return out;
}
