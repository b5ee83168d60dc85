/**
 * Brings sessions stored before crypto-shredding under keys of their own
 * (docs/reference/redaction.md, *Crypto-shredding*, sessions stored before this change): each session item without a sealed
 * value is written again through `changeSession` (which gives it a key in the same transaction),
 * then its reports, events and saved responses still in clear are sealed under that key. Redacted
 * sessions hold nothing personal and are left alone; submissions live a day at most and are not
 * touched. Copies the stream and backups made before stay as they were until they expire
 * (24 hours, 35 days). Every step can run again: what is sealed is skipped.
 */
import { ScanCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { VerificationSession } from '../domain/verification-session';
import type { Scope } from '../domain/scope';
import { dynamo, setAttributesUnlessConditionFails, writeUnlessConditionFails, type StoredItem } from './client';
import { EVENT_KIND, eventItem } from './event-items';
import { IDEMPOTENCY_KIND, type SavedResponse } from './idempotency';
import { tableName } from './schema';
import { pageOfCopies } from './session-copies';
import { sealedAttribute, sealedName } from './session-keys';
import { changeSession } from './sessions';
import { REPORT_KIND, reportItem } from './verification-reports';
import type { VerificationReport } from '../domain/verification-report';
import type { StripeEvent } from '../domain/events';
import { withMetadataOfStored } from './metadata-attribute';

export interface SealCounts {
  sessions: number;
  copies: number;
}

/** Seals every session of the table (or of one account) stored before keys, and its copies; `onSession` hears of each. */
export async function sealSessionsStoredBeforeKeys(
  options: { account?: string; onSession?: (id: string) => void } = {},
): Promise<SealCounts> {
  const { account, onSession } = options;
  const counts: SealCounts = { sessions: 0, copies: 0 };
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new ScanCommand({
        TableName: tableName(),
        ExclusiveStartKey,
        FilterExpression: `sk = :kind AND attribute_not_exists(#sealed)${account ? ' AND begins_with(pk, :account)' : ''}`,
        ExpressionAttributeNames: { '#sealed': sealedName('session') },
        ExpressionAttributeValues: { ':kind': 'verification_session', ...(account ? { ':account': `${account}#` } : {}) },
      }),
    );
    for (const item of page.Items ?? []) {
      const stored = item.session as VerificationSession;
      if (stored.redaction?.status === 'redacted') continue;
      const scope: Scope = { account: stored.account, mode: stored.mode };
      // Written again as it is: the write gives it its key.
      await changeSession(scope, stored.id, (session) => (session.redaction?.status === 'redacted' ? null : { session, events: [] }));
      counts.sessions += 1;
      counts.copies += await sealCopies(scope, stored.id);
      onSession?.(stored.id);
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return counts;
}

/** Seals the session's reports, events and saved responses still in clear; how many. */
async function sealCopies(scope: Scope, sessionId: string): Promise<number> {
  let sealed = 0;
  for (const [kind, { attribute, seal }] of Object.entries(sealers)) {
    let after: Awaited<ReturnType<typeof pageOfCopies>>['next'];
    do {
      const page = await pageOfCopies(scope, kind, sessionId, { limit: 100, after });
      for (const item of page.items) {
        if (item[sealedName(attribute)] !== undefined) continue;
        if (await seal(item, scope, sessionId)) sealed += 1;
      }
      after = page.next;
    } while (after);
  }
  return sealed;
}

type Sealer = (item: StoredItem, scope: Scope, sessionId: string) => Promise<boolean>;

const sealReport: Sealer = async (item) => {
  const report = item.report as VerificationReport;
  if (report.redacted) return false;
  return writeUnlessConditionFails(
    new PutCommand({ TableName: tableName(), Item: reportItem(report), ConditionExpression: 'attribute_exists(pk)' }),
  );
};

const sealEvent: Sealer = async (item, scope) => {
  if (item.redacted === true) return false;
  const event = item.event as StripeEvent;
  const built = eventItem({ ...event, data: { ...event.data, object: withMetadataOfStored(event.data.object) } }, scope);
  // Only the copy: the webhook worker counts pending_webhooks on the same item meanwhile.
  return setAttributesUnlessConditionFails(
    item,
    { event: built.event, [sealedName('event')]: built[sealedName('event')] },
    { condition: 'attribute_exists(pk) AND attribute_not_exists(#sealed)', names: { '#sealed': sealedName('event') } },
  );
};

const sealResponse: Sealer = async (item, scope, sessionId) => {
  const response = item.response as SavedResponse;
  if (typeof response?.body !== 'string') return false;
  const { body: _body, ...clear } = response;
  const full = { ...response, session: sessionId };
  const sealed = sealedAttribute(item as { pk: string; sk: string }, 'response', full, { ...clear, session: sessionId }, scope, sessionId);
  return setAttributesUnlessConditionFails(
    item,
    { response: sealed.response, [sealedName('response')]: sealed[sealedName('response')] },
    {
      condition: 'attribute_exists(#response.body) AND attribute_not_exists(#sealed)',
      names: { '#response': 'response', '#sealed': sealedName('response') },
    },
  );
};

/** Each kind of copy, the attribute that holds it (and its sealed form), and how it is sealed. */
const sealers: Record<string, { attribute: string; seal: Sealer }> = {
  [REPORT_KIND]: { attribute: 'report', seal: sealReport },
  [EVENT_KIND]: { attribute: 'event', seal: sealEvent },
  [IDEMPOTENCY_KIND]: { attribute: 'response', seal: sealResponse },
};
