/**
 * The local stand-in for S3's POST Object, for the local folder file store
 * (functions/files/local-folder.ts): a multipart/form-data POST of the presigned fields and then
 * the file (field `file`), as a browser sends it to S3. It enforces the signed policy as S3 does
 * (signature, expiry, key, Content-Type, size), answers S3's XML errors with their status, and
 * stops reading a body the moment it passes the limit.
 */
import busboy from 'busboy';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { acceptedPolicy, discardUpload, ENTITY_TOO_LARGE, storeUpload, type UploadRefusal } from '../functions/files/local-folder';
import { MAX_UPLOAD_BYTES } from '../functions/store/files';

/**
 * Room for the form's fields and part headers around the file: a declared body past this is
 * refused unread, and a body sent without a length is refused once it passes this, wherever the
 * bytes are (the file, fields busboy's limits drop, parts past the one file, after the last boundary).
 */
const FORM_OVERHEAD_BYTES = 64 * 1024;
const MAX_BODY_BYTES = MAX_UPLOAD_BYTES + FORM_OVERHEAD_BYTES;

const xml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

function refuse(request: IncomingMessage, response: ServerResponse, refusal: UploadRefusal): void {
  if (response.headersSent) return;
  // Nothing more of the body is read: the connection closes once the answer is out.
  request.unpipe();
  request.pause();
  response.writeHead(refusal.status, { 'content-type': 'application/xml', connection: 'close' });
  response.end(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${refusal.code}</Code><Message>${xml(refusal.message)}</Message></Error>`,
  );
  response.once('finish', () => request.socket.destroySoon?.() ?? request.destroy());
}

const malformed: UploadRefusal = {
  status: 400,
  code: 'MalformedPOSTRequest',
  message: 'The body of your POST request is not well-formed multipart/form-data.',
};

/** Serves one upload into the folder `root`; never throws (a failure of its own answers 500). */
export async function serveLocalUpload(root: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) return refuse(request, response, ENTITY_TOO_LARGE);
  let form: busboy.Busboy;
  try {
    // One byte past the limit reaches storeUpload, which refuses the upload.
    form = busboy({
      headers: request.headers,
      limits: { fields: 20, fieldSize: 8 * 1024, files: 1, parts: 21, fileSize: MAX_UPLOAD_BYTES + 1 },
    });
  } catch {
    return refuse(request, response, malformed);
  }
  const now = new Date();
  const fields: Record<string, string> = Object.create(null);
  let upload: Promise<UploadRefusal | undefined> | undefined;
  let policyKey: string | undefined;
  let fileStream: Readable | undefined;
  let received = 0;
  let overLimit = false;
  await new Promise<void>((done) => {
    // Every byte of the body counts, not only the file's: busboy reads and drops what its limits
    // leave out, so without this a body could go on for ever after the file.
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, next) {
        received += chunk.length;
        if (received <= MAX_BODY_BYTES) return next(null, chunk);
        overLimit = true;
        refuse(request, response, ENTITY_TOO_LARGE);
        done();
        next();
      },
    });
    form.on('field', (name, value) => {
      // S3 reads the fields before the file; one sent twice keeps its first value.
      if (!(name in fields)) fields[name] = value;
    });
    form.on('file', (name, file) => {
      if (name !== 'file' || upload) {
        file.resume();
        return;
      }
      const policy = acceptedPolicy(fields, now);
      if ('status' in policy) {
        refuse(request, response, policy);
        done();
        return;
      }
      policyKey = policy.key;
      fileStream = file;
      upload = storeUpload(root, policy, file, now);
      upload.then(
        (refusal) => {
          if (!refusal) return;
          refuse(request, response, refusal);
          done();
        },
        () => done(),
      );
    });
    form.on('error', () => {
      refuse(request, response, malformed);
      done();
    });
    form.on('close', () => done());
    request.pipe(counted).pipe(form);
  });
  if (overLimit) {
    // S3 keeps nothing of a POST it refused: a file still arriving is cut off (its half-written
    // part removed), and one written before the rest of the body passed the limit is removed.
    if (fileStream && !fileStream.readableEnded) fileStream.destroy();
    if (upload && policyKey && (await upload.catch(() => 'failed' as const)) === undefined) await discardUpload(root, policyKey);
    return;
  }
  if (response.headersSent) return;
  const refusal = upload
    ? await upload.catch(() => 'failed' as const)
    : { status: 400 as const, code: 'InvalidArgument', message: 'POST requires exactly one file upload per request.' };
  if (refusal === 'failed') {
    response.writeHead(500, { 'content-type': 'application/xml' });
    response.end(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try ' +
        'again.</Message></Error>',
    );
    return;
  }
  if (refusal) return refuse(request, response, refusal);
  // S3's answer to a POST without success_action_status.
  response.writeHead(204);
  response.end();
}
