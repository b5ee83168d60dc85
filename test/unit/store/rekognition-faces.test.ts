/**
 * The Rekognition face index (functions/store/rekognition-faces.ts) against aws-sdk-client-mock,
 * with answers in the shapes AWS documents (API_IndexFaces, API_SearchFacesByImage, API_DeleteFaces;
 * fixtures in test/fixtures/aws/): the collection per account and mode made on first use, the entry
 * id as ExternalImageId, the configured FaceMatchThreshold, and no face or no collection as "nothing".
 */
import {
  CreateCollectionCommand,
  DeleteFacesCommand,
  IndexFacesCommand,
  InvalidParameterException,
  RekognitionClient,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  SearchFacesByImageCommand,
  ThrottlingException,
} from '@aws-sdk/client-rekognition';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Scope } from '../../../functions/domain/scope';
import type { CheckImage } from '../../../functions/files/objects';
import { DEFAULT_FACE_MATCH_THRESHOLD, faceIndexFor, faceMatchThreshold, contentHashFaces } from '../../../functions/store/faces';
import { collectionIdOf, rekognitionFaces } from '../../../functions/store/rekognition-faces';

const fixture = (name: string): any => JSON.parse(readFileSync(new URL(`../../fixtures/aws/${name}.json`, import.meta.url), 'utf8'));

const SCOPE: Scope = { account: 'acct_live1', mode: 'live' };
const COLLECTION = 'verity-prod-acct_live1-live';
const SELFIE: CheckImage = { S3Object: { Bucket: 'verity-uploads', Name: 'uploads/acct_live1/live/vs_1/a/file_selfie', Version: 'v1' } };
const ENTRY = 'ible_0000000000000000000000aa';
const rekognition = mockClient(RekognitionClient);
const notFound = () => new ResourceNotFoundException({ message: 'The collection id: x does not exist', $metadata: {} });

const faces = (images: Record<string, CheckImage> = { file_selfie: SELFIE }) =>
  rekognitionFaces({
    client: new RekognitionClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }),
    prefix: 'verity-prod',
    images: async (_scope, id) => images[id],
    threshold: 99,
  });

beforeEach(() => rekognition.reset());

describe('the Rekognition face index', () => {
  it('indexes the largest face under the entry id, in the collection of the account and mode', async () => {
    rekognition.on(IndexFacesCommand).resolves(fixture('index-faces'));
    expect(await faces().index(SCOPE, ENTRY, 'file_selfie')).toEqual({
      collection: COLLECTION,
      face_ids: ['ff43d742-0c13-5d16-a3e8-03d3f58e980b'],
    });
    expect(rekognition.commandCalls(IndexFacesCommand)[0]!.args[0].input).toEqual({
      CollectionId: COLLECTION,
      Image: SELFIE,
      ExternalImageId: ENTRY,
      MaxFaces: 1,
      QualityFilter: 'AUTO',
      DetectionAttributes: [],
    });
    expect(rekognition.commandCalls(CreateCollectionCommand)).toHaveLength(0);
    expect(collectionIdOf('verity-prod', { account: 'acct_1', mode: 'test' })).toBe('verity-prod-acct_1-test');
  });

  it('creates the collection on first use, also when another request just created it', async () => {
    rekognition.on(IndexFacesCommand).rejectsOnce(notFound()).resolves(fixture('index-faces'));
    rekognition.on(CreateCollectionCommand).resolves({ CollectionArn: `aws:rekognition:eu-west-1:123456789012:collection/${COLLECTION}` });
    expect(await faces().index(SCOPE, ENTRY, 'file_selfie')).toMatchObject({ collection: COLLECTION });
    expect(rekognition.commandCalls(CreateCollectionCommand)[0]!.args[0].input).toEqual({ CollectionId: COLLECTION });
    expect(rekognition.commandCalls(IndexFacesCommand)).toHaveLength(2);

    rekognition.reset();
    rekognition.on(IndexFacesCommand).rejectsOnce(notFound()).resolves(fixture('index-faces'));
    rekognition.on(CreateCollectionCommand).rejects(new ResourceAlreadyExistsException({ message: 'exists', $metadata: {} }));
    expect(await faces().index(SCOPE, ENTRY, 'file_selfie')).toMatchObject({ collection: COLLECTION });
  });

  it('indexes nothing for a selfie with no usable face, or a file that is gone; throws throttling', async () => {
    rekognition.on(IndexFacesCommand).resolves(fixture('index-faces-no-face'));
    expect(await faces().index(SCOPE, ENTRY, 'file_selfie')).toBeUndefined();
    rekognition.on(IndexFacesCommand).rejects(new InvalidParameterException({ message: 'no face', $metadata: {} }));
    expect(await faces().index(SCOPE, ENTRY, 'file_selfie')).toBeUndefined();
    expect(await faces().index(SCOPE, ENTRY, 'file_gone')).toBeUndefined();
    rekognition.on(IndexFacesCommand).rejects(new ThrottlingException({ message: 'slow down', $metadata: {} }));
    await expect(faces().index(SCOPE, ENTRY, 'file_selfie')).rejects.toThrow('slow down');
  });

  it('searches with the configured FaceMatchThreshold and answers the matched entry ids', async () => {
    rekognition.on(SearchFacesByImageCommand).resolves(fixture('search-faces-by-image'));
    expect(await faces().search(SCOPE, 'file_selfie')).toEqual([ENTRY, 'ible_0000000000000000000000bb']);
    expect(rekognition.commandCalls(SearchFacesByImageCommand)[0]!.args[0].input).toEqual({
      CollectionId: COLLECTION,
      Image: SELFIE,
      FaceMatchThreshold: 99,
      MaxFaces: 10,
    });
    rekognition.on(SearchFacesByImageCommand).rejects(notFound());
    expect(await faces().search(SCOPE, 'file_selfie')).toEqual([]);
    rekognition.on(SearchFacesByImageCommand).rejects(new InvalidParameterException({ message: 'no face', $metadata: {} }));
    expect(await faces().search(SCOPE, 'file_selfie')).toEqual([]);
  });

  it('deletes the faces an entry names, and takes a missing collection as done', async () => {
    rekognition.on(DeleteFacesCommand).resolves(fixture('delete-faces'));
    await faces().remove({ collection: COLLECTION, face_ids: ['ff43d742-0c13-5d16-a3e8-03d3f58e980b'] });
    expect(rekognition.commandCalls(DeleteFacesCommand)[0]!.args[0].input).toEqual({
      CollectionId: COLLECTION,
      FaceIds: ['ff43d742-0c13-5d16-a3e8-03d3f58e980b'],
    });
    rekognition.on(DeleteFacesCommand).rejects(notFound());
    await faces().remove({ collection: COLLECTION, face_ids: ['x'] });
    // A digest is the stand-in's: no call.
    rekognition.reset();
    await faces().remove({ digest: 'abc' });
    expect(rekognition.calls()).toHaveLength(0);
  });
});

describe('choosing the face index and its threshold', () => {
  it('uses Rekognition only in live mode with a collection prefix; the stand-in otherwise', () => {
    expect(faceIndexFor('test', { VERITY_FACE_COLLECTION_PREFIX: 'verity-prod' })).toBe(contentHashFaces);
    expect(faceIndexFor('live', {})).toBe(contentHashFaces);
    expect(faceIndexFor('live', { VERITY_FACE_COLLECTION_PREFIX: 'verity-prod' })).not.toBe(contentHashFaces);
  });

  it('reads VERITY_FACE_MATCH_THRESHOLD: 99 by default, a number from 0 to 100, else a one-line error', () => {
    expect(DEFAULT_FACE_MATCH_THRESHOLD).toBe(99);
    expect(faceMatchThreshold({})).toBe(99);
    expect(faceMatchThreshold({ VERITY_FACE_MATCH_THRESHOLD: '95.5' })).toBe(95.5);
    for (const bad of ['x', '-1', '101']) {
      expect(() => faceMatchThreshold({ VERITY_FACE_MATCH_THRESHOLD: bad })).toThrow(
        'VERITY_FACE_MATCH_THRESHOLD must be a number from 0 to 100.',
      );
    }
  });
});
