/**
 * What the hosted verification page shows, decided by the server; hosted-page/render.ts turns a
 * view into HTML. Nothing here is personal data: the page never echoes what the person typed.
 */
import type { AccentPalette } from '../domain/account-profile';
import type { FailureCode, TestCase } from '../domain/verification-checks';
import type { DocumentType, SessionType } from '../domain/verification-session';
import type { Mode } from '../domain/scope';
import { formattingLocale, type Messages, type PageLocale } from './messages';

/**
 * The ID numbers the page accepts (the submit route checks exactly this): the last 4 or all 9
 * digits of a US Social Security number, with the country's name in the page's language
 * (Intl.DisplayNames).
 */
export const idNumberValues = (m: Messages) => ({
  short: 4,
  full: 9,
  country: new Intl.DisplayNames(formattingLocale(m.locale), { type: 'region' }).of('US') ?? 'US',
});

/** The accepted ID numbers in the words the consent list and the error use: one phrase, so they cannot disagree. */
export const idNumberDigits = (m: Messages) => m.t('id_number.digits', idNumberValues(m));

/** What the session's type and options ask the person for. */
export interface PageRequirements {
  sessionType: SessionType;
  /** Documents the person may use (all three when the session allows any). Empty for `id_number` sessions. */
  documentTypes: DocumentType[];
  /** A picture of the document's front (and back, except for passports) is asked for. */
  document: boolean;
  selfie: boolean;
  idNumber: boolean;
  /**
   * The person's first and last name and date of birth are asked for: a live `id_number` session,
   * whose ID-number provider matches the number against them (no document shows them).
   */
  personDetails?: boolean;
  /** Images must come from the device's camera, not from files. */
  liveCapture: boolean;
}

/** A test-mode outcome the page offers: labelled with its code, described in the page's language. */
export interface TestCaseOption {
  id: TestCase;
}

/** What the account's public profile adds to the page (functions/domain/account-profile.ts). */
export interface PageBranding {
  /** The page opens with the business's name (and logo): the profile names it or has a logo. */
  header: boolean;
  /** Served by Verity itself (`/branding/logos/{id}`), with its size in pixels. */
  logo?: { src: string; width: number; height: number };
  /** The page's colours, from the profile's `primary_color`. */
  palette?: AccentPalette;
  supportEmail?: string;
  supportUrl?: string;
  /** The business's privacy policy (the profile's `privacy_policy_url`; in live mode only an https one). */
  privacyPolicyUrl?: string;
}

interface Common {
  /** Who asks, in plain words: the profile's name or the return URL's host name; null for "the business that sent you here". */
  business: string | null;
  /** The page's language (page-locale.ts chooses it); English when absent. */
  locale?: PageLocale;
  mode: Mode;
  /** Only for a proven link of an account with a profile. */
  branding?: PageBranding;
}

export type PageView =
  /** First step: what will be asked, why, and a choice to accept or decline. */
  | (Common & {
      kind: 'consent';
      requirements: PageRequirements;
      /**
       * An HTML form POSTs here with `consent=accept`, `consent=ask_decline` (the Decline button,
       * answered with the confirm_decline view) or `consent=decline` (confirmed).
       */
      formAction: string;
      /** Why the last attempt failed (the session's `last_error.code`), when the person is back after one. */
      retry?: FailureCode | null;
      /** How long images and details are kept after the verification ends (the retention policy), null when it is off. */
      retentionDays?: number | null;
    })
  /** The Decline button's answer: are you sure? Confirming POSTs `consent=decline` to `formAction`; going back is a link to it. */
  | (Common & { kind: 'confirm_decline'; formAction: string })
  /** Second step: collect what the requirements name; in test mode, offer the test cases. */
  | (Common & {
      kind: 'capture';
      requirements: PageRequirements;
      /**
       * The page's script POSTs JSON here (same origin, cookie-authenticated):
       * `{ document_type?, document_front?, document_back?, selfie?, id_number?,
       * person_details?: { first_name, last_name, dob: { day, month, year } } (strings as typed), test_case?, delay? }`,
       * images as `data:image/jpeg;base64,…` URLs. The answer is `200 { redirect_url }`, or
       * `4xx { error: { message, param } }` where `param` names the field to fix.
       */
      submitUrl: string;
      /** Test mode only; empty in live mode. The first one is preselected. */
      testCases: TestCaseOption[];
      /** Test mode: how long "with a processing delay" waits, in seconds. */
      delaySeconds: number;
      /** Why the last attempt failed, when the person is back after one. */
      retry?: FailureCode | null;
      /**
       * The liveness part of the selfie (functions/hosted-page/liveness-step.ts), when it is on: the
       * script POSTs `{}` to `sessionsUrl` when the person starts it (a liveness session lives 3
       * minutes), then runs AWS's component (`aws`, with its files under `assetsPath`, streaming in
       * `region`) or test mode's stand-in, and submits `liveness_session` (or `liveness_unavailable: true`).
       */
      liveness?: { mode: 'aws' | 'stand_in'; sessionsUrl: string; assetsPath: string; region: string | null };
      /**
       * Desktop to phone (functions/http/create-verification-handoff.ts): the page's script POSTs here for a
       * hand-off link and its QR code, and GETs it to follow the session (functions/http/follow-verification-page.ts).
       */
      handoffUrl?: string;
    })
  /**
   * After submitting, while the checks run: the page looks again at `next` every `checkSeconds`
   * (its small script; a link without JavaScript), and when `next` is null it has waited long
   * enough and says the result will come later.
   */
  | (Common & { kind: 'processing'; returnUrl: string | null; next: string | null; checkSeconds: number })
  /**
   * After submitting or declining: submitted (the result comes later), verified, failed (with the
   * reason, `retry`) or declined. With a return URL, a verdict sends the person back to it.
   */
  | (Common & {
      kind: 'finished';
      outcome: 'submitted' | 'declined' | 'verified' | 'failed';
      returnUrl: string | null;
      retry?: FailureCode | null;
    })
  /** The link cannot be used: explains why and what to do. */
  | (Common & {
      kind: 'unavailable';
      /**
       * `canceled`: the business canceled the session; `declined`: the person declined;
       * `verified`: already verified; `session_closed`: redacted; `handoff_spent`: a hand-off link opened
       * again, expired or no longer valid (functions/http/open-verification-handoff.ts); `link_expired`: anything else.
       */
      reason: 'link_expired' | 'session_closed' | 'canceled' | 'declined' | 'verified' | 'live_checks_unavailable' | 'handoff_spent';
      returnUrl: string | null;
    });
