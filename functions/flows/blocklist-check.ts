/**
 * `check_existing_verifications` (Stripe's preview: "retroactively unverify matching
 * verifications"): the job a BlocklistEntry created with it starts (functions/store/blocklist-checks.ts),
 * run by the blocklist check worker (functions/streams/check-existing-verifications.ts), never in
 * the create request. It walks the verified sessions of the entry's own account and mode a page at a
 * time and sends each one that matches the entry back to `requires_input`
 * (functions/flows/session-actions.ts `unverifyBlockedSession`), with its events, webhooks and an
 * audit record naming the entry.
 *
 * - A **document** entry walks the verified documents index partition of its document (the keyed
 *   digest duplicate detection uses, functions/store/verified-documents.ts): only sessions verified
 *   with that very document, whatever their number.
 * - A **selfie** entry walks every verified session of the scope (the by-status index) and asks the
 *   face index (functions/store/faces.ts) whether the last report's selfie matches the entry.
 *
 * One run does one page, then saves the cursor (the step's write hands the next page to the next
 * run); a run that crashes before saving is run again from the last saved cursor, and the sessions
 * it already changed are no longer verified, so nothing is done twice. The job stops when its
 * entry is no longer active (disabled or redacted), checked at every page.
 */
import type { BlocklistEntry } from '../domain/blocklist-entry';
import type { Scope } from '../domain/scope';
import { getBlocklistEntry } from '../store/blocklist-entries';
import {
  finishBlocklistCheck,
  getBlocklistCheck,
  saveBlocklistCheck,
  stopBlocklistCheck,
  type BlocklistCheck,
} from '../store/blocklist-checks';
import { consoleAuditPut } from '../store/audit-log';
import { faceIndexFor } from '../store/faces';
import { listSessions } from '../store/sessions';
import { getReport } from '../store/verification-reports';
import { pageOfVerifiedSessions } from '../store/verified-documents';
import { unverifyBlockedSession } from './session-actions';

/** Sessions read per page (per run) unless `VERITY_BLOCKLIST_CHECK_PAGE_SIZE` (1 to 100) says otherwise. */
export const DEFAULT_BLOCKLIST_CHECK_PAGE_SIZE = 25;

export function blocklistCheckPageSize(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.VERITY_BLOCKLIST_CHECK_PAGE_SIZE);
  return Number.isInteger(value) && value >= 1 && value <= 100 ? value : DEFAULT_BLOCKLIST_CHECK_PAGE_SIZE;
}

/**
 * - `continued`: a page done and its cursor saved (the next run carries on);
 * - `finished`: the last page done, the job deleted;
 * - `stopped`: the entry is no longer active, the job deleted;
 * - `overtaken`: the job is past `step` (a redelivered record) or gone: nothing done.
 */
export type BlocklistCheckResult = 'continued' | 'finished' | 'stopped' | 'overtaken';

/**
 * Runs the page at `step` of the job of entry `entryId` of `scope`: at most `pageSize` sessions
 * read, those matching unverified. Answers what it did and how many sessions it unverified.
 */
export async function runBlocklistCheck(
  scope: Scope,
  entryId: string,
  step: number,
  pageSize = blocklistCheckPageSize(),
): Promise<{ result: BlocklistCheckResult; unverified: number }> {
  const job = await getBlocklistCheck(scope, entryId);
  if (!job || job.step !== step) return { result: 'overtaken', unverified: 0 };
  const stored = await getBlocklistEntry(scope, entryId);
  if (stored?.entry.status !== 'active') {
    await stopBlocklistCheck(scope, entryId);
    return { result: 'stopped', unverified: 0 };
  }
  const entry = stored.entry;
  const page = entry.type === 'document' ? await documentPage(job, pageSize) : await selfiePage(job, pageSize);
  let unverified = 0;
  // One at a time: a page is small, and each change is a transaction on its own session.
  for (const session of page.matches) if (await unverify(scope, session, entry, job)) unverified++;
  if (page.next === undefined) {
    await finishBlocklistCheck(job);
    return { result: 'finished', unverified };
  }
  const saved = await saveBlocklistCheck(job, { ...job, step: job.step + 1, after: page.next });
  return { result: saved ? 'continued' : 'overtaken', unverified };
}

interface Page {
  /** The sessions of the page that match the entry. */
  matches: string[];
  /** Where the next page starts; undefined on the last. */
  next?: string;
}

/** Every session of the document's partition matches: it was verified with that document. */
async function documentPage(job: BlocklistCheck, pageSize: number): Promise<Page> {
  if (!job.documents) return { matches: [] };
  const { sessions, next } = await pageOfVerifiedSessions(job.scope, job.documents, job.after, pageSize);
  return { matches: sessions, next };
}

/** The verified sessions whose last report's selfie the face index matches to the entry. */
async function selfiePage(job: BlocklistCheck, pageSize: number): Promise<Page> {
  const { scope } = job;
  const { sessions, hasMore } = await listSessions(scope, { limit: pageSize, startingAfter: job.after, status: 'verified' });
  const faces = faceIndexFor(scope.mode);
  const matches: string[] = [];
  for (const session of sessions) {
    // The list index is eventually consistent: the session's own item is read again when it is changed.
    const report = session.last_verification_report ? await getReport(scope, session.last_verification_report) : undefined;
    const selfie = report?.selfie?.selfie;
    if (selfie && (await faces.search(scope, selfie)).includes(job.entry)) matches.push(session.id);
  }
  return { matches, next: hasMore ? sessions.at(-1)?.id : undefined };
}

function unverify(scope: Scope, session: string, entry: BlocklistEntry, job: BlocklistCheck): Promise<boolean> {
  const now = new Date();
  return unverifyBlockedSession(scope, session, entry, { request: job.request, now }, (change) => {
    const failure = change.session.last_error!;
    return consoleAuditPut(
      scope,
      {
        action: 'blocklist_unverify',
        operator: null,
        blocklist_entry: entry.id,
        target: { object: 'identity.verification_session', id: session },
        request: job.request?.id ?? '',
        decision: { from: 'verified', to: 'requires_input', code: failure.code, reason: failure.reason ?? '' },
      },
      now,
    ).put;
  });
}
