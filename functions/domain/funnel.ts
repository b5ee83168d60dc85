/**
 * The verification funnel (docs/console.md, "Funnel"): which stages a session has reached, read from the
 * session as it stands, and which a change of the session reaches for the first time. Each stage is
 * one that never goes back once reached, so a session counts at most once in each, whatever it does next:
 *
 * - `created`: the session exists.
 * - `opened`: a person opened its verification page and answered its first step (the consent: accept or
 *   decline), which spends the `url` or `client_secret` (domain/session-credentials.ts `credentialUses`, which
 *   only grows). A link merely fetched (a chat app's preview, a mail scanner) does not count; reopening does not count twice.
 * - `submitted`: the person sent the page (a submission is being checked, or a report exists).
 * - `verified`: the session was verified at least once (an override back to `requires_input` later does not remove it).
 *
 * And per `last_error.code`: the sessions that were given that code at least once.
 */
import { credentialUses } from './session-credentials';
import type { VerificationSession } from './verification-session-types';

export const FUNNEL_STAGES = ['created', 'opened', 'submitted', 'verified'] as const;
export type FunnelStage = (typeof FUNNEL_STAGES)[number];

/** What the funnel reads of a session: its clear part is enough (no personal value). */
export type FunnelSession = Pick<VerificationSession, 'status' | 'credentials' | 'submission' | 'last_verification_report' | 'last_error'>;

/** The stages `session` has reached, in funnel order. */
export function stagesReached(session: FunnelSession): FunnelStage[] {
  const reached: Record<FunnelStage, boolean> = {
    created: true,
    opened: credentialUses(session.credentials) > 0,
    submitted: session.status === 'processing' || session.submission != null || session.last_verification_report != null,
    verified: session.status === 'verified',
  };
  return FUNNEL_STAGES.filter((stage) => reached[stage]);
}

/** One step a change counts: a stage reached, or an error code given. */
export type FunnelStep = { stage: FunnelStage } | { error: string };

/**
 * What a change from `before` (undefined for a new session) to `after` counts: the stages `after` has and
 * `before` had not, and the `last_error.code` it gives when `before` had another one (or none).
 */
export function funnelSteps(before: FunnelSession | undefined, after: FunnelSession): FunnelStep[] {
  const had = new Set(before ? stagesReached(before) : []);
  const steps: FunnelStep[] = stagesReached(after)
    .filter((stage) => !had.has(stage))
    .map((stage) => ({ stage }));
  const code = after.last_error?.code;
  if (code && code !== before?.last_error?.code) steps.push({ error: code });
  return steps;
}

/** A session's funnel day: the UTC day it was created, `YYYY-MM-DD` (`created` in epoch seconds). */
export const funnelDay = (created: number): string => new Date(created * 1000).toISOString().slice(0, 10);
