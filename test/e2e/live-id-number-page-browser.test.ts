/**
 * A person in headless Chromium on a live `id_number` session's page: the page asks for the ID
 * number, name and date of birth; a date in the future is refused beside the date with focus on
 * it; corrected, the submission reaches the business's ID-number provider (its Lambda client
 * mocked with aws-sdk-client-mock, in this process, where the local runtime runs the checks
 * worker) with what was typed, and the session ends verified.
 */
import { InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { launchChromium } from '../support/browser';
import { newStripeAccount, ownTable, startService } from '../support/local-service';
import { eventually, expectStatus } from '../support/verification';

const PROVIDER_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:check-ssn';
const OPT_IN = { VERITY_LIVE_CHECKS: 'aws', AWS_REGION: 'us-east-1', VERITY_ID_NUMBER_PROVIDER_ARN: PROVIDER_ARN };
const saved = Object.fromEntries(Object.keys(OPT_IN).map((name) => [name, process.env[name]]));
const lambda = mockClient(LambdaClient);
let service: LocalRuntime;
let browser: Browser;

beforeAll(async () => {
  Object.assign(process.env, OPT_IN);
  // A table of its own: another file's checks worker (without live checks) must not take these submissions.
  service = await startService({ tableName: await ownTable('verity-test-live-id-number-page') });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await service.stop();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  lambda.restore();
});

it(
  'asks a live id_number session for the number, name and date of birth, refuses a future date beside it, and verifies on the ' +
    'provider’s word',
  async () => {
    lambda
      .on(InvokeCommand)
      .resolves({ StatusCode: 200, Payload: new TextEncoder().encode('{"status":"verified"}') as InvokeCommandOutput['Payload'] });
    const { stripe } = await newStripeAccount(service, 'live');
    const session = await stripe.identity.verificationSessions.create({ type: 'id_number' });
    const page = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })).newPage();
    await page.goto(`${service.url}${new URL(session.url!).pathname}`);
    await expect(page.locator('main').textContent()).resolves.toContain('Your name and date of birth');
    await page.getByRole('button', { name: /accept/i }).click();
    await page.waitForSelector('#capture-form');

    await page.getByLabel('Your ID number').fill('123-45-6789');
    await page.getByLabel('First name').fill('Jenny');
    await page.getByLabel('Last name').fill('Rosen');
    await page.getByLabel('Day').fill('14');
    await page.getByLabel('Month').fill('7');
    await page.getByLabel('Year').fill('2999');
    await page.getByRole('button', { name: /submit/i }).click();
    await page.locator('#dob-error').filter({ hasText: 'Your date of birth must be in the past.' }).waitFor();
    await expect(page.evaluate('document.activeElement.id')).resolves.toBe('dob_year');
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);

    await page.getByLabel('Year').fill('1990');
    await page.getByRole('button', { name: /submit/i }).click();
    await eventually(() => stripe.identity.verificationSessions.retrieve(session.id), expectStatus('verified'));
    const [call] = lambda.commandCalls(InvokeCommand);
    expect(JSON.parse(new TextDecoder().decode(call!.args[0].input.Payload as Uint8Array))).toEqual({
      id_number: { type: 'us_ssn', value: '123456789' },
      first_name: 'Jenny',
      last_name: 'Rosen',
      dob: { day: 14, month: 7, year: 1990 },
    });
    await page.context().close();
  },
);
