/**
 * `POST /v1/identity/blocklist_entries` (Stripe's preview API): an entry from one of the scope's
 * verification reports, `entry_type` `document` (its type, number and issuing country) or `selfie`.
 * 404 `resource_missing` (param `verification_report`) for a report of no session of this scope;
 * 400 for a redacted report or one without what the entry blocks (a `selfie` entry: a report
 * without a selfie, or whose selfie holds no face the face index can take). A selfie's face is
 * indexed (functions/store/faces.ts) before the entry is stored, and removed again if storing fails.
 * `check_existing_verifications=true` ("retroactively unverify matching verifications") writes the
 * entry's job (functions/store/blocklist-checks.ts) in the entry's own transaction: the blocklist check
 * worker then sends the scope's verified sessions that match back to `requires_input`
 * (functions/flows/blocklist-check.ts); the request itself changes no session. A value that is not a
 * boolean is a 400 naming the parameter. One unfinished job per account and mode: while one runs, a
 * create with `check_existing_verifications=true` is a 400 `blocklist_check_in_progress` (param
 * `check_existing_verifications`, naming the running entry) and stores nothing.
 */
import {
  BLOCKLIST_ENTRY_ID_PREFIX,
  BLOCKLIST_ENTRY_TYPES,
  createBlocklistEntry,
  documentIdentity,
  type BlocklistEntry,
} from '../domain/blocklist-entry';
import type { EventRequest } from '../domain/events';
import { blocklistCheckWrite, runningCheckOf, type BlocklistCheck } from '../store/blocklist-checks';
import { verifiedDocumentsPartition } from '../store/verified-documents';
import { invalidParameter, resourceMissing } from '../domain/errors';
import type { SessionChange } from '../store/sessions';
import type { IndexedFace } from '../domain/face-index';
import type { Scope } from '../domain/scope';
import type { VerificationReport } from '../domain/verification-report';
import { documentDigest, insertBlocklistEntry } from '../store/blocklist-entries';
import { faceIndexFor } from '../store/faces';
import { keyEncryptionKey } from '../store/key-encryption-key';
import { getReport } from '../store/verification-reports';
import { renderBlocklistEntry } from '../wire/blocklist-entry';
import { expandParam, resolveExpand } from '../wire/expand';
import { isObjectId, newObjectId } from '../domain/ids';
import { boolean, oneOf, required, requiredString } from '../wire/schema';
import { stripeEndpoint } from './endpoint';

export const handler = stripeEndpoint(
  {
    entry_type: required(oneOf(BLOCKLIST_ENTRY_TYPES)),
    verification_report: required(requiredString({ maxLength: 100 })),
    check_existing_verifications: boolean(),
    expand: expandParam(),
  },
  async ({ params, scope, origin, saveResponse }) => {
    resolveExpand(params.expand, []);
    const reportId = params.verification_report!;
    const report = isObjectId('vr', reportId) ? await getReport(scope, reportId) : undefined;
    if (!report) throw resourceMissing('verification_report', reportId, 'verification_report');
    const entry = createBlocklistEntry(report, params.entry_type!, {
      id: newObjectId(BLOCKLIST_ENTRY_ID_PREFIX, origin.now.getTime()),
      now: origin.now,
    });
    await keyEncryptionKey();
    const matchBy = entry.type === 'selfie' ? await indexSelfie(scope, entry.id, report.selfie!.selfie!) : documentMatchBy(scope, report);
    const body = renderBlocklistEntry(entry);
    // The saved response goes in the entry's own transaction: an entry is stored with its answer or not at all.
    const save = saveResponse?.(() => body);
    try {
      const check = params.check_existing_verifications === true ? blocklistCheckWrite(newCheck(scope, entry, report, origin)) : [];
      await insertBlocklistEntry(entry, matchBy, [...check, ...(save ? [{ Put: save.put({} as SessionChange) }] : [])]);
    } catch (error) {
      // No entry names the face: take it out of the collection again.
      if (entry.type === 'selfie') await faceIndexFor(scope.mode).remove(matchBy!);
      const running = runningCheckOf(error);
      if (running) throw checkInProgress(running);
      throw error;
    }
    save?.stored();
    return body;
  },
);

/** The job of an entry created with `check_existing_verifications=true`, at its start. */
function newCheck(scope: Scope, entry: BlocklistEntry, report: VerificationReport, origin: { request: EventRequest }): BlocklistCheck {
  const documents = entry.type === 'document' ? verifiedDocumentsPartition(scope, report.document) : undefined;
  return { scope, entry: entry.id, type: entry.type, ...(documents ? { documents } : {}), request: origin.request, step: 0 };
}

/** Bounds the face searches and report reads one account's jobs cost (functions/store/blocklist-checks.ts). */
function checkInProgress(running: string) {
  return invalidParameter(
    'blocklist_check_in_progress',
    `The BlocklistEntry ${running} is still checking existing verifications of this account; ` +
      'create this entry with check_existing_verifications once it has finished, or disable it first.',
    'check_existing_verifications',
  );
}

function documentMatchBy(scope: Scope, report: VerificationReport): IndexedFace | undefined {
  const document = documentIdentity(report.document);
  return document && { digest: documentDigest(scope, document) };
}

async function indexSelfie(scope: Scope, entryId: string, selfie: string): Promise<IndexedFace> {
  const face = await faceIndexFor(scope.mode).index(scope, entryId, selfie);
  if (!face) {
    throw invalidParameter(
      'parameter_invalid',
      'The selfie of this VerificationReport holds no face that can be blocked (or its image is no longer kept).',
      'verification_report',
    );
  }
  return face;
}
