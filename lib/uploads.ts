/**
 * The uploads bucket: where the verification page puts each image, straight from the browser,
 * with a presigned POST (functions/store/files.ts, functions/files/s3.ts). Private, encrypted with
 * the stack key (SSE-KMS, with an S3 Bucket Key so S3 asks KMS for a data key per bucket, not per
 * object), TLS only, versioned; an upload no submission names is removed a day after it arrived,
 * and the version a submission names is kept (and read by its VersionId) until redaction.
 *
 * Grants, all under `uploads/` (UPLOADS_PREFIX) and nothing else:
 * - the routes, from the route table (`Route.uploads`, functions/routes.ts) through `grantRoute`;
 * - the redaction functions (`grantRedaction`): list and delete every version of a session's objects;
 * - the checks worker (`grantRead`, for lib/verification.ts): read objects, decrypt them with the key.
 */
import { Duration, Names, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, HttpMethods, ObjectOwnership, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { UPLOAD_TAG, UPLOADS_PREFIX } from '../functions/files/objects';
import { UPLOADS_BUCKET_ENV } from '../functions/files/upload-origin';
import type { UploadsAction } from '../functions/routes';
import type { VerityFunction } from './verity-function';

export { UPLOADS_PREFIX };

export interface VerityUploadsProps {
  key: IKey;
  /** What happens to the bucket when it leaves the stack. @default RemovalPolicy.RETAIN (a non-empty bucket cannot be deleted anyway) */
  removalPolicy?: RemovalPolicy;
}

/** What redaction may do with uploads (and needs: tested against the calls it makes, test/integration/streams/redact-sessions.test.ts). */
export const UPLOADS_REDACTION_ACTIONS = ['s3:ListBucketVersions', 's3:DeleteObject', 's3:DeleteObjectVersion'];

/** Keys uses the actions imply on an SSE-KMS bucket: a put asks for a data key, a get decrypts it. */
const KMS_FOR: Partial<Record<UploadsAction, string[]>> = {
  PutObject: ['kms:GenerateDataKey'],
  GetObject: ['kms:Decrypt'],
  GetObjectVersion: ['kms:Decrypt'],
};

export class VerityUploads extends Construct {
  readonly bucket: Bucket;
  /** The prefix every upload's key starts with (`uploads/`): grant on `bucket.arnForObjects(`${prefix}*`)`. */
  readonly prefix = UPLOADS_PREFIX;
  /** What a function that touches uploads needs in its environment: the bucket's name (functions/store/files.ts `fileStore()`). */
  readonly environment: Record<string, string>;
  private readonly key: IKey;

  constructor(scope: Construct, id: string, props: VerityUploadsProps) {
    super(scope, id);
    this.key = props.key;
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // Redaction deletes every version of a session's objects (ListObjectVersions + DeleteObjects).
      versioned: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          // Uploaded but never submitted (a person who gave up, a photo taken again): gone after a
          // day, current or not. Tags are per version, so a submitted version (tagged `submitted`)
          // is never expired, even once a later POST to its key (the policy lasts 10 minutes)
          // makes it noncurrent: the submission reads it by VersionId until redaction deletes it.
          id: 'UnsubmittedUploads',
          prefix: UPLOADS_PREFIX,
          tagFilters: { [UPLOAD_TAG.key]: UPLOAD_TAG.pending },
          expiration: Duration.days(1),
          noncurrentVersionExpiration: Duration.days(1),
        },
        {
          // Delete markers an expiry leaves behind, and uploads cut off half-way (S3 allows no tag filter on either).
          id: 'LeftoverVersions',
          expiredObjectDeleteMarker: true,
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    this.environment = { [UPLOADS_BUCKET_ENV]: this.bucket.bucketName };
    const noAccessLogs =
      "Server access logs would record every person's IP address and user agent beside their session's object keys for as long as the " +
      'log bucket keeps them, ' +
      'beyond the reach of redaction. Who may touch the bucket is fixed by IAM (one prefix, per function) and the POST policy (one key, ' +
      'one type, 10 MB, 10 minutes); ' +
      'enable CloudTrail data events on the bucket if you need an audit of object access.';
    Validations.of(this.bucket).acknowledge(
      { id: 'AwsSolutions::AwsSolutions-S1', reason: noAccessLogs },
      { id: 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check', reason: noAccessLogs },
      {
        id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
        reason:
          "Object Lock would keep a person's images past their session's redaction, which must delete every version (Stripe's redact " +
          'promise). ' +
          'Versioning is on and a submission names its exact version (kept until redaction, never expired), so a later POST to the key ' +
          'cannot replace what was submitted.',
      },
      {
        id: 'cdk-validator-cfnguard::s3_event_notifications_enabled_check',
        reason:
          "Nothing reacts to an upload: the submission that names it is a table write, read from the table's stream by the checks " +
          'worker. ' +
          'Notifications would only copy object keys to another service.',
      },
    );
  }

  /** Lets browsers on `origin` (the page's: the API's URL) POST uploads and read S3's answer. */
  allowPostFrom(origin: string): void {
    this.bucket.addCorsRule({ allowedMethods: [HttpMethods.POST], allowedOrigins: [origin], allowedHeaders: ['*'], maxAge: 3000 });
  }

  /** Exactly `actions` under the prefix, and the key uses they imply (a route's `uploads` in the route table). */
  grantRoute(fn: VerityFunction, actions: UploadsAction[]): void {
    const objectActions = actions.filter((action) => action !== 'ListBucket');
    if (objectActions.length) {
      fn.role.addToPolicy(
        new PolicyStatement({ actions: objectActions.map((a) => `s3:${a}`), resources: [this.bucket.arnForObjects(`${UPLOADS_PREFIX}*`)] }),
      );
    }
    if (actions.includes('ListBucket')) {
      // Only so a missing object reads as 404 rather than 403; listing is limited to the prefix.
      fn.role.addToPolicy(
        new PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [this.bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${UPLOADS_PREFIX}*`] } },
        }),
      );
    }
    const kms = [...new Set(actions.flatMap((action) => KMS_FOR[action] ?? []))];
    if (kms.length) fn.role.addToPolicy(new PolicyStatement({ actions: kms, resources: [this.key.keyArn] }));
    fn.function.addEnvironment(UPLOADS_BUCKET_ENV, this.bucket.bucketName);
    this.acknowledgePrefixWildcard(fn, `${actions.join(', ')} on the uploads bucket`);
  }

  /**
   * A grant on `uploads/*` is a wildcard to cdk-nag: it is the prefix every upload's key starts
   * with, and IAM cannot name a session's keys (they are made per upload, each bound to one key by its POST policy).
   */
  private acknowledgePrefixWildcard(fn: VerityFunction, what: string): void {
    const stack = Stack.of(this);
    const bucket = this.bucket.node.defaultChild as CfnBucket;
    // cdk-nag names the bucket as the role's template does: by logical id in the same stack; in a
    // room's nested stack (lib/rooms.ts), by the parameter CDK makes for the reference.
    const bucketArn =
      Stack.of(fn.role) === stack
        ? `${stack.resolve(stack.getLogicalId(bucket)) as string}.Arn`
        : `referenceto${Names.nodeUniqueId(bucket.node)}Arn`;
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${bucketArn}>/${UPLOADS_PREFIX}*]`,
      reason:
        `${what} is limited to the ${UPLOADS_PREFIX} prefix: every upload's key starts with it ` +
        `(uploads/{account}/{mode}/{session}/{attempt}/{file}), and the keys are made per upload, ` +
        'so IAM cannot name them; the page functions hand the browser one key at a time through a POST policy (one key, one type, 10 MB, ' +
        '10 minutes).',
    });
  }

  /** Reads uploads (for the checks worker: Textract and Rekognition fetch them from S3 as the caller's role, which must decrypt them). */
  grantRead(fn: VerityFunction): void {
    // GetObjectVersion: the checks name the version submitted (S3Object.Version).
    this.grantRoute(fn, ['GetObject', 'GetObjectVersion', 'ListBucket']);
  }

  /** Lists and deletes every version of a session's objects (functions/redaction.ts). */
  grantRedaction(fn: VerityFunction): void {
    const [list, ...deletes] = UPLOADS_REDACTION_ACTIONS;
    fn.role.addToPolicy(
      new PolicyStatement({
        actions: [list!],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${UPLOADS_PREFIX}*`] } },
      }),
    );
    fn.role.addToPolicy(new PolicyStatement({ actions: deletes, resources: [this.bucket.arnForObjects(`${UPLOADS_PREFIX}*`)] }));
    fn.function.addEnvironment(UPLOADS_BUCKET_ENV, this.bucket.bucketName);
    this.acknowledgePrefixWildcard(fn, "Deleting the versions of a redacted session's objects");
  }
}
