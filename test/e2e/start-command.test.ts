/** `npm start` on its own: DynamoDB Local, the table, a key, the API; and nothing left behind on Ctrl-C. */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, describe, expect, it } from 'vitest';

const dynamoProcesses = () => {
  try {
    return execFileSync('pgrep', ['-f', 'DynamoDBLocal.jar'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
};
/** The DynamoDB Local processes a process started (other test files run their own at the same time). */
function dynamoUnder(root: number): number[] {
  const parentOf = (pid: number) => {
    try {
      return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]);
    } catch {
      return 0;
    }
  };
  return dynamoProcesses().filter((pid) => {
    for (let p = parentOf(pid); p > 1; p = parentOf(p)) if (p === root) return true;
    return false;
  });
}
/** Running, that is: neither gone nor a zombie waiting for a parent to reap it. */
const alive = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] !== 'Z';
  } catch {
    return false;
  }
};

function start(env: Record<string, string>) {
  const child = spawn('npm', ['start'], { env: { PATH: process.env.PATH!, HOME: process.env.HOME!, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: false });
  let output = '';
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in 45 s:\n${output}`)), 45_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /serving the Stripe Identity API at (\S+)/.exec(output)?.[1];
      if (url && /Secret key .*: (sk_\w+)/.test(output)) {
        clearTimeout(timer);
        resolve(url);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, ready, exited, output: () => output };
}

const dataDir = mkdtempSync(join(tmpdir(), 'verity-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm start', () => {
  it('serves the API with the given key, keeps data across restarts, and stops DynamoDB Local on SIGINT', async () => {
    const secretKey = 'sk_test_startCommandKey0123456789abcdef';
    const port = String(20000 + Math.floor(Math.random() * 20000));
    const env = { PORT: port, VERITY_DATA_DIR: dataDir, VERITY_SECRET_KEY: secretKey };

    const first = start(env);
    const url = await first.ready;
    expect(url).toBe(`http://127.0.0.1:${port}`);
    expect(first.output()).toContain(secretKey);
    const stripe = new Stripe(secretKey, { host: 'localhost', port: Number(port), protocol: 'http', maxNetworkRetries: 0 });
    const session = await stripe.identity.verificationSessions.create({ type: 'document' });
    expect(session.url).toContain(`http://127.0.0.1:${port}/start/test_`);
    const [dynamo, ...more] = dynamoUnder(first.child.pid!);
    expect(dynamo).toBeDefined();
    expect(more).toEqual([]);

    // `npm run keys` while the service runs: a live key for the same account works at once.
    const account = /account (acct_\w+)/.exec(first.output())![1]!;
    const keysOutput = execFileSync('npm', ['run', '-s', 'keys', '--', 'create', '--mode', 'live', '--account', account], {
      env: { PATH: process.env.PATH!, HOME: process.env.HOME!, VERITY_DATA_DIR: dataDir },
      encoding: 'utf8',
    });
    const liveKey = /(sk_live_\w+)/.exec(keysOutput)![1]!;
    const live = new Stripe(liveKey, { host: 'localhost', port: Number(port), protocol: 'http', maxNetworkRetries: 0 });
    expect((await live.identity.verificationSessions.create({ type: 'id_number' })).livemode).toBe(true);
    await expect(live.identity.verificationSessions.retrieve(session.id)).rejects.toMatchObject({ statusCode: 404 });

    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(alive(dynamo!)).toBe(false);

    const second = start(env);
    await second.ready;
    const [secondDynamo] = dynamoUnder(second.child.pid!);
    expect((await stripe.identity.verificationSessions.retrieve(session.id)).id).toBe(session.id);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(alive(secondDynamo!)).toBe(false);
  }, 120_000);

  it('stops DynamoDB Local when interrupted while still starting', async () => {
    const starting = start({ PORT: String(20000 + Math.floor(Math.random() * 20000)), VERITY_IN_MEMORY: '1' });
    starting.ready.catch(() => undefined);
    // DynamoDB Local has been spawned, but the service is not ready yet.
    const deadline = Date.now() + 20_000;
    while (dynamoUnder(starting.child.pid!).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const [dynamo] = dynamoUnder(starting.child.pid!);
    expect(dynamo).toBeDefined();
    starting.child.kill('SIGTERM');
    await starting.exited;
    await new Promise((r) => setTimeout(r, 500));
    expect(alive(dynamo!)).toBe(false);
  }, 60_000);
});
