import type Stripe from 'stripe';
import { expect } from 'vitest';

const helperPath = (id: string, action: string) => `/v1/test_helpers/identity/verification_sessions/${id}/${action}`;

/** Stripe's Identity test helpers, which stripe-node has no methods for: called through the SDK's raw request. */
export const testHelpers = (stripe: Stripe) => ({
  process: (id: string, params: Record<string, unknown> = {}): Promise<Stripe.Identity.VerificationSession> =>
    stripe.rawRequest('POST', helperPath(id, 'process'), params),
  verify: (id: string, params: Record<string, unknown> = {}): Promise<Stripe.Identity.VerificationSession> =>
    stripe.rawRequest('POST', helperPath(id, 'verify'), params),
  requireInput: (id: string, params: Record<string, unknown> = {}): Promise<Stripe.Identity.VerificationSession> =>
    stripe.rawRequest('POST', helperPath(id, 'require_input'), params),
});

/** Polls until `check` passes (the checks worker runs asynchronously, from the table's stream). */
export async function eventually<T>(read: () => Promise<T>, check: (value: T) => void, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    try {
      check(value);
      return value;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((done) => setTimeout(done, 150));
    }
  }
}

export const expectStatus = (status: string) => (session: { status: string }) => expect(session.status).toBe(status);

/** A browser on a session's page after accepting: the page's path and its cookie. */
export interface PageVisit {
  serviceUrl: string;
  path: string;
  cookie: string;
}

/** Accepts the verification at `sessionUrl` on the service at `serviceUrl`, as the page's consent form does. */
export async function acceptOnPage(serviceUrl: string, sessionUrl: string): Promise<PageVisit> {
  const path = new URL(sessionUrl).pathname;
  const accepted = await fetch(`${serviceUrl}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'consent=accept',
  });
  return { serviceUrl, path, cookie: accepted.headers.get('set-cookie')!.split(';')[0]! };
}

/** What the page's upload route answers: a new file's id and its presigned POST. */
export interface PresignedPageUpload {
  file: string;
  url: string;
  fields: Record<string, string>;
}

/** Asks the page for a presigned upload (`POST {page}/uploads`); the raw response. */
export const requestUpload = (
  visit: PageVisit,
  params: Record<string, unknown> = { purpose: 'identity_document', content_type: 'image/jpeg' },
) =>
  fetch(`${visit.serviceUrl}${visit.path}/uploads`, {
    method: 'POST',
    headers: { cookie: visit.cookie, 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });

/** POSTs `bytes` as the page's script does: the presigned fields (with `overrides`), then the file. The upload's response. */
export function postUpload(
  visit: PageVisit,
  presigned: PresignedPageUpload,
  bytes: Uint8Array,
  overrides: Record<string, string> = {},
): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...presigned.fields, ...overrides })) form.append(name, value);
  form.append('file', new Blob([bytes]), 'photo');
  // Locally the upload URL is a path on the service's host (the page's own origin).
  return fetch(new URL(presigned.url, visit.serviceUrl), { method: 'POST', body: form });
}

/** Uploads one photo through the page's presigned contract; its `file_…` id. */
export async function uploadOnPage(
  visit: PageVisit,
  bytes: Uint8Array,
  contentType: 'image/jpeg' | 'image/png' = 'image/jpeg',
): Promise<string> {
  const asked = await requestUpload(visit, { purpose: 'identity_document', content_type: contentType });
  expect(asked.status).toBe(200);
  const presigned = (await asked.json()) as PresignedPageUpload;
  const uploaded = await postUpload(visit, presigned, bytes);
  expect(uploaded.status, await uploaded.clone().text()).toBe(204);
  return presigned.file;
}

/** Submits `submission` (JSON, as the page's script sends it) from an accepted page. */
export const submitFromPage = (visit: PageVisit, submission: Record<string, unknown>) =>
  fetch(`${visit.serviceUrl}${visit.path}/submit`, {
    method: 'POST',
    headers: { cookie: visit.cookie, 'content-type': 'application/json' },
    body: JSON.stringify(submission),
  });

/**
 * A person on the verification page at `sessionUrl` (served by the service at `serviceUrl`):
 * accepts, uploads each photo given as bytes (document_front, document_back, selfie) through the
 * presigned contract, then submits `submission` with their `file_…` ids. The submit response.
 */
export async function submitOnPage(serviceUrl: string, sessionUrl: string, submission: Record<string, unknown>): Promise<Response> {
  const visit = await acceptOnPage(serviceUrl, sessionUrl);
  const body: Record<string, unknown> = { ...submission };
  for (const param of ['document_front', 'document_back', 'selfie']) {
    const value = body[param];
    if (value instanceof Uint8Array) body[param] = await uploadOnPage(visit, value, value[0] === 0x89 ? 'image/png' : 'image/jpeg');
  }
  return submitFromPage(visit, body);
}
