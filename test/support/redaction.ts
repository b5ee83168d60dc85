/**
 * What the redaction tests share: a table of their own, the sessions and stream records of
 * ./redaction-data.ts, and a count of the writes a redaction makes.
 */
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DeleteCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, vi } from 'vitest';
import { dynamo } from '../../functions/store/client';
import { EVENT_KIND } from '../../functions/store/event-items';
import { REPORT_KIND } from '../../functions/store/verification-reports';
import { ensureTable } from '../../local/dynamodb';

export * from './redaction-data';

/**
 * A table of this test file's own on the run's DynamoDB Local, for the file's whole run: no other
 * file's TTL stand-in, stream poller or backstop (they all share the common table) sees its items.
 */
export function useOwnTable(prefix: string): void {
  const name = `${prefix}-${process.pid}-${Date.now()}`;
  let shared: string | undefined;
  beforeAll(async () => {
    // The client the handlers use is configured by the test environment; this one is too.
    const client = new DynamoDBClient({});
    await ensureTable(client, name);
    client.destroy();
    shared = process.env.VERITY_TABLE_NAME;
    process.env.VERITY_TABLE_NAME = name;
  });
  afterAll(async () => {
    process.env.VERITY_TABLE_NAME = shared;
    const client = new DynamoDBClient({});
    await client.send(new DeleteTableCommand({ TableName: name }));
    // And the key table ensureTable made beside it.
    await client.send(new DeleteTableCommand({ TableName: `${name}-keys` }));
    client.destroy();
  });
}

export interface WriteCount {
  /** Reports and events rewritten, files and saved responses deleted. */
  copies: number;
  /** Every write request of any kind. */
  all: number;
}

/**
 * Counts the writes that reach DynamoDB through the handlers' client, from now until `stop`.
 * `failCopyWrite(n)` makes the n-th copy write from then on fail, as a crash mid-run would.
 */
export function countWrites() {
  const client = dynamo();
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  const count: WriteCount = { copies: 0, all: 0 };
  let failAt: number | undefined;
  const spy = vi.spyOn(client, 'send').mockImplementation((async (command: unknown) => {
    const copyWrites =
      (command instanceof PutCommand && [REPORT_KIND, EVENT_KIND].includes(command.input.Item?.sk)) ||
      (command instanceof UpdateCommand && command.input.Key?.sk === EVENT_KIND)
        ? 1
        : command instanceof BatchWriteCommand
          ? Object.values(command.input.RequestItems ?? {}).flat().length
          : 0;
    const single = [PutCommand, DeleteCommand, UpdateCommand, TransactWriteCommand].some((type) => command instanceof type);
    const writes = single ? 1 : copyWrites;
    if (copyWrites && failAt !== undefined && count.copies + copyWrites >= failAt) {
      failAt = undefined;
      throw new Error('injected failure');
    }
    const result = await send(command);
    count.copies += copyWrites;
    count.all += writes;
    return result;
  }) as never);
  return {
    count,
    reset: () => Object.assign(count, { copies: 0, all: 0 }),
    failCopyWrite: (n: number) => {
      failAt = count.copies + n;
    },
    stop: () => spy.mockRestore(),
  };
}

/**
 * JSON of items, images or API objects to search for personal values, each binary value a
 * placeholder: JSON.stringify writes a Uint8Array as {"0":…,"1256":…}, whose index keys match a
 * 4-digit value by chance. Search binary (sealed) values on their own.
 */
export const clearJson = (value: unknown) => JSON.stringify(value, (_, v: unknown) => (v instanceof Uint8Array ? '<binary>' : v));

/**
 * How the last 4 digits of an ID number are searched for: as a whole JSON string (`"1234"`), the
 * form items, images, API answers and DynamoDB Local's rows hold it in; bare, 4 digits turn up
 * inside timestamps by chance.
 */
export const lastFourAsStored = (idNumber: string) => `"${idNumber.slice(-4)}"`;
