/**
 * Metadata as the table keeps it: a list of `[key, value]` pairs rather than a map. Clients
 * choose metadata keys, and DynamoDB's document marshaller cannot keep every name as a map key:
 * it takes an object with a `constructor` key for a class instance and refuses it, and it loses
 * `__proto__` both ways (it assigns keys to plain objects). A list keeps every key as data.
 * Items written before this keep a map, and read back the same.
 */
import type { Metadata } from '../domain/metadata';

export type StoredMetadata = [key: string, value: string][];

export const storedMetadata = (metadata: Metadata): StoredMetadata => Object.entries(metadata);

/** Metadata from either stored form; every key an own property (`Object.fromEntries` defines, never assigns). */
export const metadataOfStored = (stored: StoredMetadata | Metadata | undefined): Metadata =>
  Object.fromEntries(Array.isArray(stored) ? stored : Object.entries(stored ?? {}));

/** An object with its `metadata` in the stored form, or back, when it has any. */
export const withStoredMetadata = <T extends { metadata: Metadata }>(object: T) => ({
  ...object,
  metadata: storedMetadata(object.metadata),
});
export const withMetadataOfStored = <T extends { metadata: Metadata }>(object: T): T => ({
  ...object,
  metadata: metadataOfStored(object.metadata),
});
