/**
 * The texts the script shows, in the page's language: the server renders them into the form's
 * `data-messages` attribute (a JSON object: `SCRIPT_MESSAGES`, functions/hosted-page/script-messages.ts),
 * so no text and no message-format library lives in the bundle. `{name}` placeholders are filled here.
 */
import type { ScriptMessageKey } from '../../functions/hosted-page/script-messages';

/** Every text the script may show, by key; the server sends all of them. */
export type MessageKey = ScriptMessageKey;

let catalogue: Record<string, string> = {};

/** Reads the form's catalogue once; a page without one shows the keys, which a test would catch. */
export function loadMessages(form: HTMLElement): void {
  try {
    catalogue = JSON.parse(form.getAttribute('data-messages') ?? '{}') as Record<string, string>;
  } catch {
    catalogue = {};
  }
}

/** The text for `key`, with each `{name}` replaced by `values[name]`. */
export function message(key: MessageKey, values: Record<string, string | number> = {}): string {
  const text = catalogue[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
