/**
 * The CDK app. Context (`cdk deploy -c key=value` or cdk.json):
 *   removalPolicy=destroy      let the table go with the stack (default: retain it)
 *   deletionProtection=false   let DynamoDB delete the table (default: protected)
 * A table that should really go with the stack needs both.
 */
import { App, RemovalPolicy } from 'aws-cdk-lib';
import { VerityStack } from '../lib/verity-stack';

const app = new App();

const removalPolicyContext = String(app.node.tryGetContext('removalPolicy') ?? 'retain').toLowerCase();
const removalPolicies: Record<string, RemovalPolicy> = {
  retain: RemovalPolicy.RETAIN,
  destroy: RemovalPolicy.DESTROY,
};
const removalPolicy = removalPolicies[removalPolicyContext];
if (!removalPolicy) {
  throw new Error(`Context removalPolicy must be one of ${Object.keys(removalPolicies).join(', ')}, not "${removalPolicyContext}"`);
}

const deletionProtectionContext = String(app.node.tryGetContext('deletionProtection') ?? 'true').toLowerCase();
if (deletionProtectionContext !== 'true' && deletionProtectionContext !== 'false') {
  throw new Error(`Context deletionProtection must be true or false, not "${deletionProtectionContext}"`);
}

new VerityStack(app, 'Verity', {
  description: 'Verity: a Stripe-compatible Identity VerificationSession service',
  data: { removalPolicy, deletionProtection: deletionProtectionContext === 'true' },
});
