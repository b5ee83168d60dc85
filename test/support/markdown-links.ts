/**
 * Relative links in Markdown, checked as GitHub resolves them: a link's path is a file or folder
 * relative to the page (or to the repository's root when it starts with `/`), and its `#anchor`
 * is the slug of one of the target page's headings. Parsing is marked's lexer (so links inside
 * code spans and code blocks are not links, and headings inside code blocks are not headings);
 * slugs are github-slugger's, GitHub's own algorithm: the heading's text lower-cased, punctuation
 * dropped, spaces to `-`, and a repeated slug suffixed `-1`, `-2`, … in order.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, normalize, posix } from 'node:path';
import GithubSlugger from 'github-slugger';
import { marked, type Token, type Tokens } from 'marked';

/** A link or image target as written in the page, and the heading anchors the page defines. */
export interface MarkdownPage {
  links: string[];
  anchors: Set<string>;
}

/** The plain text of inline tokens, as a heading's rendered text content: code without backticks, link text, no HTML tags. */
function plainText(tokens: Token[]): string {
  return tokens
    .map((token) => {
      if (token.type === 'html') return '';
      if ('tokens' in token && token.tokens) return plainText(token.tokens);
      if (token.type === 'escape' || token.type === 'codespan' || token.type === 'text') return (token as Tokens.Text).text;
      return 'text' in token ? String(token.text) : '';
    })
    .join('');
}

/** Every token of a page, depth first: list items, table cells, block quotes and inline tokens included. */
function* walk(tokens: Token[]): Generator<Token> {
  for (const token of tokens) {
    yield token;
    if (token.type === 'table') {
      const table = token as Tokens.Table;
      for (const cell of [...table.header, ...table.rows.flat()]) yield* walk(cell.tokens);
    }
    if (token.type === 'list') for (const item of (token as Tokens.List).items) yield* walk(item.tokens);
    else if ('tokens' in token && token.tokens) yield* walk(token.tokens);
  }
}

/** The links and heading anchors of one page's Markdown. */
export function parseMarkdown(markdown: string): MarkdownPage {
  const slugger = new GithubSlugger();
  const links: string[] = [];
  const anchors = new Set<string>();
  for (const token of walk(marked.lexer(markdown))) {
    if (token.type === 'heading') anchors.add(slugger.slug(plainText((token as Tokens.Heading).tokens)));
    if (token.type === 'link' || token.type === 'image') links.push((token as Tokens.Link).href);
  }
  return { links, anchors };
}

/** Absolute URLs (`https:`, `mailto:`, protocol-relative) are not this checker's to resolve. */
const isExternal = (href: string) => /^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//');

/**
 * The broken relative links of `pages` (repository-relative path → Markdown), one line each:
 * `docs/a.md: b.md#c: …`. `exists` answers for targets that are not among `pages` (images,
 * source files, folders), relative to the repository's root.
 */
export function brokenLinks(pages: ReadonlyMap<string, string>, exists: (path: string) => boolean): string[] {
  const parsed = new Map([...pages].map(([path, markdown]) => [path, parseMarkdown(markdown)]));
  const broken: string[] = [];
  for (const [page, { links }] of parsed) {
    for (const href of links) {
      if (isExternal(href)) continue;
      const hash = href.indexOf('#');
      const rawPath = hash === -1 ? href : href.slice(0, hash);
      const fragment = hash === -1 ? undefined : decodeURIComponent(href.slice(hash + 1));
      let path: string;
      try {
        path = decodeURIComponent(rawPath.split('?')[0]!);
      } catch {
        broken.push(`${page}: ${href}: not a valid URL path`);
        continue;
      }
      const target =
        path === ''
          ? page
          : posix.normalize(path.startsWith('/') ? path.slice(1) : posix.join(posix.dirname(page), path)).replace(/\/$/, '');
      if (target.startsWith('..')) {
        broken.push(`${page}: ${href}: points outside the repository`);
        continue;
      }
      const targetPage = parsed.get(target);
      if (!targetPage && !exists(target)) {
        broken.push(`${page}: ${href}: no file ${target}`);
        continue;
      }
      if (fragment === undefined || fragment === '') continue;
      if (!targetPage) broken.push(`${page}: ${href}: #${fragment} on ${target}, which is not a Markdown page this checker reads`);
      else if (!targetPage.anchors.has(fragment)) broken.push(`${page}: ${href}: no heading in ${target} has the anchor #${fragment}`);
    }
  }
  return broken;
}

/** README.md, CONTRIBUTING.md and every `.md` under docs/, read from the repository at `root`. */
export function repositoryPages(root: string): Map<string, string> {
  const docs = readdirSync(join(root, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.md'))
    .map((file) => posix.join('docs', normalize(file).split('\\').join('/')));
  const paths = ['README.md', 'CONTRIBUTING.md', ...docs.sort()];
  return new Map(paths.map((path) => [path, readFileSync(join(root, path), 'utf8')]));
}

/** Whether a repository-relative path (never one starting with `..`: brokenLinks refuses those) exists under `root`. */
export const existsUnder = (root: string) => (path: string) => existsSync(join(root, path));
