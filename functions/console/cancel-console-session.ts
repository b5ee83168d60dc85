/** `POST /console/verification_sessions/{id}/cancel` (admin): as the API's cancel. */
import { requestedCancellation } from '../flows/session-actions';
import { sessionActionRoute } from './session-action';

export const handler = sessionActionRoute('cancel', requestedCancellation);
