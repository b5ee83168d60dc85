/**
 * Who may see the verification page, and what it shows them. A person arrives with the session's
 * `url` (or a `client_secret`), which is spent when they accept; from then on a short-lived,
 * signed cookie lets that browser go on with the same session, and nothing else does.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { checksFor } from '../checks';
import { credentialUsable, type CredentialKind } from '../domain/session-credentials';
import { checksOf, collectsIdNumber, FAILURES, type TestCase } from '../domain/verification-checks';
import { DOCUMENT_TYPES, type VerificationSession } from '../domain/verification-session';
import { getSession, type StoredSession } from '../store/sessions';
import { claimedSession, isCurrentCredential, publicUrl, signingSecret } from '../wire/session-secrets';
import type { PageRequirements, PageView, TestCaseOption } from './view';

export const PAGE_COOKIE = 'verity_page';
/** How long a browser may go on after accepting, before the person must ask for a new link. */
const PAGE_SESSION_SECONDS = 60 * 60;
/** Test mode's "with a processing delay": `VERITY_TEST_PROCESSING_DELAY_SECONDS`, 10 unless set (at most 60). */
export const testDelaySeconds = () => Math.min(60, Math.max(1, Number(process.env.VERITY_TEST_PROCESSING_DELAY_SECONDS ?? 10) || 10));

export interface PageAccess {
  stored: StoredSession;
  session: VerificationSession;
  kind: CredentialKind;
  /** The presented token is the session's current credential and may still be spent. */
  tokenUsable: boolean;
  /** This browser accepted with the token's credential, within the hour. */
  cookieValid: boolean;
  /**
   * …and the attempt it accepted for is still the session's current one: no submission has been
   * concluded since. Only then may it submit; afterwards it only sees that it is done.
   */
  cookieAttemptCurrent: boolean;
}

export async function pageAccess(token: string, cookies: string[] | undefined, now: Date): Promise<PageAccess | undefined> {
  const claimed = claimedSession(token);
  if (!claimed) return undefined;
  const stored = await getSession(claimed.scope, claimed.id);
  if (!stored) return undefined;
  const { session } = stored;
  const cookie = cookieValue(cookies);
  const attempt = cookie === undefined ? undefined : pageCookieAttempt(session, claimed.kind, cookie, now);
  return {
    stored,
    session,
    kind: claimed.kind,
    tokenUsable: isCurrentCredential(session, claimed.kind, token) && credentialUsable(session, claimed.kind, now),
    cookieValid: attempt !== undefined,
    cookieAttemptCurrent: attempt !== undefined && attempt === attemptOf(session),
  };
}

/** Which attempt a session is on: named by the last report, which each concluded submission replaces. */
const attemptOf = (session: VerificationSession) => session.last_verification_report ?? '-';

/** The cookie that lets this browser go on, bound to the credential generation it spent and to the attempt. */
export function pageCookie(session: VerificationSession, kind: CredentialKind, token: string, now: Date): string {
  const expires = Math.floor(now.getTime() / 1000) + PAGE_SESSION_SECONDS;
  const generation = session.credentials[kind].generation;
  const attempt = attemptOf(session);
  const value = `${generation}.${expires}.${attempt}.${cookieTag(session, kind, generation, expires, attempt)}`;
  const secure = publicUrl().startsWith('https:') ? '; Secure' : '';
  return `${PAGE_COOKIE}=${value}; Path=${pagePath(token)}; Max-Age=${PAGE_SESSION_SECONDS}; HttpOnly; SameSite=Strict${secure}`;
}

/** The attempt a genuine, unexpired cookie was issued for; undefined for any other cookie. */
function pageCookieAttempt(session: VerificationSession, kind: CredentialKind, value: string, now: Date): string | undefined {
  const match = /^(\d{1,9})\.(\d{1,12})\.(-|vr_[0-9A-Za-z]{24})\.([0-9a-f]{64})$/.exec(value);
  if (!match) return undefined;
  const [generation, expires, attempt] = [Number(match[1]), Number(match[2]), match[3]!];
  if (expires <= now.getTime() / 1000) return undefined;
  const expected = Buffer.from(cookieTag(session, kind, generation, expires, attempt));
  return timingSafeEqual(expected, Buffer.from(match[4]!)) ? attempt : undefined;
}

function cookieTag(session: VerificationSession, kind: CredentialKind, generation: number, expires: number, attempt: string): string {
  return createHmac('sha256', signingSecret())
    .update(`page:${kind}:${session.account}:${session.mode}:${session.id}:${generation}:${expires}:${attempt}`)
    .digest('hex');
}

function cookieValue(cookies: string[] | undefined): string | undefined {
  for (const cookie of cookies ?? []) {
    const [name, ...rest] = cookie.trim().split('=');
    if (name === PAGE_COOKIE) return rest.join('=');
  }
  return undefined;
}

/** The page's path for a token, on whatever host serves it. */
export const pagePath = (token: string) => `/start/${token}`;
export const pageUrl = (token: string) => `${publicUrl()}${pagePath(token)}`;

/** Who asks, in plain words: the host the person will return to, if the business gave one. */
export function businessName(session: VerificationSession): string {
  if (session.return_url) {
    try {
      return new URL(session.return_url).hostname;
    } catch {
      // A stored return_url was checked on create; this is only a fallback.
    }
  }
  return 'The business that sent you here';
}

export function requirementsOf(session: VerificationSession): PageRequirements {
  const checks = checksOf(session);
  const document = checks.includes('document');
  const options = session.options.document ?? {};
  return {
    sessionType: session.type,
    documentTypes: document ? (options.allowed_types?.length ? [...options.allowed_types] : [...DOCUMENT_TYPES]) : [],
    document,
    selfie: checks.includes('selfie'),
    idNumber: collectsIdNumber(session),
    liveCapture: document && options.require_live_capture === true,
  };
}

/** Test mode's outcomes for this session: verified, each failure of a check it runs, and the person's own. */
export function testCasesFor(session: VerificationSession): TestCaseOption[] {
  if (session.mode !== 'test') return [];
  const checks: string[] = ['session', ...checksOf(session)];
  const failures = (Object.entries(FAILURES) as [TestCase, { check: string; reason: string }][]).filter(([, failure]) =>
    checks.includes(failure.check),
  );
  return [
    { id: 'verified', label: 'Verified', description: 'Every check passes; the session becomes verified with sample data.' },
    ...failures.map(([id, failure]) => ({ id, label: labelOf(id), description: `${failure.reason} The session asks for input again.` })),
  ];
}

const labelOf = (code: string) => {
  const words = code.replace(/_/g, ' ').replace(/^id /, 'ID ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** What a browser sees at the page's address. */
export function viewFor(access: PageAccess | undefined, token: string): PageView {
  const base = access ? { business: businessName(access.session), mode: access.session.mode } : { business: 'The business that sent you here', mode: 'live' as const };
  if (!access) return { ...base, kind: 'unavailable', reason: 'link_expired', returnUrl: null };
  const { session } = access;
  const returnUrl = session.return_url;
  const closed = session.status === 'canceled' || session.redaction !== null;
  if (closed) return { ...base, kind: 'unavailable', reason: 'session_closed', returnUrl };
  // This browser's attempt is over (processing, or concluded since): it may only see that it is done.
  if (access.cookieValid && (session.status !== 'requires_input' || !access.cookieAttemptCurrent)) {
    return { ...base, kind: 'finished', outcome: 'submitted', returnUrl };
  }
  if (!access.cookieValid && !access.tokenUsable) return { ...base, kind: 'unavailable', reason: 'link_expired', returnUrl };
  if (!checksFor(session.mode)) return { ...base, kind: 'unavailable', reason: 'live_checks_unavailable', returnUrl };
  const requirements = requirementsOf(session);
  if (!access.cookieValid) return { ...base, kind: 'consent', requirements, formAction: pagePath(token) };
  return {
    ...base,
    kind: 'capture',
    requirements,
    submitUrl: `${pagePath(token)}/submit`,
    testCases: testCasesFor(session),
    delaySeconds: testDelaySeconds(),
  };
}
