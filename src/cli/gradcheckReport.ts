import { gradCheckRow, type GradCheckResult } from '../gradcheck/gradcheck';
import type { Workbook } from '../workbook/workbook';

/** `--gradcheck`: checks the first and last rows; prints the worst relative error of each weight layer. */
export function gradcheckRows(wb: Workbook, log: (line: string) => void): boolean {
  const epochs = [...new Set([0, wb.rows - 1])];
  let passed = true;
  for (const epoch of epochs) {
    const r = gradCheckRow(wb, epoch);
    passed &&= r.passed;
    log(describe(r, wb));
  }
  log(passed
    ? 'gradient check passed'
    : `gradient check FAILED: some ∂/∂w cell differs from the numerical derivative by more than the threshold`);
  return passed;
}

function describe(r: GradCheckResult, wb: Workbook): string {
  const e = (x: number) => x.toExponential(2);
  const lines = [`gradient check, epoch ${r.epoch}: ${r.cells.length} gradient cells, threshold ${e(r.threshold)} relative (differences within rounding noise count as agreement)`];
  for (const l of r.byLayer) {
    const w = l.worst;
    const where = w ? `${w.column.name} (${w.column.letter}${wb.layout.rowOf(r.epoch) + 1}): claimed ${w.claimed.toPrecision(10)}, numerical ${w.numeric.toPrecision(10)}` : 'no cell judged';
    const mark = w ? (w.status === 'pass' ? 'ok  ' : 'FAIL') : '--  ';
    lines.push(`  ${mark} layer ${l.layer + 1}: worst ${w ? e(w.relError) : '-'}  ${where}${l.kinks ? `; ${l.kinks} at a kink, not judged` : ''}`);
  }
  for (const c of r.cells.filter((x) => x.status === 'fail')) {
    lines.push(`  FAIL ${c.column.name}: claimed ${c.claimed}, numerical ${c.numeric}, relative error ${e(c.relError)}`);
  }
  const kink = r.cells.find((c) => c.status === 'kink');
  if (kink) lines.push(`  note: ${kink.column.name} ${kink.note}`);
  return lines.join('\n');
}
