/**
 * Where the liveness step's files are (functions/http/show-liveness-asset.ts serves them) and their
 * addresses on the page's origin. In Lambda they sit beside the function's bundle, in
 * `LIVENESS_ASSETS_DIR` (copied there at synth: lib/verity-function.ts `staticAssets`, and by the
 * package's build); under `npm start` and in tests, in this repository (the island that
 * `npm run build:browser` wrote, and the WASM files of the installed @tensorflow/tfjs-backend-wasm).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LIVENESS_ASSETS } from '../browser-bundles/liveness-manifest';

/** The folder beside a function's bundle that holds its static files. */
export const LIVENESS_ASSETS_DIR = 'liveness-assets';

/** Each file the route serves, by its name in the address: where it is in this repository. */
export const LIVENESS_ASSET_SOURCES: Record<string, string> = {
  'island.js': 'functions/browser-bundles/liveness-island.js',
  'tfjs-backend-wasm.wasm': 'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm',
  'tfjs-backend-wasm-simd.wasm': 'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
  'tfjs-backend-wasm-threaded-simd.wasm': 'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm',
};

export const LIVENESS_ASSET_NAMES = Object.keys(LIVENESS_ASSET_SOURCES);

/** The path under which the assets of this version are served (ends in `/`): the component's `binaryPath`. */
export const livenessAssetsPath = () => `/assets/liveness/${LIVENESS_ASSETS.version}/`;

/**
 * The file of one asset: beside the bundle in Lambda; in the npm package (this module compiled to
 * dist/functions/hosted-page/), the copy its build put beside the route's bundle in assets/; else in the repository.
 */
export function livenessAssetFile(name: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const bundled = join(here, LIVENESS_ASSETS_DIR, name);
  if (existsSync(bundled)) return bundled;
  const packaged = join(resolve(here, '../../..'), 'assets', 'http', 'show-liveness-asset', LIVENESS_ASSETS_DIR, name);
  if (existsSync(packaged)) return packaged;
  return join(resolve(here, '../..'), LIVENESS_ASSET_SOURCES[name]!);
}
