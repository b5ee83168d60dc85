import { describe, expect, it } from 'vitest';
import { untilProcessed } from '../../../functions/store/client';

describe('untilProcessed', () => {
  it('re-sends only what the previous send left unprocessed, until nothing is left', async () => {
    const sent: Record<string, number[]>[] = [];
    const left: Record<string, number[]>[] = [{ t: [2, 3] }, { t: [3] }, {}];
    await untilProcessed(
      { t: [1, 2, 3] },
      async (pending) => {
        sent.push(pending);
        return left.shift();
      },
      'gave up',
    );
    expect(sent).toEqual([{ t: [1, 2, 3] }, { t: [2, 3] }, { t: [3] }]);
  });

  it('gives up with its message when every send leaves something unprocessed', async () => {
    let sends = 0;
    await expect(
      untilProcessed(
        { t: [1] },
        async (pending) => {
          sends += 1;
          return pending;
        },
        'DynamoDB kept leaving part of the batch unprocessed',
      ),
    ).rejects.toThrow('DynamoDB kept leaving part of the batch unprocessed');
    expect(sends).toBe(8);
  }, 15_000);
});
