/** Stripe's `type` filter on events: an event name, or a group of them with `*` as a wildcard. */
import { SESSION_EVENT_TYPES, type SessionEventType } from './events';

export function eventTypesMatching(pattern: string): SessionEventType[] {
  return SESSION_EVENT_TYPES.filter((type) => matchesWildcard(pattern, type));
}

/**
 * Whether `text` is `pattern` with each `*` standing for any run of characters (none included).
 * No regular expression: a pattern comes from the request, and a backtracking engine takes time
 * exponential in its stars. Here the pieces between stars are found left to right, each at its
 * first place after the one before (the earliest place leaves the most room for the rest), so the
 * work is at most the pattern's length times the text's, whatever the pattern.
 */
export function matchesWildcard(pattern: string, text: string): boolean {
  const pieces = pattern.split('*');
  if (pieces.length === 1) return pattern === text;
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  if (first.length + last.length > text.length || !text.startsWith(first) || !text.endsWith(last)) return false;
  const end = text.length - last.length;
  let position = first.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i]!;
    if (piece === '') continue;
    const found = text.indexOf(piece, position);
    if (found === -1 || found + piece.length > end) return false;
    position = found + piece.length;
  }
  return true;
}
