/** What the local file store holds on disk, for tests that check what is (or is no longer) there. */
import { type Dirent, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file under `folder` (its path relative to `folder`); none when the folder does not exist. */
export function filesUnder(folder: string): string[] {
  const found: string[] = [];
  const visit = (dir: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      if (entry.isDirectory()) visit(join(dir, entry.name));
      else found.push(relative(folder, join(dir, entry.name)));
    }
  };
  visit(folder);
  return found.sort();
}
