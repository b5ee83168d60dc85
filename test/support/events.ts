import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

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

export const lambdaContext = { functionName: 'test', awsRequestId: 'aws-request', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

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
