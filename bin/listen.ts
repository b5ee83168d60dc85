/**
 * `npm run listen -- --forward-to http://localhost:3000/webhook`: like `stripe listen`, for a
 * running Verity (`npm start`). It registers a test-mode webhook endpoint that receives every event
 * at that URL, prints its signing secret (whsec_…) for your `constructEvent`, shows each delivery
 * as it happens (from Verity's delivery log, once a second), and deletes the endpoint when stopped
 * (Ctrl-C). Verity's own worker sends the events, signed, exactly as it would to any endpoint.
 */
import { parseCommandLine, runCommand, usageError } from '../local/cli';
import { resolve } from 'node:path';
import { OperatorError, runningDynamo } from '../local/data-dir';

const COMMAND = 'npm run listen';
const USAGE = `Usage: npm run listen -- --forward-to URL [--api-url URL] [--api-key sk_test_...] [--events TYPE,...]

  Registers a test-mode webhook endpoint at URL on a running Verity, prints its signing secret
  (whsec_...), shows each delivery (event, HTTP status, time taken) as it happens, and deletes the
  endpoint when stopped with Ctrl-C.

  --forward-to  where events are POSTed (http or https; test mode may use localhost)
  --api-url     the Verity API (default: VERITY_API_URL, else the npm start running on the data
                folder VERITY_DATA_DIR or .verity, else http://localhost:4242)
  --api-key     a test-mode secret key (default: VERITY_SECRET_KEY); npm start prints one
  --events      event types to receive, comma-separated (default: every identity event,
                identity.verification_session.redacted included)`;

/** How often the delivery log is read. */
const POLL_MS = 1000;
const ALL_EVENTS = ['*', 'identity.verification_session.redacted'];

interface Delivery {
  event: string;
  event_type: string;
  attempts: { created: number; status: number | null; duration_ms: number; error: string | null; trigger: string }[];
}

async function main() {
  const { values } = parseCommandLine({
    name: COMMAND,
    usage: USAGE,
    config: {
      options: {
        'forward-to': { type: 'string' },
        'api-url': { type: 'string' },
        'api-key': { type: 'string' },
        events: { type: 'string' },
      },
    },
  });
  const forwardTo = values['forward-to'];
  if (!forwardTo) usageError({ name: COMMAND }, 'missing --forward-to URL');
  const running = runningDynamo(resolve(process.env.VERITY_DATA_DIR || '.verity'));
  const apiUrl = (values['api-url'] ?? (process.env.VERITY_API_URL || undefined) ?? running?.apiUrl ?? 'http://localhost:4242').replace(
    /\/+$/,
    '',
  );
  const apiKey = values['api-key'] ?? process.env.VERITY_SECRET_KEY;
  if (!apiKey) usageError({ name: COMMAND }, 'missing --api-key (or VERITY_SECRET_KEY): the test-mode secret key npm start printed');
  if (!apiKey.startsWith('sk_test_'))
    usageError({ name: COMMAND }, 'the key must be a test-mode secret key (sk_test_...): listen registers a test-mode endpoint');
  const events = values.events
    ? values.events
        .split(',')
        .map((type) => type.trim())
        .filter(Boolean)
    : ALL_EVENTS;

  const api = async <T>(method: string, path: string, form?: URLSearchParams): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(`${apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${apiKey}`, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        body: form?.toString(),
      });
    } catch (error) {
      throw new OperatorError(
        `cannot reach Verity at ${apiUrl} (${(error as Error).message}); is npm start running? If it runs elsewhere, name its API with ` +
          `--api-url`,
      );
    }
    const body = (await response.json().catch(() => ({}))) as T & { error?: { message?: string } };
    if (!response.ok) throw new OperatorError(`Verity answered ${response.status}: ${body.error?.message ?? 'no error message'}`);
    return body;
  };

  const form = new URLSearchParams({ url: forwardTo, description: 'npm run listen' });
  for (const type of events) form.append('enabled_events[]', type);
  const endpoint = await api<{ id: string; secret: string }>('POST', '/v1/webhook_endpoints', form);
  console.log(
    `Ready! Your webhook signing secret is ${endpoint.secret} (endpoint ${endpoint.id}, forwarding to ${forwardTo}). Ctrl-C to stop.`,
  );

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await api('DELETE', `/v1/webhook_endpoints/${endpoint.id}`).catch((error: Error) => console.error(`${COMMAND}: ${error.message}`));
    console.log(`Stopped; endpoint ${endpoint.id} deleted.`);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());

  const shown = new Set<string>();
  while (!stopping) {
    const log = await api<{ data: Delivery[] }>('GET', `/v1/verity/webhook_endpoints/${endpoint.id}/deliveries?limit=100`);
    for (const delivery of [...log.data].reverse()) {
      delivery.attempts.forEach((attempt, i) => {
        const key = `${delivery.event}#${i}`;
        if (shown.has(key)) return;
        shown.add(key);
        const time = new Date(attempt.created * 1000).toISOString().replace('T', ' ').slice(0, 19);
        const outcome = attempt.status === null ? attempt.error : `[${attempt.status}]${attempt.error ? ` ${attempt.error}` : ''}`;
        console.log(`${time}  --> ${delivery.event_type} [${delivery.event}]`);
        console.log(
          `${time}  <-- ${outcome} POST ${forwardTo} (${attempt.duration_ms} ms${attempt.trigger === 'resend' ? ', resent' : ''})`,
        );
      });
    }
    await new Promise((done) => setTimeout(done, POLL_MS));
  }
}

await runCommand(COMMAND, main);
