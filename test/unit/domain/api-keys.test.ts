/** Restricted keys' rules, pure: permissions, allowed IPs, sensitive results and their 48 hours. */
import { describe, expect, it } from 'vitest';
import {
  apiKeyKind,
  checkKeyAccess,
  checkSensitiveResultsAge,
  checkSensitiveResultsKey,
  ipAllowed,
  KEY_RESOURCES,
  parseIpRange,
  restrictedKeyGrant,
  type KeyGrant,
} from '../../../functions/domain/api-keys';
import { routes } from '../../../functions/routes';
import { thrown } from '../../support/thrown';

const key = 'rk_test_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKL';
const request = (grant: KeyGrant, sourceIp = '198.51.100.7') => ({ key, account: 'acct_1', grant, sourceIp });
const restricted = (options: Parameters<typeof restrictedKeyGrant>[0] = {}): KeyGrant => ({
  type: 'restricted',
  ...restrictedKeyGrant(options),
});
const now = new Date('2026-06-01T12:00:00Z');
const secondsAgo = (seconds: number) => Math.floor(now.getTime() / 1000) - seconds;

describe('restricted keys', () => {
  it('tell secret, restricted and publishable keys by their prefix', () => {
    expect(apiKeyKind('sk_live_abc')).toEqual({ type: 'secret', mode: 'live' });
    expect(apiKeyKind('rk_test_abc')).toEqual({ type: 'restricted', mode: 'test' });
    expect(apiKeyKind('pk_test_abc')).toEqual({ type: 'publishable', mode: 'test' });
    for (const other of ['pk_prod_abc', 'rk_prod_abc', 'rk_test_', 'rk_test_a-b']) expect(apiKeyKind(other), other).toBeUndefined();
  });

  it('are read-only and see nothing sensitive unless given more', () => {
    const grant = restrictedKeyGrant({});
    expect(grant).toEqual({
      permissions: Object.fromEntries(KEY_RESOURCES.map((r) => [r, 'read'])),
      sensitive_results: false,
      allowed_ips: [],
    });
  });

  it("may do what their permission allows on the route's resource, write including read, and nothing on a route that declares none", () => {
    const grant = restricted({ permissions: { verification_sessions: 'write', events: 'none' } });
    expect(() => checkKeyAccess(request(grant), { resource: 'verification_sessions', access: 'read' })).not.toThrow();
    expect(() => checkKeyAccess(request(grant), { resource: 'verification_sessions', access: 'write' })).not.toThrow();
    expect(() => checkKeyAccess(request(grant), { resource: 'files', access: 'read' })).not.toThrow();
    const write = thrown(() => checkKeyAccess(request(grant), { resource: 'files', access: 'write' }));
    expect(write).toMatchObject({ kind: 'permission' });
    expect(write.message).toBe(
      "The provided key 'rk_test_********************IJKL' does not have the required permissions for this endpoint on account " +
        "'acct_1'. Having the 'files_write' permission would allow this request to continue.",
    );
    expect(thrown(() => checkKeyAccess(request(grant), { resource: 'events', access: 'read' })).message).toContain("'events_read'");
    expect(thrown(() => checkKeyAccess(request(grant), undefined)).kind).toBe('permission');
    expect(() => checkKeyAccess(request({ type: 'secret' }), undefined)).not.toThrow();
  });

  it('with allowed IPs are refused from every other address, IPv4 and IPv6', () => {
    const grant = restricted({ allowed_ips: ['203.0.113.0/24', '2001:db8::/32', '198.51.100.9'] });
    for (const allowed of ['203.0.113.1', '203.0.113.255', '2001:db8::1', '198.51.100.9', '::ffff:203.0.113.4']) {
      expect(() => checkKeyAccess(request(grant, allowed), { resource: 'events', access: 'read' }), allowed).not.toThrow();
    }
    for (const refused of ['203.0.114.1', '198.51.100.10', '2001:db9::1', '127.0.0.1', 'not an address', '']) {
      const error = thrown(() => checkKeyAccess(request(grant, refused), { resource: 'events', access: 'read' }));
      expect(error.kind, refused).toBe('permission');
      expect(error.message).toContain('restricted to its allowed IP addresses');
    }
    expect(ipAllowed(restrictedKeyGrant({}), 'anything')).toBe(true);
  });

  it('take allowed IPs as addresses or CIDR ranges, and refuse anything else', () => {
    expect(parseIpRange(' 10.0.0.0/8 ')).toBe('10.0.0.0/8');
    expect(parseIpRange('::1')).toBe('::1');
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0', 'example.com', '10.0.0.0/8/1', '10.0.0.0/x', '']) {
      expect(
        thrown(() => parseIpRange(bad)),
        bad,
      ).toMatchObject({ kind: 'invalid_parameter', param: 'allowed_ips' });
    }
  });
});

describe('sensitive verification results', () => {
  it('are refused to a secret key with a message that says a restricted key is needed', () => {
    const error = thrown(() => checkSensitiveResultsKey(request({ type: 'secret' }), 'document.dob'));
    expect(error).toMatchObject({ kind: 'permission', code: 'restricted_key_required', param: 'expand' });
    expect(error.message).toBe(
      'Sensitive verification results (document.dob) can only be read with a restricted API key (rk_...) that has the sensitive results ' +
        'permission; a secret key cannot read them. Make one with: npx verity keys create --restricted --sensitive-results (npm run ' +
        'keys -- create --restricted --sensitive-results in a clone of Verity)',
    );
  });

  it('are refused to a restricted key without the permission, naming it', () => {
    expect(thrown(() => checkSensitiveResultsKey(request(restricted()), 'document.dob')).message).toContain(
      "'sensitive_verification_results_read'",
    );
    expect(() => checkSensitiveResultsKey(request(restricted({ sensitive_results: true })), 'document.dob')).not.toThrow();
  });

  it('are readable for 48 hours after processing, or always by an IP-restricted key', () => {
    const plain = restricted({ sensitive_results: true });
    expect(() => checkSensitiveResultsAge(plain, secondsAgo(48 * 3600), now)).not.toThrow();
    expect(thrown(() => checkSensitiveResultsAge(plain, secondsAgo(48 * 3600 + 1), now))).toMatchObject({
      kind: 'permission',
      param: 'expand',
    });
    const ipRestricted = restricted({ sensitive_results: true, allowed_ips: ['192.0.2.0/24'] });
    expect(() => checkSensitiveResultsAge(ipRestricted, secondsAgo(365 * 86400), now)).not.toThrow();
  });
});

describe('the route table', () => {
  it('declares the permission every authenticated route needs, and none on the others', () => {
    for (const route of routes) {
      // The console's audit log is for secret keys only, on purpose: no restricted-key permission names it.
      if (route.secretKeysOnly) expect([route.authenticated, route.permission], route.name).toEqual([true, undefined]);
      else if (route.authenticated)
        expect(route.permission, route.name).toMatchObject({
          resource: expect.any(String),
          access: expect.stringMatching(/^(read|write)$/),
        });
      else expect(route.permission, route.name).toBeUndefined();
      if (route.permission && route.routeKey.startsWith('GET ')) expect(route.permission.access, route.name).toBe('read');
      if (route.permission && !route.routeKey.startsWith('GET ')) expect(route.permission.access, route.name).toBe('write');
    }
    expect(routes.filter((route) => route.routeKey.includes('/v1/webhook_endpoints')).map((route) => route.permission!.resource)).toEqual(
      expect.arrayContaining(['webhook_endpoints']),
    );
  });
});
