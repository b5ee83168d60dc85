/**
 * The capture step's liveness part (issue #32): what AWS's component needs from the page's CSP, and
 * where it streams. Whether a session has the step, and how (`aws`: the component; `stand_in`: test
 * mode's stand-in; `off`), is `livenessFor` (functions/checks/liveness/availability.ts).
 */

/** Where Rekognition streams the liveness video: the stack's region (`AWS_REGION`, set by Lambda and by `npm start`'s AWS mode). */
export const livenessRegion = (env: NodeJS.ProcessEnv = process.env): string | null => env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? null;

/**
 * AWS's CDN, from which the component loads its BlazeFace face model (`…/face-detection/tensorflow-models/blazeface/1.0.2/model/`):
 * allowed by name on the liveness step only, since no self-hosted model has been verified with the component yet (docs/hosted-page.md).
 */
export const LIVENESS_MODEL_ORIGIN = 'https://cdn.liveness.rekognition.amazonaws.com';

/** A region name as AWS writes them (`us-east-1`, `ap-northeast-1`): anything else never reaches a CSP. */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** The CSP sources the liveness component needs beyond the page's own: streaming to Rekognition in `region`, and the model's CDN. */
export function livenessConnectSources(region: string): string[] {
  if (!REGION.test(region)) throw new Error(`not an AWS region: ${region}`);
  return [`wss://streaming-rekognition.${region}.amazonaws.com`, LIVENESS_MODEL_ORIGIN];
}
