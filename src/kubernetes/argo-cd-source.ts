import { ApplicationSetSpecTemplateSpecSource } from './imports/argocd-application-set-argoproj.io';
import { checkDnsLabel, checkNonEmpty, fail } from '../private/validate';

/** Options every `ArgoCdSource` takes. */
export interface ArgoCdSourceOptions {
  /** URL of the Git repository Argo CD reads, as registered in Argo CD. */
  readonly repoUrl: string;
  /**
   * Branch, tag or commit.
   * @default 'HEAD'
   */
  readonly targetRevision?: string;
  /**
   * Folder in the repository, relative to its root, without `..`.
   */
  readonly path: string;
}

/** Options for `ArgoCdSource.plugin`. */
export interface ArgoCdPluginSourceOptions extends ArgoCdSourceOptions {
  /**
   * Name of the Config Management Plugin that renders the manifests (the sidecar's plugin name, with
   * its version suffix if it has one, e.g. `cdk8s-v1`).
   */
  readonly pluginName: string;
}

/**
 * Where each cluster's Application in an `ArgoCdApplicationSet` gets its manifests.
 *
 * The release inside each Application is whatever the library synthesized for that cluster, as plain
 * Kubernetes YAML: commit the `cdk8s synth` output per cluster (`directory`), or let a Config
 * Management Plugin run the synth in Argo CD's repo server (`plugin`).
 */
export abstract class ArgoCdSource {
  /**
   * Committed `cdk8s synth` output, one folder per cluster: the cluster named `prod-eu-1` reads
   * `<path>/prod-eu-1` (synthesize its app with `new App({ outdir: source.pathFor('prod-eu-1') })`).
   * @example ArgoCdSource.directory({ repoUrl: 'https://git.example.com/platform/deploy.git', path: 'checkout' })
   */
  public static directory(options: ArgoCdSourceOptions): ArgoCdSource {
    return new DirectorySource(checkSource('ArgoCdSource.directory()', options));
  }

  /**
   * A Config Management Plugin renders each cluster's manifests from `path`. The Application passes the
   * cluster's name and wave as plugin environment variables `CLUSTER` and `WAVE`, which Argo CD hands to
   * the plugin as `ARGOCD_ENV_CLUSTER` and `ARGOCD_ENV_WAVE`.
   * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/config-management-plugins/
   * @example ArgoCdSource.plugin({ repoUrl: 'https://git.example.com/platform/deploy.git', path: 'checkout', pluginName: 'cdk8s-v1' })
   */
  public static plugin(options: ArgoCdPluginSourceOptions): ArgoCdSource {
    const where = 'ArgoCdSource.plugin()';
    checkDnsLabel(where, 'pluginName', options.pluginName);
    return new PluginSource(checkSource(where, options), options.pluginName);
  }

  /** URL of the Git repository. */
  public readonly repoUrl: string;
  /** Branch, tag or commit. */
  public readonly targetRevision: string;
  /** Folder in the repository. */
  public readonly path: string;

  protected constructor(options: ArgoCdSourceOptions) {
    this.repoUrl = options.repoUrl;
    this.targetRevision = options.targetRevision ?? 'HEAD';
    this.path = options.path;
  }

  /** The folder in the repository the cluster named `cluster` reads. */
  public abstract pathFor(cluster: string): string;

  /**
   * The Application template's `source`, with `{{.cluster}}` and `{{.wave}}` filled in per cluster by
   * the ApplicationSet's Go template.
   * @internal
   */
  public abstract _render(): ApplicationSetSpecTemplateSpecSource;
}

class DirectorySource extends ArgoCdSource {
  public pathFor(cluster: string): string {
    return `${this.path}/${cluster}`;
  }

  public _render(): ApplicationSetSpecTemplateSpecSource {
    return { repoUrl: this.repoUrl, targetRevision: this.targetRevision, path: this.pathFor('{{.cluster}}') };
  }
}

class PluginSource extends ArgoCdSource {
  constructor(options: ArgoCdSourceOptions, private readonly pluginName: string) {
    super(options);
  }

  public pathFor(_cluster: string): string {
    return this.path;
  }

  public _render(): ApplicationSetSpecTemplateSpecSource {
    return {
      repoUrl: this.repoUrl,
      targetRevision: this.targetRevision,
      path: this.path,
      plugin: { name: this.pluginName, env: [{ name: 'CLUSTER', value: '{{.cluster}}' }, { name: 'WAVE', value: '{{.wave}}' }] },
    };
  }
}

function checkSource(where: string, options: ArgoCdSourceOptions): ArgoCdSourceOptions {
  checkNonEmpty(where, 'repoUrl', options.repoUrl);
  if (options.targetRevision !== undefined) checkNonEmpty(where, 'targetRevision', options.targetRevision);
  checkNonEmpty(where, 'path', options.path);
  const parts = options.path.split('/');
  if (options.path.startsWith('/') || options.path.endsWith('/') || parts.some((p) => p === '..' || p === '') || /[{}]/.test(options.path)) {
    fail(where, 'path', "must be a folder relative to the repository root ('a/b', no leading or trailing '/', no '..', no template braces)", options.path);
  }
  return options;
}
