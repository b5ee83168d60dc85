/** Composes Verity's parts into one stack. */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { VerityData, type VerityDataProps } from './data';

export interface VerityStackProps extends StackProps {
  readonly data?: VerityDataProps;
}

export class VerityStack extends Stack {
  readonly data: VerityData;

  constructor(scope: Construct, id: string, props: VerityStackProps = {}) {
    super(scope, id, props);
    this.data = new VerityData(this, 'Data', props.data);
    new CfnOutput(this, 'TableName', {
      description: 'The DynamoDB table (VERITY_TABLE_NAME for the functions)',
      value: this.data.table.tableName,
    });
  }
}
