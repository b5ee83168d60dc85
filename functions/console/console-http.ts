/**
 * What every console route shares: the middleware chain (a `Request-Id` on every answer, a refusal
 * shown as a page that says what to do, a failure of Verity's as a plain page with no detail),
 * HTML answers with a strict Content-Security-Policy (a nonce'd style, no script, nothing from
 * elsewhere, never framed) that are never cached, and the forms' bodies.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { uploadOrigin } from '../files/upload-origin';
import { htmlRoute, nonceHtml, seeOther } from '../http/html-responses';
import { isObjectId } from '../domain/ids';
import { parseFormEncoded, requestBodyText } from '../wire/params';
import { ConsoleRefusal } from './console-access';
import { renderRefusal, type Rendered } from './render';

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;

/** Every console answer: no caching anywhere (pages show personal data), no referrer (paths carry ids and links). */
export const CONSOLE_HEADERS = {
  'cache-control': 'no-store',
  pragma: 'no-cache',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

/** The console's Content-Security-Policy for a page rendered with `nonce`. */
export function consoleCsp(nonce: string): string {
  // data: for the inline icon (no request for /favicon.ico). A large image is a redirect to a
  // presigned GET on the bucket (AWS): the only other origin an image may come from.
  const uploads = uploadOrigin();
  return (
    `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'self' data:${uploads ? ` ${uploads}` : ''}; ` +
    `form-action 'self'; frame-ancestors 'none'; base-uri 'none'`
  );
}

/** A console page: `render` gets the nonce its one <style> must carry. */
export const consoleHtml = (render: (nonce: string) => Rendered, statusCode = 200, cookies?: string[]): Result =>
  nonceHtml(CONSOLE_HEADERS, consoleCsp, render, statusCode, cookies);

export const consoleRedirect = (location: string, cookies?: string[]): Result => seeOther(CONSOLE_HEADERS, location, cookies);

/** A form's fields (application/x-www-form-urlencoded); none when the body is not a form. */
export function formOf(event: Event): Record<string, unknown> {
  try {
    return parseFormEncoded(requestBodyText(event));
  } catch {
    return {};
  }
}

/** A query parameter, when given once and not empty. */
export const queryParam = (event: Event, name: string): string | undefined => {
  const value = event.queryStringParameters?.[name];
  return value === undefined || value === '' ? undefined : value;
};

/**
 * A console list page's cursors (`starting_after`, `ending_before`: ids with `prefix`, `refusal`
 * for anything else) as the store's list query takes them, and the links to the pages either side.
 */
export function consolePaging(event: Event, prefix: string, refusal: ConsoleRefusal) {
  const startingAfter = queryParam(event, 'starting_after');
  const endingBefore = queryParam(event, 'ending_before');
  for (const cursor of [startingAfter, endingBefore]) if (cursor !== undefined && !isObjectId(prefix, cursor)) throw refusal;
  const back = endingBefore !== undefined;
  return {
    query: { startingAfter: back ? undefined : startingAfter, endingBefore },
    /** `next` (older) and `previous` (newer) for a page that shows `data`, newest first. */
    links(data: readonly { id: string }[], hasMore: boolean): { next?: string; previous?: string } {
      // Going back, there are newer pages when the store says there is more; going on, when a cursor brought us here.
      const newer = back ? hasMore : startingAfter !== undefined;
      const older = back || hasMore;
      if (!data.length) return {};
      return { ...(older ? { next: data.at(-1)!.id } : {}), ...(newer ? { previous: data[0]!.id } : {}) };
    },
  };
}

/** A refusal is shown as a page that says what to do; a failure of Verity's as a plain page with no detail. */
export const consoleRoute = (handler: (event: Event) => Promise<Result>) =>
  htmlRoute(CONSOLE_HEADERS, handler, (error) =>
    error instanceof ConsoleRefusal ? consoleHtml((nonce) => renderRefusal(error, nonce), error.statusCode) : undefined,
  );
