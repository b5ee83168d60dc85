/**
 * `npm start`: the whole of Verity on this machine.
 *   PORT                  where the API listens (default 4242)
 *   VERITY_IN_MEMORY=1    keep nothing on disk (otherwise data lives under .verity/)
 *   VERITY_SECRET_KEY     register and use this sk_test_/sk_live_ key instead of a new one
 *   VERITY_EVENT_TARGETS  comma-separated URLs that each lifecycle event is POSTed to
 */
import { startLocalRuntime } from '../local/runtime';

const started = Date.now();
let runtime: Awaited<ReturnType<typeof startLocalRuntime>> | undefined;
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    // Still starting: exiting is enough, DynamoDB Local is killed on exit (local/dynamodb.ts).
    if (!runtime) process.exit(130);
    runtime.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

runtime = await startLocalRuntime({
  port: Number(process.env.PORT ?? 4242),
  host: process.env.HOST,
  dataDir: process.env.VERITY_IN_MEMORY === '1' ? undefined : (process.env.VERITY_DATA_DIR ?? '.verity'),
  secretKey: process.env.VERITY_SECRET_KEY || undefined,
  eventTargets: (process.env.VERITY_EVENT_TARGETS ?? '').split(',').map((url) => url.trim()).filter(Boolean),
});

console.log(`Verity is serving the Stripe Identity API at ${runtime.url} (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
console.log(`Secret key (${runtime.secretKey.startsWith('sk_live_') ? 'live' : 'test'} mode, account ${runtime.account}): ${runtime.secretKey}`);
if (process.env.VERITY_IN_MEMORY !== '1') console.log(`Lifecycle events are appended to ${process.env.VERITY_DATA_DIR ?? '.verity'}/events.ndjson`);
console.log(`Try: curl ${runtime.url}/v1/identity/verification_sessions -u ${runtime.secretKey}: -d type=document`);
