/**
 * One Lambda function as every Verity function is built: the handler module bundled by the
 * local esbuild (never Docker) with the AWS SDK inside, ESM, arm64, an explicit runtime, memory
 * and timeout, its own log group (encrypted, kept a year), X-Ray tracing, and its own role that
 * starts with nothing but permission to write its own logs. In the stack's VPC when it has one.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
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

/**
 * How long every Verity log group keeps its records: a year, the least AWS Control Tower's
 * CT.CLOUDWATCH.PR.2 accepts. They hold no personal data (no bodies, no addresses, no keys).
 */
export const LOG_RETENTION = RetentionDays.ONE_YEAR;

/** A VPC for Verity's functions: private subnets that reach the AWS APIs they call (NAT or endpoints). */
export interface FunctionNetwork {
  readonly vpc: IVpc;
  /** @default the VPC's private subnets with egress */
  readonly subnets?: SubnetSelection;
}

const networks = new WeakMap<IConstruct, FunctionNetwork>();

/**
 * Puts every VerityFunction made under `scope` (a Verity construct) from now on into `network`: all
 * of them or none, so no function is left outside. Call it before the scope makes its functions.
 */
export function placeFunctionsIn(scope: IConstruct, network: FunctionNetwork): void {
  networks.set(scope, network);
}

/** The network of the nearest scope above `construct` that has one. */
function networkOf(construct: IConstruct): FunctionNetwork | undefined {
  for (const scope of construct.node.scopes.reverse()) {
    const network = networks.get(scope);
    if (network) return network;
  }
  return undefined;
}

/**
 * What a function in a VPC needs so Lambda can attach it: the actions of AWS's
 * AWSLambdaVPCAccessExecutionRole, which Lambda requires on Resource * (the Describe actions have
 * no resource-level permissions, and Lambda manages the interfaces it creates).
 */
const VPC_ACCESS_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

export interface VerityFunctionProps {
  /** Module under functions/ that exports `handler`, e.g. `http/create-verification-session`. */
  handlerModule: string;
  description: string;
  environment?: Record<string, string>;
  /** Encrypts the function's environment variables and its log group at rest. */
  environmentKey?: IKey;
  memorySize?: number;
  timeout?: Duration;
  /** How the function is invoked: synchronously by the API, or by a stream event source mapping. */
  invokedBy?: 'api' | 'stream' | 'schedule';
}

export class VerityFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: VerityFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: LOG_RETENTION,
      encryptionKey: props.environmentKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const network = networkOf(this);
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
      ...(network ? { vpc: network.vpc, vpcSubnets: network.subnets, allowPublicSubnet: false } : {}),
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
    if (network) this.role.addToPolicy(new PolicyStatement({ actions: VPC_ACCESS_ACTIONS, resources: ['*'] }));
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'Resource * is used only by actions that have no resource-level permissions: xray:PutTraceSegments and xray:PutTelemetryRecords ' +
        '(active tracing) and, for a stream consumer, dynamodb:ListStreams' +
        (network ? ", and by the network-interface actions Lambda needs to attach the function to the VPC (AWS's AWSLambdaVPCAccessExecutionRole)" : '') +
        '. Every other DynamoDB, KMS, logs, events and secrets statement names its resource.',
    });
    if (!network) {
      Validations.of(this.function).acknowledge({
        id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
        reason:
          'Verity\'s functions reach nothing but AWS APIs (DynamoDB, EventBridge, KMS, Secrets Manager, X-Ray, Textract, Rekognition), each over TLS with IAM-signed requests, ' +
          'and the webhook functions the businesses\' own public endpoints (signed requests; private, loopback and link-local addresses refused); ' +
          'a VPC would add NAT or interface endpoints and protect no network resource. Give the stack a `vpc` (context vpcId=…) to run every function in yours.',
      });
    }
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
