import { randomBytes } from 'node:crypto';

/** Base62 in ASCII order, so that ids compare as strings in the order they were made. */
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const TIME_LENGTH = 8; // 62^8 ms lasts until the year 8000
const RANDOM_LENGTH = 16;
const MAX_TIME_MS = 62 ** TIME_LENGTH;

/**
 * A Stripe-like id (`vs_` + 24 characters) whose first 8 characters are the creation time in
 * milliseconds. Sorting ids sorts by creation time, so the list indexes need no second sort key.
 */
export function newObjectId(prefix: string, nowMs: number = Date.now()): string {
  return `${prefix}_${encodeTime(nowMs)}${randomToken(RANDOM_LENGTH)}`;
}

/** The smallest string that sorts after every id made before `seconds` and before every id made at or after it. */
export function idFloorForTime(prefix: string, seconds: number): string {
  // Past the last time an id can encode, the floor sorts after every id.
  if (seconds * 1000 >= MAX_TIME_MS) return `${prefix}_~`;
  return `${prefix}_${encodeTime(Math.max(0, seconds) * 1000)}`;
}

/** When the id `prefix_…` was made (by `newObjectId`), in epoch seconds: what its place in a list's `created` range is decided by. */
export function secondsOfId(id: string): number {
  const time = id.slice(id.indexOf('_') + 1, id.indexOf('_') + 1 + TIME_LENGTH);
  let ms = 0;
  for (const char of time) ms = ms * 62 + ALPHABET.indexOf(char);
  return Math.floor(ms / 1000);
}

export function isObjectId(prefix: string, value: string): boolean {
  return new RegExp(`^${prefix}_[0-9A-Za-z]{${TIME_LENGTH + RANDOM_LENGTH}}$`).test(value);
}

export function randomToken(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 62 * 4: rejecting the rest keeps every character equally likely.
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

function encodeTime(ms: number): string {
  let value = Math.floor(ms);
  let out = '';
  for (let i = 0; i < TIME_LENGTH; i++) {
    out = ALPHABET[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}
