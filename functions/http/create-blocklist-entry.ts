/**
 * `POST /v1/identity/blocklist_entries` (Stripe's preview API): an entry from one of the scope's
 * verification reports, `entry_type` `document` (its type, number and issuing country) or `selfie`.
 * 404 `resource_missing` (param `verification_report`) for a report of no session of this scope;
 * 400 for a redacted report or one without what the entry blocks. `check_existing_verifications`
 * (retroactively unverify matching verifications) is refused for now: Verity does not run it.
 */
import { BLOCKLIST_ENTRY_ID_PREFIX, BLOCKLIST_ENTRY_TYPES, createBlocklistEntry, documentIdentity } from '../domain/blocklist-entry';
import { invalidParameter, resourceMissing } from '../domain/errors';
import type { SessionChange } from '../store/sessions';
import { documentDigest, insertBlocklistEntry } from '../store/blocklist-entries';
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
    if (params.entry_type === 'selfie') {
      throw invalidParameter(
        'parameter_invalid',
        'Invalid entry_type: Verity blocks documents for now; selfie entries are not available yet.',
        'entry_type',
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
    const document = documentIdentity(report.document);
    const body = renderBlocklistEntry(entry);
    // The saved response goes in the entry's own transaction: an entry is stored with its answer or not at all.
    const save = saveResponse?.(() => body);
    await insertBlocklistEntry(entry, document && documentDigest(scope, document), save && { Put: save.put({} as SessionChange) });
    save?.stored();
    return body;
  },
);
