/**
 * The AWS adapter of the Face Liveness port: Rekognition for the sessions and their results, STS
 * for the page's credentials.
 *
 * - CreateFaceLivenessSession with the stack's KMS key, the output bucket (the uploads bucket,
 *   the session's own prefix: livenessOutputPrefix), AuditImagesLimit LIVENESS_AUDIT_IMAGES and the
 *   challenge the deployment chose. Without a bucket (`npm start` with `VERITY_LIVE_CHECKS=aws`, whose
 *   files are a local folder) no OutputConfig is sent and the results carry the images as bytes.
 * - Browser credentials: STS AssumeRole of a role whose only right is
 *   `rekognition:StartFaceLivenessSession` (the construct makes it), for 900 seconds, STS's
 *   minimum; the role session is named after the liveness session, so CloudTrail ties each
 *   StartFaceLivenessSession to it. IAM has no condition key for a liveness session's id, so the
 *   credentials could start any liveness session of the account in those 15 minutes (one that
 *   Verity created: a session id is a UUID only Verity and this page know); they reach nothing else.
 *   https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 */
import {
  CreateFaceLivenessSessionCommand,
  GetFaceLivenessSessionResultsCommand,
  type AuditImage,
  type RekognitionClient,
} from '@aws-sdk/client-rekognition';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { livenessOutputPrefix, type FaceLiveness, type LivenessImage, type LivenessStatus } from './port';

/** Audit images asked for (0–4): two frames besides the reference, kept as files of the session. */
export const LIVENESS_AUDIT_IMAGES = 2;
/** STS's shortest credentials (AssumeRole DurationSeconds minimum): the component asks for them once, at its start. */
export const BROWSER_CREDENTIAL_SECONDS = 900;

export interface AwsLivenessDeps {
  rekognition: RekognitionClient;
  sts: STSClient;
  /** The role the page's credentials are issued for (its only right: rekognition:StartFaceLivenessSession). */
  browserRoleArn: string;
  /** The output bucket (same region as Rekognition); undefined: images come back as bytes. */
  bucket?: string;
  /** The KMS key (ARN or id) the liveness session and its images are encrypted with; undefined: AWS's own. */
  kmsKeyId?: string;
}

const STATUSES: readonly LivenessStatus[] = ['CREATED', 'IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'EXPIRED'];

export function awsFaceLiveness(deps: AwsLivenessDeps): FaceLiveness {
  return {
    mode: 'aws',
    region: async () => deps.rekognition.config.region(),
    async createSession({ scope, session, attempt, challenge, clientRequestToken }) {
      const { SessionId } = await deps.rekognition.send(
        new CreateFaceLivenessSessionCommand({
          ClientRequestToken: clientRequestToken,
          ...(deps.kmsKeyId ? { KmsKeyId: deps.kmsKeyId } : {}),
          Settings: {
            ...(deps.bucket ? { OutputConfig: { S3Bucket: deps.bucket, S3KeyPrefix: livenessOutputPrefix(scope, session, attempt) } } : {}),
            AuditImagesLimit: LIVENESS_AUDIT_IMAGES,
            ChallengePreferences: [{ Type: challenge }],
          },
        }),
      );
      if (!SessionId) throw new Error('CreateFaceLivenessSession answered without a SessionId.');
      return { id: SessionId };
    },
    async browserCredentials(livenessSessionId) {
      const { Credentials } = await deps.sts.send(
        new AssumeRoleCommand({
          RoleArn: deps.browserRoleArn,
          RoleSessionName: `liveness-${livenessSessionId}`.slice(0, 64),
          DurationSeconds: BROWSER_CREDENTIAL_SECONDS,
        }),
      );
      if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey || !Credentials.SessionToken || !Credentials.Expiration) {
        throw new Error('AssumeRole answered without credentials.');
      }
      return {
        access_key_id: Credentials.AccessKeyId,
        secret_access_key: Credentials.SecretAccessKey,
        session_token: Credentials.SessionToken,
        expiration: Math.floor(Credentials.Expiration.getTime() / 1000),
      };
    },
    async results(livenessSessionId) {
      const answer = await deps.rekognition.send(new GetFaceLivenessSessionResultsCommand({ SessionId: livenessSessionId }));
      const status = STATUSES.includes(answer.Status as LivenessStatus) ? (answer.Status as LivenessStatus) : 'FAILED';
      return {
        status,
        confidence: typeof answer.Confidence === 'number' ? answer.Confidence : null,
        reference: imageOf(answer.ReferenceImage),
        audits: (answer.AuditImages ?? []).map(imageOf).filter((image): image is LivenessImage => image !== null),
        challenge: answer.Challenge?.Type ?? null,
      };
    },
  };
}

/** An AuditImage as a LivenessImage; null when it has neither an S3 object nor bytes. */
function imageOf(image: AuditImage | undefined): LivenessImage | null {
  if (image?.S3Object?.Bucket && image.S3Object.Name) {
    const { Bucket, Name, Version } = image.S3Object;
    return { S3Object: { Bucket, Name, ...(Version ? { Version } : {}) } };
  }
  if (image?.Bytes?.byteLength) return { Bytes: image.Bytes };
  return null;
}
