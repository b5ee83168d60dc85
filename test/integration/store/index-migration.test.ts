/**
 * The index migration (docs/reference/index-migration.md) on DynamoDB Local: a table made as it was before the lean indexes
 * (step 0, every index projecting ALL) holds sessions and events written then; the lean indexes are added one UpdateTable at a
 * time (each backfilled from the items already there), reads switch, and the old indexes are deleted one at a time. Every list
 * filter of sessions and events lists every item, old and new, before, during and after.
 */
import { randomBytes } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { newAccountId } from '../../../functions/domain/api-keys';
import { newObjectId } from '../../../functions/domain/ids';
import type { Scope } from '../../../functions/domain/scope';
import {
  cancelVerificationSession,
  createVerificationSession,
  type VerificationSession,
} from '../../../functions/domain/verification-session';
import { changeWithEvents } from '../../../functions/flows/outbox';
import { listEvents, listSessionEvents } from '../../../functions/store/events';
import { defaultKeyTableName, keyTableName } from '../../../functions/store/key-schema';
import { INDEX_READS_ENV, indexesAtStep, indexMigration, TABLE_NAME_ENV, tableName } from '../../../functions/store/schema';
import { changeSession, insertSession, listSessions, type SessionListQuery } from '../../../functions/store/sessions';
import { createTableInput, indexProjection, localClient } from '../../../local/dynamodb';

const scope: Scope = { account: newAccountId(), mode: 'test' };
const admin = localClient(inject('dynamo'));
const previous = { table: process.env[TABLE_NAME_ENV], keys: process.env.VERITY_KEY_TABLE_NAME, reads: process.env[INDEX_READS_ENV] };
const sessions: VerificationSession[] = [];
let written = 0;

/** A session like a user's: some with a reference, customers, a type, and every third canceled (with its event). */
async function writeSession(): Promise<void> {
  const i = written++;
  const now = new Date(Date.UTC(2026, 0, 1) + i * 1000);
  const created = createVerificationSession(
    {
      type: i % 2 ? 'document' : 'id_number',
      ...(i % 4 === 0 ? {} : { client_reference_id: `ref_${i % 3}` }),
      related_customer: `cus_${i % 2}`,
      related_customer_account: `acct_${i % 3}`,
    },
    { id: newObjectId('vs', now.getTime()), scope, now },
  );
  await insertSession(changeWithEvents(null, created, { request: { id: 'req_migration', idempotency_key: null }, now }));
  let session = created;
  if (i % 3 === 0) {
    await changeSession(scope, created.id, (current) =>
      changeWithEvents(current, cancelVerificationSession(current), { request: { id: 'req_migration', idempotency_key: null }, now }),
    );
    session = cancelVerificationSession(created);
  }
  sessions.push(session);
}

const newestFirst = (list: VerificationSession[]) => list.map((s) => s.id).sort((a, b) => (a < b ? 1 : -1));
const filters: [string, SessionListQuery, (s: VerificationSession) => boolean][] = [
  ['no filter', { limit: 100 }, () => true],
  ['status', { limit: 100, status: 'canceled' }, (s) => s.status === 'canceled'],
  ['client_reference_id', { limit: 100, clientReferenceId: 'ref_1' }, (s) => s.client_reference_id === 'ref_1'],
  ['related_customer', { limit: 100, relatedCustomer: 'cus_1' }, (s) => s.related_customer === 'cus_1'],
  ['related_customer_account', { limit: 100, relatedCustomerAccount: 'acct_2' }, (s) => s.related_customer_account === 'acct_2'],
  ['type', { limit: 100, type: 'id_number' }, (s) => s.type === 'id_number'],
  [
    'client_reference_id + related_customer + status + type',
    { limit: 100, clientReferenceId: 'ref_0', relatedCustomer: 'cus_1', status: 'canceled', type: 'document' },
    (s) => s.client_reference_id === 'ref_0' && s.related_customer === 'cus_1' && s.status === 'canceled' && s.type === 'document',
  ],
  [
    'related_customer_account + status',
    { limit: 100, relatedCustomerAccount: 'acct_1', status: 'requires_input' },
    (s) => s.related_customer_account === 'acct_1' && s.status === 'requires_input',
  ],
];

/** Every list filter lists exactly the sessions (and their events) written so far, whichever index it reads. */
async function expectEveryFilterToList(phase: string) {
  for (const [name, query, matches] of filters) {
    const expected = newestFirst(sessions.filter(matches));
    expect(expected.length, `${phase}: ${name} has items to find`).toBeGreaterThan(0);
    const { sessions: listed, hasMore } = await listSessions(scope, query);
    expect({ ids: listed.map((s) => s.id), hasMore }, `${phase}: ${name}`).toEqual({ ids: expected, hasMore: false });
  }
  const canceled = sessions.filter((s) => s.status === 'canceled');
  const all = await listEvents(scope, undefined, { limit: 100 });
  expect(all.data.length, `${phase}: events`).toBe(sessions.length + canceled.length);
  const ofType = await listEvents(scope, ['identity.verification_session.canceled'], { limit: 100 });
  expect(ofType.data.map((e) => (e.data.object as { id: string }).id).sort(), `${phase}: events by type`).toEqual(
    canceled.map((s) => s.id).sort(),
  );
  const ofSession = await listSessionEvents(scope, canceled[0]!.id, { limit: 100 });
  expect(ofSession.data.map((e) => e.type).sort(), `${phase}: events of a session`).toEqual([
    'identity.verification_session.canceled',
    'identity.verification_session.created',
  ]);
}

async function untilActive() {
  for (let i = 0; i < 600; i++) {
    const { Table } = await admin.send(new DescribeTableCommand({ TableName: tableName() }));
    if ((Table?.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE')) return;
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error('The indexes did not become ACTIVE');
}

/** What a CloudFormation update of `step` does to the table: add or delete the one index that differs from the step before. */
async function deploy(step: number) {
  const before = new Map(indexesAtStep(step - 1).indexes.map((index) => [index.name, index]));
  const after = new Map(indexesAtStep(step).indexes.map((index) => [index.name, index]));
  for (const [name, index] of after) {
    if (before.has(name)) continue;
    await admin.send(
      new UpdateTableCommand({
        TableName: tableName(),
        AttributeDefinitions: [
          { AttributeName: index.partitionKey, AttributeType: 'S' },
          { AttributeName: index.sortKey, AttributeType: 'S' },
        ],
        GlobalSecondaryIndexUpdates: [
          {
            Create: {
              IndexName: name,
              KeySchema: [
                { AttributeName: index.partitionKey, KeyType: 'HASH' },
                { AttributeName: index.sortKey, KeyType: 'RANGE' },
              ],
              Projection: indexProjection(index),
            },
          },
        ],
      }),
    );
  }
  for (const name of before.keys()) {
    if (!after.has(name)) {
      await admin.send(new UpdateTableCommand({ TableName: tableName(), GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: name } }] }));
    }
  }
  await untilActive();
  // The functions' environment at this step (lib/index-migration.ts).
  if (indexesAtStep(step).readsLean) delete process.env[INDEX_READS_ENV];
  else process.env[INDEX_READS_ENV] = 'previous';
}

beforeAll(async () => {
  // The shared test table's key table keeps the keys; the main table is this file's own, made as at step 0.
  process.env.VERITY_KEY_TABLE_NAME = keyTableName();
  process.env[TABLE_NAME_ENV] = `verity-migration-${randomBytes(4).toString('hex')}`;
  process.env[INDEX_READS_ENV] = 'previous';
  await admin.send(new CreateTableCommand(createTableInput(tableName(), 0)));
  await untilActive();
});

afterAll(() => {
  for (const [name, value] of [
    [TABLE_NAME_ENV, previous.table],
    ['VERITY_KEY_TABLE_NAME', previous.keys],
    [INDEX_READS_ENV, previous.reads],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  admin.destroy();
});

describe('replacing the indexes that project ALL by lean ones, one release at a time', () => {
  it('lists every item written before the change, during it and after it, through every filter', async () => {
    expect(defaultKeyTableName(tableName())).not.toBe(keyTableName());
    for (let i = 0; i < 24; i++) await writeSession();
    await expectEveryFilterToList('step 0 (before)');
    for (let step = 1; step <= indexMigration.last; step++) {
      await deploy(step);
      for (let i = 0; i < 2; i++) await writeSession();
      await expectEveryFilterToList(`step ${step}`);
    }
    // After: the table holds exactly the schema's indexes, and the lean ones were read.
    const { Table } = await admin.send(new DescribeTableCommand({ TableName: tableName() }));
    expect((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).sort()).toEqual(
      createTableInput('x')
        .GlobalSecondaryIndexes!.map((index) => index.IndexName)
        .sort(),
    );
  });
});
