/** Account profiles against DynamoDB Local: a round trip, partial changes, the logo's own item, and a change that raced another. */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { newAccountId } from '../../../functions/domain/api-keys';
import { logoId, readLogoImage } from '../../../functions/domain/logo-image';
import { CLEAR_PROFILE, findAccountLogo, findAccountProfile, updateAccountProfile } from '../../../functions/store/account-profiles';
import { dynamo } from '../../../functions/store/client';
import { accountLogoKey, accountProfileKey, tableName } from '../../../functions/store/schema';
import { pngImage } from '../../support/images';

const now = new Date();
const itemOf = async (key: Record<string, unknown>) =>
  (await dynamo().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }))).Item;

describe('account profiles', () => {
  it('stores a profile for the account, both modes, and reads it back normalized', async () => {
    const account = newAccountId();
    const logo = readLogoImage(pngImage(64, 32));
    const { previous, profile } = await updateAccountProfile(
      account,
      {
        name: ' Northwind ',
        primary_color: '#0F766E',
        support_email: 'Help@Northwind.Example',
        support_url: 'https://northwind.example',
        logo,
      },
      now,
    );
    expect(previous).toBeUndefined();
    const id = logoId(account, logo.data);
    expect(profile).toEqual({
      name: 'Northwind',
      primary_color: '#0f766e',
      support_email: 'Help@northwind.example',
      support_url: 'https://northwind.example/',
      logo: { id, content_type: 'image/png', width: 64, height: 32 },
    });
    expect(await findAccountProfile(account)).toEqual(profile);
    expect(await itemOf(accountProfileKey(account))).toMatchObject({
      pk: `account_profile#${account}`,
      sk: 'account_profile',
      account,
      revision: 1,
    });
    // The bytes are an item of their own, served by id.
    const stored = await findAccountLogo(id);
    expect(stored?.content_type).toBe('image/png');
    expect(Buffer.from(stored!.data).equals(logo.data)).toBe(true);
    expect(await findAccountProfile(newAccountId())).toBeUndefined();
  });

  it('changes only the fields given, replaces a logo by deleting the old one, and removes fields set to null', async () => {
    const account = newAccountId();
    const first = readLogoImage(pngImage(10, 10));
    const second = readLogoImage(pngImage(20, 10));
    await updateAccountProfile(account, { name: 'Northwind', support_email: 'help@northwind.example', logo: first }, now);
    const { profile } = await updateAccountProfile(account, { support_email: null, primary_color: '#123', logo: second }, now);
    expect(profile).toEqual({
      name: 'Northwind',
      primary_color: '#112233',
      logo: expect.objectContaining({ id: logoId(account, second.data), width: 20 }),
    });
    expect(await findAccountLogo(logoId(account, first.data))).toBeUndefined();
    expect(await findAccountLogo(logoId(account, second.data))).toBeDefined();
    expect((await itemOf(accountProfileKey(account)))!.revision).toBe(2);
  });

  it('validates before it writes anything', async () => {
    const account = newAccountId();
    await expect(updateAccountProfile(account, { name: 'Fine', primary_color: 'red;}' }, now)).rejects.toMatchObject({
      param: 'primary_color',
    });
    expect(await itemOf(accountProfileKey(account))).toBeUndefined();
  });

  it('clears a profile: its item and its logo are deleted', async () => {
    const account = newAccountId();
    const logo = readLogoImage(pngImage(10, 10));
    await updateAccountProfile(account, { name: 'Northwind', logo }, now);
    const { previous, profile } = await updateAccountProfile(account, CLEAR_PROFILE, now);
    expect(previous?.name).toBe('Northwind');
    expect(profile).toEqual({});
    expect(await itemOf(accountProfileKey(account))).toBeUndefined();
    expect(await itemOf(accountLogoKey(logoId(account, logo.data)))).toBeUndefined();
    expect((await updateAccountProfile(account, CLEAR_PROFILE, now)).previous).toBeUndefined();
  });

  it('refuses a change that another made in between, and keeps the other one', async () => {
    const account = newAccountId();
    await updateAccountProfile(account, { name: 'First' }, now);
    // Another change lands between this one's read and its write: the revision moves on.
    const send = dynamo().send.bind(dynamo());
    let raced = false;
    const client = dynamo() as unknown as { send: (command: { constructor: { name: string } }) => Promise<unknown> };
    client.send = async (command) => {
      if (!raced && command.constructor.name === 'TransactWriteCommand') {
        raced = true;
        await send(
          new PutCommand({ TableName: tableName(), Item: { ...accountProfileKey(account), account, name: 'Other', revision: 2 } }),
        );
      }
      return send(command as never);
    };
    try {
      await expect(updateAccountProfile(account, { name: 'Mine' }, now)).rejects.toMatchObject({ kind: 'conflict' });
    } finally {
      client.send = send as never;
    }
    expect((await findAccountProfile(account))?.name).toBe('Other');
  });
});
