/** Whose an object is: an account, in test or live mode. Its own module, since most of the house needs only this. */

/** Test mode's objects and live mode's never meet (Stripe's `livemode`). */
export type Mode = 'test' | 'live';

/** Every object belongs to one account in one mode; nothing crosses a scope. */
export interface Scope {
  account: string;
  mode: Mode;
}
