/**
 * The HTTP API: one route and one Lambda per entry of the route table (functions/routes.ts),
 * each function allowed exactly the DynamoDB actions its entry names, on the table and only
 * the indexes it reads.
 */
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { DomainName, HttpApi, HttpMethod, HttpRoute, HttpRouteKey, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { DynamoAction, Route } from '../functions/routes';
import { TABLE_NAME_ENV, objectKey } from '../functions/store/schema';
import { indexArns, indexReadsEnvironment } from './index-migration';
import { VerityFirewall, type FirewallProps } from './firewall';
import { roomOf, type VerityRooms } from './rooms';
import { grantFaces } from './faces';
import type { VerityUploads } from './uploads';
import { LOG_RETENTION, VerityFunction } from './verity-function';
import { LIVENESS_ASSET_SOURCES, LIVENESS_ASSETS_DIR } from '../functions/hosted-page/liveness-assets';

export interface VerityApiProps {
  routes: Route[];
  table: Table;
  key: Key;
  /** Signs each session's client_secret and url; a function reads it from Secrets Manager at start. */
  signingSecret: ISecret;
  /** Steady-state requests per second and burst for the whole stage. */
  throttle: { rateLimit: number; burstLimit: number };
  /** More configuration for every function that reads or changes data (redaction delay, retention). */
  environment?: Record<string, string>;
  /** Serve the API on your own domain, with an ACM certificate in the stack's region. */
  customDomain?: { domainName: string; certificateArn: string };
  /** Serve the API through CloudFront and AWS WAF (lib/firewall.ts); its URL becomes the API's. */
  firewall?: FirewallProps;
  /**
   * The uploads bucket: each route gets the actions its `uploads` names (functions/routes.ts), and the bucket's CORS admits POSTs from the
   * API's URL.
   */
  uploads?: VerityUploads;
  /** The prefix of the stack's face collections (lib/faces.ts): each route gets the `faces` actions it names on them. */
  faceCollectionPrefix?: string;
  /**
   * Where each route's function and route are built: its room's nested stack (lib/rooms.ts). The
   * API, its stage, domain and access logs, and every function's log group stay in this
   * construct's stack. @default all in this construct
   */
  rooms?: VerityRooms;
}

/** Actions that change items: the caller must be able to encrypt with the table's key. */
const WRITE_ACTIONS: DynamoAction[] = ['PutItem', 'UpdateItem', 'DeleteItem'];

export class VerityApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly functions = new Map<string, VerityFunction>();
  readonly firewall?: VerityFirewall;
  /** The base URL clients use. */
  readonly url: string;
  /** With `customDomain`: the API Gateway domain the user's DNS record (CNAME or alias) must point at. */
  readonly customDomainTarget?: string;

  constructor(scope: Construct, id: string, props: VerityApiProps) {
    super(scope, id);
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Verity: the Stripe Identity API',
      createDefaultStage: false,
    });
    const domain = props.customDomain
      ? new DomainName(this, 'Domain', {
          domainName: props.customDomain.domainName,
          certificate: Certificate.fromCertificateArn(this, 'Certificate', props.customDomain.certificateArn),
        })
      : undefined;
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: LOG_RETENTION,
      encryptionKey: props.key,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      ...(domain ? { domainMapping: { domainName: domain } } : {}),
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // No source IP and no user agent: access logs hold no personal data.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTimeEpoch',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            responseLength: '$context.responseLength',
          }),
        ),
      },
    });
    this.firewall = props.firewall ? new VerityFirewall(this, 'Firewall', { ...props.firewall, api: this.httpApi }) : undefined;
    this.customDomainTarget = domain?.regionalDomainName;
    this.url = domain ? `https://${props.customDomain!.domainName}` : (this.firewall?.url ?? this.httpApi.apiEndpoint);
    // The page is served from the API's URL, and its script POSTs photos to the bucket.
    props.uploads?.allowPostFrom(this.url);

    for (const route of props.routes) {
      const room = props.rooms?.stack(roomOf(route)) ?? this;
      const fn = new VerityFunction(room, route.name, {
        logsIn: this,
        handlerModule: route.handler,
        description: `Verity ${route.routeKey}`,
        ...(route.staticAssets === 'liveness' ? { staticAssets: { dir: LIVENESS_ASSETS_DIR, files: LIVENESS_ASSET_SOURCES } } : {}),
        environmentKey: props.key,
        environment: route.dynamodb.length
          ? {
              [TABLE_NAME_ENV]: props.table.tableName,
              VERITY_PUBLIC_URL: this.url,
              // Where the function reads the secret at start (functions/wire/session-secrets.ts):
              // the secret itself is never in the template nor in the function's configuration.
              VERITY_SIGNING_SECRET_ARN: props.signingSecret.secretArn,
              ...(route.indexes.length ? indexReadsEnvironment(this) : {}),
              ...props.environment,
            }
          : // A route that reads only its keyed items (a logo) needs the table, and no secret.
            route.keyed
            ? { [TABLE_NAME_ENV]: props.table.tableName }
            : {},
      });
      grantRoute(fn, route, props.table, props.key);
      if (route.uploads) {
        if (!props.uploads) throw new Error(`The route ${route.name} needs the uploads bucket (uploads: ${route.uploads.join(', ')})`);
        props.uploads.grantRoute(fn, route.uploads);
      }
      if (route.faces) {
        if (!props.faceCollectionPrefix)
          throw new Error(`The route ${route.name} needs the face collections (faces: ${route.faces.join(', ')})`);
        grantFaces(fn, props.faceCollectionPrefix, route.faces);
      }
      if (route.dynamodb.length) {
        fn.role.addToPolicy(
          new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [props.signingSecret.secretArn] }),
        );
      }
      const httpRoute = new HttpRoute(room, `${route.name}Route`, {
        httpApi: this.httpApi,
        routeKey: httpRouteKey(route.routeKey),
        integration: new HttpLambdaIntegration(`${route.name}Integration`, fn.function),
      });
      const authorizationReason = route.unauthenticatedReason
        ? route.unauthenticatedReason
        : route.authenticated
          ? "The function authenticates every request itself: it hashes the caller's Stripe secret key and looks the hash up " +
            '(functions/http/authenticate.ts), ' +
            "because an HTTP API authorizer can only deny with API Gateway's own body, never Stripe's 401 error object that Stripe " +
            'clients expect.'
          : route.dynamodb.length
            ? "The verification page is opened by a person, not a business: the function checks the session's signed, single-use url " +
              'token and then a signed cookie (functions/hosted-page/page-access.ts).'
            : route.keyed
              ? "A business's logo is public, like the page that shows it: the function reads only logo items (dynamodb:LeadingKeys), by " +
                'an id derived from the image.'
              : 'This route answers every unknown path with a 404 error object; it reads no data and its function has no data permissions.';
      Validations.of(httpRoute).acknowledge(
        { id: 'AwsSolutions::AwsSolutions-APIG4', reason: authorizationReason },
        { id: 'cdk-validator-cfnguard::api_gw_v2_authorization_type_configured_check', reason: authorizationReason },
        {
          id: 'cdk-validator-cfnguard::lambda_function_public_access_prohibited_check',
          reason:
            "Only API Gateway may invoke the function, and only from this API's own routes: the permission's SourceArn is this API's " +
            'execute-api ARN, which names the account. ' +
            'The rule reads only a literal string or a plain Ref/GetAtt there, and the ARN is built with Fn::Join.',
        },
      );
      this.functions.set(route.name, fn);
    }
  }
}

function httpRouteKey(routeKey: string): HttpRouteKey {
  if (routeKey === '$default') return HttpRouteKey.DEFAULT;
  const [method, path] = routeKey.split(' ') as [keyof typeof HttpMethod, string];
  return HttpRouteKey.with(path, HttpMethod[method]);
}

/**
 * IAM patterns (StringLike) matching the partition key of every object of the given kinds, in any
 * account and mode: built with the store's own objectKey(), so they follow its key layout. Account
 * ids are `acct_…`, and no partition key other than an object's holds `#<mode>#<kind>_`.
 */
export function objectPartitionPatterns(kinds: string[]): string[] {
  return kinds.flatMap((kind) => (['test', 'live'] as const).map((mode) => objectKey({ account: 'acct_*', mode }, `${kind}_*`, '').pk));
}

/**
 * Exactly the route's actions: item actions on the table (on its objects' items only, when it names them), Query on the named indexes, and
 * the key uses they imply.
 */
function grantRoute(fn: VerityFunction, route: Route, table: Table, key: Key): void {
  const itemActions = route.dynamodb.filter((action) => action !== 'Query');
  if (itemActions.length) {
    fn.role.addToPolicy(
      new PolicyStatement({
        actions: itemActions.map((a) => `dynamodb:${a}`),
        resources: [table.tableArn],
        // Every item request carries its partition key, so ForAllValues never meets an empty set here.
        ...(route.objects
          ? { conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': objectPartitionPatterns(route.objects) } } }
          : {}),
      }),
    );
  }
  // The items a lean index's page found, by their keys: on their partitions only (functions/routes.ts `ITEM_FETCHES`).
  if (route.fetches?.length) {
    fn.role.addToPolicy(
      new PolicyStatement({
        actions: ['dynamodb:BatchGetItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': route.fetches } },
      }),
    );
  }
  if (route.dynamodb.includes('Query')) {
    fn.role.addToPolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: indexArns(fn, table.tableArn, route.indexes),
      }),
    );
  }
  const keyed = [...(route.keyed ? [route.keyed] : []), ...(route.alsoKeyed ?? [])];
  for (const grant of keyed) {
    fn.role.addToPolicy(
      new PolicyStatement({
        actions: grant.actions.map((a) => `dynamodb:${a}`),
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': grant.partitionKeys } },
      }),
    );
  }
  if (route.dynamodb.length || keyed.length || route.fetches?.length) {
    const writes = [...route.dynamodb, ...keyed.flatMap((grant) => grant.actions)].some((action) => WRITE_ACTIONS.includes(action));
    fn.role.addToPolicy(
      new PolicyStatement({
        actions: writes ? ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt', 'kms:DescribeKey'],
        resources: [key.keyArn],
      }),
    );
  }
}
