/**
 * Screenshots of the hosted verification page, to look at its layout without running the service:
 * the capture step at phone and desktop width, and the consent step at phone width, written to
 * docs/images/, for an account with a public profile (name, logo, colour, support address). Each page is
 * served to the browser with the page's own headers (its Content-Security-Policy included) and
 * its logo from the logo route's address, so a blocked image or style shows as a problem. Uses
 * the system's Chromium (Debian's package) through playwright-core.
 *
 *   node --import tsx bin/hosted-page-screenshots.ts
 */
import { updatedProfile } from '../functions/domain/account-profile';
import { logoId, readLogoImage } from '../functions/domain/logo-image';
import { createVerificationSession } from '../functions/domain/verification-session';
import { logoPath, pageBranding } from '../functions/hosted-page/branding';
import { businessName, requirementsOf, testCasesFor, testDelaySeconds } from '../functions/hosted-page/page-access';
import type { PageView } from '../functions/hosted-page/view';
import { htmlResponse } from '../functions/http/verification-page';
import { launchChromium } from '../test/support/browser';
import { writeScreenshots } from './screenshots';

// The views the service itself builds, for a test-mode session that asks for everything.
const session = createVerificationSession(
  {
    type: 'document',
    options: { document: { require_matching_selfie: true, require_id_number: true } },
    return_url: 'https://shop.example.com/done',
  },
  { id: 'vs_0000000000000000000000aa', scope: { account: 'acct_screenshots', mode: 'test' }, now: new Date() },
);
const browser = await launchChromium();

/** A sample logo, drawn by the browser as a PNG and checked as `npm run keys -- profile --logo` checks one. */
async function sampleLogo(): Promise<Buffer> {
  const page = await browser.newPage({ viewport: { width: 96, height: 96 } });
  await page.setContent(
    '<body style="margin:0"><svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">' +
      '<rect width="96" height="96" rx="22" fill="#0f766e"/><path d="M22 70V26h10l32 30V26h10v44H64L32 40v30z" fill="#fff"/></svg></body>',
  );
  const png = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: 96, height: 96 } });
  await page.close();
  return png;
}

const logo = await sampleLogo()
  .then(readLogoImage)
  .catch(async (error: unknown) => {
    await browser.close();
    throw error;
  });
const account = 'acct_screenshots';
const profile = updatedProfile(
  {},
  { name: 'Northwind Outfitters', primary_color: '#0f766e', support_email: 'help@northwind.example', logo },
  (image) => ({ id: logoId(account, image.data), content_type: image.content_type, width: image.width, height: image.height }),
);
const branding = pageBranding(profile);
const business = businessName(session, profile);
const requirements = requirementsOf(session);
const capture: PageView = {
  kind: 'capture',
  business,
  branding,
  mode: 'test',
  requirements,
  submitUrl: '/start/token/submit',
  testCases: testCasesFor(session),
  delaySeconds: testDelaySeconds(),
};
const consent: PageView = { kind: 'consent', business, branding, mode: 'test', requirements, formAction: '/start/token' };
const ORIGIN = 'https://verity.example';

const shots: { file: string; view: PageView; width: number; height: number; scale: number }[] = [
  { file: 'hosted-page-phone.png', view: capture, width: 390, height: 844, scale: 2 },
  { file: 'hosted-page-desktop.png', view: capture, width: 1280, height: 800, scale: 1 },
  { file: 'hosted-page-consent-phone.png', view: consent, width: 390, height: 844, scale: 2 },
];

await writeScreenshots(browser, shots, async (page, shot, problems) => {
  // The page and its logo as the service answers them; nothing else exists.
  await page.route('**/*', (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/start/token') {
      const { statusCode, headers, body } = htmlResponse(shot.view);
      return route.fulfill({ status: statusCode!, headers: headers as Record<string, string>, body: body! });
    }
    if (path === logoPath(profile.logo!.id)) return route.fulfill({ status: 200, contentType: logo.content_type, body: logo.data });
    problems.push(`unexpected request: ${path}`);
    return route.fulfill({ status: 404 });
  });
  await page.goto(`${ORIGIN}/start/token`, { waitUntil: 'load' });
  const logoShown = (await page.evaluate("(document.querySelector('.brand-logo') || {}).naturalWidth || 0")) as number;
  if (logoShown !== logo.width) problems.push(`the logo is not shown (natural width ${logoShown})`);
});
