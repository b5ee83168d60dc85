/**
 * Which face index a scope's selfie blocklist entries use (the port: functions/domain/face-index.ts):
 * - **Rekognition** (functions/store/rekognition-faces.ts) in live mode when
 *   `VERITY_FACE_COLLECTION_PREFIX` is set (CDK sets it on the functions granted the collections);
 * - otherwise (test mode everywhere, and live mode locally) **the content-hash stand-in** below.
 *
 * The stand-in is honest about what it is: it matches a selfie whose file holds exactly the same
 * bytes as the entry's selfie (SHA-256 of the bytes, kept only as an HMAC under the account's index
 * key, as a document entry's digest), so a test session that uploads the same sample selfie
 * matches, and any other image does not. It recognizes no face. Images served by URL only
 * (above MAX_INLINE_CONTENTS_BYTES, in S3) are not read: they index and match nothing.
 */
import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { createHash } from 'node:crypto';
import type { FaceIndex } from '../domain/face-index';
import type { Mode } from '../domain/scope';
import { digestMatches, selfieDigest } from './blocklist-entries';
import { fileStore } from './files';
import { keyEncryptionKey } from './key-encryption-key';
import { FACE_COLLECTION_PREFIX_ENV, faceMatchThreshold } from './face-settings';
import { rekognitionFaces } from './rekognition-faces';

export { DEFAULT_FACE_MATCH_THRESHOLD, FACE_COLLECTION_PREFIX_ENV, FACE_MATCH_THRESHOLD_ENV, faceMatchThreshold } from './face-settings';

/** The stand-in: exact bytes, as a keyed digest in a match item (see above). */
export const contentHashFaces: FaceIndex = {
  async index(scope, _entryId, fileId) {
    const digest = await contentDigest(scope, fileId);
    return digest === undefined ? undefined : { digest };
  },
  async search(scope, fileId) {
    const digest = await contentDigest(scope, fileId);
    return digest === undefined ? [] : digestMatches(scope, digest);
  },
  // Its match item is deleted by the entry's own transaction (functions/store/blocklist-entries.ts).
  remove: async () => {},
};

async function contentDigest(scope: Parameters<FaceIndex['index']>[0], fileId: string): Promise<string | undefined> {
  const contents = await fileStore().contents(scope, fileId);
  if (!contents || !('data' in contents)) return undefined;
  await keyEncryptionKey();
  return selfieDigest(scope, createHash('sha256').update(contents.data).digest('base64url'));
}

let rekognition: FaceIndex | undefined;

/** The face index of `mode`'s entries (see above); throws for an invalid threshold setting. */
export function faceIndexFor(mode: Mode, env: NodeJS.ProcessEnv = process.env): FaceIndex {
  const prefix = env[FACE_COLLECTION_PREFIX_ENV];
  if (mode !== 'live' || !prefix) return contentHashFaces;
  rekognition ??= rekognitionFaces({
    client: new RekognitionClient({}),
    prefix,
    images: (scope, fileId) => fileStore().checkImage(scope, fileId),
    threshold: faceMatchThreshold(env),
  });
  return rekognition;
}
