/**
 * The deployment's key-encryption key (KEK): the one key that wraps every session's data key
 * (session-keys.ts) and from which each account's index key is derived. Loaded once per container
 * and kept in memory only.
 *
 * - In AWS (`VERITY_KEY_ENCRYPTION_SECRET_ARN`): derived (HKDF-SHA-256) from a 64-character
 *   random secret CloudFormation generates in Secrets Manager, encrypted there with the stack's
 *   KMS key; a container reads it once (`GetSecretValue`, the client the API functions already
 *   load for the signing secret), so no request calls Secrets Manager or KMS. Disabling the KMS
 *   key, or deleting the secret past its recovery window, makes every session unreadable.
 * - Locally (`VERITY_MASTER_KEY_FILE`): 32 random bytes in a file the owner alone may read (0600),
 *   made on first use in the data folder.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { KEY_BYTES } from './encryption';
import { requireSessionKeyUse } from './key-grants';

export const MASTER_KEY_FILE_ENV = 'VERITY_MASTER_KEY_FILE';
export const KEY_ENCRYPTION_SECRET_ENV = 'VERITY_KEY_ENCRYPTION_SECRET_ARN';

let loaded: { source: string; key: Promise<Buffer>; value?: Buffer } | undefined;

/** Where the KEK comes from, as configured now (a test or a restarted local runtime may change it). */
function source(): string {
  const secret = process.env[KEY_ENCRYPTION_SECRET_ENV];
  if (secret) return `secret:${secret}`;
  const file = process.env[MASTER_KEY_FILE_ENV];
  if (file) return `file:${file}`;
  throw new Error(`Verity needs ${KEY_ENCRYPTION_SECRET_ENV} (in AWS) or ${MASTER_KEY_FILE_ENV} (locally) to encrypt personal data`);
}

/** The KEK, loaded once per container (a failed load is tried again by the next caller). */
export function keyEncryptionKey(): Promise<Buffer> {
  requireSessionKeyUse('open');
  const from = source();
  if (!loaded || loaded.source !== from) {
    const entry: NonNullable<typeof loaded> = {
      source: from,
      key: (from.startsWith('secret:') ? fromSecret(from.slice(7)) : fromFile(from.slice(5))).then(
        (key) => {
          entry.value = key;
          return key;
        },
        (error) => {
          if (loaded === entry) loaded = undefined;
          throw error;
        },
      ),
    };
    loaded = entry;
  }
  return loaded.key;
}

/** The KEK when a caller has already awaited `keyEncryptionKey()` in this container; throws otherwise. */
export function loadedKeyEncryptionKey(): Buffer {
  requireSessionKeyUse('open');
  const value = loaded?.source === source() ? loaded.value : undefined;
  if (!value) throw new Error('The key-encryption key is not loaded yet (await keyEncryptionKey() first)');
  return value;
}

/**
 * The account's index key: HMAC-SHA-256 key for list filters on personal values (a client
 * reference), derived from the KEK with HKDF-SHA-256 per account, so it costs no read and a copy
 * of the table cannot test guesses against the index without the KEK.
 */
export function indexKey(account: string): Buffer {
  return Buffer.from(hkdfSync('sha256', loadedKeyEncryptionKey(), 'verity-index', `index:${account}`, KEY_BYTES));
}

function fromFile(file: string): Promise<Buffer> {
  // Written whole beside it, then linked into place: made once, never overwritten, and never read
  // half-written (two processes starting together agree on the first).
  const draft = `${file}.${process.pid}.${randomBytes(6).toString('hex')}`;
  writeFileSync(draft, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(draft);
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== KEY_BYTES) throw new Error(`${file} does not hold a 256-bit key (base64)`);
  return Promise.resolve(key);
}

/** The KEK derived from the deployment's secret: its string as CloudFormation generated it, through HKDF with Verity's label. */
async function fromSecret(secretArn: string): Promise<Buffer> {
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const { SecretString } = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (!SecretString || SecretString.length < 32) throw new Error('The key-encryption secret is missing or too short');
  return Buffer.from(hkdfSync('sha256', Buffer.from(SecretString, 'utf8'), 'verity', 'key-encryption-key', KEY_BYTES));
}
