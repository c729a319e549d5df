import { Construct } from 'constructs';
import { BlueGreenEngine } from './blue-green-engine';
import { WorkloadOptions } from './workload-options';
import { checkDns1035Label, fail } from '../private/validate';
import { resolveWorkload } from './private/workload';

/** Properties for `BlueGreenService`. */
export interface BlueGreenServiceProps extends WorkloadOptions {
  /** The controller that runs the two versions and switches traffic between them. */
  readonly engine: BlueGreenEngine;
  /**
   * Name of the Service that carries production traffic.
   * @default - the service's `name`
   */
  readonly activeServiceName?: string;
  /**
   * Name of the Service that reaches the version not yet (or no longer) live, for tests before cutover.
   * @default - `<name>-preview`
   */
  readonly previewServiceName?: string;
}

/**
 * A service released blue/green: two full versions side by side, production traffic on one,
 * cutover and rollback by switching a Service.
 *
 * With `BlueGreenEngine.native()` it synthesizes two Deployments (blue, green), an active and a
 * preview Service and a PodDisruptionBudget per slot. With `BlueGreenEngine.argoRollouts()` it
 * synthesizes one Argo Rollouts `Rollout` (`strategy.blueGreen`), the active and preview Services,
 * a PodDisruptionBudget, and one AnalysisTemplate per distinct promotion gate. It never emits the
 * objects the controller creates itself (ReplicaSets, AnalysisRuns).
 */
export class BlueGreenService extends Construct {
  /** Base name of the synthesized objects. */
  public readonly name: string;
  /** Name of the active (production) Service. */
  public readonly activeServiceName: string;
  /** Name of the preview Service. */
  public readonly previewServiceName: string;
  /** The engine this service runs on. */
  public readonly engine: BlueGreenEngine;

  constructor(scope: Construct, id: string, props: BlueGreenServiceProps) {
    super(scope, id);
    if (!(props.engine instanceof BlueGreenEngine)) {
      fail(this.node.path, 'engine', 'must be BlueGreenEngine.native() or BlueGreenEngine.argoRollouts()', props.engine);
    }
    const w = resolveWorkload(this, props);
    this.name = w.name;
    this.engine = props.engine;
    this.activeServiceName = props.activeServiceName ?? w.name;
    this.previewServiceName = props.previewServiceName ?? `${w.name}-preview`;
    checkDns1035Label(this.node.path, 'activeServiceName', this.activeServiceName);
    checkDns1035Label(this.node.path, 'previewServiceName', this.previewServiceName);
    if (this.activeServiceName === this.previewServiceName) {
      // Argo Rollouts refuses this too (DuplicatedServicesBlueGreenMessage), but only at runtime.
      fail(this.node.path, 'previewServiceName', `must differ from activeServiceName ('${this.activeServiceName}'): the preview and active Services need two different Services`, this.previewServiceName);
    }
    props.engine._render(this, w, { active: this.activeServiceName, preview: this.previewServiceName });
  }
}
