import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  brokenLinks, codeBlockCommands, headingAnchors, installedBins, linkTargets, markdownFiles, unknownCommands,
} from './support/docsLinks';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const pages = markdownFiles(ROOT);

describe('the README and docs/*.md', () => {
  it('are the pages checked: README.md and every docs/*.md, not the notes in docs/_incoming/', () => {
    const names = pages.map((p) => p.slice(ROOT.length + 1));
    expect(names[0]).toBe('README.md');
    for (const page of ['page', 'cli', 'formats', 'checker', 'sheet', 'performance', 'testing', 'assignment', 'extending']) {
      expect(names).toContain(`docs/${page}.md`);
    }
    expect(names.some((n) => n.includes('_incoming'))).toBe(false);
  });

  it('every relative link and image resolves, #anchors included', () => {
    const problems = pages.flatMap((p) => brokenLinks(p, ROOT));
    expect(problems).toEqual([]);
  });

  it('every npm and npx command in a code block is a script of package.json or an installed bin', () => {
    const bins = installedBins(ROOT);
    const readme = codeBlockCommands(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    // The README shows how to start, test and train: the check must have seen those commands.
    expect(readme.join('\n')).toMatch(/npm install && npm start|npm start/);
    expect(readme).toContain('npm test');
    expect(readme.some((c) => c.startsWith('npm run train'))).toBe(true);
    const all = pages.flatMap((p) => codeBlockCommands(readFileSync(p, 'utf8')));
    expect(unknownCommands(all, scripts, bins)).toEqual([]);
  });

  it('the README reads in five minutes: at most 150 lines', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8').trimEnd().split('\n').length).toBeLessThanOrEqual(150);
  });
});

describe('the check itself finds what is broken', () => {
  const root = '/virtual';
  const files: Record<string, string> = {
    '/virtual/README.md': [
      '# Title',
      '[ok](docs/a.md#second-heading-code) [self](#title) [dup](docs/a.md#same-1) [folder](docs)',
      '[gone](docs/missing.md) [bad anchor](docs/a.md#nope) ![img](docs/none.png) <img src="docs/also-none.png">',
      '`[in code](not-a-link.md)` [web](https://example.com/x#y) [ref][r]',
      '',
      '[r]: docs/a.md#no-such',
    ].join('\n'),
    '/virtual/docs/a.md': '# A\n## Second heading: `code`!\n## Same\n## Same\n',
  };
  const read = (p: string) => {
    if (!(p in files)) throw new Error(`no file ${p}`);
    return files[p];
  };

  it('GitHub anchors: lower case, punctuation dropped, spaces as hyphens, duplicates numbered', () => {
    expect([...headingAnchors(files['/virtual/docs/a.md'])]).toEqual(['a', 'second-heading-code', 'same', 'same-1']);
    expect([...headingAnchors('## Scripting: `window.gradsheet`\n## Checking (`sheetCheck.ts`, `gradcheck.ts`)\n')])
      .toEqual(['scripting-windowgradsheet', 'checking-sheetcheckts-gradcheckts']);
  });

  it('links in code spans are not links; reference links and HTML images are', () => {
    const hrefs = linkTargets(files['/virtual/README.md']).map((l) => l.href);
    expect(hrefs).not.toContain('not-a-link.md');
    expect(hrefs).toContain('docs/also-none.png');
    expect(hrefs).toContain('docs/a.md#no-such');
  });

  it('names each missing file, missing anchor and missing image, and nothing else', () => {
    const tree = new Set([...Object.keys(files), '/virtual/docs']);
    const problems = brokenLinks('/virtual/README.md', root, {
      exists: (p) => tree.has(p),
      isFile: (p) => p in files,
      read,
    }).map((p) => p.what);
    expect(problems).toEqual([
      'link docs/missing.md: docs/missing.md does not exist',
      'link docs/a.md#nope: docs/a.md has no heading with the anchor #nope',
      'image docs/none.png: docs/none.png does not exist',
      'image docs/also-none.png: docs/also-none.png does not exist',
      'link docs/a.md#no-such: docs/a.md has no heading with the anchor #no-such',
    ]);
  });

  it('a command that is no script or bin is named; npm install, npm start with a script, and known bins pass', () => {
    const md = [
      '```sh',
      'npm install && npm start     # serve',
      '$ npm run train -- --preset x | head',
      'npm run nope -- x',
      'npm frobnicate',
      'npm test',
      'npx tsx scripts/x.ts',
      'npx nobin',
      '```',
      'npm run outside-code-is-not-checked',
    ].join('\n');
    const cmds = codeBlockCommands(md);
    expect(cmds).toEqual(['npm install', 'npm start', 'npm run train -- --preset x', 'npm run nope -- x', 'npm frobnicate', 'npm test', 'npx tsx scripts/x.ts', 'npx nobin']);
    expect(unknownCommands(cmds, { start: 'vite', train: 'tsx' }, new Set(['tsx']))).toEqual([
      'npm run nope -- x: package.json has no script "nope"',
      'npm frobnicate: "npm frobnicate" is neither a script of package.json nor an npm command this check knows',
      'npm test: package.json has no script "test"',
      'npx nobin: no installed bin "nobin" (node_modules/.bin)',
    ]);
  });
});
