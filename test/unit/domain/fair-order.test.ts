import { describe, expect, it } from 'vitest';
import { fairOrder } from '../../../functions/domain/fair-order';

describe('fairOrder', () => {
  it('serves one item of each tenant in turn, so a long backlog does not stand in front of another tenant', () => {
    const backlog = Array.from({ length: 1000 }, (_, i) => ({ tenant: 'acct_flood', n: i }));
    const ordered = fairOrder([...backlog, { tenant: 'acct_quiet', n: 0 }, { tenant: 'acct_flood', n: 1000 }], (item) => item.tenant);
    expect(ordered.slice(0, 3)).toEqual([
      { tenant: 'acct_flood', n: 0 },
      { tenant: 'acct_quiet', n: 0 },
      { tenant: 'acct_flood', n: 1 },
    ]);
    expect(ordered).toHaveLength(1002);
    expect(ordered.filter((item) => item.tenant === 'acct_flood').map((item) => item.n)).toEqual(Array.from({ length: 1001 }, (_, i) => i));
  });
});
