/**
 * Where a webhook endpoint may point. A live-mode endpoint must be `https` and reach only the
 * public internet: a URL that names or resolves to a loopback, link-local (the cloud metadata
 * service at 169.254.169.254), private, shared, multicast, documentation or otherwise reserved
 * address is refused, so no business can make Verity's delivery worker send requests into the
 * network it runs in (SSRF). A name is resolved with every address it has (`dns.lookup`,
 * `all: true`) and refused if any of them is not public. The check runs when the URL is set and
 * again before every delivery, so a name re-pointed later is caught too; the delivery then
 * connects to the very address checked (functions/webhooks/deliver.ts), so a name cannot resolve
 * one way for the check and another for the connection.
 *
 * Test mode may use any http or https URL, `http://localhost:3000/webhook` included, as Stripe
 * CLI users expect: test endpoints are how a developer's own machine receives events.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { invalidParameter } from '../domain/errors';
import type { Mode } from '../domain/scope';

/** Every address range that is not the public internet (IANA special-purpose registries, IPv4 and IPv6). */
const NON_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // shared address space (carrier-grade NAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local: the instance metadata service
  ['172.16.0.0', 12], // RFC 1918
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16], // RFC 1918
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['::', 96], // IPv4-compatible (deprecated): embeds an IPv4 address of any kind (`::127.0.0.1`)
  ['::ffff:0:0:0', 96], // IPv4-translated (SIIT): embeds an IPv4 address of any kind
  ['64:ff9b::', 96], // NAT64's well-known prefix: reaches an IPv4 address of any kind, private ones in a VPC with NAT64
  ['64:ff9b:1::', 48], // local-use IPv4/IPv6 translation
  ['100::', 64], // discard-only
  ['2001::', 23], // IETF protocol assignments (Teredo, ORCHID, benchmarking…)
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: embeds an IPv4 address of any kind
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

/** Whether an IP address (v4 or v6, as text) is on the public internet. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !NON_PUBLIC.check(address, 'ipv4');
  if (family !== 6) return false;
  // An IPv4-mapped address (`::ffff:a.b.c.d`, or `::ffff:7f00:1` as URLs normalize it) is its IPv4 address.
  const normalized = new URL(`http://[${address}]`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(normalized);
  if (mapped) {
    const [high, low] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
    return isPublicAddress(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
  }
  return !NON_PUBLIC.check(address, 'ipv6');
}

/** Resolves a host name to all of its addresses; `dns.lookup` unless a test gives its own. */
export type Resolver = (hostname: string) => Promise<string[]>;
const dnsResolver: Resolver = async (hostname) => (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);
let replacement: Resolver | undefined;
/** `dns.lookup` with every address, or what a test put in its place (no test depends on the machine's DNS). */
export const systemResolver: Resolver = (hostname) => (replacement ?? dnsResolver)(hostname);
/** Tests only: resolve names with `resolver` (undefined restores `dns.lookup`). */
export function useResolverForTests(resolver: Resolver | undefined): void {
  replacement = resolver;
}

const refused = (message: string) => invalidParameter('url_invalid', message, 'url');

/** The host of a URL as an address or a name: `[::1]` unbracketed, a trailing dot dropped. */
const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');

/**
 * Set (to `1`) by the local runtime only: test-mode endpoints may then be on this machine or its
 * network (`http://localhost:3000/webhook`). Never set in AWS.
 */
export const PRIVATE_ADDRESSES_ALLOWED = 'VERITY_WEBHOOKS_TO_PRIVATE_ADDRESSES';

/**
 * Checks an endpoint URL (already a valid absolute http(s) URL) for the mode, and returns the
 * addresses a delivery may connect to (undefined for a test endpoint under the local runtime: any). Throws 400
 * `url_invalid` with param `url` when it may not be used. A name that does not resolve is refused
 * in live mode (nothing could be delivered to it, and whatever it later resolves to is unchecked),
 * with the same message as a name that resolves to a non-public address: the refusal never says
 * what a name resolves to, or whether it resolves at all.
 */
export async function checkEndpointUrl(text: string, mode: Mode, resolve: Resolver = systemResolver): Promise<string[] | undefined> {
  const url = new URL(text);
  if (url.username || url.password) throw refused('Invalid url: a webhook endpoint URL may not carry a user name or password.');
  // Only a local runtime, on the developer's own machine, may deliver test events to loopback and
  // private addresses; a deployed worker would otherwise reach into its own network for anyone
  // holding a test key (the delivery log would tell them what answered).
  if (mode === 'test' && process.env[PRIVATE_ADDRESSES_ALLOWED] === '1') return undefined;
  if (mode === 'live' && url.protocol !== 'https:') throw refused('Invalid url: a live-mode webhook endpoint must use https.');
  const host = hostOf(url);
  if (isIP(host)) {
    if (!isPublicAddress(host))
      throw refused(`Invalid url: ${host} is not a public internet address; webhooks are only sent to public addresses.`);
    return [host];
  }
  if (host === 'localhost' || host.endsWith('.localhost')) {
    throw refused('Invalid url: localhost is not a public internet address; webhooks are only sent to public addresses.');
  }
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch {
    addresses = [];
  }
  // One answer whether the name resolves to nothing, to a private address or to several kinds:
  // naming the address (or that there is none) would let anyone with a key map the names and
  // addresses of the network Verity runs in, one endpoint at a time.
  if (addresses.length === 0 || !addresses.every(isPublicAddress)) {
    throw refused(
      `Invalid url: the host ${host} does not resolve to public internet addresses only; webhooks are only sent to public addresses.`,
    );
  }
  return addresses;
}
