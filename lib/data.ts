/**
 * The one DynamoDB table, built from functions/store/schema.ts: keys, indexes, stream and TTL
 * attribute come from there and nowhere else, so the deployed table and the one the local
 * bootstrap creates cannot drift apart. Encrypted with a customer-managed key: identity data is
 * the most sensitive data a business holds, and a key can be revoked.
 */
import { Aws, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { KEY_ENCRYPTION_SECRET_ENV } from '../functions/store/key-encryption-key';
import { keyTableSchema } from '../functions/store/key-schema';
import { indexesAtStep, tableSchema } from '../functions/store/schema';
import { indexMigrationStep } from './index-migration';
import type { VerityFunction } from './verity-function';
import { objectPartitionPatterns } from './api';
import type { SessionKeyUse } from '../functions/store/key-grants';

export interface VerityDataProps {
  /** What happens to the table and its key when they leave the stack. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Whether DynamoDB refuses to delete the table. @default true */
  readonly deletionProtection?: boolean;
}

/** Every key attribute, table and index alike, is a string. */
const stringKey = (name: string) => ({ name, type: AttributeType.STRING });

export class VerityData extends Construct {
  /** The table holding sessions and API key hashes. */
  readonly table: Table;
  /** Encrypts the table, the functions' environment and logs, the event bus, the queues and the signing secret. */
  readonly key: Key;
  /**
   * The key table (functions/store/key-schema.ts): each session's data key, wrapped under the
   * key-encryption key. No stream and no point-in-time recovery, so a key redaction destroys has
   * no copy anywhere; losing this table loses every session's personal data, so it has deletion
   * protection and the table's removal policy.
   */
  readonly keyTable: Table;
  /**
   * The secret the key-encryption key is derived from (functions/store/key-encryption-key.ts):
   * 64 random characters CloudFormation generates, encrypted with `key`. Never rotated: the data
   * keys are wrapped under it.
   */
  readonly keyEncryptionSecret: Secret;

  constructor(scope: Construct, id: string, props: VerityDataProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.key = new Key(this, 'Key', {
      description: 'Verity: encrypts identity data at rest; disabling it makes the data unreadable',
      enableKeyRotation: true,
      removalPolicy,
    });
    // AWS Control Tower's CT.KMS.PR.3: grants on this key may only be made for an AWS resource
    // (a table, a function's environment) or by an AWS service, never handed to a principal directly.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'GrantsOnlyForAwsResources',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      }),
    );
    allowLogsToUseKey(this.key);
    // Table rather than TableV2: TableV2 cannot use a customer-managed key in a region-agnostic
    // stack, and Verity's stack deploys to whichever region the user's credentials name.
    this.table = new Table(this, 'Table', {
      partitionKey: stringKey(tableSchema.partitionKey),
      sortKey: stringKey(tableSchema.sortKey),
      stream: StreamViewType[tableSchema.stream],
      timeToLiveAttribute: tableSchema.timeToLiveAttribute,
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy,
    });
    // The indexes at this release's step of the index migration (context `verity:indexMigrationStep`, the last step when unset).
    for (const index of indexesAtStep(indexMigrationStep(this)).indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: stringKey(index.partitionKey),
        sortKey: stringKey(index.sortKey),
        ...(index.projected === 'ALL'
          ? { projectionType: ProjectionType.ALL }
          : { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: index.projected }),
      });
    }
    this.keyTable = new Table(this, 'KeyTable', {
      partitionKey: stringKey(keyTableSchema.partitionKey),
      sortKey: stringKey(keyTableSchema.sortKey),
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      // No stream, and no point-in-time recovery: both would keep a destroyed key (docs/reference/redaction.md).
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: false },
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy,
    });
    const noBackups =
      "Crypto-shredding: redaction destroys a session's data key in this table, and a point-in-time backup would bring the key back, and " +
      "with it every copy of the person's data in the main table's stream and backups. " +
      'The table has deletion protection, is encrypted with the stack key, no function may delete an item, and only redaction overwrites ' +
      'a key.';
    Validations.of(this.keyTable).acknowledge(
      { id: 'AwsSolutions::AwsSolutions-DDB3', reason: noBackups },
      { id: 'cdk-validator-cfnguard::dynamodb_table_pitr_enabled_check', reason: noBackups },
    );
    this.keyEncryptionSecret = new Secret(this, 'KeyEncryptionSecret', {
      description:
        "Verity: the key-encryption key that wraps every session's data key is derived from it; losing it loses every session's personal " +
        'data',
      encryptionKey: this.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy,
    });
    Validations.of(this.keyEncryptionSecret).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SMG4',
      reason:
        "Every session's data key is wrapped under the key derived from this secret: a rotation would make every session's personal data " +
        'unreadable. ' +
        'It is 64 random characters encrypted with the stack key; only the functions that read or write sessions may read it, once per ' +
        'container.',
    });
  }

  /**
   * Lets a function use session keys (functions/store/key-grants.ts): `open` reads them (GetItem,
   * BatchGetItem on the key table) and the key-encryption secret (once per container); `make` and
   * `shred` also put them (a new session's, in its transaction; redaction's tombstone). Only on
   * the key items' own partitions, a session's (`dynamodb:LeadingKeys`). No function may delete a key item.
   */
  grantSessionKeys(fn: VerityFunction, use: SessionKeyUse): void {
    fn.function.addEnvironment('VERITY_KEY_TABLE_NAME', this.keyTable.tableName);
    fn.function.addEnvironment(KEY_ENCRYPTION_SECRET_ENV, this.keyEncryptionSecret.secretArn);
    fn.role.addToPolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', ...(use === 'open' ? [] : ['dynamodb:PutItem'])],
        resources: [this.keyTable.tableArn],
        // Every key item is under its session's partition key (functions/store/key-schema.ts).
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': objectPartitionPatterns(['vs']) } },
      }),
    );
    fn.role.addToPolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.keyEncryptionSecret.secretArn] }),
    );
    // Secrets Manager decrypts the secret with the stack key on the caller's behalf.
    fn.role.addToPolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Aws.REGION}.amazonaws.com` } },
      }),
    );
  }
}

/**
 * Lets an AWS service (EventBridge, CloudWatch) encrypt with the key on this account's behalf:
 * what it needs to write to a resource encrypted with it.
 */
export function allowServiceToUseKey(key: Key, service: string): void {
  key.addToResourcePolicy(
    new PolicyStatement({
      principals: [new ServicePrincipal(service)],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(key).account } },
    }),
  );
}

/**
 * Lets CloudWatch Logs encrypt and read this account's log groups in this region with the key:
 * every Verity log group is encrypted with it (AWS Control Tower's CT.CLOUDWATCH.PR.3). The
 * actions are those AWS documents for a log group's key, each named rather than by wildcard.
 */
function allowLogsToUseKey(key: Key): void {
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'CloudWatchLogsOfThisAccount',
      principals: [new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
      actions: [
        'kms:Encrypt',
        'kms:Decrypt',
        'kms:ReEncryptFrom',
        'kms:ReEncryptTo',
        'kms:GenerateDataKey',
        'kms:GenerateDataKeyWithoutPlaintext',
        'kms:DescribeKey',
      ],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` },
      },
    }),
  );
}
