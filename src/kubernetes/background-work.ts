import { fail } from '../private/validate';

/** Options for `BackgroundWork.disabledByEnv`. */
export interface BackgroundWorkEnvOptions {
  /** Environment variable that turns the work off, e.g. `ORDER_CONSUMER_ENABLED`. */
  readonly variable: string;
  /** Its value that turns the work off, e.g. `'false'`. */
  readonly value: string;
}

/** Options for `BackgroundWork.disabledByFlag`. */
export interface BackgroundWorkFlagOptions {
  /** Command-line argument that turns the work off, e.g. `--scheduler=false`. */
  readonly flag: string;
  /**
   * Container whose arguments get the flag.
   * @default - the first container (the one that serves traffic)
   */
  readonly container?: string;
}

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * Work a service does on its own rather than for a request (queue consumers, schedulers, cron
 * loops), which a shadow must not run: a shadow that consumes the production queue takes messages
 * away from production and repeats their side effects.
 *
 * A production workload declares its background work by name in the pod annotation
 * `BackgroundWork.ANNOTATION` (comma-separated, e.g. `'order-consumer,reminder-scheduler'`);
 * `ShadowMirror` then refuses to synthesize unless its `backgroundWork` turns off every name
 * listed, with the environment variable or flag the user names here.
 */
export class BackgroundWork {
  /**
   * Pod (or workload) annotation with which a production workload declares its background work:
   * names separated by commas.
   */
  public static readonly ANNOTATION = 'release-strategies.dev/background-work';

  /**
   * Turned off by an environment variable, set in every container of the shadow's pods.
   * @example BackgroundWork.disabledByEnv('order-consumer', { variable: 'ORDER_CONSUMER_ENABLED', value: 'false' })
   */
  public static disabledByEnv(name: string, options: BackgroundWorkEnvOptions): BackgroundWork {
    const where = 'BackgroundWork.disabledByEnv()';
    if (typeof options.variable !== 'string' || !ENV_NAME.test(options.variable)) {
      fail(where, 'variable', "must be an environment variable name (letters, digits, '_', '-' and '.', not starting with a digit)", options.variable);
    }
    if (typeof options.value !== 'string') fail(where, 'value', 'must be a string', options.value);
    return new BackgroundWork(where, name, { variable: options.variable, value: options.value }, undefined);
  }

  /**
   * Turned off by a command-line flag, appended to one container's arguments.
   * @example BackgroundWork.disabledByFlag('reminder-scheduler', { flag: '--scheduler=false' })
   */
  public static disabledByFlag(name: string, options: BackgroundWorkFlagOptions): BackgroundWork {
    const where = 'BackgroundWork.disabledByFlag()';
    if (typeof options.flag !== 'string' || options.flag.trim() === '' || options.flag !== options.flag.trim()) {
      fail(where, 'flag', 'must be a non-empty argument without leading or trailing spaces', options.flag);
    }
    return new BackgroundWork(where, name, undefined, { flag: options.flag, container: options.container });
  }

  /** Name of the work, as the production workload's annotation lists it. */
  public readonly name: string;
  /**
   * The environment variable that turns it off.
   * @default - turned off by a flag
   */
  public readonly env?: BackgroundWorkEnvOptions;
  /**
   * The flag that turns it off.
   * @default - turned off by an environment variable
   */
  public readonly flag?: BackgroundWorkFlagOptions;

  private constructor(where: string, name: string, env: BackgroundWorkEnvOptions | undefined, flag: BackgroundWorkFlagOptions | undefined) {
    if (typeof name !== 'string' || name.length > 63 || !NAME.test(name)) {
      fail(where, 'name', "must be lower-case letters, digits and '-' (at most 63 characters), as listed in the production workload's annotation", name);
    }
    this.name = name;
    this.env = env;
    this.flag = flag;
  }

  /** A short description such as `order-consumer (ORDER_CONSUMER_ENABLED=false)`. */
  public toString(): string {
    return this.env ? `${this.name} (${this.env.variable}=${this.env.value})` : `${this.name} (${this.flag!.flag})`;
  }
}
