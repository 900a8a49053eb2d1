import type { CellValue, RawCellContent } from 'hyperformula';
import type { Workbook } from '../workbook/workbook';
import { engineSource, type SheetSource } from './xlsx';

/**
 * Copies every value of the sheet into one Float64Array (8 bytes a cell; the rare non-number kept aside) and the
 * editable cells' typed contents, so the caller can drop the engine (~340 MB for end2-xor-44) before exporting.
 */
export function snapshotSource(wb: Workbook): SheetSource {
  const live = engineSource(wb);
  const { layout, rows } = live;
  const width = layout.columns.length;
  const numbers = new Float64Array(rows * width);
  const others = new Map<number, CellValue>();
  const editable = layout.columns.filter((c) => c.kind === 'lr' || c.kind === 'momentum').map((c) => c.index);
  const raws = new Map<number, RawCellContent>();
  for (let epoch = 0; epoch < rows; epoch++) {
    const values = live.rowValues(epoch);
    for (let col = 0; col < width; col++) {
      const v = values[col];
      if (typeof v === 'number') numbers[epoch * width + col] = v;
      else others.set(epoch * width + col, v);
    }
    for (const col of editable) raws.set(epoch * width + col, live.rawAt(epoch, col));
  }
  return {
    layout,
    rows,
    rowValues: (epoch) => {
      const out: CellValue[] = Array.from(numbers.subarray(epoch * width, (epoch + 1) * width));
      for (let col = 0; col < width; col++) {
        const other = others.get(epoch * width + col);
        if (other !== undefined) out[col] = other;
      }
      return out;
    },
    valueAt: (epoch, col) => others.get(epoch * width + col) ?? numbers[epoch * width + col],
    // Only the editable columns are asked for; the closure must not hold `live`, which holds the engine.
    rawAt: (epoch, col) => raws.get(epoch * width + col) ?? numbers[epoch * width + col],
  };
}
