/**
 * `POST /v1/identity/blocklist_entries/{id}/disable` (Stripe's preview API): for good; the entry's
 * match is deleted with the change (a selfie's face in a Rekognition collection just after it), so it
 * blocks nothing from then on. 400
 * `blocklist_entry_unexpected_state` for an entry already disabled or redacted; 404 for no entry.
 */
import { BLOCKLIST_ENTRY_ID_PREFIX, disableBlocklistEntry } from '../domain/blocklist-entry';
import { VerityError } from '../domain/errors';
import type { SessionChange } from '../store/sessions';
import { entryMissing, getBlocklistEntry, replaceBlocklistEntry } from '../store/blocklist-entries';
import { renderBlocklistEntry } from '../wire/blocklist-entry';
import { expandParam, resolveExpand } from '../wire/expand';
import { isObjectId } from '../domain/ids';
import type { IndexedFace } from '../domain/face-index';
import { removeIndexedFace } from '../store/rekognition-faces';
import { stripeEndpoint } from './endpoint';

/** A disable racing another change of the same entry reads it again, this many times at most. */
const ATTEMPTS = 3;

export const handler = stripeEndpoint({ expand: expandParam() }, async ({ params, scope, pathId, origin, saveResponse }) => {
  resolveExpand(params.expand, []);
  if (!pathId || !isObjectId(BLOCKLIST_ENTRY_ID_PREFIX, pathId)) throw entryMissing(pathId ?? '');
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const stored = await getBlocklistEntry(scope, pathId);
    if (!stored) throw entryMissing(pathId);
    const disabled = disableBlocklistEntry(stored.entry, origin.now);
    const body = renderBlocklistEntry(disabled);
    const save = saveResponse?.(() => body);
    if (await replaceBlocklistEntry(stored.item, disabled, save && { Put: save.put({} as SessionChange) })) {
      save?.stored();
      // A face in a Rekognition collection is deleted too (a search ignores a disabled entry's face in any case).
      if (stored.item.face) await removeIndexedFace(stored.item.face as IndexedFace);
      return body;
    }
  }
  throw new VerityError('conflict', 'lock_timeout', 'This BlocklistEntry is being changed by other requests right now. Retry the request.');
});
