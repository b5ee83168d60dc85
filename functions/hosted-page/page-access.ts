/**
 * Who may see the verification page, and what it shows them. A person arrives with the session's
 * `url` (or a `client_secret`), which is spent when they accept; from then on a short-lived,
 * signed cookie lets that browser go on with the same session, and nothing else does.
 *
 * A phone handed the session on (functions/http/open-verification-handoff.ts) goes on at a page
 * named by the hand-off credential it just spent, with a cookie signed for that credential: the
 * page token is then kind `handoff`, which opens nothing on its own (it is never a current
 * credential), so the phone's address bar, history and any Referer hold nothing that works
 * without that phone's cookie. It never learns the session's `url` or `client_secret`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { checksAvailable } from '../checks/availability';
import { livenessFor } from '../checks/liveness/availability';
import type { AccountProfile } from '../domain/account-profile';
import { credentialUsable, credentialUses, type CredentialKind } from '../domain/session-credentials';
import { retentionDays } from '../domain/redaction';
import { claimedHandoff } from '../domain/handoffs';
import { checksOf, collectsIdNumber, FAILURES, type FailureCode, type TestCase } from '../domain/verification-checks';
import { DOCUMENT_TYPES, type VerificationSession } from '../domain/verification-session';
import type { Scope } from '../domain/scope';
import { getSession, type StoredSession } from '../store/sessions';
import { handoffEpoch, handoffEpochHolds } from '../store/handoffs';
import type { TransactItem } from '../store/transaction-items';
import { signingSecret } from '../secrets/signing-secret';
import { claimedSession, isCurrentCredential, publicUrl } from '../wire/session-secrets';
import { accountProfileOf, pageBranding } from './branding';
import { chooseLocale, localeQuery } from './page-locale';
import type { PageRequirements, PageView, TestCaseOption } from './view';
import { livenessAssetsPath } from './liveness-assets';
import { livenessRegion } from './liveness-step';

export const PAGE_COOKIE = 'verity_page';
/** How long a browser may go on after accepting, before the person must ask for a new link. */
const PAGE_SESSION_SECONDS = 60 * 60;
/** Test mode's "with a processing delay": `VERITY_TEST_PROCESSING_DELAY_SECONDS`, 10 unless set (at most 60). */
export const testDelaySeconds = () => Math.min(60, Math.max(1, Number(process.env.VERITY_TEST_PROCESSING_DELAY_SECONDS ?? 10) || 10));

/**
 * What a page token is: one of the session's credentials, or (`handoff`) a spent hand-off
 * credential, which grants only together with the cookie its spending signed for it.
 */
export type PageKind = CredentialKind | 'handoff';

export interface PageAccess {
  stored: StoredSession;
  session: VerificationSession;
  kind: PageKind;
  /** The presented token is the session's current credential and may still be spent. */
  tokenUsable: boolean;
  /** This browser's cookie, genuine, for this token and unexpired: it accepted with this link within the hour. */
  grant?: CookieGrant;
  /** For a `handoff` token with its cookie: the session's hand-off count's `epoch` as this request read it (store/handoffs.ts). */
  handoffEpoch?: number;
}

/** What a page cookie was issued at, signed into it. */
interface CookieGrant {
  /** The session's credentialUses() right after this browser's acceptance. */
  uses: number;
  /** The attempt it accepted for (attemptOf()). */
  attempt: string;
  /** When the cookie expires (epoch seconds): a hand-off link it asks for hands on no more than that. */
  expires: number;
  /**
   * A `handoff` cookie's only (and always): the hand-off count's `epoch` its phone's spend moved it to. Another phone
   * opening a link moves the epoch on, which retires this cookie: one phone holds the session's hand-off at a time.
   */
  epoch?: number;
}

/**
 * Reads the session a token claims, and proves the token before anything of the session counts:
 * the token must be the session's current credential of its kind, or come with a genuine page
 * cookie (which is signed with the token). Otherwise the answer is `undefined`, exactly as for a
 * session that does not exist, so a forged tag learns nothing: not the business, not the
 * return_url, not whether the session is closed, not even that it exists.
 */
export async function pageAccess(token: string, cookies: string[] | undefined, now: Date): Promise<PageAccess | undefined> {
  const claimed = claimedPage(token);
  if (!claimed) return undefined;
  const stored = await getSession(claimed.scope, claimed.id);
  if (!stored) return undefined;
  const { session } = stored;
  const cookie = cookieValue(cookies);
  const grant = cookie === undefined ? undefined : pageCookieGrant(session, claimed.kind, token, cookie, now);
  const { kind } = claimed;
  // A hand-off token is never a credential: without its cookie it is an unknown link.
  const current = kind !== 'handoff' && isCurrentCredential(session, kind, token);
  if (!current && !grant) return undefined;
  // Only a phone's cookie pays for this read: whether another phone has since opened a link of the session.
  const epoch = grant?.epoch === undefined ? undefined : await handoffEpoch(claimed.scope, claimed.id);
  return {
    stored,
    session,
    kind,
    tokenUsable: current && credentialUsable(session, kind, now),
    ...(grant ? { grant } : {}),
    ...(epoch === undefined ? {} : { handoffEpoch: epoch }),
  };
}

/** Which session a page token claims, and of which kind. Proves nothing. */
function claimedPage(token: string): { kind: PageKind; scope: Scope; id: string } | undefined {
  const credential = claimedSession(token);
  if (credential) return credential;
  const handoff = claimedHandoff(token);
  return handoff ? { kind: 'handoff', scope: handoff.scope, id: handoff.session } : undefined;
}

/**
 * Whether this browser's cookie may act (show the capture step, submit) on the session as it is
 * now: the session still waits for input, no link of the session (of either kind, any generation)
 * was spent since this browser accepted, no submission was concluded since, and, for a phone's
 * cookie, no phone opened another hand-off link since this one did (the epoch read with the
 * request). Checked on the request's read, and again on the session a write decides on, with
 * cookieConditions() in the write's transaction, so a race cannot slip past it.
 */
export function cookieActs(access: PageAccess, session: VerificationSession): boolean {
  const { grant } = access;
  return (
    grant !== undefined &&
    session.status === 'requires_input' &&
    session.redaction === null &&
    grant.uses === credentialUses(session.credentials) &&
    grant.attempt === attemptOf(session) &&
    grant.epoch === access.handoffEpoch
  );
}

/**
 * What a write on behalf of this page adds to its transaction so it holds only if cookieActs() still
 * would: for a phone's cookie, that the hand-off count's epoch is still the one it was signed for
 * (a phone opening another link at the same time fails the write). None for any other cookie.
 */
export function cookieConditions(access: PageAccess): TransactItem[] {
  const epoch = access.grant?.epoch;
  const { session } = access;
  return epoch === undefined ? [] : [handoffEpochHolds({ account: session.account, mode: session.mode }, session.id, epoch)];
}

/** Whether a phone's cookie was retired since the request read it (its write's cookieConditions() failed): one more read. */
export async function cookieRetired(access: PageAccess): Promise<boolean> {
  const epoch = access.grant?.epoch;
  const { session } = access;
  return epoch !== undefined && (await handoffEpoch({ account: session.account, mode: session.mode }, session.id)) !== epoch;
}

/** Which attempt a session is on: named by the last report, which each concluded submission replaces (`-` before the first). */
export const attemptOf = (session: VerificationSession) => session.last_verification_report ?? '-';

/** What a phone's cookie is bound to besides its session and token (functions/http/open-verification-handoff.ts). */
export interface HandoffBinding {
  /** The hand-off count's `epoch` the phone's spend moved it to. */
  epoch: number;
  /** When the page cookie that asked for the link expires (epoch seconds), if the link recorded it: the phone's expires no later. */
  notAfter?: number;
}

/**
 * The cookie that lets this browser go on after spending `token` on `session` (the session as
 * spending left it): bound to the session, the token, how many links the session has had spent
 * (so a later acceptance of any link retires it) and the attempt; a phone's (kind `handoff`,
 * with `handoff`) also to the hand-off epoch, and it ends no later than the desktop's.
 */
export function pageCookie(session: VerificationSession, kind: PageKind, token: string, now: Date, handoff?: HandoffBinding): string {
  const value = pageGrant(session, kind, token, now, handoff);
  const maxAge = Number(value.split('.')[1]) - Math.floor(now.getTime() / 1000);
  const secure = publicUrl().startsWith('https:') ? '; Secure' : '';
  return `${PAGE_COOKIE}=${value}; Path=${pagePath(token)}; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure}`;
}

/**
 * The cookie's value alone: what the modal's frame, which no cookie reaches across sites, keeps in
 * memory and sends back in the `Verity-Page-Grant` header (functions/http/verification-page.ts).
 */
export function pageGrant(session: VerificationSession, kind: PageKind, token: string, now: Date, handoff?: HandoffBinding): string {
  const expires = Math.min(Math.floor(now.getTime() / 1000) + PAGE_SESSION_SECONDS, handoff?.notAfter ?? Number.POSITIVE_INFINITY);
  const grant: CookieGrant = {
    uses: credentialUses(session.credentials),
    attempt: attemptOf(session),
    expires,
    ...(handoff ? { epoch: handoff.epoch } : {}),
  };
  const epoch = grant.epoch === undefined ? '' : `.e${grant.epoch}`;
  return `${grant.uses}.${expires}.${grant.attempt}${epoch}.${cookieTag(session, kind, token, grant)}`;
}

/** What a genuine, unexpired cookie for this token was issued at; undefined for any other cookie. */
function pageCookieGrant(session: VerificationSession, kind: PageKind, token: string, value: string, now: Date): CookieGrant | undefined {
  const match = /^(\d{1,9})\.(\d{1,12})\.(-|vr_[0-9A-Za-z]{24})(?:\.e(\d{1,9}))?\.([0-9a-f]{64})$/.exec(value);
  if (!match) return undefined;
  const [uses, expires, attempt] = [Number(match[1]), Number(match[2]), match[3]!];
  if (expires <= now.getTime() / 1000) return undefined;
  // A phone's cookie always carries its epoch, and no other cookie does.
  if ((match[4] === undefined) === (kind === 'handoff')) return undefined;
  const grant: CookieGrant = { uses, attempt, expires, ...(match[4] === undefined ? {} : { epoch: Number(match[4]) }) };
  const expected = Buffer.from(cookieTag(session, kind, token, grant));
  return timingSafeEqual(expected, Buffer.from(match[5]!)) ? grant : undefined;
}

function cookieTag(session: VerificationSession, kind: PageKind, token: string, grant: CookieGrant): string {
  const epoch = grant.epoch === undefined ? '' : `:${grant.epoch}`;
  return createHmac('sha256', signingSecret())
    .update(
      `page:${kind}:${session.account}:${session.mode}:${session.id}:${token}:${grant.uses}:${grant.expires}:${grant.attempt}${epoch}`,
    )
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

/**
 * The session's `return_url` as a person may be sent to it: the WHATWG URL serialization
 * (`new URL(x).href`, what create stores), and only an http or https one; otherwise null. A
 * session stored before create normalized it may hold it as it was sent (with a line break,
 * say), which must never reach a `Location` header or a link as it is. Never throws.
 */
export function returnUrlOf(session: VerificationSession): string | null {
  if (!session.return_url) return null;
  try {
    const url = new URL(session.return_url);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * Who asks, in plain words: the account's public name, else the host the person will return to,
 * if the business gave one; null when neither (the page then says "the business that sent you
 * here" in the person's language, as it does until a token is proven).
 */
export function businessName(session: VerificationSession, profile?: AccountProfile): string | null {
  if (profile?.name) return profile.name;
  const returnUrl = returnUrlOf(session);
  return returnUrl ? new URL(returnUrl).hostname : null;
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
    personDetails: session.mode === 'live' && session.type === 'id_number',
    liveCapture: document && options.require_live_capture === true,
  };
}

/**
 * Whether this browser's page may hand the session on to a phone (functions/http/create-verification-handoff.ts),
 * besides acting on it (cookieActs()): only where the capture step asks for a photo, which a
 * phone's camera is for (an ID number alone needs none), and only a page opened with one of the
 * session's own links: a phone handed the session on does not hand it on again, so nothing it
 * holds outlives the hour its hand-off gave.
 */
export function handsOff(access: PageAccess, session: VerificationSession): boolean {
  if (access.kind === 'handoff' || !checksAvailable(session.mode)) return false;
  const { document, selfie } = requirementsOf(session);
  return document || selfie;
}

/** Test mode's outcomes for this session: verified, each failure of a check it runs, and the person's own. */
export function testCasesFor(session: VerificationSession): TestCaseOption[] {
  if (session.mode !== 'test') return [];
  const checks: string[] = ['session', ...checksOf(session)];
  const failures = (Object.entries(FAILURES) as [TestCase, { check: string; reason: string }][]).filter(([, failure]) =>
    checks.includes(failure.check),
  );
  // The liveness stand-in's own outcome, beside selfie_manipulated (a low liveness score).
  const liveness: TestCaseOption[] = livenessFor(session) === 'stand_in' ? [{ id: 'liveness_expired' }] : [];
  return [{ id: 'verified' }, ...failures.map(([id]) => ({ id })), ...liveness];
}

/** What the request itself says about how to show the page: its language, and how long a processing page has waited. */
export interface PageRequest {
  /** The `locale` query parameter, as sent. */
  locale?: string | undefined;
  /** The `Accept-Language` header, as sent. */
  acceptLanguage?: string | undefined;
  /** The `waited` query parameter: how many times the processing page has looked again (0 to PROCESSING_CHECKS). */
  waited?: string | undefined;
}

/** How often, and how many times, the processing page looks again before it says the result will come later (about 30 s). */
export const PROCESSING_CHECK_SECONDS = 3;
export const PROCESSING_CHECKS = 10;

/** The page's own address for a token, keeping a language asked for with `locale` (and `extra` query parameters). */
function pageHref(token: string, localeQuery: string, extra = ''): string {
  const query = [localeQuery.replace(/^\?/, ''), extra].filter(Boolean).join('&');
  return `${pagePath(token)}${query ? `?${query}` : ''}`;
}

/**
 * What a browser sees at the page's address, branded with the account's profile (read only for a
 * proven link: one GetItem a minute per container, see branding.ts), in the language the request
 * and the profile choose (page-locale.ts).
 */
export async function pageView(access: PageAccess | undefined, token: string, request: PageRequest = {}): Promise<PageView> {
  return viewFor(access, token, access ? await accountProfileOf(access.session.account) : undefined, request);
}

/**
 * Where the page goes after submitting: itself (the processing view, then the verdict), keeping
 * the `locale` asked for. A path on the page's own host, whatever host the browser reached it by.
 */
export function afterSubmitUrl(token: string, request: PageRequest): string {
  const locale = chooseLocale({ query: request.locale, acceptLanguage: request.acceptLanguage });
  return pageHref(token, localeQuery(request.locale, locale));
}

/**
 * What a browser sees at the page's address. An unproven token (unknown, forged, or an old
 * generation's) gets the one generic page: nothing in it depends on the session it names, or on
 * its account's profile.
 */
export function viewFor(access: PageAccess | undefined, token: string, profile?: AccountProfile, request: PageRequest = {}): PageView {
  const locale = chooseLocale({
    query: request.locale,
    acceptLanguage: request.acceptLanguage,
    profileDefault: access ? profile?.default_locale : undefined,
  });
  const keep = localeQuery(request.locale, locale);
  if (!access) return { kind: 'unavailable', reason: 'link_expired', business: null, mode: 'live', returnUrl: null, locale };
  const { session } = access;
  const branding = pageBranding(profile, session.mode);
  const base = { business: businessName(session, profile), mode: session.mode, locale, ...(branding ? { branding } : {}) };
  const returnUrl = returnUrlOf(session);
  if (session.redaction !== null) return { ...base, kind: 'unavailable', reason: 'session_closed', returnUrl };
  if (session.status === 'canceled') return { ...base, kind: 'unavailable', reason: 'canceled', returnUrl };
  const failure = session.last_error ? (session.last_error.code as FailureCode) : null;
  const retry = failure && failure in FAILURES ? failure : null;
  if (access.grant && !cookieActs(access, session)) {
    const sameAttempt = access.grant.attempt === attemptOf(session);
    // This browser's submission is being checked: it shows so, and looks again every few seconds, for a while.
    if (session.status === 'processing' && sameAttempt) {
      const waited = Math.min(PROCESSING_CHECKS, Math.max(0, Number.parseInt(request.waited ?? '0', 10) || 0));
      return {
        ...base,
        kind: 'processing',
        returnUrl,
        next: waited < PROCESSING_CHECKS ? pageHref(token, keep, `waited=${waited + 1}`) : null,
        checkSeconds: PROCESSING_CHECK_SECONDS,
      };
    }
    // This browser's attempt is over: it sees how it ended.
    if (session.status === 'verified') return { ...base, kind: 'finished', outcome: 'verified', returnUrl };
    if (session.status === 'processing' || !sameAttempt) {
      return retry && session.status === 'requires_input'
        ? { ...base, kind: 'finished', outcome: 'failed', retry, returnUrl }
        : { ...base, kind: 'finished', outcome: 'submitted', returnUrl };
    }
    // Another link of the session was spent since this browser accepted: that one goes on, not this one.
    return { ...base, kind: 'unavailable', reason: 'link_expired', returnUrl };
  }
  if (!access.grant && !access.tokenUsable) {
    // A spent link says how the session ended, where that is known, rather than "expired".
    const reason = session.status === 'verified' ? 'verified' : retry === 'consent_declined' ? 'declined' : 'link_expired';
    return { ...base, kind: 'unavailable', reason, returnUrl };
  }
  if (!checksAvailable(session.mode)) return { ...base, kind: 'unavailable', reason: 'live_checks_unavailable', returnUrl };
  const requirements = requirementsOf(session);
  if (!access.grant) {
    return {
      ...base,
      kind: 'consent',
      requirements,
      formAction: pageHref(token, keep),
      retry,
      retentionDays: retentionDays(process.env.VERITY_RETENTION_DAYS),
    };
  }
  const liveness = livenessFor(session);
  return {
    ...base,
    kind: 'capture',
    requirements,
    // Always in the page's language, even one the profile chose: submit and uploads refuse a photo in the page's words.
    submitUrl: `${pagePath(token)}/submit?locale=${encodeURIComponent(locale)}`,
    testCases: testCasesFor(session),
    delaySeconds: testDelaySeconds(),
    retry,
    ...(liveness !== 'off'
      ? {
          liveness: {
            mode: liveness,
            sessionsUrl: `${pagePath(token)}/liveness_sessions${keep}`,
            assetsPath: livenessAssetsPath(),
            region: livenessRegion(),
          },
        }
      : {}),
    // A phone's camera is what a hand-off is for: a step that asks for no photo offers none.
    ...(handsOff(access, session) ? { handoffUrl: `${pagePath(token)}/handoffs${keep}` } : {}),
  };
}
