/**
 * Who may use the operators' console, and what each may do. A console session is opened by a
 * one-time sign-in link (`npm run keys -- console-link`), signed in only from the console's own origin,
 * and carried by an HttpOnly, SameSite=Strict cookie (`__Host-` prefixed over https) whose value is stored
 * only as a keyed digest (functions/store/console-sessions.ts). Every console route asks for the role it needs itself (`requireConsole`);
 * every form (POST) carries a CSRF token derived from the console session, checked before anything is done.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { CONSOLE_SESSION_SECONDS, findConsoleSession, type ConsoleRole, type ConsoleSession } from '../store/console-sessions';
import { signingSecret } from '../secrets/signing-secret';

export const CONSOLE_COOKIE = 'verity_console';
/** Everything the console serves is under this path, and its cookie is sent nowhere else. */
export const CONSOLE_PATH = '/console';
/** How long an image link on a revealed page may be fetched: long enough to load the page's images, no more. */
export const IMAGE_LINK_SECONDS = 60;

/** What each role may do, on top of the roles below it. */
const RANK: Record<ConsoleRole, number> = { viewer: 0, reviewer: 1, admin: 2 };
export const ROLE_ABILITIES: Record<ConsoleRole, string> = {
  viewer: 'lists and sessions: statuses, history, error codes and reasons; no personal data',
  reviewer:
    'also reveals personal data (verified outputs, provided details, client reference, metadata, report values) and images, each recorded',
  admin: 'also cancels and redacts sessions',
};
export const hasRole = (session: ConsoleSession, role: ConsoleRole) => RANK[session.role] >= RANK[role];

/** A refusal the console shows as a page: never data, always what to do next. */
export class ConsoleRefusal extends Error {
  constructor(
    readonly statusCode: 400 | 401 | 403 | 404,
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}

export const signInRequired = () =>
  new ConsoleRefusal(
    401,
    'Sign in to the console',
    'You are not signed in, or your console session has ended. Ask whoever runs Verity for a new sign-in link (npx verity keys ' +
      'console-link, or npm run keys -- console-link in a clone of Verity).',
  );
export const roleRequired = (role: ConsoleRole, session: ConsoleSession) =>
  new ConsoleRefusal(403, 'Not allowed', `This needs the ${role} role; you are signed in as ${session.role}.`);
export const csrfRefused = () =>
  new ConsoleRefusal(
    403,
    'This form has expired',
    'The form was not sent from this console session (its security token is missing or wrong). Go back, reload the page and try again.',
  );
export const notFound = (what: string) =>
  new ConsoleRefusal(404, 'Not found', `There is no ${what} with this id in this account and mode.`);

/** A sign-in link's token: 256 random bits, base64url (newConsoleToken). */
export const LINK_TOKEN = /^[A-Za-z0-9_-]{43}$/;
/** The one answer to a link that does not sign in: used, expired and forged alike. */
export const linkRefused = () =>
  new ConsoleRefusal(
    401,
    'This sign-in link does not work',
    'The link was already used, has expired (links last 10 minutes), or is not a sign-in link. Ask whoever runs Verity for a new one ' +
      '(npx verity keys console-link, or npm run keys -- console-link in a clone of Verity).',
  );

/** A new cookie value: 256 random bits. */
export const newConsoleToken = () => randomBytes(32).toString('base64url');

/**
 * Whether the browser reached the console over https: everywhere but on this machine
 * (http://localhost, npm start), where a browser keeps no Secure cookie from plain http. In AWS
 * the host is never a loopback name.
 */
const hostOf = (event: APIGatewayProxyEventV2) => (event.headers?.host ?? '').toLowerCase();
const secure = (event: APIGatewayProxyEventV2) => !['localhost', '127.0.0.1', '[::1]'].includes(hostOf(event).replace(/:\d+$/, ''));

/**
 * The console cookie's name and attributes. Over https it is `__Host-verity_console`: a browser
 * keeps a cookie of that name only when it is Secure, has no Domain and has Path=/ (RFC 6265bis),
 * so no other site, not even a sibling subdomain, can plant its own console session in the
 * operator's browser (cookie tossing: login CSRF by another road). Path=/ sends it to the API's
 * other paths too, none of which reads it. On http://localhost it keeps the plain name and the console's path.
 */
export const consoleCookieOf = (event: APIGatewayProxyEventV2) =>
  secure(event)
    ? { name: `__Host-${CONSOLE_COOKIE}`, attributes: 'Path=/', flags: '; Secure' }
    : { name: CONSOLE_COOKIE, attributes: `Path=${CONSOLE_PATH}`, flags: '' };

/** The console cookie's value as the browser sent it, by the name the request's scheme calls for. */
export function consoleToken(event: APIGatewayProxyEventV2): string | undefined {
  const { name: wanted } = consoleCookieOf(event);
  for (const cookie of event.cookies ?? []) {
    const [name, ...rest] = cookie.trim().split('=');
    if (name === wanted) {
      const value = rest.join('=');
      return /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

export const consoleCookie = (token: string, event: APIGatewayProxyEventV2) => {
  const { name, attributes, flags } = consoleCookieOf(event);
  return `${name}=${token}; ${attributes}; Max-Age=${CONSOLE_SESSION_SECONDS}; HttpOnly; SameSite=Strict${flags}`;
};
export const clearedConsoleCookie = (event: APIGatewayProxyEventV2) => {
  const { name, attributes, flags } = consoleCookieOf(event);
  return `${name}=; ${attributes}; Max-Age=0; HttpOnly; SameSite=Strict${flags}`;
};

/**
 * Whether a POST was sent by a page of the console's own origin (the sign-in page's form), as the
 * browser says: `Sec-Fetch-Site: same-origin`, or, from a browser that sends no Fetch Metadata,
 * an `Origin` that is the console's own (https://host, or http on this machine; the sign-in page's
 * Referrer-Policy lets browsers send it). A same-site page (a sibling subdomain), a cross-site one,
 * a request that says neither, and an `Origin` of another host are not. (Fetch Metadata: https://www.w3.org/TR/fetch-metadata/)
 */
export function sentFromConsoleOrigin(event: APIGatewayProxyEventV2): boolean {
  const site = event.headers?.['sec-fetch-site'];
  const origin = event.headers?.origin;
  const own = origin?.toLowerCase() === `${secure(event) ? 'https' : 'http'}://${hostOf(event)}`;
  // Sec-Fetch-Site, which no page can set, decides when sent; an Origin beside it must be ours,
  // or `null` (a page or a browser that withholds it). Without it, only our own Origin will do.
  if (site !== undefined) return site === 'same-origin' && (origin === undefined || origin === 'null' || own);
  return own;
}

/** The request's live console session with at least `role`; a refusal otherwise. */
export async function requireConsole(
  event: APIGatewayProxyEventV2,
  role: ConsoleRole,
  now: Date,
): Promise<{ session: ConsoleSession; token: string }> {
  const token = consoleToken(event);
  const session = token === undefined ? undefined : await findConsoleSession(token, now);
  if (!session || token === undefined) throw signInRequired();
  if (!hasRole(session, role)) throw roleRequired(role, session);
  return { session, token };
}

const tag = (purpose: string, ...parts: (string | number)[]) =>
  createHmac('sha256', signingSecret())
    .update(['console', purpose, ...parts].join(':'))
    .digest('base64url');

const same = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** The CSRF token of a console session: every form carries it, and a POST without it does nothing. */
export const csrfToken = (session: ConsoleSession) => tag('csrf', session.id);

export function checkCsrf(session: ConsoleSession, form: Record<string, unknown>): void {
  const sent = form.csrf_token;
  if (typeof sent !== 'string' || !same(sent, csrfToken(session))) throw csrfRefused();
}

/** A short-lived link to one image, for one console session: `?link=<expires>.<tag>`. */
export function imageLink(session: ConsoleSession, fileId: string, now: Date): string {
  const expires = Math.floor(now.getTime() / 1000) + IMAGE_LINK_SECONDS;
  return `${CONSOLE_PATH}/files/${encodeURIComponent(fileId)}/contents?link=${expires}.${tag('image', session.id, fileId, expires)}`;
}

export function imageLinkValid(session: ConsoleSession, fileId: string, link: string | undefined, now: Date): boolean {
  const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(link ?? '');
  if (!match) return false;
  const expires = Number(match[1]);
  return expires > now.getTime() / 1000 && same(match[2]!, tag('image', session.id, fileId, expires));
}
