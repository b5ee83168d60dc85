/**
 * The local data folder (`.verity/` or VERITY_DATA_DIR): readable by its owner only, and held by
 * one process at a time, so one DynamoDB Local works on its files and one publisher reads its
 * stream.
 */
import {
  chmodSync,
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import type { DynamoConnection } from './dynamodb';

/**
 * A failure whose message is the whole story for the person running a command (a folder in use, a
 * missing Java, a slow start): commands print it as one line, without a stack trace.
 */
export class OperatorError extends Error {
  override name = 'OperatorError';
}

/** Owner-only modes: what every folder and file under the data folder gets. */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` (and missing parents) for its owner only; an existing `dir` is made owner-only too. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Writes a file only its owner can read (a file that exists keeps its mode: makePrivate fixes it). */
export function writePrivateFile(file: string, content: string): void {
  writeFileSync(file, content, { mode: PRIVATE_FILE_MODE });
}

/**
 * Makes `dir` and everything under it owner-only (0700 folders, 0600 files): a folder an older
 * version created with the default umask stops being readable by other users of the machine.
 * Symbolic links are left alone, and so is whatever belongs to another user.
 */
export function makePrivate(dir: string): void {
  const uid = process.getuid?.();
  const visit = (path: string) => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink() || (uid !== undefined && stat.uid !== uid)) return;
    if (stat.isDirectory()) {
      chmodSync(path, PRIVATE_DIR_MODE);
      for (const name of readdirSync(path)) visit(join(path, name));
    } else if (stat.isFile()) {
      chmodSync(path, PRIVATE_FILE_MODE);
    }
  };
  ensurePrivateDir(dir);
  visit(dir);
}

export interface DataDirLock {
  /** Gives the folder up; does nothing if the lock is no longer this process's. */
  release(): void;
}

/** The file that says which process holds a data folder: its pid, created exclusively. */
export const lockFileOf = (dataDir: string) => join(dataDir, 'lock');

/**
 * Takes the data folder for this process, or throws an OperatorError naming the process that has
 * it and how to run a second service elsewhere. A lock whose process is gone (a crash, SIGKILL)
 * is taken over. The lock is given up by `release()` or when this process exits.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  ensurePrivateDir(dataDir);
  const file = lockFileOf(dataDir);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    let fd: number;
    try {
      fd = openSync(file, 'wx', PRIVATE_FILE_MODE);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = lockHolder(file);
      if (holder !== undefined && holder !== process.pid && isRunning(holder)) throw folderInUse(dataDir, holder);
      // Stale: its process is gone. Checked again just before removing, so a lock another
      // process has just taken over is not removed.
      if (lockHolder(file) === holder) unlinkSync(file);
      continue;
    }
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    const release = () => {
      process.removeListener('exit', release);
      if (lockHolder(file) === process.pid) unlinkSync(file);
    };
    process.once('exit', release);
    return { release };
  }
  throw folderInUse(dataDir, lockHolder(file));
}

/** The pid in a lock file; undefined if it is gone or unreadable. */
export function lockHolder(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid exists (one of another user counts). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function folderInUse(dataDir: string, pid: number | undefined): OperatorError {
  return new OperatorError(
    `The data folder ${resolve(dataDir)} is in use by process ${pid ?? '(unknown)'} (a running npm start). ` +
      'Stop it first, or run another service elsewhere: VERITY_DATA_DIR=/some/other/folder PORT=4243 npm start, or VERITY_IN_MEMORY=1 ' +
      'PORT=4243 npm start.',
  );
}

/**
 * The file that tells `npm run keys` where the running service's DynamoDB Local answers and where
 * the service itself does (JSON: endpoint, accessKeyId, publicUrl, apiUrl), for `npm run keys`'s
 * links and `npm run listen`'s default API.
 */
export const endpointFileOf = (dataDir: string) => join(dataDir, 'dynamodb-endpoint');

/** The DynamoDB Local a running service left in its data folder, if the file is there and readable. */
export function runningDynamo(dataDir: string): (DynamoConnection & { publicUrl?: string; apiUrl?: string }) | undefined {
  const file = endpointFileOf(dataDir);
  if (!existsSync(file)) return undefined;
  try {
    const { endpoint, accessKeyId, publicUrl, apiUrl } = JSON.parse(readFileSync(file, 'utf8')) as Partial<DynamoConnection> & {
      publicUrl?: unknown;
      apiUrl?: unknown;
    };
    if (typeof endpoint !== 'string' || typeof accessKeyId !== 'string') return undefined;
    return {
      endpoint,
      accessKeyId,
      ...(typeof publicUrl === 'string' ? { publicUrl } : {}),
      ...(typeof apiUrl === 'string' ? { apiUrl } : {}),
    };
  } catch {
    return undefined;
  }
}
