import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import GithubSlugger from 'github-slugger';
import { lexer, walkTokens, type Token, type Tokens } from 'marked';

/**
 * What tests/docsLinks.test.ts checks in the project's markdown: every relative link and image resolves (a file or
 * folder, and a #anchor to a heading of the target, slugged as GitHub does), and every npm / npx command in a code
 * block names a script of package.json or an installed bin. marked parses the markdown (links inside code are not
 * links; tables, lists and reference links are) and github-slugger makes GitHub's heading anchors.
 */

export interface Problem {
  file: string;
  what: string;
}

/** The pages checked: README.md and docs/*.md. Notes waiting in docs/_incoming/ are not (the lead folds them in). */
export function markdownFiles(root: string): string[] {
  const docs = join(root, 'docs');
  const pages = existsSync(docs) ? readdirSync(docs).filter((f) => f.endsWith('.md')).sort().map((f) => join(docs, f)) : [];
  return [join(root, 'README.md'), ...pages];
}

/** The text a heading shows (code without backticks, links as their text, no HTML tags), as GitHub slugs it. */
function plainText(tokens: Token[] | undefined): string {
  let out = '';
  for (const t of tokens ?? []) {
    if (t.type === 'html') continue;
    if ('tokens' in t && t.tokens) out += plainText(t.tokens);
    else if ('text' in t) out += t.text;
  }
  return out;
}

/** The anchors GitHub gives the headings of a markdown text, duplicates numbered (`x`, `x-1`, …). */
export function headingAnchors(markdown: string): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  for (const t of lexer(markdown)) {
    if (t.type === 'heading') anchors.add(slugger.slug(plainText((t as Tokens.Heading).tokens)));
  }
  return anchors;
}

/** Every link and image target in a markdown text (inline, reference-style, and <img src> / <a href> in HTML). */
export function linkTargets(markdown: string): { kind: 'link' | 'image'; href: string }[] {
  const out: { kind: 'link' | 'image'; href: string }[] = [];
  walkTokens(lexer(markdown), (t) => {
    if (t.type === 'link' || t.type === 'image') out.push({ kind: t.type, href: (t as Tokens.Link).href });
    if (t.type === 'html') {
      for (const m of (t as Tokens.HTML).text.matchAll(/\b(src|href)\s*=\s*["']([^"']+)["']/gi)) {
        out.push({ kind: m[1].toLowerCase() === 'src' ? 'image' : 'link', href: m[2] });
      }
    }
  });
  return out;
}

const EXTERNAL = /^[a-z][a-z0-9+.-]*:/i;

/** Broken relative links and images of one markdown file. */
/** The file system as brokenLinks sees it (a test gives it a made-up tree). */
export interface Files {
  exists(path: string): boolean;
  isFile(path: string): boolean;
  read(path: string): string;
}

export const realFiles: Files = {
  exists: (p) => existsSync(p),
  isFile: (p) => statSync(p).isFile(),
  read: (p) => readFileSync(p, 'utf8'),
};

export function brokenLinks(file: string, root: string, fs: Files = realFiles): Problem[] {
  const problems: Problem[] = [];
  const name = relative(root, file);
  const anchorsOf = new Map<string, Set<string>>();
  for (const { kind, href } of linkTargets(fs.read(file))) {
    if (EXTERNAL.test(href) || href.startsWith('//')) continue;
    const hash = href.indexOf('#');
    const pathPart = decodeURIComponent(hash < 0 ? href : href.slice(0, hash));
    const anchor = hash < 0 ? null : decodeURIComponent(href.slice(hash + 1));
    const target = pathPart === '' ? file : resolve(dirname(file), pathPart);
    if (!fs.exists(target)) {
      problems.push({ file: name, what: `${kind} ${href}: ${relative(root, target)} does not exist` });
      continue;
    }
    if (kind === 'image' && !fs.isFile(target)) {
      problems.push({ file: name, what: `image ${href}: ${relative(root, target)} is not a file` });
      continue;
    }
    if (anchor === null || anchor === '') continue;
    if (!target.endsWith('.md')) {
      problems.push({ file: name, what: `link ${href}: an #anchor into ${relative(root, target)}, which is not a markdown page` });
      continue;
    }
    if (!anchorsOf.has(target)) anchorsOf.set(target, headingAnchors(fs.read(target)));
    if (!anchorsOf.get(target)!.has(anchor)) {
      problems.push({ file: name, what: `link ${href}: ${relative(root, target)} has no heading with the anchor #${anchor}` });
    }
  }
  return problems;
}

/** npm's own commands, which need no script (npm start and npm test do: they run the package's scripts). */
const NPM_BUILTINS = new Set(['install', 'i', 'ci', 'uninstall', 'update', 'ls', 'exec', 'init', 'help', 'version', 'audit', 'outdated', 'pack']);
const NPM_LIFECYCLE = new Set(['start', 'test', 'stop', 'restart']);

/** The npm / npx command lines in a markdown text's code blocks (comments and `$ ` prompts removed). */
export function codeBlockCommands(markdown: string): string[] {
  const out: string[] = [];
  walkTokens(lexer(markdown), (t) => {
    if (t.type !== 'code') return;
    for (const line of (t as Tokens.Code).text.split('\n')) {
      for (const piece of line.replace(/(^|\s)#.*$/, '').split(/&&|\|\||;|\|/)) {
        const cmd = piece.trim().replace(/^\$\s+/, '');
        if (/^(npm|npx)\s/.test(cmd)) out.push(cmd);
      }
    }
  });
  return out;
}

/** Commands that name no script of package.json (npm) or no installed bin (npx). */
export function unknownCommands(commands: string[], scripts: Record<string, string>, bins: Set<string>): string[] {
  const bad: string[] = [];
  for (const cmd of commands) {
    const [tool, sub, arg] = cmd.split(/\s+/);
    if (tool === 'npx') {
      const bin = sub?.startsWith('-') ? arg : sub;
      if (!bin || !bins.has(bin)) bad.push(`${cmd}: no installed bin "${bin ?? ''}" (node_modules/.bin)`);
    } else if (sub === 'run' || sub === 'run-script') {
      if (!arg || !(arg in scripts)) bad.push(`${cmd}: package.json has no script "${arg ?? ''}"`);
    } else if (NPM_LIFECYCLE.has(sub)) {
      if (!(sub in scripts)) bad.push(`${cmd}: package.json has no script "${sub}"`);
    } else if (!NPM_BUILTINS.has(sub)) {
      bad.push(`${cmd}: "npm ${sub}" is neither a script of package.json nor an npm command this check knows`);
    }
  }
  return bad;
}

export function installedBins(root: string): Set<string> {
  const dir = join(root, 'node_modules', '.bin');
  return new Set(existsSync(dir) ? readdirSync(dir) : []);
}
