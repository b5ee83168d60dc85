/**
 * Face Liveness verdicts and the review policy, end to end in live mode: the local service with
 * VERITY_LIVE_CHECKS=aws, only the AWS clients mocked (aws-sdk-client-mock, AWS's documented answers
 * in test/fixtures/aws/). A liveness verdict the account's policy holds (a confidence in the band, the
 * person's way out, the random sample) stays `processing`, appears in the console's "To review" queue
 * with the reference image captioned "Liveness reference", and a reviewer's decision concludes it with
 * the reference image as the selfie, its events, and the liveness session claimed for the report.
 * Crash safety: a hold whose transaction fails writes nothing of the capture, and the job run again
 * holds it once; a job redelivered after the hold changes nothing.
 */
import {
  CompareFacesCommand,
  CreateFaceLivenessSessionCommand,
  DetectFacesCommand,
  GetFaceLivenessSessionResultsCommand,
  RekognitionClient,
} from '@aws-sdk/client-rekognition';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { AnalyzeIDCommand, TextractClient } from '@aws-sdk/client-textract';
import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import type Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runChecksJob } from '../../functions/checks/checks-runner';
import type { Scope } from '../../functions/domain/scope';
import { dynamo } from '../../functions/store/client';
import { getLivenessSession } from '../../functions/store/liveness-sessions';
import { getHeldReview, holdForReview, reviewQueueKey, updateReviewPolicy } from '../../functions/store/review-queue';
import { reviewQueuePartitionPrefix, tableName } from '../../functions/store/schema';
import { getSession } from '../../functions/store/sessions';
import { readSubmission } from '../../functions/store/submissions';
import { getReport } from '../../functions/store/verification-reports';
import type { LocalRuntime } from '../../local/runtime';
import { consoleLinkToken, csrfOf, signInToConsole } from '../support/console';
import { jpegHeader, pngImage } from '../support/images';
import { newStripeAccount, ownTable, startService } from '../support/local-service';
import { acceptOnPage, eventually, submitFromPage, uploadOnPage } from '../support/verification';

/* eslint-disable @typescript-eslint/no-explicit-any -- fixtures are AWS's JSON, read as such */
const fixture = (name: string): any => JSON.parse(readFileSync(new URL(`../fixtures/aws/${name}.json`, import.meta.url), 'utf8'));

const rekognition = mockClient(RekognitionClient);
const sts = mockClient(STSClient);
const textract = mockClient(TextractClient);
const ROLE = 'arn:aws:iam::123456789012:role/VerityLivenessBrowser';
const OPT_IN = { VERITY_LIVE_CHECKS: 'aws', AWS_REGION: 'us-east-1', VERITY_FACE_LIVENESS_BROWSER_ROLE_ARN: ROLE };
const saved = Object.fromEntries([...Object.keys(OPT_IN), 'VERITY_FACE_LIVENESS'].map((name) => [name, process.env[name]]));

const FRONT = jpegHeader(2400, 1500);
const BACK = jpegHeader(2400, 1501);
const REFERENCE = pngImage(16, 16, '#c08040');
const AUDIT = pngImage(16, 16, '#c08041');

let service: LocalRuntime;
beforeAll(async () => {
  Object.assign(process.env, OPT_IN);
  service = await startService({ tableName: await ownTable('verity-test-liveness-review') });
});
afterAll(async () => {
  await service.stop();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  rekognition.restore();
  sts.restore();
  textract.restore();
});
beforeEach(() => {
  rekognition.reset();
  sts.reset();
  textract.reset();
  const credentials = fixture('assume-role-liveness');
  credentials.Credentials.Expiration = new Date(credentials.Credentials.Expiration);
  sts.on(AssumeRoleCommand).resolves(credentials);
  rekognition.on(CreateFaceLivenessSessionCommand).resolves(fixture('create-face-liveness-session'));
  textract.on(AnalyzeIDCommand).resolves(fixture('analyze-id-us-driving-licence'));
  rekognition
    .on(DetectFacesCommand)
    .callsFake((input: { Image?: { Bytes?: Uint8Array } }) =>
      Buffer.from(input.Image?.Bytes ?? []).equals(REFERENCE) ? fixture('detect-faces-selfie') : fixture('detect-faces-document'),
    );
  rekognition.on(CompareFacesCommand).resolves(fixture('compare-faces-match'));
});

/** GetFaceLivenessSessionResults as AWS answers without an output bucket (locally): the images as bytes. */
function livenessAnswers(name: string) {
  const answer = fixture(name);
  if (answer.ReferenceImage) answer.ReferenceImage = { Bytes: REFERENCE, BoundingBox: answer.ReferenceImage.BoundingBox };
  answer.AuditImages = (answer.AuditImages ?? []).map((image: any) => ({ Bytes: AUDIT, BoundingBox: image.BoundingBox }));
  rekognition.on(GetFaceLivenessSessionResultsCommand).resolves(answer);
}

/** A new live account with `policy` as its review policy, and a reviewer signed in to its console. */
async function accountWithPolicy(policy: Parameters<typeof updateReviewPolicy>[1]) {
  const { stripe, scope } = await newStripeAccount(service, 'live');
  await updateReviewPolicy(scope, policy, new Date());
  const reviewer = await signInToConsole(service.url, await consoleLinkToken(scope, 'reviewer', 'reviewer@shop.example'));
  return { stripe, scope, reviewer };
}

/** A live selfie session submitted on the page with a liveness session (or the way out): answers it and its submission's id. */
async function submitted(stripe: Stripe, scope: Scope, way: 'liveness' | 'unavailable' = 'liveness', created?: (id: string) => void) {
  const session = await stripe.identity.verificationSessions.create({
    type: 'document',
    options: { document: { allowed_types: ['driving_license'], require_matching_selfie: true } },
  });
  created?.(session.id);
  const visit = await acceptOnPage(service.url, session.url!);
  const started = await fetch(`${service.url}${visit.path}/liveness_sessions`, {
    method: 'POST',
    headers: { cookie: visit.cookie, 'content-type': 'application/json' },
    body: '{}',
  });
  expect(started.status, await started.clone().text()).toBe(200);
  const liveness = (await started.json()) as { id: string };
  const answer = await submitFromPage(visit, {
    document_type: 'driving_license',
    document_front: await uploadOnPage(visit, FRONT),
    document_back: await uploadOnPage(visit, BACK),
    ...(way === 'liveness' ? { liveness_session: liveness.id } : { liveness_unavailable: true }),
  });
  expect(answer.status, await answer.clone().text()).toBe(200);
  const stored = await getSession(scope, session.id);
  return { session, submission: stored!.session.submission!, liveness: liveness.id };
}

const get = (path: string, cookie: string) => fetch(`${service.url}${path}`, { redirect: 'manual', headers: { cookie } });
const post = (path: string, cookie: string, form: Record<string, string>) =>
  fetch(`${service.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams(form).toString(),
  });
const inQueue = (reviewer: string, id: string) =>
  eventually(
    async () => (await get('/console/review', reviewer)).text(),
    (page) => expect(page).toContain(id),
  );
const eventsOf = async (stripe: Stripe, id: string, type: string) =>
  (await stripe.events.list({ type, limit: 100 })).data.filter((event) => (event.data.object as { id: string }).id === id);
const queueItems = async (scope: Scope) =>
  (
    await dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': reviewQueueKey(scope, '').pk },
        ConsistentRead: true,
      }),
    )
  ).Items ?? [];

describe('a Face Liveness verdict the review policy holds', () => {
  it('a confidence in the band: processing, queued with the liveness reference; approved, verified with it as the selfie', async () => {
    const { stripe, scope, reviewer } = await accountWithPolicy({ liveness_confidence: '95-99' });
    livenessAnswers('get-face-liveness-session-results-succeeded'); // Confidence 98.7
    const { session, submission, liveness } = await submitted(stripe, scope);

    const queue = await inQueue(reviewer, session.id);
    expect(queue).toContain('liveness_confidence_uncertain');
    expect(queue).toMatch(/Liveness confidence<\/dt>\s*<dd>98\.7/);
    expect((await stripe.identity.verificationSessions.retrieve(session.id)).status).toBe('processing');
    expect(rekognition.commandCalls(CompareFacesCommand)).toHaveLength(1);
    // The hold claimed the liveness session (no report yet) and wrote the capture's files with it.
    const held = await getHeldReview(scope, submission);
    expect(held!.liveness).toEqual({ claim: { session: session.id, id: liveness, submission }, reference: expect.any(String) });
    expect(held!.files.selfie).toBe(held!.liveness!.reference);
    expect(await getLivenessSession(scope, session.id, liveness)).toMatchObject({ review_held: held!.held });
    expect((await getLivenessSession(scope, session.id, liveness))!.report).toBeUndefined();
    const reference = await stripe.files.retrieve(held!.liveness!.reference!);
    expect(reference).toMatchObject({ purpose: 'selfie', size: REFERENCE.byteLength, type: 'png' });

    const revealed = await (await post('/console/review/reveal', reviewer, { csrf_token: csrfOf(queue)! })).text();
    expect(revealed).toContain(`alt="Liveness reference (${reference.id})"`);
    expect(revealed).toContain('<figcaption>Liveness reference</figcaption>');
    expect(revealed).not.toContain('<figcaption>Selfie</figcaption>');

    const approved = await post(`/console/verification_sessions/${session.id}/override`, reviewer, {
      csrf_token: csrfOf(revealed)!,
      status: 'verified',
      reason: 'The liveness frames show a live person.',
      return_to: 'review',
    });
    expect(approved.status, await approved.clone().text()).toBe(303);
    const verified = await stripe.identity.verificationSessions.retrieve(session.id, { expand: ['last_verification_report'] });
    expect(verified.status).toBe('verified');
    const report = verified.last_verification_report as Stripe.Identity.VerificationReport;
    expect(report.selfie).toEqual({ status: 'verified', error: null, document: expect.stringMatching(/^file_/), selfie: reference.id });
    expect(await eventsOf(stripe, session.id, 'identity.verification_session.verified')).toHaveLength(1);
    // The report marks the liveness reference for the console's caption; the liveness session is claimed for it, once.
    expect((await getReport(scope, report.id))!.selfie).toMatchObject({ selfie: reference.id, liveness_reference: reference.id });
    expect(await getLivenessSession(scope, session.id, liveness)).toMatchObject({ report: report.id });
    expect(await queueItems(scope)).toEqual([]);
    // The session page, revealed, captions the report's selfie as the liveness reference it is.
    const page = await (await get(`/console/verification_sessions/${session.id}`, reviewer)).text();
    expect(page).toContain('Selfie: 1 image, hidden.');
    const shown = await post(`/console/verification_sessions/${session.id}/reveal`, reviewer, { csrf_token: csrfOf(page)! });
    expect(shown.status, await shown.clone().text()).toBe(200);
    const revealedPage = await shown.text();
    expect(revealedPage).toContain(`alt="Liveness reference"`);
    expect(revealedPage).toMatch(new RegExp(`<figcaption>Liveness reference · .*<code>${reference.id}</code>`, 's'));
  });

  it('the way out (liveness_unavailable), and an expired liveness session: held, then rejected with a code', async () => {
    const { stripe, scope, reviewer } = await accountWithPolicy({ liveness_unavailable: 'on' });
    const wayOut = await submitted(stripe, scope, 'unavailable');
    const queue = await inQueue(reviewer, wayOut.session.id);
    expect(queue).toContain('liveness_unavailable');
    expect((await stripe.identity.verificationSessions.retrieve(wayOut.session.id)).status).toBe('processing');
    expect(rekognition.commandCalls(GetFaceLivenessSessionResultsCommand)).toEqual([]);

    livenessAnswers('get-face-liveness-session-results-expired');
    const expired = await submitted(stripe, scope);
    await inQueue(reviewer, expired.session.id);
    expect(await getLivenessSession(scope, expired.session.id, expired.liveness)).toMatchObject({ review_held: expect.any(Number) });

    for (const { session } of [wayOut, expired]) {
      const rejected = await post(`/console/verification_sessions/${session.id}/override`, reviewer, {
        csrf_token: csrfOf(queue)!,
        status: 'requires_input',
        code: 'selfie_unverified_other',
        reason: 'No live capture of the person; asked for another way.',
        return_to: 'review',
      });
      expect(rejected.status, await rejected.clone().text()).toBe(303);
      const back = await stripe.identity.verificationSessions.retrieve(session.id);
      expect(back).toMatchObject({ status: 'requires_input', last_error: { code: 'selfie_unverified_other' } });
      expect(await eventsOf(stripe, session.id, 'identity.verification_session.requires_input')).toHaveLength(1);
    }
    // The expired liveness session is claimed for its report: a new submission naming it again would be refused.
    const report = (await stripe.identity.verificationSessions.retrieve(expired.session.id)).last_verification_report as string;
    expect(await getLivenessSession(scope, expired.session.id, expired.liveness)).toMatchObject({ report });
  });

  it('the random sample (sample_rate 1) holds a low-confidence failure too, with its reference image for the reviewer', async () => {
    const { stripe, scope, reviewer } = await accountWithPolicy({ sample_rate: '1' });
    livenessAnswers('get-face-liveness-session-results-low-confidence');
    const { session, submission } = await submitted(stripe, scope);
    const queue = await inQueue(reviewer, session.id);
    expect(queue).toContain('random_sample');
    expect(queue).toContain('selfie_manipulated');
    expect((await getHeldReview(scope, submission))!.liveness!.reference).toMatch(/^file_/);
    await eventually(
      () => stripe.identity.verificationSessions.retrieve(session.id),
      (current) => expect(current.status).toBe('processing'),
    );
  });
});

describe('crash safety', () => {
  it('a hold that fails writes nothing of the capture; the job run again holds it once; run once more, nothing changes', async () => {
    const { stripe, scope, reviewer } = await accountWithPolicy({ sample_rate: '1' });
    livenessAnswers('get-face-liveness-session-results-succeeded');
    // The worker dies at the hold's transaction, once (after reading the result and keeping the images).
    const client = dynamo();
    const send = client.send.bind(client);
    let crashed = 0;
    const spy = vi.spyOn(client, 'send').mockImplementation(((command: unknown, ...rest: unknown[]) => {
      const holds =
        command instanceof TransactWriteCommand &&
        command.input.TransactItems?.some((item) => String(item.Put?.Item?.pk ?? '').startsWith(reviewQueuePartitionPrefix));
      if (holds && crashed++ === 0) return Promise.reject(new Error('the worker died'));
      return (send as (...args: unknown[]) => unknown)(command, ...rest);
    }) as never);
    try {
      const { session, submission, liveness } = await submitted(stripe, scope);
      await eventually(
        async () => crashed,
        (count) => expect(count).toBe(1),
      );
      // Nothing half-written: no queue item, the liveness session unclaimed, no file described, the session processing.
      expect(await queueItems(scope)).toEqual([]);
      const record = await getLivenessSession(scope, session.id, liveness);
      expect(record!.review_held).toBeUndefined();
      expect(record!.report).toBeUndefined();
      expect((await stripe.files.list({ limit: 100 })).data.filter((file) => file.purpose === 'selfie')).toEqual([]);
      expect((await stripe.identity.verificationSessions.retrieve(session.id)).status).toBe('processing');

      // Redelivered: the result is read again and the verdict held, once.
      await runChecksJob({ scope, submission });
      expect(rekognition.commandCalls(GetFaceLivenessSessionResultsCommand)).toHaveLength(2);
      await inQueue(reviewer, session.id);
      const held = await getHeldReview(scope, submission);
      const selfies = (await stripe.files.list({ limit: 100 })).data.filter((file) => file.purpose === 'selfie');
      expect(selfies.map((file) => file.id).sort()).toContain(held!.liveness!.reference);
      expect(selfies).toHaveLength(2); // the reference image and one audit image

      // Redelivered again after the hold: no second read, no second hold, no second claim.
      await runChecksJob({ scope, submission });
      expect(rekognition.commandCalls(GetFaceLivenessSessionResultsCommand)).toHaveLength(2);
      expect(await queueItems(scope)).toHaveLength(1);
      expect(await getLivenessSession(scope, session.id, liveness)).toMatchObject({ review_held: held!.held });
      expect((await stripe.files.list({ limit: 100 })).data.filter((file) => file.purpose === 'selfie')).toHaveLength(2);
      expect((await stripe.identity.verificationSessions.retrieve(session.id)).status).toBe('processing');
    } finally {
      spy.mockRestore();
    }
  });

  it('a job that lost the race to a twin holding the verdict does not conclude it: it fails, then finds it held', async () => {
    // No policy for this job: it would conclude the verdict by itself, were it not held meanwhile.
    const { stripe, scope, reviewer } = await accountWithPolicy({});
    let sessionId = '';
    let twinHeld = false;
    const answer = fixture('get-face-liveness-session-results-succeeded');
    answer.ReferenceImage = { Bytes: REFERENCE, BoundingBox: answer.ReferenceImage.BoundingBox };
    answer.AuditImages = [];
    // While this job reads the liveness result, its twin (a redelivery, with a sampling policy) holds the verdict.
    rekognition.on(GetFaceLivenessSessionResultsCommand).callsFake(async () => {
      const stored = await getSession(scope, sessionId);
      const read = await readSubmission(scope, stored!.session.submission!);
      const outcome = { ran: ['document' as const, 'selfie' as const], failure: null, person: null };
      const held = { scope, session: sessionId, submission: read!.submission.id, reasons: ['random_sample' as const], outcome };
      twinHeld = await holdForReview(read!.item, { ...held, held: Math.floor(Date.now() / 1000), files: read!.submission.files });
      return answer;
    });
    const failures = vi.spyOn(console, 'error');
    try {
      const { session, submission, liveness } = await submitted(stripe, scope, 'liveness', (id) => {
        sessionId = id;
      });
      await eventually(
        async () => failures.mock.calls.map(([line]) => String(line)),
        (lines) => expect(lines.some((line) => line.includes('verification checks failed'))).toBe(true),
      );
      expect(twinHeld).toBe(true);
      // Still held: processing, in the queue, the liveness session not claimed for any report.
      expect((await stripe.identity.verificationSessions.retrieve(session.id)).status).toBe('processing');
      await inQueue(reviewer, session.id);
      expect((await getLivenessSession(scope, session.id, liveness))!.report).toBeUndefined();
      await runChecksJob({ scope, submission });
      expect(rekognition.commandCalls(GetFaceLivenessSessionResultsCommand)).toHaveLength(1);
      expect((await stripe.identity.verificationSessions.retrieve(session.id)).status).toBe('processing');
    } finally {
      failures.mockRestore();
    }
  });
});
