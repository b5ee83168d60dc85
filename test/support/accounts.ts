import { generateSecretKey, hashSecretKey, newAccountId } from '../../functions/domain/api-keys';
import type { Mode, Scope } from '../../functions/domain/verification-session';
import { saveApiKey } from '../../functions/store/api-keys';

/** A fresh account with a registered secret key: tests never see each other's objects. */
export async function newTestAccount(mode: Mode = 'test', account = newAccountId()): Promise<{ scope: Scope; secretKey: string }> {
  const secretKey = generateSecretKey(mode);
  const scope = await saveApiKey(hashSecretKey(secretKey), { account, mode }, new Date());
  return { scope, secretKey };
}
