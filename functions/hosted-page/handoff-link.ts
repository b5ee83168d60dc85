/** Where a hand-off link opens (functions/http/open-verification-handoff.ts): on the page's public host. */
import { publicUrl } from '../wire/session-secrets';
import { matchLocale } from './page-locale';

/** The path of a hand-off credential's link. */
export const handoffPath = (credential: string) => `/handoff/${credential}`;

/**
 * The full link for `credential`, keeping a language the desktop's page was asked for with `locale`
 * (only a supported one: the phone's own `Accept-Language` chooses otherwise).
 */
export function handoffUrl(credential: string, locale: string | undefined): string {
  const kept = locale ? matchLocale(locale) : undefined;
  return `${publicUrl()}${handoffPath(credential)}${kept ? `?locale=${encodeURIComponent(kept)}` : ''}`;
}
