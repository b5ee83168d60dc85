/**
 * The modal's frame (`GET /v3/frame`, functions/http/show-verification-frame.ts): the verification
 * page, run without cookies. Across sites the page's `SameSite=Strict` cookie is never sent (and
 * Safari blocks third-party cookies), so this script keeps what the cookie would hold in memory:
 * 1. it tells the business's page it is ready, and takes the client secret from a message of that
 *    page (window.parent, from an origin the account allows, which the frame's markup lists);
 * 2. it fetches the page's steps (`/start/{client_secret}`) and shows each in this document, under
 *    this document's CSP nonce; the consent's answer comes back as the signed grant
 *    (`Verity-Page-Grant`), which every later request of the page carries as a header;
 * 3. when the page's script submits, or the person declines or presses Escape, it tells the
 *    business's page, which closes the modal.
 * The frame's own URL never holds the secret. The page's own script (functions/hosted-page/page-script.ts)
 * runs unchanged: its requests to `/start/…` get the headers added here.
 */
export {};

const root = document.documentElement;
const nonce = (document.currentScript as HTMLScriptElement | null)?.nonce ?? '';
const allowedOrigins = (root.dataset.origins ?? '').split(' ').filter(Boolean);
const loopbackAllowed = root.dataset.loopback === '1';
const locale = root.dataset.locale ?? '';
const LOOPBACK = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

const allowed = (origin: string) => allowedOrigins.includes(origin) || (loopbackAllowed && LOOPBACK.test(origin));

let parentOrigin: string | undefined;
let clientSecret: string | undefined;
let grant: string | undefined;

const tell = (message: Record<string, unknown>) => {
  if (parentOrigin) window.parent.postMessage(message, parentOrigin);
};

const pagePath = () => `/start/${clientSecret}`;
const withLocale = (path: string) => (locale ? `${path}?locale=${encodeURIComponent(locale)}` : path);

// Every request of the page's own routes carries the frame's marks and its grant (page-script.ts's fetches included).
const pageFetch = window.fetch.bind(window);
window.fetch = async (input: RequestInfo | URL, init: RequestInit = {}) => {
  const url = new URL(input instanceof Request ? input.url : String(input), location.href);
  if (url.origin !== location.origin || !clientSecret || !url.pathname.startsWith(pagePath())) return pageFetch(input, init);
  const headers = new Headers(init.headers);
  // The account and mode of the key that opened this frame: the server runs no session of another (verification-page.ts).
  headers.set('verity-frame', root.dataset.scope ?? '');
  if (grant) headers.set('verity-page-grant', grant);
  const response = await pageFetch(input, { ...init, headers, credentials: 'omit' });
  if (url.pathname === `${pagePath()}/submit` && response.ok) tell({ type: 'verity:submitted' });
  // The page handed to a phone (browser/hosted-page/handoff.ts) follows it: once the phone submitted, so has this frame.
  if (url.pathname === `${pagePath()}/handoffs` && (init.method ?? 'GET') === 'GET' && response.ok) {
    const answer = (await response
      .clone()
      .json()
      .catch(() => null)) as { state?: unknown } | null;
    if (answer?.state === 'moved_on') tell({ type: 'verity:submitted' });
  }
  return response;
};

/** Shows a page the service rendered (its markup and style) in this document, and runs its script under this document's nonce. */
function show(html: string): void {
  const page = new DOMParser().parseFromString(html, 'text/html');
  document.title = page.title;
  if (page.documentElement.lang) root.lang = page.documentElement.lang;
  // Right-to-left languages (ar, he) follow the page's direction.
  root.dir = page.documentElement.dir;
  for (const old of document.head.querySelectorAll('style[data-page]')) old.remove();
  for (const source of page.head.querySelectorAll('style')) {
    const copy = document.createElement('style');
    copy.nonce = nonce;
    copy.dataset.page = '';
    copy.textContent = source.textContent;
    document.head.append(copy);
  }
  const scripts = [...page.querySelectorAll('script')].map((script) => script.textContent ?? '');
  for (const script of page.querySelectorAll('script')) script.remove();
  document.body.replaceWith(document.adoptNode(page.body));
  for (const text of scripts) {
    const script = document.createElement('script');
    script.nonce = nonce;
    script.textContent = text;
    document.body.append(script);
  }
  document.querySelector<HTMLElement>('h1')?.focus();
}

async function load(): Promise<void> {
  const response = await window.fetch(withLocale(pagePath()), { headers: { accept: 'text/html' } });
  show(await response.text());
}

function failed(message: string): void {
  tell({ type: 'verity:error', error: { type: 'api_connection_error', message } });
}

// The consent form: answered here, so the grant stays in memory and the frame's URL never changes.
document.addEventListener('submit', (event) => {
  const form = event.target as HTMLFormElement;
  const answer = (event.submitter as HTMLButtonElement | null)?.value;
  if (!form.querySelector('[name="consent"]') || (answer !== 'accept' && answer !== 'decline' && answer !== 'ask_decline')) return;
  event.preventDefault();
  void (async () => {
    // In the page's language too: a refusal or the decline confirmation comes back as a page.
    const response = await window.fetch(withLocale(pagePath()), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ consent: answer }),
    });
    if (response.status === 204 && response.headers.get('verity-page-outcome') === 'declined') return tell({ type: 'verity:declined' });
    const granted = response.status === 204 ? response.headers.get('verity-page-grant') : null;
    if (granted) {
      grant = granted;
      return load();
    }
    show(await response.text());
  })().catch(() => failed('Could not reach the verification service. Check your connection and try again.'));
});

// Links back to the page (the decline confirmation's "Go back") load it here: a navigation of the
// frame would leave the frame's grant behind and be refused by the page's frame-ancestors.
document.addEventListener('click', (event) => {
  const link = (event.target as Element | null)?.closest?.('a');
  if (!link || !clientSecret) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || url.pathname !== pagePath()) return;
  event.preventDefault();
  load().catch(() => failed('Could not reach the verification service. Check your connection and try again.'));
});

document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') tell({ type: 'verity:close' });
});

window.addEventListener('message', (event) => {
  // Only the page that framed this one, from an origin its account allows, and only once.
  if (event.source !== window.parent || !allowed(event.origin) || clientSecret) return;
  const data = event.data as { type?: unknown; client_secret?: unknown } | null;
  if (data?.type !== 'verity:client_secret' || typeof data.client_secret !== 'string') return;
  if (!/^vs_[0-9A-Za-z]{24}_secret_(test|live)_[A-Za-z0-9_-]+$/.test(data.client_secret)) return;
  parentOrigin = event.origin;
  clientSecret = data.client_secret;
  load().catch(() => failed('Could not reach the verification service. Check your connection and try again.'));
});

// Nothing secret in it: any page may learn that a frame is ready, and only an allowed one gets an answer.
// The modal labels its dialog and close button in the frame's language (show-verification-frame.ts).
if (window.parent !== window) {
  const labels = { dialog: root.dataset.dialogLabel ?? '', close: root.dataset.closeLabel ?? '' };
  window.parent.postMessage({ type: 'verity:ready', lang: root.lang, dir: root.dir, labels }, '*');
}
