/**
 * `npm start` (`verity start` in the package): the whole of Verity on this machine. Configured by
 * options or environment variables (see USAGE); an option wins over its variable.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { commandText, parseCommandLine, runCommand, usageError } from '../local/cli';
import { startLocalRuntime, type LocalRuntime } from '../local/runtime';

const USAGE = `Usage: npm start -- [--port N] [--data-dir DIR] [--in-memory]

Starts Verity on this machine: DynamoDB Local (on 127.0.0.1: Java 17 or newer; a JDK when run from a clone), the table, a
secret key, the Stripe Identity API and the verification pages, the checks and redaction
workers, and the event publisher. Ctrl-C (SIGINT) or SIGTERM stops all of it.

  --port N, PORT=4242        where the API and pages listen (0: any free port)
  HOST=127.0.0.1             the address they listen on
  --data-dir DIR, VERITY_DATA_DIR=.verity
                             where data lives (owner-only); one running service per folder
  --in-memory, VERITY_IN_MEMORY=1
                             keep nothing on disk (then several can run, on different ports)
  VERITY_SECRET_KEY=sk_…     register and use this sk_test_/sk_live_ key instead of a new one
  VERITY_EVENT_TARGETS=url,… POST each lifecycle event to these URLs
  VERITY_PUBLIC_URL=url      the base of the verification page links (default: the API's URL)
  VERITY_DYNAMODB_START_TIMEOUT=180   seconds DynamoDB Local may take to start
  VERITY_LIVE_CHECKS=aws     check live sessions with Textract and Rekognition in your AWS
                             account (needs AWS_REGION and credentials; images go as bytes)
  VERITY_MIN_AGE=18 …        live checks' thresholds (docs/reference/live-checks.md)
  VERITY_ID_NUMBER_PROVIDER_ARN=arn:aws:lambda:…   your Lambda that checks ID numbers`;
const COMMAND = 'npm start';

const started = Date.now();
const { values: options } = parseCommandLine({
  name: COMMAND,
  usage: USAGE,
  config: { options: { port: { type: 'string' }, 'data-dir': { type: 'string' }, 'in-memory': { type: 'boolean' } } },
});

const portText = options.port ?? (process.env.PORT || '4242');
const port = Number(portText);
if (!/^\d+$/.test(portText) || port > 65535)
  usageError({ name: COMMAND }, `${options.port === undefined ? 'PORT' : '--port'} must be a port number (0 to 65535), not "${portText}"`);
if (!['', '0', '1', undefined].includes(process.env.VERITY_IN_MEMORY))
  usageError({ name: COMMAND }, `VERITY_IN_MEMORY must be 1 (or unset), not "${process.env.VERITY_IN_MEMORY}"`);
const inMemory = options['in-memory'] === true || process.env.VERITY_IN_MEMORY === '1';
if (inMemory && options['data-dir'] !== undefined) usageError({ name: COMMAND }, '--in-memory and --data-dir exclude each other');
const dataDir = inMemory ? undefined : resolve(options['data-dir'] || process.env.VERITY_DATA_DIR || '.verity');
const firstStart = dataDir !== undefined && !existsSync(join(dataDir, 'dynamodb'));

let runtime: LocalRuntime | undefined;
let stopping = false;
function stop(code: number) {
  if (stopping) return;
  stopping = true;
  // Still starting: exiting is enough, DynamoDB Local ends with this process (local/dynamodb.ts).
  if (!runtime) process.exit(code === 0 ? 130 : code);
  runtime.stop().then(
    () => {
      console.log('Verity stopped: the API, the workers and DynamoDB Local are down.');
      process.exit(code);
    },
    () => process.exit(1),
  );
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(0));

// Under `npm start` (or `npx verity start`), npm is the parent that forwards Ctrl-C; under the test
// double (testing/), the test run is. If that parent is killed (SIGKILL leaves no chance to forward
// anything), this process would run on with nobody to stop it: stop instead.
if (process.env.npm_lifecycle_event === 'start' || process.env.npm_command === 'exec' || process.env.VERITY_STOP_WITH_PARENT === '1') {
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && stop(0), 500).unref();
}

await runCommand(COMMAND, async () => {
  runtime = await startLocalRuntime({
    port,
    host: process.env.HOST || undefined,
    dataDir,
    secretKey: process.env.VERITY_SECRET_KEY || undefined,
    eventTargets: (process.env.VERITY_EVENT_TARGETS ?? '')
      .split(',')
      .map((url) => url.trim())
      .filter(Boolean),
  });
});
if (runtime) printSummary(runtime);

// The service cannot answer without its DynamoDB Local: if that process dies (killed by hand, out
// of memory), say so once and stop, rather than serving errors and logging failed polls forever.
const dynamoPid = runtime?.dynamoPid;
if (dynamoPid !== undefined) {
  setInterval(() => {
    if (stopping || isAlive(dynamoPid)) return;
    console.error(`DynamoDB Local (process ${dynamoPid}) has exited, and Verity cannot serve without it: stopping.`);
    stop(1);
  }, 1000).unref();
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function printSummary(service: LocalRuntime) {
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const mode = service.secretKey.startsWith('sk_live_') ? 'live' : 'test';
  const where = service.dataDir ? (firstStart ? 'first start in a new data folder' : 'restart on existing data') : 'in memory';
  const dynamo = `DynamoDB Local${service.dynamoPid ? ` (process ${service.dynamoPid})` : ''} on ${service.dynamo.endpoint}`;
  console.log(`Verity is serving the Stripe Identity API at ${service.url} (ready in ${seconds} s, ${where})`);
  console.log(`Secret key (${mode} mode, account ${service.account}): ${service.secretKey}`);
  console.log(`Publishable key (for the /v3/ script's modal): ${service.publishableKey}`);
  console.log(`  Verification pages  ${service.publicUrl}/start/… (each session's url)`);
  console.log(
    service.dataDir
      ? `  Data                ${service.dataDir} (owner-only; ${dynamo})`
      : `  Data                in memory: nothing is kept after Ctrl-C (${dynamo})`,
  );
  const targets = service.eventTargets.length
    ? `POSTed to ${service.eventTargets.join(', ')}`
    : 'POSTed nowhere (set VERITY_EVENT_TARGETS=url,… to subscribe)';
  console.log(`  Events              ${service.eventsFile ? `appended to ${service.eventsFile}; ` : 'kept in memory; '}${targets}`);
  console.log(`  Live checks         ${service.liveChecks.summary}`);
  console.log(`Try: curl ${service.url}/v1/identity/verification_sessions -u ${service.secretKey}: -d type=document`);
  console.log(commandText('Ctrl-C stops it, DynamoDB Local included. npm start -- --help lists the settings.'));
}
