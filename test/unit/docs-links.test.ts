/**
 * The documentation's relative links resolve: README.md, CONTRIBUTING.md and every page under
 * docs/ link to files that exist and to anchors that a heading of the target page defines, by
 * GitHub's slug rules (test/support/markdown-links.ts). The checker itself is tested first on
 * pages made here, so a broken link is shown to turn it red.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { brokenLinks, existsUnder, parseMarkdown, repositoryPages } from '../support/markdown-links';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pages = (entries: Record<string, string>) => new Map(Object.entries(entries));
const nothingElse = () => false;

describe('the link checker', () => {
  it("slugs headings as GitHub does: lower case, punctuation dropped, spaces to '-', repeats numbered", () => {
    const { anchors } = parseMarkdown(
      [
        '# The API with the `stripe` SDK',
        "## The operators' console",
        '## Configuration (CDK context, `-c key=value`)',
        '## Crypto-shredding: copies no deletion reaches',
        '## Test mode',
        '## Test mode',
        '## Test mode',
        '## A [linked](elsewhere.md) heading',
      ].join('\n\n'),
    );
    expect([...anchors]).toEqual([
      'the-api-with-the-stripe-sdk',
      'the-operators-console',
      'configuration-cdk-context--c-keyvalue',
      'crypto-shredding-copies-no-deletion-reaches',
      'test-mode',
      'test-mode-1',
      'test-mode-2',
      'a-linked-heading',
    ]);
  });

  it('reads links in paragraphs, lists, tables and images, and none in code', () => {
    const { links, anchors } = parseMarkdown(
      [
        'A [paragraph](a.md) link, and `[code](not-a-link.md)`.',
        '- a [list item](b.md#x)',
        '| a | b |\n|---|---|\n| [cell](c.md) | ![image](images/d.png) |',
        '```sh\n# not a heading\n[in a block](not-a-link.md)\n```',
        'A [reference][ref] link.\n\n[ref]: e.md',
      ].join('\n\n'),
    );
    expect(links).toEqual(['a.md', 'b.md#x', 'c.md', 'images/d.png', 'e.md']);
    expect([...anchors]).toEqual([]);
  });

  it('fails on a link to a missing file, a missing anchor, or outside the repository', () => {
    const broken = brokenLinks(
      pages({
        'README.md': '# Verity\n\n[guide](docs/guide.md), [gone](docs/gone.md), [bad anchor](docs/guide.md#nowhere), [up](../x.md)',
        'docs/guide.md':
          '# Guide\n\n## Start here\n\n[back](../README.md#verity) [self](#start-here) [self, wrong](#start-there) ' +
          '[image](images/missing.png)',
      }),
      nothingElse,
    );
    expect(broken).toEqual([
      'README.md: docs/gone.md: no file docs/gone.md',
      'README.md: docs/guide.md#nowhere: no heading in docs/guide.md has the anchor #nowhere',
      'README.md: ../x.md: points outside the repository',
      'docs/guide.md: #start-there: no heading in docs/guide.md has the anchor #start-there',
      'docs/guide.md: images/missing.png: no file docs/images/missing.png',
    ]);
  });

  it('passes links that resolve: pages, files and folders, from the root with /, with encoded characters, and absolute URLs', () => {
    const existing = new Set(['docs/images/shot.png', 'functions/routes.ts', 'docs/images']);
    const broken = brokenLinks(
      pages({
        'README.md':
          '# Verity\n\n## Start and test\n\n[docs](docs/README.md) [routes](/functions/routes.ts) [images](docs/images/) ' +
          '[site](https://example.com/x.md#y) [mail](mailto:a@example.com)',
        'docs/README.md':
          "# Docs\n\n## The operators' console\n\n![shot](images/shot.png) [start](../README.md#start-and-test) " +
          '[console](#the-operators-console) [encoded](%2E%2E/README.md)',
      }),
      (path) => existing.has(path),
    );
    expect(broken).toEqual([]);
  });

  it('refuses an anchor on a file it cannot read headings from', () => {
    expect(brokenLinks(pages({ 'README.md': '[code](functions/routes.ts#L10)' }), (path) => path === 'functions/routes.ts')).toEqual([
      'README.md: functions/routes.ts#L10: #L10 on functions/routes.ts, which is not a Markdown page this checker reads',
    ]);
  });
});

describe("the repository's documentation", () => {
  const docs = repositoryPages(root);

  it('reads README.md, CONTRIBUTING.md and the pages under docs/', () => {
    expect([...docs.keys()]).toEqual(
      expect.arrayContaining(['README.md', 'CONTRIBUTING.md', 'docs/README.md', 'docs/reference/configuration.md']),
    );
  });

  it('has no relative link to a missing file and no anchor that matches no heading', () => {
    expect(brokenLinks(docs, existsUnder(root))).toEqual([]);
  });

  it('keeps the README a front door of at most 400 lines', () => {
    expect(docs.get('README.md')!.split('\n').length).toBeLessThanOrEqual(400);
  });
});
