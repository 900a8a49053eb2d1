import { fmt, readLine, relText } from './format';
import { rowList } from './rowList';
import type { CellRead, ColumnResult, GradientResult, SheetReport, WorkbookReport } from './types';

/** A workbook report as text for the terminal, and as one line (and one table row) per sheet for a class's batch. */

export const VERDICT_TEXT: Record<string, string> = {
  pass: 'PASS', fail: 'FAIL', 'numbers-only': 'NUMBERS ONLY', unsupported: 'UNSUPPORTED', unreadable: 'UNREADABLE',
};

function readsLines(reads: CellRead[] | undefined, indent: string, out: string[]): void {
  for (const r of reads ?? []) {
    out.push(`${indent}reads ${readLine(r)}`);
    if (r.reads?.length) readsLines(r.reads, `${indent}    `, out);
  }
}

function rowsText(c: ColumnResult): string {
  return c.failingRows.length === c.rowsChecked ? `all ${c.rowsChecked} rows` : `${c.failingRows.length} of ${c.rowsChecked} rows (${rowList(c.failingRows)})`;
}

/** "gradients of w3 (Z), w4 (AA) fail; updates of w1 … fail" — what a teacher's table shows per sheet. */
export function sheetSummary(s: SheetReport): string {
  if (s.verdict === 'numbers-only' || s.verdict === 'unsupported') return s.message[0]?.replace(/^sheet "[^"]*": /, '') ?? '';
  const bad = s.columns.filter((c) => c.status === 'fail');
  if (bad.length === 0) {
    const g = s.columns.filter((c) => c.kind === 'gradient');
    const u = s.columns.filter((c) => c.kind === 'update');
    return `${g.length} gradient columns pass in all ${g[0]?.rowsChecked ?? 0} rows` + (u.length ? `, ${u.length} update columns in all ${u[0].rowsChecked}` : ', no update checked');
  }
  const part = (kind: ColumnResult['kind'], what: string) => {
    const cs = bad.filter((c) => c.kind === kind);
    if (cs.length === 0) return null;
    return `${what} ${cs.map((c) => `${c.weight ?? c.column} (${c.letter}, ${c.failingRows.length === c.rowsChecked ? 'every row' : `rows ${rowList(c.failingRows)}`})`).join(', ')}`;
  };
  return [part('gradient', 'wrong gradients:'), part('update', 'wrong updates:'), part('formula', 'other wrong cells:')].filter(Boolean).join('; ');
}

function gradientDetail(g: GradientResult, out: string[], indent: string): void {
  out.push(`${indent}${g.gradientAddress}: claimed ${g.claimed === null ? '–' : fmt(g.claimed)}, numerical ${g.numeric === null ? '–' : fmt(g.numeric)} (relative error ${relText(g.relError)})`);
  if (g.note) out.push(`${indent}note: ${g.note}`);
  out.push(`${indent}${g.gradient} ${g.formula ?? '(a number, not a formula)'}`);
  readsLines(g.reads, `${indent}  `, out);
  for (const h of g.hints) out.push(`${indent}→ ${h}`);
}

export function renderSheet(s: SheetReport): string[] {
  const out = [`Sheet "${s.sheet}"${s.table ? `, table ${s.table} (header row ${s.headerRow})` : ''}: ${VERDICT_TEXT[s.verdict]}${s.verdict === 'pass' || s.verdict === 'fail' ? ` — ${sheetSummary(s)}` : ''}`];
  if (s.verdict === 'numbers-only' || s.verdict === 'unsupported') {
    for (const m of s.message) out.push(`  ${m.replace(/^sheet "[^"]*": /, '')}`);
    return out;
  }
  for (const f of s.found) out.push(`  ${f}`);
  for (const f of s.findings) out.push(`  ! ${f}`);
  for (const c of s.columns) {
    if (c.status !== 'fail') continue;
    const title = c.kind === 'gradient' ? `${c.column} (${c.letter})` : c.kind === 'update' ? `update of ${c.weight} (${c.letter})` : `${c.column} (${c.letter})`;
    out.push(`  ${title}: FAIL in ${rowsText(c)}, first in row ${c.firstFailingRow}${c.note ? `; ${c.note}` : ''}`);
    if (c.kind === 'gradient') {
      const g = s.gradients.find((x) => x.weight === c.weight && x.row === c.firstFailingRow && x.status !== 'pass')
        ?? s.gradients.find((x) => x.weight === c.weight && x.status !== 'pass');
      if (g) gradientDetail(g, out, '      ');
      const others = s.gradients.filter((x) => x.weight === c.weight && x !== g && x.status !== 'pass');
      const inherited = c.failingRows.filter((r) => r !== g?.row && !others.some((o) => o.row === r));
      if (others.length) {
        out.push(`      rows ${rowList(others.map((o) => o.row!))} have a formula unlike row ${s.firstRow}'s and fail on their own, e.g. ${others[0].gradientAddress} ${others[0].formula}`);
      }
      if (inherited.length && g?.row === s.firstRow) out.push(`      rows ${rowList(inherited)} hold the same formula as row ${s.firstRow}`);
      const fix = s.fixes.find((f) => f.weight === c.weight);
      if (fix) out.push(`      fix: ${fix.address}: =${fix.formula}   (and the same formula down the column)`);
    } else {
      for (const w of s.wrongCells.filter((x) => x.kind === c.kind && x.weight === c.weight && (c.kind !== 'formula' || x.address.replace(/\d+$/, '') === c.letter)).slice(0, 3)) {
        out.push(`      ${w.address} =${w.formula ?? '?'}: ${w.why}`);
      }
    }
  }
  const passing = s.columns.filter((c) => c.status === 'pass');
  if (passing.length) out.push(`  pass in every row: ${passing.map((c) => (c.kind === 'gradient' ? c.column : `update of ${c.weight}`)).join(', ')}`);
  for (const n of s.notes) out.push(`  note: ${n}`);
  return out;
}

export function renderWorkbook(r: WorkbookReport): string {
  const out = [`Checking ${r.file}`];
  if (r.verdict === 'unreadable') {
    out.push(`  ${r.error}`);
  } else {
    for (const s of r.sheets) out.push('', ...renderSheet(s));
    for (const n of r.notes) out.push(`note: ${n}`);
  }
  out.push('', `${VERDICT_TEXT[r.verdict]}: ${r.file}`);
  return out.join('\n');
}

/** One row per file and sheet, for the batch's screen, CSV and JSON. */
export interface BatchRow {
  file: string;
  sheet: string;
  verdict: string;
  failingGradients: string;
  failingUpdates: string;
  wrongCells: number;
  summary: string;
}

export function batchRows(r: WorkbookReport): BatchRow[] {
  if (r.verdict === 'unreadable') return [{ file: r.file, sheet: '', verdict: 'unreadable', failingGradients: '', failingUpdates: '', wrongCells: 0, summary: r.error ?? '' }];
  return r.sheets.map((s) => ({
    file: r.file,
    sheet: s.table ? `${s.sheet} (table ${s.table}, row ${s.headerRow})` : s.sheet,
    verdict: s.verdict,
    failingGradients: s.columns.filter((c) => c.kind === 'gradient' && c.status === 'fail').map((c) => c.weight).join(' '),
    failingUpdates: s.columns.filter((c) => c.kind === 'update' && c.status === 'fail').map((c) => c.weight).join(' '),
    wrongCells: s.wrongCells.length,
    summary: sheetSummary(s),
  }));
}

export function csvOf(rows: BatchRow[]): string {
  const cols: (keyof BatchRow)[] = ['file', 'sheet', 'verdict', 'failingGradients', 'failingUpdates', 'wrongCells', 'summary'];
  const q = (v: unknown) => {
    const t = String(v);
    return /[",\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
  };
  return `${[cols.join(','), ...rows.map((r) => cols.map((c) => q(r[c])).join(','))].join('\n')}\n`;
}
