/**
 * New, opening a spec file, export and import: XLSX (two flavours), the PyTorch notebook and script, CSV of the loss
 * curve or a range of rows, and importing an XLSX.
 */

export interface FileHandlers {
  newSheet(): void;
  openSpec(file: File): void;
  exportXlsx(flavour: 'values' | 'live'): void;
  /** The run as the course's PyTorch notebook (.ipynb) or the same code as a script (.py); see export/notebook.ts. */
  exportNotebook(kind: 'ipynb' | 'py'): void;
  lossCsv(): void;
  rowsCsv(from: number, to: number): void;
  importXlsx(file: File): void;
  /** Check a hand-made backprop workbook (and its map, chosen with it); see views/checkReport.ts. */
  checkWorkbook?(files: File[]): void;
}

export interface FileControls {
  /** While an export or import runs, the buttons that would start it again are disabled. */
  setBusy(work: 'export' | 'import' | null): void;
  /** Whether CSVs get a byte-order mark (the default; Excel on Windows needs it). */
  readonly bom: boolean;
}

/** A file input shown as a button-like label (the native "Choose File / No file chosen" box hidden but focusable). */
function fileButton(text: string, name: string, accept: string, title: string, multiple: boolean, pick: (files: File[]) => void): { label: HTMLLabelElement; input: HTMLInputElement } {
  const input = document.createElement('input');
  input.type = 'file';
  input.accept = accept;
  input.name = name;
  input.multiple = multiple;
  input.className = 'visually-hidden';
  input.addEventListener('change', () => {
    if (input.files?.length) pick([...input.files]);
    input.value = '';
  });
  const label = document.createElement('label');
  label.className = 'file-button';
  label.title = title;
  label.append(input, text);
  return { label, input };
}

export function createFileControls(container: HTMLElement, on: FileHandlers): FileControls {
  const button = (text: string, name: string, title: string, click: () => void) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    b.name = name;
    b.title = title;
    b.addEventListener('click', click);
    return b;
  };
  const range = (name: string, value: string, label: string) => {
    const i = document.createElement('input');
    i.type = 'number';
    i.min = '0';
    i.name = name;
    i.value = value;
    i.className = 'range';
    i.setAttribute('aria-label', label);
    i.title = `${label} of the rows CSV`;
    return i;
  };
  const from = range('rows-from', '0', 'first epoch');
  const to = range('rows-to', '50', 'last epoch');
  const importFile = fileButton('Import XLSX…', 'import', '.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'Open an XLSX this page exported (edited in a spreadsheet or not): the sheet retrains from its cells', false, ([f]) => on.importXlsx(f));
  const specFile = fileButton('Open spec…', 'open-spec', '.json,application/json',
    'Open a spec or run file (JSON): its network, data and settings become the sheet', false, ([f]) => on.openSpec(f));
  const check = on.checkWorkbook;
  const checkFile = check ? fileButton('Check a workbook…', 'check-workbook', '.xlsx,.xlsm,.json',
    'Check the gradient cells of backprop workbooks: choose or drop one or many (a whole class); a map (.json) goes with a single workbook unlike the classic layout',
    true, (files) => check(files)) : null;
  if (checkFile && check) {
    checkFile.label.addEventListener('dragover', (e) => e.preventDefault());
    checkFile.label.addEventListener('drop', (e) => {
      e.preventDefault();
      e.stopPropagation();
      if (e.dataTransfer?.files.length) check([...e.dataTransfer.files]);
    });
  }
  const values = button('XLSX', 'export-values', 'Download the sheet as XLSX with its values (opens anywhere, fast)', () => on.exportXlsx('values'));
  const live = button('XLSX (live)', 'export-live', 'Download the sheet as XLSX with its formulas: a spreadsheet recomputes every cell', () => on.exportXlsx('live'));
  const notebook = button('Notebook (.ipynb)', 'export-notebook', 'The run as the course\'s PyTorch notebook (.ipynb): the sheet\'s starting weights, sample order and settings, and a last cell comparing its losses with the sheet\'s', () => on.exportNotebook('ipynb'));
  const script = button('Script (.py)', 'export-script', 'The notebook\'s code as one Python script (python3 FILE.py; needs PyTorch)', () => on.exportNotebook('py'));
  const bom = document.createElement('input');
  bom.type = 'checkbox';
  bom.name = 'csv-bom';
  bom.checked = true;
  const bomLabel = document.createElement('label');
  bomLabel.title = 'Start each CSV with a UTF-8 byte-order mark, so Excel on Windows shows η, μ and ∂ right; untick for tools that do not expect one';
  bomLabel.append(bom, ' CSV for Excel (byte-order mark)');

  const menu = document.createElement('details');
  menu.className = 'files-menu';
  const summary = document.createElement('summary');
  summary.textContent = 'Files';
  summary.title = 'New sheet, open a spec, export XLSX or CSV, import an XLSX, check a workbook (or drop a file on the page)';
  const panel = document.createElement('div');
  panel.className = 'files-panel';
  const group = (title: string, ...items: (Node | string)[]) => {
    const g = document.createElement('div');
    g.className = 'files-group';
    g.setAttribute('role', 'group');
    g.setAttribute('aria-label', title);
    const h = document.createElement('span');
    h.className = 'files-group-title';
    h.textContent = title;
    g.append(h, ...items);
    return g;
  };
  const rowsRange = document.createElement('span');
  rowsRange.className = 'files-range';
  rowsRange.append('epochs ', from, '–', to);
  panel.append(
    group('sheet', button('New', 'new', 'Start again from the default network, dropping your edits (asks first)', () => on.newSheet()), specFile.label, importFile.label),
    group('export', values, live, notebook, script),
    group('CSV', button('Loss CSV', 'export-loss', 'Download the loss of every epoch as CSV', () => on.lossCsv()),
      button('Rows CSV', 'export-rows', 'Download every column of the epochs chosen here as CSV', () => on.rowsCsv(Number(from.value), Number(to.value))),
      rowsRange, bomLabel),
    ...(checkFile ? [group('check', checkFile.label)] : []),
  );
  menu.append(summary, panel);
  container.append(menu);
  // Escape or a click elsewhere closes the menu.
  menu.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && menu.open) {
      menu.open = false;
      summary.focus();
    }
  });
  document.addEventListener('click', (e) => {
    if (menu.open && !menu.contains(e.target as Node)) menu.open = false;
  });
  // A file dropped anywhere on the page: a spec (.json) opens, an XLSX is imported.
  document.addEventListener('dragover', (e) => {
    if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
  });
  document.addEventListener('drop', (e) => {
    const f = e.dataTransfer?.files[0];
    if (!f) return;
    e.preventDefault();
    if (/\.json$/i.test(f.name)) on.openSpec(f);
    else on.importXlsx(f);
  });
  return {
    setBusy(work) {
      values.disabled = live.disabled = work !== null;
      importFile.input.disabled = work === 'import';
    },
    get bom() {
      return bom.checked;
    },
  };
}

/** The UTF-8 byte-order mark Excel on Windows needs to read a CSV as UTF-8 (without it η, μ and ∂ come out garbled). */
export const BOM = '\ufeff';

/** A CSV as downloaded: with the byte-order mark unless the user left it out. */
export function csvForDownload(csv: string, withBom: boolean): string {
  return withBom ? BOM + csv : csv;
}

/** Offers bytes or text to the user as a download. */
export function download(name: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
