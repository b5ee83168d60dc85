/** The console's renderers: personal values only on a revealed page, always escaped; a redacted session shows `[redacted]` and no image. */
import { describe, expect, it } from 'vitest';
import { renderSessionPage, type SessionPageView } from '../../../functions/console/render';
import { redactedSession } from '../../../functions/domain/redaction';
import { createVerificationSession } from '../../../functions/domain/verification-session';
import type { ConsoleSession } from '../../../functions/store/console-sessions';

const operator: ConsoleSession = {
  id: 'cs_x',
  scope: { account: 'acct_1', mode: 'test' },
  email: 'ops@example.com',
  role: 'admin',
  created: 0,
  expires: 1,
};
const hostile = '<script>alert(1)</script>';
const session = {
  ...createVerificationSession(
    { type: 'document', client_reference_id: hostile, metadata: { note: 'private-note' } },
    { id: 'vs_0000abcdEFGHijklMNOPqrst', scope: operator.scope, now: new Date(0) },
  ),
  status: 'verified' as const,
  verified_outputs: {
    first_name: 'Jenny',
    last_name: 'Rosen',
    dob: { day: 14, month: 7, year: 1990 },
    address: { line1: '1 Main St', country: 'US' },
  },
};
const view = (overrides: Partial<SessionPageView>): SessionPageView => ({
  operator: { session: operator, csrf: 'csrf' },
  session,
  events: [],
  reports: [],
  revealed: false,
  images: { file_0000abcdEFGHijklMNOPqrst: '/console/files/file_0000abcdEFGHijklMNOPqrst/contents?link=1.x' },
  canReveal: true,
  actions: { cancel: false, redact: true, override: null },
  ...overrides,
});

describe('the session page', () => {
  it('holds no personal value until revealed, and escapes every value once revealed', () => {
    const masked = renderSessionPage(view({}), 'nonce');
    for (const value of ['alert(1)', 'private-note', 'Jenny', 'Rosen', '1990', '1 Main St']) expect(masked).not.toContain(value);
    expect(masked).toContain('nonce="nonce"');
    expect(masked).not.toMatch(/<script/i);
    const revealed = renderSessionPage(view({ revealed: true }), 'nonce');
    expect(revealed).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(revealed).not.toContain(hostile);
    expect(revealed).toContain('1990-07-14');
    expect(revealed).toContain('Jenny');
  });

  it('shows a redacted session’s [redacted] values to every role, and never an image', () => {
    const page = renderSessionPage(
      view({ session: redactedSession(session), revealed: true, actions: { cancel: false, redact: false, override: null } }),
      'nonce',
    );
    expect(page).toContain('[redacted]');
    expect(page).not.toContain('Jenny');
    expect(page).not.toContain('<img');
    expect(page).not.toContain('Redact session');
  });
});

describe('the style sheet', () => {
  it('arrives as CSS, not as escaped text (a quoted font name must stay quoted)', () => {
    const page = renderSessionPage(view({}), 'nonce');
    expect(page).toContain('"Segoe UI"');
    expect(page).not.toContain('&quot;Segoe UI&quot;');
  });
});
