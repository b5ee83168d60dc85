/**
 * Child processes in tests: each in a process group of its own, killed with the whole group when
 * the test file ends (passed, failed or timed out) or its process exits, so no test leaves a
 * process behind. Helpers to find and watch processes through /proc (Linux).
 */
import { spawn, type ChildProcessWithoutNullStreams, type SpawnOptionsWithoutStdio } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll } from 'vitest';

const groups = new Set<number>();
const killGroups = () => {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  groups.clear();
};
process.once('exit', killGroups);

/** Spawns a command as the leader of a new process group, which is killed when the test file ends. */
export function spawnGroup(command: string, args: string[], options: SpawnOptionsWithoutStdio = {}): ChildProcessWithoutNullStreams {
  const child = spawn(command, args, { ...options, detached: true, stdio: 'pipe' });
  if (child.pid) groups.add(child.pid);
  return child;
}
afterAll(killGroups);

/** The stat fields of a process after its name: state first, then ppid. */
const statOf = (pid: number) =>
  readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /s, '')
    .split(' ');

/** Running, that is: neither gone nor a zombie waiting for a parent to reap it. */
export function alive(pid: number): boolean {
  try {
    return statOf(pid)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The live processes whose command line contains `text`, descending from `root` if given. */
export function processesMatching(text: string, root?: number): number[] {
  const parentOf = (pid: number) => {
    try {
      return Number(statOf(pid)[1]);
    } catch {
      return 0;
    }
  };
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text) || !alive(pid)) return false;
      } catch {
        return false;
      }
      if (root === undefined) return true;
      for (let p = parentOf(pid); p > 1; p = parentOf(p)) if (p === root) return true;
      return false;
    });
}

/** The DynamoDB Local processes under `root`. */
export const dynamoUnder = (root: number) => processesMatching('DynamoDBLocal.jar', root);

/** Waits until `pid` has ended; false if it still runs after `ms` (a bound against hanging, not a timing claim). */
export async function ended(pid: number, ms = 20_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 100));
  return !alive(pid);
}
