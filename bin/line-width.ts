/**
 * `npm run lint`'s second half: every line of the project's source is at most 140 characters (code
 * points, as an editor counts them), strings and comments included, since Biome's formatter wraps
 * code but never a string or a comment. Prints each line that is longer as `path:line: N characters`
 * and exits 1 when there is one.
 *
 * Read: every file git tracks or would add (`git ls-files --cached --others --exclude-standard`)
 * whose extension is listed below. Not read: Markdown (a table row or a link cannot be wrapped),
 * JSON (package-lock.json), test fixtures, and generated browser bundles (functions/browser-bundles/).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MAX_LINE_CHARACTERS = 140;
const CHECKED = /\.(ts|js|mjs|cjs|java|py|sh)$|^\.ci\/run$/;
const SKIPPED = /^(test\/fixtures|functions\/browser-bundles)\//;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Each line longer than the limit, as `path:line: N characters`, in the files git knows under `root`. */
export function longLines(): string[] {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter((path) => CHECKED.test(path) && !SKIPPED.test(path));
  const found: string[] = [];
  for (const path of files) {
    let text: string;
    try {
      text = readFileSync(resolve(root, path), 'utf8');
    } catch {
      continue; // deleted in the work tree, not yet in git
    }
    text.split('\n').forEach((line, index) => {
      const length = [...line].length;
      if (length > MAX_LINE_CHARACTERS) found.push(`${path}:${index + 1}: ${length} characters`);
    });
  }
  return found;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const found = longLines();
  for (const line of found) console.error(line);
  if (found.length) {
    console.error(`${found.length} lines longer than ${MAX_LINE_CHARACTERS} characters: split them (a string by concatenation).`);
    process.exit(1);
  }
}
