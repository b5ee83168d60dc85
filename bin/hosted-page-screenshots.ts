/**
 * Screenshots of the hosted verification page, to look at its layout without running the service:
 * the capture step at phone and desktop width, and the consent step at phone width, written to
 * docs/. Uses the system's Chromium (Debian's package) through playwright-core.
 *
 *   node --import tsx bin/hosted-page-screenshots.ts
 */
import { mkdirSync, statSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { FAILURE_CODES, FAILURES } from '../functions/domain/verification-checks';
import { renderHostedPage } from '../functions/hosted-page/render';
import type { PageRequirements, PageView, TestCaseOption } from '../functions/hosted-page/view';

const OUT_DIR = 'docs';
/** Past this, a phone screenshot is redone at 1x: the files are committed. */
const MAX_PNG_BYTES = 600 * 1024;

const requirements: PageRequirements = {
  sessionType: 'document',
  documentTypes: ['driving_license', 'id_card', 'passport'],
  document: true,
  selfie: true,
  idNumber: true,
  liveCapture: false,
};

const testCases: TestCaseOption[] = [
  { id: 'verified', label: 'Verified', description: 'The session is verified, with a sample person as its outputs.' },
  ...FAILURE_CODES.map((code) => ({
    id: code,
    label: (code.charAt(0).toUpperCase() + code.slice(1).replaceAll('_', ' ')).replace(/^Id /, 'ID '),
    description: `The session asks for input again: ${FAILURES[code].reason}`,
  })),
];

const business = 'shop.example.com';
const capture: PageView = { kind: 'capture', business, mode: 'test', requirements, submitUrl: '/v1/hosted/submit', testCases, delaySeconds: 10 };
const consent: PageView = { kind: 'consent', business, mode: 'test', requirements, formAction: '/v1/hosted/consent' };

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
