/**
 * The page's requests: JSON POSTs to its own routes (same origin, its cookie), and a photo's upload
 * to the presigned POST the page's `uploads` route hands out (functions/http/create-verification-upload.ts).
 */
import { NETWORK_ERROR, UNEXPECTED_ERROR, UPLOAD_ERROR, UserFacingError } from './page';

/** A Stripe-shaped error body, as the page's routes send it. */
interface ErrorBody {
  error?: { message?: unknown; param?: unknown };
}

/** A refusal from one of the page's routes: the server's words, and the parameter it names. */
export class RouteError extends UserFacingError {
  constructor(
    message: string,
    readonly param: unknown,
  ) {
    super(message);
  }
}

/** POSTs `payload` as JSON; resolves to the parsed answer, or throws a `UserFacingError` in the server's words. */
export async function requestJson<T>(url: string, payload: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
  } catch {
    throw new UserFacingError(NETWORK_ERROR);
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (response.ok && body) return body as T;
  const error = (body as ErrorBody | null)?.error;
  throw new RouteError(error?.message ? String(error.message) : UNEXPECTED_ERROR, error?.param);
}

/** The page's `uploads` route's answer: where to POST the photo, the form fields S3 wants first, and the file's id. */
interface PresignedUpload {
  url: string;
  fields: Record<string, string>;
  file: string;
}

export type PhotoPurpose = 'identity_document' | 'selfie';

/**
 * Asks where to upload (a presigned POST for one JPEG), then sends the photo straight there.
 * Resolves to the `file_…` id. The upload's answer is S3's (XML) or the local stand-in's: only its
 * status matters here. `field` is where an upload failure is shown.
 */
export async function uploadPhoto(uploadUrl: string, blob: Blob, name: string, purpose: PhotoPurpose, field: HTMLElement): Promise<string> {
  const presigned = await requestJson<PresignedUpload>(uploadUrl, { purpose, content_type: 'image/jpeg' });
  const body = new FormData();
  for (const [key, value] of Object.entries(presigned.fields)) body.append(key, value);
  body.append('file', blob, `${name}.jpg`);
  let response: Response;
  try {
    response = await fetch(presigned.url, { method: 'POST', body });
  } catch {
    throw new UserFacingError(UPLOAD_ERROR, field);
  }
  if (!response.ok) throw new UserFacingError(UPLOAD_ERROR, field);
  return presigned.file;
}
