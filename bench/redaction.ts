/**
 * `node --import tsx bench/redaction.ts`: how long redaction takes on this machine, and that one
 * huge session does not hold up anyone else's. On the local runtime (its own in-memory DynamoDB
 * Local, the TTL stand-in and the stream poller, as `npm start`; 127.0.0.1 only), with the
 * default budget per run:
 *   1. for sessions with BENCH_REDACTION_COPIES copies (default 1000 and 10000; half reports,
 *      half events): the time from the job falling due to the session redacted, and how many
 *      runs it took;
 *   2. the backstop's first run over one session with the largest of those counts and
 *      BENCH_REDACTION_SMALL (default 20) small sessions of other accounts, all overdue: its
 *      time, and what it redacted in that run.
 * Prints one line per measurement. Bounded: each wait gives up after ten minutes.
 */
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { cpus } from 'node:os';
import { newAccountId } from '../functions/domain/api-keys';
import type { Scope } from '../functions/domain/scope';
import { handler as backstop } from '../functions/schedules/redact-overdue-sessions';
import { dynamo } from '../functions/store/client';
import { redactionJobKey } from '../functions/store/redaction-jobs';
import { tableName } from '../functions/store/schema';
import { getSession } from '../functions/store/sessions';
import { startLocalRuntime } from '../local/runtime';
import { addCopies, copiesOf, markForRedaction, savedProgress, verifiedSession } from '../test/support/redaction-data';

const COUNTS = (process.env.BENCH_REDACTION_COPIES ?? '1000,10000').split(',').map(Number);
const SMALL = Number(process.env.BENCH_REDACTION_SMALL ?? 20);
const GIVE_UP_MS = 10 * 60_000;

const service = await startLocalRuntime({ port: 0, host: '127.0.0.1', publishEvents: false });
const newScope = (): Scope => ({ account: newAccountId(), mode: 'test' });
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** A verified session with `copies` copies (at least the one report and the events it has). */
async function sessionWithCopies(scope: Scope, copies: number) {
  const session = await verifiedSession(scope);
  const have = (await copiesOf(scope, session.id)).length;
  await addCopies(scope, session.id, Math.max(0, Math.ceil((copies - have) / 2)));
  return { id: session.id, copies: (await copiesOf(scope, session.id)).length };
}

const redacted = async (scope: Scope, id: string) => (await getSession(scope, id))!.session.redaction?.status === 'redacted';

try {
  console.log(`redaction bench: ${cpus().length} cores (${cpus()[0]?.model}), default budget per run`);
  for (const count of COUNTS) {
    const scope = newScope();
    const session = await sessionWithCopies(scope, count);
    const started = Date.now();
    await markForRedaction(scope, session.id);
    let runs = 1;
    while (!(await redacted(scope, session.id))) {
      if (Date.now() - started > GIVE_UP_MS) throw new Error(`${session.copies} copies: not redacted within ten minutes`);
      runs = Math.max(runs, 1 + ((await savedProgress(scope, session.id))?.item.progress.step ?? 0));
      await new Promise((done) => setTimeout(done, 20));
    }
    console.log(
      `worker: ${session.copies} copies redacted in ${seconds(Date.now() - started)} (job due → redacted, ${runs} ` +
        `run${runs === 1 ? '' : 's'})`,
    );
  }

  // The backstop: jobs whose TTL deletion never came (removed here), all overdue by a day.
  process.env.VERITY_REDACTION_BACKSTOP_AFTER_SECONDS = '3600';
  const dayAgo = new Date(Date.now() - 24 * 3600_000);
  const big = newScope();
  const huge = await sessionWithCopies(big, Math.max(...COUNTS));
  await markForRedaction(big, huge.id, dayAgo);
  const small = [];
  for (let i = 0; i < SMALL; i++) {
    const scope = newScope();
    const session = await verifiedSession(scope);
    await markForRedaction(scope, session.id, dayAgo);
    small.push({ scope, id: session.id });
  }
  for (const { scope, id } of [{ scope: big, id: huge.id }, ...small]) {
    await dynamo().send(new DeleteCommand({ TableName: tableName(), Key: redactionJobKey(scope, id) }));
  }
  const started = Date.now();
  const run = backstop();
  // When the last small session is done, measured while the run goes on.
  let smallDoneAfter: number | undefined;
  const watching = (async () => {
    while (Date.now() - started < GIVE_UP_MS) {
      if ((await Promise.all(small.map(({ scope, id }) => redacted(scope, id)))).every(Boolean)) {
        smallDoneAfter = Date.now() - started;
        return smallDoneAfter;
      }
      await new Promise((done) => setTimeout(done, 20));
    }
  })();
  const result = await run;
  const took = Date.now() - started;
  await watching;
  console.log(
    `backstop: first run over 1 session of ${huge.copies} copies and ${SMALL} small ones of other accounts took ${seconds(took)}; ` +
      `all ${SMALL} small ones ` +
      `redacted ${smallDoneAfter === undefined ? 'never' : `after ${seconds(smallDoneAfter)}`}; ${JSON.stringify(result)}`,
  );
  while (!(await redacted(big, huge.id))) {
    if (Date.now() - started > GIVE_UP_MS) throw new Error('the huge session was not redacted within ten minutes');
    await new Promise((done) => setTimeout(done, 20));
  }
  console.log(`backstop: the huge session, continued by the worker, redacted ${seconds(Date.now() - started)} after the run started`);
} finally {
  await service.stop();
}
