/**
 * The face index in AWS: one Amazon Rekognition face collection per account and mode,
 * `{prefix}-{account}-{mode}` (the prefix is the stack's, so IAM can name the collections:
 * `collection/{prefix}-*`). Accounts are made at run time, so the collection is created on first
 * use (CreateCollection when IndexFaces finds none), not by CDK. Each face is indexed with
 * `ExternalImageId` = the blocklist entry's id, never personal data.
 * https://docs.aws.amazon.com/rekognition/latest/APIReference/API_IndexFaces.html ,
 * API_SearchFacesByImage.html , API_DeleteFaces.html , API_CreateCollection.html
 */
import {
  CreateCollectionCommand,
  DeleteFacesCommand,
  IndexFacesCommand,
  RekognitionClient,
  SearchFacesByImageCommand,
} from '@aws-sdk/client-rekognition';
import type { FaceIndex, IndexedFace } from '../domain/face-index';
import type { Scope } from '../domain/scope';
import type { CheckImage } from '../files/objects';

export interface RekognitionFacesDeps {
  client: RekognitionClient;
  /** The stack's collection prefix (`VERITY_FACE_COLLECTION_PREFIX`). */
  prefix: string;
  /** The selfie as Rekognition takes it (S3 location or bytes); undefined when the file is gone. */
  images: (scope: Scope, fileId: string) => Promise<CheckImage | undefined>;
  /** 0–100: SearchFacesByImage's FaceMatchThreshold (functions/store/faces.ts `faceMatchThreshold`). */
  threshold: number;
}

/** At most this many matches are read: one active entry is enough to block. */
const MAX_MATCHES = 10;

/** Rekognition's answers that mean the image holds no usable face (or is no image): nothing to index or search. */
const NO_FACE_ERRORS = new Set([
  'InvalidParameterException',
  'InvalidImageFormatException',
  'ImageTooLargeException',
  'InvalidS3ObjectException',
]);
const named = (error: unknown, name: string) => error instanceof Error && error.name === name;

export const collectionIdOf = (prefix: string, scope: Scope) => `${prefix}-${scope.account}-${scope.mode}`;

/**
 * Deletes an indexed face wherever it is kept: DeleteFaces for a Rekognition face; nothing for the
 * stand-in's digest, whose match item the entry's own transaction deletes. For the routes and the
 * redaction worker, which read no image. Repeatable.
 */
export async function removeIndexedFace(face: IndexedFace, client?: RekognitionClient): Promise<void> {
  if (!('collection' in face)) return;
  deleter ??= client ?? new RekognitionClient({});
  try {
    await (client ?? deleter).send(new DeleteFacesCommand({ CollectionId: face.collection, FaceIds: face.face_ids }));
  } catch (error) {
    // The collection is gone, and its faces with it.
    if (!named(error, 'ResourceNotFoundException')) throw error;
  }
}
let deleter: RekognitionClient | undefined;

export function rekognitionFaces({ client, prefix, images, threshold }: RekognitionFacesDeps): FaceIndex {
  const indexFaces = (collection: string, entryId: string, image: CheckImage) =>
    client.send(
      new IndexFacesCommand({
        CollectionId: collection,
        Image: image,
        ExternalImageId: entryId,
        // The largest face only: a selfie shows one person, and no bystander is kept.
        MaxFaces: 1,
        QualityFilter: 'AUTO',
        DetectionAttributes: [],
      }),
    );
  return {
    async index(scope, entryId, fileId) {
      const image = await images(scope, fileId);
      if (!image) return undefined;
      const collection = collectionIdOf(prefix, scope);
      let answer: Awaited<ReturnType<typeof indexFaces>>;
      try {
        try {
          answer = await indexFaces(collection, entryId, image);
        } catch (error) {
          if (!named(error, 'ResourceNotFoundException')) throw error;
          // First entry of this account and mode: make its collection (another request may have just made it).
          await client.send(new CreateCollectionCommand({ CollectionId: collection })).catch((created: unknown) => {
            if (!named(created, 'ResourceAlreadyExistsException')) throw created;
          });
          answer = await indexFaces(collection, entryId, image);
        }
      } catch (error) {
        if (NO_FACE_ERRORS.has((error as Error).name)) return undefined;
        throw error;
      }
      const faceIds = (answer.FaceRecords ?? []).map((record) => record.Face?.FaceId).filter((id): id is string => Boolean(id));
      return faceIds.length ? { collection, face_ids: faceIds } : undefined;
    },
    async search(scope, fileId) {
      const image = await images(scope, fileId);
      if (!image) return [];
      try {
        const answer = await client.send(
          new SearchFacesByImageCommand({
            CollectionId: collectionIdOf(prefix, scope),
            Image: image,
            FaceMatchThreshold: threshold,
            MaxFaces: MAX_MATCHES,
          }),
        );
        const ids = (answer.FaceMatches ?? []).map((match) => match.Face?.ExternalImageId).filter((id): id is string => Boolean(id));
        return [...new Set(ids)].sort();
      } catch (error) {
        // No collection yet: no entry of this scope was ever indexed. No face in the selfie: nothing can match it.
        if (named(error, 'ResourceNotFoundException') || NO_FACE_ERRORS.has((error as Error).name)) return [];
        throw error;
      }
    },
    remove: (face) => removeIndexedFace(face, client),
  };
}
