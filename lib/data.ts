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
import { Construct } from 'constructs';
import { allIndexes, tableSchema } from '../functions/store/schema';

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
    for (const index of allIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: stringKey(index.partitionKey),
        sortKey: stringKey(index.sortKey),
        projectionType: ProjectionType.ALL,
      });
    }
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
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` } },
    }),
  );
}
