/**
 * `npm run keys -- create --mode test|live [--account acct_…] [--aws]`
 * `npm run keys -- revoke --key sk_… [--aws]`
 *
 * Creates a secret key and prints it once; only its hash is stored. Revoking deletes the hash;
 * functions that have the key cached accept it for up to a minute more. Without `--account` the
 * key belongs to a new account. Locally it writes to the running `npm start`'s DynamoDB Local
 * (or starts one on .verity/ for the moment); with `--aws` it writes to the table named by
 * VERITY_TABLE_NAME using the usual AWS credentials.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateSecretKey, hashSecretKey, newAccountId, secretKeyMode } from '../functions/domain/api-keys';
import type { Mode } from '../functions/domain/verification-session';
import { deleteApiKey, saveApiKey } from '../functions/store/api-keys';
import { ensureTable, isServing, localClient, startDynamoDbLocal, type LocalDynamo } from '../local/dynamodb';
import { configureLocalEnvironment } from '../local/runtime';

const usage = 'Usage: npm run keys -- create --mode test|live [--account acct_...] [--aws]\n       npm run keys -- revoke --key sk_... [--aws]';
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { mode: { type: 'string' }, account: { type: 'string' }, key: { type: 'string' }, aws: { type: 'boolean', default: false } },
});
const command = positionals[0];
if (
  !(command === 'create' && (values.mode === 'test' || values.mode === 'live')) &&
  !(command === 'revoke' && values.key !== undefined && secretKeyMode(values.key) !== undefined)
) {
  console.error(usage);
  process.exit(2);
}
if (values.account !== undefined && !/^acct_[0-9A-Za-z]{1,64}$/.test(values.account)) {
  console.error('--account must look like acct_ followed by letters and digits.');
  process.exit(2);
}

let dynamo: LocalDynamo | undefined;
if (!values.aws) {
  const dataDir = process.env.VERITY_DATA_DIR ?? '.verity';
  const endpointFile = join(dataDir, 'dynamodb-endpoint');
  // The running `npm start` owns the data directory; use its DynamoDB Local, or start one.
  const running = existsSync(endpointFile) ? readFileSync(endpointFile, 'utf8').trim() : undefined;
  dynamo =
    running && (await isServing(running))
      ? { endpoint: running, stop: async () => undefined }
      : await startDynamoDbLocal({ dataDir: join(dataDir, 'dynamodb') });
  const client = localClient(dynamo.endpoint);
  await ensureTable(client, 'verity');
  client.destroy();
  configureLocalEnvironment({ dynamoEndpoint: dynamo.endpoint, tableName: 'verity' });
} else if (!process.env.VERITY_TABLE_NAME) {
  console.error('--aws needs VERITY_TABLE_NAME (the stack prints it as an output).');
  process.exit(2);
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
}
