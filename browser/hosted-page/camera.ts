/**
 * The in-page camera, for browsers that ignore the file input's `capture` attribute (most
 * desktops): a live preview in the field's `[data-camera]` panel, and a still taken from it.
 */
import { type CaptureForm, clearErrors, fieldContainer, showError } from './page';

interface ActiveCamera {
  stream: MediaStream;
  panel: HTMLElement;
  video: HTMLVideoElement;
  openButton: HTMLButtonElement;
  input: HTMLInputElement;
}

const DENIED =
  "You didn't allow this page to use your camera. Allow camera access in your browser's settings, then try again, or choose a photo instead.";
const NO_CAMERA = "We couldn't find a camera on this device. Choose a photo instead.";
const CANNOT_OPEN = "We couldn't open your camera. Close other apps that use it and try again, or choose a photo instead.";
const UNSUPPORTED = "Your browser can't open the camera from this page. Use the button above to take or choose a photo instead.";
const STARTING = 'The camera is still starting. Try again in a moment.';

/** One camera at a time for the whole form; `onPhoto` receives each still, by its file input. */
export class Camera {
  private active: ActiveCamera | null = null;

  constructor(
    private readonly capture: CaptureForm,
    private readonly onPhoto: (input: HTMLInputElement, still: HTMLCanvasElement) => void,
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
    for (const track of camera.stream.getTracks()) track.stop();
    camera.video.srcObject = null;
    camera.panel.hidden = true;
    camera.openButton.hidden = false;
    this.active = null;
  }

  async start(openButton: HTMLButtonElement): Promise<void> {
    const container = fieldContainer(openButton);
    const input = container?.querySelector<HTMLInputElement>('input[type="file"]');
    const panel = container?.querySelector<HTMLElement>('[data-camera]');
    const video = panel?.querySelector('video');
    if (!input || !panel || !video) return;
    this.stop();
    clearErrors(this.capture);
    if (!navigator.mediaDevices?.getUserMedia) {
      showError(this.capture, UNSUPPORTED, input);
      return;
    }
    const facing = openButton.getAttribute('data-facing') || 'environment';
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: facing, width: { ideal: 1920 }, height: { ideal: 1080 } },
      });
    } catch (error) {
      const name = error instanceof Error || error instanceof DOMException ? error.name : '';
      const denied = name === 'NotAllowedError' || name === 'SecurityError';
      const noCamera = name === 'NotFoundError' || name === 'OverconstrainedError';
      showError(this.capture, denied ? DENIED : noCamera ? NO_CAMERA : CANNOT_OPEN, input);
      return;
    }
    this.active = { stream, panel, video, openButton, input };
    video.srcObject = stream;
    panel.hidden = false;
    openButton.hidden = true;
    video.play().catch(() => {});
    panel.querySelector<HTMLElement>('[data-take-photo]')?.focus();
  }

  /** A still of the open camera, handed to `onPhoto`; the camera closes and focus returns to its button. */
  takePhoto(): void {
    const camera = this.active;
    if (!camera) return;
    const { video } = camera;
    if (!video.videoWidth || !video.videoHeight) {
      showError(this.capture, STARTING, camera.input);
      return;
    }
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d')?.drawImage(video, 0, 0, canvas.width, canvas.height);
    this.onPhoto(camera.input, canvas);
    const { openButton } = camera;
    this.stop();
    openButton.textContent = 'Take again';
    openButton.focus();
  }
}
