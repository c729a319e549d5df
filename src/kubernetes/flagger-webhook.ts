import { checkDnsLabel, checkNonEmpty, checkRange, fail } from '../private/validate';

/** Options for a `FlaggerWebhook`. */
export interface FlaggerWebhookOptions {
  /** Name of the webhook in the Canary; lower-case letters, digits and '-'. */
  readonly name: string;
  /**
   * URL Flagger POSTs its payload to.
   * @default - the engine's load tester: `<loadTesterUrl>/gate/check` for confirm webhooks, `<loadTesterUrl>/rollback/check` for rollback webhooks, `<loadTesterUrl>/` for commands
   */
  readonly url?: string;
  /**
   * Shell command the Flagger load tester runs for this webhook (`metadata.type: bash`); needs the
   * engine's `loadTesterUrl` and no `url`. Pre- and post-rollout webhooks only.
   * @default - no command
   */
  readonly command?: string;
  /**
   * Seconds Flagger waits for the answer.
   * @default - Flagger's default (10 seconds)
   */
  readonly timeoutSeconds?: number;
  /**
   * Extra key/value pairs sent in the payload's `metadata`.
   * @default - none
   */
  readonly metadata?: { [key: string]: string };
  /**
   * Times Flagger retries a failed call before the webhook counts as failed.
   * @default - Flagger's default (no retries)
   */
  readonly retries?: number;
}

/**
 * A Flagger webhook the plan itself does not express: checks before traffic moves, notifications
 * after the release, a manual rollback trigger, and manual approvals on your own endpoints.
 *
 * Gates (`Gate.web()`, `Gate.job()`) already become `rollout` webhooks, and `Step.pause()` becomes a
 * confirm webhook on the load tester; use these for everything else. Flagger calls each with a POST of
 * its JSON payload (name, namespace, phase, metadata) and reads only the status code.
 *
 * @see https://docs.flagger.app/usage/webhooks
 */
export class FlaggerWebhook {
  /**
   * Called before any traffic moves to the new version (`pre-rollout`); a failure counts as a failed
   * check, and the release rolls back when failed checks reach the threshold.
   * @example FlaggerWebhook.preRollout({ name: 'acceptance-test', command: 'curl -fsS http://checkout-canary.shop/healthz' })
   */
  public static preRollout(options: FlaggerWebhookOptions): FlaggerWebhook {
    return new FlaggerWebhook('FlaggerWebhook.preRollout()', 'pre-rollout', options, true, undefined);
  }

  /**
   * Called once the release has been promoted or rolled back (`post-rollout`), e.g. to notify a
   * pipeline; its result does not change the release.
   * @example FlaggerWebhook.postRollout({ name: 'notify', url: 'http://release-bot.ops/flagger' })
   */
  public static postRollout(options: FlaggerWebhookOptions): FlaggerWebhook {
    return new FlaggerWebhook('FlaggerWebhook.postRollout()', 'post-rollout', options, true, undefined);
  }

  /**
   * A manual rollback trigger (`rollback`): while the release is analysed or waits for an approval,
   * a 2xx answer makes Flagger roll back. With the load tester, `POST /rollback/open` arms it.
   * @example FlaggerWebhook.rollback({ name: 'rollback' })
   */
  public static rollback(options: FlaggerWebhookOptions): FlaggerWebhook {
    return new FlaggerWebhook('FlaggerWebhook.rollback()', 'rollback', options, false, '/rollback/check');
  }

  /**
   * An approval before the new version is scaled up (`confirm-rollout`): Flagger waits until it answers 2xx.
   * @example FlaggerWebhook.confirmRollout({ name: 'change-window', url: 'http://change-calendar.ops/open' })
   */
  public static confirmRollout(options: FlaggerWebhookOptions): FlaggerWebhook {
    return new FlaggerWebhook('FlaggerWebhook.confirmRollout()', 'confirm-rollout', options, false, '/gate/check');
  }

  /**
   * An approval before every increase of the new version's traffic weight (`confirm-traffic-increase`):
   * Flagger waits until it answers 2xx.
   * @example FlaggerWebhook.confirmTrafficIncrease({ name: 'traffic-approval', url: 'http://approvals.ops/checkout' })
   */
  public static confirmTrafficIncrease(options: FlaggerWebhookOptions): FlaggerWebhook {
    return new FlaggerWebhook('FlaggerWebhook.confirmTrafficIncrease()', 'confirm-traffic-increase', options, false, '/gate/check');
  }

  /**
   * An approval before promotion (`confirm-promotion`): Flagger keeps analysing and waits until it answers 2xx.
   * @example FlaggerWebhook.confirmPromotion({ name: 'promotion-approval', url: 'http://approvals.ops/checkout' })
   */
  public static confirmPromotion(options: FlaggerWebhookOptions): FlaggerWebhook {
    return new FlaggerWebhook('FlaggerWebhook.confirmPromotion()', 'confirm-promotion', options, false, '/gate/check');
  }

  /**
   * Receives every event Flagger records for the release (`event`); its result does not change the release.
   * @example FlaggerWebhook.event({ name: 'audit', url: 'http://audit.ops/flagger' })
   */
  public static event(options: FlaggerWebhookOptions): FlaggerWebhook {
    return new FlaggerWebhook('FlaggerWebhook.event()', 'event', options, false, undefined);
  }

  /** Flagger's webhook type, e.g. `pre-rollout`. */
  public readonly type: string;
  /** Name of the webhook. */
  public readonly name: string;
  private readonly options: FlaggerWebhookOptions;
  private readonly loadTesterPath?: string;

  private constructor(where: string, type: string, options: FlaggerWebhookOptions, commands: boolean, loadTesterPath: string | undefined) {
    checkDnsLabel(where, 'name', options.name);
    if (options.url !== undefined && !/^https?:\/\/[^\s]+$/.test(options.url)) fail(where, 'url', 'must be an http:// or https:// URL', options.url);
    if (options.command !== undefined) {
      if (!commands) fail(where, 'command', 'is for pre- and post-rollout webhooks only; give a url', options.command);
      checkNonEmpty(where, 'command', options.command);
      if (options.url !== undefined) fail(where, 'url', 'must be left out with command (the load tester runs the command)', options.url);
    }
    if (options.url === undefined && options.command === undefined && loadTesterPath === undefined) {
      fail(where, 'url', `is required for a ${type} webhook`, undefined);
    }
    if (options.timeoutSeconds !== undefined) checkRange(where, 'timeoutSeconds', options.timeoutSeconds, 1, 3600);
    if (options.retries !== undefined) checkRange(where, 'retries', options.retries, 0, 100);
    if (options.command !== undefined && options.metadata !== undefined && Object.keys(options.metadata).some((k) => k === 'type' || k === 'cmd')) {
      fail(where, 'metadata', "must not set 'type' or 'cmd' together with command", options.metadata);
    }
    this.type = type;
    this.name = options.name;
    this.options = { ...options, metadata: options.metadata && { ...options.metadata } };
    this.loadTesterPath = loadTesterPath;
  }

  /**
   * The webhook as the Canary CRD reads it; refuses a load tester default without a load tester.
   * @internal
   */
  public _render(where: string, field: string, loadTesterUrl: string | undefined): { [key: string]: any } {
    const o = this.options;
    let url = o.url;
    if (url === undefined) {
      if (loadTesterUrl === undefined) {
        fail(where, 'engine.loadTesterUrl', `is required for ${field} ('${this.name}'), which has no url of its own`, undefined);
      }
      url = o.command !== undefined ? loadTesterUrl : `${loadTesterUrl.replace(/\/+$/, '')}${this.loadTesterPath}`;
    }
    const metadata = o.command !== undefined ? { ...(o.metadata ?? {}), type: 'bash', cmd: o.command } : o.metadata;
    return {
      name: this.name,
      type: this.type,
      url,
      timeout: o.timeoutSeconds === undefined ? undefined : `${o.timeoutSeconds}s`,
      retries: o.retries,
      metadata,
    };
  }
}
