/**
 * The console's "To review" page as HTML (the discipline of functions/console/render.ts: every
 * dynamic string escaped by `html`, no script, personal values only in a revealed page).
 */
import { REVIEW_REASONS, type ReviewReason } from '../domain/review-policy';
import type { ExtractedPerson } from '../domain/verification-checks';
import { html, type Html } from '../hosted-page/render';
import type { HeldReview } from '../store/review-queue';
import { CONSOLE_PATH } from './console-access';
import { consoleDocument, csrfField, personalRows, row, time, type Operator, type Rendered } from './render';

export interface ReviewItemView {
  review: HeldReview;
  /** The session's type (`document`, `id_number`…). */
  type: string;
  /** A person may mark it verified (the checks read the person and ran every check). */
  canVerify: boolean;
  /** The codes a person may give it for `requires_input`. */
  codes: string[];
}

export interface ReviewQueueView {
  operator: Operator;
  items: ReviewItemView[];
  revealed: boolean;
  /** Short-lived image links by file id; only on a revealed page. */
  images: Record<string, string>;
  now: Date;
  /** This page's cursor, when it is not the first. */
  after?: string;
  /** The next page's cursor (the last item's submission), when there is one. */
  next?: string;
  notice?: string;
}

/** A wait as hours and minutes: "3 h 05 min", "12 min". */
const waited = (seconds: number) => {
  const minutes = Math.max(0, Math.floor(seconds / 60));
  return minutes >= 60 ? `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min` : `${minutes} min`;
};

const FILE_CAPTIONS = { document_front: 'Document front', document_back: 'Document back', selfie: 'Selfie' } as const;

function images(view: ReviewQueueView, review: HeldReview): Html | null {
  const files = (Object.keys(FILE_CAPTIONS) as (keyof typeof FILE_CAPTIONS)[]).flatMap((part) => {
    const id = review.files[part];
    // A Face Liveness capture's reference image stands as the selfie: captioned as the report's page captions it (render.ts).
    const caption = part === 'selfie' && id === review.liveness?.reference ? 'Liveness reference' : FILE_CAPTIONS[part];
    return id ? [{ id, caption }] : [];
  });
  if (files.length === 0) return null;
  if (!view.revealed) return html`<p class="note">${files.length} image${files.length > 1 ? 's' : ''}, hidden.</p>`;
  return html`<div class="images">${files.map(({ id, caption }) =>
    view.images[id]
      ? html`<figure><img src="${view.images[id]}" alt="${caption} (${id})"><figcaption>${caption}</figcaption></figure>`
      : null,
  )}</div>`;
}

/** What the checks read of the person, flattened (the document's fields beside the person's). */
function personOf(person: ExtractedPerson | null): Record<string, unknown> | null {
  if (!person) return null;
  const { document, ...rest } = person;
  if (!document) return rest;
  const { type, ...fields } = document;
  return { ...rest, document_type: type, ...fields };
}

function decideForms(view: ReviewQueueView, item: ReviewItemView): Html {
  const { review } = item;
  const action = `${CONSOLE_PATH}/verification_sessions/${review.session}/override`;
  const id = review.submission;
  const fields = (status: string) =>
    html`${csrfField(view.operator)}<input type="hidden" name="status" value="${status}">\
<input type="hidden" name="return_to" value="review">`;
  const reason = (suffix: string) =>
    html`<label for="reason-${suffix}-${id}">Reason (required, at most 500 characters; kept in the audit log: \
write no personal data)</label>
<textarea id="reason-${suffix}-${id}" name="reason" required maxlength="500" rows="2"></textarea>`;
  return html`<div class="decide">
${
  item.canVerify
    ? html`<form method="post" action="${action}" class="action">${fields('verified')}
<p>Approve: the session becomes verified with what the checks read, and the verified webhook is sent.</p>
${reason('approve')}
<button type="submit">Approve: mark verified</button></form>`
    : html`<p class="note">The checks did not read every part of this verification: it can only be marked not verified.</p>`
}
${
  item.codes.length > 0
    ? html`<form method="post" action="${action}" class="action">${fields('requires_input')}
<p>Reject: the session goes back to requires input with the error you choose, and the requires_input webhook is sent.</p>
<label for="code-${id}">Error code</label>
<select id="code-${id}" name="code" required>${item.codes.map((code) => html`<option value="${code}">${code}</option>`)}</select>
${reason('reject')}
<button type="submit" class="danger">Reject: mark not verified</button></form>`
    : ''
}
</div>`;
}

function itemCard(view: ReviewQueueView, item: ReviewItemView): Html {
  const { review } = item;
  const { outcome } = review;
  const signals = outcome.signals ?? {};
  const heading = `review-${review.submission}`;
  const sessionLink = (id: string) => html`<a href="${CONSOLE_PATH}/verification_sessions/${id}"><code>${id}</code></a>`;
  return html`<article class="card report" aria-labelledby="${heading}">
<h2 id="${heading}">Session ${sessionLink(review.session)}</h2>
<p class="meta">${item.type} · held ${time(review.held)} · waiting ${waited(view.now.getTime() / 1000 - review.held)}</p>
<h3>Why it is here</h3>
<ul>${review.reasons.map((reason: ReviewReason) => html`<li><code>${reason}</code> ${REVIEW_REASONS[reason] ?? ''}</li>`)}</ul>
<dl>
${row(
  "Checks' verdict",
  outcome.failure ? html`failed: <code>${outcome.failure.code}</code> ${outcome.failure.reason}` : html`passed (${outcome.ran.join(', ')})`,
)}
${signals.face_similarity !== undefined ? row('Face similarity', String(signals.face_similarity)) : ''}
${signals.liveness_confidence !== undefined ? row('Liveness confidence', String(signals.liveness_confidence)) : ''}
${outcome.blocked_by_entry?.document ? row('Blocklist entry (document)', html`<code>${outcome.blocked_by_entry.document}</code>`) : ''}
${outcome.blocked_by_entry?.selfie ? row('Blocklist entry (selfie)', html`<code>${outcome.blocked_by_entry.selfie}</code>`) : ''}
${
  outcome.duplicate_of?.length
    ? row(
        'Same document verified in',
        outcome.duplicate_of.map((id, i) => html`${i > 0 ? ', ' : ''}${sessionLink(id)}`),
      )
    : ''
}
</dl>
<h3>What the checks read</h3>
<dl>${outcome.person ? personalRows(personOf(outcome.person), view.revealed) : row('Person', html`<span class="none">—</span>`)}</dl>
${images(view, review)}
${decideForms(view, item)}
</article>`;
}

export function renderReviewQueue(view: ReviewQueueView, nonce: string): Rendered {
  const reveal =
    !view.revealed && view.items.length > 0
      ? html`<form method="post" action="${CONSOLE_PATH}/review/reveal" class="inline">${csrfField(view.operator)}${
          view.after ? html`<input type="hidden" name="starting_after" value="${view.after}">` : ''
        }<button type="submit">Reveal personal data and images</button> <span class="note">Each session's reveal is recorded in the audit
log.</span></form>`
      : null;
  return consoleDocument(
    'To review',
    nonce,
    html`<h1>To review</h1>
<p>Verifications the account's review policy holds for a person, oldest first. Each session stays <code>processing</code> until you
decide it: approving marks it verified, rejecting sends it back to requires input with the error you choose. Either sends the webhook,
and the audit log records your decision and its reason.</p>
${view.notice && html`<p class="notice" role="status">${view.notice}</p>`}
${reveal}
${view.revealed && html`<p class="notice" role="status">Personal data revealed. This look is recorded in the audit log.</p>`}
${view.items.length ? view.items.map((item) => itemCard(view, item)) : html`<p>Nothing to review.</p>`}
${view.next && html`<p><a href="${CONSOLE_PATH}/review?starting_after=${view.next}">Next page</a></p>`}`,
    view.operator,
  );
}
