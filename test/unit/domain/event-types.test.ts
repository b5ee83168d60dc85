import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventTypesMatching, matchesWildcard } from '../../../functions/domain/event-types';
import { SESSION_EVENT_TYPES } from '../../../functions/domain/events';

/** The meaning of a wildcard pattern, written the slow, obvious way: does some split of `text` fit? */
function fits(pattern: string, text: string): boolean {
  if (pattern === '') return text === '';
  if (pattern[0] === '*') return [...Array(text.length + 1).keys()].some((skip) => fits(pattern.slice(1), text.slice(skip)));
  return text[0] === pattern[0] && fits(pattern.slice(1), text.slice(1));
}

describe('wildcard patterns from the request (issue 19, fault 1)', () => {
  it('means what the obvious definition means, for any pattern of stars and pieces of event names', () => {
    const piece = fc.constantFrom('*', '**', 'identity', '.', 'verification_session', 'e', 're', 'd', 'X', '(', '.*', '\\');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), fc.constantFrom(...SESSION_EVENT_TYPES), (pieces, type) => {
        const pattern = pieces.join('');
        expect(matchesWildcard(pattern, type)).toBe(fits(pattern, type));
      }),
      { numRuns: 500 },
    );
  });

  // A backtracking regular expression spends time exponential in the stars before it says no:
  // half a minute for these nine (five times more for each further star), microseconds here.
  it('answers nine stars followed by a character no type has', { timeout: 10_000 }, () => {
    expect(eventTypesMatching(`${'*'.repeat(9)}X`)).toEqual([]);
  });

  it('answers patterns of thousands of stars and pieces', () => {
    expect(eventTypesMatching(`${'*'.repeat(4000)}X`)).toEqual([]);
    expect(eventTypesMatching(`${'*e'.repeat(2000)}X`)).toEqual([]);
    expect(eventTypesMatching('*'.repeat(5000))).toEqual([...SESSION_EVENT_TYPES]);
    expect(eventTypesMatching(`i${'*'.repeat(1000)}.${'*'.repeat(1000)}d`)).toEqual(
      SESSION_EVENT_TYPES.filter((type) => type.endsWith('d')),
    );
  });
});
