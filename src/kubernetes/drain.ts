import { Duration } from 'cdk8s';
import { checkRange, fail } from '../private/validate';

/** Options every `Drain` takes. */
export interface DrainOptions {
  /**
   * Time Kubernetes gives a pod to stop, counted from the start of the preStop hook; after it the pod is killed.
   * @default Duration.seconds(30)
   */
  readonly terminationGracePeriod?: Duration;
}

/**
 * How a pod stops without dropping requests: a preStop hook that lets endpoints, proxies and load
 * balancers stop sending traffic before the container gets SIGTERM, within a termination grace period.
 *
 * @see https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/
 */
export class Drain {
  /**
   * Sleep `duration` before SIGTERM. The image must have a `sleep` binary; use `Drain.command()` or
   * `Drain.httpGet()` for images without one.
   * @example Drain.sleep(Duration.seconds(10))
   */
  public static sleep(duration: Duration, options: DrainOptions = {}): Drain {
    const seconds = duration.toSeconds();
    checkRange('Drain.sleep()', 'duration', seconds, 1, 3600);
    return new Drain('Drain.sleep()', ['sleep', String(seconds)], undefined, seconds, options);
  }

  /**
   * Run `command` in the container before SIGTERM.
   * @example Drain.command(['/bin/drain', '--wait=10s'])
   */
  public static command(command: string[], options: DrainOptions = {}): Drain {
    if (!command || command.length === 0) fail('Drain.command()', 'command', 'must have at least one element', command);
    return new Drain('Drain.command()', [...command], undefined, 0, options);
  }

  /**
   * Call `path` on the serving container's port before SIGTERM (the application starts draining).
   * @example Drain.httpGet('/drain')
   */
  public static httpGet(path: string, options: DrainOptions = {}): Drain {
    if (typeof path !== 'string' || !path.startsWith('/')) fail('Drain.httpGet()', 'path', "must start with '/'", path);
    return new Drain('Drain.httpGet()', undefined, path, 0, options);
  }

  /**
   * No preStop hook: the container gets SIGTERM while endpoints may still send it traffic. An explicit opt-out.
   */
  public static none(options: DrainOptions = {}): Drain {
    return new Drain('Drain.none()', undefined, undefined, 0, options);
  }

  /**
   * Command of the preStop hook.
   * @default - no command hook
   */
  public readonly preStopCommand?: string[];
  /**
   * Path of the preStop HTTP hook, on the serving container's port.
   * @default - no HTTP hook
   */
  public readonly preStopHttpPath?: string;
  /** Seconds Kubernetes waits for the pod to stop. */
  public readonly terminationGracePeriodSeconds: number;

  private constructor(where: string, command: string[] | undefined, path: string | undefined, sleepSeconds: number, options: DrainOptions) {
    const grace = options.terminationGracePeriod?.toSeconds() ?? 30;
    checkRange(where, 'terminationGracePeriod', grace, 0, 86400);
    if (sleepSeconds > 0 && grace <= sleepSeconds) {
      fail(where, 'terminationGracePeriod', `must be longer than the preStop sleep (${sleepSeconds}s) so the process still gets SIGTERM before it is killed`, `${grace}s`);
    }
    this.preStopCommand = command;
    this.preStopHttpPath = path;
    this.terminationGracePeriodSeconds = grace;
  }
}
