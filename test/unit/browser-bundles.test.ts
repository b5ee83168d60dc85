/**
 * Every generated browser bundle is what its TypeScript source builds to today: a change under
 * browser/ without `npm run build:browser` fails here, naming the bundle.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import {
  BROWSER_ENTRIES,
  bundleBrowserEntry,
  bundleLivenessIsland,
  bundleModulePath,
  bundleModuleText,
  LIVENESS_ISLAND_FILE,
  LIVENESS_MANIFEST_PATH,
  livenessManifestText,
} from '../../bin/build-browser';

describe('browser bundles', () => {
  for (const name of Object.keys(BROWSER_ENTRIES)) {
    it(`${bundleModulePath(name)} is built from today's source (else run npm run build:browser)`, async () => {
      const expected = bundleModuleText(name, await bundleBrowserEntry(name));
      expect(readFileSync(bundleModulePath(name), 'utf8')).toBe(expected);
    });
  }

  it(`${LIVENESS_ISLAND_FILE} and its manifest are built from today's source (else run npm run build:browser)`, async () => {
    const island = await bundleLivenessIsland();
    expect(readFileSync(LIVENESS_ISLAND_FILE, 'utf8') === island, LIVENESS_ISLAND_FILE).toBe(true);
    expect(readFileSync(LIVENESS_MANIFEST_PATH, 'utf8')).toBe(livenessManifestText(island));
  }, 60_000);

  it('keeps the liveness island out of every other script, which stay within 150 KB gzipped together with the page', async () => {
    for (const name of Object.keys(BROWSER_ENTRIES)) {
      const code = await bundleBrowserEntry(name);
      // React and the component are the island's alone: no other script carries them.
      expect(code, name).not.toContain('FaceLivenessDetector');
      expect(code, name).not.toContain('streaming-rekognition');
      expect(code, name).not.toContain('react.element');
      expect(gzipSync(code).byteLength, name).toBeLessThan(150 * 1024);
    }
  });

  it('refuses a name that is not an entry', async () => {
    await expect(bundleBrowserEntry('no-such-entry')).rejects.toThrow(/no browser entry named no-such-entry/);
  });
});
