/**
 * Every session's data key (crypto-shredding, docs/reference/redaction.md): a random 256-bit key per
 * session, made with the session and written in its creating transaction, wrapped (AES-256-GCM)
 * under the deployment's key-encryption key (key-encryption-key.ts) in the key table
 * (key-schema.ts), which has no stream and no backups. Every personal value Verity stores for the
 * session is sealed under it (`sealedAttribute`). The redact request destroys it in the very
 * transaction that marks the session for redaction (`sessionKeyTombstoneWrites`, sessions.ts), so from that
 * moment every sealed copy (the table, its stream, its backups, a DynamoDB Local file) opens for
 * no one; the redaction job only tidies what is left.
 *
 * Keys are cached per container (like API keys), and a cached key is trusted only where the
 * item being read proves the key was alive when it was read:
 * - a **session** item: the transaction that destroys the key is the one that sets the session's
 *   `redaction`, so a consistently read session item without `redaction` proves its key alive at
 *   that instant, and one with it is opened with no key at all (sessions.ts). The state travels
 *   on the item every session access reads anyway, so a warm retrieve stays one GetItem and no
 *   container shows a shredded session's values from its cache;
 * - any **other** item (an event, a report, a submission, a saved response) was written before the
 *   redaction and cannot say it happened, so its reader asks the key table again
 *   (`loadSessionKeys(…, { fresh: true })`: one consistent BatchGetItem per page of up to 100
 *   sessions, for the items that hold a sealed value only). That is one read more per event or
 *   report request, instead of one more on every session request or a window of minutes in which
 *   a warm container would still open what was shredded. A key known destroyed is never read again.
 *
 * The store's item builders are synchronous: a session's key must be loaded (`loadSessionKeys`,
 * or read with the session) before its items are built or read; building or reading without it
 * throws rather than store or show a value in clear.
 */
import { BatchGetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Scope } from '../domain/scope';
import { dynamo, untilProcessed, type StoredItem } from './client';
import { newKey, openBytes, openJson, sealBytes, sealJson } from './encryption';
import { keyEncryptionKey, loadedKeyEncryptionKey } from './key-encryption-key';
import { requireSessionKeyUse } from './key-grants';
import { keyTableName, sessionKeyKey } from './key-schema';
import type { TransactItem } from './transaction-items';

/**
 * - `live`: the key (`stored` false while the transaction that writes it has not succeeded);
 * - `shredded`: redaction destroyed it (known once the transaction that destroys it succeeded,
 *   or once a session item read shows its `redaction`);
 * - `none`: the session was stored before keys existed; its values are in clear until its next
 *   write gives it a key (docs/reference/redaction.md, sessions stored before).
 */
type State = { state: 'live'; key: Buffer; stored: boolean } | { state: 'shredded' } | { state: 'none' };
type Entry = State & { at: number };

/** Keys kept per container; the oldest go first. */
const MAX_ENTRIES = 10_000;
/** A cached key is read again after this long (a session with no key may have been given one elsewhere). */
const LIVE_MS = 5 * 60_000;
/** Short: another container may give an old session its key (its next write) at any time. */
const NONE_MS = 1_000;
const cache = new Map<string, Entry>();

const cacheKey = (scope: Scope, sessionId: string) => `${keyTableName()}|${sessionKeyKey(scope, sessionId).pk}`;

function remember(scope: Scope, sessionId: string, entry: State): void {
  requireSessionKeyUse('open');
  const name = cacheKey(scope, sessionId);
  cache.delete(name);
  cache.set(name, { ...entry, at: Date.now() } as Entry);
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
}

function cached(scope: Scope, sessionId: string): Entry | undefined {
  // A key this container holds is used only by a function granted keys, as one it would read.
  requireSessionKeyUse('open');
  const entry = cache.get(cacheKey(scope, sessionId));
  if (!entry) return undefined;
  const age = Date.now() - entry.at;
  if ((entry.state === 'live' && entry.stored && age > LIVE_MS) || (entry.state === 'none' && age > NONE_MS)) return undefined;
  return entry;
}

/** The context a wrapped data key is bound to: it unwraps for this session's item only. */
const wrapContext = (pk: string) => `verity-data-key:${pk}`;

/** Whether the session's key (or its absence) is known in this container. */
export const isSessionKeyLoaded = (scope: Scope, sessionId: string) => cached(scope, sessionId) !== undefined;

/** Learns a session's key from its key item as read (undefined: there is none). The KEK must be loaded. */
export function rememberSessionKey(scope: Scope, sessionId: string, item: StoredItem | undefined): void {
  if (!item) {
    remember(scope, sessionId, { state: 'none' });
    return;
  }
  if (item.shredded_at !== undefined || !item.wrapped) {
    remember(scope, sessionId, { state: 'shredded' });
    return;
  }
  const key = openBytes(loadedKeyEncryptionKey(), item.wrapped as Uint8Array, wrapContext(item.pk));
  remember(scope, sessionId, { state: 'live', key, stored: true });
}

/**
 * Loads the keys of these sessions that this container does not hold yet: one BatchGetItem per
 * 100 sessions (none when all are cached), and the KEK on a container's first use. `fresh`: for
 * a reader of items other than the session (see above), every key not known destroyed is read
 * again, consistently, so a key destroyed by another container a moment ago is seen as destroyed.
 */
export async function loadSessionKeys(sessions: { scope: Scope; id: string }[], options: { fresh?: boolean } = {}): Promise<void> {
  await keyEncryptionKey();
  const missing = new Map<string, { scope: Scope; id: string }>();
  const wanted = (scope: Scope, id: string) => {
    const entry = cached(scope, id);
    return !entry || (options.fresh === true && entry.state !== 'shredded');
  };
  for (const session of sessions) if (wanted(session.scope, session.id)) missing.set(sessionKeyKey(session.scope, session.id).pk, session);
  const reads = [...missing.values()];
  for (let i = 0; i < reads.length; i += 100) {
    const chunk = reads.slice(i, i + 100);
    const found = await batchGet({ [keyTableName()]: { Keys: chunk.map((s) => sessionKeyKey(s.scope, s.id)), ConsistentRead: true } });
    const byPk = new Map((found[keyTableName()] ?? []).map((item) => [item.pk as string, item]));
    for (const session of chunk) {
      const item = byPk.get(sessionKeyKey(session.scope, session.id).pk);
      const entry = cached(session.scope, session.id);
      // A live key read again is the same key: kept as it is, without unwrapping it again.
      if (entry?.state === 'live' && entry.stored && item?.wrapped && item.shredded_at === undefined)
        remember(session.scope, session.id, entry);
      else rememberSessionKey(session.scope, session.id, item);
    }
  }
}

/** One BatchGetItem, re-sending what DynamoDB left unprocessed (`untilProcessed`), merged by table. */
export async function batchGet(
  requests: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead?: boolean }>,
): Promise<Record<string, StoredItem[]>> {
  const found: Record<string, StoredItem[]> = {};
  await untilProcessed(
    requests,
    async (pending) => {
      const result = await dynamo().send(new BatchGetCommand({ RequestItems: pending }));
      for (const [table, items] of Object.entries(result.Responses ?? {})) found[table] = [...(found[table] ?? []), ...items];
      return result.UnprocessedKeys as typeof requests | undefined;
    },
    'DynamoDB kept leaving part of a BatchGetItem unprocessed',
  );
  return found;
}

function entryOf(scope: Scope, sessionId: string): Entry {
  const entry = cached(scope, sessionId);
  if (!entry) throw new Error('The session key is not loaded (loadSessionKeys first)');
  return entry;
}

/** The key that opens the session's sealed values; null when there is none (destroyed, or never made). */
export function sessionKeyForReading(scope: Scope, sessionId: string): Buffer | null {
  const entry = entryOf(scope, sessionId);
  return entry.state === 'live' ? entry.key : null;
}

/**
 * The key to seal the session's values with; null when redaction destroyed it (what is written
 * after the shredding keeps its clear form alone, `sealedAttribute`). A session stored before keys
 * existed gets one now, written by the transaction that writes with it (`sessionKeyWrites`).
 */
function sessionKeyForWriting(scope: Scope, sessionId: string): Buffer | null {
  const entry = entryOf(scope, sessionId);
  if (entry.state === 'live') return entry.key;
  if (entry.state === 'shredded') return null;
  const key = newKey();
  remember(scope, sessionId, { state: 'live', key, stored: false });
  return key;
}

/** A new session's key, kept until its creating transaction writes it (`sessionKeyWrites`). The KEK must be loaded. */
export function newSessionKey(scope: Scope, sessionId: string): void {
  loadedKeyEncryptionKey();
  remember(scope, sessionId, { state: 'live', key: newKey(), stored: false });
}

/**
 * What the session's transaction writes in the key table: the put of its key if it is new. A
 * transaction that destroys the key writes `sessionKeyTombstoneWrites` instead.
 */
export function sessionKeyWrites(scope: Scope, sessionId: string): TransactItem[] {
  const entry = cached(scope, sessionId);
  if (entry?.state !== 'live' || entry.stored) return [];
  requireSessionKeyUse('make');
  const Key = sessionKeyKey(scope, sessionId);
  return [
    {
      Put: {
        TableName: keyTableName(),
        Item: {
          ...Key,
          wrapped: sealBytes(loadedKeyEncryptionKey(), entry.key, wrapContext(Key.pk)),
          created: Math.floor(Date.now() / 1000),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
}

/**
 * The key's tombstone, for the transaction that marks the session for redaction (a redact
 * request, or the retention policy's mark): the key is destroyed by the very write that asks for
 * it, so redaction takes effect when asked. Decided by that request alone, never through the
 * shared cache: locally every route runs in one process, and a racing request must not carry
 * another's tombstone. Needs the `shred` grant.
 */
export function sessionKeyTombstoneWrites(scope: Scope, sessionId: string): TransactItem[] {
  requireSessionKeyUse('shred');
  return [{ Put: { TableName: keyTableName(), Item: tombstone(scope, sessionId) } }];
}

/**
 * A session item read with its `redaction` set: its key was destroyed by the transaction that
 * set it (or is about to be, by the job, for a redaction asked for before keys were destroyed
 * at once). Either way nothing of the session is opened or sealed from now on.
 */
export function sessionKeyShredded(scope: Scope, sessionId: string): void {
  const entry = cached(scope, sessionId);
  if (entry?.state !== 'shredded') remember(scope, sessionId, { state: 'shredded' });
}

/**
 * A new session's key item, for a caller that writes sessions in bulk outside a change (test and
 * bench seeding): it writes the item to `keyTableName()` itself. The KEK must be loaded.
 */
export function newSessionKeyItem(scope: Scope, sessionId: string): Record<string, unknown> {
  newSessionKey(scope, sessionId);
  const item = sessionKeyWrites(scope, sessionId)[0]!.Put!.Item!;
  sessionKeySettled(scope, sessionId, true);
  return item;
}

/**
 * After the transaction: written (kept; a destroyed key known as such at once), or not (a new key
 * forgotten, read again next time; a failed shredding leaves what this container knew).
 */
export function sessionKeySettled(scope: Scope, sessionId: string, written: boolean, shredded = false): void {
  if (shredded) {
    if (written) remember(scope, sessionId, { state: 'shredded' });
    return;
  }
  const entry = cached(scope, sessionId);
  if (entry?.state !== 'live' || entry.stored) return;
  if (written) remember(scope, sessionId, { state: 'live', key: entry.key, stored: true });
  else cache.delete(cacheKey(scope, sessionId));
}

/**
 * Destroys the session's key: its item is replaced by a tombstone (when it was shredded, no key
 * material), in the key table, which no stream or backup copies. From here on every sealed copy
 * of the session's values is unreadable. Repeating it changes nothing.
 */
export async function destroySessionKey(scope: Scope, sessionId: string): Promise<void> {
  requireSessionKeyUse('shred');
  await dynamo().send(new PutCommand({ TableName: keyTableName(), Item: tombstone(scope, sessionId) }));
  remember(scope, sessionId, { state: 'shredded' });
}

/** A destroyed key's item: no key material, and when it was destroyed. */
const tombstone = (scope: Scope, sessionId: string) => ({ ...sessionKeyKey(scope, sessionId), shredded_at: Math.floor(Date.now() / 1000) });

/** The attribute holding the sealed form of `attribute`. */
export const sealedName = (attribute: string) => `${attribute}_sealed`;

/** What a sealed value is bound to: the item (pk, sk) and the attribute it is stored in. */
const sealContext = (item: { pk: string; sk: string }, attribute: string) => `verity:v1:${item.pk}:${item.sk}:${attribute}`;

/**
 * An item's attribute, sealed: `{ <attribute>: clear, <attribute>_sealed: value under the session's key }`.
 * `clear` is what readers show without the key (the value as redaction leaves it: nothing personal).
 */
export function sealedAttribute<T>(
  item: { pk: string; sk: string },
  attribute: string,
  value: T,
  clear: T,
  scope: Scope,
  sessionId: string,
): Record<string, unknown> {
  const key = sessionKeyForWriting(scope, sessionId);
  // The key is destroyed: the clear form alone, which is what every reader shows from now on. Not
  // sealed under a random key nobody keeps: another container that read the session's key before
  // the shredding holds it cached (up to LIVE_MS), would try it on that value, and fail the request.
  if (!key) return { [attribute]: clear };
  return { [attribute]: clear, [sealedName(attribute)]: sealJson(key, sealedPart(value, clear), sealContext(item, attribute)) };
}

/**
 * Marks a sealed value that holds only what differs from the clear form beside it: `[path, value]` pairs set on a copy of the
 * clear form (`withSealedPart`). A value sealed whole (before items were made smaller) has no such key and is read as it is.
 */
const SEALED_PATHS = '$sealed_paths';
type Path = (string | number)[];

/**
 * What the sealed attribute must hold: the values that differ from `clear`, by path, instead of the whole value beside its clear
 * copy, which doubled every session item and event (issue #30). Objects are compared key by key; anything else (an array, a
 * string, null) is taken whole where it differs, and so is an object from which `clear` has a key that `value` does not.
 */
export function sealedPart(value: unknown, clear: unknown): unknown {
  const set: [Path, unknown][] = [];
  const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  const walk = (v: unknown, c: unknown, path: Path) => {
    if (isObject(v) && isObject(c) && Object.keys(c).every((key) => key in v)) {
      for (const [key, inner] of Object.entries(v)) walk(inner, c[key], [...path, key]);
    } else if (JSON.stringify(v) !== JSON.stringify(c)) {
      set.push([path, v]);
    }
  };
  walk(value, clear, []);
  return { [SEALED_PATHS]: set };
}

/** The value a sealed part and its clear form make together (`sealedPart`); a value sealed whole, as it is. */
export function withSealedPart<T>(opened: unknown, clear: T): T {
  const paths = (opened as Record<string, unknown> | null)?.[SEALED_PATHS] as [Path, unknown][] | undefined;
  if (!Array.isArray(paths)) return opened as T;
  let result: unknown = structuredClone(clear);
  for (const [path, value] of paths) {
    if (path.length === 0) {
      result = value;
      continue;
    }
    let target = result as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
    target[path[path.length - 1]!] = value;
  }
  return result as T;
}

/**
 * An attribute as readers see it: opened with the session's key; without it (destroyed) the clear
 * form beside it; an item stored before encryption, as it is.
 */
export function openedAttribute<T>(item: StoredItem, attribute: string, scope: Scope, sessionId: string): T {
  const sealed = item[sealedName(attribute)] as Uint8Array | undefined;
  if (!sealed) return item[attribute] as T;
  const entry = entryOf(scope, sessionId);
  // Sealed, yet this container thought the session had no key: it was given one since. Never shown as redacted.
  if (entry.state === 'none') throw new Error('The session was given a key since it was loaded; read it again');
  return entry.state === 'live'
    ? withSealedPart(openJson<unknown>(entry.key, sealed, sealContext(item as { pk: string; sk: string }, attribute)), item[attribute] as T)
    : (item[attribute] as T);
}

/** Forgets every key this container holds, as a new container starts (tests of a cold read). */
export function forgetSessionKeys(): void {
  cache.clear();
}
