/**
 * The redaction worker, driven with AWS-shaped stream records against DynamoDB Local: a TTL
 * deletion of a job item redacts its session and every copy of its data; a user's deletion does
 * nothing; a redelivery changes nothing more; a session with many copies is redacted in bounded
 * runs, each continuing from the progress the last one saved, and a retried run does not redo
 * the copies already redacted.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { dynamo } from '../../../functions/store/client';
import { completionItem } from '../../../functions/store/idempotency';
import { EVENT_KIND } from '../../../functions/store/event-items';
import { tableName, tableSchema } from '../../../functions/store/schema';
import { REDACTION_TABLE_ACTIONS } from '../../../lib/redaction';
import { countCalls } from '../../support/dynamo-calls';
import { REDACTED } from '../../../functions/domain/redaction';
import { listEvents } from '../../../functions/store/events';
import { getSession } from '../../../functions/store/sessions';
import { listReports } from '../../../functions/store/verification-reports';
import { handler } from '../../../functions/streams/redact-sessions';
import { CAPTURE_NONCE_COUNT_KIND, issueCaptureNonce } from '../../../functions/store/capture-nonces';
import {
  addCopies,
  copiesOf,
  countWrites,
  jobRemoval,
  PERSONAL,
  savedProgress,
  useOwnTable,
  verifiedThenRedacted,
} from '../../support/redaction';
import { DeleteObjectsCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { storeUpload } from '../../../functions/files/local-folder';
import {
  admitUpload,
  FILES_DIR_ENV,
  MAX_UPLOAD_BYTES,
  sessionUploadsPrefix,
  UPLOAD_COUNT_KIND,
  uploadKey,
  UPLOADS_BUCKET_ENV,
} from '../../../functions/store/files';
import { pageOfCopies } from '../../../functions/store/session-copies';
import { VERIFIED_DOCUMENT_KIND } from '../../../functions/store/verified-documents';
import { newObjectId } from '../../../functions/domain/ids';
import { UPLOADS_REDACTION_ACTIONS } from '../../../lib/uploads';
import { filesUnder } from '../../support/uploads';

/** Runs the worker as the stream would: the TTL removal, then each run its saved progress starts. */
async function redactInRuns(sessionId: string): Promise<number> {
  let record = jobRemoval(scope, sessionId);
  for (let run = 1; run <= 100; run++) {
    expect(await handler({ Records: [record] })).toEqual({ batchItemFailures: [] });
    const saved = await savedProgress(scope, sessionId);
    if (!saved) return run;
    record = saved.record;
  }
  throw new Error('the redaction did not finish in 100 runs');
}

useOwnTable('redact-sessions');
const scope = { account: `acct_redact${Date.now()}`, mode: 'test' as const };
/** The session's verified-document records (none or one): copies its redaction deletes. */
const verifiedDocumentCopies = async (session: string) =>
  (await pageOfCopies(scope, VERIFIED_DOCUMENT_KIND, session, { limit: 10 })).items.length;

afterEach(() => {
  delete process.env.VERITY_REDACTION_PAGE_SIZE;
  delete process.env.VERITY_REDACTION_COPIES_PER_RUN;
});

const redactedEventsOf = async (sessionId: string) =>
  (await listEvents(scope, ['identity.verification_session.redacted'], { limit: 100 })).data.filter((e) => e.data.object.id === sessionId);

describe('the redaction worker', () => {
  it('redacts the session, its reports and its events when TTL removes the job', async () => {
    const session = await verifiedThenRedacted(scope);
    expect(await handler({ Records: [jobRemoval(scope, session.id)] })).toEqual({ batchItemFailures: [] });

    const stored = (await getSession(scope, session.id))!.session;
    expect(stored).toMatchObject({ status: 'verified', redaction: { status: 'redacted' }, client_reference_id: REDACTED, metadata: {} });
    expect(stored.verified_outputs).toMatchObject({
      first_name: REDACTED,
      dob: { day: 1, month: 1, year: 1 },
      address: { line1: REDACTED, country: 'US' },
    });
    const reports = await listReports(scope, { limit: 10, verificationSession: session.id });
    const events = await listEvents(scope, undefined, { limit: 100 });
    const ofSession = events.data.filter((event) => event.data.object.id === session.id);
    expect(ofSession.map((event) => event.type)).toContain('identity.verification_session.redacted');
    const everything = JSON.stringify([stored, reports.data, ofSession]);
    for (const value of PERSONAL) expect(everything, value).not.toContain(value);
  });

  it('makes only the calls its IAM grant allows (DynamoDB Local checks no IAM: this is what does)', async () => {
    const session = await verifiedThenRedacted(scope);
    // A saved response that shows the session: redaction empties it (an update).
    await dynamo().send(
      new PutCommand(
        completionItem(
          { scope, key: `grant-${session.id}`, fingerprint: 'f' },
          { statusCode: 200, body: '{}', session: session.id },
          new Date(),
        ),
      ),
    );
    const { result, calls } = await countCalls(() => handler({ Records: [jobRemoval(scope, session.id)] }));
    expect(result).toEqual({ batchItemFailures: [] });
    expect((await getSession(scope, session.id))!.session.redaction).toMatchObject({ status: 'redacted' });
    // A transaction's items need the actions of their kinds, which the grant lists as well.
    const actions = new Set(
      calls.map((command) => `dynamodb:${command.replace(/Command$/, '')}`).filter((action) => action !== 'dynamodb:TransactWriteItems'),
    );
    expect(actions).toContain('dynamodb:UpdateItem');
    for (const action of actions) expect([...REDACTION_TABLE_ACTIONS, 'dynamodb:Query'], action).toContain(action);
  });

  it("replaces only the events' copies of the session, never a webhook count the delivery worker changed meanwhile", async () => {
    const session = await verifiedThenRedacted(scope);
    const counted: { pk: string; sk: string }[] = [];
    const name = `deliver-meanwhile-${Math.random()}`;
    // Right after redaction lists the session's events, the delivery worker records a delivery of
    // each: its pending count drops to 0 (as `recordAttempt` does), before redaction rewrites it.
    dynamo().middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'QueryCommand') {
          for (const item of ((result.output as { Items?: Record<string, any>[] }).Items ?? []).filter((item) => item.sk === EVENT_KIND)) {
            await dynamo().send(
              new UpdateCommand({
                TableName: tableName(),
                Key: { pk: item.pk, sk: item.sk },
                UpdateExpression: 'SET pending_webhooks = :zero',
                ExpressionAttributeValues: { ':zero': 0 },
              }),
            );
            counted.push({ pk: item.pk, sk: item.sk });
          }
        }
        return result;
      },
      { step: 'initialize', name },
    );
    try {
      expect(await handler({ Records: [jobRemoval(scope, session.id)] })).toEqual({ batchItemFailures: [] });
    } finally {
      dynamo().middlewareStack.remove(name);
    }
    expect(counted.length).toBeGreaterThan(0);
    for (const key of counted) {
      const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
      expect(Item).toMatchObject({ pending_webhooks: 0, redacted: true });
    }
  });

  it('changes nothing more when the same removal is delivered again', async () => {
    const session = await verifiedThenRedacted(scope);
    await handler({ Records: [jobRemoval(scope, session.id)] });
    const first = await getSession(scope, session.id);
    const writes = countWrites();
    try {
      await handler({ Records: [jobRemoval(scope, session.id), jobRemoval(scope, session.id)] });
    } finally {
      writes.stop();
    }
    expect(writes.count.all).toBe(0);
    expect(await getSession(scope, session.id)).toEqual(first);
    expect(await redactedEventsOf(session.id)).toHaveLength(1);
  });

  it('ignores a removal that TTL did not make', async () => {
    const session = await verifiedThenRedacted(scope);
    expect(await handler({ Records: [jobRemoval(scope, session.id, false)] })).toEqual({ batchItemFailures: [] });
    expect((await getSession(scope, session.id))!.session.redaction).toEqual({ status: 'processing' });
  });

  it('reports a removal it could not act on, so the stream hands it over again', async () => {
    const session = await verifiedThenRedacted(scope);
    const table = process.env.VERITY_TABLE_NAME;
    process.env.VERITY_TABLE_NAME = 'no-such-table';
    try {
      const record = jobRemoval(scope, session.id);
      expect(await handler({ Records: [record] })).toEqual({ batchItemFailures: [{ itemIdentifier: record.dynamodb!.SequenceNumber }] });
    } finally {
      process.env.VERITY_TABLE_NAME = table;
    }
  });

  it('redacts a session with hundreds of copies in bounded runs, each continuing where the last one stopped', async () => {
    process.env.VERITY_REDACTION_PAGE_SIZE = '10';
    process.env.VERITY_REDACTION_COPIES_PER_RUN = '30';
    const session = await verifiedThenRedacted(scope);
    await addCopies(scope, session.id, 100);
    // Its reports and events, and the record of its verified document (duplicate detection), deleted in the same runs.
    const reportsAndEvents = (await copiesOf(scope, session.id)).length;
    const copies = reportsAndEvents + (await verifiedDocumentCopies(session.id));
    expect(copies).toBeGreaterThan(200);

    const writes = countWrites();
    const runs: number[] = [];
    try {
      // The first run, started by TTL, and every run the saved progress starts, as the stream delivers it.
      let record = jobRemoval(scope, session.id);
      for (let run = 0; run < 100; run++) {
        writes.reset();
        expect(await handler({ Records: [record] })).toEqual({ batchItemFailures: [] });
        runs.push(writes.count.copies);
        const saved = await savedProgress(scope, session.id);
        if (!saved) break;
        expect(saved.item.progress.step).toBe(run + 1);
        // Not done yet: the session is written only once every copy is.
        expect((await getSession(scope, session.id))!.session.redaction).toEqual({ status: 'processing' });
        expect(await redactedEventsOf(session.id)).toEqual([]);
        // The same record delivered again (or a stale one) finds the progress moved on, and does nothing.
        writes.reset();
        expect(await handler({ Records: [record] })).toEqual({ batchItemFailures: [] });
        expect(writes.count.all, `redelivery of run ${run}`).toBe(0);
        record = saved.record;
      }
    } finally {
      writes.stop();
    }

    // Each run did at most its budget: 30 copies.
    expect(runs.length).toBeGreaterThanOrEqual(Math.ceil(copies / 30));
    for (const done of runs) expect(done).toBeLessThanOrEqual(30);
    // Every copy written once, nothing twice.
    expect(runs.reduce((sum, n) => sum + n, 0)).toBe(copies);
    const stored = (await getSession(scope, session.id))!.session;
    expect(stored.redaction).toEqual({ status: 'redacted' });
    const after = await copiesOf(scope, session.id);
    expect(after.length).toBe(reportsAndEvents + 1); // and the redacted event
    const everything = JSON.stringify([stored, after]);
    for (const value of PERSONAL) expect(everything, value).not.toContain(value);
    expect(await redactedEventsOf(session.id)).toHaveLength(1);
    expect(await savedProgress(scope, session.id)).toBeUndefined();
  });

  it('does not redo the copies a failed run already redacted when the stream retries it', async () => {
    const session = await verifiedThenRedacted(scope);
    await addCopies(scope, session.id, 100);
    // Its reports and events, and the record of its verified document (duplicate detection), deleted in the same runs.
    const copies = (await copiesOf(scope, session.id)).length + (await verifiedDocumentCopies(session.id));
    const record = jobRemoval(scope, session.id);

    const writes = countWrites();
    try {
      // The run fails part-way through (a throttled write, a crash) ...
      writes.failCopyWrite(120);
      expect(await handler({ Records: [record] })).toEqual({ batchItemFailures: [{ itemIdentifier: record.dynamodb!.SequenceNumber }] });
      const before = writes.count.copies;
      expect(before).toBeGreaterThanOrEqual(100);
      expect(before).toBeLessThan(copies);
      // ... and the stream hands the same record over again: only what is left is written.
      writes.reset();
      expect(await handler({ Records: [record] })).toEqual({ batchItemFailures: [] });
      expect(writes.count.copies).toBe(copies - before);
    } finally {
      writes.stop();
    }
    expect((await getSession(scope, session.id))!.session.redaction).toEqual({ status: 'redacted' });
    const everything = JSON.stringify(await copiesOf(scope, session.id));
    for (const value of PERSONAL) expect(everything, value).not.toContain(value);
  });
  it("deletes the attempts' presign counts (admitUpload's items), and no other session's", async () => {
    const session = await verifiedThenRedacted(scope);
    const other = 'vs_00000000CCCCCCCCCCCCCCCC';
    const now = new Date();
    for (const [sessionId, attempt] of [
      [session.id, '-'],
      [session.id, '-'],
      [session.id, 'vr_00000000AAAAAAAAAAAAAAAA'],
      [other, '-'],
    ] as const) {
      expect(await admitUpload(scope, { session: sessionId, attempt }, now)).toEqual({ admitted: true });
    }
    const counts = async (sessionId: string) => (await pageOfCopies(scope, UPLOAD_COUNT_KIND, sessionId, { limit: 100 })).items;
    expect(await counts(session.id)).toHaveLength(2);

    await redactInRuns(session.id);
    expect((await getSession(scope, session.id))!.session.redaction).toEqual({ status: 'redacted' });
    expect(await counts(session.id)).toEqual([]);
    expect(await counts(other)).toHaveLength(1);
  });

  it('deletes the capture nonces’ counter, which has no TTL (its caps hold for the session’s life), and no other session’s', async () => {
    const session = await verifiedThenRedacted(scope);
    const other = 'vs_00000000DDDDDDDDDDDDDDDD';
    const now = new Date();
    for (const sessionId of [session.id, session.id, other])
      expect(await issueCaptureNonce(scope, { session: sessionId, attempt: '-', side: 'document_front' }, now)).toMatchObject({
        issued: true,
      });
    const counters = async (sessionId: string) => (await pageOfCopies(scope, CAPTURE_NONCE_COUNT_KIND, sessionId, { limit: 100 })).items;
    const [counter] = await counters(session.id);
    expect(counter).toMatchObject({ total: 2 });
    expect(counter![tableSchema.timeToLiveAttribute]).toBeUndefined();

    await redactInRuns(session.id);
    expect(await counters(session.id)).toEqual([]);
    expect(await counters(other)).toHaveLength(1);
  });

  it("deletes every object of the session in the local file store, every attempt's, in bounded runs, and no other session's", async () => {
    process.env.VERITY_REDACTION_COPIES_PER_RUN = '2';
    const session = await verifiedThenRedacted(scope);
    const root = process.env[FILES_DIR_ENV]!;
    const upload = (sessionId: string, attempt: string) =>
      storeUpload(
        root,
        {
          key: uploadKey(scope, sessionId, attempt, newObjectId('file')),
          content_type: 'image/jpeg',
          max_bytes: MAX_UPLOAD_BYTES,
          expires: 0,
        },
        Readable.from([Buffer.from([0xff, 0xd8, 0xff, 0xe0])]),
        new Date(),
      );
    for (const attempt of ['-', '-', '-', 'vr_00000000AAAAAAAAAAAAAAAA', 'vr_00000000AAAAAAAAAAAAAAAA'])
      expect(await upload(session.id, attempt)).toBeUndefined();
    const other = 'vs_00000000BBBBBBBBBBBBBBBB';
    expect(await upload(other, '-')).toBeUndefined();
    const ofSession = join(root, sessionUploadsPrefix(scope, session.id));
    expect(filesUnder(ofSession).filter((name) => !name.endsWith('.json'))).toHaveLength(5);

    await redactInRuns(session.id);
    expect((await getSession(scope, session.id))!.session.redaction).toEqual({ status: 'redacted' });
    expect(filesUnder(ofSession)).toEqual([]);
    expect(filesUnder(join(root, sessionUploadsPrefix(scope, other)))).toHaveLength(2);
  });

  it(
    "deletes every version of the session's objects in S3 (ListObjectVersions, DeleteObjects), with only the grant's " + 'actions',
    async () => {
      process.env.VERITY_REDACTION_COPIES_PER_RUN = '3';
      const session = await verifiedThenRedacted(scope);
      const prefix = sessionUploadsPrefix(scope, session.id);
      const other = sessionUploadsPrefix(scope, 'vs_00000000BBBBBBBBBBBBBBBB');
      // The bucket: three versions of one object, a delete marker, two objects of a later attempt, and another session's.
      let bucket = [
        ...['v1', 'v2', 'v3'].map((version) => ({ Key: `${prefix}-/file_1`, VersionId: version, marker: false })),
        { Key: `${prefix}-/file_2`, VersionId: 'm1', marker: true },
        ...['file_3', 'file_4'].map((name) => ({ Key: `${prefix}vr_00000000AAAAAAAAAAAAAAAA/${name}`, VersionId: 'null', marker: false })),
        { Key: `${other}-/file_5`, VersionId: 'v9', marker: false },
      ];
      const s3 = mockClient(S3Client);
      // ListObjectVersions as S3 answers it: Versions and DeleteMarkers under the prefix, at most MaxKeys, IsTruncated.
      s3.on(ListObjectVersionsCommand).callsFake((input: { Prefix: string; MaxKeys: number }) => {
        const under = bucket.filter((version) => version.Key.startsWith(input.Prefix));
        const page = under.slice(0, input.MaxKeys);
        return {
          Name: 'verity-uploads',
          Prefix: input.Prefix,
          MaxKeys: input.MaxKeys,
          IsTruncated: under.length > page.length,
          Versions: page
            .filter((version) => !version.marker)
            .map(({ Key, VersionId }) => ({ Key, VersionId, IsLatest: true, Size: 4, StorageClass: 'STANDARD' })),
          DeleteMarkers: page.filter((version) => version.marker).map(({ Key, VersionId }) => ({ Key, VersionId, IsLatest: true })),
        };
      });
      s3.on(DeleteObjectsCommand).callsFake((input: { Delete: { Objects: { Key: string; VersionId: string }[] } }) => {
        const gone = input.Delete.Objects;
        bucket = bucket.filter((version) => !gone.some((object) => object.Key === version.Key && object.VersionId === version.VersionId));
        return { Deleted: gone.map(({ Key, VersionId }) => ({ Key, VersionId })) };
      });
      process.env[UPLOADS_BUCKET_ENV] = 'verity-uploads';
      try {
        await redactInRuns(session.id);
      } finally {
        delete process.env[UPLOADS_BUCKET_ENV];
        s3.restore();
      }
      expect((await getSession(scope, session.id))!.session.redaction).toEqual({ status: 'redacted' });
      expect(bucket.filter((version) => version.Key.startsWith(prefix))).toEqual([]);
      expect(bucket).toHaveLength(1);
      const lists = s3.commandCalls(ListObjectVersionsCommand).map((call) => call.args[0].input);
      for (const list of lists) expect(list).toMatchObject({ Bucket: 'verity-uploads', Prefix: prefix });
      for (const call of s3.commandCalls(DeleteObjectsCommand)) {
        expect(call.args[0].input.Delete!.Objects!.length).toBeLessThanOrEqual(3);
        for (const object of call.args[0].input.Delete!.Objects!) expect(object.VersionId).toBeDefined();
      }
      // The calls, as IAM actions: ListObjectVersions needs s3:ListBucketVersions, deleting a version s3:DeleteObjectVersion.
      const actions = new Set(
        s3
          .calls()
          .map(
            (call) =>
              ({ ListObjectVersionsCommand: 's3:ListBucketVersions', DeleteObjectsCommand: 's3:DeleteObjectVersion' })[
                (call.args[0] as object).constructor.name as 'DeleteObjectsCommand'
              ],
          ),
      );
      for (const action of actions) expect(UPLOADS_REDACTION_ACTIONS).toContain(action);
    },
  );
});
