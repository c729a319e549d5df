/**
 * CIDR parsing and range arithmetic for NetworkPolicy `ipBlock`s (IPv4 and IPv6), used to decide
 * whether an allowed egress range can reach a production range.
 */
import { isIPv4, isIPv6 } from 'net';

/** An address range: every address from `start` to `end` inclusive, in one address family. */
export interface IpRange {
  readonly family: 4 | 6;
  readonly start: bigint;
  readonly end: bigint;
  /** Prefix length of the CIDR it was parsed from. */
  readonly prefix: number;
  /** Whether the address part had no host bits set (`10.0.0.0/8`, not `10.0.0.1/8`). */
  readonly canonical: boolean;
}

function ipv4ToBigInt(text: string): bigint | undefined {
  if (!isIPv4(text)) return undefined;
  const parts = text.split('.');
  // Leading zeros are ambiguous (octal in some parsers) and refused by the API server.
  if (parts.some((p) => p.length > 1 && p.startsWith('0'))) return undefined;
  return parts.reduce((acc, p) => acc * 256n + BigInt(Number(p)), 0n);
}

function ipv6ToBigInt(text: string): bigint | undefined {
  if (!isIPv6(text) || text.includes('%')) return undefined;
  let head = text;
  let tailV4: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    tailV4 = ipv4ToBigInt(last);
    if (tailV4 === undefined) return undefined;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const leftGroups = left === '' ? [] : left.split(':');
  const rightGroups = right === undefined || right === '' ? [] : right.split(':');
  const missing = 8 - leftGroups.length - rightGroups.length;
  const groups = right === undefined ? leftGroups : [...leftGroups, ...Array(missing).fill('0'), ...rightGroups];
  if (groups.length !== 8) return undefined;
  let value = groups.reduce((acc, g) => acc * 65536n + BigInt(parseInt(g, 16)), 0n);
  // The dotted tail replaced the last two groups with zeros; add it back.
  if (tailV4 !== undefined) value += tailV4;
  return value;
}

/** Parses `a.b.c.d/n` or an IPv6 CIDR; undefined when it is not one. */
export function parseCidr(text: string): IpRange | undefined {
  if (typeof text !== 'string') return undefined;
  const match = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!match) return undefined;
  const prefix = Number(match[2]);
  const v4 = ipv4ToBigInt(match[1]);
  const family: 4 | 6 | undefined = v4 !== undefined ? 4 : (isIPv6(match[1]) ? 6 : undefined);
  if (family === undefined) return undefined;
  const address = v4 ?? ipv6ToBigInt(match[1]);
  if (address === undefined) return undefined;
  const bits = family === 4 ? 32 : 128;
  if (prefix > bits || (match[2].length > 1 && match[2].startsWith('0'))) return undefined;
  const size = 2n ** BigInt(bits - prefix);
  const start = (address / size) * size;
  const end = start + size - 1n;
  return { family, start, end, prefix, canonical: start === address };
}

/** Whether `inner` lies entirely within `outer`. */
export function contains(outer: IpRange, inner: IpRange): boolean {
  return outer.family === inner.family && outer.start <= inner.start && inner.end <= outer.end;
}

/**
 * Whether some address is in `a` but none of `aExcept`, and also in `b` but none of `bExcept`
 * (the addresses two `ipBlock`s both select).
 */
export function rangesOverlap(a: IpRange, aExcept: IpRange[], b: IpRange, bExcept: IpRange[]): boolean {
  if (a.family !== b.family) return false;
  const start = a.start > b.start ? a.start : b.start;
  const end = a.end < b.end ? a.end : b.end;
  if (start > end) return false;
  const holes = [...aExcept, ...bExcept]
    .filter((h) => h.family === a.family && h.end >= start && h.start <= end)
    .sort((x, y) => (x.start < y.start ? -1 : x.start > y.start ? 1 : 0));
  // Walk the holes in order; the first address no hole covers is common to both blocks.
  let next = start;
  for (const hole of holes) {
    if (hole.start > next) return true;
    if (hole.end >= next) next = hole.end + 1n;
    if (next > end) return false;
  }
  return next <= end;
}
