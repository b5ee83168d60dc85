/**
 * A bundled synthesis with CDK's esbuild calls made without npx. NodejsFunction runs the project's
 * esbuild as `npx --no-install esbuild …` (aws-lambda-nodejs, npm's run command), once per function,
 * and npx's own start costs more than the bundle: about 0.55 s of CPU per call against esbuild's
 * 0.45 s for a handler, and several seconds each beside other test runs on 2 cores (measured
 * 2026-12-07). For the synthesis only, a shim named `npx` comes first on PATH: it runs
 * `node_modules/.bin/esbuild`, the binary npx would find, with the arguments CDK gave, and hands
 * every other call to the real npx. The bundles are the ones `cdk synth` makes.
 */
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

const repository = resolve(import.meta.dirname, '../..');

/** Where `command` is on PATH, as the shell would find it; undefined if nowhere. */
function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return join(dir, command);
    } catch {
      // Not in this folder.
    }
  }
  return undefined;
}

/** Runs `synthesize` (synchronous: CDK bundles while constructing and synthesizing) with the shim on PATH, then removes it. */
export function withDirectEsbuild<T>(synthesize: () => T): T {
  const npx = onPath('npx');
  const quote = (path: string) => `'${path.replace(/'/g, "'\\''")}'`;
  const esbuild = quote(join(repository, 'node_modules/.bin/esbuild'));
  const shimDir = mkdtempSync(join(tmpdir(), 'verity-npx-shim-'));
  writeFileSync(
    join(shimDir, 'npx'),
    [
      '#!/bin/sh',
      `if [ "$1" = "--no-install" ] && [ "$2" = "esbuild" ]; then shift 2; exec ${esbuild} "$@"; fi`,
      npx ? `exec ${quote(npx)} "$@"` : 'echo "npx: not found" >&2; exit 127',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  const path = process.env.PATH;
  process.env.PATH = `${shimDir}${delimiter}${path ?? ''}`;
  try {
    return synthesize();
  } finally {
    process.env.PATH = path;
    rmSync(shimDir, { recursive: true, force: true });
  }
}
