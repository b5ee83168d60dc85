/**
 * `GET /console/files/{id}/contents?link=…` (reviewer): one image of a revealed session page,
 * streamed through the console, only with the short-lived link that page was rendered with (60
 * seconds, bound to this console session and file) and a live reviewer's cookie; each view is
 * recorded. Never cached. Only an image whose declared size was checked at submit is sent to the
 * browser. The bucket is never public: an image too large for a Lambda response is a redirect to a presigned GET valid 60 seconds, as the
 * Files API does.
 */
import { VerityError } from '../domain/errors';
import { MAX_IMAGE_SIDE_PIXELS, withinImageLimit } from '../domain/image-signature';
import { fileContentsResponse, visibleFile } from '../http/files-access';
import { fileStore } from '../store/files';
import { ConsoleRefusal, imageLinkValid, requireConsole } from './console-access';
import { CONSOLE_HEADERS, consoleRoute, queryParam } from './console-http';
import { audit } from './session-page';

const unchecked = () =>
  new ConsoleRefusal(
    404,
    'Image not shown',
    `The console shows only images whose size was checked when they were submitted (at most ${MAX_IMAGE_SIDE_PIXELS} pixels on a side); ` +
      `this one was submitted before. Read it with the Files API.`,
  );
const gone = () =>
  new ConsoleRefusal(
    404,
    'Image not available',
    'This image link has expired or the image no longer exists. Reveal the session again to see its images.',
  );

export const handler = consoleRoute(async (event) => {
  const now = new Date();
  const { session: operator } = await requireConsole(event, 'reviewer', now);
  const id = event.pathParameters?.id ?? '';
  if (!imageLinkValid(operator, id, queryParam(event, 'link'), now)) throw gone();
  const { scope } = operator;
  let file: Awaited<ReturnType<typeof visibleFile>>;
  try {
    file = await visibleFile(scope, id);
  } catch (error) {
    if (error instanceof VerityError) throw gone();
    throw error;
  }
  // The reviewer's browser decodes what it is sent: only an image whose declared size was read
  // and checked at submit (an image bomb is a few kilobytes declaring billions of pixels).
  if (file.width === undefined || file.height === undefined || !withinImageLimit({ width: file.width, height: file.height }))
    throw unchecked();
  const contents = await fileStore().contents(scope, id);
  if (!contents) throw gone();
  await audit(event, operator, 'image_view', { object: 'file', id }, now);
  return fileContentsResponse(id, contents, 'inline', CONSOLE_HEADERS, { 'content-security-policy': "default-src 'none'; sandbox" });
});
