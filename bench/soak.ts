/**
 * `npm run soak`: the whole local service under sustained concurrent load, on loopback only and
 * bounded in time and count. Creates and every transition are fired at a pool of sessions by
 * many concurrent clients, each POST with an Idempotency-Key, and a share of them retried with
 * the same key (some while the first is still in flight). Afterwards it checks what must hold:
 *   - one session per distinct create key that succeeded, none lost, none doubled;
 *   - every session's version counts exactly its successful changes;
 *   - its events trace a legal path, one event per transition;
 *   - nothing is left processing that is not held there by the `process` test helper.
 * It prints requests, errors by kind and latency, and exits non-zero when a check fails.
 *   npm run soak -- [--seconds 60] [--concurrency 32] [--max-requests 200000]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { getSession } from '../functions/store/sessions';
import { getSubmission } from '../functions/store/submissions';
import { startLocalRuntime } from '../local/runtime';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    concurrency: { type: 'string', default: '32' },
    'max-requests': { type: 'string', default: '200000' },
  },
});
const SECONDS = Number(args.seconds);
const CONCURRENCY = Number(args.concurrency);
const MAX_REQUESTS = Number(args['max-requests']);
const RETRY_SHARE = 0.1;

// The soak checks what concurrent writes leave behind, from one account far faster than Stripe's
// test-mode limit: the per-account rate limit (measured by bench/tenant-isolation.ts) is off.
process.env.VERITY_RATE_LIMIT_LIVE = 'off';
process.env.VERITY_RATE_LIMIT_TEST = 'off';
const service = await startLocalRuntime({ port: 0, host: '127.0.0.1', publishEvents: false });
const auth = { authorization: `Bearer ${service.secretKey}` };
const base = `${service.url}/v1`;

type Operation = 'create' | 'update' | 'cancel' | 'redact' | 'process' | 'verify' | 'require_input';
// No retrieves: one that renews a spent client_secret writes too, which would blur the count of writes.
const TRANSITIONS: Operation[] = ['update', 'cancel', 'redact', 'process', 'verify', 'require_input', 'process', 'verify'];
const LEGAL = new Set(['requires_input>processing', 'requires_input>canceled', 'processing>requires_input', 'processing>verified']);

const latencies: number[] = [];
const outcomes = new Map<string, number>();
/** Per idempotency key: the operation, its session, and whether it succeeded (replays share one entry). */
const keys = new Map<string, { operation: Operation; session?: string; ok: boolean }>();
const sessions: string[] = [];
let requests = 0;

function pathOf(operation: Operation, id: string): string {
  switch (operation) {
    case 'update':
      return `/identity/verification_sessions/${id}`;
    case 'cancel':
    case 'redact':
      return `/identity/verification_sessions/${id}/${operation}`;
    default:
      return `/test_helpers/identity/verification_sessions/${id}/${operation}`;
  }
}

async function send(method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; json: any }> {
  const started = performance.now();
  requests++;
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...auth, ...(key ? { 'idempotency-key': key } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await response.json()) as any;
  latencies.push(performance.now() - started);
  const kind = response.status < 300 ? `${response.status}` : `${response.status} ${json.error?.code ?? json.error?.type ?? json.message}`;
  outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1);
  return { status: response.status, json };
}

/** One POST under a fresh key, sometimes sent twice (at once or after), as a retrying client would. */
async function post(
  operation: Operation,
  path: string,
  body: unknown,
  session?: string,
): Promise<{ json: any; entry: { session?: string } }> {
  const key = randomUUID();
  const entry = { operation, session, ok: false };
  keys.set(key, entry);
  const attempts = Math.random() < RETRY_SHARE ? (Math.random() < 0.5 ? 'concurrent' : 'sequential') : 'once';
  const first = send('POST', path, body, key);
  const second = attempts === 'concurrent' ? send('POST', path, body, key) : undefined;
  const results = [await first, ...(second ? [await second] : [])];
  if (attempts === 'sequential') results.push(await send('POST', path, body, key));
  const success = results.find((r) => r.status === 200);
  // A retry is answered with the first response (or 409 while the first is in flight): at most one change per key.
  if (success) entry.ok = true;
  return { json: success?.json, entry };
}

async function client(deadline: number): Promise<void> {
  while (Date.now() < deadline && requests < MAX_REQUESTS) {
    if (sessions.length < 20 || Math.random() < 0.25) {
      const { json, entry } = await post('create', '/identity/verification_sessions', { type: 'document', metadata: { soak: 'yes' } });
      if (json?.id) {
        entry.session = json.id;
        sessions.push(json.id);
      }
      continue;
    }
    // Recent sessions mostly, so that transitions race each other.
    const id = sessions[sessions.length - 1 - Math.floor(Math.random() * Math.min(sessions.length, 30))]!;
    const operation = TRANSITIONS[Math.floor(Math.random() * TRANSITIONS.length)]!;
    await post(operation, pathOf(operation, id), operation === 'update' ? { metadata: { [`k${requests % 7}`]: 'v' } } : {}, id);
  }
}

const started = Date.now();
await Promise.all(Array.from({ length: CONCURRENCY }, () => client(started + SECONDS * 1000)));
const elapsed = (Date.now() - started) / 1000;

// ---------------------------------------------------------------------------------------------
// What must hold afterwards
// ---------------------------------------------------------------------------------------------
const failures: string[] = [];
const check = (ok: boolean, message: string) => {
  if (!ok) failures.push(message);
};

// Redactions finish on their own, within seconds: wait for them, so what is read is settled.
const scope = { account: service.account, mode: 'test' as const };
for (const waitUntil = Date.now() + 60_000; Date.now() < waitUntil; await new Promise((done) => setTimeout(done, 500))) {
  const pending = await Promise.all(sessions.map((id) => getSession(scope, id)));
  if (!pending.some((s) => s?.session.redaction?.status === 'processing')) break;
}

const listed: any[] = [];
for (let cursor: string | undefined; ; ) {
  const page = (await send('GET', `/identity/verification_sessions?limit=100${cursor ? `&starting_after=${cursor}` : ''}`)).json;
  listed.push(...page.data);
  if (!page.has_more) break;
  cursor = page.data.at(-1).id;
}
const createKeys = [...keys.values()].filter((k) => k.operation === 'create' && k.ok);
check(listed.length === createKeys.length, `sessions: ${listed.length} listed, ${createKeys.length} create keys succeeded`);
check(new Set(listed.map((s) => s.id)).size === listed.length, 'a session is listed twice');

const events: any[] = [];
for (let cursor: string | undefined; ; ) {
  const page = (await send('GET', `/events?limit=100${cursor ? `&starting_after=${cursor}` : ''}`)).json;
  events.push(...page.data);
  if (!page.has_more) break;
  cursor = page.data.at(-1).id;
}
const eventsBySession = new Map<string, any[]>();
// The redaction job's own `redacted` event changes no status; it is counted apart.
const redactedEvents = new Map<string, number>();
for (const event of events.reverse()) {
  const id = event.data.object.id;
  if (event.type === 'identity.verification_session.redacted') {
    redactedEvents.set(id, (redactedEvents.get(id) ?? 0) + 1);
    continue;
  }
  eventsBySession.set(id, [...(eventsBySession.get(id) ?? []), event]);
}

let processing = 0;
for (const session of listed) {
  const writes = [...keys.values()].filter((k) => k.session === session.id && k.ok && k.operation !== 'create').length;
  const stored = await getSession(scope, session.id);
  // A finished redaction is one more write, by the redaction job, with one `redacted` event.
  const finished = stored?.session.redaction?.status === 'redacted' ? 1 : 0;
  check(
    stored?.version === 1 + writes + finished,
    `${session.id}: version ${stored?.version}, but 1 + ${writes} successful changes + ${finished}`,
  );
  check((redactedEvents.get(session.id) ?? 0) === finished, `${session.id}: ${redactedEvents.get(session.id) ?? 0} redacted events`);
  const statuses = (eventsBySession.get(session.id) ?? []).map((event) => event.data.object.status);
  check(statuses[0] === 'requires_input', `${session.id}: first event is not its creation`);
  for (let i = 1; i < statuses.length; i++)
    check(LEGAL.has(`${statuses[i - 1]}>${statuses[i]}`), `${session.id}: ${statuses[i - 1]} → ${statuses[i]}`);
  check(
    statuses.at(-1) === stored?.session.status,
    `${session.id}: last event says ${statuses.at(-1)}, session is ${stored?.session.status}`,
  );
  const succeeded = (operation: Operation) =>
    [...keys.values()].filter((k) => k.session === session.id && k.ok && k.operation === operation).length;
  check(statuses.filter((s) => s === 'verified').length === succeeded('verify'), `${session.id}: verified events ≠ successful verifies`);
  check(
    statuses.slice(1).filter((s) => s === 'requires_input').length === succeeded('require_input'),
    `${session.id}: requires_input events ≠ successful require_inputs`,
  );
  if (stored?.session.status === 'processing') {
    processing++;
    const submission = stored.session.submission ? await getSubmission(scope, stored.session.submission) : undefined;
    check(submission?.held === true, `${session.id}: processing without a held submission`);
  }
}

latencies.sort((a, b) => a - b);
const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))]!.toFixed(1);
console.log(
  `soak: ${SECONDS} s at concurrency ${CONCURRENCY}: ${requests} requests in ${elapsed.toFixed(1)} s ` +
    `(${(requests / elapsed).toFixed(0)}/s)`,
);
console.log(
  `  sessions ${listed.length} (create keys ${createKeys.length}), idempotency keys ${keys.size}, events ${events.length}, left ` +
    `processing by the process helper ${processing}`,
);
console.log(`  latency p50 ${at(50)} ms, p99 ${at(99)} ms, max ${latencies.at(-1)!.toFixed(1)} ms`);
console.log('  responses by kind:');
for (const [kind, count] of [...outcomes].sort((a, b) => b[1] - a[1])) console.log(`    ${String(count).padStart(7)}  ${kind}`);
await service.stop();
if (failures.length) {
  console.log(`FAILED: ${failures.length} checks`);
  for (const failure of failures.slice(0, 20)) console.log(`  ${failure}`);
  process.exit(1);
}
console.log('held: no lost or duplicated writes, one event per transition, nothing processing that should not be');
