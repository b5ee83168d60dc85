/**
 * The whole service on one machine: DynamoDB Local, the table, a secret key, and the HTTP API
 * serving the route table's handler modules. `npm start` and the end-to-end tests both use it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSecretKey, hashSecretKey, newAccountId, secretKeyMode } from '../functions/domain/api-keys';
import { saveApiKey } from '../functions/store/api-keys';
import { startLocalApi } from './api-gateway';
import { ensureTable, localClient, startDynamoDbLocal, type LocalDynamo } from './dynamodb';

export interface LocalRuntimeOptions {
  port?: number;
  host?: string;
  /** Where data persists; undefined keeps everything in memory. */
  dataDir?: string;
  /** A `sk_test_…`/`sk_live_…` key to register and use instead of a new one. */
  secretKey?: string;
  /** Use an already running DynamoDB (Local) instead of starting one. */
  dynamoEndpoint?: string;
  tableName?: string;
}

export interface LocalRuntime {
  url: string;
  secretKey: string;
  account: string;
  dynamoEndpoint: string;
  stop(): Promise<void>;
}

/** Points the handler modules at local services through the same variables they read in AWS. */
export function configureLocalEnvironment(settings: { dynamoEndpoint: string; tableName: string; signingSecret?: string; publicUrl?: string }) {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: settings.dynamoEndpoint,
    AWS_REGION: process.env.AWS_REGION ?? 'local',
    // DynamoDB Local accepts any credentials made of letters and digits; these never reach AWS.
    AWS_ACCESS_KEY_ID: 'verity',
    AWS_SECRET_ACCESS_KEY: 'verity',
    VERITY_TABLE_NAME: settings.tableName,
    ...(settings.signingSecret ? { VERITY_SIGNING_SECRET: settings.signingSecret } : {}),
    ...(settings.publicUrl ? { VERITY_PUBLIC_URL: settings.publicUrl } : {}),
  });
}

export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  if (options.secretKey !== undefined && !secretKeyMode(options.secretKey)) {
    throw new Error('VERITY_SECRET_KEY must look like sk_test_… or sk_live_… (letters and digits after the prefix).');
  }
  const tableName = options.tableName ?? 'verity';
  const dynamo: LocalDynamo = options.dynamoEndpoint
    ? { endpoint: options.dynamoEndpoint, stop: async () => undefined }
    : await startDynamoDbLocal({ dataDir: options.dataDir && join(options.dataDir, 'dynamodb') });
  try {
    const client = localClient(dynamo.endpoint);
    await ensureTable(client, tableName);
    client.destroy();

    const api = await startLocalApi({ port: options.port, host: options.host });
    configureLocalEnvironment({
      dynamoEndpoint: dynamo.endpoint,
      tableName,
      signingSecret: process.env.VERITY_SIGNING_SECRET ?? persisted(options.dataDir, 'signing-secret', () => randomBytes(32).toString('base64url')),
      publicUrl: process.env.VERITY_PUBLIC_URL ?? api.url,
    });

    const secretKey = options.secretKey ?? generateSecretKey('test');
    // A new key each start, for the same local account, so nothing secret is written to disk.
    const account = persisted(options.dataDir, 'account', newAccountId);
    const scope = await saveApiKey(hashSecretKey(secretKey), { account, mode: secretKeyMode(secretKey)! }, new Date());
    const endpointFile = options.dataDir && join(options.dataDir, 'dynamodb-endpoint');
    if (endpointFile) writeFileSync(endpointFile, dynamo.endpoint);

    return {
      url: api.url,
      secretKey,
      account: scope.account,
      dynamoEndpoint: dynamo.endpoint,
      stop: async () => {
        if (endpointFile) rmSync(endpointFile, { force: true });
        await api.close();
        await dynamo.stop();
      },
    };
  } catch (error) {
    await dynamo.stop();
    throw error;
  }
}

/** A value kept under the data directory across starts (or made afresh when in memory). */
function persisted(dataDir: string | undefined, name: string, make: () => string): string {
  if (!dataDir) return make();
  const file = join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const value = make();
  writeFileSync(file, value, { mode: 0o600 });
  return value;
}
