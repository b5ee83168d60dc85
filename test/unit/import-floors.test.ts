/**
 * The house's floors: each room of functions/ imports only rooms on the floors below it (or
 * itself), and no files import each other in a circle. CONTRIBUTING.md's folder map states the
 * same order in words; `FLOORS` is where the code keeps it. Imports are read with the TypeScript
 * compiler's parser (type-only imports and re-exports included); nothing is run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The rooms of functions/, lowest floor first. A room is a folder (`store/`) or a single file
 * (`routes.ts`); rooms on one line share a floor and may not import each other.
 */
const FLOORS: readonly (readonly string[])[] = [
  ['domain/', 'browser-bundles/'],
  ['secrets/'],
  ['files/'],
  ['store/'],
  ['wire/'],
  ['flows/', 'routes.ts', 'workers.ts'],
  ['checks/'],
  ['evaluation/', 'webhooks/', 'hosted-page/'],
  ['http/'],
  ['console/'],
  ['streams/', 'schedules/'],
];

/**
 * Circles allowed to stand: none. Any import circle in functions/, a type-only one included, fails
 * (the session's types live in domain/verification-session-types.ts so its report, checks,
 * credentials and redaction can name it without importing the session back).
 */
const KNOWN_CIRCLES: readonly string[][] = [];

const floorOf = new Map(FLOORS.flatMap((rooms, floor) => rooms.map((room) => [room, floor] as const)));
const roomOf = (file: string) => {
  const parts = relative('functions', file).split('/');
  return parts.length > 1 ? `${parts[0]}/` : parts[0]!;
};

function sourceFiles(folder: string): string[] {
  return readdirSync(join(root, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Each file's imports of other files of the project, as paths from the project's root. */
function importsOf(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    let specifier: ts.Expression | undefined;
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) specifier = node.moduleSpecifier;
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) specifier = node.arguments[0];
    if (specifier && ts.isStringLiteralLike(specifier) && specifier.text.startsWith('.') && !specifier.text.endsWith('.json')) {
      found.push(`${normalize(join(dirname(file), specifier.text)).replace(/\.(ts|js)$/, '')}.ts`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Imports that run to a room on the same floor or a higher one, as `from -> to`. */
function upwardImports(graph: Map<string, string[]>): string[] {
  const found: string[] = [];
  for (const [file, targets] of graph) {
    const from = roomOf(file);
    for (const target of targets) {
      const to = roomOf(target);
      if (from === to) continue;
      const [a, b] = [floorOf.get(from), floorOf.get(to)];
      if (a === undefined || b === undefined || b >= a) found.push(`${file} -> ${target}`);
    }
  }
  return found;
}

/** The files of each circle (a strongly connected component of more than one file), sorted. */
function circles(graph: Map<string, string[]>): string[][] {
  // Tarjan's algorithm.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const connect = (file: string) => {
    index.set(file, next);
    low.set(file, next++);
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        connect(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) low.set(file, Math.min(low.get(file)!, index.get(target)!));
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const file of graph.keys()) if (!index.has(file)) connect(file);
  return found.sort();
}

const graphOf = (files: Record<string, string>) =>
  new Map(Object.entries(files).map(([file, text]) => [file, importsOf(file, text)] as const));

describe('the floors of functions/', () => {
  const files = sourceFiles('functions');
  const graph = new Map(files.map((file) => [file, importsOf(file, readFileSync(join(root, file), 'utf8'))] as const));

  it('names every room on one floor', () => {
    expect([...new Set(files.map(roomOf))].filter((room) => !floorOf.has(room))).toEqual([]);
  });

  it('has no import that runs up a floor or across one', () => {
    expect(upwardImports(graph)).toEqual([]);
  });

  it('has no import circle', () => {
    expect(circles(graph)).toEqual(KNOWN_CIRCLES);
  });

  it('sees an import up a floor, a type-only one included, and a circle', () => {
    const planted = graphOf({
      'functions/store/a.ts': "import type { X } from '../wire/b';",
      'functions/wire/b.ts': "export { y } from './c';",
      'functions/wire/c.ts': "const b = await import('./b');",
    });
    expect(upwardImports(planted)).toEqual(['functions/store/a.ts -> functions/wire/b.ts']);
    expect(circles(planted)).toEqual([['functions/wire/b.ts', 'functions/wire/c.ts']]);
  });
});
