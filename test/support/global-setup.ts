import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureTable, localClient, startDynamoDbLocal, type DynamoConnection } from '../../local/dynamodb';

export const TEST_TABLE = 'verity-test';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamo: DynamoConnection;
    tableName: string;
    /** The local file store's folder for the run (uploads), removed at its end. */
    filesDir: string;
    /** The run's local key-encryption key (functions/store/key-encryption-key.ts), shared by every file and service. */
    masterKeyFile: string;
  }
}

/**
 * One DynamoDB Local for the run. It ends with the run however the run ends: stopped here, killed
 * by local/dynamodb.ts on exit, or on its own when vitest dies and its standard input closes.
 */
export default async function setup(project: TestProject) {
  const dynamo = await startDynamoDbLocal();
  try {
    const client = localClient(dynamo);
    await ensureTable(client, TEST_TABLE);
    client.destroy();
  } catch (error) {
    await dynamo.stop();
    throw error;
  }
  project.provide('dynamo', { endpoint: dynamo.endpoint, accessKeyId: dynamo.accessKeyId });
  project.provide('tableName', TEST_TABLE);
  const filesDir = mkdtempSync(join(tmpdir(), 'verity-test-files-'));
  project.provide('filesDir', filesDir);
  const keysDir = mkdtempSync(join(tmpdir(), 'verity-test-keys-'));
  project.provide('masterKeyFile', join(keysDir, 'master.key'));
  return async () => {
    await dynamo.stop();
    rmSync(filesDir, { recursive: true, force: true });
    rmSync(keysDir, { recursive: true, force: true });
  };
}
