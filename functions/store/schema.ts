/**
 * The one DynamoDB table, described once. The CDK stack (lib/) and the local bootstrap
 * (local/dynamodb.ts) both build the table from this description; the store modules build
 * every key through the helpers below.
 */
import { createHash } from 'node:crypto';
import type { Scope } from '../domain/scope';

export interface IndexSchema {
  name: string;
  partitionKey: string;
  sortKey: string;
  /**
   * `lean`: the index holds the keys and the list filters' attributes (`LEAN_PROJECTION`) and readers fetch the items themselves, one
   * BatchGetItem per page (list-page.ts); `all` (left out): every attribute. Projected attributes are copied on every write that
   * changes them, and session items and their copies are large and sealed: the lean indexes keep them out.
   */
  projection?: 'lean';
  /**
   * What a lean index holds beside the keys (the table's and its own): the attributes a page's further filters test on the index
   * (list-page.ts `filteredIndexQuery`: the later filters' digests; a blocklist page's report), small and nothing personal. A write
   * that changes none of them leaves the index alone.
   */
  projects?: readonly string[];
  /**
   * The index this one replaces (a projection cannot change in place: a new index, a new name). Read instead of this one until the
   * release that switches reads (`indexMigration`, docs/reference/index-migration.md).
   */
  replaces?: string;
}

export const tableSchema = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Items carrying this attribute (epoch seconds) are deleted by DynamoDB TTL. */
  timeToLiveAttribute: 'expires_at',
  stream: 'NEW_AND_OLD_IMAGES',
  /**
   * One index per list filter. Each index partition holds the objects of one kind in one scope
   * that share the filter's value, sorted by id (ids are time-ordered), so a page of a list is
   * always one bounded Query whatever the table holds. The indexes session items and their copies
   * reach are lean: a page is one Query for its keys and one BatchGetItem for its items.
   */
  indexes: {
    byScope: {
      name: 'by_scope_v2',
      partitionKey: 'scope_key',
      sortKey: 'id',
      projection: 'lean',
      replaces: 'by_scope',
      // A blocklist page by report alone.
      projects: ['verification_report'],
    },
    byStatus: {
      name: 'by_status_v2',
      partitionKey: 'status_key',
      sortKey: 'id',
      projection: 'lean',
      replaces: 'by_status',
      projects: ['type_key', 'verification_report'],
    },
    byClientReferenceId: {
      name: 'by_client_reference_id_v2',
      partitionKey: 'client_reference_key',
      sortKey: 'id',
      projection: 'lean',
      replaces: 'by_client_reference_id',
      projects: ['related_customer_key', 'related_customer_account_key', 'status_key', 'type_key'],
    },
    byRelatedCustomer: {
      name: 'by_related_customer_v2',
      partitionKey: 'related_customer_key',
      sortKey: 'id',
      projection: 'lean',
      replaces: 'by_related_customer',
      projects: ['related_customer_account_key', 'status_key', 'type_key'],
    },
    byRelatedCustomerAccount: {
      name: 'by_related_customer_account_v2',
      partitionKey: 'related_customer_account_key',
      sortKey: 'id',
      projection: 'lean',
      replaces: 'by_related_customer_account',
      projects: ['status_key', 'type_key'],
    },
    /** Events by event type, and VerificationReports by session type. */
    byType: {
      name: 'by_type_v2',
      partitionKey: 'type_key',
      sortKey: 'id',
      projection: 'lean',
      replaces: 'by_type',
      projects: ['verification_report'],
    },
    /**
     * Everything that holds a copy of a session's data, by session: its VerificationReports,
     * events and files (and saved idempotent responses written before they left every index:
     * functions/store/idempotency.ts). Reports are listed through it; redaction finds every copy through it.
     */
    byVerificationSession: {
      name: 'by_verification_session_v2',
      partitionKey: 'verification_session_key',
      sortKey: 'id',
      projection: 'lean',
      replaces: 'by_verification_session',
      projects: ['client_reference_key', 'type_key'],
    },
    /**
     * Sessions whose redaction is due (a redact call, or the retention policy), by when; the
     * backstop finds those that DynamoDB's TTL has not triggered in time. One partition: only
     * sessions waiting for redaction carry its key.
     */
    byRedactionDue: { name: 'by_redaction_due', partitionKey: 'redaction_due_key', sortKey: 'redaction_due_sort' },
    /**
     * Webhook deliveries waiting for their next attempt, by when (functions/store/webhook-deliveries.ts):
     * one partition per endpoint (its lane), and one shared partition of lane markers, by when each
     * lane was last due or served, which the delivery worker goes round. Only pending deliveries
     * and the markers of lanes with some carry its key.
     */
    byDeliveryDue: { name: 'by_delivery_due', partitionKey: 'delivery_due_key', sortKey: 'delivery_due_sort' },
  },
} as const satisfies {
  partitionKey: string;
  sortKey: string;
  timeToLiveAttribute: string;
  stream: string;
  indexes: Record<string, IndexSchema>;
};

export type IndexName = keyof typeof tableSchema.indexes;

export const allIndexes: IndexSchema[] = Object.values(tableSchema.indexes);

const leanIndexes = allIndexes.filter((index) => index.projection === 'lean');

/** What a lean index projects beside the keys. */
export const leanProjection = (index: IndexSchema): string[] => [...(index.projects ?? [])];

/** An index as one release of the table holds it. */
export interface DeployedIndex extends IndexSchema {
  /** Every attribute, or the keys and these (`INCLUDE`). */
  projected: 'ALL' | string[];
}

/**
 * The releases that replace the indexes projecting every attribute by lean ones
 * (docs/reference/index-migration.md). A projection cannot change in place, CloudFormation adds
 * or deletes one global secondary index per stack update, and a new index may be queried only
 * once it is ACTIVE (backfilled), which CloudFormation waits for before the update completes:
 * - step 0: the indexes as they were, every one projecting ALL; reads use them;
 * - steps 1 to 7: one lean index added per step, reads still on the old ones;
 * - step 8 (`readSwitch`): every function reads the lean indexes (`INDEX_READS_ENV`);
 * - steps 9 to 15: one old index deleted per step.
 * A table created at the last step (a new deployment, the local runtime) has the final indexes at once.
 */
export const indexMigration = {
  added: leanIndexes.length,
  readSwitch: leanIndexes.length + 1,
  last: 2 * leanIndexes.length + 1,
} as const;

/** Which indexes the table holds at a step of `indexMigration`, and whether reads use the lean ones. */
export function indexesAtStep(step: number = indexMigration.last): { indexes: DeployedIndex[]; readsLean: boolean } {
  if (!Number.isInteger(step) || step < 0 || step > indexMigration.last) {
    throw new Error(`The index migration step is a whole number from 0 to ${indexMigration.last}, not ${step}`);
  }
  const indexes: DeployedIndex[] = [];
  for (const index of allIndexes) {
    if (index.projection !== 'lean' || !index.replaces) {
      indexes.push({ ...index, projected: 'ALL' });
      continue;
    }
    const position = leanIndexes.indexOf(index);
    if (step < indexMigration.readSwitch + 1 + position) {
      indexes.push({ name: index.replaces, partitionKey: index.partitionKey, sortKey: index.sortKey, projected: 'ALL' });
    }
    if (step >= 1 + position) indexes.push({ ...index, projected: leanProjection(index) });
  }
  return { indexes, readsLean: step >= indexMigration.readSwitch };
}

/**
 * Set to `previous` on every function while the lean indexes are being added (steps before
 * `indexMigration.readSwitch`): reads use the indexes each lean one replaces. Unset (the final
 * release, the local runtime): reads use the lean indexes.
 */
export const INDEX_READS_ENV = 'VERITY_INDEX_READS';

/**
 * The index a read goes to, and whether its items must be fetched from the table: a lean index,
 * or the one it replaces (every attribute projected) while `INDEX_READS_ENV` says `previous`.
 */
export function indexToRead(index: IndexSchema): { name: string; fetchItems: boolean } {
  if (index.replaces && process.env[INDEX_READS_ENV] === 'previous') return { name: index.replaces, fetchItems: false };
  return { name: index.name, fetchItems: index.projection === 'lean' };
}

/**
 * The environment variable that names the DynamoDB table, set on every function that reads or writes it (lib/) and by
 * the local runtime (local/runtime.ts); `verity` when unset.
 */
export const TABLE_NAME_ENV = 'VERITY_TABLE_NAME';

export function tableName(): string {
  return process.env[TABLE_NAME_ENV] ?? 'verity';
}

const scopePrefix = (scope: Scope) => `${scope.account}#${scope.mode}`;

/**
 * Partition keys of the request counters (functions/store/rate-limits.ts) start with this: one
 * item per account and mode, the only items an authenticated function may update.
 */
export const rateLimitPartitionPrefix = 'rate_limit#';

/** Primary key of a scope's request counter. */
export const rateLimitKey = (scope: Scope) => ({ pk: `${rateLimitPartitionPrefix}${scopePrefix(scope)}`, sk: 'rate_limit' });

/**
 * Partition keys of account profiles (functions/store/account-profiles.ts) start with this: one
 * item per account, both modes, which the verification page may read and never write.
 */
export const accountProfilePartitionPrefix = 'account_profile#';
/**
 * A publishable key's item (`pk_…`, functions/store/api-keys.ts): apart from secret keys', so the modal's public routes may read these
 * alone.
 */
export const publishableKeyPartitionPrefix = 'publishable_key#';

/** Primary key of an account's profile. */
export const accountProfileKey = (account: string) => ({ pk: `${accountProfilePartitionPrefix}${account}`, sk: 'account_profile' });

/** Partition keys of logo images start with this: the logo route may read these items and nothing else. */
export const accountLogoPartitionPrefix = 'account_logo#';

/** Primary key of a logo image, by its id (`logo_…`, see functions/domain/logo-image.ts). */
export const accountLogoKey = (logoId: string) => ({ pk: `${accountLogoPartitionPrefix}${logoId}`, sk: 'account_logo' });

/**
 * Partition keys of the console's sign-in links and console sessions (functions/store/console-sessions.ts)
 * start with these: the console's functions may read and put them, and no other function may.
 */
export const consoleLinkPartitionPrefix = 'console_link#';
export const consoleSessionPartitionPrefix = 'console_session#';

/**
 * The review queue (functions/store/review-queue.ts): an account's review policy in one mode, the
 * verdicts held for a person in one partition per account and mode, and one shared partition of
 * watch items (ids and times only) that the review watch reads its oldest from.
 */
export const reviewPolicyPartitionPrefix = 'review_policy#';
export const reviewQueuePartitionPrefix = 'review_queue#';
export const REVIEW_WATCH_PARTITION = 'review_watch';

/**
 * An account's liveness settings in one mode (functions/store/liveness-settings.ts): one item, which
 * the page's liveness route may read and never write.
 */
export const livenessSettingsPartitionPrefix = 'liveness_settings#';

/** When an item that carries `expires_at` is deleted by TTL: `seconds` after `from`. */
export const expiresAt = (from: Date, seconds: number) => Math.floor(from.getTime() / 1000) + seconds;

/** The index partition of everything that holds a copy of a session's data (see `byVerificationSession`). */
export const sessionCopiesPartition = (scope: Scope, kind: string, sessionId: string) =>
  listPartition(scope, kind, { field: 'verification_session', value: sessionId });

/** Primary key of an object that belongs to a scope: another scope cannot even address it. */
export const objectKey = (scope: Scope, id: string, kind: string) => ({
  pk: `${scopePrefix(scope)}#${id}`,
  sk: kind,
});

/**
 * Partition value of a list index: the objects of `kind` in `scope`, optionally sharing
 * `field = value`. The value is hashed: a client's 5000-character reference would not fit in
 * a key (2048 bytes), and a fixed-size key holds no client data in clear.
 */
export const listPartition = (scope: Scope, kind: string, filter?: { field: string; value: string }) =>
  filter
    ? `${scopePrefix(scope)}#${kind}#${filter.field}#${createHash('sha256').update(filter.value).digest('base64url')}`
    : `${scopePrefix(scope)}#${kind}`;
