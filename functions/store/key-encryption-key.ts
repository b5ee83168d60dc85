/**
 * The deployment's key-encryption key (KEK): the one key that wraps every session's data key
 * (session-keys.ts) and from which each account's index key is derived. Loaded once per container
 * and kept in memory only.
 *
 * - In AWS (`VERITY_KMS_KEY_ID`, the stack's KMS key): a 256-bit key made once by KMS
 *   `GenerateDataKey` and stored in the key table wrapped by KMS (`CiphertextBlob`, with an
 *   encryption context naming its purpose); a container unwraps it with one `kms:Decrypt`, so a
 *   request never calls KMS. Disabling or deleting the KMS key makes every session unreadable.
 * - Locally (`VERITY_MASTER_KEY_FILE`): 32 random bytes in a file the owner alone may read (0600),
 *   made on first use in the data folder.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, isConditionalCheckFailure } from './client';
import { KEY_BYTES } from './encryption';
import { keyEncryptionKeyKey, keyTableName } from './key-schema';

export const MASTER_KEY_FILE_ENV = 'VERITY_MASTER_KEY_FILE';
export const KMS_KEY_ENV = 'VERITY_KMS_KEY_ID';
/** KMS binds the wrapped key to this context: a ciphertext of the key made for anything else does not decrypt as it. */
const KMS_CONTEXT = { purpose: 'verity-key-encryption-key' };

let loaded: { source: string; key: Promise<Buffer>; value?: Buffer } | undefined;

/** Where the KEK comes from, as configured now (a test or a restarted local runtime may change it). */
function source(): string {
  const kms = process.env[KMS_KEY_ENV];
  if (kms) return `kms:${kms}`;
  const file = process.env[MASTER_KEY_FILE_ENV];
  if (file) return `file:${file}`;
  throw new Error(`Verity needs ${KMS_KEY_ENV} (in AWS) or ${MASTER_KEY_FILE_ENV} (locally) to encrypt personal data`);
}

/** The KEK, loaded once per container (a failed load is tried again by the next caller). */
export function keyEncryptionKey(): Promise<Buffer> {
  const from = source();
  if (!loaded || loaded.source !== from) {
    const entry: NonNullable<typeof loaded> = {
      source: from,
      key: (from.startsWith('kms:') ? fromKms(from.slice(4)) : fromFile(from.slice(5))).then(
        (key) => ((entry.value = key), key),
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
  writeFileSync(draft, randomBytes(KEY_BYTES).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
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

async function fromKms(keyId: string): Promise<Buffer> {
  const { KMSClient, DecryptCommand, GenerateDataKeyCommand } = await import('@aws-sdk/client-kms');
  const kms = new KMSClient({});
  const read = async () =>
    (await dynamo().send(new GetCommand({ TableName: keyTableName(), Key: keyEncryptionKeyKey, ConsistentRead: true }))).Item?.wrapped as Uint8Array | undefined;
  let wrapped = await read();
  if (!wrapped) {
    const made = await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: KMS_CONTEXT }));
    try {
      await dynamo().send(
        new PutCommand({
          TableName: keyTableName(),
          Item: { ...keyEncryptionKeyKey, wrapped: made.CiphertextBlob, created: Math.floor(Date.now() / 1000) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      wrapped = made.CiphertextBlob;
    } catch (error) {
      // Another container made it first: theirs is the one.
      if (!isConditionalCheckFailure(error)) throw error;
      wrapped = await read();
    }
  }
  const { Plaintext } = await kms.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: wrapped, EncryptionContext: KMS_CONTEXT }));
  if (!Plaintext || Plaintext.length !== KEY_BYTES) throw new Error('KMS returned no 256-bit key-encryption key');
  return Buffer.from(Plaintext);
}
