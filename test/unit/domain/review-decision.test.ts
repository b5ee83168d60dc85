/**
 * The review policy's decision (functions/domain/review-policy.ts `reviewDecision`): which verdicts
 * a policy hands to a person, pure, with the sample's random number given.
 */
import { describe, expect, it } from 'vitest';
import { reviewDecision } from '../../../functions/domain/review-policy';
import { FAILURES, type ChecksOutcome } from '../../../functions/domain/verification-checks';

const person = null;
const verified: ChecksOutcome = { ran: ['document'], failure: null, person };
const blocked: ChecksOutcome = {
  ran: ['document'],
  failure: { code: 'document_unverified_other', reason: FAILURES.document_unverified_other.reason },
  person,
  blocked_by_entry: { document: 'ible_123' },
  duplicate_of: ['vs_other'],
};

describe('reviewDecision', () => {
  it('holds nothing without a policy', () => {
    expect(reviewDecision(undefined, { ...verified, duplicate_of: ['vs_other'] })).toEqual([]);
  });

  it('holds a duplicate document when the policy asks for it', () => {
    expect(reviewDecision({ duplicate_document: true }, { ...verified, duplicate_of: ['vs_other'] })).toEqual(['duplicate_document']);
  });

  it('leaves a blocklist failure decided unless the policy holds blocklist matches', () => {
    // The duplicate and the sample would hold it otherwise; the entry's failure stands.
    expect(reviewDecision({ duplicate_document: true, sample_rate: 1 }, blocked, () => 0)).toEqual([]);
    expect(reviewDecision({ blocklist_match: true, duplicate_document: true }, blocked)).toEqual(['blocklist_match', 'duplicate_document']);
  });

  it('samples only verdicts of checks that ran', () => {
    expect(reviewDecision({ sample_rate: 0.5 }, verified, () => 0.4)).toEqual(['random_sample']);
    expect(reviewDecision({ sample_rate: 0.5 }, verified, () => 0.6)).toEqual([]);
    expect(reviewDecision({ sample_rate: 1 }, { ran: [], failure: null, person }, () => 0)).toEqual([]);
  });
});
