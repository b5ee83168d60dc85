/**
 * The texts the script shows, in the page's language: the server renders each from its catalogue
 * into the form's `data-message-<key>` attribute (functions/hosted-page/script-messages.ts, render.ts
 * `scriptMessages`), so no text and no message-format library lives in the bundle. The few
 * `{name}` placeholders the script knows only in the page (a photo's size) are filled here.
 */
import type { ScriptMessageKey } from '../../functions/hosted-page/script-messages';

/** Every text the script may show, by key; the server sends all of them. */
export type MessageKey = ScriptMessageKey;

let form: HTMLElement | null = null;
let numbers: Intl.NumberFormat | null = null;

/** Reads the texts from `element` (the capture form) from now on; numbers are formatted in the page's language. */
export function loadMessages(element: HTMLElement): void {
  form = element;
  try {
    numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);
  } catch {
    numbers = new Intl.NumberFormat();
  }
}

/** The text for `key`, with each `{name}` replaced by `values[name]` (numbers as the page's language writes them). */
export function message(key: MessageKey, values: Record<string, string | number> = {}): string {
  const text = form?.getAttribute(`data-message-${key.replace(/_/g, '-')}`) ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) return whole;
    return typeof value === 'number' && numbers ? numbers.format(value) : String(value);
  });
}
