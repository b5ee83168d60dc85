/**
 * Where browsers send uploads, for the page's Content-Security-Policy (`connect-src`): the uploads
 * bucket's regional endpoint in AWS (what a presigned POST's `url` names), nothing more locally,
 * where the upload route is on Verity's own host (`'self'`). No SDK here: every page function reads it.
 */
/** The environment variable CDK sets on every function that touches uploads (or shows the page): the bucket's name. */
export const UPLOADS_BUCKET_ENV = 'VERITY_UPLOADS_BUCKET';

export const bucketOrigin = (bucket: string, region: string) => `https://${bucket}.s3.${region}.amazonaws.com`;

/** The upload origin beyond `'self'`, if uploads go elsewhere (the bucket named by `VERITY_UPLOADS_BUCKET`). */
export function uploadOrigin(): string | undefined {
  const bucket = process.env[UPLOADS_BUCKET_ENV];
  const region = process.env.AWS_REGION;
  return bucket && region ? bucketOrigin(bucket, region) : undefined;
}
