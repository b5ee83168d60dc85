/**
 * The hosted verification page's capture step (functions/hosted-page/render.ts), inlined into its
 * one nonce'd <script>. It reads everything it needs from the form's markup (the submit URL, the
 * mode, each field's "missing" message), so the bundle is the same for every page and nothing
 * dynamic is ever spliced into JavaScript.
 *
 * What it POSTs, as JSON: `{ document_type, document_front, document_back, selfie, id_number,
 * person_details: { first_name, last_name, dob: { day, month, year } }, test_case, delay }`,
 * leaving out what is absent; images are the `file_…` ids of photos uploaded just before: for
 * each, it asks `POST {page}/uploads` (beside the submit URL) for a presigned upload, and POSTs the
 * photo there as a form (the fields, then the file), as S3 takes it.
 */
import { startCaptureForm } from './hosted-page/capture';
import { startHandoff } from './hosted-page/handoff';
import { findCaptureForm } from './hosted-page/page';

const capture = findCaptureForm();
if (capture) {
  startCaptureForm(capture);
  startHandoff();
}
