/** The Identity BlocklistEntry as Stripe's preview API shows it (stripe-node `Identity/BlocklistEntries.ts`, private-preview). */
import type { BlocklistEntry } from '../domain/blocklist-entry';

export const BLOCKLIST_ENTRIES_URL = '/v1/identity/blocklist_entries';

export function renderBlocklistEntry(entry: BlocklistEntry) {
  return {
    id: entry.id,
    object: 'identity.blocklist_entry' as const,
    created: entry.created,
    disabled_at: entry.disabled_at,
    expires_at: entry.expires_at,
    livemode: entry.mode === 'live',
    status: entry.status,
    type: entry.type,
    verification_report: entry.verification_report,
    verification_session: entry.verification_session,
  };
}
