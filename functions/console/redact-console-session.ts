/** `POST /console/verification_sessions/{id}/redact` (admin, confirmed): as the API's redact; the redaction job finishes it. */
import { requestedRedaction } from '../flows/session-actions';
import { sessionActionRoute } from './session-action';

export const handler = sessionActionRoute('redact', requestedRedaction);
