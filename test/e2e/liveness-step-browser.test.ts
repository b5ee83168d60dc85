/**
 * The capture step's liveness part in Chromium, with AWS's component stubbed at the island's edge
 * (test/support/liveness-component-stub.tsx): the page loads the island only when the person
 * starts the step, creates the liveness session then, and hands the component the session, the
 * region, the credentials (through `config.credentialProvider`), Verity's own origin for the WASM
 * files (`binaryPath`) and its texts in the page's language; the component's completion submits
 * `liveness_session`. The page is served by Playwright from the same `htmlResponse` the route uses
 * (its CSP included), and the page's routes answer as the contract (LIVENESS-CONTRACT) says.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleLivenessIsland } from '../../bin/build-browser';
import { livenessAssetsPath } from '../../functions/hosted-page/liveness-assets';
import type { PageView } from '../../functions/hosted-page/view';
import { htmlResponse } from '../../functions/http/verification-page';
import { launchChromium } from '../support/browser';

const ORIGIN = 'https://verity.test';
const CREDENTIALS = { access_key_id: 'ASIAEXAMPLE', secret_access_key: 'secret', session_token: 'token', expiration: 1_900_000_000 };
const SESSION_ID = '0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';

let browser: Browser;
let stubIsland: string;
beforeAll(async () => {
  [browser, stubIsland] = await Promise.all([launchChromium(), bundleLivenessIsland('test/support/liveness-component-stub.tsx')]);
});
afterAll(async () => {
  await browser?.close();
});

const view = (locale: 'en' | 'ar', mode: 'aws' | 'stand_in' = 'aws'): PageView => ({
  business: 'Shop',
  mode: mode === 'aws' ? 'live' : 'test',
  locale,
  kind: 'capture',
  requirements: {
    sessionType: 'document',
    documentTypes: ['passport'],
    document: false,
    selfie: true,
    idNumber: false,
    liveCapture: false,
  },
  submitUrl: '/start/tok/submit',
  testCases: mode === 'aws' ? [] : [{ id: 'verified' }],
  delaySeconds: 10,
  liveness: {
    mode,
    sessionsUrl: '/start/tok/liveness_sessions',
    assetsPath: livenessAssetsPath(),
    region: mode === 'aws' ? 'eu-west-1' : null,
  },
});

/** Opens the page for `pageView` on a Playwright-served origin; records what the page asks for and submits. */
async function open(pageView: PageView) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const requested: string[] = [];
  const submitted: unknown[] = [];
  const cspViolations: string[] = [];
  page.on('console', (entry) => {
    if (/Content Security Policy/i.test(entry.text())) cspViolations.push(entry.text());
  });
  await page.route(`${ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    requested.push(`${route.request().method()} ${url.pathname}`);
    if (url.pathname === '/start/tok') {
      const answer = htmlResponse(pageView);
      return route.fulfill({ status: answer.statusCode!, headers: answer.headers as Record<string, string>, body: String(answer.body) });
    }
    if (url.pathname === '/start/tok/liveness_sessions') {
      const aws = pageView.kind === 'capture' && pageView.liveness?.mode === 'aws';
      return route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({
          object: 'liveness_session',
          id: SESSION_ID,
          mode: aws ? 'aws' : 'stand_in',
          region: aws ? 'eu-west-1' : null,
          challenge: 'FaceMovementAndLightChallenge',
          expires_at: 1_900_000_000,
          credentials: aws ? CREDENTIALS : null,
        }),
      });
    }
    if (url.pathname === `${livenessAssetsPath()}island.js`) return route.fulfill({ contentType: 'text/javascript', body: stubIsland });
    if (url.pathname === '/start/tok/submit') {
      submitted.push(route.request().postDataJSON());
      return route.fulfill({ contentType: 'application/json', body: JSON.stringify({ redirect_url: `${ORIGIN}/done` }) });
    }
    return route.fulfill({ status: 200, contentType: 'text/plain', body: 'done' });
  });
  await page.goto(`${ORIGIN}/start/tok`);
  return { context, page, requested, submitted, cspViolations };
}

const props = (page: Page, expression: string) =>
  page.evaluate(`(async () => { const p = globalThis.livenessProps; return ${expression}; })()`);

describe('the liveness step with AWS component', () => {
  it.each([
    ['en', 'Move closer', 'Start the video check'],
    ['ar', 'اقترب أكثر', 'بدء فحص الفيديو'],
  ] as const)(
    'in %s: loads the island only on start and gives the component what it needs',
    async (locale, tooFar, begin) => {
      const { context, page, requested, submitted, cspViolations } = await open(view(locale));
      // Nothing of the island before the person starts the step: no script, no liveness session.
      expect(requested.filter((r) => r.includes('island.js') || r.includes('liveness_sessions'))).toEqual([]);
      expect(await page.locator('input[name="selfie"]').count()).toBe(0);
      await page.click('[data-start-liveness]');
      await page.waitForSelector('[data-liveness-stub]');
      expect(requested).toContain('POST /start/tok/liveness_sessions');
      expect(requested).toContain(`GET ${livenessAssetsPath()}island.js`);
      expect(await props(page, 'p.sessionId')).toBe(SESSION_ID);
      expect(await props(page, 'p.region')).toBe('eu-west-1');
      expect(await props(page, 'p.config.binaryPath')).toBe(`${ORIGIN}${livenessAssetsPath()}`);
      expect(await props(page, 'p.config.faceModelUrl')).toBeUndefined();
      const credentials = (await props(
        page,
        'p.config.credentialProvider().then((c) => ({ ...c, expiration: c.expiration.getTime() }))',
      )) as object;
      expect(credentials).toEqual({
        accessKeyId: 'ASIAEXAMPLE',
        secretAccessKey: 'secret',
        sessionToken: 'token',
        expiration: 1_900_000_000_000,
      });
      expect(await props(page, 'p.displayText.hintTooFarText')).toBe(tooFar);
      expect(await page.textContent('[data-liveness-stub]')).toBe(begin);
      // The component's stylesheet, under the page's nonce.
      expect(await page.evaluate(`document.getElementById('verity-liveness-style').nonce !== ''`)).toBe(true);
      // The component's end: the page submits the liveness session, and no selfie file.
      await page.evaluate('globalThis.livenessProps.onAnalysisComplete()');
      await page.waitForURL(`${ORIGIN}/done`);
      expect(submitted).toEqual([{ liveness_session: SESSION_ID }]);
      expect(cspViolations).toEqual([]);
      await context.close();
    },
    60_000,
  );

  it('says a cancel in the page language, offers a new try with a new session, and the way out', async () => {
    const { context, page, requested, submitted } = await open(view('en'));
    await page.click('[data-start-liveness]');
    await page.waitForSelector('[data-liveness-stub]');
    await page.evaluate('globalThis.livenessProps.onUserCancel()');
    expect(await page.textContent('#form-error')).toBe(
      "You stopped the live check. Try again when you are ready, or choose “I can't do this check”.",
    );
    expect(await page.locator('[data-liveness-stub]').count()).toBe(0);
    await page.click('[data-retry-liveness]');
    await page.waitForSelector('[data-liveness-stub]');
    expect(requested.filter((r) => r === 'POST /start/tok/liveness_sessions')).toHaveLength(2);
    await page.evaluate(`globalThis.livenessProps.onError({ state: 'CAMERA_ACCESS_ERROR', error: new Error('x') })`);
    expect(await page.textContent('#form-error')).toBe(
      'The camera could not be used. Allow the camera and try again, or open this link on a phone.',
    );
    // Submitting without the step is refused in the page; the way out sends liveness_unavailable.
    await page.click('[data-submit]');
    expect(await page.textContent('#form-error')).toBe("Do the live check first, or choose “I can't do this check”.");
    await page.click('[data-liveness-unavailable]');
    await page.click('[data-submit]');
    await page.waitForURL(`${ORIGIN}/done`);
    expect(submitted).toEqual([{ liveness_unavailable: true }]);
    await context.close();
  }, 60_000);
});

describe('the stand-in step (test mode)', () => {
  it('creates a stand-in session without the component or a camera, and submits it', async () => {
    const { context, page, requested, submitted } = await open(view('en', 'stand_in'));
    await page.click('[data-start-liveness]');
    await page.waitForFunction(`document.querySelector('[data-liveness-status]').textContent === 'Live check complete.'`);
    expect(requested.some((r) => r.includes('island.js'))).toBe(false);
    await page.click('[data-submit]');
    await page.waitForURL(`${ORIGIN}/done`);
    expect(submitted).toEqual([{ liveness_session: SESSION_ID, test_case: 'verified', delay: false }]);
    await context.close();
  }, 60_000);
});
