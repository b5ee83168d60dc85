/**
 * `POST /start/{token}/submit`: the page's script hands in what the person gave (JSON): the
 * document type, the ID number, and the `file_…` ids of the images it uploaded first
 * (`POST /start/{token}/uploads`). Each image must have arrived under this session's attempt as
 * a JPEG or PNG (its first bytes say so) of at most 10 MB and MAX_IMAGE_SIDE_PIXELS (10,000) pixels
 * on a side (its header says so). The submission, the images'
 * descriptions and the move to `processing` are one change; the checks worker takes it from there.
 */
import { invalidParameter } from '../domain/errors';
import { IMAGE_HEADER_BYTES, MAX_IMAGE_SIDE_PIXELS, readImageHeader, withinImageLimit } from '../domain/image-signature';
import type { Submission, TestCase } from '../domain/verification-checks';
import { DOCUMENT_TYPES, type VerificationSession } from '../domain/verification-session';
import type { Scope } from '../domain/scope';
import {
  attemptOf,
  cookieActs,
  cookieConditions,
  cookieRetired,
  pageAccess,
  afterSubmitUrl,
  requirementsOf,
  testCasesFor,
  testDelaySeconds,
} from '../hosted-page/page-access';
import { fileStore, MAX_UPLOAD_BYTES, uploadKey, type FileInfo } from '../store/files';
import { changeSession } from '../store/sessions';
import { submitChange } from '../flows/verification-flow';
import { isObjectId, newObjectId } from '../domain/ids';
import { parseJsonBody, requestBodyText } from '../wire/params';
import { boolean, oneOf, readParams, string } from '../wire/schema';
import { formattingLocale, type MessageId, type Messages, messagesFor } from '../hosted-page/messages';
import { chooseLocale } from '../hosted-page/page-locale';
import { idNumberDigits } from '../hosted-page/view';
import { personDetailsShape, readPersonDetails } from '../hosted-page/person-details';
import { pageApiRoute, pageCredentials, pageExpired, pageRequestOf, tokenOf } from './verification-page';
import { livenessFor, type LivenessMode } from '../checks/liveness/availability';
import { claimForSubmission, getLivenessSession, LIVENESS_SUBMIT_SECONDS } from '../store/liveness-sessions';
import { cancellationReasons } from '../store/transaction-items';

const PHOTO_PARAMS = ['document_front', 'document_back', 'selfie'] as const;
type PhotoParam = (typeof PHOTO_PARAMS)[number];

const submissionShape = {
  document_type: oneOf(DOCUMENT_TYPES),
  document_front: string({ maxLength: 64 }),
  document_back: string({ maxLength: 64 }),
  selfie: string({ maxLength: 64 }),
  id_number: string({ maxLength: 20 }),
  person_details: personDetailsShape(),
  test_case: string({ maxLength: 100 }),
  delay: boolean(),
  liveness_session: string({ maxLength: 64 }),
  liveness_unavailable: boolean(),
};

export const handler = pageApiRoute(async (event) => {
  const token = tokenOf(event);
  const now = new Date();
  const access = await pageAccess(token, pageCredentials(event), now);
  // A cookie from an attempt that has since been concluded, or retired by a later acceptance of
  // another link, cannot submit: that needs a new link.
  if (!access || !cookieActs(access, access.session)) throw pageExpired();
  const params = readParams(submissionShape, parseJsonBody(requestBodyText(event) || '{}'));
  const { session } = access;
  const scope: Scope = { account: session.account, mode: session.mode };
  // The page's language, for the words of a refusal: the page's submit URL names it (`?locale=`, page-access.ts).
  const m = messagesFor(chooseLocale({ query: event.queryStringParameters?.locale, acceptLanguage: event.headers?.['accept-language'] }));
  const { submission, photos } = readSubmission(session, params, now, m);
  const livenessClaim = await livenessClaimOf(scope, session, submission, now);
  const files = await uploadedFiles(scope, session, photos, submission.created, m);
  // Named by a submission from here on: the rules that remove unclaimed uploads after a day leave
  // the exact versions inspected (bytes posted to the key later stay `pending` and go). Before the
  // write, so no stored submission names an image that may still expire; a write that then fails
  // leaves tagged objects of this session, which its redaction removes.
  const marked = await Promise.all(files.map((file) => fileStore().markSubmitted(file)));
  const gone = marked.indexOf(false);
  if (gone >= 0) throw notUploaded(photos[gone]![0], m);
  // The answer is ready before the write: once the submission is stored, nothing is left that can fail.
  const answer = {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    // Back to the page, which shows the checks running and then the verdict, and then sends the person to return_url.
    body: JSON.stringify({ redirect_url: afterSubmitUrl(token, pageRequestOf(event)) }),
  };
  try {
    await changeSession(
      scope,
      session.id,
      (current, decidedAt) => {
        // Decided again on the session as a racing write left it: the cookie must still act on that one.
        if (!cookieActs(access, current)) throw pageExpired();
        const change = submitChange(current, { ...submission, session: current.id }, files, { request: null, now: decidedAt });
        // A phone's cookie: and no other phone opened a hand-off link since the read (page-access.ts).
        const items = [...(change.items ?? []), ...(livenessClaim ? [livenessClaim] : []), ...cookieConditions(access)];
        return { ...change, items };
      },
      undefined,
      access.stored,
    );
  } catch (error) {
    // A phone's cookie whose hand-off epoch failed its check: another phone opened a link meanwhile.
    if (cancellationReasons(error) && (await cookieRetired(access))) throw pageExpired();
    // Only the liveness claim can fail a condition but the session's own: a racing submit named it first.
    if (livenessClaim && cancellationReasons(error)?.some((reason, i) => i > 0 && reason.code === 'ConditionalCheckFailed')) {
      throw livenessRefused(LIVENESS_REFUSALS.used);
    }
    throw error;
  }
  return answer;
});

type Params = ReturnType<typeof readParams<typeof submissionShape>>;

/** Checks what was handed in against what the session asks for; in test mode everything but the choice of test case is optional. */
function readSubmission(
  session: VerificationSession,
  params: Params,
  now: Date,
  m: Messages,
): { submission: Submission; photos: [PhotoParam, string][] } {
  const requirements = requirementsOf(session);
  const test = session.mode === 'test';
  const created = Math.floor(now.getTime() / 1000);
  const photos: [PhotoParam, string][] = [];
  const image = (param: PhotoParam, needed: boolean): string | undefined => {
    const id = params[param];
    if (!id) {
      if (needed && !test) throw invalidParameter('parameter_missing', m.t(missingPhoto(param, params.document_type)), param);
      return undefined;
    }
    if (!isObjectId('file', id)) throw notUploaded(param, m);
    if (photos.some(([, other]) => other === id)) {
      throw invalidParameter('parameter_invalid', `Take a separate photo for ${PHOTO_NAMES[param]}.`, param);
    }
    photos.push([param, id]);
    return id;
  };

  if (params.document_type !== undefined && !requirements.documentTypes.includes(params.document_type)) {
    throw invalidParameter(
      'parameter_invalid',
      'This kind of document is not accepted here. Choose one of the listed documents.',
      'document_type',
    );
  }
  if (requirements.document && !test && params.document_type === undefined) {
    throw invalidParameter('parameter_missing', 'Choose the kind of document you will use.', 'document_type');
  }
  const documentType = params.document_type ?? requirements.documentTypes[0];
  const liveness = livenessFor(session);
  // With AWS's liveness the selfie is the liveness capture's reference image, never a photo sent by the page.
  if (liveness === 'aws' && params.selfie !== undefined) {
    throw invalidParameter('parameter_unknown', 'The selfie is taken by the liveness check on this page, not sent as a photo.', 'selfie');
  }
  const submission: Submission = {
    id: newObjectId('vsub', now.getTime()),
    session: session.id,
    created,
    consent: 'given',
    files: {
      document_front: requirements.document ? image('document_front', true) : undefined,
      document_back: requirements.document ? image('document_back', documentType !== 'passport') : undefined,
      selfie: requirements.selfie && liveness !== 'aws' ? image('selfie', true) : undefined,
    },
    ...(requirements.document ? { document_type: documentType } : {}),
  };
  const livenessAnswer = readLiveness(liveness, params, test, m);
  if (livenessAnswer) submission.liveness = livenessAnswer;
  if (requirements.idNumber) {
    const digits = (params.id_number ?? '').replace(/[\s-]/g, '');
    if (digits === '' && !test) throw invalidParameter('parameter_missing', m.t('capture.id_number.missing'), 'id_number');
    if (digits !== '' && !/^(\d{4}|\d{9})$/.test(digits)) {
      throw invalidParameter('parameter_invalid', m.t('capture.id_number.invalid', { digits: idNumberDigits(m) }), 'id_number');
    }
    if (digits !== '') submission.id_number = digits;
  }
  if (requirements.personDetails) submission.person_details = readPersonDetails(params.person_details, now, m);
  else if (params.person_details !== undefined) {
    throw invalidParameter('parameter_unknown', 'Your name and date of birth are not asked for here.', 'person_details');
  }
  if (params.test_case !== undefined || params.delay !== undefined) {
    if (!test) throw invalidParameter('parameter_unknown', 'Test outcomes can only be chosen in test mode.', 'test_case');
    const offered = testCasesFor(session).map((option) => option.id as string);
    if (params.test_case !== undefined && !offered.includes(params.test_case)) {
      throw invalidParameter('parameter_invalid', 'Choose one of the listed test outcomes.', 'test_case');
    }
    if (params.test_case !== undefined) submission.test_case = params.test_case as TestCase;
    if (params.delay) submission.delay_seconds = testDelaySeconds();
  }
  return { submission, photos };
}

/**
 * The liveness step's answer: `liveness_session` (the id `POST /start/{token}/liveness_sessions`
 * returned) or `liveness_unavailable: true`, exactly one, required with AWS's liveness (optional in
 * test mode, where the stand-in step is); refused by name where the session's selfie uses none.
 */
function readLiveness(liveness: LivenessMode, params: Params, test: boolean, m: Messages): Submission['liveness'] {
  const { liveness_session: id, liveness_unavailable: unavailable } = params;
  if (liveness === 'off') {
    if (id !== undefined) throw livenessRefused(LIVENESS_REFUSALS.notUsed, 'liveness_session');
    if (unavailable !== undefined) throw livenessRefused(LIVENESS_REFUSALS.notUsed, 'liveness_unavailable');
    return undefined;
  }
  if (id !== undefined && unavailable) {
    throw invalidParameter(
      'parameter_invalid',
      'Send either the liveness check or that you cannot do it, not both.',
      'liveness_unavailable',
    );
  }
  if (unavailable) return { unavailable: true };
  if (id !== undefined) {
    if (!LIVENESS_SESSION_ID.test(id)) throw livenessRefused(LIVENESS_REFUSALS.unknown);
    return { session: id.toLowerCase() };
  }
  if (!test) throw invalidParameter('parameter_missing', m.t('script.liveness_missing'), 'liveness_session');
  return undefined;
}

/** Rekognition's SessionId, and the stand-in's: a UUID. */
const LIVENESS_SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const LIVENESS_REFUSALS = {
  notUsed: 'This verification does not use a liveness check.',
  unknown: 'This liveness check was not started for this verification. Start the liveness check again.',
  otherAttempt: 'This liveness check belongs to an earlier try. Start the liveness check again.',
  expired: 'This liveness check was started too long ago. Start the liveness check again.',
  used: 'This liveness check was already submitted. Start the liveness check again.',
} as const;

const livenessRefused = (message: string, param = 'liveness_session') => invalidParameter('parameter_invalid', message, param);

/**
 * The guard of the liveness session the submission names (a write of submit's transaction), after
 * checking its record: of this session (another session's id has no record here), of this attempt,
 * created at most LIVENESS_SUBMIT_SECONDS ago, never submitted before. Undefined when none is named.
 */
async function livenessClaimOf(scope: Scope, session: VerificationSession, submission: Submission, now: Date) {
  const liveness = submission.liveness;
  if (!liveness || !('session' in liveness)) return undefined;
  const record = await getLivenessSession(scope, session.id, liveness.session);
  if (!record) throw livenessRefused(LIVENESS_REFUSALS.unknown);
  if (record.attempt !== attemptOf(session)) throw livenessRefused(LIVENESS_REFUSALS.otherAttempt);
  if (record.submission !== undefined) throw livenessRefused(LIVENESS_REFUSALS.used);
  if (now.getTime() / 1000 > record.created + LIVENESS_SUBMIT_SECONDS) throw livenessRefused(LIVENESS_REFUSALS.expired);
  return claimForSubmission(scope, record, submission.id);
}

/**
 * The refusals above that name a photo in English (the same photo twice) and those of a document
 * type, person details or test outcome the page did not offer answer only a request the page's
 * script never makes; the ones a person on the page can meet are in the page's language.
 */
const PHOTO_NAMES = { document_front: 'the front of your document', document_back: 'the back of your document', selfie: 'a selfie' };

/** The page's own words for a photo not given (the ones its script shows beside the field). */
const missingPhoto = (param: PhotoParam, documentType: string | undefined): MessageId =>
  param === 'selfie'
    ? 'capture.selfie.missing'
    : param === 'document_back'
      ? 'capture.back.missing'
      : documentType === 'passport'
        ? 'capture.front.missing_passport'
        : 'capture.front.missing';

/** A photo the store does not hold for this attempt: beside its field, and the page's script sends it again (capture.ts). */
const notUploaded = (param: PhotoParam, m: Messages) => invalidParameter('parameter_invalid', m.t('photo.not_arrived'), param);

/**
 * The uploads the submission names, each checked where it is stored: uploaded under this session
 * and attempt (its key: an upload of another session, or of an attempt since concluded, is not
 * there), a JPEG or PNG whose first bytes match the type it was uploaded as, at most 10 MB, and
 * declaring at most MAX_IMAGE_SIDE_PIXELS on a side (what Textract takes; a small file can declare
 * a huge image, which every decoder would then have to hold). Otherwise a refusal beside the
 * photo's field. Reads the first IMAGE_HEADER_BYTES of each (at most three).
 */
async function uploadedFiles(
  scope: Scope,
  session: VerificationSession,
  photos: [PhotoParam, string][],
  created: number,
  m: Messages,
): Promise<FileInfo[]> {
  const attempt = attemptOf(session);
  const found = await Promise.all(
    photos.map(
      async ([param, id]) =>
        [param, id, await fileStore().inspectUpload(scope, { session: session.id, attempt, id }, IMAGE_HEADER_BYTES)] as const,
    ),
  );
  return found.map(([param, id, object]) => {
    if (!object) throw notUploaded(param, m);
    const header = readImageHeader(object.start);
    // The type its bytes say, and the one it was uploaded as (the one the bucket serves it with), must agree.
    if ('problem' in header || header.type !== object.contentType) {
      throw invalidParameter('parameter_invalid', m.t('photo.unreadable'), param);
    }
    // The page refuses a chosen photo with the same catalogue words, its numbers written as the
    // page's language writes them (browser/hosted-page/images.ts and messages.ts).
    const number = new Intl.NumberFormat(formattingLocale(m.locale));
    if (object.size > MAX_UPLOAD_BYTES) {
      throw invalidParameter(
        'parameter_invalid',
        m.t('photo.too_many_bytes', { megabytes: number.format(MAX_UPLOAD_BYTES / (1024 * 1024)) }),
        param,
      );
    }
    if (!withinImageLimit(header)) {
      const values = {
        width: number.format(header.width),
        height: number.format(header.height),
        max: number.format(MAX_IMAGE_SIDE_PIXELS),
      };
      throw invalidParameter('parameter_invalid', m.t('photo.too_many_pixels', values), param);
    }
    return {
      id,
      session: session.id,
      purpose: param === 'selfie' ? 'selfie' : 'identity_document',
      content_type: header.type,
      width: header.width,
      height: header.height,
      created,
      size: object.size,
      object_key: uploadKey(scope, session.id, attempt, id),
      // The version inspected: the checks, the Files API and the console read exactly these bytes.
      ...(object.version ? { object_version: object.version } : {}),
    };
  });
}
