import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';

/**
 * A streaming XLSX writer for what gradsheet exports: worksheets of numbers, text and formulas with their cached
 * values, a number format and width per column, a bold header row, frozen panes and defined names. It offers the
 * part of exceljs's worksheet API that xlsx.ts uses (addWorksheet, columns, addRow, row.font, commit, definedNames),
 * writes each row's SheetML at once and deflates it through fflate's streaming Zip, in Node and in the page's
 * engine worker alike.
 *
 * Why not exceljs, which gradsheet still uses to read files: measured on end2-xor-44 (2001 epochs, 1.4 M formula
 * cells, the values flavour), exceljs's streaming writer took 11.2 s and its in-memory writer (the only one in its
 * browser build) 20-27 s in the page; this writer takes the figures in docs/_incoming/speed.md. exceljs builds a
 * cell model object and a style object per cell and renders them through its generic XML classes; here a row is
 * one string. The LibreOffice recompute tests (tests/xlsx.test.ts) check the files.
 */

export type SheetMLValue =
  | number | string | boolean | null | undefined
  | { formula: string; result?: number | string | boolean | { error: string } | null }
  | { error: string };

export interface SheetMLColumn {
  key?: string;
  width?: number;
  style?: { numFmt?: string };
}

/** Where the zip's bytes go. `write` may return a promise when the sink wants the writer to wait. */
export interface ByteSink {
  write(chunk: Uint8Array): void | Promise<void>;
}

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
const HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const BUILTIN_FORMATS: Record<string, number> = { General: 0, '0': 1, '0.00': 2, '0%': 9, '0.00E+00': 11 };
/** Bytes of SheetML gathered before they are deflated (larger chunks deflate faster; this stays small). */
const CHUNK_CHARS = 1 << 18;

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const escapeXml = (s: string) => (/[&<>"]/.test(s) ? s.replace(/[&<>"]/g, (c) => XML_ESCAPES[c]) : s);
// Characters XML 1.0 cannot hold at all are dropped (a spreadsheet cell could not show them either).
// eslint-disable-next-line no-control-regex
const xmlText = (s: string) => escapeXml(s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, ''));

const LETTERS: string[] = [];
/** Column letters of a 0-based index: 0 → A, 26 → AA (each made once). */
function letters(index: number): string {
  let out = LETTERS[index];
  if (out !== undefined) return out;
  out = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) out = String.fromCharCode(65 + ((n - 1) % 26)) + out;
  return (LETTERS[index] = out);
}

/** Cell styles: the number format of a column, bold or not. */
class Styles {
  private readonly formats = new Map<string, number>();
  private readonly xfs = new Map<string, number>([['0|0', 0]]);

  index(numFmt: string | undefined, bold: boolean): number {
    const fmt = this.formatId(numFmt ?? 'General');
    const key = `${fmt}|${bold ? 1 : 0}`;
    let i = this.xfs.get(key);
    if (i === undefined) this.xfs.set(key, (i = this.xfs.size));
    return i;
  }

  private formatId(code: string): number {
    if (code in BUILTIN_FORMATS) return BUILTIN_FORMATS[code];
    let id = this.formats.get(code);
    if (id === undefined) this.formats.set(code, (id = 164 + this.formats.size));
    return id;
  }

  xml(): string {
    const fmts = [...this.formats].map(([code, id]) => `<numFmt numFmtId="${id}" formatCode="${escapeXml(code)}"/>`).join('');
    const xfs = [...this.xfs.keys()].map((key) => {
      const [fmt, bold] = key.split('|').map(Number);
      return `<xf numFmtId="${fmt}" fontId="${bold}" fillId="0" borderId="0" xfId="0"${fmt ? ' applyNumberFormat="1"' : ''}${bold ? ' applyFont="1"' : ''}/>`;
    }).join('');
    return `${HEAD}<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
      `<numFmts count="${this.formats.size}">${fmts}</numFmts>` +
      '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>' +
      '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
      '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
      '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
      `<cellXfs count="${this.xfs.size}">${xfs}</cellXfs>` +
      '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>';
  }
}

/** A row as xlsx.ts handles it: set `font = { bold: true }` before commit for a bold row. */
export interface SheetMLRow {
  font?: { bold?: boolean };
  commit(): void;
}

export class SheetMLWorksheet {
  private cols: SheetMLColumn[] = [];
  private colStyles: number[] = [];
  private boldStyles: number[] = [];
  private rowCount = 0;
  private text = '';
  private started = false;
  committed = false;

  constructor(
    private readonly book: SheetMLBook,
    readonly name: string,
    readonly id: number,
    private readonly frozen: { xSplit: number; ySplit: number } | null,
    private readonly file: EntryWriter,
  ) {}

  set columns(cols: SheetMLColumn[]) {
    if (this.started) throw new Error('set a worksheet\'s columns before its first row');
    this.cols = cols;
    this.colStyles = cols.map((c) => this.book.styles.index(c.style?.numFmt, false));
    this.boldStyles = cols.map((c) => this.book.styles.index(c.style?.numFmt, true));
  }

  get columns(): SheetMLColumn[] {
    return this.cols;
  }

  /** Adds a row after the last; it is written when committed (at once: rows are never changed afterwards). */
  addRow(values: readonly unknown[]): SheetMLRow {
    const row: SheetMLRow = { commit: () => this.writeRow(values, row.font?.bold === true) };
    return row;
  }

  private start(): void {
    this.started = true;
    let head = `${HEAD}<worksheet ${NS}>`;
    if (this.frozen) {
      const { xSplit, ySplit } = this.frozen;
      const pane = xSplit && ySplit ? 'bottomRight' : ySplit ? 'bottomLeft' : 'topRight';
      head += `<sheetViews><sheetView workbookViewId="0"><pane${xSplit ? ` xSplit="${xSplit}"` : ''}${ySplit ? ` ySplit="${ySplit}"` : ''} ` +
        `topLeftCell="${letters(xSplit)}${ySplit + 1}" activePane="${pane}" state="frozen"/><selection pane="${pane}"/></sheetView></sheetViews>`;
    }
    head += '<sheetFormatPr defaultRowHeight="15"/>';
    if (this.cols.length > 0) {
      head += '<cols>';
      this.cols.forEach((c, i) => {
        head += `<col min="${i + 1}" max="${i + 1}" width="${c.width ?? 9.140625}"${c.width ? ' customWidth="1"' : ''}${this.colStyles[i] ? ` style="${this.colStyles[i]}"` : ''}/>`;
      });
      head += '</cols>';
    }
    this.text = `${head}<sheetData>`;
  }

  private writeRow(values: readonly unknown[], bold: boolean): void {
    if (this.committed) throw new Error(`the worksheet ${this.name} is already written`);
    if (!this.started) this.start();
    const r = ++this.rowCount;
    let out = `<row r="${r}">`;
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as SheetMLValue;
      if (v === null || v === undefined) continue;
      const style = bold ? (this.boldStyles[i] ?? this.book.styles.index(undefined, true)) : (this.colStyles[i] ?? 0);
      out += cellXml(`${letters(i)}${r}`, style, v);
    }
    this.text += `${out}</row>`;
    if (this.text.length >= CHUNK_CHARS) this.flush(false);
  }

  private flush(final: boolean): void {
    this.book.push(this.file, this.text, final);
    this.text = '';
  }

  /** Ends the sheet (writes its rest); call once, after its last row. */
  commit(): void {
    if (this.committed) return;
    this.committed = true;
    if (!this.started) this.start();
    this.text += '</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>';
    this.flush(true);
  }

  /** Waits while the sink asks the writer to (between chunks of rows). */
  drain(): Promise<void> {
    return this.book.drain();
  }
}

function cellXml(ref: string, style: number, v: Exclude<SheetMLValue, null | undefined>): string {
  const s = style ? ` s="${style}"` : '';
  if (typeof v === 'number') return Number.isFinite(v) ? `<c r="${ref}"${s}><v>${v}</v></c>` : `<c r="${ref}"${s} t="e"><v>#NUM!</v></c>`;
  if (typeof v === 'string') return `<c r="${ref}"${s} t="str"><v>${xmlText(v)}</v></c>`;
  if (typeof v === 'boolean') return `<c r="${ref}"${s} t="b"><v>${v ? 1 : 0}</v></c>`;
  if ('formula' in v) {
    const f = `<f>${xmlText(v.formula)}</f>`;
    const res = v.result;
    if (res === null || res === undefined) return `<c r="${ref}"${s}>${f}</c>`;
    if (typeof res === 'number') return `<c r="${ref}"${s}>${f}<v>${res}</v></c>`;
    if (typeof res === 'string') return `<c r="${ref}"${s} t="str">${f}<v>${xmlText(res)}</v></c>`;
    if (typeof res === 'boolean') return `<c r="${ref}"${s} t="b">${f}<v>${res ? 1 : 0}</v></c>`;
    return `<c r="${ref}"${s} t="e">${f}<v>${xmlText(res.error)}</v></c>`;
  }
  if ('error' in v) return `<c r="${ref}"${s} t="e"><v>${xmlText(v.error)}</v></c>`;
  throw new Error(`cannot write ${JSON.stringify(v)} into cell ${ref}`);
}

/**
 * A zip entry deflated by the platform's native deflate (CompressionStream 'deflate-raw': Node's zlib, or the
 * browser's, in the page's engine worker), framed by fflate's Zip, which computes the CRC and sizes from the pushed
 * text as its API for custom compression asks. Measured on end2-xor-44's 150 MB sheet: fflate's own JavaScript
 * deflate took 6.9 s at level 6 (2.8 s at level 1), most of the whole export; native deflate a fraction of it.
 */
class NativeDeflate extends ZipPassThrough {
  private readonly writer: WritableStreamDefaultWriter<BufferSource>;
  private failure: Error | null = null;
  /** Chunks handed to the deflater and not yet taken: a few in flight keep it and the writer busy together. */
  private inFlight: Promise<void>[] = [];

  constructor(filename: string) {
    super(filename);
    this.compression = 8;
    const stream = new CompressionStream('deflate-raw');
    this.writer = stream.writable.getWriter();
    const reader = stream.readable.getReader();
    const pump = async (): Promise<void> => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return this.ondata(null, new Uint8Array(0), true);
        this.ondata(null, value as Uint8Array<ArrayBuffer>, false);
      }
    };
    pump().catch((err: Error) => {
      this.failure = err;
      this.ondata(Object.assign(err, { code: 0 }), new Uint8Array(0), true);
    });
  }

  protected override process(chunk: Uint8Array<ArrayBuffer>, final: boolean): void {
    if (this.failure) throw this.failure;
    const written = this.writer.write(chunk).catch((err: Error) => void (this.failure ??= err));
    this.inFlight.push(written);
    if (final) this.writer.close().catch((err: Error) => (this.failure ??= err));
  }

  /** Resolves when at most a few chunks wait for the deflater. */
  async ready(): Promise<void> {
    while (this.inFlight.length > IN_FLIGHT) await this.inFlight.shift();
    if (this.failure) throw this.failure;
  }
}

type EntryWriter = ZipDeflate | NativeDeflate;
const IN_FLIGHT = 8;

export interface SheetMLOptions {
  /** fflate's JavaScript deflate at this level, 0-9, instead of the platform's native deflate. */
  level?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
}

/**
 * The workbook. Worksheets are written one after another in the order they are added (adding one ends the one
 * before). `commit()` writes the workbook's own parts and ends the zip.
 */
export class SheetMLBook {
  creator = '';
  created = new Date();
  readonly styles = new Styles();
  private readonly names: [string, string][] = [];
  readonly definedNames = { add: (ref: string, name: string) => void this.names.push([name, ref]) };
  private readonly sheets: SheetMLWorksheet[] = [];
  private readonly zip: Zip;
  private readonly encoder = new TextEncoder();
  private pending: Promise<void> | null = null;
  private failure: Error | null = null;
  private finished: (() => void) | null = null;
  private readonly done: Promise<void>;

  constructor(private readonly sink: ByteSink, private readonly options: SheetMLOptions = {}) {
    let resolveDone!: () => void;
    this.done = new Promise<void>((resolve) => (resolveDone = resolve));
    this.finished = resolveDone;
    this.zip = new Zip((err, chunk, final) => {
      if (err) {
        this.failure ??= err;
        this.finished?.();
        return;
      }
      try {
        const waited = this.sink.write(chunk);
        // The failure is kept (drain throws it): a writer abandoned after its file failed must not leave a rejection unheard.
        if (waited) this.pending = (this.pending ?? Promise.resolve()).then(() => waited).catch((e: Error) => void (this.failure ??= e));
      } catch (e) {
        this.failure ??= e as Error;
      }
      if (final) this.finished?.();
    });
  }

  addWorksheet(name: string, options?: { views?: { state?: string; xSplit?: number; ySplit?: number }[] }): SheetMLWorksheet {
    // The zip holds one file after another: adding a worksheet ends the one before.
    this.sheets[this.sheets.length - 1]?.commit();
    const view = options?.views?.find((v) => v.state === 'frozen');
    const id = this.sheets.length + 1;
    const file = this.deflater(`xl/worksheets/sheet${id}.xml`);
    const sheet = new SheetMLWorksheet(this, name, id, view ? { xSplit: view.xSplit ?? 0, ySplit: view.ySplit ?? 0 } : null, file);
    this.sheets.push(sheet);
    return sheet;
  }

  private deflater(path: string): EntryWriter {
    const file = this.options.level === undefined && typeof CompressionStream === 'function'
      ? new NativeDeflate(path) : new ZipDeflate(path, { level: this.options.level ?? 6 });
    this.zip.add(file);
    this.current = file;
    return file;
  }

  private current: EntryWriter | null = null;

  /** @internal Deflates `text` into `file`. */
  push(file: EntryWriter, text: string, final: boolean): void {
    if (this.failure) throw this.failure;
    file.push(this.encoder.encode(text), final);
    if (this.failure) throw this.failure;
  }

  /** Resolves once the deflater and the sink have taken what was written so far (rejects with the sink's error). */
  async drain(): Promise<void> {
    if (this.current instanceof NativeDeflate) await this.current.ready();
    while (this.pending) {
      const p = this.pending;
      this.pending = null;
      await p;
    }
    if (this.failure) throw this.failure;
  }

  private part(path: string, xml: string): void {
    this.push(this.deflater(path), xml, true);
  }

  /** Writes the workbook, styles, content types, relationships and document properties, and ends the zip. */
  async commit(): Promise<void> {
    const sheets = this.sheets;
    sheets[sheets.length - 1]?.commit();
    const sheetList = sheets.map((s) => `<sheet name="${escapeXml(s.name)}" sheetId="${s.id}" r:id="rId${s.id}"/>`).join('');
    const names = this.names.length
      ? `<definedNames>${this.names.map(([name, ref]) => `<definedName name="${escapeXml(name)}">${escapeXml(ref)}</definedName>`).join('')}</definedNames>`
      : '';
    this.part('xl/workbook.xml', `${HEAD}<workbook ${NS}><workbookPr/><bookViews><workbookView/></bookViews><sheets>${sheetList}</sheets>${names}<calcPr calcId="171027"/></workbook>`);
    this.part('xl/styles.xml', this.styles.xml());
    const rels = sheets.map((s) => `<Relationship Id="rId${s.id}" Type="${REL}/worksheet" Target="worksheets/sheet${s.id}.xml"/>`).join('');
    this.part('xl/_rels/workbook.xml.rels', `${HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels}` +
      `<Relationship Id="rId${sheets.length + 1}" Type="${REL}/styles" Target="styles.xml"/></Relationships>`);
    const overrides = sheets.map((s) => `<Override PartName="/xl/worksheets/sheet${s.id}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join('');
    this.part('[Content_Types].xml', `${HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
      `${overrides}<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
      '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>' +
      '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>');
    this.part('_rels/.rels', `${HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
      `<Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/>` +
      '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>' +
      `<Relationship Id="rId3" Type="${REL}/extended-properties" Target="docProps/app.xml"/></Relationships>`);
    const when = this.created.toISOString().replace(/\.\d{3}Z$/, 'Z');
    this.part('docProps/core.xml', `${HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ` +
      'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
      `<dc:creator>${xmlText(this.creator)}</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">${when}</dcterms:created>` +
      `<dcterms:modified xsi:type="dcterms:W3CDTF">${when}</dcterms:modified></cp:coreProperties>`);
    this.part('docProps/app.xml', `${HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>${xmlText(this.creator)}</Application></Properties>`);
    this.zip.end();
    await this.done;
    await this.drain();
  }
}
