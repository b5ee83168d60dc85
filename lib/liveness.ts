/**
 * Face Liveness in AWS (functions/checks/liveness/): the role whose credentials the page's
 * component receives, and the grants of the page route that starts liveness sessions and of the
 * checks worker that reads their results. The images go to the uploads bucket (same region,
 * SSE-KMS with the stack key, versioned), under each session's own prefix
 * (`uploads/{account}/{mode}/{session}/{attempt}/liveness/`): the checks read them there, the Files
 * API serves the reference image as the selfie, and the session's redaction deletes every version of
 * them with its other objects. Unsubmitted liveness images carry no `pending` tag, so the bucket's
 * one-day rule for unclaimed uploads leaves them; they go with the session's redaction (the retention policy).
 *
 * Regions: synthesis refuses an explicit stack region without Face Liveness (assertFaceLivenessRegion).
 * A region-agnostic stack (no `env.region`) cannot be checked before deployment: it synthesizes with
 * a warning naming the regions, and a page in another region gets AWS's AccessDeniedException.
 */
import { Annotations, Stack, Token, Validations } from 'aws-cdk-lib';
import { Policy, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import {
  assertFaceLivenessRegion,
  FACE_LIVENESS_BROWSER_ROLE_ENV,
  FACE_LIVENESS_BUCKET_ENV,
  FACE_LIVENESS_CHALLENGE_ENV,
  FACE_LIVENESS_ENV,
  FACE_LIVENESS_KEY_ENV,
  FACE_LIVENESS_REGIONS,
  FACE_LIVENESS_THRESHOLD_ENV,
  faceLivenessSettings,
  type LivenessChallenge,
} from '../functions/checks/liveness/availability';
import type { VerityFunction } from './verity-function';
import type { VerityUploads } from './uploads';

/** Face Liveness for live selfies: on by default; `false` turns it off (selfies are then photos, matched as before). */
export interface FaceLivenessProps {
  /**
   * 0–100: a liveness confidence below it fails the selfie with `selfie_manipulated`. AWS's service card: 50–60 against presentation
   * attacks, 80–90 against injection and deepfakes. @default 80
   */
  readonly threshold?: number;
  /**
   * `FaceMovementChallenge` (movement only, no flashing colours) or `FaceMovementAndLightChallenge`.
   * @default FaceMovementAndLightChallenge
   */
  readonly challenge?: LivenessChallenge;
}

/**
 * The environment every Verity function gets (the pages ask livenessFor(), the checks worker reads the threshold): off, or the
 * settings, validated now (the function would throw the same at start).
 */
export function faceLivenessEnvironment(props: FaceLivenessProps | false | undefined): Record<string, string> {
  if (props === false) return { [FACE_LIVENESS_ENV]: 'off' };
  const environment: Record<string, string> = {};
  if (props?.threshold !== undefined) environment[FACE_LIVENESS_THRESHOLD_ENV] = String(props.threshold);
  if (props?.challenge !== undefined) environment[FACE_LIVENESS_CHALLENGE_ENV] = props.challenge;
  faceLivenessSettings(environment);
  return environment;
}

/** The region check, the role the page's credentials are issued for, and the grants around it. */
export class VerityFaceLiveness extends Construct {
  /** Its only right: rekognition:StartFaceLivenessSession; trusted only by the function `grantStart` names. */
  browserRole?: Role;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: { key: IKey; uploads: VerityUploads },
  ) {
    super(scope, id);
    const region = Stack.of(this).region;
    if (Token.isUnresolved(region)) {
      Annotations.of(this).addWarningV2(
        'verity:faceLivenessRegion',
        `Face Liveness is on and the stack has no explicit region: deploy it to one of ${FACE_LIVENESS_REGIONS.join(', ')}, ` +
          'or set faceLiveness: false.',
      );
    } else {
      assertFaceLivenessRegion(region);
    }
  }

  /**
   * The page route that starts liveness sessions: CreateFaceLivenessSession, AssumeRole of the
   * browser role (made here, beside the function, trusting its role alone), the key for the images
   * it asks Rekognition to encrypt, and writes under the uploads prefix, where Rekognition puts the images for this caller.
   */
  grantStart(fn: VerityFunction): void {
    const role = new Role(fn, 'FaceLivenessBrowserRole', {
      assumedBy: fn.role,
      description: "Verity: the verification page's Face Liveness credentials (15 minutes): rekognition:StartFaceLivenessSession only",
    });
    const start = new Policy(fn, 'FaceLivenessBrowserPolicy', {
      statements: [new PolicyStatement({ actions: ['rekognition:StartFaceLivenessSession'], resources: ['*'] })],
    });
    start.attachToRole(role);
    Validations.of(start).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'rekognition:StartFaceLivenessSession defines no resource type, so IAM accepts only "*" and no condition names one liveness ' +
        'session (Service Authorization Reference: https://docs.aws.amazon.com/service-authorization/latest/reference/' +
        'list_amazonrekognition.html). The credentials last 15 minutes and can do nothing else.',
    });
    this.browserRole = role;
    fn.role.addToPolicy(new PolicyStatement({ actions: ['sts:AssumeRole'], resources: [role.roleArn] }));
    this.grantRekognition(fn, 'rekognition:CreateFaceLivenessSession');
    this.props.uploads.grantRoute(fn, ['PutObject']);
    fn.function.addEnvironment(FACE_LIVENESS_BROWSER_ROLE_ENV, role.roleArn);
    fn.function.addEnvironment(FACE_LIVENESS_BUCKET_ENV, this.props.uploads.bucket.bucketName);
    fn.function.addEnvironment(FACE_LIVENESS_KEY_ENV, this.props.key.keyArn);
  }

  /** The checks worker: GetFaceLivenessSessionResults (it reads the images with its uploads read grant). */
  grantResults(fn: VerityFunction): void {
    this.grantRekognition(fn, 'rekognition:GetFaceLivenessSessionResults');
    fn.function.addEnvironment(FACE_LIVENESS_BUCKET_ENV, this.props.uploads.bucket.bucketName);
  }

  private grantRekognition(fn: VerityFunction, action: string): void {
    const policy = new Policy(fn, 'FaceLivenessPolicy', {
      statements: [
        new PolicyStatement({ actions: [action], resources: ['*'] }),
        new PolicyStatement({ actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'], resources: [this.props.key.keyArn] }),
      ],
    });
    policy.attachToRole(fn.role);
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        `${action} defines no resource type, so IAM accepts only "*" (Service Authorization Reference: ` +
        'https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrekognition.html).',
    });
  }
}
