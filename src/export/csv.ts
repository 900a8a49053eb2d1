import type { CellValue } from 'hyperformula';
import { columnValues } from '../driver/driver';
import type { Workbook } from '../workbook/workbook';
import { formatFull } from '../workbook/format';

/** CSV for people who plot elsewhere: numbers at full precision, names as the layout gives them. */

function field(v: CellValue | string): string {
  const s = typeof v === 'string' ? v : formatFull(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The loss curve of each computed row: the epoch's loss first (Layout.epochLossColumn), then in sample mode each
 * step's loss: `epoch,L̄,L[1],L[2],L[3],L[4]`.
 */
export function lossCsv(wb: Workbook): string {
  const { epochLossColumn, stepLossColumns } = wb.layout;
  const columns = [epochLossColumn, ...stepLossColumns.filter((c) => c !== epochLossColumn)];
  const series = columns.map((c) => columnValues(wb, c));
  const lines = Array.from({ length: wb.rows }, (_, e) => [String(e), ...series.map((s) => field(s[e]))].join(','));
  return [['epoch', ...columns.map((c) => field(c.name))].join(','), ...lines].join('\n') + '\n';
}

/** Every column of epochs `from`..`to` (inclusive), with the column names as the header. */
export function rowsCsv(wb: Workbook, from: number, to: number): string {
  const { layout } = wb;
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to < from || to >= wb.rows) {
    throw new Error(`rows ${from} to ${to} are not in the sheet (epochs 0 to ${wb.rows - 1})`);
  }
  const values = wb.hf.getRangeValues({
    start: { sheet: wb.train, row: layout.rowOf(from), col: 0 },
    end: { sheet: wb.train, row: layout.rowOf(to), col: layout.columns.length - 1 },
  });
  return [layout.columns.map((c) => field(c.name)).join(','), ...values.map((r) => r.map(field).join(','))].join('\n') + '\n';
}

/** epoch and one loss column per learning rate (a lane that diverged leaves its later cells empty). */
export function lanesLossCsv(lossName: string, lanes: { lr: number; losses: number[] }[]): string {
  const rows = Math.max(...lanes.map((l) => l.losses.length));
  const header = ['epoch', ...lanes.map((l) => field(`${lossName} lr=${l.lr}`))].join(',');
  const lines = Array.from({ length: rows }, (_, e) => [String(e), ...lanes.map((l) => (e < l.losses.length ? field(l.losses[e]) : ''))].join(','));
  return [header, ...lines].join('\n') + '\n';
}
