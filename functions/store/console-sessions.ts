/**
 * The operators' console (functions/console/): one-time sign-in links and the console sessions
 * they open. Nothing secret is stored in clear: a link's token and a session's cookie are stored
 * only as keyed digests (HMAC-SHA-256 under the signing secret), so a copy of the table opens
 * nothing. Only GetItem and PutItem: a link is spent, and a session ended, by a conditional put
 * of the same item, so the console's functions need no UpdateItem or DeleteItem on the table.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createHmac } from 'node:crypto';
import type { Mode, Scope } from '../domain/verification-session';
import { signingSecret } from '../wire/session-secrets';
import { dynamo, writeUnlessConditionFails } from './client';
import { consoleLinkPartitionPrefix, consoleSessionPartitionPrefix, tableName, tableSchema } from './schema';

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

export interface ConsoleSession extends ConsoleGrant {
  /** `cs_…`: names the session in the audit log (the cookie's value never is). */
  id: string;
  /** Epoch seconds. */
  created: number;
  expires: number;
}

const LINK_KIND = 'console_link';
const SESSION_KIND = 'console_session';

/** The keyed digest a token is stored under: labelled, so it can never equal another use of the secret. */
const digestOf = (label: string, token: string) => createHmac('sha256', signingSecret()).update(`${label}:${token}`).digest('base64url');
const linkKey = (token: string) => ({ pk: `${consoleLinkPartitionPrefix}${digestOf(LINK_KIND, token)}`, sk: LINK_KIND });
const sessionKey = (token: string) => ({ pk: `${consoleSessionPartitionPrefix}${digestOf(SESSION_KIND, token)}`, sk: SESSION_KIND });
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
const TTL = tableSchema.timeToLiveAttribute;

/** Stores a new link's digest with what it grants, valid CONSOLE_LINK_SECONDS from `now`. */
export async function saveConsoleLink(token: string, grant: ConsoleGrant, now: Date): Promise<{ expires: number }> {
  const expires = seconds(now) + CONSOLE_LINK_SECONDS;
  await dynamo().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...linkKey(token), account: grant.scope.account, mode: grant.scope.mode, email: grant.email, role: grant.role, created: seconds(now), [TTL]: expires },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return { expires };
}

/**
 * Spends a link: what it grants, if it exists, has not expired and was not spent before; else
 * undefined (the same for a forged, an expired and a used link). Single use by one conditional
 * put: of two browsers that present the link at once, one wins.
 */
export async function spendConsoleLink(token: string, now: Date): Promise<ConsoleGrant | undefined> {
  const key = linkKey(token);
  const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  if (!Item || Item.used !== undefined || Item[TTL] <= seconds(now)) return undefined;
  const spent = await writeUnlessConditionFails(
    new PutCommand({
      TableName: tableName(),
      Item: { ...Item, used: seconds(now) },
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(used) AND #ttl > :now',
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
      Item: { ...sessionKey(token), id, account: grant.scope.account, mode: grant.scope.mode, email: grant.email, role: grant.role, created: session.created, [TTL]: session.expires },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return session;
}

/** The live console session a cookie value opens; undefined when unknown, ended or expired. */
export async function findConsoleSession(token: string, now: Date): Promise<ConsoleSession | undefined> {
  const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(), Key: sessionKey(token), ConsistentRead: true }));
  if (!Item || Item.ended !== undefined || Item[TTL] <= seconds(now)) return undefined;
  return { id: Item.id, scope: { account: Item.account, mode: Item.mode as Mode }, email: Item.email, role: Item.role, created: Item.created, expires: Item[TTL] };
}

/** Ends a console session at once (a conditional put marks it ended); false when it was not live. */
export async function endConsoleSession(token: string, now: Date): Promise<boolean> {
  const key = sessionKey(token);
  const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  if (!Item || Item.ended !== undefined) return false;
  return writeUnlessConditionFails(
    new PutCommand({ TableName: tableName(), Item: { ...Item, ended: seconds(now) }, ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(ended)' }),
  );
}
