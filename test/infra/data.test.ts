/**
 * The synthesized table must be exactly the table functions/store/schema.ts describes, the same
 * table local/dynamodb.ts creates for the local runtime. Every expectation is derived from the
 * schema, so adding an index there is covered here without touching this file.
 */
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { keyTableSchema } from '../../functions/store/key-schema';
import { allIndexes, indexMigration, tableSchema } from '../../functions/store/schema';
import { createTableInput } from '../../local/dynamodb';
import { VerityData, type VerityDataProps } from '../../lib/data';
import { INDEX_MIGRATION_STEP_CONTEXT } from '../../lib/index-migration';

const TABLE = 'AWS::DynamoDB::Table';

function synthData(props?: VerityDataProps, step?: number): Template {
  const stack = new Stack(new App(step === undefined ? {} : { context: { [INDEX_MIGRATION_STEP_CONTEXT]: step } }), 'Test');
  new VerityData(stack, 'Data', props);
  return Template.fromStack(stack);
}

/** The main table: the one with a stream (the key table beside it has none). */
function onlyTable(template: Template) {
  const tables = Object.values(template.findResources(TABLE));
  expect(tables).toHaveLength(2);
  const streamed = tables.filter((table) => table.Properties.StreamSpecification);
  expect(streamed).toHaveLength(1);
  return streamed[0]!;
}

/** The key table (functions/store/key-schema.ts). */
const keyTableOf = (template: Template) =>
  Object.values(template.findResources(TABLE)).find((table) => !table.Properties.StreamSpecification)!;

const keySchema = (partitionKey: string, sortKey: string) => [
  { AttributeName: partitionKey, KeyType: 'HASH' },
  { AttributeName: sortKey, KeyType: 'RANGE' },
];

const keyAttributes = [
  ...new Set([tableSchema.partitionKey, tableSchema.sortKey, ...allIndexes.flatMap((i) => [i.partitionKey, i.sortKey])]),
];

describe('VerityData', () => {
  const template = synthData();
  const properties = onlyTable(template).Properties;

  it('keys the table as the schema says', () => {
    expect(properties.KeySchema).toEqual(keySchema(tableSchema.partitionKey, tableSchema.sortKey));
  });

  it('defines every key attribute, table and index alike, as a string and nothing else', () => {
    const definitions = properties.AttributeDefinitions as { AttributeName: string; AttributeType: string }[];
    expect(definitions.map((d) => d.AttributeName).sort()).toEqual([...keyAttributes].sort());
    for (const definition of definitions) expect(definition.AttributeType).toBe('S');
  });

  it('has exactly the indexes of the schema, each with its keys; the lean ones project the filter digests alone', () => {
    const indexes = properties.GlobalSecondaryIndexes as { IndexName: string }[];
    expect(indexes.map((index) => index.IndexName).sort()).toEqual(allIndexes.map((index) => index.name).sort());
    for (const index of allIndexes) {
      expect(indexes.find((candidate) => candidate.IndexName === index.name)).toEqual({
        IndexName: index.name,
        KeySchema: keySchema(index.partitionKey, index.sortKey),
        Projection:
          index.projection === 'lean'
            ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...(index.projects ?? [])] }
            : { ProjectionType: 'ALL' },
      });
    }
  });

  it('keeps sealed values and every other large or personal attribute out of the lean indexes', () => {
    const leanIndexes = (properties.GlobalSecondaryIndexes as { IndexName: string; Projection: { NonKeyAttributes?: string[] } }[]).filter(
      (index) => index.IndexName.endsWith('_v2'),
    );
    expect(leanIndexes).toHaveLength(7);
    for (const index of leanIndexes) {
      // Digests of filter values (`*_key`) and a report id: nothing sealed, no clear copy of a session, event, report or response.
      for (const attribute of index.Projection.NonKeyAttributes ?? []) expect(attribute).toMatch(/_key$|^verification_report$/);
    }
  });

  it('streams the images the outbox publisher needs', () => {
    expect(properties.StreamSpecification).toEqual({ StreamViewType: tableSchema.stream });
  });

  it('expires items through the TTL attribute of the schema', () => {
    expect(properties.TimeToLiveSpecification).toEqual({
      AttributeName: tableSchema.timeToLiveAttribute,
      Enabled: true,
    });
  });

  it('bills on demand', () => {
    expect(properties.BillingMode).toBe('PAY_PER_REQUEST');
  });

  it('keeps point-in-time recovery and deletion protection on by default', () => {
    expect(properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(properties.DeletionProtectionEnabled).toBe(true);
  });

  it('encrypts with its own customer-managed key, rotated yearly and retained with the table', () => {
    const keys = template.findResources('AWS::KMS::Key');
    const [keyId, key] = Object.entries(keys)[0]!;
    expect(Object.keys(keys)).toHaveLength(1);
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
    expect(properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  });

  it('retains the table when it leaves the stack by default', () => {
    template.hasResource(TABLE, { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('lets both safeguards be turned off', () => {
    const overridden = synthData({ removalPolicy: RemovalPolicy.DESTROY, deletionProtection: false });
    overridden.hasResource(TABLE, { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    overridden.hasResourceProperties(TABLE, { DeletionProtectionEnabled: false });
  });

  it(
    'keeps session keys in a table of their own with no stream, no point-in-time recovery, no index and no TTL, protected and ' +
      'encrypted like the main table',
    () => {
      const keys = keyTableOf(template);
      expect(keys.Properties).toMatchObject({
        KeySchema: keySchema(keyTableSchema.partitionKey, keyTableSchema.sortKey),
        BillingMode: 'PAY_PER_REQUEST',
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      });
      for (const absent of ['StreamSpecification', 'GlobalSecondaryIndexes', 'TimeToLiveSpecification'])
        expect(keys.Properties[absent], absent).toBeUndefined();
      expect(keys).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      // The secret the key-encryption key is derived from: generated, encrypted with the stack key, retained.
      template.hasResource('AWS::SecretsManager::Secret', {
        DeletionPolicy: 'Retain',
        Properties: { GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true } },
      });
      expect(Object.keys(template.findResources('AWS::SecretsManager::RotationSchedule'))).toEqual([]);
    },
  );

  it('builds the same table as the local bootstrap', () => {
    const local = createTableInput('verity');
    const byName = <T extends { AttributeName?: string }>(items: T[] = []) =>
      [...items].sort((a, b) => (a.AttributeName ?? '').localeCompare(b.AttributeName ?? ''));
    expect(properties.KeySchema).toEqual(local.KeySchema);
    expect(byName(properties.AttributeDefinitions)).toEqual(byName(local.AttributeDefinitions));
    expect(properties.GlobalSecondaryIndexes).toEqual(local.GlobalSecondaryIndexes);
    expect(properties.StreamSpecification.StreamViewType).toBe(local.StreamSpecification?.StreamViewType);
    expect(properties.BillingMode).toBe(local.BillingMode);
  });
});

/**
 * The index migration (docs/reference/index-migration.md): each release step synthesized as a deployment would with
 * `-c verity:indexMigrationStep=<n>`. CloudFormation refuses an update that adds or deletes more than one global secondary
 * index, and a projection cannot change in place.
 */
describe('the index migration, step by step', () => {
  type Index = { IndexName: string; KeySchema: unknown; Projection: unknown };
  const steps = Array.from({ length: indexMigration.last + 1 }, (_, step) => {
    const indexes = onlyTable(synthData(undefined, step)).Properties.GlobalSecondaryIndexes as Index[];
    return new Map(indexes.map((index) => [index.IndexName, JSON.stringify(index)]));
  });

  it("starts from the indexes as they were (every attribute projected) and ends at the schema's", () => {
    expect([...steps[0]!.keys()].sort()).toEqual(
      allIndexes.map((index) => (index.projection === 'lean' ? index.replaces! : index.name)).sort(),
    );
    for (const index of steps[0]!.values()) expect(JSON.parse(index).Projection).toEqual({ ProjectionType: 'ALL' });
    expect(steps[indexMigration.last]).toEqual(new Map(properties().map((index) => [index.IndexName, JSON.stringify(index)])));
  });

  it('adds or deletes at most one index between consecutive steps, and changes none in place', () => {
    for (let step = 1; step < steps.length; step++) {
      const [before, after] = [steps[step - 1]!, steps[step]!];
      const added = [...after.keys()].filter((name) => !before.has(name));
      const deleted = [...before.keys()].filter((name) => !after.has(name));
      expect(added.length + deleted.length, `step ${step}: +${added} -${deleted}`).toBeLessThanOrEqual(1);
      for (const [name, index] of after) if (before.has(name)) expect(index, `step ${step}: ${name}`).toBe(before.get(name));
    }
  });

  it('keeps, at every step, each list index readable: the old one until the read switch, the lean one from it on', () => {
    for (const [step, indexes] of steps.entries()) {
      for (const index of allIndexes.filter((candidate) => candidate.projection === 'lean')) {
        const read = step < indexMigration.readSwitch ? index.replaces! : index.name;
        expect(indexes.has(read), `step ${step} reads ${read}`).toBe(true);
      }
    }
    // The lean index was added (and backfilled: CloudFormation waits for ACTIVE) by an earlier step than the one switching to it.
    expect(steps[indexMigration.readSwitch - 1]).toEqual(steps[indexMigration.readSwitch]);
  });

  it('refuses a step outside the plan', () => {
    expect(() => synthData(undefined, indexMigration.last + 1)).toThrow(/index migration step/);
  });

  function properties(): Index[] {
    return onlyTable(synthData()).Properties.GlobalSecondaryIndexes as Index[];
  }
});
