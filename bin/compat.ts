/**
 * `npm run compat`: the Node SDK compatibility suite (test/compat/, vitest.compat.config.ts). It
 * first installs the newest `stripe` the npm registry serves today into a scratch folder, unpinned,
 * so the suite meets next month's SDK the day it is released, as `npm install stripe` would; then
 * runs the suite with it beside the SDKs pinned in this repository (stripe, stripe@17, stripe@14).
 * `--pinned-only` skips the registry (offline work); CI runs the whole.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const pinnedOnly = process.argv.includes('--pinned-only');
const scratch = mkdtempSync(join(tmpdir(), 'verity-compat-'));
let status = 1;
try {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (!pinnedOnly) {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const install = spawnSync(npm, ['install', '--prefix', scratch, '--no-audit', '--no-fund', '--no-package-lock', 'stripe@latest'], {
      stdio: ['ignore', 'inherit', 'inherit'],
      timeout: 300_000,
    });
    if (install.status !== 0) {
      console.error('compat: could not install stripe@latest from the npm registry (run with --pinned-only to use only the pinned SDKs)');
      process.exit(1);
    }
    const module = join(scratch, 'node_modules', 'stripe');
    const { version } = JSON.parse(readFileSync(join(module, 'package.json'), 'utf8')) as { version: string };
    console.log(`compat: the registry's newest stripe is ${version}`);
    env.VERITY_COMPAT_LATEST = module;
  }
  const run = spawnSync(
    process.execPath,
    [join('node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', 'vitest.compat.config.ts', '--reporter', 'verbose'],
    {
      stdio: 'inherit',
      env,
    },
  );
  status = run.status ?? 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(status);
