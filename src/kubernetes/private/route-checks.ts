import { checkDnsLabel, checkDnsSubdomain, fail } from '../../private/validate';

const HOST = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const IPV4 = /^\d+(\.\d+){3}$/;

/**
 * A DNS host name, lower case, optionally a wildcard (`*.example.com`) when `wildcard` is true; with
 * `noIp`, an IPv4 address (which the host pattern would let through) is refused too.
 */
export function checkHost(where: string, field: string, host: string, wildcard: boolean, noIp = false): void {
  const ok = typeof host === 'string' && host.length <= 253 && HOST.test(host) && (wildcard || !host.startsWith('*.'))
    && !(noIp && IPV4.test(host));
  if (!ok) {
    const allowed = wildcard ? "lower-case DNS name, optionally starting with '*.'" : 'lower-case DNS name, no wildcard';
    fail(where, field, `must be a host name (${allowed}${noIp ? '; no IP addresses' : ''})`, host);
  }
}

/** What a Gateway API route attaches to, as both the traffic router and the mirror router take it. */
export interface GatewayRouteFields {
  readonly gateway: string;
  readonly gatewayNamespace?: string;
  readonly sectionName?: string;
  readonly httpRoute?: string;
  readonly hostnames?: string[];
}

/** The Gateway API parent reference, route name and hostnames (1 to 16, no IP addresses) of an HTTPRoute. */
export function checkGatewayRoute(where: string, options: GatewayRouteFields): void {
  checkDnsSubdomain(where, 'gateway', options.gateway);
  if (options.gatewayNamespace !== undefined) checkDnsLabel(where, 'gatewayNamespace', options.gatewayNamespace);
  if (options.sectionName !== undefined) checkDnsSubdomain(where, 'sectionName', options.sectionName);
  if (options.httpRoute !== undefined) checkDnsSubdomain(where, 'httpRoute', options.httpRoute);
  const hostnames = options.hostnames;
  if (hostnames !== undefined && (!Array.isArray(hostnames) || hostnames.length === 0 || hostnames.length > 16)) {
    fail(where, 'hostnames', 'must list 1 to 16 hostnames when given', hostnames);
  }
  (hostnames ?? []).forEach((h, i) => checkHost(where, `hostnames[${i}]`, h, true, true));
}
