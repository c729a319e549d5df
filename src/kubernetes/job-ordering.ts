import { Phase } from '../migrations/phase';
import { fail } from '../private/validate';

/** Options for `JobOrdering.argoCd()`. */
export interface ArgoCdOrderingOptions {
  /**
   * Sync wave of the migration Job within its hook phase; its ConfigMap goes one wave earlier.
   * Use it to order several migrations of one Application.
   * @default 0
   * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
   */
  readonly syncWave?: number;
}

/** Options for `JobOrdering.helm()`. */
export interface HelmOrderingOptions {
  /**
   * Hook weight of the migration Job; its ConfigMap gets one less, so it exists first.
   * @default 0
   * @see https://helm.sh/docs/topics/charts_hooks/#hook-weights
   */
  readonly weight?: number;
}

/** The kind of ordering a `JobOrdering` applies. */
export enum JobOrderingKind {
  /** Argo CD resource hooks. */
  ARGO_CD = 'argocd',
  /** Helm chart hooks. */
  HELM = 'helm',
  /** No hooks: whoever applies the manifests orders them. */
  NONE = 'none',
}

/**
 * When a migration Job runs relative to the application rollout.
 *
 * Expand runs before the new version rolls out; migrate and contract run after it (once every running
 * version writes the new shape, and once none reads the old one). The Job's ConfigMap is a hook of the
 * same phase, ordered just before the Job, so it exists when the Job starts.
 */
export class JobOrdering {
  /**
   * As Argo CD resource hooks: expand is a `PreSync` hook, migrate and contract are `PostSync` hooks
   * (PostSync waits until every resource of the Application is Healthy, so an Argo Rollouts canary must
   * be fully promoted first). Hooks are deleted once the sync succeeds, and before a re-sync creates
   * them again (`HookSucceeded,BeforeHookCreation`); a failed Job stays for its logs.
   * @see https://argo-cd.readthedocs.io/en/stable/user-guide/resource_hooks/
   */
  public static argoCd(options: ArgoCdOrderingOptions = {}): JobOrdering {
    const wave = options.syncWave ?? 0;
    if (!Number.isInteger(wave) || Math.abs(wave) > 1_000_000) {
      fail('JobOrdering.argoCd()', 'syncWave', 'must be a whole number from -1000000 to 1000000', wave);
    }
    return new JobOrdering(JobOrderingKind.ARGO_CD, wave);
  }

  /**
   * As Helm chart hooks: expand is a `pre-install,pre-upgrade` hook, migrate and contract are
   * `post-install,post-upgrade` hooks. Hooks are deleted once they succeed, and before a new release
   * creates them again (`before-hook-creation,hook-succeeded`); a failed Job stays for its logs.
   * @see https://helm.sh/docs/topics/charts_hooks/
   */
  public static helm(options: HelmOrderingOptions = {}): JobOrdering {
    const weight = options.weight ?? 0;
    if (!Number.isInteger(weight) || Math.abs(weight) > 1_000_000) {
      fail('JobOrdering.helm()', 'weight', 'must be a whole number from -1000000 to 1000000', weight);
    }
    return new JobOrdering(JobOrderingKind.HELM, weight);
  }

  /**
   * No hook annotations: a plain Job (and ConfigMap) that whoever applies the manifests must order
   * themselves (apply and wait for the expand Job before rolling out; run migrate and contract after).
   */
  public static none(): JobOrdering {
    return new JobOrdering(JobOrderingKind.NONE, 0);
  }

  /** The kind of ordering. */
  public readonly kind: JobOrderingKind;
  /** Argo CD sync wave or Helm hook weight of the Job (0 for `none()`). */
  public readonly order: number;

  private constructor(kind: JobOrderingKind, order: number) {
    this.kind = kind;
    this.order = order;
  }

  /** Whether the Job is a hook that a deployment tool creates and watches. */
  public isHook(): boolean {
    return this.kind !== JobOrderingKind.NONE;
  }

  /**
   * Annotations for the Job of `phase` (or, with `configMap`, for the ConfigMap it mounts).
   * @internal
   */
  public _annotations(phase: Phase, configMap: boolean): { [key: string]: string } {
    const before = phase === Phase.EXPAND;
    const order = String(configMap ? this.order - 1 : this.order);
    switch (this.kind) {
      case JobOrderingKind.ARGO_CD:
        return {
          'argocd.argoproj.io/hook': before ? 'PreSync' : 'PostSync',
          'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded,BeforeHookCreation',
          'argocd.argoproj.io/sync-wave': order,
        };
      case JobOrderingKind.HELM:
        return {
          'helm.sh/hook': before ? 'pre-install,pre-upgrade' : 'post-install,post-upgrade',
          'helm.sh/hook-weight': order,
          'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
        };
      default:
        return {};
    }
  }
}
