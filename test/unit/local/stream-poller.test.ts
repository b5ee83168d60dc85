import { describe, expect, it } from 'vitest';
import { normalizeTtlDeletion } from '../../../local/stream-poller';
import { SWEPT_BY_LOCAL_TTL } from '../../../local/ttl-sweeper';

const keys = { pk: { S: 'acct#test#vs_1' }, sk: { S: 'redaction_job' } };
const ttlIdentity = { Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' };

describe('normalizeTtlDeletion', () => {
  it('gives DynamoDB Local’s own TTL deletion (an unknown event name, no identity) AWS’s shape', () => {
    const record = { eventName: 'UNKNOWN_TO_SDK_VERSION' as never, dynamodb: { Keys: keys, OldImage: keys } };
    expect(normalizeTtlDeletion(record)).toMatchObject({ eventName: 'REMOVE', userIdentity: ttlIdentity });
  });

  it('marks the removal of an item the local TTL stand-in took, and no other removal', () => {
    const swept = { eventName: 'REMOVE' as const, dynamodb: { Keys: keys, OldImage: { ...keys, [SWEPT_BY_LOCAL_TTL]: { BOOL: true } } } };
    expect(normalizeTtlDeletion(swept)).toMatchObject({ userIdentity: ttlIdentity });
    const byUser = { eventName: 'REMOVE' as const, dynamodb: { Keys: keys, OldImage: keys } };
    expect(normalizeTtlDeletion(byUser)).toBe(byUser);
  });

  it('leaves inserts and changes alone', () => {
    const modify = {
      eventName: 'MODIFY' as const,
      dynamodb: { Keys: keys, NewImage: { ...keys, [SWEPT_BY_LOCAL_TTL]: { BOOL: true } }, OldImage: keys },
    };
    expect(normalizeTtlDeletion(modify)).toBe(modify);
  });
});
