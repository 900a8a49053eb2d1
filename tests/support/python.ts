import { spawn, spawnSync } from 'node:child_process';

/**
 * Debian's python3 with python3-torch (and python3-nbformat), which tests/setup/system-deps.sh installs. The python3
 * first on PATH may be another one without them (pyenv), so /usr/bin/python3 is tried first.
 */
const CANDIDATES = ['/usr/bin/python3', 'python3'];

/** The first python3 that can import every module, or null. */
export function pythonWith(...modules: string[]): string | null {
  for (const py of CANDIDATES) {
    const r = spawnSync(py, ['-c', modules.map((m) => `import ${m}`).join('; ')], { encoding: 'utf8' });
    if (!r.error && r.status === 0) return py;
  }
  return null;
}

export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program without blocking the event loop, so several run at once. */
export function runAsync(cmd: string, args: string[], cwd?: string): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
