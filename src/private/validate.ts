/**
 * Input checks shared by every construct and value class.
 *
 * Every message has the same shape: `<where>: invalid '<field>': <what is allowed>, got <value>`,
 * where `<where>` is a construct path or, for static factories, the factory's own name. A token
 * (cdk8s `Lazy`, aws-cdk-lib token) fails every check here and prints as `an unresolved token`; fields
 * that accept tokens skip or defer their checks first (see tokens.ts).
 */
import { describeToken, isToken } from './tokens';

/** Renders a value the way error messages quote it. */
export function show(value: unknown): string {
  if (isToken(value)) return describeToken(value);
  if (typeof value === 'string') return `'${value}'`;
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (typeof value === 'object' && value !== null && typeof (value as any).toString === 'function'
    && (value as any).toString !== Object.prototype.toString) {
    return String(value);
  }
  return typeof value === 'object' ? JSON.stringify(value, (_key, v) => (isToken(v) ? describeToken(v) : v)) : String(value);
}

/** The message for a value that is not allowed. */
export function invalid(where: string, field: string, allowed: string, got: unknown): string {
  return `${where}: invalid '${field}': ${allowed}, got ${show(got)}`;
}

/** Throws the message for a value that is not allowed. */
export function fail(where: string, field: string, allowed: string, got: unknown): never {
  throw new Error(invalid(where, field, allowed, got));
}

const FACTORY_REFUSAL = /^[A-Z][A-Za-z0-9]*\.[a-zA-Z0-9]+\(\): invalid '/;

/**
 * Runs `use`, in which the construct at `where` uses a value class (a plan, a gate); a refusal raised
 * there by one of the value class's own factories or methods (`Interval.plus(): invalid 'other': ...`)
 * gets the construct's path and field in front, so the user learns which construct's value was wrong:
 * `<where>: invalid '<field>': Interval.plus(): invalid 'other': ..., got ...`. The factory's message stays whole.
 */
export function withPath<T>(where: string, field: string, use: () => T): T {
  try {
    return use();
  } catch (e) {
    if (e instanceof Error && e.constructor === Error && FACTORY_REFUSAL.test(e.message)) {
      throw new Error(`${where}: invalid '${field}': ${e.message}`);
    }
    throw e;
  }
}

/** A whole number from `min` to `max`, inclusive. */
export function checkRange(where: string, field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max || isToken(value)) {
    fail(where, field, `must be a whole number from ${min} to ${max}`, value);
  }
}

/**
 * A multiple of 0.1 from `min` to `max`, inclusive (a percentage with at most one decimal). Returns the
 * value as the nearest tenth, so that `0.1 + 0.2` reads back as `0.3`; a finer value is refused, never rounded.
 */
export function checkTenths(where: string, field: string, value: number, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || isToken(value) || !isTenths(value)) {
    fail(where, field, `must be a multiple of 0.1 from ${min} to ${max}`, value);
  }
  return Math.round(value * 10) / 10;
}

/** Whether `value` is a multiple of 0.1, allowing for binary floating-point error (`0.1 + 0.2`). */
function isTenths(value: number): boolean {
  return Math.abs(value * 10 - Math.round(value * 10)) < 1e-9;
}

/** A finite number from `min` to `max`, inclusive (fractions allowed). */
export function checkNumber(where: string, field: string, value: number, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || isToken(value)) {
    fail(where, field, `must be a number from ${min} to ${max}`, value);
  }
}

/** A finite number (no NaN or infinity). */
export function checkFinite(where: string, field: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || isToken(value)) fail(where, field, 'must be a finite number', value);
}

/** A string that is not empty (and not only whitespace). */
export function checkNonEmpty(where: string, field: string, value: string): void {
  if (typeof value !== 'string' || value.trim() === '') {
    fail(where, field, 'must be a non-empty string', value);
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A Kubernetes DNS-1123 label: lower-case alphanumerics and '-', at most `max` characters. */
export function checkDnsLabel(where: string, field: string, value: string, max = 63): void {
  if (typeof value !== 'string' || value.length > max || !DNS_LABEL.test(value)) {
    fail(where, field, `must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most ${max} characters)`, value);
  }
}

/** A Kubernetes DNS-1035 label (what Service names are): starts with a letter, at most 63 characters. */
export function checkDns1035Label(where: string, field: string, value: string): void {
  if (typeof value !== 'string' || value.length > 63 || !DNS_1035_LABEL.test(value)) {
    fail(where, field, "must be a DNS-1035 label (lower-case letters, digits and '-', starting with a letter and ending with a letter or digit, at most 63 characters)", value);
  }
}

/**
 * A Kubernetes label or annotation key: a name (at most 63 letters, digits, '-', '_' or '.', starting
 * and ending with a letter or digit), optionally after a DNS-1123 subdomain prefix and '/'.
 */
export function checkQualifiedName(where: string, field: string, key: string): void {
  const parts = typeof key === 'string' ? key.split('/') : [];
  const name = parts[parts.length - 1] ?? '';
  const prefix = parts.length === 2 ? parts[0] : undefined;
  const ok = (parts.length === 1 || parts.length === 2) && name.length <= 63 && QUALIFIED_NAME.test(name)
    && (prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix)));
  if (!ok) {
    fail(where, field, "must have keys that are qualified names (at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit, optionally after a DNS subdomain and '/', e.g. 'example.com/team')", key);
  }
}

/** A Kubernetes DNS-1123 subdomain: labels joined by '.', at most 253 characters. */
export function checkDnsSubdomain(where: string, field: string, value: string): void {
  if (typeof value !== 'string' || value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    fail(where, field, "must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', at most 253 characters)", value);
  }
}

/** No two entries share a key. */
export function checkUnique<T>(where: string, field: string, items: readonly T[], key: (item: T) => string): void {
  const seen = new Set<string>();
  for (const item of items) {
    const k = key(item);
    if (seen.has(k)) fail(where, field, 'must not repeat a name', k);
    seen.add(k);
  }
}
