import { requestedCancellation } from '../flows/session-actions';
import { sessionTransitionEndpoint } from './session-transition';

export const handler = sessionTransitionEndpoint(requestedCancellation);
