import type { CellRead, CheckReport } from './types';

/** Number and line formats shared by the text report and the page's view (no dependencies: the page loads it eagerly). */

export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-4 && a < 1e6 ? String(Number(x.toPrecision(10))) : x.toExponential(6);
}

export const num = (x: number | null) => (x === null ? '–' : fmt(x));
export const relText = (x: number | null) => (x === null ? '–' : x === 0 ? '0' : x.toExponential(1));
export const STATUS_TEXT: Record<string, string> = { pass: 'pass', fail: 'FAIL', kink: 'pass (kink)', skipped: 'skipped' };

/** "a_h2 (L5) = 0.510623401   =1/(1+EXP(-h2))" */
export function readLine(r: CellRead): string {
  const who = r.name ? `${r.name} (${r.address})` : r.address;
  const value = typeof r.value === 'number' ? fmt(r.value) : r.value === null ? 'empty' : String(r.value);
  return `${who}${r.isWeight ? ' [weight]' : ''} = ${value}${r.formula ? `   ${r.formula}` : ''}`;
}

/** "FAIL: 6 of 8 gradient cells pass, 2 fail, 7 of 8 updates pass" (with the file's name when asked). */
export function summaryLine(report: CheckReport, withFile = false): string {
  const g = report.gradients;
  const failed = g.filter((x) => x.status === 'fail').length;
  const skipped = g.filter((x) => x.status === 'skipped').length;
  const uFailed = report.updates.filter((u) => u.status === 'fail').length;
  const parts = [`${g.length - failed - skipped} of ${g.length} gradient cells pass`];
  if (failed) parts.push(`${failed} fail`);
  if (skipped) parts.push(`${skipped} could not be checked`);
  if (report.updates.length) parts.push(`${report.updates.length - uFailed} of ${report.updates.length} updates pass`);
  const verdict = report.verdict === 'pass' ? 'PASS' : report.verdict === 'fail' ? 'FAIL' : 'NOTHING CHECKED';
  return `${verdict}: ${withFile ? `${report.file}: ` : ''}${parts.join(', ')}`;
}
