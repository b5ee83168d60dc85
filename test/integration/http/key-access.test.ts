/**
 * A restricted key's allowed IPs, at the handler as Lambda invokes it: the address is API
 * Gateway's `requestContext.http.sourceIp`, and no header a client sets changes it.
 */
import { describe, expect, it } from 'vitest';
import { handler as list } from '../../../functions/http/list-verification-sessions';
import { newRestrictedKey, newTestAccount } from '../../support/accounts';
import { httpApiEvent, invoke } from '../../support/events';

const path = '/v1/identity/verification_sessions';

function listFrom(key: string, sourceIp: string, headers: Record<string, string> = {}) {
  const event = httpApiEvent({ method: 'GET', path, secretKey: key, headers });
  event.requestContext.http.sourceIp = sourceIp;
  return invoke(list, event);
}

describe('allowed IPs of a restricted key', () => {
  it('admit requests from an allowed source address and refuse others with 403, whatever the headers say', async () => {
    const { scope } = await newTestAccount();
    const key = await newRestrictedKey(scope, { allowed_ips: ['192.0.2.0/24', '2001:db8::/32'] });
    expect((await listFrom(key, '192.0.2.77')).statusCode).toBe(200);
    expect((await listFrom(key, '2001:db8::5')).statusCode).toBe(200);
    for (const spoofed of [{}, { 'x-forwarded-for': '192.0.2.1' }, { forwarded: 'for=192.0.2.1' }, { 'x-real-ip': '192.0.2.1' }] as Record<
      string,
      string
    >[]) {
      const refused = await listFrom(key, '198.51.100.1', spoofed);
      expect(refused.statusCode).toBe(403);
      expect(refused.body.error).toMatchObject({ type: 'invalid_request_error', code: null });
      expect(refused.body.error.message).toContain('cannot be used from the IP address 198.51.100.1');
    }
    // A key without allowed IPs is used from anywhere.
    expect((await listFrom(await newRestrictedKey(scope), '198.51.100.1')).statusCode).toBe(200);
  });
});
