/**
 * `GET /v1/files/:id/contents`: a verification image itself (Stripe serves it at
 * files.stripe.com/v1/files/:id/contents). Sensitive, as Stripe keeps it: a restricted key with
 * the sensitive results permission, within 48 hours of the verification or from an IP-restricted
 * key. Served from memory, never cached (`no-store`) and never written anywhere. An image too
 * large for a Lambda response (over 4 MB) is a `302` to a presigned S3 GET valid 60 seconds
 * (clients drop the API key on a redirect to another host, and S3 needs none).
 */
import { resourceMissing } from '../domain/errors';
import { fileStore } from '../store/files';
import { RawResponse, stripeEndpoint } from './endpoint';
import { fileContentsResponse, visibleFile } from './files-access';

export const handler = stripeEndpoint({}, async ({ scope, pathId, access }) => {
  const file = await visibleFile(scope, pathId ?? '');
  // The image was taken when the verification was submitted for processing.
  access.sensitiveResults(`the contents of ${file.id}`, file.created);
  const contents = await fileStore().contents(scope, file.id);
  if (!contents) throw resourceMissing('file', file.id);
  // no-store on both, as stripeResponses() sets it on every answer of the API; the bytes are never sniffed as another type.
  return new RawResponse(
    fileContentsResponse(file.id, contents, 'attachment', { 'cache-control': 'no-store' }, { 'x-content-type-options': 'nosniff' }),
  );
});
