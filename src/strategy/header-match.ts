import { checkNonEmpty, fail } from '../private/validate';

/** How a header value is compared. */
export enum MatchType {
  /** The whole value equals the given string. */
  EXACT = 'exact',
  /** The value starts with the given string. */
  PREFIX = 'prefix',
  /** The value matches the given regular expression (RE2 syntax, anchored by most routers). */
  REGEX = 'regex',
}

/**
 * A request attribute that sends a request to the new version regardless of weights: a header,
 * or a cookie (matched as a regular expression on the `cookie` header).
 */
export class HeaderMatch {
  /**
   * The header equals `value`.
   * @example HeaderMatch.exact('x-canary', 'insider')
   */
  public static exact(header: string, value: string): HeaderMatch {
    return new HeaderMatch('HeaderMatch.exact()', header, value, MatchType.EXACT);
  }

  /**
   * The header starts with `value`.
   * @example HeaderMatch.prefix('user-agent', 'Mozilla/5.0 (iPhone')
   */
  public static prefix(header: string, value: string): HeaderMatch {
    return new HeaderMatch('HeaderMatch.prefix()', header, value, MatchType.PREFIX);
  }

  /**
   * The header matches the regular expression `pattern`.
   * @example HeaderMatch.regex('x-user-group', '^beta-')
   */
  public static regex(header: string, pattern: string): HeaderMatch {
    const where = 'HeaderMatch.regex()';
    try {
      new RegExp(pattern);
    } catch {
      fail(where, 'pattern', 'must be a valid regular expression', pattern);
    }
    // The routers (Envoy, Go) match with RE2, which has neither lookaround nor back-references.
    if (/\(\?<?[=!]|\\[1-9]|\\k</.test(pattern)) {
      fail(where, 'pattern', 'must be an RE2 regular expression (no lookahead, lookbehind or back-references)', pattern);
    }
    return new HeaderMatch(where, header, pattern, MatchType.REGEX);
  }

  /**
   * The request carries cookie `name` with value `value` (a regular expression on the `cookie` header).
   * @example HeaderMatch.cookie('canary', 'always')
   */
  public static cookie(name: string, value: string): HeaderMatch {
    const where = 'HeaderMatch.cookie()';
    checkNonEmpty(where, 'name', name);
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) fail(where, 'name', 'must be a cookie name (RFC 6265 token)', name);
    checkNonEmpty(where, 'value', value);
    const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new HeaderMatch(where, 'cookie', `^(.*?;\\s*)?(${name}=${escaped})(;.*)?$`, MatchType.REGEX);
  }

  /** Header name, lower case. */
  public readonly header: string;
  /** The string or pattern compared with the header value. */
  public readonly value: string;
  /** How the value is compared. */
  public readonly type: MatchType;

  private constructor(where: string, header: string, value: string, type: MatchType) {
    checkNonEmpty(where, 'header', header);
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(header)) fail(where, 'header', 'must be an HTTP header name', header);
    checkNonEmpty(where, 'value', value);
    this.header = header.toLowerCase();
    this.value = value;
    this.type = type;
  }

  /** A short description such as `x-canary exact 'insider'`. */
  public toString(): string {
    return `${this.header} ${this.type} '${this.value}'`;
  }
}
