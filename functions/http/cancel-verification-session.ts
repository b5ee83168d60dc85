import { cancelVerificationSession } from '../domain/verification-session';
import { sessionTransitionEndpoint } from './session-transition';

export const handler = sessionTransitionEndpoint(cancelVerificationSession);
