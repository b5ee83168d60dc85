import { describe, expect, it } from 'vitest';
import type { ChecksJob } from '../../../functions/checks/queue';
import { startLocalChecksQueue } from '../../../local/checks-queue';

const job = (account: string, n: number): ChecksJob => ({ scope: { account, mode: 'test' }, submission: `vsub_${account}_${n}` });

describe('the local checks queue', () => {
  it("starts another account's job while one account's slow checks fill only its own slots", async () => {
    const started: string[] = [];
    const finish = new Map<string, () => void>();
    const queue = startLocalChecksQueue(
      (each) =>
        new Promise<void>((done) => {
          started.push(each.submission);
          finish.set(each.submission, done);
        }),
      { concurrency: 4, perAccount: 2 },
    );
    await queue.send(Array.from({ length: 6 }, (_, n) => ({ job: job('acct_slow', n), delaySeconds: 0 })));
    await queue.send([{ job: job('acct_other', 0), delaySeconds: 0 }]);
    expect(started).toEqual(['vsub_acct_slow_0', 'vsub_acct_slow_1', 'vsub_acct_other_0']);
    expect(queue.running()).toEqual(
      new Map([
        ['acct_slow', 2],
        ['acct_other', 1],
      ]),
    );
    // A slot of the slow account's frees: its own next job takes it, in order.
    finish.get('vsub_acct_slow_0')!();
    await new Promise((done) => setImmediate(done));
    expect(started.at(-1)).toBe('vsub_acct_slow_2');
    for (const done of finish.values()) done();
    await queue.stop();
  });

  it('goes round the accounts with jobs waiting when slots are short, and keeps a delayed job out of every slot', async () => {
    const started: string[] = [];
    const finish: (() => void)[] = [];
    const queue = startLocalChecksQueue(
      (each) =>
        new Promise<void>((done) => {
          started.push(each.submission);
          finish.push(done);
        }),
      { concurrency: 1, perAccount: 1 },
    );
    await queue.send([{ job: job('acct_late', 0), delaySeconds: 60 }]);
    await queue.send([0, 1, 2].map((n) => ({ job: job('acct_a', n), delaySeconds: 0 })));
    await queue.send([0, 1].map((n) => ({ job: job('acct_b', n), delaySeconds: 0 })));
    for (let i = 0; i < 4; i++) {
      finish.shift()!();
      await new Promise((done) => setImmediate(done));
    }
    expect(started).toEqual(['vsub_acct_a_0', 'vsub_acct_b_0', 'vsub_acct_a_1', 'vsub_acct_b_1', 'vsub_acct_a_2']);
    finish.shift()!();
    await queue.stop();
    expect(started).not.toContain('vsub_acct_late_0');
  });
});
