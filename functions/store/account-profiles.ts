/**
 * Account profiles (functions/domain/account-profile.ts) in the table: one item per account,
 * shared by both modes (`account_profile#<account>`), and the logo's bytes as an item of their
 * own (`account_logo#<logo id>`), so the page reads a small item on every view and the image
 * only when a browser does not have it yet. A profile and its logo change in one transaction.
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { updatedProfile, type AccountProfile, type ProfileUpdate } from '../domain/account-profile';
import { VerityError } from '../domain/errors';
import { logoId, type LogoImage } from '../domain/logo-image';
import { dynamo } from './client';
import { accountLogoKey, accountProfileKey, tableName } from './schema';
import { cancellationReasons, deleteItem, type TransactItem } from './transaction-items';

/** A logo as the logo route serves it. */
export interface StoredLogo {
  content_type: LogoImage['content_type'];
  data: Uint8Array;
}

interface StoredProfile {
  profile: AccountProfile;
  /** Counts the profile's changes; each change is conditional on the one it read. */
  revision: number;
}

const PROFILE_FIELDS = [
  'name',
  'support_email',
  'support_url',
  'primary_color',
  'privacy_policy_url',
  'default_locale',
  'logo',
  'embedding_origins',
] as const;

async function readProfile(account: string, consistent: boolean): Promise<StoredProfile | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: accountProfileKey(account), ConsistentRead: consistent }),
  );
  if (!Item) return undefined;
  const profile: AccountProfile = {};
  for (const field of PROFILE_FIELDS) if (Item[field] !== undefined) profile[field] = Item[field];
  return { profile, revision: Item.revision as number };
}

/** An account's profile, or undefined when it has none: one GetItem (eventually consistent). */
export async function findAccountProfile(account: string): Promise<AccountProfile | undefined> {
  return (await readProfile(account, false))?.profile;
}

/** A logo by its id, or undefined: one GetItem. */
export async function findAccountLogo(id: string): Promise<StoredLogo | undefined> {
  const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(), Key: accountLogoKey(id) }));
  return Item ? { content_type: Item.content_type as StoredLogo['content_type'], data: Item.data as Uint8Array } : undefined;
}

const changedMeanwhile = () =>
  new VerityError('conflict', null, 'The profile was changed by someone else at the same time. Run the command again.');

/**
 * Applies `update` to the account's profile (validated by the domain, which throws its
 * `invalid_parameter` errors) and returns the profile as stored: one read and one
 * TransactWriteItems that writes the profile, stores a new logo and deletes the one it replaces.
 * A profile left with no field is deleted. Returns the profile before and after. Throws a
 * `conflict` VerityError when another change came in between.
 */
export async function updateAccountProfile(
  account: string,
  update: ProfileUpdate,
  now: Date,
): Promise<{ previous: AccountProfile | undefined; profile: AccountProfile }> {
  const stored = await readProfile(account, true);
  const next = updatedProfile(stored?.profile ?? {}, update, ({ content_type, width, height, data }) => ({
    id: logoId(account, data),
    content_type,
    width,
    height,
  }));
  const profileKey = accountProfileKey(account);
  const sameRevision = stored
    ? { ConditionExpression: 'revision = :revision', ExpressionAttributeValues: { ':revision': stored.revision } }
    : { ConditionExpression: 'attribute_not_exists(pk)' };
  const empty = Object.keys(next).length === 0;
  if (empty && !stored) return { previous: undefined, profile: next };
  const items: TransactItem[] = [
    empty
      ? { Delete: { TableName: tableName(), Key: profileKey, ...sameRevision } }
      : {
          Put: {
            TableName: tableName(),
            Item: { ...profileKey, account, ...next, revision: (stored?.revision ?? 0) + 1, updated: Math.floor(now.getTime() / 1000) },
            ...sameRevision,
          },
        },
  ];
  const previousLogo = stored?.profile.logo?.id;
  if (next.logo && next.logo.id !== previousLogo && update.logo) {
    items.push({
      Put: {
        TableName: tableName(),
        Item: { ...accountLogoKey(next.logo.id), account, content_type: update.logo.content_type, data: update.logo.data },
      },
    });
  }
  if (previousLogo && previousLogo !== next.logo?.id) items.push(deleteItem(accountLogoKey(previousLogo)));
  try {
    await dynamo().send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    if (cancellationReasons(error)?.some((reason) => reason.code === 'ConditionalCheckFailed' || reason.code === 'TransactionConflict'))
      throw changedMeanwhile();
    throw error;
  }
  return { previous: stored?.profile, profile: next };
}

/** The update that removes every field: the profile's item and its logo are deleted. */
export const CLEAR_PROFILE = Object.fromEntries(PROFILE_FIELDS.map((field) => [field, null])) as ProfileUpdate;
