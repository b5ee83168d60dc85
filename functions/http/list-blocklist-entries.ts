/**
 * `GET /v1/identity/blocklist_entries` (Stripe's preview API): newest first, filtered by
 * `created`, `status`, `type` and `verification_report`, with Stripe's cursors.
 */
import { BLOCKLIST_ENTRY_ID_PREFIX, BLOCKLIST_ENTRY_STATUSES, BLOCKLIST_ENTRY_TYPES } from '../domain/blocklist-entry';
import { listBlocklistEntries } from '../store/blocklist-entries';
import { BLOCKLIST_ENTRIES_URL, renderBlocklistEntry } from '../wire/blocklist-entry';
import { resolveExpand } from '../wire/expand';
import { checkCursors, listEnvelope, pageParams, pageQuery } from '../wire/lists';
import { oneOf, string } from '../wire/schema';
import { stripeEndpoint } from './endpoint';

export const handler = stripeEndpoint(
  {
    ...pageParams(),
    status: oneOf(BLOCKLIST_ENTRY_STATUSES),
    type: oneOf(BLOCKLIST_ENTRY_TYPES),
    verification_report: string({ maxLength: 100 }),
  },
  async ({ params, scope }) => {
    checkCursors(params, BLOCKLIST_ENTRY_ID_PREFIX, 'identity.blocklist_entry');
    resolveExpand(params.expand, [], { list: true });
    const { data, hasMore } = await listBlocklistEntries(scope, {
      ...pageQuery(params),
      status: params.status,
      type: params.type,
      verificationReport: params.verification_report,
    });
    return listEnvelope(BLOCKLIST_ENTRIES_URL, data.map(renderBlocklistEntry), hasMore);
  },
);
