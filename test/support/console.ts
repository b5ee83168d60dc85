/** The operators' console in tests: sign-in links made as `npm run keys -- console-link` makes them, and signing in with one. */
import { expect } from 'vitest';
import { newConsoleToken } from '../../functions/console/console-access';
import type { Scope } from '../../functions/domain/scope';
import { saveConsoleLink, type ConsoleRole } from '../../functions/store/console-sessions';

/** A new one-time link's token for `scope` (made `now`, 10 minutes valid from then). */
export async function consoleLinkToken(scope: Scope, role: ConsoleRole, email = `${role}@example.com`, now = new Date()): Promise<string> {
  const token = newConsoleToken();
  await saveConsoleLink(token, { scope, email, role }, now);
  return token;
}

/** Signs in with a link's token as the sign-in page's form does (from the console's own origin); the console cookie (`name=value`). */
export async function signInToConsole(serviceUrl: string, token: string): Promise<string> {
  const response = await fetch(`${serviceUrl}/console/sign_in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
    body: new URLSearchParams({ token }).toString(),
  });
  expect(response.status, await response.clone().text()).toBe(303);
  return response.headers.get('set-cookie')!.split(';')[0]!;
}

/** The CSRF token a console page's forms carry. */
export const csrfOf = (page: string) => /name="csrf_token" value="([^"]+)"/.exec(page)?.[1];
