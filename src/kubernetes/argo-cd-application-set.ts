import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { ArgoCdSource } from './argo-cd-source';
import { CanaryRollout } from './canary-rollout';
import {
  ApplicationSet, ApplicationSetSpec, ApplicationSetSpecStrategyRollingSyncSteps, ApplicationSetSpecStrategyRollingSyncStepsMaxUpdate,
} from './imports/argocd-application-set-argoproj.io';
import { checkDnsLabel, fail, show } from '../private/validate';
import { FleetTarget } from '../strategy/fleet-target';
import { AssignedWave, Wave, WavePlan } from '../strategy/wave-plan';

/** A Kubernetes cluster registered in Argo CD, as a member of a fleet. */
export interface ArgoCdCluster extends FleetTarget {
  /**
   * The cluster's API server URL as registered in Argo CD (the `server` of its cluster secret), e.g.
   * `https://kubernetes.default.svc` for the cluster Argo CD runs in.
   */
  readonly server: string;
  /**
   * What this cluster runs: the cdk8s App, Chart or release construct synthesized into its source
   * folder. Required when the cluster's wave has a bake or gates: they must live in the cluster's own
   * release (see `ArgoCdApplicationSet`), and this is where they are checked.
   * @default - nothing to check; refused when the cluster's wave bakes or has gates
   */
  readonly release?: IConstruct;
}

/** Properties for `ArgoCdApplicationSet`. */
export interface ArgoCdApplicationSetProps {
  /** The waves. */
  readonly plan: WavePlan;
  /** The fleet: every cluster, each in exactly one wave of `plan`. */
  readonly clusters: ArgoCdCluster[];
  /** Where each cluster's Application gets its manifests. */
  readonly source: ArgoCdSource;
  /** Namespace the Applications deploy into on every cluster. */
  readonly destinationNamespace: string;
  /**
   * Name of the ApplicationSet; each Application is named `<name>-<cluster>`, at most 63 characters
   * (Argo CD puts the Application name in the `app.kubernetes.io/instance` label of what it deploys).
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Argo CD project of the Applications.
   * @default 'default'
   */
  readonly project?: string;
  /**
   * Namespace of the ApplicationSet: Argo CD's own namespace.
   * @default 'argocd'
   */
  readonly namespace?: string;
  /**
   * Sync options of every Application, e.g. `['CreateNamespace=true']`.
   * @default - none
   */
  readonly syncOptions?: string[];
  /**
   * Delete the Applications in reverse wave order when they leave the ApplicationSet (Argo CD 3.2 or
   * later: `strategy.deletionOrder: Reverse`).
   * @default false - all at once
   */
  readonly reverseDeletion?: boolean;
}

/**
 * One release across many Kubernetes clusters, in waves, run by Argo CD: an ApplicationSet with
 * progressive syncs (`strategy.type: RollingSync`).
 *
 * Synthesizes one ApplicationSet: a list generator with one element per cluster (`cluster`, `server`,
 * `wave`), a Go template for one Application per cluster labelled with its wave
 * (`release-strategies.dev/wave`), and one RollingSync step per wave selecting exactly that label.
 * Shares of the fleet are resolved at synth time, so every Application is in exactly one step.
 * `maxInFlight` becomes the step's `maxUpdate` (a number, or `N%`); a manual hold is `maxUpdate: 0`.
 *
 * What Argo CD does (argoproj/argo-cd v3.5.1, `applicationset/progressivesync`), and how the plan maps
 * onto it:
 *  - Progressive syncs are off unless the ApplicationSet controller runs with
 *    `--enable-progressive-syncs` (or `applicationsetcontroller.enable.progressive.syncs: "true"` in
 *    `argocd-cmd-params-cm`). Without it the strategy is ignored. The template sets no automated sync
 *    policy (RollingSync turns it off anyway), so a controller without progressive syncs syncs nothing
 *    rather than the whole fleet at once.
 *  - A step is done when every Application in it is Healthy and Synced after the sync the controller
 *    triggered; then the next step starts. There is no bake, no metric gate, no timeout and no
 *    rollback between steps, and a PostSync hook does not hold the next step. A wave's bake and gates
 *    therefore live at the end of each cluster's own release: `plan.releasePlan(wave, plan)` ends a
 *    `CanaryRollout` (Argo Rollouts) with `setWeight(100)`, the bake and an analysis of the gates. A
 *    paused or analysing Rollout keeps its Application Suspended or Progressing, so the step waits;
 *    an aborted Rollout is Degraded, the step never completes and later waves never start. "Bake per
 *    wave" thus becomes bake per cluster, at full traffic, before the cluster counts as done.
 *  - This is checked at synth: every cluster in a wave with a bake or gates must name its `release`,
 *    which must contain a `CanaryRollout` on Argo Rollouts whose plan ends that way. Flagger is
 *    refused there: a Flagger Canary reports its last phase (Succeeded) until Flagger's next check,
 *    so Argo CD sees it Healthy right after the sync and the step moves on.
 *
 * @example
 * new ArgoCdApplicationSet(chart, 'checkout', {
 *   plan: waves,
 *   clusters: [{ name: 'prod-eu-1', server: 'https://eu-1.k8s.example.com', release: chart }],
 *   source: ArgoCdSource.directory({ repoUrl: 'https://git.example.com/platform/deploy.git', path: 'checkout' }),
 *   destinationNamespace: 'checkout',
 * });
 */
export class ArgoCdApplicationSet extends Construct {
  /** The label every Application carries with its wave name; each RollingSync step selects one value. */
  public static readonly WAVE_LABEL = 'release-strategies.dev/wave';

  /** Name of the ApplicationSet. */
  public readonly name: string;
  /** The waves with the clusters each releases to. */
  public readonly waves: AssignedWave[];
  /** The ApplicationSet. */
  public readonly applicationSet: ApiObject;

  constructor(scope: Construct, id: string, props: ArgoCdApplicationSetProps) {
    super(scope, id);
    const where = this.node.path;
    const name = props.name ?? id;
    checkDnsLabel(where, 'name', name);
    if (!(props.plan instanceof WavePlan)) fail(where, 'plan', 'must be a WavePlan', props.plan);
    if (!(props.source instanceof ArgoCdSource)) fail(where, 'source', 'must be ArgoCdSource.directory() or ArgoCdSource.plugin()', props.source);
    checkDnsLabel(where, 'destinationNamespace', props.destinationNamespace);
    const project = props.project ?? 'default';
    checkDnsLabel(where, 'project', project);
    const namespace = props.namespace ?? 'argocd';
    checkDnsLabel(where, 'namespace', namespace);
    const clusters = props.clusters;
    const waves = props.plan._assign(where, 'clusters', clusters);
    clusters.forEach((c, i) => {
      if (typeof c.server !== 'string' || !/^https?:\/\/[^\s]+$/.test(c.server)) {
        fail(where, `clusters[${i}].server`, 'must be the API server URL registered in Argo CD (https://...)', c.server);
      }
      const app = `${name}-${c.name}`;
      if (app.length > 63) {
        fail(where, `clusters[${i}].name`, `must leave the Application name '<name>-<cluster>' at most 63 characters (Argo CD labels what it deploys with it); '${name}-' leaves ${62 - name.length}`, c.name);
      }
    });
    waves.forEach(({ wave, targetsAtOnce }, i) => {
      if (wave.manualHold && targetsAtOnce !== 0) {
        fail(where, `plan.waves[${i}]`, 'Argo CD\'s RollingSync holds a step only with maxUpdate 0, where a person syncs each Application; it cannot wait for one approval and then sync by itself; nearest plan: { manualHold: true, maxInFlight: MaxInFlight.count(0) }', String(wave));
      }
    });
    // The release each cluster runs must hold its wave's bake and gates; without a release there is
    // nothing to hold them, which is known now. What the release contains is checked at synth.
    const holding = new Map<string, Wave>();
    for (const { wave, targets } of waves) {
      if (wave.holdsNextWave()) targets.forEach((t) => holding.set(t.name, wave));
    }
    clusters.forEach((c, i) => {
      const wave = holding.get(c.name);
      if (wave !== undefined && c.release === undefined) {
        fail(where, `clusters[${i}].release`, `${holdNeeded(wave)}: give the construct this cluster runs (its App or Chart) so that can be checked`, undefined);
      }
    });
    // Messages without the path: cdk8s adds it.
    this.node.addValidation({ validate: () => clusters.flatMap((c, i) => checkRelease(`clusters[${i}].release`, props.plan, holding.get(c.name), c.release)) });

    this.name = name;
    this.waves = waves;
    const spec: ApplicationSetSpec = {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [{
        list: {
          elements: waves.flatMap(({ wave, targets }) => targets.map((t) => ({
            cluster: t.name,
            server: (t as ArgoCdCluster).server,
            wave: wave.name,
          }))),
        },
      }],
      strategy: {
        type: 'RollingSync',
        rollingSync: { steps: waves.map(({ wave }) => step(wave)) },
        deletionOrder: props.reverseDeletion ? 'Reverse' : undefined,
      },
      template: {
        metadata: {
          name: `${name}-{{.cluster}}`,
          labels: { [ArgoCdApplicationSet.WAVE_LABEL]: '{{.wave}}', 'app.kubernetes.io/part-of': name },
        },
        spec: {
          project,
          source: props.source._render(),
          destination: { server: '{{.server}}', namespace: props.destinationNamespace },
          syncPolicy: props.syncOptions === undefined ? undefined : { syncOptions: [...props.syncOptions] },
        },
      },
    };
    this.applicationSet = new ApplicationSet(this, 'Resource', { metadata: { name, namespace }, spec });
  }
}

/** A RollingSync step selecting the Applications of one wave, with its `maxUpdate`. */
function step(wave: Wave): ApplicationSetSpecStrategyRollingSyncSteps {
  const m = wave.maxInFlight;
  const maxUpdate = m.targetCount !== undefined ? ApplicationSetSpecStrategyRollingSyncStepsMaxUpdate.fromNumber(m.targetCount)
    : m.wavePercent !== undefined ? ApplicationSetSpecStrategyRollingSyncStepsMaxUpdate.fromString(`${m.wavePercent}%`)
      : undefined; // unset: Argo CD's default, 100% of the step
  return {
    matchExpressions: [{ key: ArgoCdApplicationSet.WAVE_LABEL, operator: 'In', values: [wave.name] }],
    maxUpdate,
  };
}

function holdNeeded(wave: Wave): string {
  const what = [
    wave.bake.isZero() ? undefined : `bakes ${wave.bake}`,
    wave.gates.length === 0 ? undefined : `gates on ${wave.gates.map((g) => g.name).join(', ')}`,
  ].filter((x) => x !== undefined).join(' and ');
  return `wave '${wave.name}' ${what}, which Argo CD's RollingSync cannot do between steps (a step is done when its Applications are Healthy and Synced), so the cluster's own release must hold its Application until then`;
}

/** The messages for a release that does not hold its wave (none when it does, or the wave needs no hold). */
function checkRelease(field: string, plan: WavePlan, wave: Wave | undefined, release: IConstruct | undefined): string[] {
  if (wave === undefined || release === undefined) return [];
  const problem = (allowed: string, got: unknown) => `invalid '${field}': ${holdNeeded(wave)}: ${allowed}, got ${show(got)}`;
  const rollouts = release.node.findAll().filter((c): c is CanaryRollout => c instanceof CanaryRollout);
  if (rollouts.length === 0) {
    return [problem(`it needs a CanaryRollout on Argo Rollouts ending with WavePlan.releasePlan('${wave.name}', plan), and ${release.node.path} has none`, release.node.path)];
  }
  return rollouts.flatMap((r) => {
    if (!r.engine._healthFollowsSteps) {
      return [problem(`a Flagger Canary reports its last phase until Flagger's next check, so Argo CD sees it Healthy right after the sync; use RolloutEngine.argoRollouts() with WavePlan.releasePlan('${wave.name}', plan) in ${r.node.path}`, 'RolloutEngine.flagger()')];
    }
    const missing = wave._holdMissingFrom(r.plan);
    if (missing === undefined) return [];
    let nearest: string;
    try {
      nearest = show(String(plan.releasePlan(wave.name, r.plan)));
    } catch (e) {
      nearest = `none: ${(e as Error).message}`;
    }
    return [problem(`the plan of ${r.node.path} lacks ${missing}; nearest plan: WavePlan.releasePlan('${wave.name}', plan) = ${nearest}`, String(r.plan))];
  });
}
