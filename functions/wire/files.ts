/** Stripe's File object, for a verification's images (Stripe: `GET /v1/files/:id`). */
import type { FileInfo } from '../store/submissions';
import { secondsOfId } from '../domain/ids';
import { publicUrl } from './session-secrets';

export const FILE_TYPES = { 'image/jpeg': 'jpg', 'image/png': 'png' } as const;
/** The purposes of a verification's images, as Stripe names them. */
export const FILE_PURPOSES = ['identity_document', 'selfie'] as const;

/** Where a file's contents are served: Stripe's files.stripe.com path, on Verity's own host. */
export const fileContentsUrl = (id: string) => `${publicUrl()}/v1/files/${id}/contents`;

export function renderFile(file: FileInfo) {
  return {
    id: file.id,
    object: 'file' as const,
    // When the file was made (its upload), as its id says: the list's `created` filter selects by
    // id, so the field it shows must be the id's time. The stored `created` (its submission, up
    // to a day later) starts the 48 hours of its contents instead.
    created: secondsOfId(file.id),
    // Images live as long as their session's data: until it is redacted, with no set date.
    expires_at: null,
    // Verity keeps no name a browser gave an upload.
    filename: null,
    // No FileLinks API: contents are read with an API key only.
    links: null,
    purpose: file.purpose,
    size: file.size,
    title: null,
    type: FILE_TYPES[file.content_type],
    url: fileContentsUrl(file.id),
  };
}
