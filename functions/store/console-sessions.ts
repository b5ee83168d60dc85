/**
 * The operators' console (functions/console/): one-time sign-in links and the console sessions
 * they open. Nothing secret is stored in clear: a link's token and a session's cookie are stored
 * only as keyed digests (HMAC-SHA-256 under the signing secret), so a copy of the table opens
 * nothing. Only GetItem and PutItem: a link is spent, and a session ended, by a conditional put
 * of the same item, so the console's functions need no UpdateItem or DeleteItem on the table.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createHmac } from 'node:crypto';
import type { Mode, Scope } from '../domain/scope';
import { newObjectId } from '../domain/ids';
import { signingSecret } from '../secrets/signing-secret';
import { dynamo, writeUnlessConditionFails, type StoredItem } from './client';
import { pageOfPartition } from './partition';
import { consoleLinkPartitionPrefix, consoleSessionPartitionPrefix, listPartition, tableName, tableSchema } from './schema';

export const CONSOLE_ROLES = ['viewer', 'reviewer', 'admin'] as const;
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

/** A sign-in link is valid this long after it is made, and once. */
export const CONSOLE_LINK_SECONDS = 10 * 60;
/** A console session (its cookie) lasts this long; signing out ends it at once. */
export const CONSOLE_SESSION_SECONDS = 8 * 60 * 60;

/** Who an operator is in the console: one account in one mode, with one role. */
export interface ConsoleGrant {
  scope: Scope;
  /** The operator's own address, as the link was made for (a member of the business's staff). */
  email: string;
  role: ConsoleRole;
}

/** A sign-in link not yet used, as an admin sees it: never its token. */
export interface ConsoleLink extends ConsoleGrant {
  /** `cl_…`: names the link (printed when it is made) so it can be canceled. */
  id: string;
  /** Epoch seconds. */
  created: number;
  expires: number;
}

export interface ConsoleSession extends ConsoleGrant {
  /** `cs_…`: names the session in the audit log (the cookie's value never is). */
  id: string;
  /** Epoch seconds. */
  created: number;
  expires: number;
}

const LINK_KIND = 'console_link';
export const CONSOLE_LINK_ID_PREFIX = 'cl';
export const CONSOLE_SESSION_ID_PREFIX = 'cs';
const SESSION_KIND = 'console_session';

/** The keyed digest a token is stored under: labelled, so it can never equal another use of the secret. */
const digestOf = (label: string, token: string) => createHmac('sha256', signingSecret()).update(`${label}:${token}`).digest('base64url');
const linkKey = (token: string) => ({ pk: `${consoleLinkPartitionPrefix}${digestOf(LINK_KIND, token)}`, sk: LINK_KIND });
const sessionKey = (token: string) => ({ pk: `${consoleSessionPartitionPrefix}${digestOf(SESSION_KIND, token)}`, sk: SESSION_KIND });
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
const TTL = tableSchema.timeToLiveAttribute;
const { byScope } = tableSchema.indexes;
/** The account's console links or sessions in one mode, listed through the by-scope index (never the token's digest). */
const listedUnder = (scope: Scope, kind: typeof LINK_KIND | typeof SESSION_KIND) => ({
  [byScope.partitionKey]: listPartition(scope, kind),
});

/** Stores a new link's digest with what it grants, valid CONSOLE_LINK_SECONDS from `now`; its id (`cl_…`) names it to cancel it. */
export async function saveConsoleLink(token: string, grant: ConsoleGrant, now: Date): Promise<{ id: string; expires: number }> {
  const expires = seconds(now) + CONSOLE_LINK_SECONDS;
  const id = newObjectId(CONSOLE_LINK_ID_PREFIX, now.getTime());
  await dynamo().send(
    new PutCommand({
      TableName: tableName(),
      Item: {
        ...linkKey(token),
        ...listedUnder(grant.scope, LINK_KIND),
        id,
        account: grant.scope.account,
        mode: grant.scope.mode,
        email: grant.email,
        role: grant.role,
        created: seconds(now),
        [TTL]: expires,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return { id, expires };
}

/**
 * Spends a link: what it grants, if it exists, has not expired and was not spent before; else
 * undefined (the same for a forged, an expired and a used link). Single use by one conditional
 * put: of two browsers that present the link at once, one wins.
 */
export async function spendConsoleLink(token: string, now: Date): Promise<ConsoleGrant | undefined> {
  const key = linkKey(token);
  const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  if (!Item || Item.used !== undefined || Item.canceled !== undefined || Item[TTL] <= seconds(now)) return undefined;
  const spent = await writeUnlessConditionFails(
    new PutCommand({
      TableName: tableName(),
      Item: { ...Item, used: seconds(now) },
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(used) AND attribute_not_exists(canceled) AND #ttl > :now',
      ExpressionAttributeNames: { '#ttl': TTL },
      ExpressionAttributeValues: { ':now': seconds(now) },
    }),
  );
  return spent ? { scope: { account: Item.account, mode: Item.mode as Mode }, email: Item.email, role: Item.role } : undefined;
}

/** Opens a console session for `grant` under the cookie value `token`. */
export async function saveConsoleSession(token: string, id: string, grant: ConsoleGrant, now: Date): Promise<ConsoleSession> {
  const session: ConsoleSession = { ...grant, id, created: seconds(now), expires: seconds(now) + CONSOLE_SESSION_SECONDS };
  await dynamo().send(
    new PutCommand({
      TableName: tableName(),
      Item: {
        ...sessionKey(token),
        ...listedUnder(grant.scope, SESSION_KIND),
        id,
        account: grant.scope.account,
        mode: grant.scope.mode,
        email: grant.email,
        role: grant.role,
        created: session.created,
        [TTL]: session.expires,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return session;
}

/** The live console session a cookie value opens; undefined when unknown, ended or expired. */
export async function findConsoleSession(token: string, now: Date): Promise<ConsoleSession | undefined> {
  const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(), Key: sessionKey(token), ConsistentRead: true }));
  if (!Item || Item.ended !== undefined || Item[TTL] <= seconds(now)) return undefined;
  return {
    id: Item.id,
    scope: { account: Item.account, mode: Item.mode as Mode },
    email: Item.email,
    role: Item.role,
    created: Item.created,
    expires: Item[TTL],
  };
}

/** Ends a console session at once (a conditional put marks it ended); false when it was not live. */
export async function endConsoleSession(token: string, now: Date): Promise<boolean> {
  const key = sessionKey(token);
  const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  if (!Item || Item.ended !== undefined) return false;
  return writeUnlessConditionFails(
    new PutCommand({
      TableName: tableName(),
      Item: { ...Item, ended: seconds(now) },
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(ended)',
    }),
  );
}

/** At most this many live sessions and unused links an account has in a mode that the console lists and ends: each lasts hours at most. */
export const MAX_CONSOLE_ACCESS = 200;

const linkOf = (item: StoredItem): ConsoleLink => ({
  id: item.id,
  scope: { account: item.account, mode: item.mode as Mode },
  email: item.email,
  role: item.role,
  created: item.created,
  expires: item[TTL],
});

/** Pages one listing reads at most (of `MAX_CONSOLE_ACCESS` items each, live or not): a bound on one request's work. */
const MAX_LIST_PAGES = 100;

/**
 * The account's items of `kind` in the scope, newest first, still live at `now`: at most
 * `MAX_CONSOLE_ACCESS`, read page by page. DynamoDB applies a query's `Limit` before its filter,
 * so one page of the newest items may hold only used links and ended sessions (they stay until
 * their TTL): a single page would hide every older live session, which then could be neither
 * listed nor ended. The index lags writes by a moment; ending reads each item again.
 */
async function listed(scope: Scope, kind: typeof LINK_KIND | typeof SESSION_KIND, now: Date): Promise<StoredItem[]> {
  const live: StoredItem[] = [];
  let start: Record<string, unknown> | undefined;
  // The index holds keys (a lean index, schema.ts): each page's items are fetched, then tested here.
  const isLive = (item: StoredItem) =>
    item.used === undefined && item.canceled === undefined && item.ended === undefined && (item[TTL] as number) > seconds(now);
  for (let page = 0; page < MAX_LIST_PAGES && live.length < MAX_CONSOLE_ACCESS; page++) {
    const { items, next } = await pageOfPartition(byScope, listPartition(scope, kind), {
      after: start,
      limit: MAX_CONSOLE_ACCESS,
      newestFirst: true,
    });
    live.push(...items.filter(isLive));
    if (!next) break;
    start = next;
  }
  return live.slice(0, MAX_CONSOLE_ACCESS);
}

/**
 * Who may use the console of this account and mode now: its live console sessions and its sign-in
 * links not yet used, newest first (at most MAX_CONSOLE_ACCESS of each among the newest).
 */
export async function listConsoleAccess(scope: Scope, now: Date): Promise<{ sessions: ConsoleSession[]; links: ConsoleLink[] }> {
  const [sessions, links] = await Promise.all([listed(scope, SESSION_KIND, now), listed(scope, LINK_KIND, now)]);
  return {
    sessions: sessions.map(linkOf),
    links: links.map(linkOf),
  };
}

/** Which console access to end: one session (`cs_…`), one link (`cl_…`), or everything of one operator's address. */
export type ConsoleAccessTarget = { session: string } | { link: string } | { email: string };

/**
 * Ends console sessions and cancels unused sign-in links of the scope at once: each by a
 * conditional put of its own item (read again, consistently), so the next request with that
 * cookie, or that link, is refused. What was ended and canceled; none when nothing matched.
 */
export async function endConsoleAccess(
  scope: Scope,
  target: ConsoleAccessTarget,
  now: Date,
): Promise<{ sessions: ConsoleSession[]; links: ConsoleLink[] }> {
  const email = 'email' in target ? target.email.toLowerCase() : undefined;
  const chosen = (items: StoredItem[], id: string | undefined) =>
    items.filter((item) => (email !== undefined ? String(item.email).toLowerCase() === email : item.id === id));
  const [sessionItems, linkItems] = await Promise.all([listed(scope, SESSION_KIND, now), listed(scope, LINK_KIND, now)]);
  const end = async (listedItem: StoredItem, mark: 'ended' | 'canceled'): Promise<boolean> => {
    const { Item } = await dynamo().send(
      new GetCommand({ TableName: tableName(), Key: { pk: listedItem.pk, sk: listedItem.sk }, ConsistentRead: true }),
    );
    if (!Item || Item.account !== scope.account || Item.mode !== scope.mode) return false;
    return writeUnlessConditionFails(
      new PutCommand({
        TableName: tableName(),
        Item: { ...Item, [mark]: seconds(now) },
        ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(${mark}) AND attribute_not_exists(used)`,
      }),
    );
  };
  const sessions = chosen(sessionItems, 'session' in target ? target.session : undefined);
  const links = chosen(linkItems, 'link' in target ? target.link : undefined);
  const [sessionsEnded, linksCanceled] = await Promise.all([
    Promise.all(sessions.map((item) => end(item, 'ended'))),
    Promise.all(links.map((item) => end(item, 'canceled'))),
  ]);
  return { sessions: sessions.filter((_, i) => sessionsEnded[i]).map(linkOf), links: links.filter((_, i) => linksCanceled[i]).map(linkOf) };
}
