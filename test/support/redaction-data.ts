/**
 * Sessions with known personal data and as many copies of it as a test or bench needs (written
 * straight through the store, not one HTTP call each), and the stream records that start and
 * continue a redaction. No test runner here: `bench/redaction.ts` uses it too.
 */
import { BatchWriteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { testModeOutcome } from '../../functions/checks/test-mode';
import { createVerificationSession, redactVerificationSession } from '../../functions/domain/verification-session';
import type { Scope } from '../../functions/domain/scope';
import { changeWithEvents } from '../../functions/flows/outbox';
import { dynamo } from '../../functions/store/client';
import { EVENT_KIND } from '../../functions/store/event-items';
import { redactionJobKey, redactionProgressKey } from '../../functions/store/redaction-jobs';
import { pageOfCopies } from '../../functions/store/session-copies';
import { tableName } from '../../functions/store/schema';
import { changeSession, insertSession } from '../../functions/store/sessions';
import { REPORT_KIND } from '../../functions/store/verification-reports';
import { TTL_DELETION_IDENTITY } from '../../functions/streams/ttl-deletion';
import { submitAndConcludeChange } from '../../functions/flows/verification-flow';
import { newObjectId } from '../../functions/domain/ids';

export const PERSONAL = ['ref-jane-doe', 'jane@example.com', '+1 555 0100', 'Jenny', 'Rosen', '1234 Main St.', 'D1234567'];

/**
 * A verified session with known personal data, then marked for redaction by its business (its
 * job due at `due`, default now): one report and a few events.
 */
export async function verifiedThenRedacted(scope: Scope, due?: Date) {
  const session = await verifiedSession(scope);
  await markForRedaction(scope, session.id, due);
  return session;
}

/** A verified session with known personal data: one report, a few events. */
export async function verifiedSession(scope: Scope) {
  const now = new Date();
  const session = createVerificationSession(
    {
      type: 'document',
      client_reference_id: 'ref-jane-doe',
      metadata: { email: 'jane@example.com' },
      provided_details: { email: 'jane@example.com', phone: '+1 555 0100' },
    },
    { id: newObjectId('vs', now.getTime()), scope, now },
  );
  await insertSession(changeWithEvents(null, session, { request: null, now }));
  const submission = { id: newObjectId('vsub', now.getTime()), session: session.id, created: 0, consent: 'given' as const, files: {} };
  await changeSession(scope, session.id, (current, at) =>
    submitAndConcludeChange(current, submission, (p) => testModeOutcome(p, submission), { request: null, now: at }),
  );
  return session;
}

/** What a redact call does: marks the session and writes its job, due at `due` (default now). */
export async function markForRedaction(scope: Scope, sessionId: string, due?: Date): Promise<void> {
  await changeSession(scope, sessionId, (current, at) =>
    changeWithEvents(current, redactVerificationSession(current, due ?? at), { request: null, now: at }),
  );
}

/**
 * Adds `count` more reports and `count` more events to the session, each a copy of one it has:
 * what a session cycled through the test helpers `count` times holds.
 */
export async function addCopies(scope: Scope, sessionId: string, count: number): Promise<void> {
  const [report] = (await pageOfCopies(scope, REPORT_KIND, sessionId, { limit: 1 })).items;
  const [event] = (await pageOfCopies(scope, EVENT_KIND, sessionId, { limit: 1 })).items;
  const copies: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const reportId = newObjectId('vr');
    copies.push({ ...report, pk: `${scope.account}#${scope.mode}#${reportId}`, id: reportId, report: { ...report!.report, id: reportId } });
    const eventId = newObjectId('evt');
    copies.push({ ...event, pk: `${scope.account}#${scope.mode}#${eventId}`, id: eventId, event: { ...event!.event, id: eventId } });
  }
  for (let i = 0; i < copies.length; i += 25) {
    await dynamo().send(
      new BatchWriteCommand({ RequestItems: { [tableName()]: copies.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }),
    );
  }
}

/** Every report and event item of the session. */
export async function copiesOf(scope: Scope, sessionId: string): Promise<Record<string, any>[]> {
  const items: Record<string, any>[] = [];
  for (const kind of [REPORT_KIND, EVENT_KIND]) {
    for (
      let page = await pageOfCopies(scope, kind, sessionId, { limit: 1000 });
      ;
      page = await pageOfCopies(scope, kind, sessionId, { limit: 1000, after: page.next })
    ) {
      items.push(...page.items);
      if (!page.next) break;
    }
  }
  return items;
}

/** The removal of the session's job item as AWS's stream delivers it: by TTL, or by someone else. */
export function jobRemoval(scope: Scope, sessionId: string, byTtl = true): DynamoDBRecord {
  const image = marshall({ ...redactionJobKey(scope, sessionId), scope, session: sessionId, expires_at: 1 });
  return record('REMOVE', { OldImage: image }, byTtl);
}

/** The session's saved redaction progress, and the stream record its write made (undefined: none saved). */
export async function savedProgress(
  scope: Scope,
  sessionId: string,
): Promise<{ item: Record<string, any>; record: DynamoDBRecord } | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: redactionProgressKey(scope, sessionId), ConsistentRead: true }),
  );
  return (
    Item && {
      item: Item,
      record: record(Item.progress.step === 1 ? 'INSERT' : 'MODIFY', { NewImage: marshall(Item, { removeUndefinedValues: true }) }, false),
    }
  );
}

let sequence = 5000;
function record(
  eventName: DynamoDBRecord['eventName'],
  images: { OldImage?: unknown; NewImage?: unknown },
  byTtl: boolean,
): DynamoDBRecord {
  const image = (images.OldImage ?? images.NewImage) as Record<string, any>;
  return {
    eventID: `${sequence}`,
    eventName,
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-west-1',
    ...(byTtl ? { userIdentity: { ...TTL_DELETION_IDENTITY } } : {}),
    dynamodb: {
      Keys: { pk: image.pk, sk: image.sk },
      ...(images as object),
      SequenceNumber: `${sequence++}`,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  } as DynamoDBRecord;
}
