import type { Column, Layout } from '../layout/layout';

/** A cell named the way people talk about it: `epoch 2000, ∂L/∂w1_1_1`. */
export interface CellRef {
  epoch: number;
  column: Column;
}

const REF = /^\s*epoch\s*(\d+)\s*,\s*(.+?)\s*$/;

export function formatRef(ref: CellRef): string {
  return `epoch ${ref.epoch}, ${ref.column.name}`;
}

/** Parses `epoch N, name`; throws an error saying what is wrong. */
export function parseRef(text: string, layout: Layout): CellRef {
  const m = REF.exec(text);
  if (!m) throw new Error(`"${text}" is not a cell reference; write it as "epoch 12, ${layout.weightColumns[0].name}"`);
  const epoch = Number(m[1]);
  if (epoch >= layout.spec.epochs) throw new Error(`epoch ${epoch} does not exist: the sheet has epochs 0 to ${layout.spec.epochs - 1}`);
  const column = layout.columns.find((c) => c.name === m[2]);
  if (!column) throw new Error(`there is no column named "${m[2]}" in ${layout.spec.name}`);
  return { epoch, column };
}
