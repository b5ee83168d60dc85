/**
 * The one documented way to plug in an ID-number provider: a Lambda function the business owns,
 * named by its ARN (CDK context `idNumberProviderFunctionArn`, which becomes
 * `VERITY_ID_NUMBER_PROVIDER_ARN` on the checks worker; locally the same variable). Verity invokes
 * it synchronously (`Invoke`, `RequestResponse`) with a JSON request and expects a JSON answer:
 *
 *   request
 *   {"id_number":{"type":"us_ssn","value":"123456789"},"first_name":"Jenny","last_name":"Rosen","dob":{"day":14,"month":7,"year":1990}}
 *   answer   {"status":"verified"}
 *         or {"status":"unverified","code":"id_number_mismatch" | "id_number_insufficient_document_data" | "id_number_unverified_other"}
 *
 * Anything else (another shape, an extra key, a `FunctionError`, no answer within the timeout)
 * rejects, so the stream retries the submission and, past every retry, the session fails plainly
 * instead of reporting a number `verified` that nobody checked. Invoke's API:
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { IdNumberAnswer, IdNumberProvider, IdNumberQuery } from './id-number';
import { lambdaRegionOf } from './availability';

/** How long one check may take before the stream retries it (the checks worker has 90 s in all). */
export const ID_NUMBER_TIMEOUT_MS = 20_000;

const UNVERIFIED_CODES: ReadonlySet<string> = new Set([
  'id_number_mismatch',
  'id_number_insufficient_document_data',
  'id_number_unverified_other',
]);

/**
 * An IdNumberProvider that invokes `functionArn`. `client` defaults to a LambdaClient in the
 * function's own region. No part of the query or answer is ever put in an error: they carry a
 * person's ID number, name and date of birth.
 */
export function lambdaIdNumberProvider(functionArn: string, options: { client?: LambdaClient; timeoutMs?: number } = {}): IdNumberProvider {
  const region = lambdaRegionOf(functionArn);
  const client = options.client ?? new LambdaClient({ region });
  const timeoutMs = options.timeoutMs ?? ID_NUMBER_TIMEOUT_MS;
  return {
    async check(query: IdNumberQuery): Promise<IdNumberAnswer> {
      const payload: IdNumberQuery = {
        id_number: { type: query.id_number.type, value: query.id_number.value },
        first_name: query.first_name,
        last_name: query.last_name,
        dob: { day: query.dob.day, month: query.dob.month, year: query.dob.year },
      };
      const abort = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          abort.abort();
          reject(new Error(`The ID-number provider did not answer within ${timeoutMs} ms`));
        }, timeoutMs);
      });
      try {
        const output = await Promise.race([
          client.send(
            new InvokeCommand({
              FunctionName: functionArn,
              InvocationType: 'RequestResponse',
              Payload: new TextEncoder().encode(JSON.stringify(payload)),
            }),
            { abortSignal: abort.signal },
          ),
          timedOut,
        ]);
        // The function threw (Unhandled, timeouts included) or returned an error (Handled): its payload describes the error, and may echo
        // the query.
        if (output.FunctionError !== undefined) throw new Error(`The ID-number provider failed (FunctionError ${output.FunctionError})`);
        if (output.StatusCode !== 200) throw new Error(`The ID-number provider's invocation answered status ${output.StatusCode}, not 200`);
        return idNumberAnswerOf(output.Payload);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * The provider's answer, read strictly: exactly one of the two documented shapes, else an error that names what is wrong (never a value).
 */
export function idNumberAnswerOf(payload: Uint8Array | undefined): IdNumberAnswer {
  const malformed = (why: string) =>
    new Error(`The ID-number provider's answer is not {"status":"verified"} or {"status":"unverified","code":…}: ${why}`);
  let answer: unknown;
  try {
    answer = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload ?? new Uint8Array()));
  } catch {
    throw malformed('it is not JSON');
  }
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) throw malformed('it is not a JSON object');
  const { status, code, ...rest } = answer as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length) throw malformed(`unexpected key ${JSON.stringify(extra[0])}`);
  if (status === 'verified') {
    if (code !== undefined) throw malformed('a verified answer has no code');
    return { status: 'verified' };
  }
  if (status !== 'unverified') throw malformed('status must be "verified" or "unverified"');
  if (typeof code !== 'string' || !UNVERIFIED_CODES.has(code)) throw malformed(`code must be one of ${[...UNVERIFIED_CODES].join(', ')}`);
  return { status: 'unverified', code: code as Extract<IdNumberAnswer, { status: 'unverified' }>['code'] };
}
