/**
 * The capture form: the document type, each photo (chosen or taken), the typed fields, and the
 * submit that uploads the photos and POSTs the answers.
 */
import { Camera } from './camera';
import { encodeJpeg, loadImage } from './images';
import { type CaptureForm, clearErrors, fieldContainer, fieldNamed, showError, UNEXPECTED_ERROR, UserFacingError } from './page';
import { RouteError, requestJson, uploadPhoto } from './requests';

const UNREADABLE = "We couldn't read this photo. Choose a JPEG or PNG photo, or take a new one.";

/** The JSON body of `POST {page}/submit`. */
interface SubmitPayload {
  document_type?: string;
  document_front?: string;
  document_back?: string;
  selfie?: string;
  id_number?: string;
  person_details?: { first_name: string; last_name: string; dob: { day: string; month: string; year: string } };
  test_case?: string;
  delay?: boolean;
}
type PhotoName = 'document_front' | 'document_back' | 'selfie';

export function startCaptureForm(capture: CaptureForm): void {
  const { form, submitButton } = capture;
  const submitLabel = submitButton.textContent;
  const submitUrl = form.getAttribute('data-submit-url') ?? '';
  // Where the page asks for a presigned upload: beside submit, on the page's own path.
  const uploadUrl = submitUrl.replace(/\/submit$/, '/uploads');
  const testMode = form.getAttribute('data-mode') === 'test';

  // A photo taken with the camera, by field name. Choosing a file afterwards replaces it.
  const cameraPhotos = new Map<string, HTMLCanvasElement>();
  let busy = false;

  const camera = new Camera(capture, (input, still) => {
    cameraPhotos.set(input.name, still);
    input.value = '';
    clearErrors(capture);
    showPreview(fieldContainer(input), still.toDataURL('image/jpeg', 0.85));
  });

  function setBusy(isBusy: boolean): void {
    busy = isBusy;
    submitButton.disabled = isBusy;
    submitButton.textContent = isBusy ? 'Submitting\u2026' : submitLabel;
    form.setAttribute('aria-busy', isBusy ? 'true' : 'false');
  }

  // --- Document type: a passport has no back side.

  function syncBackSide(): void {
    const backSide = form.querySelector<HTMLElement>('[data-back-side]');
    if (!backSide) return;
    const chosen = form.querySelector<HTMLInputElement>('input[name="document_type"]:checked');
    const isPassport = chosen?.value === 'passport';
    if (isPassport && camera.isInside(backSide)) camera.stop();
    backSide.hidden = isPassport;
    for (const control of backSide.querySelectorAll<HTMLInputElement | HTMLButtonElement>('input, button')) control.disabled = isPassport;
  }

  // --- Previews.

  function showPreview(container: HTMLElement | null, src: string | null): void {
    const preview = container?.querySelector<HTMLImageElement>('[data-preview]');
    if (!preview) return;
    const previous = preview.getAttribute('data-object-url');
    if (previous) URL.revokeObjectURL(previous);
    preview.removeAttribute('data-object-url');
    if (!src) {
      preview.hidden = true;
      preview.removeAttribute('src');
      return;
    }
    if (src.startsWith('blob:')) preview.setAttribute('data-object-url', src);
    preview.src = src;
    preview.hidden = false;
  }

  form.addEventListener('change', (event) => {
    const target = event.target;
    if (!(target instanceof HTMLInputElement)) return;
    if (target.name === 'document_type') syncBackSide();
    if (target.type === 'file') {
      cameraPhotos.delete(target.name);
      const file = target.files?.[0];
      showPreview(fieldContainer(target), file ? URL.createObjectURL(file) : null);
    }
  });

  form.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('button') : null;
    if (button?.type !== 'button') return;
    if (button.hasAttribute('data-open-camera')) void camera.start(button);
    else if (button.hasAttribute('data-take-photo')) camera.takePhoto();
    else if (button.hasAttribute('data-close-camera')) {
      const openButton = camera.openButton;
      camera.stop();
      openButton?.focus();
    }
  });

  window.addEventListener('pagehide', () => camera.stop());

  // --- Images: downscaled and re-encoded as JPEG before sending.

  async function imageFor(input: HTMLInputElement): Promise<Blob | null> {
    const still = cameraPhotos.get(input.name);
    if (still) return encodeJpeg({ source: still, width: still.width, height: still.height });
    const file = input.files?.[0];
    if (!file) return null;
    let loaded: Awaited<ReturnType<typeof loadImage>>;
    try {
      loaded = await loadImage(file);
    } catch {
      throw new UserFacingError(UNREADABLE, input);
    }
    const blob = await encodeJpeg(loaded);
    loaded.release();
    return blob;
  }

  // --- Submitting.

  function firstMissingField(): HTMLInputElement | null {
    if (testMode) return null;
    for (const field of form.querySelectorAll<HTMLInputElement>('[required]:not(:disabled)')) {
      const present = field.type === 'file' ? Boolean(cameraPhotos.has(field.name) || field.files?.length) : field.value.trim() !== '';
      if (!present) return field;
    }
    return null;
  }

  /** A typed field's trimmed value, or null when the form has no such (enabled) field. */
  function typed(name: string): string | null {
    const input = form.querySelector<HTMLInputElement>(`input[name="${name}"]:not(:disabled)`);
    return input ? input.value.trim() : null;
  }

  async function buildPayload(): Promise<SubmitPayload> {
    const payload: SubmitPayload = {};
    const documentType =
      form.querySelector<HTMLInputElement>('input[name="document_type"]:checked') ??
      form.querySelector<HTMLInputElement>('input[name="document_type"][type="hidden"]');
    if (documentType) payload.document_type = documentType.value;
    for (const input of form.querySelectorAll<HTMLInputElement>('input[type="file"]:not(:disabled)')) {
      const image = await imageFor(input);
      const name = input.name as PhotoName;
      if (image) payload[name] = await uploadPhoto(uploadUrl, image, name, name === 'selfie' ? 'selfie' : 'identity_document', input);
    }
    const idNumber = typed('id_number');
    if (idNumber) payload.id_number = idNumber;
    // A live id_number session's name and date of birth, as typed: the server checks them.
    const firstName = typed('person_details[first_name]');
    if (firstName !== null) {
      payload.person_details = {
        first_name: firstName,
        last_name: typed('person_details[last_name]') || '',
        dob: {
          day: typed('person_details[dob][day]') || '',
          month: typed('person_details[dob][month]') || '',
          year: typed('person_details[dob][year]') || '',
        },
      };
    }
    if (testMode) {
      const testCase = form.querySelector<HTMLSelectElement>('[name="test_case"]');
      if (testCase?.value) payload.test_case = testCase.value;
      const delay = form.querySelector<HTMLInputElement>('input[name="delay"]');
      payload.delay = Boolean(delay?.checked);
    }
    return payload;
  }

  async function post(payload: SubmitPayload): Promise<string> {
    const body = await requestJson<{ redirect_url?: unknown }>(submitUrl, payload);
    if (typeof body.redirect_url === 'string') return body.redirect_url;
    throw new UserFacingError(UNEXPECTED_ERROR);
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) return;
    clearErrors(capture);
    const missing = firstMissingField();
    if (missing) {
      showError(capture, missing.getAttribute('data-missing') || 'Fill in every field.', missing);
      return;
    }
    camera.stop();
    setBusy(true);
    try {
      const redirectUrl = await post(await buildPayload());
      // Stay busy: the page is going away.
      location.assign(redirectUrl);
    } catch (error) {
      setBusy(false);
      if (error instanceof RouteError) showError(capture, error.message, fieldNamed(form, error.param));
      else if (error instanceof UserFacingError) showError(capture, error.message, error.field);
      else showError(capture, UNEXPECTED_ERROR, null);
    }
  });

  // Test mode: the chosen outcome's description follows the select.
  const testCaseSelect = form.querySelector<HTMLSelectElement>('[data-test-case]');
  const testCaseDescription = form.querySelector<HTMLElement>('[data-test-case-description]');
  if (testCaseSelect && testCaseDescription) {
    testCaseSelect.addEventListener('change', () => {
      const chosen = testCaseSelect.options[testCaseSelect.selectedIndex];
      testCaseDescription.textContent = chosen?.getAttribute('data-description') ?? '';
    });
  }

  syncBackSide();
  // The button stays disabled without JavaScript: the form can only be sent from here.
  submitButton.disabled = false;
}
