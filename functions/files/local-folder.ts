/**
 * The FileStore's local adapter, for `npm start` and the tests: objects are files under a folder
 * (`<data dir>/files/`, owner-only: 0700 folders, 0600 files), each beside a small `.json` that
 * keeps what S3 keeps with an object (its Content-Type, size, tag and a version id). Browsers upload through
 * the local runtime's upload route (local/upload-route.ts), which holds each upload to the same
 * policy S3 enforces on a presigned POST: one key, one type, 1 byte to 10 MB, until it expires.
 * The policy is signed with Verity's signing secret (HMAC-SHA256), so only Verity can issue one.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UPLOAD_CONTENT_TYPES, UPLOAD_KEY_PATTERN, type ObjectStore, type UploadContentType } from './objects';
import { signingSecret } from '../secrets/signing-secret';

/** Where the local runtime serves uploads, on its own host (so the page's `connect-src 'self'` covers it). */
export const LOCAL_UPLOAD_PATH = '/local/uploads';

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/** What the local policy allows, signed into the `policy` field. */
export interface LocalUploadPolicy {
  key: string;
  content_type: UploadContentType;
  max_bytes: number;
  /** Epoch seconds. */
  expires: number;
}

/** What S3 keeps with an object, kept beside it. */
interface ObjectMeta {
  content_type: string;
  size: number;
  tag: 'pending' | 'submitted';
  /** Epoch seconds. */
  uploaded: number;
  /** A new id per upload (S3's VersionId): what a submission pins. Absent in objects stored before versions. */
  version?: string;
}

/**
 * One change at a time per object, across the upload route and the functions (one process
 * locally): an upload's check that its key was not submitted and its write, and submit's check of
 * the version and its tag, cannot interleave. On globalThis so every copy of this module shares it.
 */
const shared = globalThis as Record<symbol, unknown>;
shared[Symbol.for('verity.local-upload-locks')] ??= new Map();
const locks = shared[Symbol.for('verity.local-upload-locks')] as Map<string, Promise<unknown>>;
async function exclusively<T>(path: string, change: () => Promise<T>): Promise<T> {
  const before = locks.get(path) ?? Promise.resolve();
  const run = before.catch(() => undefined).then(change);
  const settled = run.catch(() => undefined);
  locks.set(path, settled);
  try {
    return await run;
  } finally {
    if (locks.get(path) === settled) locks.delete(path);
  }
}

/** The object's description if it is that version (any version when `version` is undefined: a file submitted before versions). */
const ofVersion = (meta: ObjectMeta | undefined, version: string | undefined) =>
  meta && (version === undefined || meta.version === version) ? meta : undefined;

const policyTag = (policy: string) => createHmac('sha256', signingSecret()).update(`verity-upload-policy:${policy}`).digest('hex');

/** The object's file, or undefined for a key that is not an upload's (nothing else is ever joined into a path). */
const pathOf = (root: string, key: string) => (UPLOAD_KEY_PATTERN.test(key) ? join(root, key) : undefined);
const metaPathOf = (path: string) => `${path}.json`;

async function readMeta(path: string): Promise<ObjectMeta | undefined> {
  try {
    return JSON.parse(await readFile(metaPathOf(path), 'utf8')) as ObjectMeta;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export function localFolderObjects(root: string): ObjectStore {
  return {
    async presignUpload(policy) {
      const signed: LocalUploadPolicy = {
        key: policy.key,
        content_type: policy.contentType,
        max_bytes: policy.maxBytes,
        expires: Math.floor(policy.expires.getTime() / 1000),
      };
      const encoded = Buffer.from(JSON.stringify(signed)).toString('base64url');
      return {
        url: LOCAL_UPLOAD_PATH,
        fields: { key: policy.key, 'Content-Type': policy.contentType, policy: encoded, 'x-verity-signature': policyTag(encoded) },
      };
    },
    async inspect(key, bytes) {
      const path = pathOf(root, key);
      if (!path) return undefined;
      // The description and the bytes read together, so the version named is the bytes read.
      return exclusively(path, async () => {
        const meta = await readMeta(path);
        if (!meta) return undefined;
        const file = await open(path, 'r');
        try {
          const start = Buffer.alloc(Math.min(bytes, meta.size));
          const { bytesRead } = await file.read(start, 0, start.length, 0);
          return {
            contentType: meta.content_type,
            size: meta.size,
            start: start.subarray(0, bytesRead),
            ...(meta.version ? { version: meta.version } : {}),
          };
        } finally {
          await file.close();
        }
      });
    },
    async markSubmitted(key, version) {
      const path = pathOf(root, key);
      if (!path) return false;
      // Once submitted the upload route refuses to replace it (storeUpload): the bytes checked are the bytes shown.
      return exclusively(path, async () => {
        const meta = ofVersion(await readMeta(path), version);
        if (!meta) return false;
        await writeFile(metaPathOf(path), JSON.stringify({ ...meta, tag: 'submitted' }), { mode: FILE_MODE });
        return true;
      });
    },
    async put(key, data, contentType) {
      const path = pathOf(root, key);
      if (!path) throw new Error('not an upload key');
      await mkdir(dirname(path), { recursive: true, mode: DIR_MODE });
      return exclusively(path, async () => {
        await writeFile(path, data, { mode: FILE_MODE });
        const version = randomBytes(16).toString('base64url');
        const meta: ObjectMeta = { content_type: contentType, size: data.byteLength, tag: 'submitted', uploaded: 0, version };
        // Its description last: what makes it exist.
        await writeFile(metaPathOf(path), JSON.stringify({ ...meta, uploaded: Math.floor(Date.now() / 1000) }), { mode: FILE_MODE });
        return { version };
      });
    },
    async read(key, version) {
      const path = pathOf(root, key);
      const meta = path && ofVersion(await readMeta(path), version);
      return path && meta ? { contentType: meta.content_type, data: await readFile(path) } : undefined;
    },
    async checkImage(key, version) {
      const path = pathOf(root, key);
      if (!path) throw new Error('not an upload key');
      if (!ofVersion(await readMeta(path), version)) throw new Error('the submitted version of this upload is gone');
      return { Bytes: await readFile(path) };
    },
    async deleteUnder(prefix, limit) {
      // A session's prefix, nothing wider: `uploads/acct_…/test/vs_…/`.
      if (!/^uploads\/acct_[0-9A-Za-z]+\/(test|live)\/vs_[0-9A-Za-z]+\/$/.test(prefix)) throw new Error('not a session prefix');
      const folder = join(root, prefix);
      const files: string[] = [];
      for (const attempt of await entries(folder)) {
        for (const name of await entries(join(folder, attempt))) files.push(join(folder, attempt, name));
      }
      // Each object with its .json, and any upload cut off half-way.
      const objects = files.filter((file) => !file.endsWith('.json') && !file.includes('.part-'));
      const batch = objects.slice(0, limit);
      for (const file of batch) {
        await rm(metaPathOf(file), { force: true });
        await rm(file, { force: true });
      }
      if (batch.length === objects.length) {
        await rm(folder, { recursive: true, force: true });
      }
      return { deleted: batch.length, more: batch.length < objects.length };
    },
  };
}

/** How long an upload no submission names is kept: the bucket's lifecycle rule, locally. */
export const UNSUBMITTED_UPLOAD_SECONDS = 24 * 60 * 60;

/**
 * The bucket's lifecycle rule for the local folder: removes every upload still `pending` (no
 * submission named it) UNSUBMITTED_UPLOAD_SECONDS after it arrived, and any upload cut off
 * half-way as old. Returns how many it removed. The local runtime runs it at start and hourly.
 */
export async function sweepUnsubmittedUploads(root: string, now: Date): Promise<number> {
  const before = now.getTime() / 1000 - UNSUBMITTED_UPLOAD_SECONDS;
  let removed = 0;
  const visit = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        await visit(path);
      } else if (entry.name.includes('.part-')) {
        if ((await stat(path)).mtimeMs / 1000 < before) await rm(path, { force: true });
      } else if (!entry.name.endsWith('.json')) {
        const meta = await readMeta(path);
        if (meta?.tag === 'pending' && meta.uploaded < before) {
          await rm(metaPathOf(path), { force: true });
          await rm(path, { force: true });
          removed++;
        }
      }
    }
  };
  await visit(join(root, 'uploads'));
  return removed;
}

async function entries(folder: string): Promise<string[]> {
  try {
    return await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** A refusal as S3 words it: HTTP status, S3's error code, and a message a developer can act on. */
export interface UploadRefusal {
  status: 400 | 403;
  code: string;
  message: string;
}

/**
 * The upload policy the form's fields carry, if its signature is Verity's, it has not expired,
 * and the fields match it (key, Content-Type); otherwise the refusal S3 would give.
 */
export function acceptedPolicy(fields: Record<string, string>, now: Date): LocalUploadPolicy | UploadRefusal {
  const encoded = fields.policy ?? '';
  const signature = fields['x-verity-signature'] ?? '';
  const expected = Buffer.from(policyTag(encoded));
  if (!encoded || !/^[0-9a-f]{64}$/.test(signature) || !timingSafeEqual(expected, Buffer.from(signature))) {
    return {
      status: 403,
      code: 'SignatureDoesNotMatch',
      message: 'The request signature we calculated does not match the signature you provided.',
    };
  }
  const policy = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as LocalUploadPolicy;
  if (policy.expires <= now.getTime() / 1000)
    return { status: 403, code: 'AccessDenied', message: 'Invalid according to Policy: Policy expired.' };
  if (fields.key !== policy.key || !UPLOAD_KEY_PATTERN.test(policy.key)) {
    return {
      status: 400,
      code: 'InvalidArgument',
      message: `Invalid according to Policy: Policy Condition failed: ["eq", "$key", "${policy.key}"]`,
    };
  }
  if (fields['Content-Type'] !== policy.content_type || !(UPLOAD_CONTENT_TYPES as readonly string[]).includes(policy.content_type)) {
    return {
      status: 400,
      code: 'InvalidArgument',
      message: `Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Type", "${policy.content_type}"]`,
    };
  }
  return policy;
}

/** Thrown through the upload's pipeline once it passes its policy's size. */
class TooLarge extends Error {}

/**
 * Writes the upload's bytes to its key, at most `policy.max_bytes` of them: past that it stops
 * reading and answers EntityTooLarge, leaving nothing behind. The object appears whole or not at
 * all (written aside, then renamed; its description last, which is what makes it exist).
 */
export async function storeUpload(root: string, policy: LocalUploadPolicy, body: Readable, now: Date): Promise<UploadRefusal | undefined> {
  const path = pathOf(root, policy.key)!;
  await mkdir(dirname(path), { recursive: true, mode: DIR_MODE });
  const part = `${path}.part-${randomBytes(6).toString('hex')}`;
  let size = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      done(size > policy.max_bytes ? new TooLarge() : null, chunk);
    },
  });
  try {
    await pipeline(body, counted, createWriteStream(part, { mode: FILE_MODE }));
  } catch (error) {
    await rm(part, { force: true });
    if (error instanceof TooLarge) return ENTITY_TOO_LARGE;
    throw error;
  }
  if (size === 0) {
    await rm(part, { force: true });
    return { status: 400, code: 'EntityTooSmall', message: 'Your proposed upload is smaller than the minimum allowed size.' };
  }
  return exclusively(path, async () => {
    // A policy lasts 10 minutes, longer than a submit takes: an upload a submission named stays
    // as it was checked (S3 keeps it as a version the submission pins; here it is not replaced).
    if ((await readMeta(path))?.tag === 'submitted') {
      await rm(part, { force: true });
      return ALREADY_SUBMITTED;
    }
    await rename(part, path);
    const meta: ObjectMeta = {
      content_type: policy.content_type,
      size,
      tag: 'pending',
      uploaded: Math.floor(now.getTime() / 1000),
      version: randomBytes(16).toString('base64url'),
    };
    await writeFile(metaPathOf(path), JSON.stringify(meta), { mode: FILE_MODE });
    return undefined;
  });
}

/** The local route's refusal to replace an upload a submission names (S3 would keep both as versions). */
export const ALREADY_SUBMITTED: UploadRefusal = {
  status: 403,
  code: 'AccessDenied',
  message: 'This upload was submitted for verification and cannot be replaced. Upload the photo again with a new upload.',
};

/** Removes the object `key` and its description, if there are any (an upload whose request was refused after its file was written). */
export async function discardUpload(root: string, key: string): Promise<void> {
  const path = pathOf(root, key);
  if (!path) return;
  await exclusively(path, async () => {
    // Never a submitted one (a refused request's file is pending until a submit names it).
    if ((await readMeta(path))?.tag === 'submitted') return;
    await rm(metaPathOf(path), { force: true });
    await rm(path, { force: true });
  });
}

export const ENTITY_TOO_LARGE: UploadRefusal = {
  status: 400,
  code: 'EntityTooLarge',
  message: 'Your proposed upload exceeds the maximum allowed size.',
};
