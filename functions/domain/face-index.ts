/**
 * The face index port: where a selfie blocklist entry's face is kept, so a later selfie can be
 * searched against the faces of its account and mode. Two adapters (functions/store/faces.ts):
 * Amazon Rekognition face collections in AWS live mode, and a documented content-hash stand-in
 * in test mode and locally. Pure types: no I/O.
 */
import type { Scope } from './scope';

/**
 * Where one entry's face is kept, saved on the entry so disabling or redacting it can delete it.
 * - `digest`: the stand-in's keyed digest of the selfie's bytes (a match item of the table, as a
 *   document entry's);
 * - `collection` and `face_ids`: the Rekognition collection and the FaceIds IndexFaces gave.
 */
export type IndexedFace = { digest: string } | { collection: string; face_ids: string[] };

export interface FaceIndex {
  /**
   * Indexes the face of the selfie file `fileId` of `scope` under `entryId` (Rekognition's
   * `ExternalImageId`: an id, never personal data). Undefined when the image holds no face it can
   * index, or is gone.
   */
  index(scope: Scope, entryId: string, fileId: string): Promise<IndexedFace | undefined>;
  /** The entry ids (`ible_…`) whose indexed face the selfie file `fileId` matches, at most 10; [] for none. */
  search(scope: Scope, fileId: string): Promise<string[]>;
  /** Deletes the face from the index (a digest's match item is deleted by the entry's own transaction). Repeatable. */
  remove(face: IndexedFace): Promise<void>;
}
