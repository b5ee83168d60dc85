/**
 * One Lambda function as every Verity function is built: the handler module bundled by the
 * local esbuild (never Docker) with the AWS SDK inside, ESM, arm64, an explicit runtime, memory
 * and timeout, its own log group with a retention period, X-Ray tracing, and its own role that
 * starts with nothing but permission to write its own logs.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Lambda no longer accepts new nodejs20.x functions; 24 is the newest runtime and cdk-nag's L1 asks for it. */
export const FUNCTION_RUNTIME = Runtime.NODEJS_24_X;
/** esbuild target that both the Lambda runtime and developers' Node 20 run. */
export const BUNDLE_TARGET = 'node20';

/**
 * The SDK's credential providers that its default chain imports lazily, only when no credentials
 * are in the environment. Lambda always puts them there, so these are left out of the bundle
 * (130 KB and about 20 ms of cold import); should one ever be needed, the runtime's own SDK has it.
 */
const LAZY_CREDENTIAL_PROVIDERS = [
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/nested-clients',
  '@aws-sdk/token-providers',
  '@smithy/credential-provider-imds',
];

export interface VerityFunctionProps {
  /** Module under functions/ that exports `handler`, e.g. `http/create-verification-session`. */
  handlerModule: string;
  description: string;
  environment?: Record<string, string>;
  /** Encrypts the function's environment variables at rest. */
  environmentKey?: IKey;
  memorySize?: number;
  timeout?: Duration;
  /** How the function is invoked: synchronously by the API, or by a stream event source mapping. */
  invokedBy?: 'api' | 'stream' | 'schedule';
  logRetention?: RetentionDays;
}

export class VerityFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: VerityFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Not the managed AWSLambdaBasicExecutionRole: that one may write to every log group.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description}: only what this one function needs`,
    });
    this.function = new NodejsFunction(this, 'Function', {
      entry: join(projectRoot, 'functions', `${props.handlerModule}.ts`),
      handler: 'handler',
      projectRoot,
      depsLockFilePath: join(projectRoot, 'package-lock.json'),
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.ACTIVE,
      environment: props.environment,
      environmentEncryption: props.environmentKey,
      bundling: {
        format: OutputFormat.ESM,
        target: BUNDLE_TARGET,
        minify: true,
        sourceMap: false,
        bundleAwsSDK: true,
        externalModules: LAZY_CREDENTIAL_PROVIDERS,
        mainFields: ['module', 'main'],
        // Lets bundled CommonJS code `require` Node built-ins from an ES module.
        banner: "import { createRequire as __verityCreateRequire } from 'module'; const require = __verityCreateRequire(import.meta.url);",
        metafile: true,
        forceDockerBundling: false,
      },
    });
    this.logGroup.grantWrite(this.role);
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'Resource * is used only by actions that have no resource-level permissions: xray:PutTraceSegments and xray:PutTelemetryRecords ' +
        '(active tracing) and, for a stream consumer, dynamodb:ListStreams. Every other DynamoDB, KMS, logs and events statement names its resource.',
    });
    Validations.of(this.function).acknowledge({
      id: 'Serverless::Serverless-LambdaDLQ',
      reason:
        props.invokedBy === 'stream'
          ? 'A stream event source mapping never invokes asynchronously: its failures go to the on-failure destination configured on the mapping (an encrypted SQS queue with an alarm).'
          : props.invokedBy === 'schedule'
            ? 'A scheduled run carries no data to keep: a run that fails is retried by EventBridge, then redone by the next run, and its errors alarm.'
            : 'API Gateway invokes these functions synchronously and returns their errors to the caller; a Lambda dead-letter queue only receives failed asynchronous invocations.',
    });
  }
}
