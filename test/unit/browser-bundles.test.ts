/**
 * Every generated browser bundle is what its TypeScript source builds to today: a change under
 * browser/ without `npm run build:browser` fails here, naming the bundle.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BROWSER_ENTRIES, bundleBrowserEntry, bundleModulePath, bundleModuleText } from '../../bin/build-browser';

describe('browser bundles', () => {
  for (const name of Object.keys(BROWSER_ENTRIES)) {
    it(`${bundleModulePath(name)} is built from today's source (else run npm run build:browser)`, async () => {
      const expected = bundleModuleText(name, await bundleBrowserEntry(name));
      expect(readFileSync(bundleModulePath(name), 'utf8')).toBe(expected);
    });
  }

  it('refuses a name that is not an entry', async () => {
    await expect(bundleBrowserEntry('no-such-entry')).rejects.toThrow(/no browser entry named no-such-entry/);
  });
});
