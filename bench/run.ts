/**
 * `npm run bench`: what Verity costs on this machine, measured, and the budget it holds.
 * Prints one table and writes bench/results.json. Loopback only; bounded in count and time.
 *   1. each Lambda bundle (as `cdk synth` builds it): size and cold import time in fresh Node processes
 *   2. each endpoint, in process against DynamoDB Local: latency, DynamoDB calls, consumed capacity,
 *      next to the raw DynamoDB calls it must make at minimum
 *   3. list page cost with 1,000 and with 20,000 sessions in the account
 *   4. HTTP throughput of the local runtime (autocannon)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BatchWriteCommand, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { App } from 'aws-cdk-lib';
import autocannon from 'autocannon';
import { generateSecretKey, hashSecretKey, newAccountId } from '../functions/domain/api-keys';
import { createVerificationSession, type Scope, type VerificationSession } from '../functions/domain/verification-session';
import { handler as cancel } from '../functions/http/cancel-verification-session';
import { handler as create } from '../functions/http/create-verification-session';
import { handler as listEvents } from '../functions/http/list-events';
import { handler as list } from '../functions/http/list-verification-sessions';
import { handler as redact } from '../functions/http/redact-verification-session';
import { handler as retrieveEvent } from '../functions/http/retrieve-event';
import { handler as retrieve } from '../functions/http/retrieve-verification-session';
import { handler as update } from '../functions/http/update-verification-session';
import { changeWithEvents } from '../functions/outbox';
import { saveApiKey } from '../functions/store/api-keys';
import { dynamo } from '../functions/store/client';
import { eventItem } from '../functions/store/event-items';
import { listPartition, objectKey, tableName, tableSchema } from '../functions/store/schema';
import { sessionItem } from '../functions/store/sessions';
import { newObjectId } from '../functions/wire/ids';
import { VerityStack } from '../lib/verity-stack';
import { startLocalApi } from '../local/api-gateway';
import { ensureTable, localClient, startDynamoDbLocal } from '../local/dynamodb';
import { configureLocalEnvironment } from '../local/runtime';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

const COLD_RUNS = 15;
const CALLS = 200;
const WARMUP = 20;
const context = { functionName: 'bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))]!;
const round = (value: number, digits = 2) => Number(value.toFixed(digits));
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

// ---------------------------------------------------------------------------------------------
// DynamoDB Local, and a meter on every call the store makes
// ---------------------------------------------------------------------------------------------
const local = await startDynamoDbLocal();
const TABLE = 'verity-bench';
const admin = localClient(local);
await ensureTable(admin, TABLE);
admin.destroy();
configureLocalEnvironment({ dynamo: local, tableName: TABLE, signingSecret: 'bench-signing-secret-0123456789abcdefghij' });

const meter = { calls: [] as string[], capacity: 0 };
dynamo().middlewareStack.add(
  (next, ctx) => async (args) => {
    meter.calls.push((ctx.commandName as string).replace(/Command$/, ''));
    (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
    const result = await next(args);
    const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }).ConsumedCapacity;
    for (const entry of [consumed ?? []].flat()) meter.capacity += entry.CapacityUnits ?? 0;
    return result;
  },
  { step: 'initialize', name: 'bench-meter' },
);
async function metered<T>(run: () => Promise<T>) {
  meter.calls = [];
  meter.capacity = 0;
  const start = process.hrtime.bigint();
  const result = await run();
  return { result, ms: ms(start), calls: [...meter.calls], capacity: meter.capacity };
}

async function newAccount(): Promise<{ scope: Scope; secretKey: string }> {
  const secretKey = generateSecretKey('test');
  const scope = await saveApiKey(hashSecretKey(secretKey), { account: newAccountId(), mode: 'test' }, new Date());
  return { scope, secretKey };
}

function event(secretKey: string, method: string, path: string, options: { form?: string; query?: string; id?: string } = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: options.query ?? '',
    headers: { authorization: `Bearer ${secretKey}`, ...(options.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(options.id ? { pathParameters: { id: options.id } } : {}),
    requestContext: { http: { method, path } } as APIGatewayProxyEventV2['requestContext'],
    isBase64Encoded: Boolean(options.form),
    ...(options.form ? { body: Buffer.from(options.form).toString('base64') } : {}),
  };
}
async function invoke(handler: Handler, e: APIGatewayProxyEventV2) {
  const response = await handler(e, context);
  if (response.statusCode !== 200) throw new Error(`${e.routeKey}: ${response.statusCode} ${response.body}`);
  return JSON.parse(response.body!);
}

// ---------------------------------------------------------------------------------------------
// 1. Bundles: size and cold import
// ---------------------------------------------------------------------------------------------
console.error('1/4 bundling the functions as cdk synth does, and timing cold imports…');
const outdir = mkdtempSync(join(tmpdir(), 'verity-bench-'));
const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
new VerityStack(app, 'Verity');
const assembly = app.synth();
const template = assembly.getStackByName('Verity').template as {
  Resources: Record<string, { Type: string; Properties: { Description?: string }; Metadata?: Record<string, string> }>;
};
const bundles = Object.values(template.Resources)
  .filter((r) => r.Type === 'AWS::Lambda::Function')
  .map((r) => ({ name: (r.Properties.Description ?? '').replace(/^Verity /, ''), file: join(outdir, r.Metadata!['aws:asset:path']!, 'index.mjs') }));

const timeProcess = (args: string[]) => {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
  return { wallMs: ms(start), output: result.stdout };
};
const bundleRows = bundles.map((bundle) => {
  const bare: number[] = [];
  const whole: number[] = [];
  const imports: number[] = [];
  // The import itself, timed inside the fresh process, and the whole process for context.
  const code = `const s = performance.now(); await import(${JSON.stringify(pathToFileURL(bundle.file).href)}); process.stdout.write(String(performance.now() - s));`;
  for (let i = 0; i < COLD_RUNS; i++) {
    bare.push(timeProcess(['-e', '0']).wallMs);
    const run = timeProcess(['--input-type=module', '-e', code]);
    whole.push(run.wallMs);
    imports.push(Number(run.output));
  }
  return {
    function: bundle.name,
    sizeKb: round(statSync(bundle.file).size / 1024, 1),
    bareNodeMs: round(median(bare), 1),
    nodeWithImportMs: round(median(whole), 1),
    differenceMs: round(median(whole) - median(bare), 1),
    coldImportMs: round(median(imports), 1),
  };
});
rmSync(outdir, { recursive: true, force: true });

// ---------------------------------------------------------------------------------------------
// 2. Endpoints in process: latency, DynamoDB calls and capacity, against the raw calls
// ---------------------------------------------------------------------------------------------
console.error('2/4 driving each endpoint in process against DynamoDB Local…');
const { scope, secretKey } = await newAccount();
const base = '/v1/identity/verification_sessions';
const newSession = async () => (await invoke(create as Handler, event(secretKey, 'POST', base, { form: 'type=document&metadata[order]=1' }))).id as string;
const fixed = await newSession();
const someEvent = (await invoke(listEvents as Handler, event(secretKey, 'GET', '/v1/events', { query: 'limit=1' }))).data[0].id as string;
const freshIds: string[] = [];
for (let i = 0; i < 2 * (CALLS + WARMUP); i++) freshIds.push(await newSession());

function sampleSession(): { session: VerificationSession; item: Record<string, unknown>; event: Record<string, unknown> } {
  const now = new Date();
  const session = createVerificationSession({ type: 'document', metadata: { order: '1' } }, { id: newObjectId('vs', now.getTime()), scope, now });
  const change = changeWithEvents(null, session, { request: { id: 'req_bench', idempotency_key: null }, now });
  return { session, item: sessionItem(session, 1), event: eventItem(change.events[0]!, scope) };
}
const rawGet = (id: string) => dynamo().send(new GetCommand({ TableName: tableName(), Key: objectKey(scope, id, 'verification_session'), ConsistentRead: true }));
const rawTransact = (items: Record<string, unknown>[]) =>
  dynamo().send(new TransactWriteCommand({ TransactItems: items.map((Item) => ({ Put: { TableName: tableName(), Item } })) }));
/** What a status change must do at minimum: read the session, write it with its event. */
const rawTransition = async () => {
  const { item, event: e } = sampleSession();
  await rawGet(fixed);
  await rawTransact([item, e]);
};
const rawQuery = (index: keyof typeof tableSchema.indexes, partition: string) =>
  dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: tableSchema.indexes[index].name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': tableSchema.indexes[index].partitionKey },
      ExpressionAttributeValues: { ':pk': partition },
      ScanIndexForward: false,
      Limit: 11,
    }),
  );

const endpoints: { name: string; call: (i: number) => Promise<unknown>; raw: (i: number) => Promise<unknown>; minimum: string }[] = [
  { name: 'create', minimum: 'TransactWriteItems', call: () => newSession(), raw: () => rawTransact([sampleSession().item, sampleSession().event]) },
  { name: 'retrieve', minimum: 'GetItem', call: () => invoke(retrieve as Handler, event(secretKey, 'GET', `${base}/${fixed}`, { id: fixed })), raw: () => rawGet(fixed) },
  {
    name: 'update',
    minimum: 'GetItem + TransactWriteItems',
    call: (i) => invoke(update as Handler, event(secretKey, 'POST', `${base}/${fixed}`, { id: fixed, form: `metadata[n]=${i}` })),
    raw: async () => {
      await rawGet(fixed);
      await rawTransact([sampleSession().item]);
    },
  },
  {
    name: 'cancel',
    minimum: 'GetItem + TransactWriteItems',
    call: (i) => invoke(cancel as Handler, event(secretKey, 'POST', `${base}/${freshIds[i]}/cancel`, { id: freshIds[i]! })),
    raw: rawTransition,
  },
  {
    name: 'redact',
    minimum: 'GetItem + TransactWriteItems',
    call: (i) => invoke(redact as Handler, event(secretKey, 'POST', `${base}/${freshIds[CALLS + WARMUP + i]}/redact`, { id: freshIds[CALLS + WARMUP + i]! })),
    raw: rawTransition,
  },
  {
    name: 'list',
    minimum: 'Query',
    call: () => invoke(list as Handler, event(secretKey, 'GET', base, { query: 'limit=10' })),
    raw: () => rawQuery('byScope', listPartition(scope, 'verification_session')),
  },
  {
    name: 'retrieve event',
    minimum: 'GetItem',
    call: () => invoke(retrieveEvent as Handler, event(secretKey, 'GET', `/v1/events/${someEvent}`, { id: someEvent })),
    raw: () => dynamo().send(new GetCommand({ TableName: tableName(), Key: objectKey(scope, someEvent, 'event') })),
  },
  {
    name: 'list events',
    minimum: 'Query',
    call: () => invoke(listEvents as Handler, event(secretKey, 'GET', '/v1/events', { query: 'limit=10' })),
    raw: () => rawQuery('byScope', listPartition(scope, 'event')),
  },
];

const endpointRows: {
  endpoint: string;
  p50Ms: number;
  p99Ms: number;
  dynamoCalls: string;
  capacityUnits: number;
  rawMinimum: string;
  rawP50Ms: number;
  overhead: number;
}[] = [];
for (const endpoint of endpoints) {
  const latencies: number[] = [];
  const rawLatencies: number[] = [];
  let calls: string[] = [];
  let capacity = 0;
  for (let i = 0; i < WARMUP + CALLS; i++) {
    const measured = await metered(() => endpoint.call(i));
    const raw = await metered(() => endpoint.raw(i));
    if (i < WARMUP) continue;
    latencies.push(measured.ms);
    rawLatencies.push(raw.ms);
    calls = measured.calls;
    capacity = measured.capacity;
  }
  endpointRows.push({
    endpoint: endpoint.name,
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    dynamoCalls: calls.join(' + '),
    capacityUnits: round(capacity, 1),
    rawMinimum: endpoint.minimum,
    rawP50Ms: round(percentile(rawLatencies, 50)),
    overhead: round(percentile(latencies, 50) / percentile(rawLatencies, 50)),
  });
}

// ---------------------------------------------------------------------------------------------
// 3. List page cost against table size
// ---------------------------------------------------------------------------------------------
console.error('3/4 seeding 1,000 then 20,000 sessions and pricing one list page per filter…');
const big = await newAccount();
const noise = await newAccount();
const filters: Record<string, string> = {
  none: '',
  status: 'status=canceled',
  client_reference_id: 'client_reference_id=ref_3',
  related_customer: 'related_customer=cus_3',
  related_customer_account: 'related_customer_account=acct_3',
  created: '', // filled in once times are known
  'status + client_reference_id': 'status=canceled&client_reference_id=ref_3',
};
let seeded = 0;
const startMs = Date.now() - 30 * 24 * 3600 * 1000;
async function seed(target: Scope, from: number, to: number) {
  const writes: Promise<unknown>[] = [];
  for (let i = from; i < to; i += 25) {
    const items = [];
    for (let j = i; j < Math.min(to, i + 25); j++) {
      const at = new Date(startMs + j * 60_000);
      const session = createVerificationSession(
        { type: 'document', client_reference_id: `ref_${j % 10}`, related_customer: `cus_${j % 10}`, related_customer_account: `acct_${j % 10}` },
        { id: newObjectId('vs', at.getTime()), scope: target, now: at },
      );
      items.push(sessionItem(j % 3 === 0 ? { ...session, status: 'canceled' } : session, 1));
    }
    writes.push(dynamo().send(new BatchWriteCommand({ RequestItems: { [tableName()]: items.map((Item) => ({ PutRequest: { Item } })) } })));
    if (writes.length >= 8) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
}
async function priceFilters() {
  const prices: Record<string, number> = {};
  for (const [name, query] of Object.entries(filters)) {
    await invoke(list as Handler, event(big.secretKey, 'GET', base, { query: `limit=10&${query}` })); // warm the key cache
    const { capacity, calls } = await metered(() => invoke(list as Handler, event(big.secretKey, 'GET', base, { query: `limit=10&${query}` })));
    if (calls.join() !== 'Query' && !name.includes('+')) throw new Error(`list by ${name} made ${calls.join(', ')}`);
    prices[name] = capacity;
  }
  return prices;
}
const createdFrom = Math.floor((startMs + 100 * 60_000) / 1000);
filters.created = `created[gte]=${createdFrom}&created[lt]=${createdFrom + 300 * 60}`;
await seed(noise.scope, 0, 2000);
await seed(big.scope, 0, 1000);
seeded = 1000;
const at1k = await priceFilters();
await seed(big.scope, 1000, 20_000);
seeded = 20_000;
const at20k = await priceFilters();
const listCostRows = Object.keys(filters).map((name) => ({
  filter: name,
  rcuAt1k: at1k[name]!,
  rcuAt20k: at20k[name]!,
  ratio: round(at20k[name]! / at1k[name]!),
}));

// ---------------------------------------------------------------------------------------------
// 4. HTTP throughput of the local runtime
// ---------------------------------------------------------------------------------------------
console.error('4/4 loading the local HTTP API with autocannon (5 s each, 10 connections, loopback)…');
const api = await startLocalApi({ port: 0 });
const load = (options: autocannon.Options) => autocannon({ connections: 10, duration: 5, ...options });
const httpRows = [];
for (const [name, options] of [
  ['retrieve', { url: `${api.url}${base}/${fixed}`, headers: { authorization: `Bearer ${secretKey}` } }],
  [
    'create',
    {
      url: `${api.url}${base}`,
      method: 'POST' as const,
      headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'type=document',
    },
  ],
] as const) {
  const result = await load(options);
  httpRows.push({ endpoint: name, requestsPerSecond: round(result.requests.average, 0), p50Ms: result.latency.p50, p99Ms: result.latency.p99, non2xx: result.non2xx, errors: result.errors });
}
await api.close();
await local.stop();

// ---------------------------------------------------------------------------------------------
// The budget, and the report
// ---------------------------------------------------------------------------------------------
const rowOf = (name: string) => endpointRows.find((row) => row.endpoint === name)!;
const budget = [
  { rule: 'retrieve makes 1 DynamoDB call', held: rowOf('retrieve').dynamoCalls === 'GetItem' },
  { rule: 'create makes 1 transactional write', held: rowOf('create').dynamoCalls === 'TransactWriteItems' },
  ...['update', 'cancel', 'redact'].map((name) => ({ rule: `${name} makes 1 read + 1 transactional write`, held: rowOf(name).dynamoCalls === 'GetItem + TransactWriteItems' })),
  { rule: 'list makes 1 query per page', held: rowOf('list').dynamoCalls === 'Query' && rowOf('list events').dynamoCalls === 'Query' },
  { rule: 'list page cost independent of table size (ratio <= 1.05, single filters)', held: listCostRows.filter((r) => !r.filter.includes('+')).every((r) => r.ratio <= 1.05) },
  { rule: 'every bundle under 400 KB', held: bundleRows.every((r) => r.sizeKb < 400) },
  { rule: 'cold import at most 80 ms above bare Node', held: bundleRows.every((r) => r.coldImportMs <= 80) },
  { rule: 'retrieve p50 at most 1.5x the raw GetItem', held: rowOf('retrieve').overhead <= 1.5 },
];

const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: round(totalmem() / 2 ** 30, 0), node: process.version, date: new Date().toISOString() };
const results = { machine, seededSessions: seeded, bundles: bundleRows, endpoints: endpointRows, listCost: listCostRows, http: httpRows, budget };
writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);

console.log(`Verity benchmark: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}\n`);
console.log('Lambda bundles (median of %d fresh processes: bare `node -e 0`, node importing the bundle, and the import alone)', COLD_RUNS);
console.table(bundleRows);
console.log(`Endpoints in process against DynamoDB Local (${CALLS} calls each, after ${WARMUP} warm-up calls)`);
console.table(endpointRows);
console.log('One list page of 10: read capacity with 1,000 and 20,000 sessions in the account (2,000 in another)');
console.table(listCostRows);
console.log('Local HTTP API under autocannon (10 connections, 5 s, loopback)');
console.table(httpRows);
console.log('Budget');
console.table(budget);
console.log('Written to bench/results.json');
process.exit(budget.every((line) => line.held) ? 0 : 1);
