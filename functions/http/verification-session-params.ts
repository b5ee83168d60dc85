/** Parameters that several VerificationSession endpoints accept, declared once. */
import { DOCUMENT_TYPES, SESSION_TYPES } from '../domain/verification-session';
import { isObjectId } from '../domain/ids';
import { resourceMissing } from '../domain/errors';
import { array, boolean, email, emptyable, object, oneOf, phone } from '../wire/schema';

export const sessionType = () => oneOf(SESSION_TYPES);

export const sessionOptions = () =>
  emptyable(
    object({
      document: emptyable(
        object({
          allowed_types: array(oneOf(DOCUMENT_TYPES), { maxItems: DOCUMENT_TYPES.length }),
          require_id_number: boolean(),
          require_live_capture: boolean(),
          require_matching_selfie: boolean(),
        }),
      ),
    }),
  );

export const providedDetails = () => object({ email: email(), phone: phone() });

/** A path id that cannot name a session is answered without touching storage. */
export function sessionIdFromPath(id: string | undefined): string {
  if (!id || !isObjectId('vs', id)) throw resourceMissing('verification_session', id ?? '');
  return id;
}
