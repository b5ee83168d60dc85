/**
 * `verifyIdentity(clientSecret)`, shared by the `/v3/` drop-in (browser/stripe-v3.ts) and `Verity(…)`
 * (browser/verity.ts): the business's page asks Verity whether this page may open this session
 * (`POST /v3/verification_frames`, a CORS request without preflight), then shows a full-screen
 * dialog with the verification page in a frame (`GET /v3/frame`, named by the publishable key and
 * locale only), hands the client secret to the frame by postMessage once the frame says it is
 * ready, and resolves once with Stripe's result shape. It never rejects and never hangs: every
 * wait has a time limit. docs/stripe-js-modal.md.
 */
import type { StripeError, VerificationSessionResult, VerityIdentity, VerityOptions } from './verity-js';

/** How long the page waits for Verity's answer to its check, and for the frame to say it is ready. */
const CHECK_TIMEOUT_MS = 20_000;
const READY_TIMEOUT_MS = 20_000;
const CLIENT_SECRET = /^vs_[0-9A-Za-z]{24}_secret_(test|live)_[A-Za-z0-9_-]+$/;
const PUBLISHABLE_KEY = /^pk_(test|live)_[0-9A-Za-z]+$/;

const failed = (type: StripeError['type'], message: string, code?: string, param?: string): VerificationSessionResult => ({
  error: { type, message, ...(code ? { code } : {}), ...(param ? { param } : {}) },
});

/** The origin the script was loaded from: where its API and frame live. */
export function scriptOrigin(): string {
  const script = document.currentScript as HTMLScriptElement | null;
  return new URL(script?.src || location.href).origin;
}

/** Only one modal at a time on a page. */
let open = false;

/** The object `Stripe(pk, options)` or `Verity(pk, options)` returns. */
export function identityClient(origin: string, publishableKey: unknown, options: VerityOptions = {}): VerityIdentity {
  if (typeof publishableKey !== 'string' || !PUBLISHABLE_KEY.test(publishableKey)) {
    // Stripe.js throws here too: a wrong key is the integrating developer's to fix, at once.
    throw new Error(
      `Invalid publishable key: Verity's script needs a key such as pk_test_…, made with \`npm run keys -- create --publishable\`.`,
    );
  }
  const locale = typeof options.locale === 'string' && options.locale !== 'auto' ? options.locale : undefined;
  return {
    verifyIdentity: (clientSecret: string) =>
      verifyIdentity(origin, publishableKey, locale, clientSecret).catch(() =>
        failed('api_error', 'Something went wrong while opening the verification. Please try again.'),
      ),
  };
}

async function verifyIdentity(
  origin: string,
  key: string,
  locale: string | undefined,
  clientSecret: unknown,
): Promise<VerificationSessionResult> {
  const secret = typeof clientSecret === 'string' ? CLIENT_SECRET.exec(clientSecret) : null;
  if (!secret) {
    return failed(
      'invalid_request_error',
      'Invalid client_secret: pass the client_secret of a VerificationSession (vs_…_secret_…).',
      'parameter_invalid',
      'client_secret',
    );
  }
  if (secret[1] !== PUBLISHABLE_KEY.exec(key)![1]) {
    return failed(
      'invalid_request_error',
      `This client_secret is of a ${secret[1]} mode session, and the publishable key is of ${secret[1] === 'test' ? 'live' : 'test'} mode.`,
      'parameter_invalid',
      'client_secret',
    );
  }
  if (open) return failed('invalid_request_error', 'A verification modal is already open on this page.', 'modal_already_open');
  open = true;
  try {
    const check = await checkSession(origin, key, clientSecret as string);
    if ('error' in check) return { error: check.error };
    const frameUrl = `${origin}/v3/frame?key=${encodeURIComponent(key)}${locale ? `&locale=${encodeURIComponent(locale)}` : ''}`;
    return await showModal(origin, frameUrl, clientSecret as string, check.verification_session);
  } finally {
    open = false;
  }
}

/** Verity's check: the key, this page's origin, and the session; a refusal comes back as Stripe's error. */
async function checkSession(
  origin: string,
  key: string,
  clientSecret: string,
): Promise<{ verification_session: string } | { error: StripeError }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), CHECK_TIMEOUT_MS);
  let response: Response;
  try {
    // A form body and no custom header: a CORS request with no preflight. The key is in the query too, so that
    // a preflight, should a browser or proxy send one, can be answered for this page (it has no body).
    response = await fetch(`${origin}/v3/verification_frames?key=${encodeURIComponent(key)}`, {
      method: 'POST',
      body: new URLSearchParams({ key, client_secret: clientSecret }),
      credentials: 'omit',
      signal: controller.signal,
    });
  } catch {
    return {
      error: { type: 'api_connection_error', message: 'Could not reach the verification service. Check your connection and try again.' },
    };
  } finally {
    clearTimeout(timer);
  }
  const body = (await response.json().catch(() => null)) as { verification_session?: unknown; error?: StripeError } | null;
  if (response.ok && typeof body?.verification_session === 'string') return { verification_session: body.verification_session };
  const error = body?.error;
  if (error && typeof error.type === 'string') {
    if (error.code === 'embedding_origin_not_allowed') console.error(`Verity: ${error.message}`);
    return { error: { type: error.type, message: String(error.message ?? ''), ...(error.code ? { code: error.code } : {}) } };
  }
  return { error: { type: 'api_error', message: 'The verification service answered unexpectedly. Please try again.' } };
}

/** Overlay styles, set through the CSSOM (a business page's CSP may refuse style attributes, never these). */
function style(element: HTMLElement, rules: Partial<CSSStyleDeclaration>): void {
  Object.assign(element.style, rules);
}

function showModal(origin: string, frameUrl: string, clientSecret: string, sessionId: string): Promise<VerificationSessionResult> {
  return new Promise((resolve) => {
    const returnFocus = document.activeElement as HTMLElement | null;
    const overlay = document.createElement('div');
    style(overlay, {
      position: 'fixed',
      inset: '0',
      zIndex: '2147483647',
      background: 'rgba(15, 23, 42, 0.6)',
      display: 'flex',
      alignItems: 'center',
      justifyContent: 'center',
    });
    const dialog = document.createElement('div');
    dialog.setAttribute('role', 'dialog');
    dialog.setAttribute('aria-modal', 'true');
    dialog.setAttribute('aria-label', 'Verify your identity');
    const phone = window.matchMedia('(max-width: 600px)').matches;
    style(dialog, {
      position: 'relative',
      background: '#fff',
      width: phone ? '100%' : 'min(560px, 100%)',
      height: phone ? '100%' : 'min(820px, 100%)',
      borderRadius: phone ? '0' : '12px',
      overflow: 'hidden',
      boxShadow: '0 10px 40px rgba(0, 0, 0, 0.3)',
    });
    const close = document.createElement('button');
    close.type = 'button';
    close.setAttribute('aria-label', 'Close');
    close.textContent = '×';
    style(close, {
      position: 'absolute',
      top: '8px',
      right: '8px',
      width: '44px',
      height: '44px',
      border: '0',
      borderRadius: '22px',
      background: '#f1f5f9',
      color: '#0f172a',
      font: '28px/44px system-ui, sans-serif',
      cursor: 'pointer',
      zIndex: '1',
    });
    const frame = document.createElement('iframe');
    frame.src = frameUrl;
    frame.title = 'Identity verification';
    frame.allow = 'camera';
    style(frame, { border: '0', width: '100%', height: '100%', display: 'block' });
    dialog.append(close, frame);
    overlay.append(dialog);

    let done = false;
    let readyTimer: ReturnType<typeof setTimeout> | undefined;
    const finish = (result: VerificationSessionResult) => {
      if (done) return;
      done = true;
      clearTimeout(readyTimer);
      window.removeEventListener('message', onMessage);
      document.removeEventListener('keydown', onKeydown, true);
      document.removeEventListener('focusin', onFocusin, true);
      overlay.remove();
      if (returnFocus && typeof returnFocus.focus === 'function') returnFocus.focus();
      resolve(result);
    };
    const closed = () => finish(failed('invalid_request_error', 'The verification was closed before it was submitted.', 'modal_closed'));

    function onMessage(event: MessageEvent) {
      // Only the frame this modal opened, on Verity's origin, may speak to it.
      if (event.source !== frame.contentWindow || event.origin !== origin) return;
      const data = event.data as {
        type?: unknown;
        error?: Partial<StripeError>;
        lang?: unknown;
        dir?: unknown;
        labels?: { dialog?: unknown; close?: unknown };
      } | null;
      switch (data?.type) {
        case 'verity:ready':
          clearTimeout(readyTimer);
          speak(data.lang, data.dir, data.labels);
          frame.contentWindow!.postMessage({ type: 'verity:client_secret', client_secret: clientSecret }, origin);
          break;
        case 'verity:submitted':
          finish({ verificationSession: { id: sessionId } });
          break;
        case 'verity:declined':
          finish(failed('invalid_request_error', 'You declined to share your identity information.', 'consent_declined'));
          break;
        case 'verity:close':
          closed();
          break;
        case 'verity:error': {
          const error = data.error ?? {};
          finish(failed(error.type ?? 'api_error', String(error.message ?? 'The verification could not go on.'), error.code));
          break;
        }
      }
    }
    /** The frame's language on the modal: its dialog's and close button's labels (from the page's catalogue), `lang` and `dir`. */
    function speak(lang: unknown, dir: unknown, labels: { dialog?: unknown; close?: unknown } = {}) {
      const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' && value.length <= 200 ? value : undefined);
      const dialogLabel = text(labels.dialog);
      const closeLabel = text(labels.close);
      if (dialogLabel) dialog.setAttribute('aria-label', dialogLabel);
      if (closeLabel) close.setAttribute('aria-label', closeLabel);
      if (typeof lang === 'string' && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/.test(lang)) dialog.lang = lang;
      if (dir === 'rtl' || dir === 'ltr') {
        dialog.dir = dir;
        // The close button sits where the page's reading starts.
        close.style.right = dir === 'rtl' ? '' : '8px';
        close.style.left = dir === 'rtl' ? '8px' : '';
      }
    }
    function onKeydown(event: KeyboardEvent) {
      if (event.key === 'Escape') {
        event.preventDefault();
        closed();
      }
    }
    // Focus stays in the dialog: anything outside that takes focus gives it back to the close button.
    function onFocusin(event: FocusEvent) {
      if (!dialog.contains(event.target as Node)) close.focus();
    }
    close.addEventListener('click', closed);
    window.addEventListener('message', onMessage);
    document.addEventListener('keydown', onKeydown, true);
    document.addEventListener('focusin', onFocusin, true);
    // A frame its CSP refuses (an origin the account does not allow) says nothing: time out.
    readyTimer = setTimeout(
      () => finish(failed('api_connection_error', 'The verification page did not open in time. Please try again.', 'modal_unavailable')),
      READY_TIMEOUT_MS,
    );
    document.body.append(overlay);
    close.focus();
  });
}
