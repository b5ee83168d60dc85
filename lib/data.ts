/**
 * The one DynamoDB table, built from functions/store/schema.ts: keys, indexes, stream and TTL
 * attribute come from there and nowhere else, so the deployed table and the one the local
 * bootstrap creates cannot drift apart.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, StreamViewType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { allIndexes, tableSchema } from '../functions/store/schema';

export interface VerityDataProps {
  /** What happens to the table when it leaves the stack. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Whether DynamoDB refuses to delete the table. @default true */
  readonly deletionProtection?: boolean;
}

/** Every key attribute, table and index alike, is a string. */
const stringKey = (name: string) => ({ name, type: AttributeType.STRING });

export class VerityData extends Construct {
  /** The table holding sessions and API key hashes. */
  readonly table: TableV2;

  constructor(scope: Construct, id: string, props: VerityDataProps = {}) {
    super(scope, id);
    this.table = new TableV2(this, 'Table', {
      partitionKey: stringKey(tableSchema.partitionKey),
      sortKey: stringKey(tableSchema.sortKey),
      globalSecondaryIndexes: allIndexes.map((index) => ({
        indexName: index.name,
        partitionKey: stringKey(index.partitionKey),
        sortKey: stringKey(index.sortKey),
        projectionType: ProjectionType.ALL,
      })),
      dynamoStream: StreamViewType[tableSchema.stream],
      timeToLiveAttribute: tableSchema.timeToLiveAttribute,
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }
}
