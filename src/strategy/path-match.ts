import { fail } from '../private/validate';

/** How a `PathMatch` compares the request path. */
export enum PathMatchType {
  /** The path equals the value. */
  EXACT = 'exact',
  /** The path starts with the value, segment by segment (`/api` matches `/api` and `/api/x`, not `/apix`). */
  PREFIX = 'prefix',
}

/**
 * A request path a route matches: exactly, or by prefix. Regular expressions are left out on
 * purpose: Gateway API leaves their support and precedence to each implementation.
 */
export class PathMatch {
  /**
   * The path equals `path`.
   * @example PathMatch.exact('/v1/search')
   */
  public static exact(path: string): PathMatch {
    return new PathMatch('PathMatch.exact()', path, PathMatchType.EXACT);
  }

  /**
   * The path is `path` or lies under it (`/api` matches `/api` and `/api/orders`).
   * @example PathMatch.prefix('/v1/quotes')
   */
  public static prefix(path: string): PathMatch {
    return new PathMatch('PathMatch.prefix()', path, PathMatchType.PREFIX);
  }

  /** The path or prefix, starting with '/'. */
  public readonly path: string;
  /** How the path is compared. */
  public readonly type: PathMatchType;

  private constructor(where: string, path: string, type: PathMatchType) {
    // The path rules every router accepts: Gateway API's Exact/PathPrefix validations are the strictest.
    const ok = typeof path === 'string' && path.length <= 1024 && /^\/(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})*$/.test(path)
      && !path.includes('//') && !/\/\.\.?(\/|$)/.test(path) && !/%2f/i.test(path)
      && !(type === PathMatchType.PREFIX && path.length > 1 && path.endsWith('/'));
    if (!ok) {
      fail(where, 'path', "must be a URL path starting with '/' (at most 1024 characters; no '//', '/./', '/../' or '%2f'; a prefix does not end with '/')", path);
    }
    this.path = path;
    this.type = type;
  }

  /** A short description such as `prefix '/api'`. */
  public toString(): string {
    return `${this.type} '${this.path}'`;
  }
}
