import { describe, expect, it } from 'vitest';
import { normalizeTtlDeletion } from '../../../local/stream-poller';

const keys = { pk: { S: 'acct#test#vs_1' }, sk: { S: 'redaction_job' } };
const ttlIdentity = { Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' };

describe('normalizeTtlDeletion', () => {
  it('gives DynamoDB Local’s own TTL deletion (an unknown event name, no identity) AWS’s shape', () => {
    const record = { eventName: 'UNKNOWN_TO_SDK_VERSION' as never, dynamodb: { Keys: keys, OldImage: keys } };
    expect(normalizeTtlDeletion(record)).toMatchObject({ eventName: 'REMOVE', userIdentity: ttlIdentity });
  });

  it('marks a removal the local TTL stand-in vouches for, and no other', () => {
    const record = { eventName: 'REMOVE' as const, dynamodb: { Keys: keys, OldImage: keys } };
    expect(normalizeTtlDeletion(record, () => true)).toMatchObject({ userIdentity: ttlIdentity });
    expect(normalizeTtlDeletion(record, () => false)).toBe(record);
    expect(normalizeTtlDeletion(record)).toBe(record);
  });

  it('leaves inserts and changes alone', () => {
    const insert = { eventName: 'INSERT' as const, dynamodb: { Keys: keys, NewImage: keys } };
    expect(normalizeTtlDeletion(insert, () => true)).toBe(insert);
  });
});
