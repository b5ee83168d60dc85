/**
 * Stands in for Lambda's DynamoDB stream event source on one machine: reads the table's stream
 * through the real DynamoDB Streams API and invokes a stream consumer with Lambda-shaped batches,
 * honouring `batchItemFailures` (records from the first failure on are handed over again).
 * Progress is checkpointed to a file, so a restart resumes where the last run stopped.
 */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { writePrivateFile } from './data-dir';
import { localClient, localCredentials, type DynamoConnection } from './dynamodb';
import { SWEPT_BY_LOCAL_TTL } from './ttl-sweeper';

export type StreamConsumer = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>;

export interface StreamPollerOptions {
  dynamo: DynamoConnection;
  tableName: string;
  consumer: StreamConsumer;
  /** Where progress is kept; without it, a start reads from `startAt`. */
  checkpointFile?: string;
  /** Where to start a shard that has no checkpoint. */
  startAt?: 'TRIM_HORIZON' | 'LATEST';
  intervalMs?: number;
  batchSize?: number;
}

export interface StreamPoller {
  stop(): Promise<void>;
}

const RETRY_AFTER_FAILURE_MS = 500;
const DISCOVER_SHARDS_EVERY_MS = 2000;

export async function startStreamPoller(options: StreamPollerOptions): Promise<StreamPoller> {
  const streams = new DynamoDBStreamsClient({
    endpoint: options.dynamo.endpoint,
    region: 'local',
    credentials: localCredentials(options.dynamo),
  });
  const tables = localClient(options.dynamo);
  const { Table } = await tables.send(new DescribeTableCommand({ TableName: options.tableName }));
  tables.destroy();
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`Table ${options.tableName} has no stream`);

  const checkpoints = readCheckpoints(options.checkpointFile);
  const saveCheckpoint = (shardId: string, sequenceNumber: string) => {
    checkpoints[shardId] = sequenceNumber;
    if (!options.checkpointFile) return;
    // Written aside and renamed, so a crash never leaves half a file.
    writePrivateFile(`${options.checkpointFile}.tmp`, JSON.stringify(checkpoints));
    renameSync(`${options.checkpointFile}.tmp`, options.checkpointFile);
  };
  /** Open shards and their next iterator; a closed shard is dropped once read to its end. */
  const iterators = new Map<string, string | undefined>();
  const finished = new Set<string>();

  const iteratorAt = async (
    shardId: string,
    type: 'TRIM_HORIZON' | 'LATEST' | 'AFTER_SEQUENCE_NUMBER' | 'AT_SEQUENCE_NUMBER',
    sequenceNumber?: string,
  ) =>
    (
      await streams.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: type, SequenceNumber: sequenceNumber }),
      )
    ).ShardIterator;

  async function discoverShards(): Promise<void> {
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
      );
      for (const shard of StreamDescription?.Shards ?? []) {
        const shardId = shard.ShardId!;
        if (iterators.has(shardId) || finished.has(shardId)) continue;
        const checkpoint = checkpoints[shardId];
        // A shard born while we run (a child of one we read) is read from its start.
        const start = checkpoint ? 'AFTER_SEQUENCE_NUMBER' : discovered ? 'TRIM_HORIZON' : (options.startAt ?? 'TRIM_HORIZON');
        iterators.set(shardId, await iteratorAt(shardId, start, checkpoint));
      }
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    discovered = true;
  }

  async function pollShard(shardId: string, iterator: string): Promise<void> {
    const { Records = [], NextShardIterator } = await streams.send(
      new GetRecordsCommand({ ShardIterator: iterator, Limit: options.batchSize ?? 100 }),
    );
    if (Records.length === 0) {
      if (NextShardIterator) iterators.set(shardId, NextShardIterator);
      else {
        iterators.delete(shardId);
        finished.add(shardId);
      }
      return;
    }
    const records = Records.map((record) => toLambdaRecord(record, streamArn!));
    const response = await options.consumer({ Records: records }).catch((error: Error) => {
      console.error(JSON.stringify({ level: 'error', message: 'stream consumer failed', name: error.name, detail: error.message }));
      return { batchItemFailures: [{ itemIdentifier: records[0]!.dynamodb!.SequenceNumber! }] };
    });
    const failures = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    const firstFailure = records.findIndex((record) => failures.has(record.dynamodb!.SequenceNumber!));
    if (firstFailure === -1) {
      saveCheckpoint(shardId, records[records.length - 1]!.dynamodb!.SequenceNumber!);
      iterators.set(shardId, NextShardIterator);
      return;
    }
    if (firstFailure > 0) saveCheckpoint(shardId, records[firstFailure - 1]!.dynamodb!.SequenceNumber!);
    await new Promise((done) => setTimeout(done, RETRY_AFTER_FAILURE_MS));
    iterators.set(shardId, await iteratorAt(shardId, 'AT_SEQUENCE_NUMBER', records[firstFailure]!.dynamodb!.SequenceNumber!));
  }

  let discovered = false;
  let running = true;
  let lastDiscovery = 0;
  const report = (message: string, error: unknown) =>
    console.error(JSON.stringify({ level: 'error', message, name: (error as Error).name, detail: (error as Error).message }));
  // The first shards are found before start returns, so a change made right after is read.
  await discoverShards().then(
    () => (lastDiscovery = Date.now()),
    (error: unknown) => report('stream discovery failed', error),
  );
  const loop = (async () => {
    while (running) {
      if (Date.now() - lastDiscovery > DISCOVER_SHARDS_EVERY_MS) {
        await discoverShards().then(
          () => (lastDiscovery = Date.now()),
          (error: unknown) => report('stream discovery failed', error),
        );
      }
      for (const [shardId, iterator] of [...iterators]) {
        if (!running) break;
        try {
          if (iterator) await pollShard(shardId, iterator);
          else {
            iterators.delete(shardId);
            finished.add(shardId);
          }
        } catch (error) {
          // An iterator unused for 15 minutes expires (a laptop asleep, say): start again from the checkpoint.
          const name = (error as Error).name;
          if (name === 'ExpiredIteratorException' || name === 'TrimmedDataAccessException') {
            const checkpoint = checkpoints[shardId];
            await iteratorAt(shardId, checkpoint ? 'AFTER_SEQUENCE_NUMBER' : 'TRIM_HORIZON', checkpoint).then(
              (fresh) => iterators.set(shardId, fresh),
              (again: unknown) => report('stream iterator renewal failed', again),
            );
          } else if (running) report('stream polling failed', error);
        }
      }
      await new Promise((done) => setTimeout(done, options.intervalMs ?? 200));
    }
  })();

  return {
    stop: async () => {
      running = false;
      await loop;
      streams.destroy();
    },
  };
}

function readCheckpoints(file: string | undefined): Record<string, string> {
  if (!file || !existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    console.error(`Ignoring unreadable stream checkpoints in ${file}: reading the stream from its start.`);
    return {};
  }
}

/**
 * AWS marks a TTL deletion as a `REMOVE` by the DynamoDB service. DynamoDB Local marks its own
 * with an event name AWS does not use and no `userIdentity` (anything but the three names AWS
 * uses, with an old image and no new one); the local TTL stand-in's deletions are plain removes
 * of items it marked first (local/ttl-sweeper.ts). Both get AWS's shape.
 */
export function normalizeTtlDeletion(record: StreamRecord): StreamRecord {
  const ttl = { eventName: 'REMOVE' as const, userIdentity: { Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' } };
  const known = record.eventName === 'INSERT' || record.eventName === 'MODIFY' || record.eventName === 'REMOVE';
  if (!known && record.dynamodb?.OldImage && !record.dynamodb.NewImage) return { ...record, ...ttl };
  const swept = record.dynamodb?.OldImage?.[SWEPT_BY_LOCAL_TTL] as { BOOL?: boolean } | undefined;
  if (record.eventName === 'REMOVE' && !record.userIdentity && swept?.BOOL === true) return { ...record, ...ttl };
  return record;
}

/** A stream record as Lambda hands it to a function (times in epoch seconds, the stream's ARN). */
function toLambdaRecord(raw: StreamRecord, streamArn: string): DynamoDBRecord {
  const record = normalizeTtlDeletion(raw);
  const { dynamodb } = record;
  return {
    eventID: record.eventID,
    eventName: record.eventName as DynamoDBRecord['eventName'],
    eventVersion: record.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion,
    eventSourceARN: streamArn,
    // Lambda's shape spells the identity's fields in lower case.
    ...(record.userIdentity ? { userIdentity: { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId } } : {}),
    dynamodb: {
      ...(dynamodb as DynamoDBRecord['dynamodb']),
      ...(dynamodb?.NewImage ? { NewImage: restoreEmptyMaps(dynamodb.NewImage) } : {}),
      ...(dynamodb?.OldImage ? { OldImage: restoreEmptyMaps(dynamodb.OldImage) } : {}),
      ApproximateCreationDateTime: dynamodb?.ApproximateCreationDateTime
        ? Math.floor(new Date(dynamodb.ApproximateCreationDateTime).getTime() / 1000)
        : undefined,
    },
  } as DynamoDBRecord;
}

/**
 * The Streams SDK client reads an empty map attribute (`{"M":{}}` on the wire) as `{}`, which no
 * longer says what it is; Lambda passes the wire form. Put the `M` back, at any depth.
 */
/** An attribute value on the wire: its type's letter (`S`, `M`, `L`, …) to its value. */
type WireValue = Record<string, unknown>;

function restoreEmptyMaps<T>(image: T): T {
  const restore = (value: WireValue): WireValue => {
    if (Object.keys(value).length === 0) return { M: {} };
    if (value.M) return { M: Object.fromEntries(Object.entries(value.M as Record<string, WireValue>).map(([k, v]) => [k, restore(v)])) };
    if (value.L) return { L: (value.L as WireValue[]).map(restore) };
    return value;
  };
  return Object.fromEntries(Object.entries(image as Record<string, WireValue>).map(([k, v]) => [k, restore(v)])) as T;
}
