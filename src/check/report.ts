import { num, readLine, relText as rel, STATUS_TEXT as STATUS, summaryLine } from './format';
import type { CellRead, CheckReport, GradientResult, UpdateResult } from './types';

export { readLine, summaryLine };

/** The report as plain text, for the terminal (the page renders the same data as DOM). */

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => [...(r[c] ?? '')].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell + ' '.repeat(widths[c] - [...cell].length))).join('  ').trimEnd());
}


function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function readsLines(reads: CellRead[] | undefined, indent: string, out: string[]): void {
  for (const r of reads ?? []) {
    out.push(`${indent}reads ${readLine(r)}`);
    if (r.reads?.length) readsLines(r.reads, `${indent}    `, out);
  }
}

function explainGradient(g: GradientResult, out: string[]): void {
  if (g.status !== 'fail' && !g.note) return;
  if (g.note) out.push(`      note: ${g.note}`);
  if (g.status !== 'fail') return;
  out.push(`      ${g.gradient} ${g.formula ?? '(a number, not a formula)'}`);
  readsLines(g.reads, '        ', out);
  for (const h of g.hints) out.push(`      → ${h}`);
}

function explainUpdate(u: UpdateResult, out: string[]): void {
  if (u.note) out.push(`      note: ${u.note}`);
  if (u.status !== 'fail') return;
  out.push(`      rule: ${u.rule}`);
  out.push(`      ${u.nextName} ${u.formula ?? '(a number, not a formula)'}`);
  readsLines(u.reads, '        ', out);
  for (const h of u.hints) out.push(`      → ${h}`);
}

export function renderReport(report: CheckReport): string {
  const out: string[] = [`Checking ${report.file} (${report.source === 'auto' ? 'classic layout, found automatically' : 'map file'})`];
  for (const f of report.found) out.push(`  ${f}`);
  out.push(...wrap(`method: ${report.method}`, 110).map((l, i) => `  ${i ? '  ' : ''}${l}`));
  out.push('');

  const steps = [...new Set(report.gradients.map((g) => g.step))];
  for (const step of steps) {
    const gs = report.gradients.filter((g) => g.step === step);
    out.push(`Gradients, ${step}:`);
    const rows = [['  gradient cell', 'weight', 'claimed', 'numerical', 'rel. error', '']];
    const lines: string[][] = gs.map((g) => [`  ${g.gradient} (${g.gradientAddress})`, g.weight, num(g.claimed), num(g.numeric), rel(g.relError), STATUS[g.status]]);
    const rendered = table([...rows, ...lines]);
    out.push(rendered[0]);
    gs.forEach((g, i) => {
      out.push(rendered[i + 1]);
      explainGradient(g, out);
    });
    const us = report.updates.filter((u) => u.step === step);
    if (us.length) {
      out.push(`Update rule, ${step} (new weight = w − η·gradient${us.some((u) => u.kind === 'velocity') ? ', with momentum' : ''}):`);
      const urows = [['  cell', 'weight', 'expected', 'actual', 'rel. error', '']];
      const ulines = us.map((u) => [`  ${u.nextName} (${u.nextAddress})`, u.kind === 'velocity' ? `v of ${u.weight}` : u.weight, num(u.expected), num(u.actual), rel(u.relError), STATUS[u.status]]);
      const ur = table([...urows, ...ulines]);
      out.push(ur[0]);
      us.forEach((u, i) => {
        out.push(ur[i + 1]);
        explainUpdate(u, out);
      });
    }
    out.push('');
  }
  if (report.notes.length) {
    out.push('Notes:');
    for (const n of report.notes) out.push(`  - ${n}`);
    out.push('');
  }
  out.push(summaryLine(report));
  return out.join('\n');
}
