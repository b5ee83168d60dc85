import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, inject } from 'vitest';
import { endpointFileOf } from '../../local/data-dir';

/**
 * `npm run keys` as a person runs it, in a child process, on a data folder whose "running
 * service" is this run's DynamoDB Local, as npm start leaves it (removed after the file's tests).
 */
export function keysCommand(prefix: string) {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(endpointFileOf(dataDir), JSON.stringify(inject('dynamo')), { mode: 0o600 });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const keys = (...args: string[]) => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/keys.ts', ...args], {
      env: { PATH: process.env.PATH!, HOME: process.env.HOME!, VERITY_DATA_DIR: dataDir },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  return { dataDir, keys };
}
