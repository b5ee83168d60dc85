/**
 * The capture form's shared DOM helpers: the error a person is shown, and the fields it points at.
 */

/** An error meant for the person, shown in the alert region and, when it names one, beside its field. */
export class UserFacingError extends Error {
  constructor(
    message: string,
    readonly field: HTMLElement | null = null,
  ) {
    super(message);
  }
}

/** The elements the script works with, found once. */
export interface CaptureForm {
  form: HTMLFormElement;
  errorRegion: HTMLElement;
  submitButton: HTMLButtonElement;
}

/** The capture form on this page, or null on the other steps (consent, finished), where the script does nothing. */
export function findCaptureForm(): CaptureForm | null {
  const form = document.getElementById('capture-form');
  const errorRegion = document.getElementById('form-error');
  const submitButton = form?.querySelector<HTMLButtonElement>('[data-submit]');
  if (!(form instanceof HTMLFormElement) || !errorRegion || !submitButton) return null;
  return { form, errorRegion, submitButton };
}

/** The field's block (`[data-field]`): its hint, preview, camera panel and error message. */
export const fieldContainer = (element: Element | null): HTMLElement | null => element?.closest<HTMLElement>('[data-field]') ?? null;

export function clearErrors({ form, errorRegion }: CaptureForm): void {
  errorRegion.textContent = '';
  for (const invalid of form.querySelectorAll('[aria-invalid="true"]')) invalid.removeAttribute('aria-invalid');
  for (const message of form.querySelectorAll('[data-field-error]')) message.textContent = '';
}

/** Clears one field's error (a new photo replaces the one that was refused). */
export function clearFieldError(capture: CaptureForm, field: HTMLElement): void {
  const fieldMessage = fieldContainer(field)?.querySelector('[data-field-error]');
  if (fieldMessage?.textContent && capture.errorRegion.textContent === fieldMessage.textContent) capture.errorRegion.textContent = '';
  if (fieldMessage) fieldMessage.textContent = '';
  field.removeAttribute('aria-invalid');
}

const isDisabled = (field: HTMLElement) => 'disabled' in field && Boolean((field as HTMLInputElement).disabled);

/**
 * The alert region announces the message; the same words beside the field show what to fix once
 * focus has moved there.
 */
export function showError({ errorRegion }: CaptureForm, message: string, field: HTMLElement | null): void {
  errorRegion.textContent = message;
  const fieldMessage = fieldContainer(field)?.querySelector('[data-field-error]');
  if (field && !isDisabled(field) && fieldMessage) {
    fieldMessage.textContent = message;
    field.setAttribute('aria-invalid', 'true');
    field.focus();
  } else if (field && !isDisabled(field) && (field as HTMLInputElement).type !== 'hidden') {
    field.focus();
  } else {
    errorRegion.focus();
  }
}

/** The form control a server error's `param` names (the checked radio of a group), for its message. */
export function fieldNamed(form: HTMLFormElement, name: unknown): HTMLElement | null {
  if (typeof name !== 'string' || name === '') return null;
  // CSS.escape is in every browser of BROWSER_TARGETS (Safari 10, Chrome 46).
  const escaped = CSS.escape(name);
  return (
    form.querySelector<HTMLElement>(`[name="${escaped}"]:checked`) ??
    form.querySelector<HTMLElement>(`[name="${escaped}"]:not([type="hidden"]):not(:disabled)`)
  );
}
