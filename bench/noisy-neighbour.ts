/**
 * Part of `npm run bench`: can one tenant slow another's webhooks and verdicts? On the local
 * runtime (one process, as `npm start`; 127.0.0.1 only), account B's webhook latency (a cancel to
 * its `canceled` event's arrival) and verdict latency (a page submission to `verified`) are
 * measured alone, then while account A floods:
 *   - webhooks: 16 endpoints on a server that accepts connections and never answers, and 66
 *     canceled sessions, so A has 1,056 deliveries due, each of which hangs for the 10 s request limit;
 *   - checks: a page submission with test mode's processing delay (60 s here) every FLOOD_EVERY_MS.
 * Target: B's p99 under the flood at most twice its p99 alone, for each. Writes
 * bench/noisy-neighbour.json and exits 1 when the target breaks. Bounded: SAMPLES measurements of
 * each per phase, at most MAX_FLOOD_SUBMISSIONS delayed submissions; every server is closed at the end.
 */
import { writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { cpus, loadavg } from 'node:os';
import Stripe from 'stripe';
import { generateSecretKey, hashSecretKey, newAccountId } from '../functions/domain/api-keys';
import { saveApiKey } from '../functions/store/api-keys';
import { getSession } from '../functions/store/sessions';
import { startLocalRuntime } from '../local/runtime';
import { jpegHeader } from '../test/support/images';

const SAMPLES = 10;
const FLOOD_SESSIONS = 66;
const FLOOD_ENDPOINTS = 16;
const FLOOD_EVERY_MS = 500;
const MAX_FLOOD_SUBMISSIONS = 200;
const LIMIT_MS = 120_000;

process.env.VERITY_TEST_PROCESSING_DELAY_SECONDS = '60';
// A's flood is of deliveries and delayed checks, made as fast as the script goes; its API requests' own
// limit (25 a second in test mode) has its own bench (bench/tenant-isolation.ts) and would refuse the setup.
process.env.VERITY_RATE_LIMIT_TEST = 'off';
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))]!;
const round = (value: number) => Number(value.toFixed(1));
const ms = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e6;
const pause = (millis: number) => new Promise((done) => setTimeout(done, millis));

const service = await startLocalRuntime({ port: 0, host: '127.0.0.1', publishEvents: true });
const url = new URL(service.url);
const newTenant = async () => {
  const key = generateSecretKey('test');
  const scope = { account: newAccountId(), mode: 'test' as const };
  await saveApiKey(hashSecretKey(key), scope, new Date());
  return { scope, stripe: new Stripe(key, { host: url.hostname, port: Number(url.port), protocol: 'http', maxNetworkRetries: 0 }) };
};

// The receivers: B's answers at once; A's accepts each connection and never answers.
const arrivals = new Map<string, bigint>();
const receiver = createHttpServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string; data: { object: { id: string } } };
    arrivals.set(`${event.data.object.id} ${event.type}`, process.hrtime.bigint());
    response.writeHead(200).end();
  });
});
const held = new Set<Socket>();
const hanging = createTcpServer((socket) => {
  held.add(socket);
  // Read (and drop) what comes, so a client's close is seen; answer nothing, ever.
  socket.resume();
  socket.on('error', () => undefined);
  socket.on('close', () => held.delete(socket));
});
await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
await new Promise<void>((done) => hanging.listen(0, '127.0.0.1', done));
const port = (server: { address(): unknown }) => (server.address() as AddressInfo).port;

const b = await newTenant();
const a = await newTenant();
await b.stripe.webhookEndpoints.create({
  url: `http://127.0.0.1:${port(receiver)}/b`,
  enabled_events: ['identity.verification_session.canceled'],
});

/** B: a cancel to its webhook's arrival. */
async function webhookOnce(): Promise<number> {
  const session = await b.stripe.identity.verificationSessions.create({ type: 'document' });
  await b.stripe.identity.verificationSessions.cancel(session.id);
  const changed = process.hrtime.bigint();
  const key = `${session.id} identity.verification_session.canceled`;
  while (!arrivals.has(key)) {
    if (ms(changed) > LIMIT_MS) throw new Error(`no webhook within ${LIMIT_MS / 1000} s`);
    await pause(5);
  }
  return Number(arrivals.get(key)! - changed) / 1e6;
}

// A JPEG whose header the upload's image check reads (a bare signature is refused since images are checked).
const JPEG = jpegHeader(640, 480);
const page = (path: string, init: RequestInit = {}) => fetch(`${service.url}${path}`, { redirect: 'manual', ...init });
/** A page submission of a new session of `tenant`'s, as the page sends it; returns when it was answered. */
async function submit(tenant: typeof a, choices: Record<string, unknown>) {
  const session = await tenant.stripe.identity.verificationSessions.create({ type: 'document' });
  const path = new URL(session.url!).pathname;
  const accepted = await page(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'consent=accept',
  });
  const cookie = accepted.headers.get('set-cookie')!.split(';')[0]!;
  const asked = await page(`${path}/uploads`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ purpose: 'identity_document', content_type: 'image/jpeg' }),
  });
  const upload = (await asked.json()) as { file: string; url: string; fields: Record<string, string> };
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('file', new Blob([JPEG]), 'front.jpg');
  const uploaded = await fetch(new URL(upload.url, service.url), { method: 'POST', body: form });
  if (uploaded.status !== 204) throw new Error(`upload: ${uploaded.status}`);
  const start = process.hrtime.bigint();
  const submitted = await page(`${path}/submit`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ document_type: 'passport', document_front: upload.file, ...choices }),
  });
  if (submitted.status !== 200) throw new Error(`submit: ${submitted.status} ${await submitted.text()}`);
  return { session, start };
}

/** B: a page submission to its verdict (read every 5 ms, strongly consistent). */
async function verdictOnce(): Promise<number> {
  const { session, start } = await submit(b, { test_case: 'verified' });
  for (;;) {
    if ((await getSession(b.scope, session.id))?.session.status === 'verified') return ms(start);
    if (ms(start) > LIMIT_MS) throw new Error(`no verdict within ${LIMIT_MS / 1000} s`);
    await pause(5);
  }
}

async function measure(label: string) {
  // One of each unmeasured first (stream pollers reaching the end of the stream).
  await webhookOnce();
  await verdictOnce();
  const webhook: number[] = [];
  const verdict: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    webhook.push(await webhookOnce());
    verdict.push(await verdictOnce());
  }
  const row = (values: number[]) => ({
    p50Ms: round(percentile(values, 50)),
    p99Ms: round(percentile(values, 99)),
    samples: values.length,
  });
  console.error(`${label}: webhook ${JSON.stringify(row(webhook))}, verdict ${JSON.stringify(row(verdict))}`);
  return { webhook: row(webhook), verdict: row(verdict) };
}

console.error('noisy neighbour: B alone…');
const alone = await measure('B alone');

console.error(
  `noisy neighbour: A makes ${FLOOD_SESSIONS * FLOOD_ENDPOINTS} deliveries to endpoints that never answer, and delayed checks ` +
    `every ${FLOOD_EVERY_MS} ms…`,
);
// Subscribed to cancellations only, so the delayed submissions below add no deliveries: 1,056 it is.
for (let i = 0; i < FLOOD_ENDPOINTS; i++) {
  await a.stripe.webhookEndpoints.create({
    url: `http://127.0.0.1:${port(hanging)}/a-${i}`,
    enabled_events: ['identity.verification_session.canceled'],
  });
}
for (let i = 0; i < FLOOD_SESSIONS; i++)
  await a.stripe.identity.verificationSessions.cancel((await a.stripe.identity.verificationSessions.create({ type: 'document' })).id);
let flooding = true;
let floodSubmissions = 0;
const floodChecks = (async () => {
  while (flooding && floodSubmissions < MAX_FLOOD_SUBMISSIONS) {
    const next = Date.now() + FLOOD_EVERY_MS;
    await submit(a, { test_case: 'verified', delay: true });
    floodSubmissions++;
    await pause(Math.max(0, next - Date.now()));
  }
})();
// Let the fan-out make A's deliveries and the first of them hang.
await pause(5000);
const underFlood = await measure('B while A floods');
flooding = false;
await floodChecks;

const ratio = (kind: 'webhook' | 'verdict') => round(underFlood[kind].p99Ms / alone[kind].p99Ms);
const results = {
  machine: { cpus: cpus().length, loadAverage: loadavg().map(round) },
  flood: { deliveries: FLOOD_SESSIONS * FLOOD_ENDPOINTS, delayedSubmissions: floodSubmissions, delaySeconds: 60 },
  alone,
  underFlood,
  p99Ratio: { webhook: ratio('webhook'), verdict: ratio('verdict') },
  target: 'p99 under the flood at most 2x alone',
};
writeFileSync(new URL('./noisy-neighbour.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results, null, 2));
for (const socket of held) socket.destroy();
await service.stop();
await new Promise<void>((done) => receiver.close(() => done()));
await new Promise<void>((done) => hanging.close(() => done()));
if (results.p99Ratio.webhook > 2 || results.p99Ratio.verdict > 2) {
  console.error('noisy neighbour: B slowed by more than 2x');
  process.exit(1);
}
