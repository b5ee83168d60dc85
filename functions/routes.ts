/**
 * The route table: every HTTP endpoint, the module that serves it, and exactly the DynamoDB
 * actions and indexes it needs. The CDK stack builds one Lambda, one route and one IAM policy
 * per entry from it; the local runtime serves the same entries from the same modules.
 */
import {
  accountLogoPartitionPrefix,
  accountProfilePartitionPrefix,
  livenessSettingsPartitionPrefix,
  consoleLinkPartitionPrefix,
  publishableKeyPartitionPrefix,
  consoleSessionPartitionPrefix,
  objectKey,
  rateLimitPartitionPrefix,
  allIndexes,
  reviewQueuePartitionPrefix,
  tableSchema,
} from './store/schema';
import type { KeyAccess, KeyResource } from './domain/api-keys';
import type { SessionKeyUse } from './store/key-grants';
import { funnelCountPartitionPrefix } from './store/funnel-counts';

export type DynamoAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'ConditionCheckItem' | 'Query';
/**
 * What a route may do with the uploads bucket (lib/uploads.ts), only under its `uploads/` prefix:
 * object actions on `uploads/*`, ListBucket only for keys under it (so a missing object reads as
 * 404, not 403). Presigning an upload (PutObject, PutObjectTagging) lends the route's own rights
 * to the browser for one key; the key uses each implies (encrypt for a put, decrypt for a get) come with it.
 */
export type UploadsAction = 'PutObject' | 'PutObjectTagging' | 'PutObjectVersionTagging' | 'GetObject' | 'GetObjectVersion' | 'ListBucket';

/**
 * What a route may do with the stack's Rekognition face collections (selfie blocklist entries,
 * functions/store/rekognition-faces.ts), on `collection/{prefix}-*` only (lib/faces.ts).
 */
export type FaceAction = 'CreateCollection' | 'IndexFaces' | 'SearchFacesByImage' | 'DeleteFaces';

export interface Route {
  /** Stable name, used for the Lambda's logical id. */
  name: string;
  /** HTTP API route key: `METHOD /path/{param}`, or `$default` for everything unmatched. */
  routeKey: string;
  /** Handler module, relative to functions/, exporting `handler`. */
  handler: string;
  dynamodb: DynamoAction[];
  /** Index names the route queries. */
  indexes: string[];
  authenticated: boolean;
  /**
   * The kinds of object (id prefixes: `vs`, `evt`…) whose items alone the route may read or
   * write, enforced by IAM (`dynamodb:LeadingKeys` on their partition keys); every item when
   * left out. Set on the routes anyone may call, so they can never reach API keys or other items.
   */
  objects?: string[];
  /**
   * Item actions allowed only on the partitions whose key matches one of the patterns (IAM
   * `dynamodb:LeadingKeys`, StringLike), on top of `dynamodb`.
   */
  keyed?: { actions: DynamoAction[]; partitionKeys: string[] };
  /** More item actions on other partitions, each a grant of its own (as `keyed`): where one list of actions would give too much. */
  alsoKeyed?: { actions: DynamoAction[]; partitionKeys: string[] }[];
  /**
   * What a restricted key needs to call the route: `read` or `write` on a resource (Stripe's
   * permissions). Every authenticated route declares one; the endpoint chain checks it
   * (functions/http/endpoint.ts), and a route without one is refused to every restricted key.
   */
  permission?: { resource: KeyResource; access: KeyAccess };
  /**
   * An authenticated route no restricted key may call, by design (no permission names what it serves): said, so that no permission is
   * merely missing.
   */
  secretKeysOnly?: true;
  /**
   * What the route does with session keys (crypto-shredding): `open` reads them and the
   * key-encryption secret, to open a session's sealed values or seal new ones under its key;
   * `make` also puts a new session's key, `shred` a destroyed key's tombstone (the redact routes,
   * whose transaction destroys the key). Left out, the route gets neither the key table nor the
   * secret. IAM grants exactly this in AWS (lib/data.ts), the local runtime holds the route to it
   * (functions/store/key-grants.ts).
   */
  sessionKeys?: SessionKeyUse;
  /** Actions on the uploads bucket, under `uploads/` only; none when left out. */
  uploads?: UploadsAction[];
  /**
   * Static files shipped beside the route's function code (lib/verity-function.ts): `liveness`, the
   * liveness step's island and WASM files (functions/hosted-page/liveness-assets.ts).
   */
  staticAssets?: 'liveness';
  /**
   * Face Liveness (functions/checks/liveness/): `start` creates liveness sessions and issues the
   * page's credentials (rekognition:CreateFaceLivenessSession, sts:AssumeRole of the browser role,
   * the key and the liveness output prefix it needs); none when left out.
   */
  faceLiveness?: 'start';
  /** Actions on the stack's face collections; none when left out. */
  faces?: FaceAction[];
  /**
   * The partitions (IAM `dynamodb:LeadingKeys` patterns) of the items the route fetches by the keys a lean index found: BatchGetItem
   * on these alone (`ITEM_FETCHES`). Set from the route's indexes; none when it queries no lean index.
   */
  fetches?: string[];
  /** Why a route that is not `authenticated` by an API key may be called without one (how it checks its callers itself), for cdk-nag. */
  unauthenticatedReason?: string;
}

const reads = (resource: KeyResource): Route['permission'] => ({ resource, access: 'read' });
const writes = (resource: KeyResource): Route['permission'] => ({ resource, access: 'write' });

/** Every authenticated request reads the key's hash (cached per container). */
const AUTH: DynamoAction[] = ['GetItem'];
/**
 * Every authenticated request counts against its account's rate limit: now and then it leases a
 * batch of requests from the account's counter (functions/store/rate-limits.ts), and it may
 * update no other item.
 */
const RATE_LIMIT: Route['keyed'] = { actions: ['UpdateItem'], partitionKeys: [`${rateLimitPartitionPrefix}*`] };
/**
 * A POST with an Idempotency-Key saves its response with a put (in the change's transaction, or
 * on its own), and reads the key when it fails without writing.
 */
const IDEMPOTENCY: DynamoAction[] = ['PutItem'];

const sessions = '/v1/identity/verification_sessions';
const reports = '/v1/identity/verification_reports';
const testHelpers = '/v1/test_helpers/identity/verification_sessions';
/** The verification page a session's `url` opens. */
const page = '/start/{token}';
/**
 * What the page touches: the session (and its redaction job), and what a submission writes with it: the submission, its files, the events.
 */
const PAGE_OBJECTS = ['vs', 'vsub', 'file', 'evt'];
/** The HTML pages show the business's public profile: they may read profiles, and write none. */
const READS_PROFILES: Route['keyed'] = { actions: ['GetItem'], partitionKeys: [`${accountProfilePartitionPrefix}*`] };

/**
 * An authenticated API route: the key's lookup and the rate limit come with it, on top of `dynamodb`; it opens session keys unless told
 * otherwise.
 */
const apiRoute = (
  name: string,
  routeKey: string,
  handler: string,
  dynamodb: DynamoAction[],
  permission: Route['permission'],
  indexes: string[] = [],
  sessionKeys: Route['sessionKeys'] | null = 'open',
): Route => ({
  name,
  routeKey,
  handler: `http/${handler}`,
  dynamodb: [...AUTH, ...dynamodb],
  indexes,
  authenticated: true,
  keyed: RATE_LIMIT,
  permission,
  ...(sessionKeys ? { sessionKeys } : {}),
});

/**
 * A test helper reads the session and any submission, and writes the change, its report and
 * events; concluding removes the submission.
 */
const testHelper = (name: string, action: string): Route =>
  apiRoute(
    name,
    `POST ${testHelpers}/{id}/${action}`,
    `${action.replace('_', '-')}-verification-session`,
    [...IDEMPOTENCY, 'DeleteItem'],
    writes('verification_sessions'),
  );

/**
 * The Files API for a verification's images (`file_…`, named by its reports): the File object,
 * a page of them, and the image itself, which Stripe serves at files.stripe.com and Verity at
 * `{id}/contents` on the API's own host.
 */
const files = '/v1/files';
// GetItem (with the key's): the files and their sessions (a redacted session's files are gone at once).
const fileRoute = (name: string, routeKey: string, handler: string, dynamodb: DynamoAction[], indexes: string[] = []): Route =>
  apiRoute(name, routeKey, handler, dynamodb, reads('files'), indexes);
/**
 * Webhook endpoints (`/v1/webhook_endpoints`, Stripe's) and their delivery log and resend
 * (`/v1/verity/…`, Verity's own, outside Stripe's namespace).
 */
const webhookEndpoints = '/v1/webhook_endpoints';
const verityWebhookEndpoints = '/v1/verity/webhook_endpoints';
// Endpoints and their deliveries hold nothing of a session: no session keys, but for resend, which opens the event it sends.
const webhookRoute = (
  name: string,
  routeKey: string,
  handler: string,
  dynamodb: DynamoAction[],
  indexes: string[] = [],
  sessionKeys: Route['sessionKeys'] | null = null,
): Route =>
  apiRoute(
    name,
    routeKey,
    handler,
    dynamodb,
    routeKey.startsWith('GET ') ? reads('webhook_endpoints') : writes('webhook_endpoints'),
    indexes,
    sessionKeys,
  );
const webhookEndpointRoutes: Route[] = [
  // The endpoint and its scope's counter, in one transaction with the saved response.
  webhookRoute('CreateWebhookEndpoint', `POST ${webhookEndpoints}`, 'create-webhook-endpoint', [...IDEMPOTENCY, 'UpdateItem']),
  webhookRoute('ListWebhookEndpoints', `GET ${webhookEndpoints}`, 'list-webhook-endpoints', ['Query'], [tableSchema.indexes.byScope.name]),
  webhookRoute('RetrieveWebhookEndpoint', `GET ${webhookEndpoints}/{id}`, 'retrieve-webhook-endpoint', []),
  webhookRoute('UpdateWebhookEndpoint', `POST ${webhookEndpoints}/{id}`, 'update-webhook-endpoint', [...IDEMPOTENCY]),
  webhookRoute('DeleteWebhookEndpoint', `DELETE ${webhookEndpoints}/{id}`, 'delete-webhook-endpoint', ['DeleteItem', 'UpdateItem']),
  webhookRoute(
    'ListWebhookDeliveries',
    `GET ${verityWebhookEndpoints}/{id}/deliveries`,
    'webhook-delivery-log',
    ['Query'],
    [tableSchema.indexes.byType.name],
  ),
  // Reads the endpoint, its delivery and the event; leases and records the delivery, and counts the event off.
  webhookRoute(
    'ResendWebhookEvent',
    `POST ${verityWebhookEndpoints}/{id}/resend`,
    'resend-webhook-event',
    [...IDEMPOTENCY, 'UpdateItem'],
    [],
    'open',
  ),
];

/**
 * Identity BlocklistEntries (Stripe's preview API). An entry and its match item (`iblm_…`, a keyed
 * digest of the document) are written and changed together in one transaction with any saved
 * response; creating one reads the report (and opens it with its session's key); nothing here
 * reads a session.
 */
const blocklistEntries = '/v1/identity/blocklist_entries';
const blocklistRoutes: Route[] = [
  {
    ...apiRoute(
      'CreateBlocklistEntry',
      `POST ${blocklistEntries}`,
      'create-blocklist-entry',
      [...IDEMPOTENCY],
      writes('blocklist_entries'),
    ),
    // A selfie entry reads the selfie (the stand-in hashes its bytes; Rekognition reads it as this role) and indexes its face,
    // making the scope's collection on first use; DeleteFaces takes the face out again if storing the entry fails.
    uploads: ['GetObject', 'GetObjectVersion', 'ListBucket'],
    faces: ['CreateCollection', 'IndexFaces', 'DeleteFaces'],
  },
  apiRoute(
    'ListBlocklistEntries',
    `GET ${blocklistEntries}`,
    'list-blocklist-entries',
    ['Query'],
    reads('blocklist_entries'),
    [tableSchema.indexes.byScope.name, tableSchema.indexes.byStatus.name, tableSchema.indexes.byType.name],
    null,
  ),
  apiRoute('RetrieveBlocklistEntry', `GET ${blocklistEntries}/{id}`, 'retrieve-blocklist-entry', [], reads('blocklist_entries'), [], null),
  {
    ...apiRoute(
      'DisableBlocklistEntry',
      `POST ${blocklistEntries}/{id}/disable`,
      'disable-blocklist-entry',
      [...IDEMPOTENCY, 'DeleteItem'],
      writes('blocklist_entries'),
      [],
      null,
    ),
    // A selfie entry's face leaves its collection with the disable.
    faces: ['DeleteFaces'],
  },
];

const fileRoutes: Route[] = [
  fileRoute('ListFiles', `GET ${files}`, 'list-files', ['Query'], [tableSchema.indexes.byScope.name, tableSchema.indexes.byType.name]),
  fileRoute('RetrieveFile', `GET ${files}/{id}`, 'retrieve-file', []),
  // The image is an object of the uploads bucket (or, for one submitted before uploads, a table item).
  // GetObjectVersion: the version submitted (FileInfo.object_version), whatever was posted to the key later.
  {
    ...fileRoute('RetrieveFileContents', `GET ${files}/{id}/contents`, 'retrieve-file-contents', []),
    uploads: ['GetObject', 'GetObjectVersion', 'ListBucket'],
  },
];

/**
 * The operators' console (functions/console/): HTML pages under `/console`, each checking its own
 * console session cookie and role. Only GetItem, PutItem and Query, and item actions only on what
 * each page touches: the account's objects it names (`objects`) and the console's own links and
 * sessions (`keyed`). Links are spent and sessions ended by conditional puts, and the audit log
 * (`cae_…`) is only appended to: no console function may update or delete any item.
 */
const consolePath = '/console';
const CONSOLE_REASON =
  "The operators' console is opened in a browser, not by an API client: the function checks a console session cookie (stored as a keyed " +
  'digest, opened by a one-time sign-in link) and the role the route needs itself (functions/console/console-access.ts).';
/** Every console page reads the request's console session. */
const READS_CONSOLE_SESSION: Route['keyed'] = { actions: ['GetItem'], partitionKeys: [`${consoleSessionPartitionPrefix}*`] };
const consoleRoute = (
  name: string,
  routeKey: string,
  handler: string,
  access: {
    dynamodb: DynamoAction[];
    objects?: string[];
    indexes?: string[];
    keyed?: Route['keyed'];
    sessionKeys?: Route['sessionKeys'] | null;
  },
): Route => ({
  name,
  routeKey,
  handler: `console/${handler}`,
  dynamodb: access.dynamodb,
  indexes: access.indexes ?? [],
  authenticated: false,
  ...(access.objects ? { objects: access.objects } : {}),
  keyed: access.keyed ?? READS_CONSOLE_SESSION,
  // The pages of verification sessions open their values; sign-in, sign-out and the audit log (null) touch none.
  ...(access.sessionKeys === null ? {} : { sessionKeys: access.sessionKeys ?? 'open' }),
  unauthenticatedReason: CONSOLE_REASON,
});
/** The console's pages of one session read its events and reports by session. */
const BY_SESSION = [tableSchema.indexes.byVerificationSession.name];
/** IAM patterns of the partitions of one kind of object, both modes (as lib/api.ts `objectPartitionPatterns`). */
const partitionsOf = (kind: string) =>
  (['test', 'live'] as const).map((mode) => objectKey({ account: 'acct_*', mode }, `${kind}_*`, '').pk);
/** A session's page flags the other sessions verified with its document: a Query of its keyed digest's partition (`ivd_…`). */
const FINDS_DUPLICATES: Route['alsoKeyed'] = [{ actions: ['Query'], partitionKeys: partitionsOf('ivd') }];
/** The review queue: each account and mode's partition of held verdicts (functions/store/review-queue.ts). */
const REVIEW_QUEUE = `${reviewQueuePartitionPrefix}*`;
const consoleRoutes: Route[] = [
  // Shows a button: spends nothing, reads nothing.
  {
    ...consoleRoute('ShowConsoleSignIn', `GET ${consolePath}/sign_in`, 'show-console-sign-in', { dynamodb: [], sessionKeys: null }),
    keyed: undefined,
  },
  // Spends the link and opens the console session (conditional puts), records the sign-in.
  consoleRoute('ConsoleSignIn', `POST ${consolePath}/sign_in`, 'console-sign-in', {
    dynamodb: ['PutItem'],
    objects: ['cae'],
    keyed: { actions: ['GetItem', 'PutItem'], partitionKeys: [`${consoleLinkPartitionPrefix}*`, `${consoleSessionPartitionPrefix}*`] },
    sessionKeys: null,
  }),
  // Marks the console session ended (a conditional put), records the sign-out.
  consoleRoute('ConsoleSignOut', `POST ${consolePath}/sign_out`, 'console-sign-out', {
    dynamodb: ['PutItem'],
    objects: ['cae'],
    keyed: { actions: ['GetItem', 'PutItem'], partitionKeys: [`${consoleSessionPartitionPrefix}*`] },
    sessionKeys: null,
  }),
  consoleRoute('ListConsoleSessions', `GET ${consolePath}/verification_sessions`, 'list-console-sessions', {
    dynamodb: ['Query'],
    indexes: [
      tableSchema.indexes.byScope,
      tableSchema.indexes.byStatus,
      tableSchema.indexes.byClientReferenceId,
      tableSchema.indexes.byType,
    ].map((index) => index.name),
  }),
  {
    ...consoleRoute('ShowConsoleSession', `GET ${consolePath}/verification_sessions/{id}`, 'show-console-session', {
      dynamodb: ['GetItem', 'Query'],
      objects: ['vs'],
      indexes: BY_SESSION,
    }),
    alsoKeyed: FINDS_DUPLICATES,
  },
  // Records the reveal.
  {
    ...consoleRoute('RevealConsoleSession', `POST ${consolePath}/verification_sessions/{id}/reveal`, 'reveal-console-session', {
      dynamodb: ['GetItem', 'PutItem', 'Query'],
      objects: ['vs', 'cae'],
      indexes: BY_SESSION,
    }),
    alsoKeyed: FINDS_DUPLICATES,
  },
  // The API's transition: the session, its events and any redaction job (a `vs_` partition) in one transaction of puts; and the audit
  // entry.
  consoleRoute('CancelConsoleSession', `POST ${consolePath}/verification_sessions/{id}/cancel`, 'cancel-console-session', {
    dynamodb: ['GetItem', 'PutItem', 'Query'],
    objects: ['vs', 'evt', 'cae'],
    indexes: BY_SESSION,
  }),
  consoleRoute('RedactConsoleSession', `POST ${consolePath}/verification_sessions/{id}/redact`, 'redact-console-session', {
    dynamodb: ['GetItem', 'PutItem', 'Query'],
    objects: ['vs', 'evt', 'cae'],
    indexes: BY_SESSION,
    sessionKeys: 'shred',
  }),
  // A reviewer's status override: reads the session and its last report, then the verdict's change (the session, its events, the
  // report written again over itself: `vr_` puts; the verified document's record put or deleted) in one transaction; and the audit
  // entry with the decision. A verdict held for review is decided the same way: its submission and queue item are read, then deleted
  // with the conclusion (the only deletes a console function makes).
  {
    ...consoleRoute('OverrideConsoleSession', `POST ${consolePath}/verification_sessions/{id}/override`, 'override-console-session', {
      dynamodb: ['GetItem', 'PutItem'],
      objects: ['vs', 'vr', 'evt', 'cae'],
    }),
    alsoKeyed: [
      { actions: ['GetItem', 'DeleteItem'], partitionKeys: [...partitionsOf('vsub'), REVIEW_QUEUE] },
      { actions: ['PutItem', 'DeleteItem'], partitionKeys: partitionsOf('ivd') },
    ],
  },
  // Reviewers: the review queue, oldest first (a Query of the account's queue partition), each held verdict's session read; revealed
  // (personal data and images) only by a POST, recorded in the audit log per session shown.
  {
    ...consoleRoute('ListConsoleReviews', `GET ${consolePath}/review`, 'list-console-reviews', { dynamodb: ['GetItem'], objects: ['vs'] }),
    alsoKeyed: [{ actions: ['Query'], partitionKeys: [REVIEW_QUEUE] }],
  },
  {
    ...consoleRoute('RevealConsoleReviews', `POST ${consolePath}/review/reveal`, 'reveal-console-reviews', {
      dynamodb: ['GetItem', 'PutItem'],
      objects: ['vs', 'cae'],
    }),
    alsoKeyed: [{ actions: ['Query'], partitionKeys: [REVIEW_QUEUE] }],
  },
  // Reads the file's description and its session, records the view; the image from the uploads bucket.
  {
    ...consoleRoute('ShowConsoleFile', `GET ${consolePath}/files/{id}/contents`, 'show-console-file', {
      dynamodb: ['GetItem', 'PutItem'],
      objects: ['file', 'vs', 'cae'],
    }),
    uploads: ['GetObject', 'GetObjectVersion', 'ListBucket'],
  },
  // Admins: the account's live console sessions and unused links (by-scope index), and ending them at once (conditional puts), recorded.
  consoleRoute('ListConsoleOperators', `GET ${consolePath}/operators`, 'list-console-operators', {
    dynamodb: ['Query'],
    indexes: [tableSchema.indexes.byScope.name],
    sessionKeys: null,
  }),
  consoleRoute('EndConsoleOperator', `POST ${consolePath}/operators/end`, 'end-console-operator', {
    dynamodb: ['PutItem', 'Query'],
    objects: ['cae'],
    indexes: [tableSchema.indexes.byScope.name],
    keyed: { actions: ['GetItem', 'PutItem'], partitionKeys: [`${consoleLinkPartitionPrefix}*`, `${consoleSessionPartitionPrefix}*`] },
    sessionKeys: null,
  }),
  // The funnel: one Query per counter shard (functions/store/funnel-counts.ts), on the counters' partitions only.
  consoleRoute('ShowConsoleFunnel', `GET ${consolePath}/funnel`, 'show-console-funnel', {
    dynamodb: [],
    keyed: { actions: ['GetItem', 'Query'], partitionKeys: [`${consoleSessionPartitionPrefix}*`, `${funnelCountPartitionPrefix}*`] },
    sessionKeys: null,
  }),
  consoleRoute('ListConsoleAudit', `GET ${consolePath}/audit_events`, 'list-console-audit', {
    dynamodb: ['Query'],
    indexes: [tableSchema.indexes.byScope.name],
    sessionKeys: null,
  }),
];

/**
 * The Stripe.js drop-in (docs/stripe-js-modal.md): the modal's check and its frame. Anyone may call them: a publishable key is public, and
 * it only
 * names the account whose rule (its profile's embedding origins) decides. They read publishable
 * keys' items and profiles, and no other key's.
 */
const MODAL_REASON =
  "The Stripe.js drop-in's routes are called by a business's web page with a publishable key (public), not an API key: " +
  'the function checks the key, the page origin against the account profile, and the session client secret itself ' +
  '(functions/hosted-page/embedding.ts).';
const READS_KEYS_AND_PROFILES: Route['keyed'] = {
  actions: ['GetItem'],
  partitionKeys: [`${publishableKeyPartitionPrefix}*`, `${accountProfilePartitionPrefix}*`],
};
const modalRoutes: Route[] = [
  // The scripts themselves (`/v3`, `/v3/`, `/v3/verity.js`) are served by the catch-all,
  // functions/http/unrecognized-request-url.ts: static bytes, no route (and its 7 resources) of their own.
  {
    name: 'ShowVerificationFrame',
    routeKey: 'GET /v3/frame',
    handler: 'http/show-verification-frame',
    dynamodb: [],
    indexes: [],
    authenticated: false,
    keyed: READS_KEYS_AND_PROFILES,
    unauthenticatedReason: MODAL_REASON,
  },
  {
    name: 'OpenVerificationFrame',
    routeKey: 'POST /v3/verification_frames',
    handler: 'http/open-verification-frame',
    // The session the client secret names (and nothing else of the account's), the key and the profile.
    dynamodb: ['GetItem'],
    indexes: [],
    authenticated: false,
    sessionKeys: 'open',
    objects: ['vs'],
    keyed: READS_KEYS_AND_PROFILES,
    unauthenticatedReason: MODAL_REASON,
  },
  {
    name: 'PreflightVerificationFrames',
    routeKey: 'OPTIONS /v3/verification_frames',
    handler: 'http/preflight-verification-frames',
    // The key and its account's profile (the origins it allows): nothing of any session.
    dynamodb: [],
    indexes: [],
    authenticated: false,
    keyed: READS_KEYS_AND_PROFILES,
    unauthenticatedReason: MODAL_REASON,
  },
];

/** The route that serves `routeKey` (API Gateway's `METHOD /path/{param}`), if any. */
export const routeOf = (routeKey: string): Route | undefined => routes.find((route) => route.routeKey === routeKey);

/**
 * A route that queries a lean index (functions/store/schema.ts) fetches the items its query found: one BatchGetItem per page
 * (functions/store/partition.ts), granted on the partitions of the items its pages hold and no others (`fetches`, IAM
 * dynamodb:LeadingKeys): never more than the index's whole items gave it before, nor than a GetItem of the same items would need.
 * Every route that queries a lean index is named here; no other route may batch-read the table.
 */
const ITEM_FETCHES: Record<string, string[]> = {
  ListVerificationSessions: partitionsOf('vs'),
  ListVerificationReports: partitionsOf('vr'),
  ListEvents: partitionsOf('evt'),
  // Endpoints, and an endpoint's deliveries (items of its `we_` partition).
  ListWebhookEndpoints: partitionsOf('we'),
  ListWebhookDeliveries: partitionsOf('we'),
  ListFiles: partitionsOf('file'),
  ListBlocklistEntries: partitionsOf('ible'),
  ListConsoleAuditEvents: partitionsOf('cae'),
  ListConsoleSessions: partitionsOf('vs'),
  // A session's page lists its events and reports by session (session-page.ts).
  ShowConsoleSession: [...partitionsOf('vr'), ...partitionsOf('evt')],
  RevealConsoleSession: [...partitionsOf('vr'), ...partitionsOf('evt')],
  // The transition reads the session by its key and redirects to its page: these query no index, and fetch nothing.
  CancelConsoleSession: [],
  RedactConsoleSession: [],
  ListConsoleOperators: [`${consoleLinkPartitionPrefix}*`, `${consoleSessionPartitionPrefix}*`],
  EndConsoleOperator: [`${consoleLinkPartitionPrefix}*`, `${consoleSessionPartitionPrefix}*`],
  ListConsoleAudit: partitionsOf('cae'),
};
const leanIndexNames = new Set(allIndexes.flatMap((index) => (index.projection === 'lean' ? [index.name] : [])));
const withItemFetches = (route: Route): Route => {
  if (!route.indexes.some((name) => leanIndexNames.has(name))) return route;
  const fetches = ITEM_FETCHES[route.name];
  if (!fetches) throw new Error(`${route.name} queries a lean index: name the partitions of the items it fetches in ITEM_FETCHES`);
  return fetches.length ? { ...route, fetches } : route;
};

export const routes: Route[] = (<Route[]>[
  {
    name: 'CreateVerificationSession',
    routeKey: `POST ${sessions}`,
    handler: 'http/create-verification-session',
    dynamodb: [...AUTH, ...IDEMPOTENCY],
    indexes: [],
    authenticated: true,
    sessionKeys: 'make',
    keyed: RATE_LIMIT,
    permission: writes('verification_sessions'),
  },
  {
    name: 'ListVerificationSessions',
    routeKey: `GET ${sessions}`,
    handler: 'http/list-verification-sessions',
    dynamodb: [...AUTH, 'Query'],
    indexes: [
      tableSchema.indexes.byScope,
      tableSchema.indexes.byStatus,
      tableSchema.indexes.byClientReferenceId,
      tableSchema.indexes.byRelatedCustomer,
      tableSchema.indexes.byRelatedCustomerAccount,
    ].map((index) => index.name),
    authenticated: true,
    sessionKeys: 'open',
    keyed: RATE_LIMIT,
    permission: reads('verification_sessions'),
  },
  {
    name: 'RetrieveVerificationSession',
    routeKey: `GET ${sessions}/{id}`,
    handler: 'http/retrieve-verification-session',
    // Renews a used or expired client_secret or url.
    dynamodb: [...AUTH, 'PutItem'],
    indexes: [],
    authenticated: true,
    sessionKeys: 'open',
    keyed: RATE_LIMIT,
    permission: reads('verification_sessions'),
  },
  {
    name: 'UpdateVerificationSession',
    routeKey: `POST ${sessions}/{id}`,
    handler: 'http/update-verification-session',
    dynamodb: [...AUTH, ...IDEMPOTENCY],
    indexes: [],
    authenticated: true,
    sessionKeys: 'open',
    keyed: RATE_LIMIT,
    permission: writes('verification_sessions'),
  },
  {
    name: 'CancelVerificationSession',
    routeKey: `POST ${sessions}/{id}/cancel`,
    handler: 'http/cancel-verification-session',
    dynamodb: [...AUTH, ...IDEMPOTENCY],
    indexes: [],
    authenticated: true,
    sessionKeys: 'open',
    keyed: RATE_LIMIT,
    permission: writes('verification_sessions'),
  },
  {
    name: 'RedactVerificationSession',
    routeKey: `POST ${sessions}/{id}/redact`,
    handler: 'http/redact-verification-session',
    dynamodb: [...AUTH, ...IDEMPOTENCY],
    indexes: [],
    authenticated: true,
    // A redaction destroys the session's key in its own transaction (functions/store/sessions.ts).
    sessionKeys: 'shred',
    keyed: RATE_LIMIT,
    permission: writes('verification_sessions'),
  },
  testHelper('ProcessVerificationSession', 'process'),
  testHelper('VerifyVerificationSession', 'verify'),
  testHelper('RequireInputVerificationSession', 'require_input'),
  {
    name: 'ListVerificationReports',
    routeKey: `GET ${reports}`,
    handler: 'http/list-verification-reports',
    dynamodb: [...AUTH, 'Query'],
    indexes: [
      tableSchema.indexes.byScope,
      tableSchema.indexes.byVerificationSession,
      tableSchema.indexes.byClientReferenceId,
      tableSchema.indexes.byType,
    ].map((index) => index.name),
    authenticated: true,
    sessionKeys: 'open',
    keyed: RATE_LIMIT,
    permission: reads('verification_reports'),
  },
  {
    name: 'RetrieveVerificationReport',
    routeKey: `GET ${reports}/{id}`,
    handler: 'http/retrieve-verification-report',
    dynamodb: [...AUTH],
    indexes: [],
    authenticated: true,
    sessionKeys: 'open',
    keyed: RATE_LIMIT,
    permission: reads('verification_reports'),
  },
  {
    name: 'ShowVerificationPage',
    routeKey: `GET ${page}`,
    handler: 'http/show-verification-page',
    dynamodb: ['GetItem'],
    indexes: [],
    authenticated: false,
    sessionKeys: 'open',
    objects: PAGE_OBJECTS,
    keyed: READS_PROFILES,
  },
  {
    name: 'AnswerVerificationConsent',
    routeKey: `POST ${page}`,
    handler: 'http/answer-verification-consent',
    // Spends the link, or submits a decline.
    dynamodb: ['GetItem', 'PutItem'],
    indexes: [],
    authenticated: false,
    sessionKeys: 'open',
    objects: PAGE_OBJECTS,
    keyed: READS_PROFILES,
  },
  {
    name: 'CreateVerificationUpload',
    routeKey: `POST ${page}/uploads`,
    handler: 'http/create-verification-upload',
    // Reads the session; counts the attempt's presigned uploads (an item in the session's
    // partition, store/files.ts admitUpload), under live capture in one transaction with the
    // spending of the photo's capture nonce (UpdateItem, store/capture-nonces.ts); presigns a POST of one object under the session's
    // prefix, which S3 checks against this function's own rights when the browser uses it.
    dynamodb: ['GetItem', 'UpdateItem'],
    indexes: [],
    authenticated: false,
    sessionKeys: 'open',
    objects: PAGE_OBJECTS,
    uploads: ['PutObject', 'PutObjectTagging'],
  },
  {
    name: 'SubmitVerification',
    routeKey: `POST ${page}/submit`,
    handler: 'http/submit-verification',
    // A phone's submit checks, in its transaction, the session's hand-off count's epoch (store/handoffs.ts).
    dynamodb: ['GetItem', 'PutItem', 'ConditionCheckItem'],
    indexes: [],
    authenticated: false,
    sessionKeys: 'open',
    objects: PAGE_OBJECTS,
    // Reads each upload's first bytes and version, and tags that version as submitted.
    uploads: ['GetObject', 'ListBucket', 'PutObjectVersionTagging'],
  },
  {
    name: 'CreateLivenessSession',
    routeKey: `POST ${page}/liveness_sessions`,
    handler: 'http/create-liveness-session',
    // Reads the session; counts the liveness sessions of the session and attempt (UpdateItem); puts the new one's record.
    dynamodb: ['GetItem', 'UpdateItem', 'PutItem'],
    indexes: [],
    authenticated: false,
    sessionKeys: 'open',
    objects: PAGE_OBJECTS,
    // Reads the account's liveness settings (its challenge), and no other account item.
    keyed: { actions: ['GetItem'], partitionKeys: [`${livenessSettingsPartitionPrefix}*`] },
    faceLiveness: 'start',
  },
  {
    name: 'CreateCaptureNonce',
    routeKey: `POST ${page}/capture_nonces`,
    handler: 'http/create-capture-nonce',
    // Reads the session; in one transaction, counts the attempt's capture nonces (UpdateItem) and puts the new one's
    // item (PutItem), both in the session's partition (store/capture-nonces.ts).
    dynamodb: ['GetItem', 'UpdateItem', 'PutItem'],
    indexes: [],
    authenticated: false,
    sessionKeys: 'open',
    objects: ['vs'],
  },
  {
    name: 'CreateVerificationHandoff',
    routeKey: `POST ${page}/handoffs`,
    handler: 'http/create-verification-handoff',
    // Reads the session; reads the session's hand-off count and, in one transaction, moves it on and puts
    // the link's item (both in the session's partition, store/handoffs.ts).
    dynamodb: ['GetItem', 'PutItem', 'UpdateItem'],
    indexes: [],
    authenticated: false,
    sessionKeys: 'open',
    objects: ['vs'],
  },
  {
    name: 'FollowVerificationPage',
    routeKey: `GET ${page}/handoffs`,
    handler: 'http/follow-verification-page',
    // Reads the session: may this browser's page still act on it?
    dynamodb: ['GetItem'],
    indexes: [],
    authenticated: false,
    sessionKeys: 'open',
    objects: ['vs'],
  },
  {
    name: 'OpenVerificationHandoff',
    routeKey: 'GET /handoff/{credential}',
    handler: 'http/open-verification-handoff',
    // Reads the session and its hand-off count; in one transaction spends the link's item and moves the count on
    // (retiring the session's other links), both in the session's partition (store/handoffs.ts).
    dynamodb: ['GetItem', 'UpdateItem'],
    indexes: [],
    authenticated: false,
    sessionKeys: 'open',
    objects: ['vs'],
  },
  {
    name: 'ShowAccountLogo',
    routeKey: 'GET /branding/logos/{id}',
    handler: 'http/show-account-logo',
    dynamodb: [],
    indexes: [],
    authenticated: false,
    // Reads a logo's item, and no other.
    keyed: { actions: ['GetItem'], partitionKeys: [`${accountLogoPartitionPrefix}*`] },
  },
  {
    name: 'ShowLivenessAsset',
    routeKey: 'GET /assets/liveness/{version}/{file}',
    handler: 'http/show-liveness-asset',
    // Files only: no item, no secret.
    dynamodb: [],
    indexes: [],
    authenticated: false,
    staticAssets: 'liveness',
  },
  {
    name: 'ListEvents',
    routeKey: 'GET /v1/events',
    handler: 'http/list-events',
    dynamodb: [...AUTH, 'Query'],
    // by_status: the events some webhook endpoint has not had yet (delivery_success=false).
    indexes: [tableSchema.indexes.byScope.name, tableSchema.indexes.byType.name, tableSchema.indexes.byStatus.name],
    authenticated: true,
    sessionKeys: 'open',
    keyed: RATE_LIMIT,
    permission: reads('events'),
  },
  {
    name: 'RetrieveEvent',
    routeKey: 'GET /v1/events/{id}',
    handler: 'http/retrieve-event',
    dynamodb: [...AUTH],
    indexes: [],
    authenticated: true,
    sessionKeys: 'open',
    keyed: RATE_LIMIT,
    permission: reads('events'),
  },
  ...webhookEndpointRoutes,
  ...fileRoutes,
  ...blocklistRoutes,
  // The console's audit log for the business's own tools: secret keys only (no restricted-key permission names it).
  {
    ...apiRoute(
      'ListConsoleAuditEvents',
      'GET /v1/verity/console_audit_events',
      'list-console-audit-events',
      ['Query'],
      undefined,
      [tableSchema.indexes.byScope.name],
      null,
    ),
    secretKeysOnly: true,
  },
  ...consoleRoutes,
  ...modalRoutes,
  {
    name: 'UnrecognizedRequestUrl',
    routeKey: '$default',
    handler: 'http/unrecognized-request-url',
    dynamodb: [],
    indexes: [],
    authenticated: false,
  },
]).map(withItemFetches);
