import { afterEach, describe, expect, it } from 'vitest';
import {
  cancelVerificationSession,
  redactVerificationSession,
  type SessionStatus,
  type VerificationSession,
} from '../../../functions/domain/verification-session';
import { firstCredentials } from '../../../functions/domain/session-credentials';
import { resolveExpand } from '../../../functions/wire/expand';
import { renderVerificationSession, VERIFICATION_SESSION_EXPANDABLE } from '../../../functions/wire/verification-session';

const NONE: ReadonlySet<string> = new Set();

function session(overrides: Partial<VerificationSession> = {}): VerificationSession {
  return {
    id: 'vs_0000abcdEFGHijklMNOPqrst',
    account: 'acct_test123',
    mode: 'test',
    created: 1_700_000_000,
    status: 'requires_input',
    type: 'document',
    client_reference_id: 'user_42',
    metadata: { plan: 'pro' },
    options: { document: { require_matching_selfie: true } },
    provided_details: { email: 'a+b@example.com', phone: null },
    related_customer: 'cus_1',
    related_customer_account: null,
    related_person: { account: 'acct_p', person: 'person_1' },
    return_url: 'https://example.com/done',
    last_error: null,
    last_verification_report: null,
    verified_outputs: null,
    redaction: null,
    credentials: firstCredentials(new Date()),
    submission: null,
    redaction_due: null,
    ...overrides,
  };
}

const VERIFIED_OUTPUTS = {
  first_name: 'Jenny',
  last_name: 'Rosen',
  address: { line1: '1234 Main St.', city: 'San Francisco', state: 'CA', postal_code: '94111', country: 'US' },
  id_number_type: null,
  dob: { day: 1, month: 2, year: 1990 },
  id_number: '1234',
  sex: 'female',
  unparsed_place_of_birth: 'Berlin',
  unparsed_sex: 'F',
};

const originalEnv = { secret: process.env.VERITY_SIGNING_SECRET, url: process.env.VERITY_PUBLIC_URL };
afterEach(() => {
  if (originalEnv.secret === undefined) delete process.env.VERITY_SIGNING_SECRET;
  else process.env.VERITY_SIGNING_SECRET = originalEnv.secret;
  if (originalEnv.url === undefined) delete process.env.VERITY_PUBLIC_URL;
  else process.env.VERITY_PUBLIC_URL = originalEnv.url;
});

describe('renderVerificationSession', () => {
  it('renders the documented fields of a session', () => {
    const rendered = renderVerificationSession(session(), NONE);
    expect(rendered).toMatchObject({
      id: 'vs_0000abcdEFGHijklMNOPqrst',
      object: 'identity.verification_session',
      client_reference_id: 'user_42',
      created: 1_700_000_000,
      last_error: null,
      last_verification_report: null,
      livemode: false,
      metadata: { plan: 'pro' },
      options: { document: { require_matching_selfie: true } },
      redaction: null,
      related_customer: 'cus_1',
      related_customer_account: null,
      related_person: { account: 'acct_p', person: 'person_1' },
      status: 'requires_input',
      type: 'document',
    });
    expect(typeof rendered.client_secret).toBe('string');
    expect(typeof rendered.url).toBe('string');
  });

  it('does not show internal fields', () => {
    const rendered = renderVerificationSession(session(), NONE) as Record<string, unknown>;
    expect(rendered).not.toHaveProperty('account');
    expect(rendered).not.toHaveProperty('mode');
    expect(JSON.stringify(rendered)).not.toContain('"return_url"');
  });

  it('derives livemode from the mode', () => {
    expect(renderVerificationSession(session({ mode: 'test' }), NONE).livemode).toBe(false);
    expect(renderVerificationSession(session({ mode: 'live' }), NONE).livemode).toBe(true);
  });

  describe('client_secret and url', () => {
    it('are present while the session waits for input', () => {
      const { client_secret, url } = renderVerificationSession(session(), NONE);
      expect(client_secret).toMatch(/^vs_0000abcdEFGHijklMNOPqrst_secret_test_[A-Za-z0-9_-]+[0-9a-f]{40}$/);
      expect(url).toMatch(/^http:\/\/verity\.test\/start\/test_[A-Za-z0-9_-]+$/);
    });

    it('say live in live mode and carry no test_ marker in the url', () => {
      const { client_secret, url } = renderVerificationSession(session({ mode: 'live' }), NONE);
      expect(client_secret).toMatch(/_secret_live_/);
      expect(url).toMatch(/^http:\/\/verity\.test\/start\/[A-Za-z0-9_-]+$/);
      expect(url).not.toMatch(/\/start\/test_/);
    });

    it.each(['processing', 'verified', 'canceled'] as SessionStatus[])('are null when the status is %s', (status) => {
      const rendered = renderVerificationSession(session({ status }), NONE);
      expect(rendered.client_secret).toBeNull();
      expect(rendered.url).toBeNull();
    });

    it.each(['processing', 'redacted'] as const)('are null for a session waiting for input whose redaction is %s', (redactionStatus) => {
      const rendered = renderVerificationSession(session({ redaction: { status: redactionStatus } }), NONE);
      expect(rendered.client_secret).toBeNull();
      expect(rendered.url).toBeNull();
    });

    it('are null after cancel and after redact', () => {
      expect(renderVerificationSession(cancelVerificationSession(session()), NONE)).toMatchObject({
        client_secret: null,
        url: null,
        status: 'canceled',
      });
      expect(renderVerificationSession(redactVerificationSession(session(), new Date(0)), NONE)).toMatchObject({
        client_secret: null,
        url: null,
        status: 'canceled',
        redaction: { status: 'processing' },
      });
    });

    it('are stable for one session and differ between sessions, accounts and modes', () => {
      const base = renderVerificationSession(session(), NONE);
      expect(renderVerificationSession(session(), NONE)).toMatchObject({ client_secret: base.client_secret, url: base.url });
      for (const other of [session({ id: 'vs_0000abcdEFGHijklMNOPqrsu' }), session({ account: 'acct_other' }), session({ mode: 'live' })]) {
        const rendered = renderVerificationSession(other, NONE);
        expect(rendered.client_secret).not.toBe(base.client_secret);
        expect(rendered.url).not.toBe(base.url);
      }
    });

    it('depend on the signing secret and never contain it', () => {
      const base = renderVerificationSession(session(), NONE);
      const secret = process.env.VERITY_SIGNING_SECRET!;
      expect(base.client_secret).not.toContain(secret);
      expect(base.url).not.toContain(secret);
      process.env.VERITY_SIGNING_SECRET = 'another-signing-secret-that-is-long-enough-0123';
      const rotated = renderVerificationSession(session(), NONE);
      expect(rotated.client_secret).not.toBe(base.client_secret);
      expect(rotated.url).not.toBe(base.url);
    });

    it('refuse to be made with a missing or short signing secret', () => {
      process.env.VERITY_SIGNING_SECRET = 'short';
      expect(() => renderVerificationSession(session(), NONE)).toThrow(/VERITY_SIGNING_SECRET/);
      delete process.env.VERITY_SIGNING_SECRET;
      expect(() => renderVerificationSession(session(), NONE)).toThrow(/VERITY_SIGNING_SECRET/);
    });

    it('use the public url without a trailing slash', () => {
      process.env.VERITY_PUBLIC_URL = 'https://verify.example.com/';
      expect(renderVerificationSession(session(), NONE).url).toMatch(/^https:\/\/verify\.example\.com\/start\/test_/);
    });
  });

  describe('provided_details', () => {
    it('is absent unless expanded', () => {
      expect(renderVerificationSession(session(), NONE)).not.toHaveProperty('provided_details');
      expect(renderVerificationSession(session(), new Set(['verified_outputs']))).not.toHaveProperty('provided_details');
    });

    it('is present when expanded, including when null', () => {
      const expand = resolveExpand(['provided_details'], VERIFICATION_SESSION_EXPANDABLE);
      expect(renderVerificationSession(session(), expand).provided_details).toEqual({ email: 'a+b@example.com', phone: null });
      const empty = renderVerificationSession(session({ provided_details: null }), expand);
      expect(empty).toHaveProperty('provided_details');
      expect(empty.provided_details).toBeNull();
    });
  });

  describe('verified_outputs', () => {
    const verified = () => session({ status: 'verified', verified_outputs: structuredClone(VERIFIED_OUTPUTS) });

    it('is absent unless expanded', () => {
      expect(renderVerificationSession(verified(), NONE)).not.toHaveProperty('verified_outputs');
      expect(renderVerificationSession(verified(), new Set(['provided_details']))).not.toHaveProperty('verified_outputs');
    });

    it('is null when expanded on a session without outputs', () => {
      const rendered = renderVerificationSession(session(), new Set(['verified_outputs']));
      expect(rendered).toHaveProperty('verified_outputs');
      expect(rendered.verified_outputs).toBeNull();
    });

    it('leaves out the sensitive fields unless each is expanded', () => {
      const rendered = renderVerificationSession(verified(), resolveExpand(['verified_outputs'], VERIFICATION_SESSION_EXPANDABLE));
      expect(rendered.verified_outputs).toEqual({
        first_name: 'Jenny',
        last_name: 'Rosen',
        address: VERIFIED_OUTPUTS.address,
        id_number_type: null,
      });
    });

    it('includes exactly the sensitive fields that are expanded', () => {
      const expand = resolveExpand(['verified_outputs.dob', 'verified_outputs.unparsed_sex'], VERIFICATION_SESSION_EXPANDABLE);
      const outputs = renderVerificationSession(verified(), expand).verified_outputs as Record<string, unknown>;
      expect(outputs.dob).toEqual({ day: 1, month: 2, year: 1990 });
      expect(outputs.unparsed_sex).toBe('F');
      expect(outputs).not.toHaveProperty('id_number');
      expect(outputs).not.toHaveProperty('sex');
      expect(outputs).not.toHaveProperty('unparsed_place_of_birth');
      expect(outputs.first_name).toBe('Jenny');
    });

    it('includes every sensitive field when all are expanded', () => {
      const expand = resolveExpand(
        VERIFICATION_SESSION_EXPANDABLE.filter((path) => path.startsWith('verified_outputs.')),
        VERIFICATION_SESSION_EXPANDABLE,
      );
      expect(renderVerificationSession(verified(), expand).verified_outputs).toEqual(VERIFIED_OUTPUTS);
    });

    it('does not change the session it renders', () => {
      const source = verified();
      renderVerificationSession(source, new Set(['verified_outputs']));
      expect(source.verified_outputs).toEqual(VERIFIED_OUTPUTS);
    });
  });
});
