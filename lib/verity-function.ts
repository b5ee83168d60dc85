/**
 * One Lambda function as every Verity function is built: the handler module bundled by esbuild
 * (never Docker) with the AWS SDK inside, ESM, arm64, an explicit runtime, memory
 * and timeout, its own log group (encrypted, kept a year), X-Ray tracing, and its own role that
 * starts with nothing but permission to write its own logs. In the stack's VPC when it has one.
 *
 * Where the bundle comes from: in this repository (this module running as TypeScript) the local
 * esbuild bundles the handler at synth; in the npm package (this module compiled to dist/) the
 * bundle `npm run build` made (bin/build-package.ts) is used as it is, `assets/<handler module>/index.mjs`
 * with `Code.fromAsset`, so a user's synth needs neither esbuild nor Docker.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  Architecture,
  Code,
  Function as LambdaFunction,
  LoggingFormat,
  Runtime,
  Tracing,
  type FunctionProps,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
/** Whether this module runs compiled (the npm package: dist/lib/) rather than as this repository's TypeScript. */
const COMPILED = !here.endsWith('.ts');
/** The repository, or the installed package's folder. */
const projectRoot = join(dirname(here), COMPILED ? '../..' : '..');

/**
 * Where the package keeps the bundle of one handler module (`http/create-verification-session` →
 * assets/http/create-verification-session/index.mjs).
 */
export const bundledAssetDir = (handlerModule: string, root = projectRoot) => join(root, 'assets', handlerModule);

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

/**
 * The verification page's catalogues (one JSON file per language) are not bundled: the module that
 * reads them (CATALOGUE_LOADER) finds them in `catalogues/` beside the running bundle, and a
 * request reads only its own language's file. They are copied into the asset of exactly the
 * functions whose bundle holds that module, as esbuild's metafile lists its inputs.
 */
export const CATALOGUE_LOADER = 'functions/hosted-page/catalogue-files.ts';
/** The catalogues' folder in the repository, and its name beside each bundle that needs it. */
export const CATALOGUE_SOURCE = 'functions/hosted-page/catalogues';
export const CATALOGUE_FOLDER = 'catalogues';

/**
 * The shell command, run after esbuild (local bundling, never Docker), that copies the catalogues
 * beside `index.mjs` when the bundle's metafile names the loader; nothing otherwise.
 */
export const copyPageCatalogues = (inputDir: string, outputDir: string): string =>
  `if grep -q '${CATALOGUE_LOADER}"' "${outputDir}/index.meta.json"; then ` +
  `mkdir -p "${outputDir}/${CATALOGUE_FOLDER}" && cp "${inputDir}/${CATALOGUE_SOURCE}/"*.json "${outputDir}/${CATALOGUE_FOLDER}/"; fi`;

/**
 * How every handler is bundled: NodejsFunction's options at synth here, and the same options given
 * to esbuild by the package's build (bin/build-package.ts), so both make the same bundle.
 */
export const BUNDLING = {
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
  commandHooks: {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir: string, outputDir: string) => [copyPageCatalogues(inputDir, outputDir)],
  },
} satisfies BundlingOptions;

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
  invokedBy?: 'api' | 'stream' | 'schedule' | 'queue';
  /**
   * Where the log group is made, when the function itself is built in a room's nested stack
   * (lib/rooms.ts): a construct of the parent stack, under which the log group is `<id>/Logs`. A
   * log group holds a year of records, and moving it between stacks would replace it and lose
   * them; a function holds nothing, so it may move. @default under the function's own construct
   */
  logsIn?: Construct;
  /**
   * Files copied beside the bundle, into `<bundle>/<dir>/<name>`: the liveness step's island and
   * WASM files (functions/hosted-page/liveness-assets.ts), too big for the inline bundle.
   */
  staticAssets?: { dir: string; files: Record<string, string> };
}

/**
 * The shell commands that copy `assets` (paths relative to the repository) into `outputDir`, for
 * NodejsFunction's afterBundling hook; names and paths are Verity's own constants, quoted anyway.
 */
export function staticAssetCommands(inputDir: string, outputDir: string, assets: { dir: string; files: Record<string, string> }): string[] {
  const quote = (path: string) => `'${path.replace(/'/g, "'\\''")}'`;
  return [
    `mkdir -p ${quote(join(outputDir, assets.dir))}`,
    ...Object.entries(assets.files).map(
      ([name, source]) => `cp ${quote(join(inputDir, source))} ${quote(join(outputDir, assets.dir, name))}`,
    ),
  ];
}

export class VerityFunction extends Construct {
  readonly function: LambdaFunction;
  /** The module under functions/ this function runs (what the package's build bundles). */
  readonly handlerModule: string;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: VerityFunctionProps) {
    super(scope, id);
    this.handlerModule = props.handlerModule;
    // Under `<logsIn>/<id>/Logs`: the path, and so the logical id, the log group had when the function was built beside it.
    const logScope = props.logsIn && props.logsIn !== scope ? new Construct(props.logsIn, id) : this;
    this.logGroup = new LogGroup(logScope, 'Logs', {
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
    const settings: Omit<FunctionProps, 'code' | 'handler'> = {
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
    };
    if (COMPILED) {
      const bundle = bundledAssetDir(props.handlerModule);
      if (!existsSync(join(bundle, 'index.mjs'))) {
        throw new Error(
          `Verity's bundle of ${props.handlerModule} is missing at ${bundle}: the package was built without \`npm run build\``,
        );
      }
      this.function = new LambdaFunction(this, 'Function', { ...settings, handler: 'index.handler', code: Code.fromAsset(bundle) });
    } else {
      this.function = new NodejsFunction(this, 'Function', {
        ...settings,
        entry: join(projectRoot, 'functions', `${props.handlerModule}.ts`),
        handler: 'handler',
        projectRoot,
        depsLockFilePath: join(projectRoot, 'package-lock.json'),
        bundling: props.staticAssets
          ? {
              ...BUNDLING,
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir, outputDir) => staticAssetCommands(inputDir, outputDir, props.staticAssets!),
              },
            }
          : BUNDLING,
      });
    }
    this.logGroup.grantWrite(this.role);
    if (network) this.role.addToPolicy(new PolicyStatement({ actions: VPC_ACCESS_ACTIONS, resources: ['*'] }));
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'Resource * is used only by actions that have no resource-level permissions: xray:PutTraceSegments and xray:PutTelemetryRecords ' +
        '(active tracing) and, for a stream consumer, dynamodb:ListStreams' +
        (network
          ? ", and by the network-interface actions Lambda needs to attach the function to the VPC (AWS's AWSLambdaVPCAccessExecutionRole)"
          : '') +
        '. Every other DynamoDB, KMS, logs, events and secrets statement names its resource.',
    });
    if (!network) {
      Validations.of(this.function).acknowledge({
        id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
        reason:
          "Verity's functions reach nothing but AWS APIs (DynamoDB, EventBridge, KMS, Secrets Manager, X-Ray, Textract, Rekognition), " +
          'each over TLS with IAM-signed requests, ' +
          "and the webhook functions the businesses' own public endpoints (signed requests; private, loopback and link-local addresses " +
          'refused); ' +
          'a VPC would add NAT or interface endpoints and protect no network resource. Give the stack a `vpc` (context vpcId=…) to run ' +
          'every function in yours.',
      });
    }
    Validations.of(this.function).acknowledge({
      id: 'Serverless::Serverless-LambdaDLQ',
      reason:
        props.invokedBy === 'stream'
          ? 'A stream event source mapping never invokes asynchronously: its failures go to the on-failure destination configured on the ' +
            'mapping (an encrypted SQS queue with an alarm).'
          : props.invokedBy === 'queue'
            ? 'An SQS event source mapping invokes synchronously: a failed message returns to its queue, whose redrive policy moves it ' +
              'to a dead-letter queue (with an alarm) after a few receives.'
            : props.invokedBy === 'schedule'
              ? 'A scheduled run carries no data to keep: a run that fails is retried by EventBridge, then redone by the next run, and ' +
                'its errors alarm.'
              : 'API Gateway invokes these functions synchronously and returns their errors to the caller; a Lambda dead-letter queue ' +
                'only receives failed asynchronous invocations.',
    });
  }
}
