/**
 * `npm run keys -- create|revoke …`: secret keys, printed once, stored only as hashes (see USAGE).
 */
import { resolve } from 'node:path';
import { generateSecretKey, hashSecretKey, newAccountId, secretKeyMode } from '../functions/domain/api-keys';
import type { Mode } from '../functions/domain/verification-session';
import { deleteApiKey, saveApiKey } from '../functions/store/api-keys';
import { parseCommandLine, runCommand, usageError } from '../local/cli';
import { lockDataDir, makePrivate } from '../local/data-dir';
import { ensureTable, isServing, localClient, startDynamoDbLocal, type LocalDynamo } from '../local/dynamodb';
import { configureLocalEnvironment, runningDynamo } from '../local/runtime';

const COMMAND = 'npm run keys';
const USAGE = `Usage: npm run keys -- create --mode test|live [--account acct_...] [--aws]
       npm run keys -- revoke --key sk_... [--aws]

  create   makes a secret key and prints it once (only its hash is stored); without --account
           the key belongs to a new account
  revoke   deletes a key's hash; functions that have the key cached accept it up to a minute more

Locally the key is written through the running npm start's DynamoDB Local (VERITY_DATA_DIR,
default .verity), or through one started for the moment if none runs. With --aws it is written
to the table named by VERITY_TABLE_NAME, with the usual AWS credentials and region.`;

const { positionals, values } = parseCommandLine({
  name: COMMAND,
  usage: USAGE,
  config: {
    allowPositionals: true,
    options: { mode: { type: 'string' }, account: { type: 'string' }, key: { type: 'string' }, aws: { type: 'boolean', default: false } },
  },
});
const fail: (message: string) => never = (message) => usageError({ name: COMMAND }, message);
const [command, ...extra] = positionals;
if (command === undefined) fail('say what to do: create or revoke');
if (extra.length > 0) fail(`unexpected argument "${extra[0]}"`);
if (command === 'create') {
  if (values.mode === undefined) fail('create needs --mode test or --mode live');
  if (values.mode !== 'test' && values.mode !== 'live') fail(`--mode must be test or live, not "${values.mode}"`);
  if (values.key !== undefined) fail('--key is for revoke, not create');
  if (values.account !== undefined && !/^acct_[0-9A-Za-z]{1,64}$/.test(values.account)) fail('--account must look like acct_ followed by letters and digits');
} else if (command === 'revoke') {
  if (values.key === undefined) fail('revoke needs --key sk_...');
  if (secretKeyMode(values.key) === undefined) fail('--key must be a secret key: sk_test_... or sk_live_...');
  if (values.mode !== undefined || values.account !== undefined) fail('revoke takes only --key (and --aws)');
} else {
  fail(`unknown command "${command}": use create or revoke`);
}
if (values.aws && !process.env.VERITY_TABLE_NAME) fail('--aws needs VERITY_TABLE_NAME (the stack prints it as an output)');

await runCommand(COMMAND, async () => {
  let dynamo: LocalDynamo | undefined;
  let release = () => undefined as void;
  if (!values.aws) {
    const dataDir = resolve(process.env.VERITY_DATA_DIR || '.verity');
    // The running `npm start` holds the data folder; use its DynamoDB Local, or hold the folder
    // and start one for the moment.
    const running = runningDynamo(dataDir);
    if (running && (await isServing(running))) {
      dynamo = { ...running, stop: async () => undefined };
    } else {
      release = lockDataDir(dataDir).release;
      makePrivate(dataDir);
      dynamo = await startDynamoDbLocal({ dataDir: resolve(dataDir, 'dynamodb') });
    }
    const client = localClient(dynamo);
    await ensureTable(client, 'verity');
    client.destroy();
    configureLocalEnvironment({ dynamo, tableName: 'verity' });
  }
  try {
    if (command === 'revoke') {
      const revoked = await deleteApiKey(hashSecretKey(values.key!));
      console.log(revoked ? 'Revoked.' : 'No such key.');
      process.exitCode = revoked ? 0 : 1;
    } else {
      const mode = values.mode as Mode;
      const secretKey = generateSecretKey(mode);
      const scope = await saveApiKey(hashSecretKey(secretKey), { account: values.account ?? newAccountId(), mode }, new Date());
      console.log(`Account: ${scope.account}`);
      console.log(`Secret key (${mode} mode, shown only now): ${secretKey}`);
    }
  } finally {
    await dynamo?.stop();
    release();
  }
});
