/** The local bootstrap brings a table made by an older version up to the schema. */
import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { allIndexes, tableSchema } from '../../../functions/store/schema';
import { createTableInput, ensureTable, localClient } from '../../../local/dynamodb';

describe('ensureTable', () => {
  it('adds the indexes an existing table lacks, and leaves the rest alone', async () => {
    const client = localClient(inject('dynamo'));
    const name = `old-table-${Date.now()}`;
    const older = createTableInput(name);
    older.GlobalSecondaryIndexes = older.GlobalSecondaryIndexes!.filter((index) => index.IndexName !== tableSchema.indexes.byType.name);
    older.AttributeDefinitions = older.AttributeDefinitions!.filter((attribute) => attribute.AttributeName !== 'type_key');
    await client.send(new CreateTableCommand(older));
    await ensureTable(client, name);
    await ensureTable(client, name);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    expect((Table!.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).sort()).toEqual(
      allIndexes.map((index) => index.name).sort(),
    );
    client.destroy();
  });
});
