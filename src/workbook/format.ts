import type { CellValue } from 'hyperformula';

/** A number at a readable width for a grid cell: 6 significant digits, exponent form when tiny or huge. */
export function formatShort(v: CellValue | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') {
    if (v === 0 || Number.isInteger(v)) return String(v);
    const a = Math.abs(v);
    return a >= 1e-4 && a < 1e6 ? String(Number(v.toPrecision(6))) : v.toExponential(3);
  }
  return formatFull(v);
}

/** The full value: the shortest text that reads back as the same float64. */
export function formatFull(v: CellValue | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object' && 'value' in v) return String(v.value);
  return String(v);
}
