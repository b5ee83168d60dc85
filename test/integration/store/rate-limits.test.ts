/** The shared request counters against DynamoDB Local: conditional leases, and several containers sharing one account's limit. */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { newAccountId } from '../../../functions/domain/api-keys';
import { RequestLimiter } from '../../../functions/domain/rate-limit';
import type { Scope } from '../../../functions/domain/scope';
import { dynamo } from '../../../functions/store/client';
import { leaseRequests } from '../../../functions/store/rate-limits';
import { tableName } from '../../../functions/store/schema';
import { countCalls } from '../../support/dynamo-calls';

const newScope = (): Scope => ({ account: newAccountId(), mode: 'test' });

/** The UpdateItem calls the store sends while `run` runs. */
async function counted<T>(run: () => Promise<T>): Promise<{ result: T; calls: number }> {
  const { result, calls } = await countCalls(run);
  return { result, calls: calls.filter((call) => call === 'UpdateItemCommand').length };
}

describe('leaseRequests', () => {
  it('starts a window with one UpdateItem on its own partition, with a TTL a day after the window', async () => {
    const scope = newScope();
    const { result, calls } = await counted(() => leaseRequests(scope, { window: 1000, wanted: 5, limit: 25 }));
    expect(result).toEqual({ granted: 5, count: { window: 1000, leased: 5 } });
    expect(calls).toBe(1);
    const { Item } = await dynamo().send(
      new GetCommand({ TableName: tableName(), Key: { pk: `rate_limit#${scope.account}#test`, sk: 'rate_limit' } }),
    );
    expect(Item).toEqual({ pk: `rate_limit#${scope.account}#test`, sk: 'rate_limit', window: 1000, leased: 5, expires_at: 1000 + 86_400 });
  });

  it('adds to the current window in one call, grants only what is left at the limit, then nothing', async () => {
    const scope = newScope();
    const first = await leaseRequests(scope, { window: 2000, wanted: 20, limit: 25 });
    const added = await counted(() => leaseRequests(scope, { window: 2000, wanted: 4, limit: 25, seen: first.count }));
    expect(added).toEqual({ result: { granted: 4, count: { window: 2000, leased: 24 } }, calls: 1 });
    expect(await leaseRequests(scope, { window: 2000, wanted: 5, limit: 25, seen: added.result.count })).toEqual({
      granted: 1,
      count: { window: 2000, leased: 25 },
    });
    const spent = await counted(() => leaseRequests(scope, { window: 2000, wanted: 5, limit: 25 }));
    expect(spent.result).toEqual({ granted: 0, count: { window: 2000, leased: 25 } });
    expect(spent.calls).toBe(1); // the failed start tells it the window is spent
  });

  it('starts the next window afresh, whatever the last one left', async () => {
    const scope = newScope();
    const full = await leaseRequests(scope, { window: 3000, wanted: 25, limit: 25 });
    const next = await counted(() => leaseRequests(scope, { window: 3001, wanted: 3, limit: 25, seen: full.count }));
    expect(next).toEqual({ result: { granted: 3, count: { window: 3001, leased: 3 } }, calls: 1 });
  });

  it('recovers from a stale view in one more call: the failed condition returns the counter', async () => {
    const scope = newScope();
    const seen = (await leaseRequests(scope, { window: 4000, wanted: 2, limit: 10 })).count;
    await leaseRequests(scope, { window: 4000, wanted: 7, limit: 10, seen }); // another container
    const late = await counted(() => leaseRequests(scope, { window: 4000, wanted: 5, limit: 10, seen }));
    expect(late).toEqual({ result: { granted: 1, count: { window: 4000, leased: 10 } }, calls: 2 });
  });

  it('counts a lagging container in the newer window it finds, never in a passed one', async () => {
    const scope = newScope();
    await leaseRequests(scope, { window: 5001, wanted: 8, limit: 10 });
    expect(await leaseRequests(scope, { window: 5000, wanted: 5, limit: 10 })).toEqual({ granted: 2, count: { window: 5001, leased: 10 } });
  });

  it('keeps accounts and modes apart', async () => {
    const scope = newScope();
    await leaseRequests(scope, { window: 6000, wanted: 10, limit: 10 });
    expect((await leaseRequests({ ...scope, mode: 'live' }, { window: 6000, wanted: 10, limit: 10 })).granted).toBe(10);
    expect((await leaseRequests(newScope(), { window: 6000, wanted: 10, limit: 10 })).granted).toBe(10);
  });
});

describe('containers sharing one account', () => {
  it('admit exactly the limit per window between them, with far fewer calls than requests', async () => {
    const scope = newScope();
    const clock = { now: 7_000_000 };
    const containers = Array.from(
      { length: 4 },
      () => new RequestLimiter({ lease: leaseRequests, limits: () => ({ live: 100, test: 25 }), now: () => clock.now }),
    );
    const flood = (limiter: RequestLimiter) => Promise.all(Array.from({ length: 30 }, () => limiter.admit(scope)));
    const { result, calls } = await counted(async () => {
      const perWindow: number[] = [];
      for (let window = 0; window < 3; window++) {
        const answers = (await Promise.all(containers.map(flood))).flat();
        perWindow.push(answers.filter((answer) => answer.admitted).length);
        clock.now += 1000;
      }
      return perWindow;
    });
    expect(result).toEqual([25, 25, 25]);
    expect(calls).toBeLessThan(360 / 4);
  });
});
