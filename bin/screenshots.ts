/**
 * What the screenshot scripts (bin/console-screenshots.ts, bin/hosted-page-screenshots.ts) share:
 * each shot opened in its own browser context at its size and density, everything that went wrong
 * on the page (a script error, a console error or warning — a style or image the CSP blocked shows
 * as one — a failed request, sideways scrolling) printed as a warning, and the full page written
 * to docs/images/. A phone shot whose PNG passes 600 KB is redone at 1x: the files are committed.
 */
import { mkdirSync, statSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';

const OUT_DIR = 'docs/images';
const MAX_PNG_BYTES = 600 * 1024;

/** One screenshot: its file name under docs/images/, its viewport in CSS pixels and its device scale factor. */
export interface Shot {
  file: string;
  width: number;
  height: number;
  scale: number;
}

/**
 * `show` routes the page's requests and loads it (adding to `problems` anything it finds wrong);
 * then the page is checked for sideways scrolling and captured. Closes `browser` when done.
 */
export async function writeScreenshots<S extends Shot>(
  browser: Browser,
  shots: readonly S[],
  show: (page: Page, shot: S, problems: string[]) => Promise<void>,
): Promise<void> {
  async function screenshot(shot: S, scale: number): Promise<number> {
    const context = await browser.newContext({ viewport: { width: shot.width, height: shot.height }, deviceScaleFactor: scale });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
    await show(page, shot, problems);
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
  try {
    for (const shot of shots) {
      let scale = shot.scale;
      let bytes = await screenshot(shot, scale);
      if (bytes > MAX_PNG_BYTES && scale > 1) {
        scale = 1;
        bytes = await screenshot(shot, scale);
      }
      console.log(`${OUT_DIR}/${shot.file}  ${shot.width}x${shot.height} @${scale}x  ${(bytes / 1024).toFixed(0)} KB`);
    }
  } finally {
    await browser.close();
  }
}
