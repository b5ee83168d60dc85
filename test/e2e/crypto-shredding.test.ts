/**
 * Crypto-shredding, end to end and as an attacker with read access would look: a person verifies
 * with known personal values under `npm start`'s own layout (a data folder, DynamoDB Local on
 * disk), the business redacts, and then
 * - a scan of the table,
 * - the table's stream read from its start (DynamoDB Local's streams API),
 * - every byte of every file in the data folder (DynamoDB Local's database, events.ndjson, …)
 * hold none of those values in clear, and nothing anywhere holds the session's data key, in
 * the clear or wrapped: the sealed copies the stream kept open with the key captured before the
 * redaction, and with nothing left after it. (There are no queues locally: the stream poller
 * retries in memory; the AWS dead-letter queues are in docs/deploying.md.)
 */
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { randomInt } from 'node:crypto';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dynamo } from '../../functions/store/client';
import { openJson } from '../../functions/store/encryption';
import { MASTER_KEY_FILE_ENV } from '../../functions/store/key-encryption-key';
import { keyTableName, sessionKeyKey } from '../../functions/store/key-schema';
import { tableName } from '../../functions/store/schema';
import { loadSessionKeys, sessionKeyForReading } from '../../functions/store/session-keys';
import { localClient, localCredentials } from '../../local/dynamodb';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { newRestrictedKey } from '../support/accounts';
import { newStripeAccount, stripeClient } from '../support/local-service';
import { eventually, submitOnPage } from '../support/verification';
import { clearJson, lastFourAsStored } from '../support/redaction';
import { jpegHeader } from '../support/images';

const dataDir = mkdtempSync(join(tmpdir(), 'verity-shredding-'));
const sharedMasterKey = process.env[MASTER_KEY_FILE_ENV];
let service: LocalRuntime | undefined;
afterAll(async () => {
  await service?.stop();
  process.env[MASTER_KEY_FILE_ENV] = sharedMasterKey;
  rmSync(dataDir, { recursive: true, force: true });
});

const JPEG = Buffer.concat([jpegHeader(40, 30), Buffer.from([0x55, 0x66])]);

async function scan(TableName: string): Promise<Record<string, any>[]> {
  const items: Record<string, any>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(new ScanCommand({ TableName, ExclusiveStartKey }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

/** Every record of the table's stream, from the start of every shard. */
async function streamRecords(runtime: LocalRuntime): Promise<_Record[]> {
  const tables = localClient(runtime.dynamo);
  const streams = new DynamoDBStreamsClient({
    endpoint: runtime.dynamo.endpoint,
    region: 'local',
    credentials: localCredentials(runtime.dynamo),
  });
  try {
    const { Table } = await tables.send(new DescribeTableCommand({ TableName: tableName() }));
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: Table!.LatestStreamArn! }));
    const records: _Record[] = [];
    for (const shard of StreamDescription?.Shards ?? []) {
      let iterator = (
        await streams.send(
          new GetShardIteratorCommand({ StreamArn: Table!.LatestStreamArn!, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }),
        )
      ).ShardIterator;
      for (let empty = 0; iterator && empty < 2; ) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        records.push(...(page.Records ?? []));
        empty = page.Records?.length ? 0 : empty + 1;
        iterator = page.NextShardIterator;
      }
    }
    return records;
  } finally {
    tables.destroy();
    streams.destroy();
  }
}

/** Every file under `dir`, as bytes. */
function filesOf(dir: string): { path: string; bytes: Buffer }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const stat = lstatSync(path);
    return stat.isDirectory() ? filesOf(path) : stat.isFile() ? [{ path, bytes: readFileSync(path) }] : [];
  });
}

/** The forms a key could be found in: its bytes, base64 and hex. */
const keyForms = (key: Uint8Array) => [
  Buffer.from(key),
  Buffer.from(Buffer.from(key).toString('base64')),
  Buffer.from(Buffer.from(key).toString('hex')),
];

/** Every sealed (binary) value in an unmarshalled item or record image. */
function sealedValues(value: unknown): Uint8Array[] {
  if (value instanceof Uint8Array) return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(sealedValues);
  return [];
}

describe('crypto-shredding', () => {
  it(
    'leaves no personal value in clear and no key that opens one in the table, its stream or any local file once redaction has ' + 'run',
    async () => {
      // The layout of npm start: a data folder with DynamoDB Local on disk, its own master key.
      delete process.env[MASTER_KEY_FILE_ENV];
      service = await startLocalRuntime({ port: 0, dataDir, secretKey: 'sk_test_cryptoShredding0123456789abcdef' });
      expect(process.env[MASTER_KEY_FILE_ENV]).toBe(join(dataDir, 'master.key'));
      const { stripe, scope } = await newStripeAccount(service);
      const sensitive = stripeClient(service, await newRestrictedKey(scope, { sensitive_results: true }));
      const unique = `u${Date.now()}${randomInt(1e6)}`;
      const idNumber = String(randomInt(100_000_000, 999_999_999));
      const personal = [
        `ref-${unique}`,
        `meta-${unique}`,
        `${unique}@example.com`,
        `person_${unique}`,
        `create-${unique}`,
        idNumber,
        lastFourAsStored(idNumber),
        'Jenny',
        'Rosen',
      ];

      const session = await stripe.identity.verificationSessions.create(
        {
          type: 'document',
          client_reference_id: `ref-${unique}`,
          metadata: { note: `meta-${unique}` },
          provided_details: { email: `${unique}@example.com` },
          related_person: { account: `acct_${unique}`, person: `person_${unique}` },
          options: { document: { require_matching_selfie: true, require_id_number: true } },
        },
        { idempotencyKey: `create-${unique}` },
      );
      const submitted = await submitOnPage(service.url, session.url!, {
        document_type: 'driving_license',
        document_front: JPEG,
        document_back: JPEG,
        selfie: JPEG,
        id_number: idNumber,
        test_case: 'verified',
      });
      expect(submitted.status).toBe(200);
      const verified = await eventually(
        () => sensitive.identity.verificationSessions.retrieve(session.id, { expand: ['verified_outputs', 'verified_outputs.id_number'] }),
        (s) => expect(s.status).toBe('verified'),
      );
      // The API reads every value back through the session's key.
      expect(verified).toMatchObject({
        client_reference_id: `ref-${unique}`,
        metadata: { note: `meta-${unique}` },
        verified_outputs: { first_name: 'Jenny', id_number: idNumber.slice(-4) },
      });

      // What an attacker could have copied before: the data key (as a container holds it) and its wrapped form.
      await loadSessionKeys([{ scope, id: session.id }]);
      const dataKey = sessionKeyForReading(scope, session.id)!;
      expect(dataKey).toHaveLength(32);
      const wrapped = (await dynamo().send(new GetCommand({ TableName: keyTableName(), Key: sessionKeyKey(scope, session.id) }))).Item!
        .wrapped as Uint8Array;

      // The search below can find a key: before the redaction the database file holds the wrapped one.
      const database = join(dataDir, 'dynamodb', 'shared-local-instance.db');
      expect(
        keyForms(wrapped).some((form) => readFileSync(database).includes(form)),
        'the database holds the wrapped key before redaction',
      ).toBe(true);

      await stripe.identity.verificationSessions.redact(session.id);
      await eventually(
        () => stripe.identity.verificationSessions.retrieve(session.id),
        (s) => expect(s.redaction?.status).toBe('redacted'),
        30_000,
      );

      // The key table: the session's key is a tombstone; nothing in it holds the key, wrapped or not.
      const keyItems = await scan(keyTableName());
      expect(keyItems.find((item) => item.pk === sessionKeyKey(scope, session.id).pk)).toMatchObject({ shredded_at: expect.any(Number) });
      expect(keyItems.find((item) => item.pk === sessionKeyKey(scope, session.id).pk)!.wrapped).toBeUndefined();

      // The table: nothing in clear, and nothing sealed that the destroyed key opened.
      const table = clearJson(await scan(tableName()));
      for (const value of personal) expect(table, `table holds ${value}`).not.toContain(value);

      // The stream, from its start: the old images are there, sealed; the key that opened them is gone.
      const records = await streamRecords(service);
      // Images in the wire form (S, B, M, …): strings are searched as they are, binary values are the sealed ones.
      const images = records.flatMap((record) =>
        [record.dynamodb?.OldImage, record.dynamodb?.NewImage].filter((image) => image !== undefined),
      ) as Record<string, any>[];
      expect(images.length).toBeGreaterThan(0);
      const stream = clearJson(images);
      for (const value of personal) expect(stream, `stream holds ${value}`).not.toContain(value);
      for (const sealed of images.flatMap(sealedValues)) {
        for (const value of personal) expect(Buffer.from(sealed).includes(Buffer.from(value)), `a binary value holds ${value}`).toBe(false);
      }
      const sessionImages = images.filter(
        (image) => image.sk?.S === 'verification_session' && image.id?.S === session.id && image.session_sealed?.B,
      );
      expect(sessionImages.length).toBeGreaterThan(0);
      // With the key an attacker would have had to copy before, the stream's sealed session opens:
      // it is the person's data, sealed; once the key is destroyed nothing opens it.
      const image = sessionImages[0]!;
      const context = `verity:v1:${image.pk.S}:${image.sk.S}:session`;
      expect(JSON.stringify(openJson(dataKey, image.session_sealed.B, context))).toContain(`ref-${unique}`);

      // Every file in the data folder, once the service has stopped (DynamoDB Local's database included).
      await service.stop();
      service = undefined;
      const files = filesOf(dataDir);
      expect(files.map((file) => file.path)).toContain(join(dataDir, 'dynamodb', 'shared-local-instance.db'));
      for (const { path, bytes } of files) {
        for (const value of personal) expect(bytes.includes(Buffer.from(value)), `${path} holds ${value}`).toBe(false);
        for (const form of [...keyForms(dataKey), ...keyForms(wrapped)])
          expect(bytes.includes(form), `${path} holds the session's key`).toBe(false);
      }
    },
  );
});
