import { redactVerificationSession } from '../domain/verification-session';
import { sessionTransitionEndpoint } from './session-transition';

/** How long after the redact call the redaction job falls due (`VERITY_REDACTION_DELAY_SECONDS`, default 0). */
const delaySeconds = () => Math.max(0, Number(process.env.VERITY_REDACTION_DELAY_SECONDS ?? 0) || 0);

export const handler = sessionTransitionEndpoint((session, now) =>
  redactVerificationSession(session, new Date(now.getTime() + delaySeconds() * 1000)),
);
