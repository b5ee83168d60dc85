/**
 * Each photo field's photo, sent as soon as it is kept: compressed to a JPEG in the page
 * (images.ts), uploaded at once through the page's presigned route with its progress shown and
 * announced, and remembered by its `file_…` id, so that submit only names what is already there.
 * A failed upload is retried alone (its button, or submit); a photo is never sent twice, and a
 * photo replaced while it was going up is forgotten when its upload ends.
 */
import { encodeJpeg, loadImage, type Picture, refusalOf } from './images';
import { message } from './messages';
import { type CaptureForm, clearFieldError, fieldContainer, showError, UserFacingError } from './page';
import { type PhotoPurpose, uploadPhoto } from './requests';

export type PhotoName = 'document_front' | 'document_back' | 'selfie';
type SlotState = 'empty' | 'sending' | 'sent' | 'failed';

/** One photo field: its input, its photo's JPEG, and where its upload stands. */
export class PhotoSlot {
  state: SlotState = 'empty';
  private jpeg: Blob | null = null;
  private fileId: string | null = null;
  private sending: Promise<void> | null = null;
  /**
   * Live capture: the nonce the camera got when it opened for the photo kept (spent by its upload),
   * or null once spent, when a retry asks for a new one; undefined for a chosen file (no live capture).
   */
  private nonce: Promise<string> | null | undefined;
  /** Bumped by each new photo: an upload that ends for an older one is ignored. */
  private generation = 0;
  private readonly status: HTMLElement | null;
  private readonly progress: HTMLProgressElement | null;
  private readonly retryButton: HTMLButtonElement | null;
  private readonly preview: HTMLImageElement | null;

  constructor(
    readonly input: HTMLInputElement,
    private readonly capture: CaptureForm,
    private readonly uploadUrl: string,
    /** Under live capture, asks for a capture nonce for this photo (browser/hosted-page/requests.ts). */
    private readonly newNonce: ((name: string) => Promise<string>) | null = null,
  ) {
    const container = fieldContainer(input);
    this.status = container?.querySelector<HTMLElement>('[data-upload-status]') ?? null;
    this.progress = container?.querySelector<HTMLProgressElement>('[data-upload-progress]') ?? null;
    this.retryButton = container?.querySelector<HTMLButtonElement>('[data-retry-upload]') ?? null;
    this.preview = container?.querySelector<HTMLImageElement>('[data-preview]') ?? null;
  }

  get name(): PhotoName {
    return this.input.name as PhotoName;
  }

  private get purpose(): PhotoPurpose {
    return this.name === 'selfie' ? 'selfie' : 'identity_document';
  }

  /** Whether the field has a photo (sent, going up, or waiting for a retry). */
  get present(): boolean {
    return this.state !== 'empty';
  }

  /** A chosen file: refused at once (in submit's words) when it is not a photo the checks take, else kept. */
  async keepFile(file: File | undefined, limits: { maxBytes: number; maxSide: number }): Promise<void> {
    if (!file) return;
    const generation = ++this.generation;
    this.nonce = undefined;
    const refusal = await refusalOf(file, limits);
    if (generation !== this.generation) return;
    if (refusal) {
      this.forget();
      this.input.value = '';
      showError(this.capture, refusal, this.input);
      return;
    }
    let loaded: Awaited<ReturnType<typeof loadImage>>;
    try {
      loaded = await loadImage(file);
    } catch {
      if (generation !== this.generation) return;
      this.forget();
      this.input.value = '';
      showError(this.capture, message('unreadable'), this.input);
      return;
    }
    try {
      await this.keep(loaded, generation);
    } finally {
      loaded.release();
    }
  }

  /**
   * A still from the in-page camera, with the capture nonce its camera got (live capture); the file
   * input is cleared, since the still replaces what it held.
   */
  keepStill(still: HTMLCanvasElement, nonce?: Promise<string>): Promise<void> {
    this.input.value = '';
    this.nonce = nonce;
    return this.keep({ source: still, width: still.width, height: still.height }, ++this.generation);
  }

  /** Compresses the picture, shows it, and sends it. */
  private async keep(picture: Picture, generation: number): Promise<void> {
    clearFieldError(this.capture, this.input);
    const jpeg = await encodeJpeg(picture, this.name === 'selfie');
    if (generation !== this.generation) return;
    if (!jpeg) {
      this.forget();
      showError(this.capture, message('unreadable'), this.input);
      return;
    }
    this.jpeg = jpeg;
    this.fileId = null;
    this.showPreview(jpeg);
    this.send();
  }

  /** Starts (or restarts, after a failure) this photo's upload; the one under way when it is already going. */
  send(): Promise<void> {
    if (this.sending || !this.jpeg || this.fileId) return this.sending ?? Promise.resolve();
    const generation = this.generation;
    const jpeg = this.jpeg;
    this.setState('sending');
    // Live capture: the camera's nonce goes with the first upload; a retry of the same still asks for a new one.
    const nonce = this.nonce === undefined || !this.newNonce ? undefined : (this.nonce ?? this.newNonce(this.name));
    if (nonce) this.nonce = null;
    this.sending = (nonce ?? Promise.resolve(undefined))
      .then((captureNonce) =>
        uploadPhoto(this.uploadUrl, {
          blob: jpeg,
          name: this.name,
          purpose: this.purpose,
          field: this.input,
          onProgress: (share) => {
            if (this.progress && generation === this.generation) this.progress.value = Math.round(share * 100);
          },
          ...(captureNonce === undefined ? {} : { captureNonce }),
        }),
      )
      .then(
        (fileId) => {
          if (generation !== this.generation) return;
          this.fileId = fileId;
          this.setState('sent');
        },
        (error: unknown) => {
          if (generation !== this.generation) return;
          this.setState('failed');
          const text = error instanceof UserFacingError ? error.message : message('upload_error');
          if (this.status) this.status.textContent = text;
        },
      );
    const sending = this.sending;
    void sending.finally(() => {
      if (this.sending === sending) this.sending = null;
    });
    return sending;
  }

  /**
   * The photo's `file_…` id for submit: waits for an upload under way, and retries a failed one
   * (that one alone). Throws the upload's error, beside this field, when it still fails.
   */
  async fileIdForSubmit(): Promise<string | null> {
    if (this.state === 'empty') return null;
    if (this.state === 'failed' && !this.sending) void this.send();
    while (this.sending) await this.sending;
    if (this.fileId) return this.fileId;
    throw new UserFacingError(this.status?.textContent || message('upload_error'), this.input);
  }

  /** The server says the photo did not arrive (or was refused): it goes up again at the next submit. */
  markNotArrived(): void {
    if (!this.jpeg) return;
    this.fileId = null;
    this.setState('failed');
  }

  /** Drops the photo, and ignores any upload of it still under way. */
  forget(): void {
    this.generation++;
    this.jpeg = null;
    this.nonce = undefined;
    this.fileId = null;
    this.sending = null;
    this.showPreview(null);
    this.setState('empty');
  }

  private setState(state: SlotState): void {
    this.state = state;
    this.input.closest('[data-field]')?.setAttribute('data-upload', state);
    if (this.progress) {
      this.progress.hidden = state !== 'sending';
      if (state === 'sending') this.progress.value = 0;
    }
    if (this.retryButton) this.retryButton.hidden = state !== 'failed';
    if (this.status) {
      // The status is a polite live region: one announcement when sending starts and one when it ends.
      this.status.textContent =
        state === 'sending' ? message('sending') : state === 'sent' ? message('sent') : state === 'failed' ? message('not_sent') : '';
    }
  }

  private showPreview(jpeg: Blob | null): void {
    const preview = this.preview;
    if (!preview) return;
    const previous = preview.getAttribute('data-object-url');
    if (previous) URL.revokeObjectURL(previous);
    preview.removeAttribute('data-object-url');
    if (!jpeg) {
      preview.hidden = true;
      preview.removeAttribute('src');
      return;
    }
    const url = URL.createObjectURL(jpeg);
    preview.setAttribute('data-object-url', url);
    preview.src = url;
    preview.hidden = false;
  }
}
