/**
 * The one pipeline for code that runs in a person's browser: each entry of `BROWSER_ENTRIES` is a
 * TypeScript module under browser/ (typechecked by `tsc -p browser` with the DOM's types), bundled by
 * the local esbuild into one script and written to `functions/browser-bundles/<name>.ts` as a string
 * constant. Functions import that module like any other, so the Lambda bundles, the npm package and
 * `npm start` all carry the same bytes with no build step of their own; pages inline the string under
 * their CSP nonce or serve it as a file.
 *
 * `npm run build:browser` writes the modules; test/unit/browser-bundles.test.ts fails when one is not
 * what its source builds to today (so a change to browser/ without a rebuild cannot land).
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Each browser bundle: its entry module under browser/, and the exported constant's name.
 * Add an entry here, run `npm run build:browser`, and import `functions/browser-bundles/<name>`.
 */
export const BROWSER_ENTRIES: Record<string, { entry: string; constant: string }> = {
  'hosted-page': { entry: 'browser/hosted-page.ts', constant: 'HOSTED_PAGE_SCRIPT' },
  follow: { entry: 'browser/follow.ts', constant: 'FOLLOW_SCRIPT' },
  'stripe-v3': { entry: 'browser/stripe-v3.ts', constant: 'STRIPE_V3_SCRIPT' },
  verity: { entry: 'browser/verity.ts', constant: 'VERITY_SCRIPT' },
  'verification-frame': { entry: 'browser/verification-frame.ts', constant: 'VERIFICATION_FRAME_SCRIPT' },
};

/**
 * Browsers the bundles must run in: two years of Safari on iPhones (the oldest a person is likely to
 * hold), and the evergreen browsers. esbuild lowers newer syntax to these.
 */
export const BROWSER_TARGETS = ['es2020', 'safari15', 'chrome100', 'firefox100', 'edge100'];

/** The generated module's path for a bundle, relative to the repository. */
export const bundleModulePath = (name: string) => `functions/browser-bundles/${name}.ts`;

/** One entry bundled in memory: a minified IIFE with no imports left, as UTF-8 text. */
export async function bundleBrowserEntry(name: string): Promise<string> {
  const spec = BROWSER_ENTRIES[name];
  if (!spec) throw new Error(`no browser entry named ${name}`);
  return bundleText({ entryPoints: [join(root, spec.entry)] });
}

/**
 * Bundles in memory with the options every browser bundle shares (a minified IIFE for
 * BROWSER_TARGETS, no imports left), plus `extra`; returns the UTF-8 text.
 */
async function bundleText(extra: BuildOptions): Promise<string> {
  const result = await build({
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: BROWSER_TARGETS,
    minify: true,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
    ...extra,
  });
  return result.outputFiles![0]!.text;
}

/**
 * The liveness step's island (browser/liveness/island.tsx): React and AWS's Face Liveness component,
 * 1.4 MB minified. Too big for a Lambda's inline bundle and needed on one step only, it is written as
 * a file (`LIVENESS_ISLAND_FILE`), shipped beside the assets route's function and served by it
 * (functions/http/show-liveness-asset.ts), with the TensorFlow.js WASM files the component loads
 * (`LIVENESS_WASM_FILES`, from the @tensorflow/tfjs-backend-wasm the component depends on). A small
 * module (`LIVENESS_MANIFEST_PATH`) gives the page the assets' version, so their URLs change with them.
 */
export const LIVENESS_ISLAND_ENTRY = 'browser/liveness/island.tsx';
export const LIVENESS_ISLAND_FILE = 'functions/browser-bundles/liveness-island.js';
export const LIVENESS_MANIFEST_PATH = 'functions/browser-bundles/liveness-manifest.ts';
/** The WASM binaries, by the name the component asks for under `binaryPath`: the package's own files. */
export const LIVENESS_WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'].map(
  (name) => ({ name, path: `node_modules/@tensorflow/tfjs-backend-wasm/dist/${name}` }),
);

/**
 * The island bundled in memory, as the other bundles (an IIFE for BROWSER_TARGETS) with React in
 * production mode and the component's stylesheet as text. `replaceComponent`: a module that stands in
 * for @aws-amplify/ui-react-liveness (the Chromium tests' stub, which records the props it is given).
 */
export async function bundleLivenessIsland(replaceComponent?: string): Promise<string> {
  const plugins: Plugin[] = replaceComponent
    ? [
        {
          name: 'liveness-stub',
          setup(pluginBuild) {
            pluginBuild.onResolve({ filter: /^@aws-amplify\/ui-react-liveness$/ }, () => ({ path: resolve(root, replaceComponent) }));
            pluginBuild.onResolve({ filter: /^@aws-amplify\/ui-react-liveness\/styles\.css$/ }, () => ({
              path: 'stub.css',
              namespace: 'liveness-stub',
            }));
            pluginBuild.onLoad({ filter: /.*/, namespace: 'liveness-stub' }, () => ({ contents: '', loader: 'text' }));
          },
        },
      ]
    : [];
  return bundleText({
    entryPoints: [join(root, LIVENESS_ISLAND_ENTRY)],
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    loader: { '.css': 'text' },
    plugins,
  });
}

/** The version of the liveness assets (island and WASM files): a hash of their bytes, in their URLs. */
export function livenessAssetsVersion(island: string): string {
  const hash = createHash('sha256').update(island);
  for (const wasm of LIVENESS_WASM_FILES) hash.update(readFileSync(join(root, wasm.path)));
  return hash.digest('base64url').slice(0, 16);
}

/** The manifest module's text: the assets' version, and the island's size as measured here. */
export function livenessManifestText(island: string): string {
  const bytes = Buffer.byteLength(island);
  const gzipBytes = gzipSync(island, { level: 9 }).byteLength;
  const manifest = { version: livenessAssetsVersion(island), islandBytes: bytes, islandGzipBytes: gzipBytes };
  return [
    `// Generated by \`npm run build:browser\` from ${LIVENESS_ISLAND_ENTRY}: do not edit (bin/build-browser.ts).`,
    "/** The liveness assets' version (in their URLs), and the island's size in bytes, minified and gzipped. */",
    `export const LIVENESS_ASSETS = ${JSON.stringify(manifest)};`,
    '',
  ].join('\n');
}

/** The generated module's text: a header that says where it comes from, and the bundle as one string constant. */
export function bundleModuleText(name: string, code: string): string {
  const spec = BROWSER_ENTRIES[name]!;
  return [
    `// Generated by \`npm run build:browser\` from ${spec.entry}: do not edit (bin/build-browser.ts).`,
    `/** The bundled browser script of ${spec.entry}, ${Buffer.byteLength(code)} bytes. */`,
    `export const ${spec.constant}: string = ${JSON.stringify(code)};`,
    '',
  ].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const name of Object.keys(BROWSER_ENTRIES)) {
    const code = await bundleBrowserEntry(name);
    writeFileSync(join(root, bundleModulePath(name)), bundleModuleText(name, code));
    console.log(`${bundleModulePath(name)}: ${Buffer.byteLength(code)} bytes`);
  }
  const island = await bundleLivenessIsland();
  writeFileSync(join(root, LIVENESS_ISLAND_FILE), island);
  writeFileSync(join(root, LIVENESS_MANIFEST_PATH), livenessManifestText(island));
  console.log(`${LIVENESS_ISLAND_FILE}: ${Buffer.byteLength(island)} bytes, ${gzipSync(island, { level: 9 }).byteLength} gzipped`);
}
