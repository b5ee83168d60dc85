/**
 * `npm run keys -- console-link` as an operator runs it, in a child process: the link it prints
 * signs in once to the console of that account, mode and role (on the table the command wrote to,
 * served by the local runtime with the same signing secret), and every mistake is one line with
 * exit code 2.
 */
import { execFile, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { endpointFileOf } from '../../local/data-dir';
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
const consoleLinkOn = (extraEnv: Record<string, string>, ...args: string[]) => keysOn(extraEnv, 'console-link', ...args);
/**
 * The same, without blocking: spawnSync stops the event loop, so a pooled connection the service
 * closed meanwhile would be reused by the next fetch and reset. For the tests that fetch between commands.
 */
const keysAsync = (...args: string[]) => keysAsyncOn({ VERITY_PUBLIC_URL: 'https://verity.example' }, ...args);
const keysAsyncOn = (extraEnv: Record<string, string>, ...args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'bin/keys.ts', ...args],
      {
        env: {
          PATH: process.env.PATH!,
          HOME: process.env.HOME!,
          VERITY_DATA_DIR: dataDir,
          VERITY_SIGNING_SECRET: process.env.VERITY_SIGNING_SECRET!,
          ...extraEnv,
        },
        encoding: 'utf8',
        timeout: 60_000,
      },
      (error, stdout, stderr) => resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
const keysOn = (extraEnv: Record<string, string>, ...args: string[]) => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/keys.ts', ...args], {
    env: {
      PATH: process.env.PATH!,
      HOME: process.env.HOME!,
      VERITY_DATA_DIR: dataDir,
      VERITY_SIGNING_SECRET: process.env.VERITY_SIGNING_SECRET!,
      ...extraEnv,
    },
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
    const again = await fetch(`${service.url}/console/sign_in`, {
      method: 'POST',
      headers: { 'sec-fetch-site': 'same-origin' },
      body: new URLSearchParams({ token }),
      redirect: 'manual',
    });
    expect(again.status).toBe(401);
  });

  it("points the link at the running service's own address when no public URL is set, whatever its port", async () => {
    // As npm start leaves its data folder: where its DynamoDB Local and its API answer.
    writeFileSync(endpointFileOf(dataDir), JSON.stringify({ ...inject('dynamo'), publicUrl: service.url }), { mode: 0o600 });
    expect(service.url).not.toMatch(/:4242$/);
    const account = newAccountId();
    const made = await keysAsyncOn(
      {},
      'console-link',
      '--account',
      account,
      '--mode',
      'test',
      '--email',
      'ops@example.com',
      '--role',
      'viewer',
    );
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

  it('lists who may use the console now, and removes an operator at once: console-access and console-end', async () => {
    const account = newAccountId();
    const scope = ['--account', account, '--mode', 'test'];
    const linkFor = async (email: string) => {
      const made = await keysAsync('console-link', ...scope, '--email', email, '--role', 'admin');
      expect(made.status, made.stderr).toBe(0);
      return {
        token: new URL(/^https:\/\/\S+$/m.exec(made.stdout)![0]).searchParams.get('token')!,
        id: /^Link id .*: (cl_\w+)$/m.exec(made.stdout)![1]!,
      };
    };
    const gone = await linkFor('gone@example.com');
    const cookie = await signInToConsole(service.url, gone.token);
    const unused = await linkFor('gone@example.com');
    const other = await linkFor('stays@example.com');
    const listed = await keysAsync('console-access', ...scope);
    expect(listed.status, listed.stderr).toBe(0);
    const sessionId = /^ {2}(cs_\w+) {2}gone@example\.com \(admin\), until /m.exec(listed.stdout)![1]!;
    expect(listed.stdout).toContain(`${unused.id}  gone@example.com (admin), valid until`);
    expect(listed.stdout).toContain(`${other.id}  stays@example.com (admin)`);
    expect(listed.stdout).not.toContain(gone.id); // spent: no longer a way in
    expect(listed.stdout).not.toContain(unused.token);
    const page = () => fetch(`${service.url}/console/verification_sessions`, { headers: { cookie }, redirect: 'manual' });
    expect((await page()).status).toBe(200);
    // Removing the operator ends their session and cancels their unused link, at once; the other operator's link stays.
    const removed = await keysAsync('console-end', ...scope, '--email', 'gone@example.com');
    expect(removed.status, removed.stderr).toBe(0);
    expect(removed.stdout).toContain(`Ended console session ${sessionId} of gone@example.com (admin).`);
    expect(removed.stdout).toContain(`Canceled sign-in link ${unused.id} for gone@example.com (admin).`);
    expect((await page()).status).toBe(401);
    const spend = (token: string) =>
      fetch(`${service.url}/console/sign_in`, {
        method: 'POST',
        headers: { 'sec-fetch-site': 'same-origin' },
        body: new URLSearchParams({ token }),
        redirect: 'manual',
      });
    expect((await spend(unused.token)).status).toBe(401);
    // One link by its id; again, nothing is left to end (exit code 1).
    expect((await keysAsync('console-end', ...scope, '--link', other.id)).stdout).toContain(`Canceled sign-in link ${other.id}`);
    expect((await spend(other.token)).status).toBe(401);
    const again = await keysAsync('console-end', ...scope, '--session', sessionId);
    expect([again.status, again.stdout.trim().split('\n')[0]]).toEqual([
      1,
      'Nothing to end: no live console session or unused link matches.',
    ]);
    // Another account's operators are not this account's to end.
    expect((await keysAsync('console-access', '--account', newAccountId(), '--mode', 'test')).stdout).toContain('Signed in: nobody');
    for (const args of [
      ['console-end', ...scope],
      ['console-end', ...scope, '--session', 'cs_x', '--email', 'a@example.com'],
      ['console-access', '--account', account],
    ]) {
      expect((await keysAsync(...args)).status, args.join(' ')).toBe(2);
    }
  });
});
