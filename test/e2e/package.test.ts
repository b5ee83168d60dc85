/**
 * The npm package as a user gets it: built (bin/build-package.ts, into a scratch folder), packed by
 * `npm pack`, installed offline into a scratch project from the tarball and npm's cache
 * (test/support/package-install.ts), and used there the three ways the README shows: a CDK app with
 * `new Verity(this, 'Identity')` beside its own bucket under cdk-nag, with no esbuild in the
 * project; `npx verity start` driven by the Stripe SDK; and the project's own vitest running the
 * vitest set-up docs/package.md gives in one file and two `startVerity()` instances at once in another.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installOffline } from '../support/package-install';
import { processesMatching, spawnGroup } from '../support/processes';

const execute = promisify(execFile);
/** A command that cannot hang the run: killed, with what it started through the parent-watch, past the limit. */
const run = (file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number }) =>
  execute(file, args, { timeout: 240_000, ...options, killSignal: 'SIGKILL' });
const repository = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'verity-package-'));
const packageDir = join(work, 'package');
const project = join(work, 'project');
let tarball = '';

beforeAll(async () => {
  await run(process.execPath, ['--import', 'tsx', join(repository, 'bin/build-package.ts'), '--outdir', packageDir], { cwd: repository });
  // The build ran already: prepack would run it again, in a folder without the sources.
  const { stdout } = await run('npm', ['pack', packageDir, '--ignore-scripts', '--json', '--pack-destination', work], { cwd: work });
  tarball = join(work, (JSON.parse(stdout) as { filename: string }[])[0]!.filename);
  mkdirSync(project);
  installOffline(project, repository, tarball, ['aws-cdk-lib', 'constructs', 'cdk-nag', 'stripe', 'typescript', 'vitest']);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('holds the compiled construct, runtime, command and test double, and one bundle per function, but no TypeScript source', () => {
    const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(listing).toEqual(
      expect.arrayContaining([
        'package/dist/lib/verity.js',
        'package/dist/lib/verity.d.ts',
        'package/dist/testing/index.js',
        'package/dist/bin/cli.js',
        'package/dist/local/launcher/VerityDynamoDbLocal.class',
      ]),
    );
    expect(listing.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
    expect(listing.filter((file) => file.startsWith('package/test') || file.startsWith('package/bench'))).toEqual([]);
    const bundles = listing.filter((file) => /^package\/assets\/.+\/index\.mjs$/.test(file));
    expect(bundles).toContain('package/assets/http/create-verification-session/index.mjs');
    expect(bundles).toContain('package/assets/streams/publish-events/index.mjs');
    const installed = JSON.parse(readFileSync(join(project, 'node_modules/verity/package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
    };
    expect(Object.keys(installed.dependencies)).not.toContain('aws-cdk-lib');
    expect(Object.keys(installed.peerDependencies).sort()).toEqual(['aws-cdk-lib', 'constructs']);
  });

  it("synthesizes a user's CDK app with new Verity(...) beside its own bucket, cdk-nag clean, without esbuild", async () => {
    expect(existsSync(join(project, 'node_modules/esbuild'))).toBe(false);
    writeFileSync(
      join(project, 'app.mjs'),
      `import { App, CfnOutput, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { Verity } from 'verity';

const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, 'Shop');
const receipts = new Bucket(stack, 'Receipts', {
  encryption: BucketEncryption.S3_MANAGED, enforceSSL: true, blockPublicAccess: BlockPublicAccess.BLOCK_ALL, versioned: true,
});
Validations.of(receipts).acknowledge({ id: 'AwsSolutions::AwsSolutions-S1', reason: 'The shop keeps no access logs for receipts.' });
// With the accuracy canary on, so that every bundle the package ships is a function of the app.
const identity = new Verity(stack, 'Identity', {
  alarmEmail: 'ops@example.com', removalPolicy: RemovalPolicy.DESTROY, deletionProtection: false,
  canary: { bucketName: 'shop-verity-canary', prefix: 'canary/' },
});
new CfnOutput(stack, 'IdentityApi', { value: identity.url });
new CfnOutput(stack, 'IdentityTable', { value: identity.table.tableName });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
app.synth();
`,
    );
    // Neither esbuild nor Docker within reach: a PATH with node alone.
    const path = join(work, 'path');
    mkdirSync(path);
    symlinkSync(process.execPath, join(path, 'node'));
    await run(process.execPath, ['app.mjs'], { cwd: project, env: { ...process.env, PATH: path } });
    const report = JSON.parse(readFileSync(join(project, 'cdk.out/validation-report.json'), 'utf8')) as {
      pluginReports: {
        pluginName: string;
        conclusion: string;
        violations: unknown[];
        suppressedViolations: { violatingConstructs: { constructPath: string }[] }[];
      }[];
    };
    expect(report.pluginReports.map((plugin) => [plugin.pluginName, plugin.conclusion, plugin.violations.length])).toEqual([
      ['AwsSolutions', 'success', 0],
      ['Serverless', 'success', 0],
    ]);
    // Verity's own acknowledgements came with the construct.
    const acknowledged = report.pluginReports.flatMap((plugin) =>
      plugin.suppressedViolations.flatMap((violation) => violation.violatingConstructs.map((c) => c.constructPath)),
    );
    expect(acknowledged.some((path) => path.startsWith('Shop/Identity/'))).toBe(true);

    type Template = {
      Resources: Record<string, { Type: string; Properties: { Handler?: string; Runtime?: string; Code?: { S3Key?: string } } }>;
    };
    const read = (file: string) => JSON.parse(readFileSync(join(project, 'cdk.out', file), 'utf8')) as Template;
    const template = read('Shop.template.json');
    // The functions are in Verity's nested stacks (its rooms), whose templates the synthesis writes beside the stack's.
    const rooms = readdirSync(join(project, 'cdk.out')).filter((file) => file.endsWith('.nested.template.json'));
    expect(rooms.length).toBeGreaterThan(0);
    const resources = [template, ...rooms.map(read)].flatMap((t) => Object.values(t.Resources));
    // The app's own bucket, beside Verity's resources (whose logical ids start with the construct's id).
    expect(
      Object.entries(template.Resources).filter(([id, resource]) => id.startsWith('Receipts') && resource.Type === 'AWS::S3::Bucket'),
    ).toHaveLength(1);
    // Verity's table and its key table (the per-session keys live apart from every stream and backup).
    expect(
      Object.entries(template.Resources).filter(([id, resource]) => id.startsWith('Identity') && resource.Type === 'AWS::DynamoDB::Table'),
    ).toHaveLength(2);
    const functions = resources.filter((resource) => resource.Type === 'AWS::Lambda::Function');
    const bundled = readdirSync(join(packageDir, 'assets'), { recursive: true }).filter((file) => String(file).endsWith('index.mjs'));
    expect(functions).toHaveLength(bundled.length);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({ Handler: 'index.handler', Runtime: 'nodejs24.x' });
      // The asset (cdk.out/asset.<hash>, uploaded as <hash>.zip) is the package's bundle, unchanged.
      const asset = join(project, 'cdk.out', `asset.${fn.Properties.Code!.S3Key!.replace(/\.zip$/, '')}`, 'index.mjs');
      expect(bundled.map((file) => readFileSync(join(packageDir, 'assets', String(file)), 'utf8'))).toContain(readFileSync(asset, 'utf8'));
    }
  });

  it('type-checks a TypeScript app against the declarations (NodeNext resolution)', async () => {
    writeFileSync(
      join(project, 'check.ts'),
      `import { App, Stack } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Verity, type VerityProps } from 'verity';
import { startVerity, type VerityTestInstance } from 'verity/testing';

const props: VerityProps = { throttle: { rateLimit: 10, burstLimit: 20 }, retentionDays: 30 };
const identity = new Verity(new Stack(new App(), 'S'), 'Identity', props);
const table: Table = identity.table;
const url: string = identity.url;
// @ts-expect-error: the URL is a string; were the declarations unresolved it would be any and this no error.
const wrong: number = identity.url;
export const started: Promise<VerityTestInstance> = startVerity({ timeoutMs: 1000 });
// @ts-expect-error: requireInput takes a session id first.
startVerity().then((verity) => verity.requireInput());
export { table, url, wrong };
`,
    );
    await run(
      process.execPath,
      [
        join(project, 'node_modules/typescript/bin/tsc'),
        '--noEmit',
        '--strict',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        '--skipLibCheck',
        'check.ts',
      ],
      { cwd: project },
    );
  });

  it('npx verity start brings the whole service up, and the Stripe SDK drives it', async () => {
    const help = await run('npx', ['--offline', 'verity', '--help'], { cwd: project });
    expect(help.stdout).toContain('npx verity start [--port N] [--data-dir DIR] [--in-memory]');

    const service = spawnGroup('npx', ['--offline', 'verity', 'start', '--in-memory', '--port', '0'], { cwd: project });
    let said = '';
    service.stderr.on('data', (chunk: Buffer) => (said += chunk.toString()));
    const { url, secretKey } = await new Promise<{ url: string; secretKey: string }>((done, fail) => {
      service.stdout.on('data', (chunk: Buffer) => {
        said += chunk.toString();
        const url = /serving the Stripe Identity API at (http:\/\/\S+)/.exec(said)?.[1];
        const secretKey = /Secret key \(test mode, account acct_\w+\): (sk_test_\w+)/.exec(said)?.[1];
        if (url && secretKey) done({ url, secretKey });
      });
      service.once('exit', (code) => fail(new Error(`verity start exited (${code}): ${said}`)));
    });
    // DynamoDB Local runs from the package's precompiled launcher: no javac needed.
    expect(processesMatching(join(project, 'node_modules/verity/dist/local/launcher'))).toHaveLength(1);

    const stripe = new Stripe(secretKey, {
      host: new URL(url).hostname,
      port: Number(new URL(url).port),
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    const session = await stripe.identity.verificationSessions.create({ type: 'document', metadata: { order: '42' } });
    expect(session).toMatchObject({
      object: 'identity.verification_session',
      status: 'requires_input',
      livemode: false,
      metadata: { order: '42' },
    });
    await stripe.rawRequest('POST', `/v1/test_helpers/identity/verification_sessions/${session.id}/verify`, {});
    expect((await stripe.identity.verificationSessions.retrieve(session.id)).status).toBe('verified');

    // As Ctrl-C in a terminal would: npm passes the signal on to the command and ends with it.
    const exited = new Promise<void>((done) => service.once('exit', () => done()));
    process.kill(service.pid!, 'SIGTERM');
    await exited;
    await until(() => said.includes('Verity stopped') && processesMatching(project).length === 0);
  });

  it("a user's vitest suite: the documented set-up in one file, two instances at once in another", async () => {
    // The vitest set-up taken from docs/package.md as written there: one Verity per test file.
    writeFileSync(join(project, 'signup.test.mjs'), docsVitestExample());
    writeFileSync(
      join(project, 'two-at-once.test.mjs'),
      `import { expect, test } from 'vitest';
import Stripe from 'stripe';
import { startVerity } from 'verity/testing';

test('two Verity instances at once, each with its own data', async () => {
  const [a, b] = await Promise.all([startVerity({ timeoutMs: 170_000 }), startVerity({ timeoutMs: 170_000 })]);
  try {
    expect(a.url).not.toBe(b.url);
    const stripeA = new Stripe(a.secretKey, { ...a.stripeOptions, maxNetworkRetries: 0 });
    const stripeB = new Stripe(b.secretKey, { ...b.stripeOptions, maxNetworkRetries: 0 });
    const first = await stripeA.identity.verificationSessions.create({ type: 'document' });
    const second = await stripeB.identity.verificationSessions.create({ type: 'id_number' });
    expect((await a.verify(first.id)).status).toBe('verified');
    expect((await b.requireInput(second.id, 'id_number_mismatch')).last_error.code).toBe('id_number_mismatch');
    // a's key means nothing to b, and b never saw a's session.
    const aKeyAtB = new Stripe(a.secretKey, { ...b.stripeOptions, maxNetworkRetries: 0 });
    await expect(aKeyAtB.identity.verificationSessions.list()).rejects.toMatchObject({ statusCode: 401 });
    await expect(stripeB.identity.verificationSessions.retrieve(first.id)).rejects.toMatchObject({ statusCode: 404 });
    expect((await a.redactNow(first.id)).redaction).toEqual({ status: 'redacted' });
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
}, 240_000);
`,
    );
    // The project's own vitest, not this run's: none of this run's settings reach it.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !/^(VITEST|VITE_|TEST$|NODE_OPTIONS$|FORCE_COLOR$)/.test(name)),
    );
    const { stdout } = await run(
      process.execPath,
      [join(project, 'node_modules/vitest/vitest.mjs'), 'run', '--maxWorkers', '2', '--reporter', 'verbose'],
      { cwd: project, env: { ...env, CI: '1', NO_COLOR: '1' }, timeout: 540_000 },
    );
    expect(stdout).toMatch(/Tests\s+2 passed \(2\)/);
    expect(processesMatching(project)).toEqual([]);
    // As long as the user's own hooks and tests may take (docs/package.md), on a busy machine.
  }, 600_000);
});

/** The first js block after "With **vitest**" in docs/package.md: the example a user copies. */
function docsVitestExample(): string {
  const guide = readFileSync(join(repository, 'docs', 'package.md'), 'utf8');
  const example = /With \*\*vitest\*\*[\s\S]*?```js\n([\s\S]*?)```/.exec(guide)?.[1];
  if (!example) throw new Error('docs/package.md has no vitest example');
  return example;
}

async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((done) => setTimeout(done, 100));
  }
}
