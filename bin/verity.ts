/**
 * The CDK app: `npx cdk deploy`, the Verity construct (lib/verity.ts) in a stack of its own. Configuration
 * through context (`-c key=value` or cdk.json), each option a prop of the construct (VerityProps):
 *   removalPolicy=retain|destroy     what happens to the table and key with the stack (default retain)
 *   deletionProtection=true|false    DynamoDB refuses to delete the table (default true)
 *                                    (a table that should really go with the stack needs both)
 *   throttleRate=1000 throttleBurst=2000   API requests per second for the whole stage (DEFAULT_THROTTLE in lib/verity.ts says why)
 *   domainName=… certificateArn=…    serve the API on your own domain (ACM certificate in the region)
 *   alarmEmail=ops@example.com       send every alarm to this address
 *   redactionDelaySeconds=0          time between a redact call and the redaction job
 *   retentionDays=90                 redact verified and canceled sessions this many days later (off by default)
 *   consoleAuditRetentionDays=365    days the console's audit log keeps each entry (1-3650)
 *   reviewAlarmAfterMinutes=1440     minutes a verdict held for review may wait before its alarm (1-43200)
 *   vpcId=vpc-… subnetIds=subnet-a,subnet-b   run every function in these private subnets (outside any VPC by default)
 *   publisherConcurrency=10 checksWorkerConcurrency=50 redactionWorkerConcurrency=20 redactionBackstopConcurrency=1
 *                                    reserved concurrency of the background functions (these are the defaults)
 *   reservedConcurrency=false        reserve none (an account whose limit is below 100 plus their sum)
 *   wafRateLimit=2000                CloudFront and AWS WAF in front of the API: requests per client address per
 *                                    5 minutes (the stack must be in us-east-1), or
 *   webAclArn=arn:aws:wafv2:us-east-1:…   CloudFront with a CLOUDFRONT web ACL of yours
 *   minimumAge=18 documentMinConfidence=90 faceMinSimilarity=90 selfieMinBrightness=40 selfieMinSharpness=40
 *                                    live checks' thresholds (these are the defaults; functions/checks/live/settings.ts)
 *   idNumberProviderFunctionArn=arn:aws:lambda:…   your Lambda that checks ID numbers (functions/checks/lambda-id-number-provider.ts);
 *                                    without one, live sessions that ask for an ID number are refused
 *   canaryBucket=my-samples canaryPrefix=verity-canary/ canarySimilarityTolerance=2
 *                                    a daily canary of your known samples (docs/reference/evaluation.md; off by default)
 * Every synth runs the cdk-nag AwsSolutions and Serverless packs and AWS Control Tower's proactive
 * controls (cfn-guard); a finding fails it.
 */
import { App, RemovalPolicy } from 'aws-cdk-lib';
import { addPolicyChecks } from '../lib/policy-checks';
import { DEFAULT_THROTTLE, DEFAULT_WORKER_CONCURRENCY, VerityStack, type VerityStackProps } from '../lib/verity-stack';
import type { LiveChecksProps } from '../lib/verification';
import { LIVE_CHECK_ENV, liveCheckSettings, type LiveCheckSettings } from '../functions/checks/live/settings';
import { ID_NUMBER_PROVIDER_ENV, lambdaRegionOf } from '../functions/checks/availability';

const app = new App();

function context(name: string, allowed?: readonly string[]): string | undefined {
  const value = app.node.tryGetContext(name);
  if (value === undefined || value === '') return undefined;
  const text = String(value);
  if (allowed && !allowed.includes(text.toLowerCase())) {
    throw new Error(`Context ${name} must be one of ${allowed.join(', ')}, not "${text}"`);
  }
  return allowed ? text.toLowerCase() : text;
}

function positiveInteger(name: string, fallback: number, minimum = 1): number {
  const text = context(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < minimum)
    throw new Error(`Context ${name} must be an integer of at least ${minimum}, not "${text}"`);
  return value;
}

const vpcId = context('vpcId');
const subnetIds = context('subnetIds')
  ?.split(',')
  .map((id) => id.trim())
  .filter(Boolean);
if (Boolean(vpcId) !== Boolean(subnetIds?.length)) throw new Error('Context vpcId and subnetIds go together');
const wafRateLimit = context('wafRateLimit');
const webAclArn = context('webAclArn');
if (wafRateLimit && webAclArn)
  throw new Error('Context wafRateLimit and webAclArn exclude each other: the rate limit belongs in your web ACL');

const domainName = context('domainName');
const certificateArn = context('certificateArn');
if (Boolean(domainName) !== Boolean(certificateArn)) throw new Error('Context domainName and certificateArn go together');

new VerityStack(app, 'Verity', {
  description: 'Verity: a Stripe-compatible Identity VerificationSession service',
  removalPolicy: context('removalPolicy', ['retain', 'destroy']) === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
  deletionProtection: context('deletionProtection', ['true', 'false']) !== 'false',
  throttle: {
    rateLimit: positiveInteger('throttleRate', DEFAULT_THROTTLE.rateLimit),
    burstLimit: positiveInteger('throttleBurst', DEFAULT_THROTTLE.burstLimit),
  },
  customDomain: domainName && certificateArn ? { domainName, certificateArn } : undefined,
  alarmEmail: context('alarmEmail'),
  redactionDelaySeconds: positiveInteger('redactionDelaySeconds', 0, 0),
  retentionDays: context('retentionDays') === undefined ? undefined : positiveInteger('retentionDays', 0),
  consoleAuditRetentionDays:
    context('consoleAuditRetentionDays') === undefined ? undefined : positiveInteger('consoleAuditRetentionDays', 365),
  reviewAlarmAfterMinutes: context('reviewAlarmAfterMinutes') === undefined ? undefined : positiveInteger('reviewAlarmAfterMinutes', 1440),
  vpc: vpcId && subnetIds ? { vpcId, subnetIds } : undefined,
  workerConcurrency:
    context('reservedConcurrency', ['true', 'false']) === 'false'
      ? false
      : {
          publisher: positiveInteger('publisherConcurrency', DEFAULT_WORKER_CONCURRENCY.publisher),
          checksWorker: positiveInteger('checksWorkerConcurrency', DEFAULT_WORKER_CONCURRENCY.checksWorker),
          redactionWorker: positiveInteger('redactionWorkerConcurrency', DEFAULT_WORKER_CONCURRENCY.redactionWorker),
          redactionBackstop: positiveInteger('redactionBackstopConcurrency', DEFAULT_WORKER_CONCURRENCY.redactionBackstop),
        },
  firewall: wafRateLimit ? { rateLimit: positiveInteger('wafRateLimit', 0, 10) } : webAclArn ? { webAclArn } : undefined,
  liveChecks: liveChecksContext(),
  canary: canaryContext(),
});

addPolicyChecks(app);

/** The canary's context: its bucket, prefix and tolerance (lib/canary.ts refuses values it cannot use). */
function canaryContext(): VerityStackProps['canary'] {
  const bucketName = context('canaryBucket');
  if (!bucketName) return undefined;
  const tolerance = context('canarySimilarityTolerance');
  if (tolerance !== undefined && !/^\d+(\.\d+)?$/.test(tolerance))
    throw new Error(`Context canarySimilarityTolerance must be a number from 0 to 100, not "${tolerance}"`);
  return { bucketName, prefix: context('canaryPrefix'), similarityTolerance: tolerance === undefined ? undefined : Number(tolerance) };
}

/**
 * Live checks' context: each threshold named after its LiveCheckSettings key, and the ID-number provider's ARN, refused here as the
 * function would refuse them.
 */
function liveChecksContext(): LiveChecksProps {
  const settings: Partial<LiveCheckSettings> = {};
  for (const name of Object.keys(LIVE_CHECK_ENV) as (keyof LiveCheckSettings)[]) {
    const text = context(name);
    if (text === undefined) continue;
    const variable = LIVE_CHECK_ENV[name].name;
    try {
      liveCheckSettings({ [variable]: text });
    } catch (error) {
      throw new Error(`Context ${name}${(error as Error).message.slice(variable.length)}`);
    }
    settings[name] = Number(text);
  }
  const idNumberProviderFunctionArn = context('idNumberProviderFunctionArn');
  try {
    if (idNumberProviderFunctionArn) lambdaRegionOf(idNumberProviderFunctionArn);
  } catch (error) {
    throw new Error(`Context idNumberProviderFunctionArn${(error as Error).message.slice(ID_NUMBER_PROVIDER_ENV.length)}`);
  }
  return { settings, idNumberProviderFunctionArn };
}
