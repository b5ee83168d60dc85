/**
 * The capture form: the document type, each photo (chosen or taken, sent at once: photos.ts), the
 * typed fields, and the submit that POSTs the answers with the photos' `file_…` ids.
 */
import { Camera } from './camera';
import { loadMessages, message } from './messages';
import { type CaptureForm, clearErrors, fieldNamed, showError, UserFacingError } from './page';
import { type PhotoName, PhotoSlot } from './photos';
import { startLivenessStep } from './liveness';
import { RouteError, requestCaptureNonce, requestJson } from './requests';

/** The JSON body of `POST {page}/submit`. */
interface SubmitPayload {
  document_type?: string;
  document_front?: string;
  document_back?: string;
  selfie?: string;
  liveness_session?: string;
  liveness_unavailable?: boolean;
  id_number?: string;
  person_details?: { first_name: string; last_name: string; dob: { day: string; month: string; year: string } };
  test_case?: string;
  delay?: boolean;
}

/** A positive integer attribute of the form (a limit the server rendered), else `fallback`. */
function limitOf(form: HTMLElement, name: string, fallback: number): number {
  const value = Number(form.getAttribute(name));
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

export function startCaptureForm(capture: CaptureForm): void {
  const { form, submitButton } = capture;
  loadMessages(form);
  const submitLabel = submitButton.textContent;
  const submitUrl = form.getAttribute('data-submit-url') ?? '';
  // Where the page asks for a presigned upload: beside submit, on the page's own path (and query).
  const uploadUrl = submitUrl.replace(/\/submit(?=$|\?)/, '/uploads');
  // Live capture: each camera opening asks for a capture nonce there, which the photo's upload carries.
  const nonceUrl = submitUrl.replace(/\/submit(?=$|\?)/, '/capture_nonces');
  const newNonce = form.hasAttribute('data-live-only') ? (name: string) => requestCaptureNonce(nonceUrl, name) : null;
  const testMode = form.getAttribute('data-mode') === 'test';
  const limits = { maxBytes: limitOf(form, 'data-max-bytes', 10 * 1024 * 1024), maxSide: limitOf(form, 'data-max-side', 10_000) };

  const slots = new Map<string, PhotoSlot>();
  for (const input of form.querySelectorAll<HTMLInputElement>('input[data-photo]'))
    slots.set(input.name, new PhotoSlot(input, capture, uploadUrl, newNonce));
  let busy = false;

  const camera = new Camera(capture, (input, still, nonce) => void slots.get(input.name)?.keepStill(still, nonce), newNonce);
  // The liveness step, when the page has one: done, it submits the form (AWS's component) or waits for the person (stand-in).
  const liveness = startLivenessStep(capture, () => form.requestSubmit());

  function setBusy(isBusy: boolean): void {
    busy = isBusy;
    submitButton.disabled = isBusy;
    submitButton.textContent = isBusy ? message('submitting') : submitLabel;
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
    for (const control of backSide.querySelectorAll<HTMLInputElement | HTMLButtonElement>('input, button:not([data-retry-upload])'))
      control.disabled = isPassport;
  }

  form.addEventListener('change', (event) => {
    const target = event.target;
    if (!(target instanceof HTMLInputElement)) return;
    if (target.name === 'document_type') syncBackSide();
    if (target.type === 'file') void slots.get(target.name)?.keepFile(target.files?.[0], limits);
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
    } else if (button.hasAttribute('data-retry-upload')) {
      const input = button.closest('[data-field]')?.querySelector<HTMLInputElement>('input[data-photo]');
      if (input) void slots.get(input.name)?.send();
    }
  });

  window.addEventListener('pagehide', () => camera.stop());

  // --- Submitting.

  function firstMissingField(): HTMLInputElement | null {
    if (testMode) return null;
    for (const field of form.querySelectorAll<HTMLInputElement>('[required]:not(:disabled)')) {
      const present = slots.has(field.name) ? Boolean(slots.get(field.name)?.present) : field.value.trim() !== '';
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
    // Photos already sent are only named; one still going up is waited for, a failed one sent again.
    const enabled = [...slots.values()].filter((slot) => !slot.input.disabled);
    const ids = await Promise.all(enabled.map((slot) => slot.fileIdForSubmit()));
    enabled.forEach((slot, index) => {
      const id = ids[index];
      if (id) payload[slot.name as PhotoName] = id;
    });
    if (liveness) Object.assign(payload, liveness.payload());
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
    throw new UserFacingError(message('unexpected_error'));
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) return;
    clearErrors(capture);
    const missing = firstMissingField() ?? liveness?.missing() ?? null;
    if (missing) {
      showError(capture, missing.getAttribute('data-missing') || message('fill_in'), missing);
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
      if (error instanceof RouteError) {
        // A photo the server did not find or refused goes up again (alone) at the next submit.
        if (typeof error.param === 'string') slots.get(error.param)?.markNotArrived();
        showError(capture, error.message, fieldNamed(form, error.param));
      } else if (error instanceof UserFacingError) showError(capture, error.message, error.field);
      else showError(capture, message('unexpected_error'), null);
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
