/**
 * Authenticated encryption of stored values: AES-256-GCM (node:crypto), a fresh 96-bit IV per
 * value, the item's identity as associated data, so a sealed value moved to another item, another
 * attribute or another session does not open. Pure: no I/O.
 *
 * Format (one DynamoDB binary attribute): `[version 0x01][IV 12 bytes][tag 16 bytes][ciphertext]`.
 * The version byte lets a later format be read beside this one; values stored before encryption
 * have no sealed attribute at all and are read as they are.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';

const FORMAT_V1 = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

/** Encrypts `plaintext` under `key` (32 bytes), bound to `context` (the associated data). */
export function sealBytes(key: Uint8Array, plaintext: Uint8Array, context: string): Uint8Array {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(FORMAT_V1), iv, cipher.getAuthTag(), ciphertext]);
}

/** The plaintext of a sealed value; throws if the key, the context or the bytes are not those it was sealed with. */
export function openBytes(key: Uint8Array, sealed: Uint8Array, context: string): Buffer {
  const bytes = Buffer.from(sealed);
  if (bytes[0] !== FORMAT_V1 || bytes.length < 1 + IV_BYTES + TAG_BYTES) throw new Error('Unknown sealed value format');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(1, 1 + IV_BYTES));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(bytes.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(bytes.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
}

/**
 * Marks a sealed JSON value whose plaintext is deflated (raw DEFLATE, node:zlib): a JSON text never starts with a NUL byte, so a value
 * sealed before compression opens as it is. Sealed values are written in transactions, which DynamoDB bills twice per KB
 * (docs/reference/performance-and-cost.md): JSON's repeated names shrink to about a third. Only stored sizes could tell
 * anything of the plaintext, and only to who can read the table's sizes.
 */
const DEFLATED = 0x00;

/** A JSON value, sealed (deflated first when that makes it smaller). */
export function sealJson(key: Uint8Array, value: unknown, context: string): Uint8Array {
  const json = Buffer.from(JSON.stringify(value), 'utf8');
  const deflated = deflateRawSync(json);
  const plaintext = deflated.length + 1 < json.length ? Buffer.concat([Buffer.of(DEFLATED), deflated]) : json;
  return sealBytes(key, plaintext, context);
}

/** A sealed JSON value, opened (`sealJson`; deflated or not). */
export function openJson<T>(key: Uint8Array, sealed: Uint8Array, context: string): T {
  const plaintext = openBytes(key, sealed, context);
  const json = plaintext[0] === DEFLATED ? inflateRawSync(plaintext.subarray(1)) : plaintext;
  return JSON.parse(json.toString('utf8')) as T;
}

/** A new random 256-bit key. */
export const newKey = (): Buffer => randomBytes(KEY_BYTES);
