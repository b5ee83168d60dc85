/** `GET /v1/identity/blocklist_entries/{id}` (Stripe's preview API); 404 for an id of no entry of this account and mode. */
import { BLOCKLIST_ENTRY_ID_PREFIX } from '../domain/blocklist-entry';
import { entryMissing, getBlocklistEntry } from '../store/blocklist-entries';
import { renderBlocklistEntry } from '../wire/blocklist-entry';
import { expandParam, resolveExpand } from '../wire/expand';
import { isObjectId } from '../domain/ids';
import { stripeEndpoint } from './endpoint';

export const handler = stripeEndpoint({ expand: expandParam() }, async ({ params, scope, pathId }) => {
  resolveExpand(params.expand, []);
  const stored = pathId && isObjectId(BLOCKLIST_ENTRY_ID_PREFIX, pathId) ? await getBlocklistEntry(scope, pathId) : undefined;
  if (!stored) throw entryMissing(pathId ?? '');
  return renderBlocklistEntry(stored.entry);
});
