import type { TestProject } from 'vitest/node';
import { ensureTable, localClient, startDynamoDbLocal } from '../../local/dynamodb';

export const TEST_TABLE = 'verity-test';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    tableName: string;
  }
}

export default async function setup(project: TestProject) {
  const dynamo = await startDynamoDbLocal();
  const client = localClient(dynamo.endpoint);
  await ensureTable(client, TEST_TABLE);
  client.destroy();
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('tableName', TEST_TABLE);
  return () => dynamo.stop();
}
