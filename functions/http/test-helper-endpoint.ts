/**
 * Stripe's test helpers for Identity: move a test-mode session as a person's submission and
 * Verity's checks would, through the same changes (functions/flows/verification-flow.ts), so they emit
 * the same events and write the same reports as the verification page does.
 */
import { VerityError } from '../domain/errors';
import { UNEXPECTED_STATE_CODE, type VerificationSession } from '../domain/verification-session';
import type { Submission, TestCase } from '../domain/verification-checks';
import { testModeOutcome } from '../checks/test-mode';
import { changeSession, getSession } from '../store/sessions';
import { readSubmission } from '../store/submissions';
import { getHeldReview } from '../store/review-queue';
import { concludeChange, endingReview, heldSubmission, submitAndConcludeChange, submitChange } from '../flows/verification-flow';
import { expandParam } from '../wire/expand';
import { newObjectId } from '../domain/ids';
import type { Infer, Shape } from '../wire/schema';
import { stripeEndpoint } from './endpoint';
import { sessionResponse } from './session-response';
import { sessionIdFromPath } from './verification-session-params';

/** What a helper does; `P` is its parameters as its shape reads them. */
export type TestHelperTarget<P = unknown> =
  /** → `processing`, held there until another helper concludes it. */
  | { kind: 'process' }
  /** → `verified` or back to `requires_input`, through `processing` if the session is still waiting for input. */
  | { kind: 'conclude'; name: 'verify' | 'require_input'; testCase: (params: P) => TestCase };

export function testHelperEndpoint<S extends Shape>(target: TestHelperTarget<Infer<S>>, shape: S) {
  return stripeEndpoint({ ...shape, expand: expandParam() }, async (request) => {
    const { params, scope, pathId, saveResponse, access } = request;
    if (scope.mode !== 'test') {
      throw new VerityError(
        'unexpected_state',
        'livemode_mismatch',
        'Test helpers can only be used with a test key (sk_test_… or rk_test_…).',
      );
    }
    const id = sessionIdFromPath(pathId);
    const response = sessionResponse(scope, params.expand as string[] | undefined, { access });
    const stored = await getSession(scope, id);
    await response.load(stored ? [stored.session] : []);
    // A session submitted on the page is concluded with what the person submitted.
    const read = stored?.session.submission ? await readSubmission(scope, stored.session.submission) : undefined;
    const pending = read?.submission;
    // A verdict held for review is decided by the helper instead, and leaves the queue with it.
    const inReview = read?.review_held !== undefined ? await getHeldReview(scope, read.submission.id) : undefined;
    const newSubmission = (session: VerificationSession, extra: Partial<Submission> = {}): Submission => ({
      id: newObjectId('vsub', request.origin.now.getTime()),
      session: session.id,
      created: Math.floor(request.origin.now.getTime() / 1000),
      consent: 'given',
      files: {},
      ...extra,
    });

    const change = await changeSession(
      scope,
      id,
      (current, now) => {
        const origin = { ...request.origin, now };
        if (target.kind === 'process') return submitChange(current, newSubmission(current, { held: true }), [], origin);
        const testCase = target.testCase(params);
        const outcome = (processing: VerificationSession, submission: Submission) =>
          testModeOutcome(processing, { ...submission, consent: 'given', test_case: testCase });
        if (current.status === 'requires_input') {
          const submission = newSubmission(current);
          return submitAndConcludeChange(current, submission, (processing) => outcome(processing, submission), origin);
        }
        // A redacted session is refused by the core itself, with a message that says so.
        if (current.status !== 'processing' && current.redaction === null) throw cannotConclude(target.name, current);
        const submitted = pending && pending.id === current.submission ? pending : newSubmission(current, { id: current.submission ?? '' });
        const held = inReview && inReview.submission === submitted.id ? inReview : undefined;
        const submission = held ? heldSubmission(submitted, held) : submitted;
        const concluded = concludeChange(current, submission, outcome(current, submission), origin);
        return held ? endingReview(concluded, held) : concluded;
      },
      saveResponse?.(response.renderChange),
      stored,
    );
    return response.renderChange(change);
  });
}

const cannotConclude = (name: string, session: VerificationSession) =>
  new VerityError(
    'unexpected_state',
    UNEXPECTED_STATE_CODE,
    `You cannot ${name === 'verify' ? 'verify' : 'require input for'} this VerificationSession because it has a status ` +
      `of ${session.status}. ` +
      'Only a VerificationSession with one of the following statuses: requires_input, processing can be concluded by a test helper.',
  );
