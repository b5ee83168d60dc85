/**
 * What the hosted verification page shows, decided by the server; hosted-page/render.ts turns a
 * view into HTML. Nothing here is personal data: the page never echoes what the person typed.
 */
import type { AccentPalette } from '../domain/account-profile';
import type { TestCase } from '../domain/verification-checks';
import type { DocumentType, SessionType } from '../domain/verification-session';
import type { Mode } from '../domain/scope';

/**
 * The ID numbers the page accepts (the submit route checks exactly this), in the words its
 * consent list, its hint and its error use: one phrase, so they cannot disagree.
 */
export const ID_NUMBER_DIGITS = 'the last 4 digits, or all 9 digits, of your US Social Security number';

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

export interface TestCaseOption {
  id: TestCase;
  label: string;
  /** One sentence: what the session will show afterwards. */
  description: string;
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
  /** Who asks, in plain words: the profile's name, the return URL's host name, or "The business that sent you here". */
  business: string;
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
