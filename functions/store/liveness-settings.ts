/**
 * An account's Face Liveness settings in one mode (docs/reference/liveness.md, *Challenge*): one
 * item, `liveness_settings#<account>#<mode>`, set with `npm run keys -- liveness` and read by the
 * page's liveness route when it creates a liveness session. Today one field: the challenge the
 * account chose. No personal data.
 */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Scope } from '../domain/scope';
import { dynamo } from './client';
import { livenessSettingsPartitionPrefix, tableName } from './schema';

export interface LivenessSettings {
  /**
   * The Face Liveness challenge the account chose, as AWS names it (`FaceMovementAndLightChallenge`
   * or `FaceMovementChallenge`: functions/checks/liveness/availability.ts LIVENESS_CHALLENGES, checked by
   * the caller); absent: the deployment's (`VERITY_FACE_LIVENESS_CHALLENGE`).
   */
  challenge?: string;
}

export const livenessSettingsKey = (scope: Scope) => ({
  pk: `${livenessSettingsPartitionPrefix}${scope.account}#${scope.mode}`,
  sk: 'liveness_settings',
});

/** The account's settings in `scope`'s mode (`{}` when none were set): one GetItem, eventually consistent unless asked. */
export async function findLivenessSettings(scope: Scope, consistent = false): Promise<LivenessSettings> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: livenessSettingsKey(scope), ConsistentRead: consistent }),
  );
  return typeof Item?.challenge === 'string' ? { challenge: Item.challenge } : {};
}

/** Sets the account's challenge in `scope`'s mode, or with null removes it (back to the deployment's). One write. */
export async function setLivenessChallenge(scope: Scope, challenge: string | null, now: Date): Promise<void> {
  const Key = livenessSettingsKey(scope);
  if (challenge === null) {
    await dynamo().send(new DeleteCommand({ TableName: tableName(), Key }));
    return;
  }
  await dynamo().send(
    new PutCommand({ TableName: tableName(), Item: { ...Key, scope, challenge, updated: Math.floor(now.getTime() / 1000) } }),
  );
}
