/**
 * The keys of the page script's own words (browser/hosted-page/messages.ts reads each from the
 * capture form's `data-message-<key>` attribute, with `_` written `-`). render.ts fills them from
 * the page's catalogue: `capture.<key>` for the two the markup shows too, `photo.<…>` for a refused
 * photo (submit's own words), `script.<key>` for the rest.
 */
export const SCRIPT_MESSAGE_KEYS = [
  'fill_in',
  'upload_error',
  'network_error',
  'unexpected_error',
  'unreadable',
  'too_many_bytes',
  'too_many_pixels',
  'sending',
  'sent',
  'not_sent',
  'submitting',
  'camera_unsupported',
  'camera_denied',
  'camera_denied_live',
  'camera_missing',
  'camera_failed',
  'camera_starting',
  'take_again',
  'take_anyway',
  'guide_hold_steady',
  'guide_blurry',
  'guide_glare',
  'guide_too_small',
  'guide_too_dark',
  'guide_good',
  'camera_required',
  'camera_required_handoff',
  'liveness_loading',
  'liveness_done',
  'liveness_canceled',
  'liveness_error',
  'liveness_camera_error',
  'liveness_missing',
  'liveness_unavailable',
  'handoff_waiting',
  'handoff_copied',
  'handoff_failed',
  'handoff_moved_on',
] as const;

/** A text of the script, by key. */
export type ScriptMessageKey = (typeof SCRIPT_MESSAGE_KEYS)[number];
