/**
 * The ID-number provider Lambda adapter against aws-sdk-client-mock, with Invoke's answers in
 * the shapes Lambda documents (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html,
 * and a function's error payload: https://docs.aws.amazon.com/lambda/latest/dg/nodejs-exceptions.html).
 * Only a well-formed answer is a verdict; everything else rejects, so the stream retries.
 */
import { InvokeCommand, LambdaClient, TooManyRequestsException, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { IdNumberQuery } from '../../../functions/checks/id-number';
import { lambdaRegionOf } from '../../../functions/checks/availability';
import { idNumberAnswerOf, lambdaIdNumberProvider } from '../../../functions/checks/lambda-id-number-provider';

const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:check-ssn';
const QUERY: IdNumberQuery = {
  id_number: { type: 'us_ssn', value: '123456789' },
  first_name: 'Jenny',
  last_name: 'Rosen',
  dob: { day: 14, month: 7, year: 1990 },
};
const lambda = mockClient(LambdaClient);
const client = new LambdaClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const payload = (text: string) => new TextEncoder().encode(text) as InvokeCommandOutput['Payload'];
/** A synchronous invocation's answer, as Lambda returns it. */
const invoked = (body: string, extra: Partial<InvokeCommandOutput> = {}) => ({
  StatusCode: 200,
  ExecutedVersion: '$LATEST',
  Payload: payload(body),
  ...extra,
});
const provider = () => lambdaIdNumberProvider(ARN, { client });
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail('the check should have rejected'),
    (error: Error) => error,
  );

beforeEach(() => lambda.reset());

describe('the ID-number provider Lambda', () => {
  it('is invoked synchronously with the documented JSON request, and its verdict is the answer', async () => {
    lambda.on(InvokeCommand).resolves(invoked('{"status":"verified"}'));
    await expect(provider().check(QUERY)).resolves.toEqual({ status: 'verified' });
    const [call] = lambda.commandCalls(InvokeCommand);
    expect(call!.args[0].input.FunctionName).toBe(ARN);
    expect(call!.args[0].input.InvocationType).toBe('RequestResponse');
    expect(JSON.parse(new TextDecoder().decode(call!.args[0].input.Payload as Uint8Array))).toEqual({
      id_number: { type: 'us_ssn', value: '123456789' },
      first_name: 'Jenny',
      last_name: 'Rosen',
      dob: { day: 14, month: 7, year: 1990 },
    });
  });

  it.each(['id_number_mismatch', 'id_number_insufficient_document_data', 'id_number_unverified_other'] as const)(
    'answers unverified with %s',
    async (code) => {
      lambda.on(InvokeCommand).resolves(invoked(JSON.stringify({ status: 'unverified', code })));
      await expect(provider().check(QUERY)).resolves.toEqual({ status: 'unverified', code });
    },
  );

  it('rejects when the function threw, without repeating its error payload (which may echo the query)', async () => {
    lambda
      .on(InvokeCommand)
      .resolves(
        invoked('{"errorType":"Error","errorMessage":"no record for 123456789 Jenny Rosen","trace":[]}', { FunctionError: 'Unhandled' }),
      );
    const error = await rejection(provider().check(QUERY));
    expect(error.message).toBe('The ID-number provider failed (FunctionError Unhandled)');
  });

  it('rejects when the function itself timed out', async () => {
    lambda
      .on(InvokeCommand)
      .resolves(
        invoked('{"errorMessage":"2026-11-30T14:00:03.000Z 6f2c Task timed out after 3.00 seconds"}', { FunctionError: 'Unhandled' }),
      );
    await expect(provider().check(QUERY)).rejects.toThrow(/FunctionError Unhandled/);
  });

  it('rejects when Lambda refuses the call (throttled), so the stream retries', async () => {
    lambda.on(InvokeCommand).rejects(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }));
    await expect(provider().check(QUERY)).rejects.toThrow(TooManyRequestsException);
  });

  it('rejects when no answer comes within its timeout, and aborts the request', async () => {
    lambda.on(InvokeCommand).callsFake(() => new Promise(() => undefined));
    const error = await rejection(lambdaIdNumberProvider(ARN, { client, timeoutMs: 20 }).check(QUERY));
    expect(error.message).toBe('The ID-number provider did not answer within 20 ms');
    const options = (lambda.send.getCall(0).args as unknown[])[1] as { abortSignal?: AbortSignal } | undefined;
    expect(options?.abortSignal?.aborted).toBe(true);
  });

  it('rejects an answer with a status other than 200', async () => {
    lambda.on(InvokeCommand).resolves(invoked('{"status":"verified"}', { StatusCode: 202 }));
    await expect(provider().check(QUERY)).rejects.toThrow(/status 202/);
  });
});

describe('the answer, read strictly', () => {
  it.each([
    ['not JSON', 'verified', /not JSON/],
    ['an array', '[{"status":"verified"}]', /not a JSON object/],
    ['null', 'null', /not a JSON object/],
    ['an unknown status', '{"status":"ok"}', /status must be/],
    ['a status of another case', '{"status":"Verified"}', /status must be/],
    ['no status', '{}', /status must be/],
    ['unverified without a code', '{"status":"unverified"}', /code must be one of/],
    ['a code Stripe does not have', '{"status":"unverified","code":"id_number_expired"}', /code must be one of/],
    ['a code of another check', '{"status":"unverified","code":"document_expired"}', /code must be one of/],
    ['verified with a code', '{"status":"verified","code":"id_number_mismatch"}', /verified answer has no code/],
    ['an extra key', '{"status":"verified","score":0.99}', /unexpected key "score"/],
  ])('refuses %s', (_, body, message) => {
    expect(() => idNumberAnswerOf(payload(body))).toThrow(message);
  });

  it('refuses an empty payload', () => {
    expect(() => idNumberAnswerOf(undefined)).toThrow(/not JSON/);
  });

  it('never puts a value of the answer in its error', () => {
    expect(() => idNumberAnswerOf(payload('{"status":"unverified","code":"123-45-6789"}'))).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('6789') }),
    );
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(() => idNumberAnswerOf(new Uint8Array([0x7b, 0xff, 0x7d]))).toThrow(/not JSON/);
  });
});

describe('the function ARN', () => {
  it.each([
    ['arn:aws:lambda:us-east-1:123456789012:function:check-ssn', 'us-east-1'],
    ['arn:aws:lambda:eu-central-1:123456789012:function:check-ssn:live', 'eu-central-1'],
    ['arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:check_ssn:7', 'us-gov-west-1'],
  ])('%s names the region %s', (arn, region) => expect(lambdaRegionOf(arn)).toBe(region));

  it.each([
    'check-ssn',
    'arn:aws:lambda:us-east-1:123456789012:layer:x',
    'arn:aws:s3:::bucket',
    'arn:aws:lambda:us-east-1:1234:function:x',
    '',
  ])('refuses %j with one line that says what it must be', (arn) => {
    expect(() => lambdaIdNumberProvider(arn)).toThrow(
      /^VERITY_ID_NUMBER_PROVIDER_ARN must be a Lambda function ARN \(arn:aws:lambda:<region>:<account>:function:<name>\), not /,
    );
  });
});
