/**
 * The capture form's liveness step (functions/hosted-page/render.ts `livenessField`). Nothing
 * happens until the person presses Start: then the page asks its route for a liveness session
 * (`POST {page}/liveness_sessions`, which lives 3 minutes and is capped per attempt), and either
 * runs AWS's component or, in test mode, takes the stand-in's session as done. AWS's component is
 * an island loaded here and only here: its script (`island.js`, 1.7 MB) is added to the page under
 * the page's CSP nonce when the step starts, never on another step (browser/liveness/island.tsx).
 * A cancel or a failure says so in the page's language and offers a new try (a new session) and
 * the way out (`liveness_unavailable: true`: the session goes to review or asks for another way).
 */
import type { LivenessCredentials, LivenessIsland } from '../liveness/contract';
import { message } from './messages';
import { type CaptureForm, clearErrors, showError, UserFacingError } from './page';
import { requestJson } from './requests';

/** The answer of `POST {page}/liveness_sessions` (the contract with the API side). */
interface LivenessSession {
  id: string;
  mode: 'aws' | 'stand_in';
  region: string | null;
  challenge: string;
  expires_at: number;
  credentials: LivenessCredentials | null;
}

/** What the capture form asks of the step: is it missing, and what to submit. */
export interface LivenessStep {
  /** The element to point at when the step is not done (its hidden input, which carries the "missing" text), else null. */
  missing: () => HTMLInputElement | null;
  payload: () => { liveness_session?: string; liveness_unavailable?: boolean };
}

// The nonce of the page's own script, read while it runs: the island's script and style get the same.
const pageNonce = (document.currentScript as HTMLScriptElement | null)?.nonce ?? '';

let islandLoading: Promise<LivenessIsland> | null = null;

/** Adds the island's script once, under the page's nonce, and resolves when it has defined `verityLiveness`. */
function loadIsland(assetsPath: string): Promise<LivenessIsland> {
  islandLoading ??= new Promise<LivenessIsland>((resolve, reject) => {
    const script = document.createElement('script');
    script.nonce = pageNonce;
    script.src = `${assetsPath}island.js`;
    script.onload = () => {
      const island = (globalThis as { verityLiveness?: LivenessIsland }).verityLiveness;
      if (island) resolve(island);
      else reject(new Error('island'));
    };
    script.onerror = () => reject(new Error('island'));
    document.head.append(script);
  }).catch((error: unknown) => {
    islandLoading = null;
    throw error;
  });
  return islandLoading;
}

/** Camera errors of the component (its `ErrorState`), said as a camera problem with the way on. */
const CAMERA_ERRORS = new Set(['CAMERA_ACCESS_ERROR', 'CAMERA_FRAMERATE_ERROR']);

export function startLivenessStep(capture: CaptureForm, submit: () => void): LivenessStep | null {
  const { form } = capture;
  const field = form.querySelector<HTMLElement>('[data-liveness]');
  const sessionInput = field?.querySelector<HTMLInputElement>('[data-liveness-session]');
  const startButton = field?.querySelector<HTMLButtonElement>('[data-start-liveness]');
  const retryButton = field?.querySelector<HTMLButtonElement>('[data-retry-liveness]');
  const wayOut = field?.querySelector<HTMLButtonElement>('[data-liveness-unavailable]');
  const mountPoint = field?.querySelector<HTMLElement>('[data-liveness-mount]');
  const status = field?.querySelector<HTMLElement>('[data-liveness-status]');
  if (!field || !sessionInput || !startButton || !retryButton || !wayOut || !mountPoint || !status) return null;
  const sessionsUrl = field.getAttribute('data-liveness-url') ?? '';
  const assetsPath = new URL(field.getAttribute('data-liveness-assets') ?? '/', location.href).href;
  const testMode = form.getAttribute('data-mode') === 'test';
  let unmount: (() => void) | null = null;
  let unavailable = false;
  let running = false;

  const say = (text: string) => {
    status.textContent = text;
  };

  function stopComponent(): void {
    unmount?.();
    unmount = null;
  }

  /** The step ended without a result: say why, and offer a new try beside the way out. */
  function interrupted(text: string): void {
    stopComponent();
    running = false;
    sessionInput!.value = '';
    say('');
    startButton!.hidden = true;
    retryButton!.hidden = false;
    showError(capture, text, null);
  }

  async function start(): Promise<void> {
    if (running) return;
    running = true;
    clearErrors(capture);
    unavailable = false;
    sessionInput!.value = '';
    startButton!.disabled = true;
    retryButton!.hidden = true;
    say(message('liveness_loading'));
    let session: LivenessSession;
    try {
      session = await requestJson<LivenessSession>(sessionsUrl, {});
    } catch (error) {
      running = false;
      startButton!.disabled = false;
      say('');
      if (!startButton!.hidden) startButton!.hidden = false;
      retryButton!.hidden = !startButton!.hidden;
      showError(capture, error instanceof UserFacingError ? error.message : message('unexpected_error'), null);
      return;
    }
    if (session.mode === 'stand_in' || !session.credentials || !session.region) {
      // Test mode's stand-in: no component, no camera; the session is the result.
      // Done: the step offers no new start, which would only spend another of the attempt's capped sessions.
      sessionInput!.value = session.id;
      running = false;
      startButton!.disabled = false;
      startButton!.hidden = true;
      retryButton!.hidden = true;
      say(message('liveness_done'));
      return;
    }
    let island: LivenessIsland;
    try {
      island = await loadIsland(assetsPath);
    } catch {
      startButton!.disabled = false;
      interrupted(message('liveness_error'));
      return;
    }
    say('');
    startButton!.hidden = true;
    startButton!.disabled = false;
    const displayText = JSON.parse(field!.getAttribute('data-liveness-text') ?? '{}') as Record<string, string>;
    unmount = island.mount(mountPoint!, {
      sessionId: session.id,
      region: session.region,
      credentials: session.credentials,
      binaryPath: assetsPath,
      displayText,
      nonce: pageNonce,
      onComplete: () => {
        stopComponent();
        running = false;
        sessionInput!.value = session.id;
        say(message('liveness_done'));
        submit();
      },
      onCancel: () => interrupted(message('liveness_canceled')),
      onError: (state) => interrupted(message(CAMERA_ERRORS.has(state) ? 'liveness_camera_error' : 'liveness_error')),
    });
  }

  startButton.addEventListener('click', () => void start());
  retryButton.addEventListener('click', () => void start());
  wayOut.addEventListener('click', () => {
    stopComponent();
    running = false;
    unavailable = true;
    sessionInput.value = '';
    clearErrors(capture);
    say(message('liveness_unavailable'));
  });

  return {
    missing: () => (testMode || unavailable || sessionInput.value !== '' ? null : sessionInput),
    payload: () => (sessionInput.value ? { liveness_session: sessionInput.value } : unavailable ? { liveness_unavailable: true } : {}),
  };
}
