/**
 * Stands in for API Gateway's HTTP API on one machine: each request becomes a payload-2.0
 * event for the handler module that the route table names, exactly as Lambda would receive it.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { routes, type Route } from '../functions/routes';
import { withSessionKeyGrant } from '../functions/store/key-grants';
import { importFunctionModule } from './function-modules';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** HTTP API's payload limit. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Content types HTTP API passes as text; everything else (form bodies included) arrives base64-encoded. */
const TEXT_CONTENT_TYPE = /^(text\/|application\/(json|xml|javascript))/i;

interface CompiledRoute {
  route: Route;
  method: string;
  pattern: RegExp;
  paramNames: string[];
}

function compile(route: Route): CompiledRoute | undefined {
  if (route.routeKey === '$default') return undefined;
  const [method, path] = route.routeKey.split(' ') as [string, string];
  const paramNames: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      paramNames.push(param[1]!);
      return '([^/]+)';
    })
    .join('/');
  return { route, method, pattern: new RegExp(`^${source}$`), paramNames };
}

export function matchRoute(
  method: string,
  path: string,
  table: Route[] = routes,
): { route: Route; pathParameters?: Record<string, string> } {
  for (const compiled of table.map(compile)) {
    if (!compiled || compiled.method !== method) continue;
    const match = compiled.pattern.exec(path);
    if (!match) continue;
    const pathParameters = Object.fromEntries(compiled.paramNames.map((name, i) => [name, decodePathSegment(match[i + 1]!)]));
    return { route: compiled.route, ...(compiled.paramNames.length ? { pathParameters } : {}) };
  }
  return { route: table.find((route) => route.routeKey === '$default')! };
}

/** A segment that is not valid percent-encoding is passed on as it came; the handler refuses it. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The route table names the module. */
function loadHandler(route: Route): Promise<Handler> {
  return importFunctionModule(route.handler).then((module) => module.handler as Handler);
}

export async function toEvent(request: IncomingMessage, body: Buffer): Promise<{ event: APIGatewayProxyEventV2; route: Route }> {
  // The request target is a path: `//x` is a path here too, not a host.
  const url = new URL(`http://localhost${request.url ?? '/'}`);
  const method = request.method ?? 'GET';
  const { route, pathParameters } = matchRoute(method, url.pathname);
  // Names chosen by the client: null-prototype maps keep `constructor` or `__proto__` ordinary keys.
  const headers: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  // Payload 2.0 moves cookies out of the headers into their own list.
  const cookies = headers.cookie
    ?.split(';')
    .map((cookie) => cookie.trim())
    .filter(Boolean);
  delete headers.cookie;
  const queryStringParameters: Record<string, string> = Object.create(null);
  for (const [name, value] of url.searchParams) {
    queryStringParameters[name] = Object.hasOwn(queryStringParameters, name) ? `${queryStringParameters[name]},${value}` : value;
  }
  const asText = TEXT_CONTENT_TYPE.test(headers['content-type'] ?? '');
  const now = new Date();
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(cookies?.length ? { cookies } : {}),
    ...(url.search ? { queryStringParameters } : {}),
    ...(pathParameters ? { pathParameters } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: body.length > 0 && !asText,
    ...(body.length ? { body: asText ? body.toString('utf8') : body.toString('base64') } : {}),
  };
  return { event, route };
}

function lambdaContext(route: Route): Context {
  const deadline = Date.now() + 29_000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: route.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${route.name}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${route.name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(response: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  const body = result.body === undefined ? '' : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
  const headers: Record<string, string | string[]> = { ...(result.headers as Record<string, string>) };
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(body);
}

/** A route the local runtime serves itself, outside the route table (one that stands in for another AWS service). */
export type LocalRoute = { method: string; path: string; serve: (request: IncomingMessage, response: ServerResponse) => Promise<void> };

async function serve(request: IncomingMessage, response: ServerResponse, localRoutes: LocalRoute[] = []): Promise<void> {
  // Before any of the body is read: such a route reads (and bounds) its own body.
  const path = (request.url ?? '/').split('?')[0];
  const local = localRoutes.find((route) => route.method === request.method && route.path === path);
  if (local) return local.serve(request, response);
  // A declared length over the limit is refused before any of the body is read, as API Gateway does.
  const declared = Number(request.headers['content-length'] ?? 0);
  const body = declared > MAX_BODY_BYTES ? undefined : await readBody(request);
  if (!body) {
    response.shouldKeepAlive = false;
    send(response, { statusCode: 413, headers: { 'content-type': 'application/json' }, body: '{"message":"Request Entity Too Large"}' });
    return;
  }
  let converted: Awaited<ReturnType<typeof toEvent>>;
  try {
    converted = await toEvent(request, body);
  } catch {
    send(response, { statusCode: 400, headers: { 'content-type': 'application/json' }, body: '{"message":"Bad Request"}' });
    return;
  }
  const { event, route } = converted;
  try {
    const handler = await loadHandler(route);
    // With the route's own access to session keys, as its role has in AWS.
    send(response, await withSessionKeyGrant(route.name, route.sessionKeys, () => handler(event, lambdaContext(route))));
  } catch (error) {
    // What API Gateway answers when the function itself fails.
    console.error(JSON.stringify({ level: 'error', route: route.name, name: (error as Error).name, message: (error as Error).message }));
    send(response, { statusCode: 500, headers: { 'content-type': 'application/json' }, body: '{"message":"Internal Server Error"}' });
  }
}

export interface LocalApi {
  url: string;
  close(): Promise<void>;
}

export async function startLocalApi(options: { port?: number; host?: string; localRoutes?: LocalRoute[] } = {}): Promise<LocalApi> {
  const server: Server = createServer((request, response) => {
    serve(request, response, options.localRoutes).catch(() => response.destroy());
  });
  // A request line or headers too large for the server: answered as the gateway does, in JSON.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const [status, message] = tooLarge ? ['431', 'Request Header Fields Too Large'] : ['400', 'Bad Request'];
    if (socket.writable)
      socket.end(`HTTP/1.1 ${status} ${message}\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{"message":"${message}"}`);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, host, () => done());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
