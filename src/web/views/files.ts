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
}

export function createFileControls(container: HTMLElement, on: FileHandlers): FileControls {
  const button = (text: string, name: string, click: () => void) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    b.name = name;
    b.addEventListener('click', click);
    return b;
  };
  const range = (name: string, value: string) => {
    const i = document.createElement('input');
    i.type = 'number';
    i.min = '0';
    i.name = name;
    i.value = value;
    i.className = 'range';
    return i;
  };
  const from = range('rows-from', '0');
  const to = range('rows-to', '50');
  const file = document.createElement('input');
  file.type = 'file';
  file.accept = '.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  file.name = 'import';
  file.addEventListener('change', () => {
    const f = file.files?.[0];
    if (f) on.importXlsx(f);
    file.value = '';
  });
  const importLabel = document.createElement('label');
  importLabel.className = 'import';
  importLabel.append('Import XLSX ', file);
  const specFile = document.createElement('input');
  specFile.type = 'file';
  specFile.accept = '.json,application/json';
  specFile.name = 'open-spec';
  specFile.addEventListener('change', () => {
    const f = specFile.files?.[0];
    if (f) on.openSpec(f);
    specFile.value = '';
  });
  const specLabel = document.createElement('label');
  specLabel.className = 'import';
  specLabel.append('Open spec ', specFile);
  const checkLabel = document.createElement('label');
  if (on.checkWorkbook) {
    const check = on.checkWorkbook;
    const checkFile = document.createElement('input');
    checkFile.type = 'file';
    checkFile.multiple = true;
    checkFile.accept = '.xlsx,.xlsm,.json';
    checkFile.name = 'check-workbook';
    checkFile.addEventListener('change', () => {
      if (checkFile.files?.length) check([...checkFile.files]);
      checkFile.value = '';
    });
    checkLabel.className = 'import';
    checkLabel.title = 'Check the gradient cells of backprop workbooks: choose or drop one or many (a whole class); a map (.json) goes with a single workbook unlike the classic layout';
    checkLabel.append('Check a workbook ', checkFile);
    checkLabel.addEventListener('dragover', (e) => e.preventDefault());
    checkLabel.addEventListener('drop', (e) => {
      e.preventDefault();
      if (e.dataTransfer?.files.length) check([...e.dataTransfer.files]);
    });
  }
  const values = button('XLSX', 'export-values', () => on.exportXlsx('values'));
  const live = button('XLSX (live)', 'export-live', () => on.exportXlsx('live'));
  const notebook = button('Notebook (.ipynb)', 'export-notebook', () => on.exportNotebook('ipynb'));
  notebook.title = 'The run as the course\'s PyTorch notebook (.ipynb): the sheet\'s starting weights, sample order and settings, and a last cell comparing its losses with the sheet\'s';
  const script = button('Script (.py)', 'export-script', () => on.exportNotebook('py'));
  script.title = 'The notebook\'s code as one Python script (python3 FILE.py; needs PyTorch)';
  container.append(
    button('New', 'new', () => on.newSheet()),
    specLabel,
    values,
    live,
    notebook,
    script,
    button('Loss CSV', 'export-loss', () => on.lossCsv()),
    button('Rows CSV', 'export-rows', () => on.rowsCsv(Number(from.value), Number(to.value))),
    'epochs ', from, '–', to,
    importLabel,
    ...(on.checkWorkbook ? [checkLabel] : []),
  );
  return {
    setBusy(work) {
      values.disabled = live.disabled = work !== null;
      file.disabled = work === 'import';
    },
  };
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
