/**
 * The blocklist check worker, driven with AWS-shaped stream records against DynamoDB Local (a table
 * of its own, so no test file's runtime runs the job meanwhile): an entry created with
 * `check_existing_verifications=true` through its handler writes the job and changes no session;
 * the worker then walks the account and mode's sessions of the document a small page per run, and a
 * run that crashes before saving its cursor is run again from the last saved one without changing a
 * session twice; another account's and the other mode's sessions stay verified; disabling the
 * entry stops its unfinished job.
 */
import { describe, expect, it } from 'vitest';
import type { Scope } from '../../../functions/domain/scope';
import { runBlocklistCheck } from '../../../functions/flows/blocklist-check';
import { handler as createEntry } from '../../../functions/http/create-blocklist-entry';
import { handler as disableEntry } from '../../../functions/http/disable-blocklist-entry';
import { blocklistCheckKey, getBlocklistCheck } from '../../../functions/store/blocklist-checks';
import { dynamo } from '../../../functions/store/client';
import { listEvents } from '../../../functions/store/events';
import { listBlocklistEntries } from '../../../functions/store/blocklist-entries';
import { getSession } from '../../../functions/store/sessions';
import { getReport } from '../../../functions/store/verification-reports';
import { listConsoleAuditEvents } from '../../../functions/store/audit-log';
import { handler } from '../../../functions/streams/check-existing-verifications';
import { newTestAccount } from '../../support/accounts';
import { httpApiEvent, invoke, streamRecord } from '../../support/events';
import { useOwnTable, verifiedSession } from '../../support/redaction';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { tableName } from '../../../functions/store/schema';

useOwnTable('blocklist-check');

const url = '/v1/identity/blocklist_entries';
const statusOf = async (scope: Scope, id: string) => (await getSession(scope, id))!.session.status;

/** Verified sessions of `scope`, each with the same sample document (test mode's outcome). */
const verifiedSessions = async (scope: Scope, count: number) => {
  const sessions = [];
  for (let i = 0; i < count; i++) sessions.push(await verifiedSession(scope));
  return sessions.map((session) => session.id);
};

async function postEntry(secretKey: string, scope: Scope, sessionId: string, check = true) {
  const report = (await getSession(scope, sessionId))!.session.last_verification_report!;
  return invoke(
    createEntry,
    httpApiEvent({
      method: 'POST',
      path: url,
      secretKey,
      form: `entry_type=document&verification_report=${report}&check_existing_verifications=${check}`,
    }),
  );
}

async function createWithCheck(secretKey: string, scope: Scope, sessionId: string) {
  const response = await postEntry(secretKey, scope, sessionId);
  expect(response.statusCode, JSON.stringify(response.body)).toBe(200);
  return response.body as { id: string; status: string };
}

const disable = (secretKey: string, id: string) =>
  invoke(
    disableEntry,
    httpApiEvent({
      method: 'POST',
      routeKey: `POST ${url}/{id}/disable`,
      path: `${url}/${id}/disable`,
      pathParameters: { id },
      secretKey,
    }),
  );

const entryCount = async (scope: Scope) => (await listBlocklistEntries(scope, { limit: 100 })).data.length;

/** The stream record the job's item as stored now makes (a MODIFY after the first page). */
async function jobRecord(scope: Scope, entry: string, eventName: 'INSERT' | 'MODIFY') {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: blocklistCheckKey(scope, entry), ConsistentRead: true }),
  );
  return streamRecord(Item!, eventName);
}

/** Fails the next write that saves a job's cursor, as a crash between a page's changes and its save would leave it. */
function crashNextSave(): { crashed: () => boolean; remove: () => void } {
  const name = `crash-${Math.random()}`;
  let crashed = false;
  dynamo().middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { Item?: { sk?: string } };
      if (!crashed && input.Item?.sk === 'blocklist_check') {
        crashed = true;
        throw new Error('the function crashed');
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  return { crashed: () => crashed, remove: () => dynamo().middlewareStack.remove(name) };
}

describe('the blocklist check worker', () => {
  it('walks the document’s sessions a page per run, resumes after a crash, and touches no other account or mode', async () => {
    const { scope, secretKey } = await newTestAccount();
    const mine = await verifiedSessions(scope, 5);
    const { scope: otherScope } = await newTestAccount();
    const [otherAccount] = await verifiedSessions(otherScope, 1);
    const liveScope: Scope = { account: scope.account, mode: 'live' };
    const [live] = await verifiedSessions(liveScope, 1);

    const entry = await createWithCheck(secretKey, scope, mine[0]!);
    expect(entry.status).toBe('active');
    // The request wrote the job and changed nothing.
    expect(await getBlocklistCheck(scope, entry.id)).toMatchObject({ entry: entry.id, type: 'document', step: 0 });
    for (const id of mine) expect(await statusOf(scope, id)).toBe('verified');

    // Pages of 2: the first run unverifies two sessions and saves its cursor.
    process.env.VERITY_BLOCKLIST_CHECK_PAGE_SIZE = '2';
    try {
      const first = await handler({ Records: [await jobRecord(scope, entry.id, 'INSERT')] });
      expect(first.batchItemFailures).toEqual([]);
      expect(await getBlocklistCheck(scope, entry.id)).toMatchObject({ step: 1 });
      expect((await Promise.all(mine.map((id) => statusOf(scope, id)))).filter((s) => s === 'requires_input')).toHaveLength(2);

      // The second run changes its page's sessions, then crashes before saving: the record is reported and handed over again.
      const record = await jobRecord(scope, entry.id, 'MODIFY');
      const crash = crashNextSave();
      let crashed: Awaited<ReturnType<typeof handler>>;
      try {
        crashed = await handler({ Records: [record] });
      } finally {
        crash.remove();
      }
      expect(crash.crashed()).toBe(true);
      expect(crashed.batchItemFailures).toEqual([{ itemIdentifier: record.dynamodb!.SequenceNumber }]);
      expect(await getBlocklistCheck(scope, entry.id)).toMatchObject({ step: 1 });
      expect((await Promise.all(mine.map((id) => statusOf(scope, id)))).filter((s) => s === 'requires_input')).toHaveLength(4);

      // Handed over again: it resumes from the saved cursor. The crashed run's sessions are no longer in the
      // document's partition (an un-verified session leaves it), so this page holds the last one, and the job ends.
      expect((await handler({ Records: [record] })).batchItemFailures).toEqual([]);
      expect(await getBlocklistCheck(scope, entry.id)).toBeUndefined();
      // A stale record of a finished job does nothing.
      expect(await runBlocklistCheck(scope, entry.id, 1)).toEqual({ result: 'overtaken', unverified: 0 });
    } finally {
      delete process.env.VERITY_BLOCKLIST_CHECK_PAGE_SIZE;
    }

    for (const id of mine) {
      const { session } = (await getSession(scope, id))!;
      expect(session.status, id).toBe('requires_input');
      expect(session.last_error).toEqual({ code: 'document_unverified_other', reason: 'The document matches an entry of the blocklist.' });
      expect((await getReport(scope, session.last_verification_report!))!.document).toMatchObject({ blocked_by_entry: entry.id });
      // Once each, crash or not.
      const events = (await listEvents(scope, ['identity.verification_session.requires_input'], { limit: 100 })).data.filter(
        (event) => event.data.object.id === id,
      );
      expect(events, id).toHaveLength(1);
    }
    const audit = (await listConsoleAuditEvents(scope, { limit: 100 })).data.filter((event) => event.action === 'blocklist_unverify');
    expect(audit.map((event) => event.target?.id).sort()).toEqual([...mine].sort());
    expect(audit.every((event) => event.blocklist_entry === entry.id && event.operator === null)).toBe(true);
    expect(await statusOf(otherScope, otherAccount!)).toBe('verified');
    expect(await statusOf(liveScope, live!)).toBe('verified');
  });

  it('stops an unfinished job when its entry is disabled', async () => {
    const { scope, secretKey } = await newTestAccount();
    const mine = await verifiedSessions(scope, 2);
    const entry = await createWithCheck(secretKey, scope, mine[0]!);
    const record = await jobRecord(scope, entry.id, 'INSERT');
    const disabled = await disable(secretKey, entry.id);
    expect(disabled.statusCode).toBe(200);
    expect(await getBlocklistCheck(scope, entry.id)).toBeUndefined();
    expect((await handler({ Records: [record] })).batchItemFailures).toEqual([]);
    for (const id of mine) expect(await statusOf(scope, id)).toBe('verified');
  });

  it('runs one unfinished job per account and mode: another create with the flag is a 400 storing nothing until it ends', async () => {
    const { scope, secretKey } = await newTestAccount();
    const [session] = await verifiedSessions(scope, 1);
    const first = await createWithCheck(secretKey, scope, session!);

    const refused = await postEntry(secretKey, scope, session!);
    expect(refused.statusCode).toBe(400);
    expect((refused.body as { error: Record<string, unknown> }).error).toMatchObject({
      type: 'invalid_request_error',
      code: 'blocklist_check_in_progress',
      param: 'check_existing_verifications',
    });
    expect(JSON.stringify(refused.body)).toContain(first.id);
    expect(await entryCount(scope)).toBe(1);
    // An entry without the flag is no job; another account's jobs are its own.
    expect((await postEntry(secretKey, scope, session!, false)).statusCode).toBe(200);
    const { scope: otherScope, secretKey: otherKey } = await newTestAccount();
    const [other] = await verifiedSessions(otherScope, 1);
    await createWithCheck(otherKey, otherScope, other!);

    // The finished job releases it.
    expect((await handler({ Records: [await jobRecord(scope, first.id, 'INSERT')] })).batchItemFailures).toEqual([]);
    expect(await getBlocklistCheck(scope, first.id)).toBeUndefined();
    const second = await createWithCheck(secretKey, scope, session!);
    expect((await postEntry(secretKey, scope, session!)).statusCode).toBe(400);
    // So does disabling the entry of the unfinished job; disabling another entry does not.
    expect((await disable(secretKey, first.id)).statusCode).toBe(200);
    expect((await postEntry(secretKey, scope, session!)).statusCode).toBe(400);
    expect((await disable(secretKey, second.id)).statusCode).toBe(200);
    await createWithCheck(secretKey, scope, session!);
  });
});
