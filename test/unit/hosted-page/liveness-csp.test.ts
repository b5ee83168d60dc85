/**
 * The liveness step's Content-Security-Policy: exactly what AWS's component needs ('wasm-unsafe-eval',
 * Rekognition's streaming endpoint of the region, the model's CDN), on that step only; every other
 * step keeps the page's strict policy. And the assets route serves the island and the WASM files.
 */
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LIVENESS_ASSETS } from '../../../functions/browser-bundles/liveness-manifest';
import { livenessConnectSources } from '../../../functions/hosted-page/liveness-step';
import type { PageView } from '../../../functions/hosted-page/view';
import { handler as showLivenessAsset } from '../../../functions/http/show-liveness-asset';
import { htmlResponse } from '../../../functions/http/verification-page';
import { httpApiEvent, lambdaContext } from '../../support/events';
import { EVERY_STATE } from '../../support/page-states';

const cspOf = (view: PageView) => String(htmlResponse(view).headers!['content-security-policy']);
const withLiveness = EVERY_STATE.filter((view) => view.kind === 'capture' && view.liveness?.mode === 'aws');

describe('the liveness step CSP', () => {
  it('adds wasm-unsafe-eval and the region endpoint and model CDN, nothing else', () => {
    expect(withLiveness).toHaveLength(1);
    const csp = cspOf(withLiveness[0]!);
    expect(csp).toMatch(/script-src 'nonce-[^']+' 'wasm-unsafe-eval';/);
    expect(csp).toContain(
      "connect-src 'self' wss://streaming-rekognition.us-east-1.amazonaws.com https://cdn.liveness.rekognition.amazonaws.com;",
    );
    expect(csp).not.toContain("'unsafe-eval'");
    expect(csp).not.toContain("'unsafe-inline'");
  });

  it('leaves every other step (the stand-in too) with the strict policy', () => {
    for (const view of EVERY_STATE.filter((v) => !withLiveness.includes(v))) {
      const csp = cspOf(view);
      expect(csp, view.kind).not.toContain('wasm-unsafe-eval');
      expect(csp, view.kind).not.toContain('amazonaws.com');
      expect(csp, view.kind).toMatch(/connect-src 'self';/);
    }
  });

  it('refuses a region that is not one', () => {
    expect(() => livenessConnectSources('us-east-1 https://evil.example')).toThrow(/not an AWS region/);
  });
});

describe('GET /assets/liveness/{version}/{file}', () => {
  // The raw answer: its body is base64 bytes, not JSON.
  const get = async (version: string, file: string, headers: Record<string, string> = {}) => {
    const event = httpApiEvent({ method: 'GET', path: `/assets/liveness/${version}/${file}`, pathParameters: { version, file }, headers });
    const answer = await showLivenessAsset(event, lambdaContext);
    return { ...answer, headers: answer.headers as Record<string, string> };
  };

  it('serves the island gzipped, cached a year with an ETag, and 304 for its ETag', async () => {
    const answer = await get(LIVENESS_ASSETS.version, 'island.js', { 'accept-encoding': 'gzip, br' });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers!['content-type']).toBe('text/javascript; charset=utf-8');
    expect(answer.headers!['content-encoding']).toBe('gzip');
    expect(answer.headers!['cache-control']).toBe('public, max-age=31536000, immutable');
    const code = gunzipSync(Buffer.from(String(answer.body), 'base64'));
    expect(code.byteLength).toBe(LIVENESS_ASSETS.islandBytes);
    expect(code.toString('utf8')).toContain('verityLiveness');
    const again = await get(LIVENESS_ASSETS.version, 'island.js', { 'if-none-match': String(answer.headers!.etag) });
    expect(again.statusCode).toBe(304);
  });

  it('serves the WASM files as application/wasm', async () => {
    const answer = await get(LIVENESS_ASSETS.version, 'tfjs-backend-wasm-simd.wasm');
    expect(answer.statusCode).toBe(200);
    expect(answer.headers!['content-type']).toBe('application/wasm');
    expect(Buffer.from(String(answer.body), 'base64').subarray(0, 4)).toEqual(Buffer.from([0, 0x61, 0x73, 0x6d]));
  });

  it('is 404 for another version or a file it does not serve', async () => {
    expect((await get('old', 'island.js')).statusCode).toBe(404);
    expect((await get(LIVENESS_ASSETS.version, '..%2Fpackage.json')).statusCode).toBe(404);
    expect((await get(LIVENESS_ASSETS.version, 'liveness-island.js')).statusCode).toBe(404);
  });
});
