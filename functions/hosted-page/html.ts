/**
 * Markup built safely: every dynamic string reaches the page through the `html` tag, which escapes
 * it, and only `Html` (markup already made safe) is placed as it is.
 */

/** Markup that is already safe to place in the page. */
export class Html {
  constructor(readonly markup: string) {}
}
/** What `html` accepts: strings and numbers are escaped; `false`, `null` and `undefined` render nothing. */
export type Fragment = Html | string | number | false | null | undefined | readonly Fragment[];

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Safe in text and in quoted attribute values alike. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => ENTITIES[char]!);

export const toMarkup = (fragment: Fragment): string => {
  if (fragment instanceof Html) return fragment.markup;
  if (Array.isArray(fragment)) return (fragment as readonly Fragment[]).map(toMarkup).join('');
  if (fragment === false || fragment === null || fragment === undefined) return '';
  return escapeHtml(String(fragment));
};

/** Template tag: the literal parts are markup; every interpolated value is escaped unless it is already `Html`. */
export function html(literals: TemplateStringsArray, ...values: Fragment[]): Html {
  let markup = literals[0] ?? '';
  values.forEach((value, index) => {
    markup += toMarkup(value) + (literals[index + 1] ?? '');
  });
  return new Html(markup);
}
