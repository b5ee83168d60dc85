import { requestedCancellation } from '../session-actions';
import { sessionTransitionEndpoint } from './session-transition';

export const handler = sessionTransitionEndpoint(requestedCancellation);
