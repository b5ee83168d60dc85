/**
 * Screenshots of the hosted verification page, to look at its layout without running the service:
 * the capture step at phone and desktop width, and the consent step at phone width, written to
 * docs/. Uses the system's Chromium (Debian's package) through playwright-core.
 *
 *   node --import tsx bin/hosted-page-screenshots.ts
 */
import { mkdirSync, statSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { createVerificationSession } from '../functions/domain/verification-session';
import { businessName, requirementsOf, testCasesFor, testDelaySeconds } from '../functions/hosted-page/page-access';
import { renderHostedPage } from '../functions/hosted-page/render';
import type { PageView } from '../functions/hosted-page/view';

const OUT_DIR = 'docs';
/** Past this, a phone screenshot is redone at 1x: the files are committed. */
const MAX_PNG_BYTES = 600 * 1024;

// The views the service itself builds, for a test-mode session that asks for everything.
const session = createVerificationSession(
  { type: 'document', options: { document: { require_matching_selfie: true, require_id_number: true } }, return_url: 'https://shop.example.com/done' },
  { id: 'vs_0000000000000000000000aa', scope: { account: 'acct_screenshots', mode: 'test' }, now: new Date() },
);
const business = businessName(session);
const requirements = requirementsOf(session);
const capture: PageView = { kind: 'capture', business, mode: 'test', requirements, submitUrl: '/start/token/submit', testCases: testCasesFor(session), delaySeconds: testDelaySeconds() };
const consent: PageView = { kind: 'consent', business, mode: 'test', requirements, formAction: '/start/token' };

const shots: { file: string; view: PageView; width: number; height: number; scale: number }[] = [
  { file: 'hosted-page-phone.png', view: capture, width: 390, height: 844, scale: 2 },
  { file: 'hosted-page-desktop.png', view: capture, width: 1280, height: 800, scale: 1 },
  { file: 'hosted-page-consent-phone.png', view: consent, width: 390, height: 844, scale: 2 },
];

async function screenshot(browser: Browser, shot: (typeof shots)[number], scale: number): Promise<number> {
  const context = await browser.newContext({ viewport: { width: shot.width, height: shot.height }, deviceScaleFactor: scale });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  await page.setContent(renderHostedPage(shot.view, 'screenshot-nonce'), { waitUntil: 'load' });
  // The page must never scroll sideways, however narrow the screen.
  // A string, evaluated in the page: this project's TypeScript has no DOM types.
  const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
  if (overflow > 0) problems.push(`${overflow}px of horizontal overflow`);
  const path = `${OUT_DIR}/${shot.file}`;
  await page.screenshot({ path, fullPage: true });
  await context.close();
  for (const problem of problems) console.warn(`  ${shot.file}: ${problem}`);
  return statSync(path).size;
}

mkdirSync(OUT_DIR, { recursive: true });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  for (const shot of shots) {
    let scale = shot.scale;
    let bytes = await screenshot(browser, shot, scale);
    if (bytes > MAX_PNG_BYTES && scale > 1) {
      scale = 1;
      bytes = await screenshot(browser, shot, scale);
    }
    console.log(`${OUT_DIR}/${shot.file}  ${shot.width}x${shot.height} @${scale}x  ${(bytes / 1024).toFixed(0)} KB`);
  }
} finally {
  await browser.close();
}
