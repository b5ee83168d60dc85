import { marshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context, DynamoDBRecord } from 'aws-lambda';

/**
 * An API Gateway HTTP API (payload 2.0) event as AWS delivers it: lower-case headers, and a
 * form body base64-encoded.
 */
export function httpApiEvent(options: {
  method: string;
  path: string;
  routeKey?: string;
  secretKey?: string;
  query?: string;
  form?: string;
  json?: unknown;
  pathParameters?: Record<string, string>;
  headers?: Record<string, string>;
}): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = { ...options.headers };
  if (options.secretKey) headers.authorization = `Bearer ${options.secretKey}`;
  let body: string | undefined;
  let isBase64Encoded = false;
  if (options.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = Buffer.from(options.form).toString('base64');
    isBase64Encoded = true;
  } else if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  return {
    version: '2.0',
    routeKey: options.routeKey ?? `${options.method} ${options.path}`,
    rawPath: options.path,
    rawQueryString: options.query ?? '',
    headers,
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method: options.method, path: options.path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' },
      requestId: 'apigw-request',
      routeKey: options.routeKey ?? `${options.method} ${options.path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded,
    ...(body !== undefined ? { body } : {}),
  };
}

export const lambdaContext = {
  functionName: 'test',
  awsRequestId: 'aws-request',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** Invokes a handler module as Lambda would and returns status, headers and parsed body. */
export async function invoke(handler: Handler, event: APIGatewayProxyEventV2) {
  const result = await handler(event, lambdaContext);
  return {
    statusCode: result.statusCode!,
    headers: result.headers as Record<string, string>,
    body: JSON.parse(result.body ?? 'null') as any,
  };
}

let sequence = 1000;
/** A stream record of a newly inserted (or otherwise changed) item, in the shape Lambda delivers. */
export function streamRecord(item: Record<string, unknown>, eventName: DynamoDBRecord['eventName'] = 'INSERT'): DynamoDBRecord {
  const image = marshall(item, { removeUndefinedValues: true }) as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'];
  return {
    eventID: `${sequence}`,
    eventName,
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-west-1',
    dynamodb: {
      Keys: { pk: image!.pk!, sk: image!.sk! },
      NewImage: image,
      SequenceNumber: `${sequence++}`,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}
