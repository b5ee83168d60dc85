/**
 * `POST /start/{token}/submit`: the page's script hands in what the person gave (JSON, images
 * as data URLs). The images, the submission and the move to `processing` are one change; the
 * checks worker takes it from there.
 */
import { VerityError, invalidParameter } from '../domain/errors';
import type { Submission, TestCase } from '../domain/verification-checks';
import { DOCUMENT_TYPES, type Scope, type VerificationSession } from '../domain/verification-session';
import { cookieActs, pageAccess, pageUrl, requirementsOf, returnUrlOf, testCasesFor, testDelaySeconds } from '../hosted-page/page-access';
import { changeSession } from '../store/sessions';
import { MAX_FILE_BYTES, type StoredFile } from '../store/submissions';
import { submitChange } from '../verification-flow';
import { newObjectId } from '../wire/ids';
import { parseJsonBody, requestBodyText } from '../wire/params';
import { boolean, oneOf, readParams, string } from '../wire/schema';
import { ID_NUMBER_DIGITS } from '../hosted-page/view';
import { pageApiRoute, tokenOf } from './verification-page';

/** A data URL of the largest image a file item holds. */
const MAX_DATA_URL_LENGTH = Math.ceil((MAX_FILE_BYTES * 4) / 3) + 40;

const submissionShape = {
  document_type: oneOf(DOCUMENT_TYPES),
  document_front: string({ maxLength: MAX_DATA_URL_LENGTH }),
  document_back: string({ maxLength: MAX_DATA_URL_LENGTH }),
  selfie: string({ maxLength: MAX_DATA_URL_LENGTH }),
  id_number: string({ maxLength: 20 }),
  test_case: string({ maxLength: 100 }),
  delay: boolean(),
};

const pageExpired = () =>
  new VerityError('authentication', null, 'This verification page has expired. Open your verification link again, or ask for a new one.');

export const handler = pageApiRoute(async (event) => {
  const token = tokenOf(event);
  const now = new Date();
  const access = await pageAccess(token, event.cookies, now);
  // A cookie from an attempt that has since been concluded, or retired by a later acceptance of
  // another link, cannot submit: that needs a new link.
  if (!access || !cookieActs(access, access.session)) throw pageExpired();
  const params = readParams(submissionShape, parseJsonBody(requestBodyText(event) || '{}'));
  const { session } = access;
  const scope: Scope = { account: session.account, mode: session.mode };
  const { submission, files } = readSubmission(session, params, now);
  // The answer is ready before the write: once the submission is stored, nothing is left that can fail.
  const answer = {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ redirect_url: returnUrlOf(session) ?? pageUrl(token) }),
  };
  await changeSession(
    scope,
    session.id,
    (current, decidedAt) => {
      // Decided again on the session as a racing write left it: the cookie must still act on that one.
      if (!cookieActs(access, current)) throw pageExpired();
      return submitChange(current, { ...submission, session: current.id }, files, { request: null, now: decidedAt });
    },
    undefined,
    access.stored,
  );
  return answer;
});

type Params = ReturnType<typeof readParams<typeof submissionShape>>;

/** Checks what was handed in against what the session asks for; in test mode everything but the choice of test case is optional. */
function readSubmission(session: VerificationSession, params: Params, now: Date): { submission: Submission; files: StoredFile[] } {
  const requirements = requirementsOf(session);
  const test = session.mode === 'test';
  const created = Math.floor(now.getTime() / 1000);
  const files: StoredFile[] = [];
  const image = (param: 'document_front' | 'document_back' | 'selfie', needed: boolean): string | undefined => {
    const dataUrl = params[param];
    if (!dataUrl) {
      if (needed && !test) throw invalidParameter('parameter_missing', `Add a photo: ${PHOTO_NAMES[param]}.`, param);
      return undefined;
    }
    const file = decodeImage(dataUrl, param);
    const id = newObjectId('file', now.getTime());
    files.push({ id, session: session.id, purpose: param === 'selfie' ? 'selfie' : 'identity_document', created, ...file });
    return id;
  };

  if (params.document_type !== undefined && !requirements.documentTypes.includes(params.document_type)) {
    throw invalidParameter('parameter_invalid', 'This kind of document is not accepted here. Choose one of the listed documents.', 'document_type');
  }
  if (requirements.document && !test && params.document_type === undefined) {
    throw invalidParameter('parameter_missing', 'Choose the kind of document you will use.', 'document_type');
  }
  const documentType = params.document_type ?? requirements.documentTypes[0];
  const submission: Submission = {
    id: newObjectId('vsub', now.getTime()),
    session: session.id,
    created,
    consent: 'given',
    files: {
      document_front: requirements.document ? image('document_front', true) : undefined,
      document_back: requirements.document ? image('document_back', documentType !== 'passport') : undefined,
      selfie: requirements.selfie ? image('selfie', true) : undefined,
    },
    ...(requirements.document ? { document_type: documentType } : {}),
  };
  if (requirements.idNumber) {
    const digits = (params.id_number ?? '').replace(/[\s-]/g, '');
    if (digits === '' && !test) throw invalidParameter('parameter_missing', 'Enter your ID number.', 'id_number');
    if (digits !== '' && !/^(\d{4}|\d{9})$/.test(digits)) {
      throw invalidParameter('parameter_invalid', `Enter ${ID_NUMBER_DIGITS}.`, 'id_number');
    }
    if (digits !== '') submission.id_number = digits;
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
  return { submission, files };
}

const PHOTO_NAMES = { document_front: 'the front of your document', document_back: 'the back of your document', selfie: 'a selfie' };

/** A JPEG or PNG data URL whose bytes are what it says they are. */
function decodeImage(dataUrl: string, param: string): Pick<StoredFile, 'content_type' | 'data'> {
  const match = /^data:(image\/jpeg|image\/png);base64,([A-Za-z0-9+/]+={0,2})$/.exec(dataUrl);
  const data = match ? Buffer.from(match[2]!, 'base64') : undefined;
  const jpeg = data && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff;
  const png = data && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  if (!match || !data || !(match[1] === 'image/jpeg' ? jpeg : png)) {
    throw invalidParameter('parameter_invalid', 'This photo could not be read. Take it again as a JPEG or PNG image.', param);
  }
  if (data.length > MAX_FILE_BYTES) {
    throw invalidParameter('parameter_invalid', 'This photo is too large. Take it again at a lower resolution.', param);
  }
  return { content_type: match[1] as StoredFile['content_type'], data };
}
