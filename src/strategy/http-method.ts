/**
 * An HTTP request method a route can match.
 *
 * `GET`, `HEAD` and `OPTIONS` are safe (RFC 9110): they ask for data and change nothing. `POST`,
 * `PUT`, `PATCH` and `DELETE` are writes.
 */
export enum HttpMethod {
  /** Read a resource. Safe. */
  GET = 'GET',
  /** Read a resource's headers. Safe. */
  HEAD = 'HEAD',
  /** Ask what a resource supports (CORS preflight). Safe. */
  OPTIONS = 'OPTIONS',
  /** Create, or process data. A write. */
  POST = 'POST',
  /** Replace a resource. A write. */
  PUT = 'PUT',
  /** Change part of a resource. A write. */
  PATCH = 'PATCH',
  /** Delete a resource. A write. */
  DELETE = 'DELETE',
}
