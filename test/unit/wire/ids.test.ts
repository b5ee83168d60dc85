import { describe, expect, it } from 'vitest';
import { idFloorForTime, isObjectId, newObjectId, randomToken, secondsOfId } from '../../../functions/domain/ids';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Plain code-unit comparison, as `Array.prototype.sort` and DynamoDB (bytes, for ASCII) compare. */
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

describe('newObjectId', () => {
  it('is `vs_` followed by 24 base62 characters', () => {
    for (let i = 0; i < 200; i++) expect(newObjectId('vs')).toMatch(/^vs_[0-9A-Za-z]{24}$/);
  });

  it('uses the prefix it is given', () => {
    expect(newObjectId('vr')).toMatch(/^vr_[0-9A-Za-z]{24}$/);
  });

  it('is unique even within one millisecond', () => {
    const now = Date.UTC(2025, 0, 1);
    const ids = new Set(Array.from({ length: 5000 }, () => newObjectId('vs', now)));
    expect(ids.size).toBe(5000);
  });

  it('shares the time prefix between ids made in the same millisecond', () => {
    const now = Date.UTC(2025, 0, 1, 12, 0, 0, 123);
    expect(newObjectId('vs', now).slice(0, 11)).toBe(newObjectId('vs', now).slice(0, 11));
    expect(newObjectId('vs', now).slice(0, 11)).not.toBe(newObjectId('vs', now + 1).slice(0, 11));
  });

  it('sorts by creation time', () => {
    const times = [
      0,
      1,
      61,
      62,
      63,
      3843,
      3844,
      999_999,
      1_000_000_000_000,
      Date.UTC(2025, 5, 1),
      Date.UTC(2025, 5, 1) + 1,
      Date.UTC(2100, 0, 1),
      Date.UTC(5000, 0, 1),
    ];
    const ids = times.map((time) => newObjectId('vs', time));
    expect([...ids].reverse().sort(compare)).toEqual(ids);
  });

  it('sorts by creation time for many random times', () => {
    const times = Array.from({ length: 2000 }, () => Math.floor(Math.random() * Date.UTC(3000, 0, 1)));
    const ids = times.map((time) => ({ time, id: newObjectId('vs', time) }));
    ids.sort((a, b) => compare(a.id, b.id));
    for (let i = 1; i < ids.length; i++) expect(ids[i]!.time).toBeGreaterThanOrEqual(ids[i - 1]!.time);
  });

  it('defaults to the current time', () => {
    const before = newObjectId('vs', Date.now() - 1);
    const id = newObjectId('vs');
    const after = newObjectId('vs', Date.now() + 1);
    expect(compare(before, id)).toBe(-1);
    expect(compare(id, after)).toBe(-1);
  });
});

describe('isObjectId', () => {
  it('recognises ids it made', () => {
    expect(isObjectId('vs', newObjectId('vs'))).toBe(true);
  });

  it.each([
    ['vs_', 'empty body'],
    ['vs_1234567890123456789012', '22 characters'],
    ['vs_12345678901234567890123', '23 characters'],
    ['vs_1234567890123456789012345', '25 characters'],
    ['vr_123456789012345678901234', 'another prefix'],
    ['vs-123456789012345678901234', 'wrong separator'],
    ['vs_12345678901234567890123_', 'underscore'],
    ['vs_1234567890123456789012%4', 'percent'],
    [' vs_123456789012345678901234', 'leading space'],
    ['vs_123456789012345678901234\n', 'trailing newline'],
    ['xvs_123456789012345678901234', 'text before the prefix'],
  ])('rejects %j (%s)', (value) => {
    expect(isObjectId('vs', value)).toBe(false);
  });

  it('accepts Stripe-shaped ids of 24 base62 characters', () => {
    expect(isObjectId('vs', 'vs_1NuN4zLkdIwHu7ixleE6HvkI')).toBe(true);
  });
});

describe('idFloorForTime', () => {
  it('sorts after every id of the previous second and before every id of that second', () => {
    for (const seconds of [1, 62, 1_700_000_000, 1_700_000_001, 4_102_444_800]) {
      const floor = idFloorForTime('vs', seconds);
      const lastOfPrevious = newObjectId('vs', seconds * 1000 - 1);
      const firstOfThis = newObjectId('vs', seconds * 1000);
      const lastOfThis = newObjectId('vs', seconds * 1000 + 999);
      expect(compare(lastOfPrevious, floor)).toBe(-1);
      expect(compare(floor, firstOfThis)).toBe(-1);
      expect(compare(floor, lastOfThis)).toBe(-1);
      expect(compare(lastOfThis, idFloorForTime('vs', seconds + 1))).toBe(-1);
    }
  });

  it('sorts before ids whose random part is all zeros', () => {
    const seconds = 1_700_000_000;
    const smallest = `${newObjectId('vs', seconds * 1000).slice(0, 11)}${'0'.repeat(16)}`;
    expect(compare(idFloorForTime('vs', seconds), smallest)).toBe(-1);
  });

  it('increases with time', () => {
    const floors = [0, 1, 2, 61, 62, 1_000_000, 1_700_000_000].map((s) => idFloorForTime('vs', s));
    expect([...floors].reverse().sort(compare)).toEqual(floors);
  });

  it('clamps negative times to zero', () => {
    expect(idFloorForTime('vs', -100)).toBe(idFloorForTime('vs', 0));
    expect(compare(idFloorForTime('vs', 0), newObjectId('vs', 0))).toBe(-1);
  });

  it('carries the prefix', () => {
    expect(idFloorForTime('vs', 1).startsWith('vs_')).toBe(true);
  });
});

describe('secondsOfId', () => {
  it("is the second the id was made in, so the id lies within that second's floors", () => {
    for (const ms of [0, 999, 1000, 1_700_000_000_000, 1_700_000_000_999, Date.UTC(2100, 0, 1) + 500]) {
      const id = newObjectId('file', ms);
      const seconds = secondsOfId(id);
      expect(seconds).toBe(Math.floor(ms / 1000));
      expect(compare(idFloorForTime('file', seconds), id)).toBe(-1);
      expect(compare(id, idFloorForTime('file', seconds + 1))).toBe(-1);
    }
  });

  it('reads any prefix', () => {
    expect(secondsOfId(newObjectId('vs', 1_700_000_000_123))).toBe(1_700_000_000);
    expect(secondsOfId('vs_1NuN4zLkdIwHu7ixleE6HvkI')).toBeGreaterThan(0);
  });
});

describe('randomToken', () => {
  it.each([0, 1, 14, 16, 48, 200])('has exactly %i characters from the base62 alphabet', (length) => {
    const token = randomToken(length);
    expect(token).toHaveLength(length);
    expect(token).toMatch(/^[0-9A-Za-z]*$/);
  });

  it('differs between calls', () => {
    expect(new Set(Array.from({ length: 1000 }, () => randomToken(16))).size).toBe(1000);
  });

  it('uses every character of the alphabet about equally often', () => {
    const counts = new Map<string, number>();
    const sample = randomToken(62 * 2000);
    for (const char of sample) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([...ALPHABET].sort());
    // Expected 2000 each (σ ≈ 44); a modulo bias would put some characters 25% above the rest.
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(1700);
      expect(count).toBeLessThan(2300);
    }
  });
});
