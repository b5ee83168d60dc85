/**
 * `POST /v1/identity/blocklist_entries` (Stripe's preview API): an entry from one of the scope's
 * verification reports, `entry_type` `document` (its type, number and issuing country) or `selfie`.
 * 404 `resource_missing` (param `verification_report`) for a report of no session of this scope;
 * 400 for a redacted report or one without what the entry blocks (a `selfie` entry: a report
 * without a selfie, or whose selfie holds no face the face index can take). A selfie's face is
 * indexed (functions/store/faces.ts) before the entry is stored, and removed again if storing fails.
 * `check_existing_verifications` (retroactively unverify matching verifications) is refused for now.
 */
import { BLOCKLIST_ENTRY_ID_PREFIX, BLOCKLIST_ENTRY_TYPES, createBlocklistEntry, documentIdentity } from '../domain/blocklist-entry';
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
    if (params.check_existing_verifications === true) {
      throw invalidParameter(
        'parameter_invalid',
        'Invalid check_existing_verifications: Verity does not unverify existing verifications yet; leave it out or false.',
        'check_existing_verifications',
      );
    }
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
      await insertBlocklistEntry(entry, matchBy, save && { Put: save.put({} as SessionChange) });
    } catch (error) {
      // No entry names the face: take it out of the collection again.
      if (entry.type === 'selfie') await faceIndexFor(scope.mode).remove(matchBy!);
      throw error;
    }
    save?.stored();
    return body;
  },
);

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
