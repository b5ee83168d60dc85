/**
 * The Rekognition face collections of selfie blocklist entries (functions/store/rekognition-faces.ts):
 * one per account and mode, `{prefix}-{account}-{mode}`, created by the create-entry route on first
 * use (accounts are made at run time, so CDK cannot make them). Each function gets exactly the
 * collection actions it calls, on `collection/{prefix}-*` only, and the prefix in its environment.
 * Rekognition's collection ARN: arn:${Partition}:rekognition:${Region}:${Account}:collection/${CollectionId}
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrekognition.html).
 */
import { Names, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { FaceAction } from '../functions/routes';
import { FACE_COLLECTION_PREFIX_ENV } from '../functions/store/face-settings';
import type { VerityFunction } from './verity-function';

/** The stack's collection prefix: stable, unique to the Verity construct, in Rekognition's collection-id alphabet. */
export const faceCollectionPrefixOf = (verity: Construct): string =>
  `verity-${Names.uniqueResourceName(verity, { maxLength: 40, separator: '-' })}`.toLowerCase();

/** `actions` on the prefix's collections, and the prefix in the function's environment. */
export function grantFaces(fn: VerityFunction, prefix: string, actions: readonly FaceAction[]): void {
  fn.function.addEnvironment(FACE_COLLECTION_PREFIX_ENV, prefix);
  const arn = Stack.of(fn.role).formatArn({ service: 'rekognition', resource: 'collection', resourceName: `${prefix}-*` });
  fn.role.addToPolicy(new PolicyStatement({ actions: actions.map((action) => `rekognition:${action}`), resources: [arn] }));
  Validations.of(fn.role).acknowledge({
    id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:rekognition:<AWS::Region>:<AWS::AccountId>:collection/${prefix}-*]`,
    reason:
      `${actions.join(', ')} on this stack's face collections only (${prefix}-*): one per account and mode, made at run time ` +
      '(functions/store/rekognition-faces.ts), so IAM cannot name each.',
  });
}
