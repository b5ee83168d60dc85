import type { DynamoDBRecord } from 'aws-lambda';

/** How AWS marks a deletion by DynamoDB's TTL in the stream. */
export const TTL_DELETION_IDENTITY = { type: 'Service', principalId: 'dynamodb.amazonaws.com' } as const;

/** A `REMOVE` made by the TTL service itself; a removal by anyone else is not one. */
export function isTtlDeletion(record: DynamoDBRecord): boolean {
  return (
    record.eventName === 'REMOVE' &&
    record.userIdentity?.type === TTL_DELETION_IDENTITY.type &&
    record.userIdentity?.principalId === TTL_DELETION_IDENTITY.principalId
  );
}
