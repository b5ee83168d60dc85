/**
 * The page's requests: JSON POSTs to its own routes (same origin, its cookie), and a photo's upload
 * to the presigned POST the page's `uploads` route hands out (functions/http/create-verification-upload.ts).
 */
import { message } from './messages';
import { UserFacingError } from './page';

/** A Stripe-shaped error body, as the page's routes send it. */
interface ErrorBody {
  error?: { message?: unknown; param?: unknown };
}

/** A refusal from one of the page's routes: the server's words, and the parameter it names. */
export class RouteError extends UserFacingError {
  constructor(
    text: string,
    readonly param: unknown,
  ) {
    super(text);
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
    throw new UserFacingError(message('network_error'));
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (response.ok && body) return body as T;
  const error = (body as ErrorBody | null)?.error;
  throw new RouteError(error?.message ? String(error.message) : message('unexpected_error'), error?.param);
}

/** The page's `uploads` route's answer: where to POST the photo, the form fields S3 wants first, and the file's id. */
interface PresignedUpload {
  url: string;
  fields: Record<string, string>;
  file: string;
}

export type PhotoPurpose = 'identity_document' | 'selfie';

/** POSTs a form, reporting the share of its bytes sent (0–1); resolves to whether the answer was a 2xx. */
function postWithProgress(url: string, body: FormData, onProgress: (share: number) => void): Promise<boolean> {
  // XMLHttpRequest, not fetch: only it reports how much of a request body has gone out.
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', url);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    request.onload = () => resolve(request.status >= 200 && request.status < 300);
    request.onerror = () => reject(new Error('network'));
    request.ontimeout = () => reject(new Error('timeout'));
    request.send(body);
  });
}

/**
 * Asks where to upload (a presigned POST for one JPEG), then sends the photo straight there.
 * Resolves to the `file_…` id. The upload's answer is S3's (XML) or the local stand-in's: only its
 * status matters here. `field` is where an upload failure is shown. Under live capture the first
 * request also names the photo and carries its capture nonce, which the route spends.
 */
export async function uploadPhoto(
  uploadUrl: string,
  upload: {
    blob: Blob;
    name: string;
    purpose: PhotoPurpose;
    field: HTMLElement;
    onProgress: (share: number) => void;
    /** Under live capture: the capture nonce of the camera that took the photo (create-capture-nonce.ts). */
    captureNonce?: string;
  },
): Promise<string> {
  const live = upload.captureNonce === undefined ? {} : { photo: upload.name, capture_nonce: upload.captureNonce };
  const presigned = await requestJson<PresignedUpload>(uploadUrl, { purpose: upload.purpose, content_type: 'image/jpeg', ...live });
  const body = new FormData();
  for (const [key, value] of Object.entries(presigned.fields)) body.append(key, value);
  body.append('file', upload.blob, `${upload.name}.jpg`);
  let ok: boolean;
  try {
    ok = await postWithProgress(presigned.url, body, upload.onProgress);
  } catch {
    throw new UserFacingError(message('upload_error'), upload.field);
  }
  if (!ok) throw new UserFacingError(message('upload_error'), upload.field);
  return presigned.file;
}

/** The page's `capture_nonces` route's answer (functions/http/create-capture-nonce.ts). */
interface CaptureNonce {
  nonce: string;
}

/** Asks for a single-use capture nonce for the photo `name` (live capture); throws a `UserFacingError` in the server's words. */
export async function requestCaptureNonce(nonceUrl: string, name: string): Promise<string> {
  return (await requestJson<CaptureNonce>(nonceUrl, { photo: name })).nonce;
}
