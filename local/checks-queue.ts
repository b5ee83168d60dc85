/**
 * The checks queue under `npm start` and in tests: the local stand-in for the SQS fair queue
 * (functions/checks/queue.ts), in process. A job's delay is a timer, holding no slot; a job that is
 * due waits for a slot, `concurrency` in all and `perAccount` of one account's, and slots go round
 * the accounts with jobs waiting (one of each in turn), so one account's slow checks hold up only
 * its own. Jobs are in memory: after a crash, the submission's TTL gives its session up as the
 * AWS dead-letter path would (functions/streams/run-verification-checks.ts).
 */
import type { ChecksJob } from '../functions/checks/queue';
import type { Scope } from '../functions/domain/scope';

export interface LocalChecksQueue<J extends { scope: Scope } = ChecksJob> {
  /** Queues each job to be run once `delaySeconds` (0 or more) have passed. */
  send(jobs: { job: J; delaySeconds: number }[]): Promise<void>;
  /** Jobs running now, by account (for tests: which work the queue picked). */
  running(): Map<string, number>;
  /** Starts nothing more, forgets delayed jobs, and waits for those running. */
  stop(): Promise<void>;
}

/**
 * A fair in-process queue of any job that names its scope: the checks queue's stand-in, and the
 * webhook hand-off's (functions/webhooks/hand-off.ts), which the local runtime starts with the
 * delivery worker's own slots. `failureMessage` is what a job's failure logs (never the job).
 */
export function startLocalChecksQueue<J extends { scope: Scope } = ChecksJob>(
  run: (job: J) => Promise<unknown>,
  {
    concurrency = 8,
    perAccount = 2,
    failureMessage = 'verification checks failed',
  }: { concurrency?: number; perAccount?: number; failureMessage?: string } = {},
): LocalChecksQueue<J> {
  /** Due jobs waiting for a slot, by account. */
  const waiting = new Map<string, J[]>();
  /** When each account was last given a slot (a count of slots given). */
  const lastServed = new Map<string, number>();
  let served = 0;
  const running = new Map<string, number>();
  const inFlight = new Set<Promise<void>>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  let total = 0;

  const due = (job: J) => {
    if (stopped) return;
    const account = job.scope.account;
    const queue = waiting.get(account);
    if (queue) queue.push(job);
    else waiting.set(account, [job]);
    startWhatFits();
  };

  function startWhatFits() {
    for (;;) {
      if (stopped || total >= concurrency) return;
      // Of the accounts with a job waiting and a slot of their own free, the one served longest ago.
      let account: string | undefined;
      for (const each of waiting.keys()) {
        if ((running.get(each) ?? 0) >= perAccount) continue;
        if (account === undefined || (lastServed.get(each) ?? -1) < (lastServed.get(account) ?? -1)) account = each;
      }
      if (account === undefined) return;
      const queue = waiting.get(account)!;
      const job = queue.shift()!;
      if (queue.length === 0) waiting.delete(account);
      lastServed.set(account, served++);
      running.set(account, (running.get(account) ?? 0) + 1);
      total++;
      const done = run(job)
        // Checks: the session stays processing; its submission's TTL gives it up. A webhook stays due. No personal data is logged.
        .then(() => undefined)
        .catch((error: Error) => console.error(JSON.stringify({ level: 'error', message: failureMessage, name: error.name })))
        .finally(() => {
          running.set(account, running.get(account)! - 1);
          if (running.get(account) === 0) running.delete(account);
          total--;
          inFlight.delete(done);
          startWhatFits();
        });
      inFlight.add(done);
    }
  }

  return {
    async send(jobs) {
      for (const { job, delaySeconds } of jobs) {
        if (delaySeconds <= 0) {
          due(job);
          continue;
        }
        const timer = setTimeout(() => {
          timers.delete(timer);
          due(job);
        }, delaySeconds * 1000);
        timer.unref();
        timers.add(timer);
      }
    },
    running: () => new Map(running),
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      waiting.clear();
      await Promise.all([...inFlight]);
    },
  };
}
