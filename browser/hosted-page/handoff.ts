/**
 * Desktop to phone (docs/hosted-page.md, *Continue on a phone*): on a desktop, the capture step's
 * hand-off section (functions/hosted-page/render.ts `handoffSection`) is shown; its button asks the
 * page's `handoffs` route for a single-use link and its QR code, and from then on the page looks at
 * the same route every HANDOFF_FOLLOW_SECONDS to learn whether the session went on without it (the
 * phone submitted): then it loads itself again, and the server shows processing, the verdict and the
 * way back to the business. The capture form below stays usable all along.
 */
import { message } from './messages';

/**
 * A desktop, for this page: its primary pointer is precise and can hover (a mouse or trackpad, not a
 * touch screen) and the window is at least DESKTOP_MIN_WIDTH CSS pixels wide. A phone or tablet
 * (coarse pointer), or a narrow window, gets no hand-off: it is the device to hand off to.
 */
const DESKTOP_QUERY = '(hover: hover) and (pointer: fine) and (min-width: 768px)';
/** How often the desktop's page asks whether the session went on: at most one small GET every 4 seconds. */
const HANDOFF_FOLLOW_SECONDS = 4;
/** It stops asking after an hour (the page's own access lasts that long); reloading the page starts again. */
const MAX_FOLLOWS = 900;

interface HandoffAnswer {
  url: string;
  expires_at: number;
  qr_code: { src: string; size: number };
}

/**
 * Shows the hand-off section on any device, for a page that needs a camera this device lacks (live
 * capture, browser/hosted-page/camera.ts); true when the page has one to show.
 */
export function offerHandoff(): boolean {
  const section = document.querySelector<HTMLElement>('[data-handoff][data-handoff-ready]');
  if (!section) return false;
  section.hidden = false;
  return true;
}

export function startHandoff(): void {
  const section = document.querySelector<HTMLElement>('[data-handoff]');
  const url = section?.getAttribute('data-handoff-url');
  if (!section || !url) return;
  const start = section.querySelector<HTMLButtonElement>('[data-handoff-start]');
  const panel = section.querySelector<HTMLElement>('[data-handoff-panel]');
  const qr = section.querySelector<HTMLImageElement>('[data-handoff-qr]');
  const link = section.querySelector<HTMLInputElement>('[data-handoff-link]');
  const copy = section.querySelector<HTMLButtonElement>('[data-handoff-copy]');
  const status = section.querySelector<HTMLElement>('[data-handoff-status]');
  if (!start || !panel || !qr || !link || !copy || !status) return;
  // Wired on every device (offerHandoff may show it), shown at once on a desktop only.
  section.setAttribute('data-handoff-ready', '');
  if (typeof matchMedia === 'function' && matchMedia(DESKTOP_QUERY).matches) section.hidden = false;
  let following = false;

  start.addEventListener('click', async () => {
    start.disabled = true;
    try {
      const response = await fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' } });
      if (!response.ok) throw new Error(String(response.status));
      const answer = (await response.json()) as HandoffAnswer;
      qr.src = answer.qr_code.src;
      qr.width = answer.qr_code.size;
      qr.height = answer.qr_code.size;
      link.value = answer.url;
      panel.hidden = false;
      status.textContent = message('handoff_waiting');
      // Focus moves to what appeared: the link, which a screen reader reads with its label and expiry.
      link.focus();
      link.select();
      if (!following) {
        following = true;
        follow(url, status, 0);
      }
    } catch {
      status.textContent = message('handoff_failed');
    } finally {
      start.disabled = false;
    }
  });

  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(link.value);
    } catch {
      // Without the clipboard API (an http page on a LAN address), the selected text can still be copied by hand.
      link.focus();
      link.select();
      document.execCommand?.('copy');
    }
    status.textContent = message('handoff_copied');
  });
}

/** Asks, every HANDOFF_FOLLOW_SECONDS and at most MAX_FOLLOWS times, whether the session went on; then shows what it became. */
function follow(url: string, status: HTMLElement, count: number): void {
  if (count >= MAX_FOLLOWS) return;
  setTimeout(async () => {
    try {
      const response = await fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } });
      const answer = response.ok ? ((await response.json()) as { state?: string }) : { state: 'moved_on' };
      if (answer.state === 'moved_on') {
        status.textContent = message('handoff_moved_on');
        showPage(url);
        return;
      }
    } catch {
      // A lost connection: look again next time.
    }
    follow(url, status, count + 1);
  }, HANDOFF_FOLLOW_SECONDS * 1000);
}

/**
 * Loads the page again (its address is the hand-off route's without `/handoffs`, keeping `locale`),
 * through a link: in the Stripe.js modal's frame (browser/verification-frame.ts) a click on a link
 * to the page is loaded in the frame with its grant, where a navigation would leave the grant behind.
 */
function showPage(handoffUrl: string): void {
  const link = document.createElement('a');
  link.href = handoffUrl.replace(/\/handoffs(?=\?|$)/, '');
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
}
