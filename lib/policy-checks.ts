import { Validations, type App } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';

/**
 * The cdk-nag AwsSolutions and Serverless packs and AWS Control Tower's proactive controls (the
 * cfn-guard rules `@cdklabs/cdk-validator-cfnguard` ships, run by the cfn-guard binary inside
 * that package, offline) run on every synthesis; a finding that is not acknowledged (with its
 * reason, next to the construct) fails the synthesis.
 */
export function addPolicyChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app), new CfnGuardValidator());
}
