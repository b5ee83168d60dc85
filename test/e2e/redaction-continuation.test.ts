/**
 * A redaction too big for one run, under `npm start`'s own stand-ins: the local TTL stand-in
 * removes the job, the stream poller starts the worker, and each run's saved progress comes back
 * through the stream and starts the next, until every copy is redacted. On a table of its own,
 * so no other test file's poller joins in.
 */
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { newAccountId } from '../../functions/domain/api-keys';
import { getSession } from '../../functions/store/sessions';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { addCopies, copiesOf, markForRedaction, PERSONAL, savedProgress, verifiedSession } from '../support/redaction';

const table = `redaction-continuation-${process.pid}-${Date.now()}`;
let service: LocalRuntime;
beforeAll(async () => {
  // Small runs, so a few hundred copies take several.
  process.env.VERITY_REDACTION_PAGE_SIZE = '10';
  process.env.VERITY_REDACTION_COPIES_PER_RUN = '30';
  service = await startLocalRuntime({ port: 0, dynamo: inject('dynamo'), tableName: table, publishEvents: false, streamStartAt: 'LATEST' });
});
afterAll(async () => {
  await service?.stop();
  const client = new DynamoDBClient({});
  await client.send(new DeleteTableCommand({ TableName: table }));
  client.destroy();
});

describe('redaction under npm start', () => {
  it('carries a redaction through as many bounded runs as it needs, each started by the last one’s saved progress', async () => {
    const scope = { account: newAccountId(), mode: 'test' as const };
    const session = await verifiedSession(scope);
    await addCopies(scope, session.id, 100);
    const copies = (await copiesOf(scope, session.id)).length;
    await markForRedaction(scope, session.id);

    // Watch the progress as the runs save it, until the session is redacted.
    let lastStep = 0;
    const until = Date.now() + 120_000;
    while ((await getSession(scope, session.id))!.session.redaction?.status !== 'redacted' && Date.now() < until) {
      lastStep = Math.max(lastStep, (await savedProgress(scope, session.id))?.item.progress.step ?? 0);
      await new Promise((done) => setTimeout(done, 25));
    }
    expect((await getSession(scope, session.id))!.session.redaction).toEqual({ status: 'redacted' });
    // Step 2 is saved only by a run that the stream started from step 1's record.
    expect(lastStep).toBeGreaterThanOrEqual(2);
    const after = await copiesOf(scope, session.id);
    expect(after.length).toBe(copies + 1);
    const everything = JSON.stringify(after);
    for (const value of PERSONAL) expect(everything, value).not.toContain(value);
    expect(await savedProgress(scope, session.id)).toBeUndefined();
  }, 150_000);
});
