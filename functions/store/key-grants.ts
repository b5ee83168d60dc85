/**
 * What a function may do with session keys (crypto-shredding), as its IAM role allows in AWS
 * (lib/data.ts grantSessionKeys): `open` reads keys and the key-encryption secret (to open and
 * seal values under a session's existing key), `make` also puts a new session's key, `shred` also
 * puts a destroyed key's tombstone. A route declares its use in the route table
 * (functions/routes.ts `sessionKeys`); one that declares none gets neither the key table nor the secret.
 *
 * The local runtime runs each route's handler inside its declared grant (`withSessionKeyGrant`),
 * and the store asks for the use it makes (`requireSessionKeyUse`), so a route that would be
 * refused by IAM in AWS fails the same way locally, and every local test checks the route table's
 * declarations. Outside a granted run (a Lambda, a worker, a test calling the store) IAM decides.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type SessionKeyUse = 'open' | 'make' | 'shred';

const grants = new AsyncLocalStorage<{ route: string; use: SessionKeyUse | undefined }>();

/** Runs `work` as route `route` whose role has `use` (undefined: no session keys at all). */
export const withSessionKeyGrant = <T>(route: string, use: SessionKeyUse | undefined, work: () => T): T => grants.run({ route, use }, work);

/** Throws, as AccessDenied would in AWS, when the running route's grant does not cover `needed`. */
export function requireSessionKeyUse(needed: SessionKeyUse): void {
  const grant = grants.getStore();
  if (!grant) return;
  if (grant.use === needed || (needed === 'open' && grant.use !== undefined)) return;
  throw new Error(
    `AccessDenied: the route ${grant.route} has ${grant.use ? `only '${grant.use}'` : 'no'} access to session keys, and needs ` +
      `'${needed}' (functions/routes.ts sessionKeys)`,
  );
}
