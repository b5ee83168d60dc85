/**
 * The in-page camera with guidance: a live preview in the field's `[data-camera]` panel under a card
 * frame (or a face outline for the selfie), the field's instruction, and a few times a second a
 * check of the frame (quality.ts: light, glare, distance, focus, steadiness) whose advice is shown
 * and announced when it changes. When the frame has been good for AUTO_CAPTURE_FRAMES checks in a
 * row the photo is taken by itself; "Take photo" takes it at once, but a still that fails a check is
 * not kept until the person presses again ("Take anyway"), having been told why.
 *
 * Under live capture (`require_live_capture`) the camera asks the server for a single-use capture
 * nonce for its photo as it opens (functions/http/create-capture-nonce.ts); the still it keeps
 * carries that nonce to its upload. A device without a camera is pointed to the hand-off to a phone.
 */
import { offerHandoff } from './handoff';
import { type MessageKey, message } from './messages';
import { type CaptureForm, clearErrors, fieldContainer, showError } from './page';
import { type FrameProblem, frameProblem, type GreyFrame, greyOf, measureFrame } from './quality';

interface ActiveCamera {
  stream: MediaStream;
  panel: HTMLElement;
  video: HTMLVideoElement;
  openButton: HTMLButtonElement;
  takeButton: HTMLButtonElement | null;
  guide: HTMLElement | null;
  input: HTMLInputElement;
  /** A card is framed (document sides); a face otherwise. */
  document: boolean;
  timer: number;
  previous: GreyFrame | undefined;
  goodFrames: number;
  /** The advice shown, so it is announced only when it changes. */
  shown: MessageKey | null;
  /** The last still failed a check and the person was told: the next press keeps whatever comes. */
  forceNext: boolean;
  /** Live capture: the capture nonce asked for as the camera opened, for the still it keeps. */
  nonce: Promise<string> | undefined;
}

/** Checks a second: enough to follow a hand, light enough for an old phone. */
const CHECK_INTERVAL_MS = 300;
/** Good checks in a row before the photo takes itself: about a second of a steady, sharp card. */
const AUTO_CAPTURE_FRAMES = 3;
/** The grey copy's width for the checks. */
const CHECK_WIDTH = 320;
/** ISO/IEC 7810 ID-1 (a bank or ID card): 85.60 × 53.98 mm. */
const CARD_ASPECT = 85.6 / 53.98;

const ADVICE: Record<FrameProblem, MessageKey> = {
  too_dark: 'guide_too_dark',
  glare: 'guide_glare',
  too_small: 'guide_too_small',
  blurry: 'guide_blurry',
  moving: 'guide_hold_steady',
};

/** The part of a frame the overlay frames: a centred card (85 % of the width) or the whole frame for a face. */
function framedRegion(width: number, height: number, document: boolean) {
  if (!document) return { x: 0, y: 0, width, height };
  const regionWidth = Math.min(width * 0.85, height * 0.85 * CARD_ASPECT);
  const regionHeight = regionWidth / CARD_ASPECT;
  return { x: (width - regionWidth) / 2, y: (height - regionHeight) / 2, width: regionWidth, height: regionHeight };
}

/** A grey, CHECK_WIDTH-wide copy of the framed part of `source` (`width` × `height` pixels). */
function greyCopy(source: CanvasImageSource, width: number, height: number, document: boolean): GreyFrame | null {
  const region = framedRegion(width, height, document);
  const canvas = globalThis.document.createElement('canvas');
  canvas.width = CHECK_WIDTH;
  canvas.height = Math.max(1, Math.round((CHECK_WIDTH * region.height) / region.width));
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) return null;
  context.drawImage(source, region.x, region.y, region.width, region.height, 0, 0, canvas.width, canvas.height);
  return greyOf(context.getImageData(0, 0, canvas.width, canvas.height).data, canvas.width, canvas.height);
}

/** One camera at a time for the whole form; `onPhoto` receives each still kept, by its file input. */
export class Camera {
  private active: ActiveCamera | null = null;

  constructor(
    private readonly capture: CaptureForm,
    private readonly onPhoto: (input: HTMLInputElement, still: HTMLCanvasElement, nonce: Promise<string> | undefined) => void,
    /** Under live capture, asks for a capture nonce for the photo `name` (browser/hosted-page/requests.ts). */
    private readonly newNonce: ((name: string) => Promise<string>) | null = null,
  ) {}

  /** Whether the camera is showing inside `element` (a field that is about to be hidden). */
  isInside(element: Element): boolean {
    return this.active !== null && element.contains(this.active.panel);
  }

  /** The button that opened the camera that is showing, if any. */
  get openButton(): HTMLButtonElement | null {
    return this.active?.openButton ?? null;
  }

  stop(): void {
    const camera = this.active;
    if (!camera) return;
    window.clearInterval(camera.timer);
    for (const track of camera.stream.getTracks()) track.stop();
    camera.video.srcObject = null;
    camera.panel.hidden = true;
    camera.openButton.hidden = false;
    if (camera.guide) camera.guide.textContent = '';
    this.active = null;
  }

  /** Whether photos may come from the camera only (the session's `require_live_capture`). */
  private liveOnly(): boolean {
    return this.capture.form.hasAttribute('data-live-only');
  }

  /**
   * Live capture on a device without a usable camera: the hand-off to a phone, shown and pointed
   * to when the page has it (browser/hosted-page/handoff.ts), else the words to open the link on a phone.
   */
  private noCamera(): MessageKey {
    return offerHandoff() ? 'camera_required_handoff' : 'camera_required';
  }

  async start(openButton: HTMLButtonElement): Promise<void> {
    const container = fieldContainer(openButton);
    const input = container?.querySelector<HTMLInputElement>('input[data-photo]');
    const panel = container?.querySelector<HTMLElement>('[data-camera]');
    const video = panel?.querySelector('video');
    if (!input || !panel || !video) return;
    this.stop();
    clearErrors(this.capture);
    if (!navigator.mediaDevices?.getUserMedia) {
      showError(this.capture, message(this.liveOnly() ? this.noCamera() : 'camera_unsupported'), input);
      return;
    }
    const facing = openButton.getAttribute('data-facing') || 'environment';
    let stream: MediaStream;
    try {
      // 1920 px wide: a card filling 85 % of it keeps about 1,600 px, well above what the checks need.
      stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: facing, width: { ideal: 1920 }, height: { ideal: 1080 } },
      });
    } catch (error) {
      const name = error instanceof Error || error instanceof DOMException ? error.name : '';
      const denied = name === 'NotAllowedError' || name === 'SecurityError';
      const noCamera = name === 'NotFoundError' || name === 'OverconstrainedError';
      // With require_live_capture there is no photo to choose instead: a phone with a camera is the way on.
      const missing = this.liveOnly() ? this.noCamera() : 'camera_missing';
      showError(
        this.capture,
        message(denied ? (this.liveOnly() ? 'camera_denied_live' : 'camera_denied') : noCamera ? missing : 'camera_failed'),
        input,
      );
      return;
    }
    const takeButton = panel.querySelector<HTMLButtonElement>('[data-take-photo]');
    const camera: ActiveCamera = {
      stream,
      panel,
      video,
      openButton,
      takeButton,
      guide: panel.querySelector<HTMLElement>('[data-camera-guide]'),
      input,
      document: facing === 'environment',
      timer: 0,
      previous: undefined,
      goodFrames: 0,
      shown: null,
      forceNext: false,
      nonce: this.newNonce?.(input.name),
    };
    // A refused nonce is told where its upload fails (photos.ts), not here.
    camera.nonce?.catch(() => {});
    if (takeButton) takeButton.textContent = takeButton.getAttribute('data-label') ?? takeButton.textContent;
    this.active = camera;
    video.srcObject = stream;
    panel.hidden = false;
    openButton.hidden = true;
    video.play().catch(() => {});
    camera.timer = window.setInterval(() => this.check(camera), CHECK_INTERVAL_MS);
    takeButton?.focus();
  }

  /** Shows (and, by the live region, announces) advice when it changes. */
  private advise(camera: ActiveCamera, key: MessageKey): void {
    if (camera.shown === key || !camera.guide) return;
    camera.shown = key;
    camera.guide.textContent = message(key);
  }

  /** One check of the live frame: advice, and the photo taken once the frame has stayed good. */
  private check(camera: ActiveCamera): void {
    if (this.active !== camera) return;
    const { video } = camera;
    if (!video.videoWidth || !video.videoHeight) return;
    const grey = greyCopy(video, video.videoWidth, video.videoHeight, camera.document);
    if (!grey) return;
    const problem = frameProblem(measureFrame(grey, camera.previous), camera.document);
    camera.previous = grey;
    if (problem) {
      camera.goodFrames = 0;
      this.advise(camera, ADVICE[problem]);
      return;
    }
    camera.goodFrames++;
    this.advise(camera, 'guide_good');
    if (camera.goodFrames >= AUTO_CAPTURE_FRAMES) this.takePhoto();
  }

  /** A still of the open camera, kept when it passes the checks or the person insists; then the camera closes. */
  takePhoto(): void {
    const camera = this.active;
    if (!camera) return;
    const { video } = camera;
    if (!video.videoWidth || !video.videoHeight) {
      showError(this.capture, message('camera_starting'), camera.input);
      return;
    }
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d')?.drawImage(video, 0, 0, canvas.width, canvas.height);
    const grey = greyCopy(canvas, canvas.width, canvas.height, camera.document);
    // A still has no motion of its own: only what it shows is checked.
    const problem = grey ? frameProblem(measureFrame(grey), camera.document) : null;
    if (problem && !camera.forceNext) {
      camera.forceNext = true;
      camera.goodFrames = 0;
      camera.shown = null;
      this.advise(camera, ADVICE[problem]);
      if (camera.takeButton) camera.takeButton.textContent = message('take_anyway');
      return;
    }
    this.onPhoto(camera.input, canvas, camera.nonce);
    const { openButton } = camera;
    this.stop();
    openButton.textContent = message('take_again');
    openButton.focus();
  }
}
