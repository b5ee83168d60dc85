/**
 * Stripe API versions: which a client may send, which one answers, and the one table of what
 * Identity's objects look like in each. Only `wire/` renders by version; the domain never sees one
 * (docs: the API guide's *API versions*).
 *
 * Stripe's policy (https://docs.stripe.com/api-versions, https://docs.stripe.com/api/versioning):
 * before `2024-09-30.acacia` versions were plain dates; since then a new version comes every
 * month "with no breaking changes", named after the last major, and "twice a year" a new major
 * starts with breaking changes. So:
 * - a plain date before acacia, or a date of a major Verity knows (from that major's first
 *   version up to the next one's), is served in that version's shapes (`FIELD_CHANGES`);
 * - a later monthly version of the newest major Verity knows is served, in the newest shapes
 *   Verity knows (a month's changes are additions, which Stripe counts as backward compatible);
 * - a version of a major Verity does not know (a new name dated after the newest known major
 *   began) is served too, in the newest shapes Verity knows, and the answer's `Stripe-Version`
 *   names that version instead: an operator who has not upgraded Verity must not see every new
 *   integration refused overnight;
 * - a beta suffix (`2026-11-18.endive; identity_beta=v1`) or a preview version
 *   (`2026-07-29.preview`) is served without the beta's or preview's features;
 * - anything else (`banana`, `2026-13-01`, `2026-02-30.endive`, `20261118`, `2025-01-15.endive`
 *   whose date is not endive's) is no Stripe version: 400 `api_version_invalid`.
 */
import { invalidParameter } from '../domain/errors';

/**
 * Stripe's majors, each with the date of its first version. Sources: stripe-node's CHANGELOG
 * (17.0.0 `2024-09-30.acacia`, 18.0.0 `2025-03-31.basil`, 19.0.0 `2025-09-30.clover`, 21.0.0
 * `2026-03-25.dahlia`) and https://docs.stripe.com/changelog (`2026-09-30.endive`).
 */
export const MAJORS = [
  { name: 'acacia', since: '2024-09-30' },
  { name: 'basil', since: '2025-03-31' },
  { name: 'clover', since: '2025-09-30' },
  { name: 'dahlia', since: '2026-03-25' },
  { name: 'endive', since: '2026-09-30' },
] as const;

/**
 * The newest version Verity knows: what it answers when a request names none (Stripe answers with
 * the account's default version) and the shapes a newer major gets. stripe-node 23.2.0 pins it.
 */
export const API_VERSION = '2026-11-18.endive';

/** The first day Stripe's API had a dated version at all (Stripe's API changelog starts in 2011). */
const FIRST_VERSION_DATE = '2011-01-01';

/** One field of an Identity object that a version brought in: older versions do not show it. */
interface FieldChange {
  /** The `object` value of the objects it is on. */
  object: 'identity.verification_session' | 'identity.verification_report';
  /** The field's path from the object (a missing or null parent leaves nothing to remove). */
  path: readonly string[];
  /** The first version that shows it (its date decides). */
  since: string;
  source: string;
}

/**
 * What differs in Identity's objects between the versions Verity serves: every field Stripe's
 * changelog ties to a version. Fields added between pinned versions without one (for example
 * `client_reference_id` in stripe-node 14.18.0, `provided_details` and `verification_flow` in
 * 14.24.0, `related_customer` in 16.7.0) were added to every version, so they are shown to all.
 * `redaction.status: "validated"` (from `2026-06-24.dahlia`, stripe-node 22.3.0) needs no row:
 * Verity's redactions are `processing` until done, never `validated`.
 */
export const FIELD_CHANGES: readonly FieldChange[] = [
  ...(['sex', 'unparsed_place_of_birth', 'unparsed_sex'] as const).flatMap((field): FieldChange[] => [
    {
      object: 'identity.verification_session',
      path: ['verified_outputs', field],
      since: '2025-05-28.basil',
      source: 'https://docs.stripe.com/changelog/basil/2025-05-28/extract-sex-and-place-of-birth (stripe-node 18.2.0)',
    },
    {
      object: 'identity.verification_report',
      path: ['document', field],
      since: '2025-05-28.basil',
      source: 'https://docs.stripe.com/changelog/basil/2025-05-28/extract-sex-and-place-of-birth (stripe-node 18.2.0)',
    },
  ]),
  {
    object: 'identity.verification_session',
    path: ['related_person'],
    since: '2025-06-30.basil',
    source: 'https://docs.stripe.com/changelog/basil/2025-06-30/identity-related-person (stripe-node 18.3.0)',
  },
  {
    object: 'identity.verification_session',
    path: ['related_customer_account'],
    since: '2025-12-15.clover',
    source:
      'stripe-node CHANGELOG 20.1.0, which pins 2025-12-15.clover: "Add support for related_customer_account on ' +
      'Identity.VerificationSession"',
  },
];

/** A version a request asked for, resolved. */
export interface ServedVersion {
  /** The version whose shapes render the answer, as the answer's `Stripe-Version` names it. */
  version: string;
  /** The request named a major Verity does not know: answered in `API_VERSION`'s shapes. */
  newerMajor: boolean;
  /** What was asked for, normalized (`date.name`, betas left out): for logs and stored settings. */
  requested?: string;
}

/** `2026-11-18`, `2026-11-18.endive` (a major's name is a short word); a beta after it is split off before. */
const VERSION = /^(\d{4}-\d{2}-\d{2})(?:\.([a-z]{1,20}))?$/;
/** A beta suffix as Stripe's SDKs send it: `; identity_beta=v1` (ASCII spaces only). */
const BETA = /^[ \t]*[a-z][a-z0-9_]{0,63}[ \t]*=[ \t]*[a-z0-9_.]{1,32}[ \t]*$/;
/** Longer than any version with a few betas: a bound on the work and on what a log line may carry. */
const MAX_HEADER_LENGTH = 256;

/**
 * The version a `Stripe-Version` header (trimmed) is served in: `API_VERSION` when it is absent.
 * Throws 400 `invalid_request_error` (code `api_version_invalid`, `param` null) for a value that
 * is no Stripe version; the message names the header and never repeats the value.
 */
export function servedVersion(header: string | undefined): ServedVersion {
  if (header === undefined || header.trim() === '') return { version: API_VERSION, newerMajor: false };
  if (header.length > MAX_HEADER_LENGTH) throw notAVersion();
  const [requested, ...betas] = header.split(';');
  if (!betas.every((beta) => BETA.test(beta))) throw notAVersion();
  const match = VERSION.exec(requested!.trim());
  const date = match?.[1];
  if (!date || !isCalendarDay(date) || date < FIRST_VERSION_DATE) throw notAVersion();
  const name = match[2];
  const major = majorOn(date);
  if (!major) {
    // Before acacia Stripe's versions were plain dates: a name there is no version of Stripe's.
    if (name !== undefined) throw notAVersion();
    return { version: date, newerMajor: false };
  }
  // `.preview` is what Stripe's beta SDKs pin (stripe-node's beta branch: `2026-07-29.preview`):
  // served, like a beta suffix, without the preview's features.
  if (name === undefined || name === major.name || name === 'preview') return { version: `${date}.${major.name}`, newerMajor: false };
  // A name Verity does not know, dated after the newest major it knows began: Stripe's next major.
  const newest = MAJORS[MAJORS.length - 1]!;
  if (!MAJORS.some((known) => known.name === name) && date > newest.since)
    return { version: API_VERSION, newerMajor: true, requested: `${date}.${name}` };
  throw notAVersion();
}

/** The major in force on `date` (YYYY-MM-DD), undefined before acacia. */
function majorOn(date: string) {
  return MAJORS.findLast((major) => major.since <= date);
}

/** 2026-02-30 is no day. */
function isCalendarDay(date: string): boolean {
  const day = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === date;
}

const notAVersion = () =>
  invalidParameter(
    'api_version_invalid',
    `Invalid Stripe-Version header: it must name a Stripe API version, a date with the major's name such as ${API_VERSION}, or a plain ` +
      `date before 2024-09-30. Send a Stripe API version, or no Stripe-Version at all.`,
    null,
  );

/**
 * `body` as `version` shows it: every field `FIELD_CHANGES` dates after `version` is left out of
 * each Identity object in it, however deep (lists, expanded reports). Events are left as they
 * are: an event keeps the version it was rendered in, as Stripe's do (a webhook endpoint's own
 * version renders its events' `data.object` itself: wire/events.ts `eventForEndpoint`).
 * Returns `body` itself, unchanged, for `API_VERSION` and for versions with nothing to remove;
 * otherwise a copy, so a cached or stored body is never altered.
 */
export function renderForVersion<T>(body: T, version: string): T {
  const date = version.slice(0, 10);
  const removed = FIELD_CHANGES.filter((change) => change.since.slice(0, 10) > date);
  if (removed.length === 0) return body;
  return strip(body, removed) as T;
}

function strip(value: unknown, removed: readonly FieldChange[]): unknown {
  if (Array.isArray(value)) return value.map((item) => strip(item, removed));
  if (value === null || typeof value !== 'object' || (value as { object?: unknown }).object === 'event') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) copy[key] = strip(child, removed);
  for (const change of removed) if (copy.object === change.object) removePath(copy, change.path);
  return copy;
}

function removePath(object: Record<string, unknown>, path: readonly string[]): void {
  const [first, ...rest] = path;
  if (rest.length === 0) {
    delete object[first!];
    return;
  }
  const child = object[first!];
  if (child !== null && typeof child === 'object') removePath(child as Record<string, unknown>, rest);
}
