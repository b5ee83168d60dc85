/**
 * `npm run keys -- console-link` as an operator runs it, in a child process: the link it prints
 * signs in once to the console of that account, mode and role (on the table the command wrote to,
 * served by the local runtime with the same signing secret), and every mistake is one line with
 * exit code 2.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { endpointFileOf } from '../../local/runtime';
import { newAccountId } from '../../functions/domain/api-keys';
import type { LocalRuntime } from '../../local/runtime';
import { signInToConsole } from '../support/console';
import { keysCommand } from '../support/keys-command';
import { ownTable, startService } from '../support/local-service';

const { dataDir } = keysCommand('verity-console-link-');
let service: LocalRuntime;

beforeAll(async () => {
  // The command writes to the local table `verity`, as npm start's.
  service = await startService({ tableName: await ownTable('verity') });
});
afterAll(() => service.stop());

const consoleLink = (...args: string[]) => consoleLinkOn({ VERITY_PUBLIC_URL: 'https://verity.example' }, ...args);
const consoleLinkOn = (extraEnv: Record<string, string>, ...args: string[]) => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/keys.ts', 'console-link', ...args], {
    env: { PATH: process.env.PATH!, HOME: process.env.HOME!, VERITY_DATA_DIR: dataDir, VERITY_SIGNING_SECRET: process.env.VERITY_SIGNING_SECRET!, ...extraEnv },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};

describe('npm run keys -- console-link', () => {
  it('prints a link on the public URL that signs the operator in once, with the role asked for', async () => {
    const account = newAccountId();
    const made = consoleLink('--account', account, '--mode', 'live', '--email', 'ops@example.com', '--role', 'admin');
    expect(made.status, made.stderr).toBe(0);
    expect(made.stdout).toContain(`Console sign-in link for ops@example.com (admin, ${account}, live mode), valid once within 10 minutes:`);
    const link = new URL(/^https:\/\/verity\.example\/console\/sign_in\?token=\S+$/m.exec(made.stdout)![0]);
    const token = link.searchParams.get('token')!;
    const cookie = await signInToConsole(service.url, token);
    const page = await (await fetch(`${service.url}/console/verification_sessions`, { headers: { cookie } })).text();
    expect(page).toContain(account);
    expect(page).toContain('Live mode');
    expect(page).toContain('ops@example.com (admin)');
    const again = await fetch(`${service.url}/console/sign_in`, { method: 'POST', headers: { 'sec-fetch-site': 'same-origin' }, body: new URLSearchParams({ token }), redirect: 'manual' });
    expect(again.status).toBe(401);
  });

  it("points the link at the running service's own address when no public URL is set, whatever its port", async () => {
    // As npm start leaves its data folder: where its DynamoDB Local and its API answer.
    writeFileSync(endpointFileOf(dataDir), JSON.stringify({ ...inject('dynamo'), publicUrl: service.url }), { mode: 0o600 });
    expect(service.url).not.toMatch(/:4242$/);
    const account = newAccountId();
    const made = consoleLinkOn({}, '--account', account, '--mode', 'test', '--email', 'ops@example.com', '--role', 'viewer');
    expect(made.status, made.stderr).toBe(0);
    const link = /^http:\/\/\S+\/console\/sign_in\?token=\S+$/m.exec(made.stdout)![0];
    expect(link.startsWith(`${service.url}/console/sign_in?token=`)).toBe(true);
    const cookie = await signInToConsole(service.url, new URL(link).searchParams.get('token')!);
    expect(await (await fetch(`${service.url}/console/verification_sessions`, { headers: { cookie } })).text()).toContain(account);
  });

  it('answers every mistake with one line and exit code 2', () => {
    const account = newAccountId();
    for (const args of [
      ['--mode', 'live', '--email', 'a@example.com', '--role', 'viewer'],
      ['--account', account, '--email', 'a@example.com', '--role', 'viewer'],
      ['--account', account, '--mode', 'live', '--role', 'viewer'],
      ['--account', account, '--mode', 'live', '--email', 'not-an-address', '--role', 'viewer'],
      ['--account', account, '--mode', 'live', '--email', 'a@example.com', '--role', 'owner'],
      ['--account', account, '--mode', 'live', '--email', 'a@example.com'],
    ]) {
      const result = consoleLink(...args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stdout).not.toMatch(/sign_in\?token=/);
    }
  });
});
