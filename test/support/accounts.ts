import {
  generatePublishableKey,
  generateRestrictedKey,
  generateSecretKey,
  hashSecretKey,
  newAccountId,
  restrictedKeyGrant,
} from '../../functions/domain/api-keys';
import type { Mode, Scope } from '../../functions/domain/scope';
import { saveApiKey, savePublishableKey } from '../../functions/store/api-keys';

/** A fresh account with a registered secret key: tests never see each other's objects. */
export async function newTestAccount(mode: Mode = 'test', account = newAccountId()): Promise<{ scope: Scope; secretKey: string }> {
  const secretKey = generateSecretKey(mode);
  const scope = await saveApiKey(hashSecretKey(secretKey), { account, mode }, new Date());
  return { scope, secretKey };
}

/** A restricted key (`rk_…`) of `scope`, registered as `npm run keys -- create --restricted` does (read-only unless told). */
export async function newRestrictedKey(scope: Scope, options: Parameters<typeof restrictedKeyGrant>[0] = {}): Promise<string> {
  const key = generateRestrictedKey(scope.mode);
  await saveApiKey(hashSecretKey(key), scope, new Date(), restrictedKeyGrant(options));
  return key;
}

/** A publishable key (`pk_…`) of `scope`, registered as `npm run keys -- create --publishable` does. */
export async function newPublishableKey(scope: Scope): Promise<string> {
  const key = generatePublishableKey(scope.mode);
  await savePublishableKey(key, hashSecretKey(key), scope, new Date());
  return key;
}
