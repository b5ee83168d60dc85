/**
 * The Face Liveness port: what Verity needs of Amazon Rekognition Face Liveness, behind one
 * interface with two adapters: AWS's (aws.ts: Rekognition and STS) and test mode's stand-in
 * (stand-in.ts: no AWS call). API: https://docs.aws.amazon.com/rekognition/latest/dg/face-liveness-programming-api.html
 */
import type { Scope } from '../../domain/scope';
import type { LivenessChallenge } from './availability';

/** An image as GetFaceLivenessSessionResults gives one: in the output bucket, or as bytes when no bucket was configured. */
export type LivenessImage = { S3Object: { Bucket: string; Name: string; Version?: string } } | { Bytes: Uint8Array };

/** Rekognition's `LivenessSessionStatus`. */
export type LivenessStatus = 'CREATED' | 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'EXPIRED';

/** GetFaceLivenessSessionResults, as Verity reads it. */
export interface LivenessResult {
  status: LivenessStatus;
  /** 0–100; null when the service gave none (a session not succeeded). */
  confidence: number | null;
  /** The frame of the live face (the selfie that is matched to the document); null when none came back. */
  reference: LivenessImage | null;
  /** Further frames, best effort (AuditImagesLimit). */
  audits: LivenessImage[];
  challenge: string | null;
}

/** Temporary AWS credentials for the page's component (STS), times in epoch seconds. */
export interface BrowserCredentials {
  access_key_id: string;
  secret_access_key: string;
  session_token: string;
  expiration: number;
}

/** Where and for what a liveness session is made. */
export interface LivenessSessionRequest {
  scope: Scope;
  /** The verification session (`vs_…`) and its attempt: the output prefix names both. */
  session: string;
  attempt: string;
  challenge: LivenessChallenge;
  /** Idempotency of the create call (a retried request makes one session): at most 64 characters. */
  clientRequestToken: string;
}

export interface FaceLiveness {
  readonly mode: 'aws' | 'stand_in';
  /** The AWS region the component must stream to; null for the stand-in. */
  region(): Promise<string | null>;
  /** CreateFaceLivenessSession: the new session's id (a UUID). */
  createSession(request: LivenessSessionRequest): Promise<{ id: string }>;
  /** Credentials that may only start liveness sessions (StartFaceLivenessSession), for the page's component; null for the stand-in. */
  browserCredentials(livenessSessionId: string): Promise<BrowserCredentials | null>;
  /** GetFaceLivenessSessionResults. Throws what the SDK throws for a service error (the checks retry). */
  results(livenessSessionId: string): Promise<LivenessResult>;
}

/**
 * Where Rekognition writes a liveness session's images: under the verification session's own
 * uploads prefix (functions/files/objects.ts), so the Files API reads them like any upload and the
 * session's redaction deletes them with its other objects.
 */
export const livenessOutputPrefix = (scope: Scope, session: string, attempt: string) =>
  `uploads/${scope.account}/${scope.mode}/${session}/${attempt}/liveness/`;
