/**
 * `npm start` and `npm run keys` as a person runs them: DynamoDB Local, the table, a key, the API;
 * one service per data folder, owner-only files, command-line manners, and nothing left behind
 * on Ctrl-C or when npm itself is killed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, describe, expect, it } from 'vitest';
import { lockFileOf, lockHolder } from '../../local/data-dir';
import { alive, dynamoUnder, ended, processesMatching, spawnGroup } from '../support/processes';

const baseEnv = { PATH: process.env.PATH!, HOME: process.env.HOME! };

function start(env: Record<string, string>) {
  const child = spawnGroup('npm', ['start'], { env: { ...baseEnv, ...env } });
  child.stdin.end();
  let output = '';
  const ready = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /serving the Stripe Identity API at (\S+)/.exec(output)?.[1];
      // The summary's last line: everything about what runs has been said.
      if (url && output.includes('Ctrl-C stops it')) resolve(url);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, ready, exited, output: () => output };
}

const port = () => String(20000 + Math.floor(Math.random() * 20000));
const dataDir = mkdtempSync(join(tmpdir(), 'verity-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/**
 * Every folder and file under `dir` with its permission bits. A file gone between the listing and
 * its stat (SQLite's `-journal` of DynamoDB Local's database, which lives for one write) is left out.
 */
function modes(dir: string): { path: string; mode: number; directory: boolean }[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).flatMap((name) => {
    const stat = statSync(join(dir, name), { throwIfNoEntry: false });
    return stat ? [{ path: name, mode: stat.mode & 0o777, directory: stat.isDirectory() }] : [];
  });
}

describe('npm start', () => {
  it('serves the API with the given key, keeps data across restarts, and stops DynamoDB Local on SIGINT', async () => {
    const secretKey = 'sk_test_startCommandKey0123456789abcdef';
    const env = { PORT: port(), VERITY_DATA_DIR: dataDir, VERITY_SECRET_KEY: secretKey };

    const first = start(env);
    const url = await first.ready;
    expect(url).toBe(`http://127.0.0.1:${env.PORT}`);
    expect(first.output()).toContain(secretKey);
    const stripe = new Stripe(secretKey, { host: 'localhost', port: Number(env.PORT), protocol: 'http', maxNetworkRetries: 0 });
    const session = await stripe.identity.verificationSessions.create({ type: 'document' });
    expect(session.url).toContain(`http://127.0.0.1:${env.PORT}/start/test_`);
    const [dynamo, ...more] = dynamoUnder(first.child.pid!);
    expect(dynamo).toBeDefined();
    expect(more).toEqual([]);

    // `npm run keys` while the service runs: a live key for the same account works at once.
    const account = /account (acct_\w+)/.exec(first.output())![1]!;
    const keysOutput = execFileSync('npm', ['run', '-s', 'keys', '--', 'create', '--mode', 'live', '--account', account], {
      env: { ...baseEnv, VERITY_DATA_DIR: dataDir },
      encoding: 'utf8',
    });
    const liveKey = /(sk_live_\w+)/.exec(keysOutput)![1]!;
    expect(keysOutput).toContain(`Stored in ${dataDir}, the data folder of the npm start running on it.`);
    const live = new Stripe(liveKey, { host: 'localhost', port: Number(env.PORT), protocol: 'http', maxNetworkRetries: 0 });
    // A document session: a live id_number one needs an ID-number provider, which this service has none of.
    expect((await live.identity.verificationSessions.create({ type: 'document' })).livemode).toBe(true);
    await expect(live.identity.verificationSessions.retrieve(session.id)).rejects.toMatchObject({ statusCode: 404 });

    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('Verity stopped');
    expect(alive(dynamo!)).toBe(false);

    // A revoked key stays revoked: the restart makes a new publishable key rather than saving the
    // kept one again, and refuses a revoked VERITY_SECRET_KEY in one line.
    const publishable = /Publishable key [^:]*: (pk_test_\w+)/.exec(first.output())![1]!;
    const keys = (...args: string[]) =>
      spawnSync('npm', ['run', '-s', 'keys', '--', ...args], { env: { ...baseEnv, VERITY_DATA_DIR: dataDir }, encoding: 'utf8' });
    const second = start(env);
    await second.ready;
    const [secondDynamo] = dynamoUnder(second.child.pid!);
    expect((await stripe.identity.verificationSessions.retrieve(session.id)).id).toBe(session.id);
    expect(second.output()).toContain(publishable);
    expect(keys('revoke', '--key', publishable).stdout).toContain('Revoked.');
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(alive(secondDynamo!)).toBe(false);

    const third = start(env);
    await third.ready;
    const renewed = /Publishable key [^:]*: (pk_test_\w+)/.exec(third.output())![1]!;
    expect(renewed).not.toBe(publishable);
    expect(keys('publishable', '--account', account, '--mode', 'test').stdout).not.toContain(publishable);
    expect(keys('revoke', '--key', secretKey).stdout).toContain('Revoked.');
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);

    const fourth = start(env);
    fourth.ready.catch(() => undefined);
    expect(await fourth.exited).toBe(1);
    expect(fourth.output()).toContain('VERITY_SECRET_KEY was revoked');
  }, 240_000);

  it('says what is running: the API and pages, the key and its mode, where data lives, where events go', async () => {
    const env = { PORT: port(), VERITY_IN_MEMORY: '1', VERITY_EVENT_TARGETS: 'http://127.0.0.1:9/hook' };
    const service = start(env);
    await service.ready;
    const said = service.output();
    expect(said).toMatch(/ready in \d+\.\d s, in memory\)/);
    expect(said).toMatch(/Secret key \(test mode, account acct_\w+\): sk_test_\w+/);
    expect(said).toContain(`Verification pages  http://127.0.0.1:${env.PORT}/start/`);
    expect(said).toMatch(
      /Data {16}in memory: nothing is kept after Ctrl-C \(DynamoDB Local \(process \d+\) on http:\/\/127\.0\.0\.1:\d+\)/,
    );
    expect(said).toContain('Events              kept in memory; POSTed to http://127.0.0.1:9/hook');
    // Without its DynamoDB Local the service cannot answer: it says so once and stops.
    const [dynamo] = dynamoUnder(service.child.pid!);
    process.kill(dynamo!, 'SIGKILL');
    expect(await service.exited).toBe(1);
    expect(service.output()).toContain(`DynamoDB Local (process ${dynamo}) has exited, and Verity cannot serve without it: stopping.`);
  }, 240_000);

  it('keeps the data folder for its owner only, and makes an older, readable folder private at start', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'verity-modes-'));
    chmodSync(folder, 0o755);
    mkdirSync(join(folder, 'dynamodb'), { mode: 0o755 });
    writeFileSync(join(folder, 'account'), 'acct_olderFolder0001', { mode: 0o644 });
    const service = start({ PORT: port(), VERITY_DATA_DIR: folder });
    try {
      await service.ready;
      const secretKey = /Secret key .*: (sk_\w+)/.exec(service.output())![1]!;
      const url = new URL(/serving the Stripe Identity API at (\S+)/.exec(service.output())![1]!);
      const stripe = new Stripe(secretKey, { host: url.hostname, port: Number(url.port), protocol: 'http', maxNetworkRetries: 0 });
      await stripe.identity.verificationSessions.create({ type: 'document' });
      // The event publisher has written the events file by the time the event is in the list.
      await expect.poll(() => readdirSync(folder), { timeout: 60_000 }).toContain('events.ndjson');
      expect(statSync(folder).mode & 0o777).toBe(0o700);
      const entries = modes(folder);
      expect(entries.map((entry) => entry.path)).toEqual(
        expect.arrayContaining([
          'account',
          'signing-secret',
          'dynamodb-endpoint',
          'lock',
          'events.ndjson',
          'stream-checkpoints.json',
          join('dynamodb', 'shared-local-instance.db'),
        ]),
      );
      for (const entry of entries) expect(entry, entry.path).toMatchObject({ mode: entry.directory ? 0o700 : 0o600 });
    } finally {
      service.child.kill('SIGINT');
      await service.exited;
      rmSync(folder, { recursive: true, force: true });
    }
  }, 240_000);

  it('refuses a second service on the same data folder, naming the process that holds it; the first keeps working', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'verity-lock-'));
    const secretKey = 'sk_test_lockCommandKey0123456789abcdef';
    const first = start({ PORT: port(), VERITY_DATA_DIR: folder, VERITY_SECRET_KEY: secretKey });
    try {
      const url = new URL(await first.ready);
      const holder = lockHolder(lockFileOf(folder))!;
      expect(processesMatching('bin/local.ts', first.child.pid!)).toContain(holder);

      const second = start({ PORT: port(), VERITY_DATA_DIR: folder });
      second.ready.catch(() => undefined);
      expect(await second.exited).toBe(1);
      const lines = second
        .output()
        .trim()
        .split('\n')
        .filter((line) => !line.startsWith('>') && line.trim() !== '');
      expect(lines).toEqual([expect.stringContaining(`is in use by process ${holder}`)]);
      expect(lines[0]).toContain('VERITY_DATA_DIR=');
      expect(lines[0]).toContain('VERITY_IN_MEMORY=1 PORT=');
      expect(second.output()).not.toContain('serving the Stripe Identity API');

      // The first still answers, and still holds the folder and its endpoint file.
      const stripe = new Stripe(secretKey, { host: url.hostname, port: Number(url.port), protocol: 'http', maxNetworkRetries: 0 });
      expect((await stripe.identity.verificationSessions.create({ type: 'document' })).status).toBe('requires_input');
      expect(lockHolder(lockFileOf(folder))).toBe(holder);
      expect(readdirSync(folder)).toContain('dynamodb-endpoint');
      expect(dynamoUnder(first.child.pid!)).toHaveLength(1);
    } finally {
      first.child.kill('SIGINT');
      await first.exited;
      rmSync(folder, { recursive: true, force: true });
    }
  }, 240_000);

  it('takes over the lock of a service that crashed', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'verity-stale-'));
    // A pid no process has: the lock of a crash.
    const dead = spawnSync('true').pid!;
    writeFileSync(lockFileOf(folder), `${dead}\n`);
    const service = start({ PORT: port(), VERITY_DATA_DIR: folder });
    try {
      await service.ready;
      expect(processesMatching('bin/local.ts', service.child.pid!)).toContain(lockHolder(lockFileOf(folder)));
    } finally {
      service.child.kill('SIGINT');
      await service.exited;
      rmSync(folder, { recursive: true, force: true });
    }
  }, 240_000);

  it('stops DynamoDB Local when interrupted while still starting', async () => {
    const starting = start({ PORT: port(), VERITY_IN_MEMORY: '1' });
    starting.ready.catch(() => undefined);
    // DynamoDB Local has been spawned, but the service is not ready yet.
    const deadline = Date.now() + 60_000;
    while (dynamoUnder(starting.child.pid!).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const [dynamo] = dynamoUnder(starting.child.pid!);
    expect(dynamo).toBeDefined();
    starting.child.kill('SIGTERM');
    await starting.exited;
    expect(await ended(dynamo!)).toBe(true);
  }, 120_000);

  it('leaves no process when npm itself is killed (SIGKILL, nothing forwarded)', async () => {
    const service = start({ PORT: port(), VERITY_IN_MEMORY: '1' });
    await service.ready;
    const [node] = processesMatching('bin/local.ts', service.child.pid!);
    const [dynamo] = dynamoUnder(service.child.pid!);
    expect(node).toBeDefined();
    expect(dynamo).toBeDefined();
    // Only npm, not its process group: what a crash or an OOM kill of npm does.
    process.kill(service.child.pid!, 'SIGKILL');
    expect(await ended(node!)).toBe(true);
    expect(await ended(dynamo!)).toBe(true);
  }, 120_000);
});

describe('command lines', () => {
  const npm = (args: string[], env: Record<string, string> = {}) =>
    spawnSync('npm', ['run', '-s', ...args], { env: { ...baseEnv, VERITY_DATA_DIR: join(dataDir, 'unused'), ...env }, encoding: 'utf8' });
  /** One line on stderr, no stack trace, nothing on stdout. */
  const oneLineError = (result: ReturnType<typeof npm>) => {
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at |Error \[|node:internal/);
    return result.stderr;
  };

  it('answers --help with the usage and exit 0', () => {
    for (const args of [
      ['keys', '--', '--help'],
      ['keys', '--', '-h'],
      ['start', '--', '--help'],
    ]) {
      const result = npm(args);
      expect(result.status, args.join(' ')).toBe(0);
      expect(result.stdout).toMatch(/^Usage: npm (run keys|start)/);
      expect(result.stderr).toBe('');
    }
  });

  it('answers an unknown option, a missing value or argument with one line and exit 2, never a stack trace', () => {
    const cases: [string[], RegExp][] = [
      [['keys', '--', '--bogus'], /Unknown option '--bogus'/],
      [['keys'], /say what to do: create, publishable, revoke, profile/],
      [['keys', '--', 'rotate'], /unknown command "rotate"/],
      [['keys', '--', 'create'], /create needs --mode/],
      [['keys', '--', 'create', '--mode'], /'--mode <value>' argument missing/],
      [['keys', '--', 'create', '--mode', 'staging'], /--mode must be test or live/],
      [['keys', '--', 'create', '--mode', 'test', 'extra'], /unexpected argument "extra"/],
      [['keys', '--', 'revoke'], /revoke needs --key/],
      [
        ['keys', '--', 'revoke', '--key', 'xk_test_123'],
        /--key must be an API key: sk_test_\.\.\., sk_live_\.\.\., rk_test_\.\.\., rk_live_\.\.\., pk_test_\.\.\. or pk_live_\.\.\./,
      ],
      [['keys', '--', 'create', '--mode', 'test', '--aws'], /--aws needs VERITY_TABLE_NAME/],
      [['start', '--', '--bogus'], /Unknown option '--bogus'/],
      [['start', '--', 'now'], /Unexpected argument 'now'/],
    ];
    for (const [args, message] of cases) {
      const result = npm(args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(oneLineError(result)).toMatch(message);
    }
  });

  it('answers a bad setting in the environment with one line', () => {
    const result = npm(['start'], { PORT: 'eighty' });
    expect(result.status).toBe(2);
    expect(oneLineError(result)).toMatch(/PORT must be a port number/);
  });
});
