/**
 * What the hosted verification page shows, decided by the server; hosted-page/render.ts turns a
 * view into HTML. Nothing here is personal data: the page never echoes what the person typed.
 */
import type { AccentPalette } from '../domain/account-profile';
import type { TestCase } from '../domain/verification-checks';
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
      /** An HTML form POSTs here with `consent=accept` or `consent=decline`. */
      formAction: string;
    })
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
    })
  /** After submitting or declining, when there is no return URL to go back to. */
  | (Common & { kind: 'finished'; outcome: 'submitted' | 'declined'; returnUrl: string | null })
  /** The link cannot be used: explains why and what to do. */
  | (Common & {
      kind: 'unavailable';
      reason: 'link_expired' | 'session_closed' | 'live_checks_unavailable';
      returnUrl: string | null;
    });
