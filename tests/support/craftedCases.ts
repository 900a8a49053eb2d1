import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compoundFile, craftXlsx, row, whitespaceBomb } from './craftedFiles';
import { classicSheet } from './handmadeSheets';

/**
 * The crafted workbooks of issue 19, written into `dir` at test time: each with what the checker and the importer
 * must say. `checkerCode` is check-workbook's exit code for the file alone.
 */
export interface CraftedCase {
  name: string;
  file: string;
  checkerCode: number;
  /** In the checker's output (and, unless `importMessage` says otherwise, the importer's error). */
  message: RegExp;
  importMessage?: RegExp;
}

const small = row(1, ['A1', 'x'], ['B1', 1]) + row(2, ['A2', 'y'], ['B2', '=B1*2']);
const XFD = 'AG1:XFD1048576';

/** Plain-cell grid of a classic 2-2-2 sheet as <row> XML (formulas and values). */
function classicRows(edit?: (grid: unknown[][]) => void): string {
  const { grid } = classicSheet({ iterations: 3 });
  edit?.(grid);
  const col = (c: number) => {
    let s = '';
    for (let n = c + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
    return s;
  };
  return grid.map((cells, r) => row(r + 1, ...cells.flatMap((v, c): [string, number | string][] =>
    v === null || v === undefined ? [] : [[`${col(c)}${r + 1}`, v as number | string]]))).join('');
}

export async function writeCraftedCases(dir: string): Promise<CraftedCase[]> {
  const cases: CraftedCase[] = [];
  const add = async (name: string, bytes: Uint8Array | Promise<Uint8Array>, checkerCode: number, message: RegExp, importMessage?: RegExp) => {
    const file = join(dir, `${name}.xlsx`);
    writeFileSync(file, await bytes);
    cases.push({ name, file, checkerCode, message, importMessage });
  };
  const notGradsheet = /not a workbook exported by gradsheet/;
  // 4. tiny files that declare huge ranges: clipped to the cells present, then read as usual
  await add('merge-whole-sheet', craftXlsx([{ name: 'S', rows: small, tail: `<mergeCells count="1"><mergeCell ref="${XFD}"/></mergeCells>` }]), 5, /no network|nothing checkable|unsupported/i, notGradsheet);
  await add('validation-whole-sheet', craftXlsx([{ name: 'S', rows: small, tail: `<dataValidations count="1"><dataValidation type="decimal" sqref="${XFD}"><formula1>0</formula1></dataValidation></dataValidations>` }]), 5, /no network|nothing checkable|unsupported/i, notGradsheet);
  await add('col-2000000000', craftXlsx([{ name: 'S', head: '<cols><col min="1" max="2000000000" width="9" customWidth="1"/></cols>', rows: small }]), 5, /no network|nothing checkable|unsupported/i, notGradsheet);
  await add('defined-name-whole-sheet', craftXlsx([{ name: 'S', rows: small }], { definedNames: '<definedName name="everything">S!$A$1:$XFD$1048576</definedName>' }), 5, /no network|nothing checkable|unsupported/i, notGradsheet);
  await add('dimension-whole-sheet', craftXlsx([{ name: 'S', head: '<dimension ref="A1:XFD1048576"/>', rows: small }]), 5, /no network|nothing checkable|unsupported/i, notGradsheet);
  await add('row-100000000', craftXlsx([{ name: 'S', rows: small }, { name: 'Far', rows: row(100_000_000, ['A100000000', 1]) }]), 4,
    /sheet "Far" has a cell or row at row 100,000,000, beyond a spreadsheet's 1,048,576 rows/);
  // A cell on the grid's last row: allowed, and the checker must not walk a row array cell by cell into trouble.
  await add('row-1048576', craftXlsx([{ name: 'Backprop', rows: classicRows() }, { name: 'Far', rows: row(1_048_576, ['XFD1048576', 1]) }]), 0, /PASS/, notGradsheet);
  await add('whitespace-600mb-declared', whitespaceBomb(600), 4, /the part xl\/worksheets\/sheet1\.xml declares 600 MB uncompressed; gradsheet reads parts up to 256 MB/);
  await add('whitespace-300mb-lying', whitespaceBomb(300, 1000), 4, /the part xl\/worksheets\/sheet1\.xml inflates to more than the 1,000 bytes its zip entry declares: the file is damaged or made to mislead/);
  // 8. every file kind
  await add('encrypted', compoundFile('EncryptedPackage'), 4, /a password-protected \(encrypted\) workbook: .*save it as \.xlsx without a password/);
  await add('old-xls', compoundFile('Workbook'), 4, /an Excel 97–2003 \.xls workbook, not \.xlsx: open it in a spreadsheet and save it as \.xlsx/);
  await add('pdf-renamed', new TextEncoder().encode('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n'), 4, /not an XLSX file: it is not a zip archive but a PDF document/);
  await add('empty', new Uint8Array(0), 4, /the file is empty \(0 bytes\)/);
  await add('broken-xml', craftXlsx([{ name: 'S', rows: small }], { parts: { 'xl/worksheets/sheet1.xml': '<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></row>' } }), 4,
    /xl\/worksheets\/sheet1\.xml is not well-formed XML/);
  // 6. formulas the engine cannot take, and references to what is not there: named; the network is still checked
  let long = '1';
  while (long.length + 3 <= 8185) long += '+B1';
  const deep = `${'('.repeat(600)}1${')'.repeat(600)}`;
  const extras = row(40, ['A40', `=${long}`], ['B40', `=${deep}`], ['C40', '=Nowhere!A1*2'], ['D40', '=[1]Sheet1!A1']);
  await add('formulas-engine-cannot-take', craftXlsx([{ name: 'Backprop', rows: classicRows() + extras }]), 0,
    /Backprop!A40: its formula \(8,185 characters\) is nested too deeply for the formula engine[^\n]*\n[^]*Backprop!B40: its formula \(1,201 characters\) is nested too deeply[^]*Backprop!C40 reads the sheet "Nowhere", which the workbook does not have/,
    notGradsheet);
  // The loss itself too deep: its gradients are skipped, and the message names the cell and why.
  const deepLoss = classicRows((grid) => {
    const header = grid[3];
    const c = header.indexOf('E_total');
    grid[4][c] = `=${'('.repeat(600)}${String(grid[4][c]).slice(1)}${')'.repeat(600)}`;
  });
  // (The checker counts gradients it could not check as failing, as it always has: the sheet is FAIL, with why.)
  await add('loss-engine-cannot-take', craftXlsx([{ name: 'Backprop', rows: deepLoss }]), 1,
    /Backprop!W5: its formula \(1,205 characters\) is nested too deeply for the formula engine \(HyperFormula runs out of stack on it\); the checks that read it were skipped/, notGradsheet);
  return cases;
}
