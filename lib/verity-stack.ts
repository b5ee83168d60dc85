/**
 * The Verity construct (lib/verity.ts) in a stack of its own, with its outputs: what
 * `npx cdk deploy` from this repository deploys (bin/verity.ts). A CDK app of yours places
 * `new Verity(this, 'Identity')` in its own stack instead.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Rule } from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import type { SubscribeOptions } from './events';
import { Verity, type VerityProps } from './verity';
import { TABLE_NAME_ENV } from '../functions/store/schema';

export { DEFAULT_THROTTLE, DEFAULT_WORKER_CONCURRENCY, type WorkerConcurrency } from './verity';

export interface VerityStackProps extends StackProps, VerityProps {}

export class VerityStack extends Stack {
  /**
   * The whole service. Its id is `Default`, which CDK leaves out of logical ids, so they are the ones the stack had before the construct
   * existed.
   */
  readonly verity: Verity;

  constructor(scope: Construct, id: string, props: VerityStackProps = {}) {
    super(scope, id, props);
    const verity = new Verity(this, 'Default', props);
    this.verity = verity;

    new CfnOutput(this, 'ApiUrl', { description: 'Base URL of the Stripe-compatible API', value: verity.url });
    if (verity.api.customDomainTarget) {
      // The DNS record is the user's to create (their zone may live anywhere): this is its target.
      new CfnOutput(this, 'CustomDomainTarget', {
        description: 'Point your domain at this name (CNAME, or a Route 53 alias with the regional hosted zone)',
        value: verity.api.customDomainTarget,
      });
    }
    new CfnOutput(this, 'TableName', {
      description: `The DynamoDB table (${TABLE_NAME_ENV} for npm run keys -- --aws)`,
      value: verity.table.tableName,
    });
    new CfnOutput(this, 'EventBusName', {
      description: 'EventBridge bus carrying identity.verification_session.* events',
      value: verity.bus.eventBusName,
      exportName: `${this.stackName}-EventBusName`,
    });
    new CfnOutput(this, 'EventBusArn', { value: verity.bus.eventBusArn, exportName: `${this.stackName}-EventBusArn` });
    new CfnOutput(this, 'KeyArn', {
      description: 'The stack key: npm run keys -- --aws needs kms:Encrypt, kms:Decrypt and kms:GenerateDataKey on it',
      value: verity.key.keyArn,
    });
    new CfnOutput(this, 'AlarmTopicArn', { description: 'Subscribe to receive alarms', value: verity.alarms.topic.topicArn });
  }

  /** `Verity.subscribe()` of the stack's construct. */
  subscribe(id: string, options: SubscribeOptions): Rule {
    return this.verity.subscribe(id, options);
  }
}
