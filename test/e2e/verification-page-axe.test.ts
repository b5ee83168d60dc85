/**
 * WCAG 2.1 AA, checked by axe-core (https://github.com/dequelabs/axe-core) in Chromium, on every
 * state of the verification page (the states catalogues.test.ts renders in the pseudo-locales),
 * in English (left to right) and Arabic (right to left), at a phone's width.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHostedPage } from '../../functions/hosted-page/render';
import type { PageView } from '../../functions/hosted-page/view';
import { launchChromium } from '../support/browser';
import { EVERY_STATE, withHandoffShown } from '../support/page-states';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe.each(['en', 'ar'] as const)('the page in %s', (locale) => {
  it('has no WCAG 2.1 AA violation in any state', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true });
    const page = await context.newPage();
    const found: string[] = [];
    for (const view of EVERY_STATE) {
      // Without the follow marker: the processing and verdict pages would move on while axe reads them.
      const rendered = renderHostedPage({ ...view, locale } as PageView, 'n0nce').replace(/ data-follow/g, '');
      // The capture step also as a desktop shows it with a hand-off's QR code and link.
      const handoff = withHandoffShown(rendered);
      for (const [name, html] of [[view.kind, rendered], ...(handoff ? [[`${view.kind} with hand-off`, handoff]] : [])]) {
        await page.setContent(html!);
        const violations = (await page.evaluate(
          `${AXE};axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })` +
            '.then((r) => r.violations.map((v) => v.id + ": " + v.nodes.map((n) => n.target.join(" ")).join(", ")))',
        )) as string[];
        for (const violation of violations) found.push(`${name}: ${violation}`);
      }
    }
    // The hand-off state was checked with its QR code and link shown.
    expect(EVERY_STATE.some((view) => withHandoffShown(renderHostedPage(view, 'n0nce'))?.includes('data:image/svg+xml'))).toBe(true);
    expect(found).toEqual([]);
    await context.close();
  }, 120_000);
});
