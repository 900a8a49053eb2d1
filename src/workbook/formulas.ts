import { DATA_SHEET, columnLetter, dataFields, type Column, type Layout, type RefStyle } from '../layout/layout';

/** Rendering the layout's formulas as text: A1 addresses for the engine and the files, names for people. */

/** A1 addresses for a given 1-based sheet row. */
export function a1Style(layout: Layout, sheetRow: number): RefStyle {
  const fields = dataFields(layout.spec);
  const n = layout.spec.data.inputs.length;
  const dataLetter = (field: string) => {
    const i = fields.indexOf(field);
    if (i < 0) throw new Error(`no data field ${field}`);
    return columnLetter(i + 1);
  };
  return {
    cell: (name, rowOffset = 0) => `${layout.column(name).letter}${sheetRow + rowOffset}`,
    data: (sample, field) => `${DATA_SHEET}!$${dataLetter(field)}$${sample + 2}`,
    dataColumn: (field) => `${DATA_SHEET}!$${dataLetter(field)}$2:$${dataLetter(field)}$${n + 1}`,
  };
}

/** Names in place of addresses, as people read a formula: a_h1*w5+a_h2*w6. */
export const namedStyle: RefStyle = {
  cell: (name, rowOffset = 0) => (rowOffset === 0 ? name : `${name}(previous epoch)`),
  data: (sample, field) => `${DATA_SHEET}.${field}[${sample + 1}]`,
  dataColumn: (field) => `${DATA_SHEET}.${field}`,
};

/** Renders one column's formula (with `=`) for any 1-based sheet row, without re-deriving it from the layout. */
type FormulaTemplate = (sheetRow: number) => string;
export type RowTemplates = (FormulaTemplate | null)[];

const ROW_MARK = /\u0001(-?\d+)\u0002/;

/** Renders every formula once with placeholder rows, then splits the text around them. */
export function rowTemplates(layout: Layout): RowTemplates {
  const marked: RefStyle = {
    ...a1Style(layout, 1),
    cell: (name, rowOffset = 0) => `${layout.column(name).letter}\u0001${rowOffset}\u0002`,
  };
  return layout.columns.map((col) => {
    if (!col.formula) return null;
    const pieces = `=${col.formula(marked)}`.split(ROW_MARK);
    const texts = pieces.filter((_, i) => i % 2 === 0);
    const offsets = pieces.filter((_, i) => i % 2 === 1).map(Number);
    return (sheetRow: number) => {
      let out = texts[0];
      for (let i = 0; i < offsets.length; i++) out += (sheetRow + offsets[i]) + texts[i + 1];
      return out;
    };
  });
}

export function namedFormula(col: Column): string | null {
  return col.formula ? `=${col.formula(namedStyle)}` : null;
}

