/**
 * The English texts of the page's script, rendered into the capture form's `data-messages` (a JSON
 * object) and read by browser/hosted-page/messages.ts: the bundle carries no text of its own, so the
 * page's language is the markup's. The photo refusals are submit's own words (domain/photo-refusals.ts).
 */
import { PHOTO_UNREADABLE, photoTooManyBytes, photoTooManyPixels } from '../domain/photo-refusals';

export const SCRIPT_MESSAGES = {
  upload_failed: "We couldn't send this photo. Check your connection and try again.",
  network_error: 'Could not reach the server. Check your connection and try again.',
  unexpected_error: 'Something went wrong on our side. Please try again.',
  unreadable: PHOTO_UNREADABLE,
  too_many_bytes: photoTooManyBytes('{megabytes}'),
  too_many_pixels: photoTooManyPixels('{width}', '{height}', '{max}'),
  sending: 'Sending your photo…',
  sent: 'Photo sent.',
  not_sent: 'This photo was not sent.',
  submitting: 'Submitting…',
  missing_any: 'Fill in every field.',
  camera_denied:
    "You didn't allow this page to use your camera. Allow camera access in your browser's settings, " +
    'then try again, or choose a photo instead.',
  camera_missing: "We couldn't find a camera on this device. Choose a photo instead.",
  camera_failed: "We couldn't open your camera. Close other apps that use it and try again, or choose a photo instead.",
  camera_unsupported: "Your browser can't open the camera from this page. Choose a photo instead.",
  camera_starting: 'The camera is still starting. Try again in a moment.',
  take_again: 'Take again',
  take_anyway: 'Take anyway',
  guide_hold_steady: 'Hold still.',
  guide_blurry: 'Too blurry. Hold still, or move a little further away so the camera can focus.',
  guide_glare: 'Too much glare. Tilt the document or move away from the light.',
  guide_too_small: 'Move closer, so the document fills the frame.',
  guide_too_dark: 'Too dark. Find more light.',
  guide_good: 'Looks good. Hold still…',
} satisfies Record<string, string>;

/** A text of the script, by key. */
export type ScriptMessageKey = keyof typeof SCRIPT_MESSAGES;
