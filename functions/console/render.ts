/**
 * The console's pages as HTML: pure functions from what a handler read to a complete document,
 * with the verification page's discipline (functions/hosted-page/render.ts): every dynamic string
 * goes through the `html` tag, which escapes it; one nonce'd <style>; no script, no inline
 * handlers, nothing loaded from elsewhere. Personal values reach the markup only when the page is
 * rendered `revealed` (a reviewer's recorded reveal): otherwise the markup never holds them, so
 * a viewer's browser never receives them.
 */
import { REDACTED } from '../domain/redaction';
import type { VerificationReport } from '../domain/verification-report';
import { SESSION_STATUSES, SESSION_TYPES, type VerificationSession } from '../domain/verification-session';
import { documentHead, html, type Fragment, Html } from '../hosted-page/render';
import type { ConsoleAuditEvent } from '../store/audit-log';
import type { ConsoleLink, ConsoleSession } from '../store/console-sessions';
import type { StripeEvent } from '../wire/events';
import { CONSOLE_PATH, ROLE_ABILITIES, type ConsoleRefusal } from './console-access';
import { CONSOLE_STYLE } from './style';

export type Rendered = string;

/** Who is signed in, and the token their forms carry. */
export interface Operator {
  session: ConsoleSession;
  csrf: string;
}

const time = (seconds: number) =>
  new Date(seconds * 1000)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');

/** A whole console page: its head, the header with the scope and navigation, and `body` as its main content. */
export function document(title: string, nonce: string, body: Fragment, operator?: Operator): Rendered {
  const mode = operator?.session.scope.mode;
  return html`${documentHead({ nonce, title: `${title} · Verity console`, icon: 'data:,', style: new Html(CONSOLE_STYLE) })}<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<span class="brand">Verity console</span>
${
  operator &&
  html`<span class="scope">${operator.session.scope.account} <span class="mode mode-${mode}">${
    mode === 'live' ? 'Live mode' : 'Test mode'
  }</span></span>
<nav aria-label="Console"><a href="${CONSOLE_PATH}/verification_sessions">Sessions</a>${
    operator.session.role !== 'viewer' ? html` <a href="${CONSOLE_PATH}/review">To review</a>` : ''
  } <a
href="${CONSOLE_PATH}/funnel">Funnel</a> <a href="${CONSOLE_PATH}/audit_events">Audit log</a>${
    operator.session.role === 'admin'
      ? html` <a
href="${CONSOLE_PATH}/operators">Operators</a>`
      : ''
  }</nav>
<form class="sign-out" method="post" action="${CONSOLE_PATH}/sign_out">${csrfField(operator)}<span
class="who">${operator.session.email} (${operator.session.role})</span> <button type="submit" class="link-button">Sign out</button></form>`
}
</header>
<main id="main">
${body}
</main>
</body>
</html>
`.markup;
}

const csrfField = (operator: Operator) => html`<input type="hidden" name="csrf_token" value="${operator.csrf}">`;

/**
 * A table in its own scrolling box: a labelled region that takes the keyboard's focus, so a table wider
 * than the screen can be scrolled without a mouse (axe `scrollable-region-focusable`, WCAG 2.1.1).
 */
export const scrollRegion = (label: string, table: Fragment, className = 'table-wrap') =>
  html`<div class="${className}" role="region" aria-label="${label}" tabindex="0">${table}</div>`;

/** The console's page of an object named in the audit log, when it has one. */
const objectLink = (id: string) =>
  id.startsWith('vs_') ? html`<a href="${CONSOLE_PATH}/verification_sessions/${id}"><code>${id}</code></a>` : html`<code>${id}</code>`;

export function renderRefusal(refusal: ConsoleRefusal, nonce: string): Rendered {
  return document(refusal.title, nonce, html`<h1>${refusal.title}</h1><p role="alert">${refusal.message}</p>`);
}

/** The page a sign-in link opens: a button, so that a link scanner that follows links cannot spend it. */
export function renderSignIn(token: string, nonce: string): Rendered {
  return document(
    'Sign in',
    nonce,
    html`<h1>Sign in to the Verity console</h1>
<p>This link signs you in once, within 10 minutes of being made. Your console session lasts 8 hours, or until you sign out.</p>
<form method="post" action="${CONSOLE_PATH}/sign_in"><input type="hidden" name="token" value="${token}"><button
type="submit">Sign in</button></form>`,
  );
}

export interface ListFilters {
  status?: string;
  type?: string;
  client_reference_id?: string;
  created_from?: string;
  created_to?: string;
}

export interface SessionListView {
  operator: Operator;
  filters: ListFilters;
  sessions: VerificationSession[];
  /** Cursors to the neighbouring pages, when there are any. */
  next?: string;
  previous?: string;
  /** Reviewers and admins may search by client reference (a personal value); viewers never see one. */
  canSearchReference: boolean;
  /** What the find box was given, shown again (a client reference only to those who may search by one). */
  find?: string;
}

const options = (values: readonly string[], selected: string | undefined, any: string) =>
  html`<option value="">${any}</option>${values.map(
    (value) => html`<option
value="${value}"${value === selected ? html` selected` : ''}>${value}</option>`,
  )}`;

const statusBadge = (status: string) => html`<span class="status status-${status}">${status.replace('_', ' ')}</span>`;

const filterQuery = (filters: ListFilters, cursor: Record<string, string>) =>
  new URLSearchParams(
    Object.entries({ ...filters, ...cursor }).filter((entry): entry is [string, string] => entry[1] !== undefined),
  ).toString();

export function renderSessionList(view: SessionListView, nonce: string): Rendered {
  const { filters } = view;
  const rows = view.sessions.map(
    (session) => html`<tr role="row">
<td role="cell" data-label="Session"><a href="${CONSOLE_PATH}/verification_sessions/${session.id}">${session.id}</a></td>
<td role="cell" data-label="Status">${statusBadge(session.status)}${
      session.redaction
        ? html` <span
class="status status-redacted">${session.redaction.status === 'redacted' ? 'redacted' : 'redacting'}</span>`
        : ''
    }</td>
<td role="cell" data-label="Type">${session.type}</td>
<td role="cell" data-label="Last error">${session.last_error?.code ?? '—'}</td>
<td role="cell" data-label="Created"><time datetime="${new Date(session.created * 1000).toISOString()}">${time(session.created)}</time></td>
</tr>`,
  );
  return document(
    'Verification sessions',
    nonce,
    html`<h1>Verification sessions</h1>
<form class="find" method="get" action="${CONSOLE_PATH}/verification_sessions" role="search" aria-label="Find a session">
<label for="find">${view.canSearchReference ? 'Session id or client reference' : 'Session id'}</label>
<div class="find-row"><input type="search" id="find" name="find" autocomplete="off" spellcheck="false" aria-describedby="find-how"
value="${view.find ?? ''}"><button type="submit">Find</button></div>
<p class="note" id="find-how">Exact match. ${
      view.canSearchReference ? 'A session id (vs_…) opens that session; anything else lists the sessions with that client reference.' : ''
    }</p>
</form>
<form class="filters" method="get" action="${CONSOLE_PATH}/verification_sessions" role="search" aria-label="Filter sessions">
<label>Status <select name="status">${options(SESSION_STATUSES, filters.status, 'Any status')}</select></label>
<label>Type <select name="type">${options(SESSION_TYPES, filters.type, 'Any type')}</select></label>
<label>Created from <input type="date" name="created_from" value="${filters.created_from ?? ''}"></label>
<label>Created to <input type="date" name="created_to" value="${filters.created_to ?? ''}"></label>
${
  view.canSearchReference &&
  html`<label>Client reference <input type="search" name="client_reference_id" autocomplete="off"
value="${filters.client_reference_id ?? ''}"></label>`
}
<button type="submit">Filter</button>
</form>
${
  view.sessions.length === 0
    ? html`<p>No session matches.</p>`
    : scrollRegion(
        'Sessions',
        // Explicit roles: the narrow screen's stacked layout changes the cells' display, which would drop the table's semantics.
        html`<table role="table" class="stacked">
<caption>Newest first</caption>
<thead role="rowgroup"><tr role="row"><th role="columnheader" scope="col">Session</th><th role="columnheader" scope="col">Status</th><th
role="columnheader" scope="col">Type</th><th role="columnheader" scope="col">Last error</th><th role="columnheader"
scope="col">Created</th></tr></thead>
<tbody role="rowgroup">${rows}</tbody>
</table>`,
        'table-wrap stack-wrap',
      )
}
<nav class="pages" aria-label="Pages">
${view.previous && html`<a href="?${filterQuery(filters, { ending_before: view.previous })}">Newer</a>`}
${view.next && html`<a href="?${filterQuery(filters, { starting_after: view.next })}">Older</a>`}
</nav>`,
    view.operator,
  );
}

export interface SessionPageView {
  operator: Operator;
  session: VerificationSession;
  /** Oldest first. */
  events: StripeEvent[];
  reports: VerificationReport[];
  /** Personal values shown: a reviewer's reveal, recorded before the page was rendered. */
  revealed: boolean;
  /** Short-lived image links by file id; only on a revealed page of a session not redacted. */
  images: Record<string, string>;
  canReveal: boolean;
  /** Other sessions of the account (same mode) verified with the document this session's last report read (`vs_…`). */
  duplicates?: string[];
  /** Actions the session's status allows and the operator's role permits. */
  actions: {
    cancel: boolean;
    redact: boolean;
    /** The status override a reviewer may make now: to `status`, with one of `codes` for `requires_input`; null for none. */
    override: { status: 'verified' | 'requires_input'; codes: string[] } | null;
  };
  notice?: string;
}

const isRedactedValue = (value: unknown) => value === REDACTED;

const dateText = (value: unknown): string | undefined => {
  if (value && typeof value === 'object' && 'year' in value) {
    const { year, month, day } = value as { year: number | null; month: number | null; day: number | null };
    return [year, month, day].map((part, i) => (part === null ? '??' : String(part).padStart(i === 0 ? 4 : 2, '0'))).join('-');
  }
  return undefined;
};

/** A value as text: dates as YYYY-MM-DD, objects as key: value pairs. */
function valueText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  const date = dateText(value);
  if (date) return date;
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== null && v !== undefined && v !== '')
      .map(([k, v]) => `${k}: ${valueText(v)}`)
      .join(', ');
  }
  return String(value);
}

/**
 * A personal value: its text on a revealed page; otherwise only whether there is one. A redacted
 * value (`[redacted]`) is no one's data any more and is shown as it is.
 */
function personal(value: unknown, revealed: boolean): Html {
  if (value === null || value === undefined) return html`<span class="none">—</span>`;
  if (isRedactedValue(value)) return html`<span class="redacted">${REDACTED}</span>`;
  if (!revealed) return html`<span class="masked">Hidden</span>`;
  return html`<span class="revealed">${valueText(value)}</span>`;
}

const row = (label: string, value: Fragment) => html`<div class="field"><dt>${label}</dt><dd>${value}</dd></div>`;

function personalRows(values: Record<string, unknown> | null | undefined, revealed: boolean, skip: string[] = []): Html[] {
  if (!values) return [];
  return Object.entries(values)
    .filter(([key]) => !skip.includes(key))
    .map(([key, value]) => row(key.replace(/_/g, ' '), personal(value, revealed)));
}

const SECTIONS = ['document', 'id_number', 'selfie', 'email', 'phone'] as const;
/** What a report's section says that is no one's data: its status and error; everything else it read is personal. */
const SECTION_PLAIN = ['status', 'error', 'files', 'document', 'selfie'];

/** An image of a report, with what it shows: the document's front or back, the selfie, a liveness capture's reference image. */
export interface ReportImage {
  id: string;
  caption: 'Document front' | 'Document back' | 'Selfie' | 'Liveness reference';
}

/**
 * The images of a report's section, each captioned by its role: a document's files are its front then its back (Stripe's
 * `document.files`); a selfie section's `selfie` is the selfie, or the liveness reference when the section says the face came from a
 * liveness capture (`liveness_reference`).
 */
export function reportImages(name: 'document' | 'selfie', section: Record<string, unknown>): ReportImage[] {
  const isFile = (id: unknown): id is string => typeof id === 'string' && id.startsWith('file_');
  if (name === 'document') {
    const files = ((section.files as unknown[] | null) ?? []).filter(isFile);
    return files.map((id, i) => ({ id, caption: i === 0 ? 'Document front' : 'Document back' }));
  }
  const selfie = section.selfie;
  if (!isFile(selfie)) return [];
  return [{ id: selfie, caption: section.liveness_reference === selfie ? 'Liveness reference' : 'Selfie' }];
}

function imagesOf(view: SessionPageView, images: ReportImage[], label: string): Html | null {
  if (images.length === 0) return null;
  if (view.session.redaction) return html`<p class="note">${label}: deleted by redaction.</p>`;
  if (!view.revealed) return html`<p class="note">${label}: ${images.length} image${images.length > 1 ? 's' : ''}, hidden.</p>`;
  return html`<div class="images">${images.map(({ id, caption }) =>
    view.images[id]
      ? html`<figure><img src="${view.images[id]}" alt="${caption}"><figcaption>${caption} · <a class="full-size"
href="${view.images[id]}">Full size<span class="visually-hidden"> (${caption.toLowerCase()})</span></a> · <code>${id}</code></figcaption
></figure>`
      : null,
  )}</div>`;
}

/** Who overrode the checks' verdict on a report, when, to what, and why (the reason as a personal value: it may name the person). */
const decisionNote = (decision: NonNullable<VerificationReport['decision']>, revealed: boolean) =>
  html`<p class="notice decision">Decided by a person: ${statusBadge(decision.status)}${
    decision.code ? html` <code>${decision.code}</code>` : ''
  }
by ${decision.operator}, ${time(decision.decided)}. Reason: ${personal(decision.reason, revealed)}</p>`;

function reportSection(view: SessionPageView, report: VerificationReport): Html {
  const sections = SECTIONS.flatMap((name) => {
    const section = report[name] as
      | (Record<string, unknown> & { status: string; error: { code: string | null; reason: string | null } | null })
      | undefined;
    if (!section) return [];
    const images =
      name === 'document' || name === 'selfie'
        ? // The selfie section's document (what the face was matched with) is shown in the document's section.
          imagesOf(view, reportImages(name, section), name === 'document' ? 'Document' : 'Selfie')
        : null;
    return [
      html`<section class="check" aria-labelledby="${report.id}-${name}">
<h4 id="${report.id}-${name}">${name.replace('_', ' ')} ${statusBadge(section.status)}</h4>
<dl>${
        section.error ? row('Error', html`<code>${section.error.code ?? ''}</code> ${section.error.reason ?? ''}`) : ''
      }${personalRows(section, view.revealed, SECTION_PLAIN)}</dl>
${images}
</section>`,
    ];
  });
  const decision = report.decision;
  return html`<article class="card report" aria-labelledby="${report.id}">
<h3 id="${report.id}">Report <code>${report.id}</code></h3>
<p class="meta">Created ${time(report.created)} · ${report.type}</p>
${decision && decisionNote(decision, view.revealed)}
${sections}
</article>`;
}

/** The reviewer's status override: the status it sets, a code for `requires_input`, and the written reason it needs. */
function overrideForm(view: SessionPageView, override: NonNullable<SessionPageView['actions']['override']>): Html {
  const toVerified = override.status === 'verified';
  const action = `${CONSOLE_PATH}/verification_sessions/${view.session.id}/override`;
  return html`<form method="post" action="${action}" class="action">${csrfField(view.operator)}
<input type="hidden" name="status" value="${override.status}">
<p id="override-what">${
    toVerified
      ? 'Overrule the failed check: the session becomes verified with what its last report read, and the verified webhook is sent.'
      : 'Overrule the checks: the session goes back to requires input with the error you choose, and the requires_input webhook is sent.'
  } The report is marked as decided by you; the audit log records the decision and its reason.</p>
${
  toVerified
    ? ''
    : html`<label>Error code <select name="code" required>${override.codes.map(
        (code) => html`<option value="${code}">${code}</option>`,
      )}</select></label>`
}
<label for="override-reason">Reason (required, at most 500 characters; kept in the audit log: write no personal data)</label>
<textarea id="override-reason" name="reason" required maxlength="500" rows="3" aria-describedby="override-what"></textarea>
<button type="submit">${toVerified ? 'Mark verified' : 'Mark not verified'}</button></form>`;
}

export function renderSessionPage(given: SessionPageView, nonce: string): Rendered {
  // Once redaction has finished, what is left is no one's data ([redacted], a country): shown to every role. Images never are.
  const view = { ...given, revealed: given.revealed || given.session.redaction?.status === 'redacted' };
  const { session, revealed, operator } = view;
  const history = view.events.map(
    (event) =>
      html`<li><time
datetime="${new Date(
        event.created * 1000,
      ).toISOString()}">${time(event.created)}</time> <span>${event.type.replace('identity.verification_session.', '')}</span></li>`,
  );
  const reveal =
    view.canReveal && !revealed && !session.redaction
      ? html`<form method="post" action="${CONSOLE_PATH}/verification_sessions/${session.id}/reveal"
class="inline">${csrfField(operator)}<button type="submit">Reveal personal data and images</button> <span
class="note">Each reveal is recorded in the audit log.</span></form>`
      : null;
  const actions = [
    view.actions.cancel &&
      html`<form method="post" action="${CONSOLE_PATH}/verification_sessions/${session.id}/cancel" class="action">${csrfField(operator)}
<p>Canceling stops the person from submitting. It cannot be undone: the business must create a new session.</p>
<button type="submit" class="danger">Cancel session</button></form>`,
    view.actions.redact &&
      html`<form method="post" action="${CONSOLE_PATH}/verification_sessions/${session.id}/redact" class="action">${csrfField(operator)}
<p
id="redact-warning"><strong>Redaction cannot be undone.</strong> It deletes the person's data for good: the verified outputs, provided
details, client reference, metadata, every report's values and every image. Statuses, error codes and this audit log stay. A session still
waiting for input is canceled.</p>
<label class="confirm"><input type="checkbox" name="confirm" value="redact" required
aria-describedby="redact-warning"> I understand that this cannot be undone</label>
<button type="submit" class="danger">Redact session</button></form>`,
    view.actions.override && overrideForm(view, view.actions.override),
  ].filter(Boolean);
  return document(
    session.id,
    nonce,
    html`<p><a href="${CONSOLE_PATH}/verification_sessions">← Sessions</a></p>
${view.notice && html`<p class="notice" role="status">${view.notice}</p>`}
<h1>Session <code>${session.id}</code></h1>
<p>${statusBadge(session.status)}${
      session.redaction
        ? html` <span
class="status status-redacted">${session.redaction.status === 'redacted' ? 'redacted' : 'redaction in progress'}</span>`
        : ''
    } · ${session.type} · created ${time(session.created)}</p>
${reveal}
${given.revealed && html`<p class="notice" role="status">Personal data revealed. This look is recorded in the audit log.</p>`}
<div class="grid">
<section class="card" aria-labelledby="last-error"><h2 id="last-error">Last error</h2>
${
  session.last_error
    ? html`<p><code>${session.last_error.code ?? ''}</code></p><p>${session.last_error.reason ?? ''}</p>`
    : html`<p>None.</p>`
}
</section>
<section class="card" aria-labelledby="history"><h2 id="history">Status history</h2><ol class="history">${history}</ol></section>
</div>
${
  view.duplicates?.length &&
  html`<section class="card duplicate" aria-labelledby="duplicates"><h2 id="duplicates">Duplicate document</h2>
<p>The same document (type, number and issuing country) was verified in ${view.duplicates.map(
    (other, i) => html`${i > 0 ? ', ' : ''}<a href="${CONSOLE_PATH}/verification_sessions/${other}"><code>${other}</code></a>`,
  )}.</p></section>`
}
<section class="card" aria-labelledby="details"><h2 id="details">Details</h2>
<dl>
${row('Client reference', personal(session.client_reference_id, revealed))}
${row('Metadata', personal(Object.keys(session.metadata ?? {}).length ? session.metadata : null, revealed))}
${row('Related customer', personal(session.related_customer, revealed))}
${row('Related person', personal(session.related_person, revealed))}
${row('Return URL', personal(session.return_url, revealed))}
</dl>
<h3>Provided details</h3>
<dl>${
      session.provided_details
        ? personalRows(session.provided_details as unknown as Record<string, unknown>, revealed)
        : row('Provided details', html`<span class="none">—</span>`)
    }</dl>
<h3>Verified outputs</h3>
<dl>${
      session.verified_outputs
        ? personalRows(session.verified_outputs, revealed)
        : row(
            'Verified outputs',
            html`<span
class="none">—</span>`,
          )
    }</dl>
</section>
<section aria-labelledby="reports"><h2 id="reports">Verification reports</h2>
${view.reports.length ? view.reports.map((report) => reportSection(view, report)) : html`<p>No report yet.</p>`}
</section>
${actions.length > 0 && html`<section class="card" aria-labelledby="actions"><h2 id="actions">Actions</h2>${actions}</section>`}`,
    operator,
  );
}

export interface AuditLogView {
  operator: Operator;
  entries: ConsoleAuditEvent[];
  next?: string;
  previous?: string;
}

const decisionText = ({ from, to, code, reason }: NonNullable<ConsoleAuditEvent['decision']>) =>
  html` <span class="note">${from} → ${to}${code ? ` (${code})` : ''}: ${reason}</span>`;

export function renderAuditLog(view: AuditLogView, nonce: string): Rendered {
  const rows = view.entries.map(
    (entry) => html`<tr class="audit-entry">
<td><time datetime="${new Date(entry.created * 1000).toISOString()}">${time(entry.created)}</time></td>
<td class="audit-action">${entry.action}${entry.decision && decisionText(entry.decision)}</td>
<td>${entry.operator ? `${entry.operator.email} (${entry.operator.role})` : `Verity, blocklist entry ${entry.blocklist_entry ?? ''}`}</td>
<td>${entry.target ? objectLink(entry.target.id) : '—'}</td>
<td><code>${entry.request}</code></td>
</tr>`,
  );
  return document(
    'Audit log',
    nonce,
    html`<h1>Audit log</h1>
<p>Every sign-in and sign-out, every reveal of personal data, every image viewed,
every status override (with its reason), cancel and redaction in this console,
newest first. Entries cannot be changed or deleted; they are kept for the configured time.</p>
${
  view.entries.length === 0
    ? html`<p>No entry yet.</p>`
    : scrollRegion(
        'Audit log entries',
        html`<table>
<thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">Who</th><th scope="col">Object</th><th
scope="col">Request</th></tr></thead>
<tbody>${rows}</tbody></table>`,
      )
}
<nav class="pages" aria-label="Pages">
${view.previous && html`<a href="?ending_before=${view.previous}">Newer</a>`}
${view.next && html`<a href="?starting_after=${view.next}">Older</a>`}
</nav>`,
    view.operator,
  );
}

export interface OperatorsView {
  operator: Operator;
  sessions: ConsoleLink[];
  links: ConsoleLink[];
  notice?: string;
}

/** The admin's page of who may use this console now, each with the button that removes them at once. */
export function renderOperators(view: OperatorsView, nonce: string): Rendered {
  const { operator } = view;
  const endForm = (field: 'session' | 'link' | 'email', value: string, label: string) =>
    html`<form method="post" action="${CONSOLE_PATH}/operators/end" class="inline">${csrfField(operator)}<input type="hidden"
name="${field}" value="${value}"><button type="submit" class="danger">${label}</button></form>`;
  const row = (entry: ConsoleLink, kind: 'session' | 'link') => html`<tr>
<td><code>${entry.id}</code>${kind === 'session' && entry.id === operator.session.id ? ' (you)' : ''}</td>
<td>${entry.email}</td>
<td>${entry.role}</td>
<td><time datetime="${new Date(entry.expires * 1000).toISOString()}">${time(entry.expires)}</time></td>
<td>${endForm(kind, entry.id, kind === 'session' ? 'End session' : 'Cancel link')} ${endForm(
    'email',
    entry.email,
    'Remove this operator',
  )}</td>
</tr>`;
  const table = (entries: ConsoleLink[], kind: 'session' | 'link', until: string, none: string) =>
    entries.length === 0
      ? html`<p>${none}</p>`
      : scrollRegion(
          kind === 'session' ? 'Signed-in operators' : 'Unused sign-in links',
          html`<table>
<thead><tr><th scope="col">Id</th><th scope="col">Operator</th><th scope="col">Role</th><th scope="col">${until}</th><th
scope="col">Remove</th></tr></thead>
<tbody>${entries.map((entry) => row(entry, kind))}</tbody></table>`,
        );
  return document(
    'Operators',
    nonce,
    html`<h1>Operators</h1>
${view.notice && html`<p class="notice" role="status">${view.notice}</p>`}
<p>Who may use this console of ${operator.session.scope.account} in ${operator.session.scope.mode} mode now. Ending a session or canceling a
link takes effect at once: the operator's next request is refused. <em>Remove this operator</em> ends every session and cancels every unused
link of that address. Each is recorded in the audit log.</p>
<section aria-labelledby="signed-in"><h2 id="signed-in">Signed in</h2>${table(
      view.sessions,
      'session',
      'Until',
      'Nobody is signed in.',
    )}</section>
<section aria-labelledby="links"><h2 id="links">Unused sign-in links</h2>${table(
      view.links,
      'link',
      'Valid until',
      'No unused link.',
    )}</section>`,
    operator,
  );
}

/** The roles, as docs/console.md and the sign-in page name them. */
export const roleList = () => Object.entries(ROLE_ABILITIES).map(([role, abilities]) => `${role}: ${abilities}`);

/** The page frame and the pieces other pages of the console build with (functions/console/render-review.ts). */
export { document as consoleDocument, csrfField, personal, personalRows, row, statusBadge, time };
