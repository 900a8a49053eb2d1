import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

export interface CliResult {
  code: number;
  out: string;
  err: string;
  ms: number;
}

/** Runs a CLI's main() in this process, capturing what it writes (much faster than a child per case). */
export async function runInProcess(main: (argv: string[]) => Promise<number>, args: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const [stdout, stderr] = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((s: string | Uint8Array) => (out.push(String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => (err.push(String(s)), true)) as typeof process.stderr.write;
  const began = performance.now();
  try {
    const code = await main(args);
    return { code, out: out.join(''), err: err.join(''), ms: performance.now() - began };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
}

export interface ChildResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** The child's peak resident memory, from its own process.resourceUsage() at exit. */
  peakMb: number;
}

const PEAK = join(ROOT, 'tests/support/reportPeakMemory.mjs');

/** Runs a TypeScript script of the repo in a child node, reporting its peak memory (for the memory bounds). */
export function runChild(script: string, args: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; prelude?: string[] } = {}): ChildResult {
  const began = performance.now();
  const r = spawnSync(process.execPath, [...(options.prelude ?? []), '--import', 'tsx', '--import', PEAK, script, ...args], {
    cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 2 ** 20, timeout: options.timeoutMs ?? 120_000, env: { ...process.env, ...options.env },
  });
  if (r.error) throw r.error;
  const m = /\npeak-rss-mb (\d+)\n?$/.exec(r.stderr);
  return {
    status: r.status, signal: r.signal, stdout: r.stdout, stderr: m ? r.stderr.slice(0, m.index) : r.stderr,
    ms: performance.now() - began, peakMb: m ? Number(m[1]) : NaN,
  };
}
