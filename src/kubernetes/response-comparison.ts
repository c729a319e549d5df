import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { checkNumber, checkRange, fail } from '../private/validate';
import { addMrokiComparison, ComparisonBinding, ComparisonContext } from './private/mroki-comparison';

/** Options for `ResponseComparison.mroki`. */
export interface MrokiComparisonOptions {
  /**
   * Containers of the version in production (the known-good code), run twice: as the primary that
   * every response of the shadow is compared with, and as the secondary whose differences from the
   * primary are the noise (timestamps, random ids) to discount. Give them sandbox configuration: they
   * process mirrored requests under the shadow's `sideEffects`, like the shadow itself. The first
   * container serves traffic and needs `portNumber` and a readiness probe.
   */
  readonly baselineContainers: kplus.ContainerProps[];
  /**
   * Response fields left out of the comparison (gjson paths such as `body.requestId`,
   * `headers.Date`, `body.items.#.updatedAt`).
   * @default - every field is compared
   */
  readonly ignoredFields?: string[];
  /**
   * Largest difference between two numbers that still counts as equal.
   * @default 0
   */
  readonly floatTolerance?: number;
  /**
   * Compare arrays as sets: element order is ignored.
   * @default false
   */
  readonly sortArrays?: boolean;
  /**
   * Seconds the comparison waits for the shadow (and the secondary) to answer; a copy that takes
   * longer is not compared.
   * @default 10
   */
  readonly shadowTimeoutSeconds?: number;
  /**
   * Image of the mroki proxy.
   * @default ResponseComparison.MROKI_PROXY_IMAGE
   */
  readonly image?: string;
}

/**
 * How a shadow's responses are compared with production's, so that "the shadow answers like
 * production" becomes a number a `Gate` can require before the new version gets real traffic.
 *
 * The mirrored copies do not go to the shadow directly: they reach a comparison proxy, which sends
 * each one to the shadow (the candidate) and to a copy of the production version (the primary),
 * and compares the two responses. A second proxy in the primary's path sends the same request to a
 * second copy of production (the secondary) and compares primary with secondary: the differences
 * two copies of the same code show are noise, and `ShadowMirror.differenceGate()` subtracts them.
 */
export class ResponseComparison {
  /** The mroki proxy image used by default (its v1.9.0 release). */
  public static readonly MROKI_PROXY_IMAGE = 'ghcr.io/pedrobarco/mroki/mroki-proxy:1.9.0';

  /**
   * Compare with mroki (github.com/pedrobarco/mroki, MIT): two standalone mroki proxies, one
   * comparing candidate with primary, one comparing primary with secondary. Each counts its
   * comparisons in the Prometheus counter `mroki_responses_compared_total{result="match"|"diff"|"error"}`
   * on its admin port 8081 (`/metrics`); the proxies' pods carry the `prometheus.io/scrape`,
   * `prometheus.io/port` and `prometheus.io/path` annotations.
   *
   * mroki adds the header `X-Mroki-Mode: shadow` to the copies it sends to the shadow and to the
   * secondary, and leaves it out of the comparison. Requests the shadow does not answer within
   * `shadowTimeoutSeconds` are not counted as differences: gate the shadow's latency and errors
   * separately if they matter.
   * @see https://github.com/pedrobarco/mroki/blob/main/docs/production/CONFIGURATION.md
   * @example ResponseComparison.mroki({ baselineContainers: [{ image: 'registry.example.com/search:1.9.3', portNumber: 8080, readiness: Probe.fromHttpGet('/ready') }], ignoredFields: ['body.took'] })
   */
  public static mroki(options: MrokiComparisonOptions): ResponseComparison {
    const where = 'ResponseComparison.mroki()';
    if (!Array.isArray(options.baselineContainers) || options.baselineContainers.length === 0) {
      fail(where, 'baselineContainers', 'must have at least one container (the production version)', options.baselineContainers);
    }
    const ignored = options.ignoredFields ?? [];
    if (!Array.isArray(ignored)) fail(where, 'ignoredFields', 'must be a list of gjson paths', ignored);
    ignored.forEach((f, i) => {
      if (typeof f !== 'string' || !/^[^\s,]+$/.test(f)) fail(where, `ignoredFields[${i}]`, 'must be a gjson path without spaces or commas (e.g. body.requestId)', f);
    });
    if (options.floatTolerance !== undefined) checkNumber(where, 'floatTolerance', options.floatTolerance, 0, Number.MAX_SAFE_INTEGER);
    if (options.shadowTimeoutSeconds !== undefined) checkRange(where, 'shadowTimeoutSeconds', options.shadowTimeoutSeconds, 1, 300);
    const image = options.image ?? ResponseComparison.MROKI_PROXY_IMAGE;
    if (typeof image !== 'string' || image.trim() === '' || /\s/.test(image)) fail(where, 'image', 'must be a container image reference', image);
    return new ResponseComparison({ ...options, baselineContainers: [...options.baselineContainers], ignoredFields: [...ignored], image });
  }

  private constructor(private readonly options: MrokiComparisonOptions) {}

  /**
   * Defines the comparison's objects under `scope`. Called once by `ShadowMirror`.
   * @internal
   */
  public _bind(scope: Construct, context: ComparisonContext): ComparisonBinding {
    return addMrokiComparison(scope, context, this.options);
  }
}
