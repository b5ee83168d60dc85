/**
 * DynamoDB Local as local/dynamodb.ts starts it: on 127.0.0.1 only, answering only to its own
 * access key id, with owner-only files, ending with the process that started it, and a slow or
 * impossible start said for what it is.
 */
import { readFileSync, mkdtempSync, rmSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OperatorError } from '../../../local/data-dir';
import { ensureTable, localClient, startDynamoDbLocal, type LocalDynamo } from '../../../local/dynamodb';
import { alive, ended, spawnGroup } from '../../support/processes';

/** The local addresses with a listening socket on `port`, read from /proc/net/tcp and tcp6 (Linux). */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const addresses: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state !== '0A' || !local?.endsWith(`:${hexPort}`)) continue; // 0A: LISTEN
      const hex = local.split(':')[0]!;
      // The kernel writes each 32-bit word of the address in host (little-endian) order.
      const words = hex.match(/.{8}/g)!.map((word) => word.match(/../g)!.reverse().join(''));
      addresses.push(words.join(''));
    }
  }
  return addresses;
}
const LOOPBACK_V4 = '7F000001';
const LOOPBACK_V4_MAPPED = '00000000000000000000FFFF7F000001';

describe('DynamoDB Local, as started for Verity', () => {
  let dynamo: LocalDynamo;
  const dataDir = mkdtempSync(join(tmpdir(), 'verity-dynamo-'));
  beforeAll(async () => {
    dynamo = await startDynamoDbLocal({ dataDir: join(dataDir, 'dynamodb') });
  });
  afterAll(async () => {
    await dynamo?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 only, not on every interface', () => {
    const addresses = listeningAddresses(Number(new URL(dynamo.endpoint).port));
    expect(addresses.length).toBeGreaterThan(0);
    for (const address of addresses) expect([LOOPBACK_V4, LOOPBACK_V4_MAPPED]).toContain(address);
  });

  it('answers only to the access key id it was started with', async () => {
    const stranger = localClient({ endpoint: dynamo.endpoint, accessKeyId: 'somebodyElse0123456789' });
    await expect(stranger.send(new ListTablesCommand({}))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    stranger.destroy();
    const owner = localClient(dynamo);
    await expect(owner.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: [] });
    owner.destroy();
  });

  it('creates its files for their owner only', async () => {
    const client = localClient(dynamo);
    await ensureTable(client, 'modes');
    client.destroy();
    const folder = join(dataDir, 'dynamodb');
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    const files = readdirSync(folder);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(statSync(join(folder, file)).mode & 0o777, file).toBe(0o600);
  });
});

describe('starting DynamoDB Local', () => {
  it('reports a start slower than allowed as slow, with what it waited for and how long, not as a missing Java', async () => {
    const failure = await startDynamoDbLocal({ timeoutMs: 1 }).then(
      () => expect.fail('it cannot listen within a millisecond'),
      (error: Error) => error,
    );
    expect(failure).toBeInstanceOf(OperatorError);
    expect(failure.message).toMatch(
      /DynamoDB Local \(process (\d+)\) was still starting after 0\.001 s: it had not yet said it listens on 127\.0\.0\.1:\d+/,
    );
    expect(failure.message).toContain('VERITY_DYNAMODB_START_TIMEOUT');
    expect(failure.message).not.toMatch(/not found|Is Java|installed\?/);
    // And the process it gave up on is gone.
    const pid = Number(/process (\d+)/.exec(failure.message)![1]);
    expect(await ended(pid)).toBe(true);
  });

  it('says Java is missing only when it is', async () => {
    const saved = { PATH: process.env.PATH, JAVA_HOME: process.env.JAVA_HOME };
    process.env.PATH = '/nonexistent';
    delete process.env.JAVA_HOME;
    try {
      await expect(startDynamoDbLocal()).rejects.toThrow(/^Java was not found .*Java 17/);
    } finally {
      process.env.PATH = saved.PATH;
      if (saved.JAVA_HOME !== undefined) process.env.JAVA_HOME = saved.JAVA_HOME;
    }
  });

  it('ends when the process that started it is killed (SIGKILL leaves it no exit handler)', async () => {
    const script = "import { startDynamoDbLocal } from './local/dynamodb.ts'; const d = await startDynamoDbLocal(); console.log(d.pid);";
    const parent = spawnGroup(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd() });
    const pid = await new Promise<number>((resolve, reject) => {
      let output = '';
      parent.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (/^\d+\n/.test(output)) resolve(Number(output.trim()));
      });
      parent.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      parent.once('exit', () => reject(new Error(output)));
    });
    expect(alive(pid)).toBe(true);
    process.kill(parent.pid!, 'SIGKILL');
    expect(await ended(pid)).toBe(true);
  }, 120_000);
});
