/**
 * The redaction backstop against DynamoDB Local: it finishes the redactions TTL is late with, and
 * only those; each run is bounded per session and per run, and takes the accounts in turns, so
 * one tenant's backlog does not hold up another's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createVerificationSession, redactVerificationSession } from '../../../functions/domain/verification-session';
import type { Scope } from '../../../functions/domain/scope';
import { changeWithEvents } from '../../../functions/flows/outbox';
import { handler } from '../../../functions/schedules/redact-overdue-sessions';
import { handler as worker } from '../../../functions/streams/redact-sessions';
import { changeSession, getSession, insertSession } from '../../../functions/store/sessions';
import { newObjectId } from '../../../functions/domain/ids';
import { addCopies, copiesOf, countWrites, savedProgress, useOwnTable, verifiedThenRedacted } from '../../support/redaction';

useOwnTable('backstop');
const newScope = (): Scope => ({ account: `acct_backstop${newObjectId('x').slice(2)}`, mode: 'test' });
const scope = newScope();

async function redactedAt(due: Date, within = scope) {
  const now = new Date();
  const session = createVerificationSession(
    { type: 'document', client_reference_id: 'late' },
    { id: newObjectId('vs', now.getTime()), scope: within, now },
  );
  await insertSession(changeWithEvents(null, session, { request: null, now }));
  await changeSession(within, session.id, (current, at) =>
    changeWithEvents(current, redactVerificationSession(current, due), { request: null, now: at }),
  );
  return session.id;
}

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3600_000);
const redactionOf = async (within: Scope, id: string) => (await getSession(within, id))!.session.redaction;

afterEach(() => {
  for (const name of [
    'VERITY_REDACTION_BACKSTOP_AFTER_SECONDS',
    'VERITY_REDACTION_BACKSTOP_SESSIONS_PER_RUN',
    'VERITY_REDACTION_PAGE_SIZE',
    'VERITY_REDACTION_COPIES_PER_RUN',
  ]) {
    delete process.env[name];
  }
});

describe('the redaction backstop', () => {
  it('redacts sessions overdue by more than its grace period, and leaves the others', async () => {
    process.env.VERITY_REDACTION_BACKSTOP_AFTER_SECONDS = '3600';
    const overdue = await redactedAt(hoursAgo(2));
    const recent = await redactedAt(new Date(Date.now() + 3600_000));
    const result = await handler();
    expect(result).toEqual({ redacted: 1, continued: 0, failed: 0, left: 0 });
    expect((await getSession(scope, overdue))!.session).toMatchObject({
      redaction: { status: 'redacted' },
      client_reference_id: '[redacted]',
      redaction_due: null,
    });
    expect(await redactionOf(scope, recent)).toEqual({ status: 'processing' });
    // Done sessions leave the backstop's index: a second run has nothing to do.
    expect(await handler()).toEqual({ redacted: 0, continued: 0, failed: 0, left: 0 });
    expect(await redactionOf(scope, recent)).toEqual({ status: 'processing' });
  });

  it('gives one huge overdue session a bounded share, and redacts the small ones of other accounts in the same run', async () => {
    process.env.VERITY_REDACTION_BACKSTOP_AFTER_SECONDS = '3600';
    process.env.VERITY_REDACTION_PAGE_SIZE = '10';
    process.env.VERITY_REDACTION_COPIES_PER_RUN = '30';
    // The oldest due, so first in line.
    const big = newScope();
    const huge = await verifiedThenRedacted(big, hoursAgo(3));
    await addCopies(big, huge.id, 100);
    const small = await Promise.all(
      [1, 2, 3].map(async () => {
        const within = newScope();
        return { within, id: await redactedAt(hoursAgo(2), within) };
      }),
    );

    expect(await handler()).toEqual({ redacted: 3, continued: 1, failed: 0, left: 0 });
    for (const { within, id } of small) expect(await redactionOf(within, id)).toEqual({ status: 'redacted' });
    // The huge one got its budget (30 copies), no more, and saved where it stopped: the stream carries on from there.
    expect(await redactionOf(big, huge.id)).toEqual({ status: 'processing' });
    const copies = await copiesOf(big, huge.id);
    expect(copies.filter((item) => item.report?.redacted || item.redacted).length).toBe(30);
    expect((await savedProgress(big, huge.id))?.item.progress.step).toBe(1);

    // The next run, while that continuation is under way, leaves the session to it.
    const writes = countWrites();
    try {
      expect(await handler()).toEqual({ redacted: 0, continued: 0, failed: 0, left: 0 });
    } finally {
      writes.stop();
    }
    expect(writes.count.all).toBe(0);

    // And the worker, handed the saved progress by the stream, finishes it.
    for (let saved = await savedProgress(big, huge.id), runs = 0; saved && runs < 20; saved = await savedProgress(big, huge.id), runs++) {
      expect(await worker({ Records: [saved.record] })).toEqual({ batchItemFailures: [] });
    }
    expect(await redactionOf(big, huge.id)).toEqual({ status: 'redacted' });
  });

  it('takes the accounts in turns: a run with room for three redacts one session of each of three accounts', async () => {
    process.env.VERITY_REDACTION_BACKSTOP_AFTER_SECONDS = '3600';
    process.env.VERITY_REDACTION_BACKSTOP_SESSIONS_PER_RUN = '3';
    // One account's backlog, all due before the other accounts' sessions.
    const busy = newScope();
    const backlog = [];
    for (const hours of [9, 8, 7, 6]) backlog.push(await redactedAt(hoursAgo(hours), busy));
    const others = await Promise.all(
      [1, 2].map(async () => {
        const within = newScope();
        return { within, id: await redactedAt(hoursAgo(2), within) };
      }),
    );

    expect(await handler()).toEqual({ redacted: 3, continued: 0, failed: 0, left: 3 });
    expect(await redactionOf(busy, backlog[0]!)).toEqual({ status: 'redacted' });
    for (const id of backlog.slice(1)) expect(await redactionOf(busy, id)).toEqual({ status: 'processing' });
    for (const { within, id } of others) expect(await redactionOf(within, id)).toEqual({ status: 'redacted' });
    // The next run takes the rest.
    expect(await handler()).toEqual({ redacted: 3, continued: 0, failed: 0, left: 0 });
    for (const id of backlog) expect(await redactionOf(busy, id)).toEqual({ status: 'redacted' });
  });
});
