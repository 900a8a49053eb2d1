import { megabytes } from '../limits';
import { num, readLine, relText as rel, STATUS_TEXT as STATUS, summaryLine } from '../../check/format';
import { batchRows, renderSheet, VERDICT_TEXT } from '../../check/render';
import type { CellRead, CheckReport, GradientResult, UpdateResult, WorkbookReport } from '../../check/types';

/**
 * "Check a workbook" on the page: runs the workbook check (src/check/) on the dropped or chosen XLSX files (a whole
 * class at once: a table with one row per file and sheet, each row opening that sheet's full report), or on one
 * workbook with the map file chosen with it. Everything from the file is put in as text
 * (textContent), never as HTML. The check runs on the page's thread, so files over CHECK_MAX_BYTES are refused
 * (hand-made sheets are a few kB; `npm run check-workbook` takes any size).
 */

export const CHECK_MAX_BYTES = 2_000_000;

const COLOUR: Record<string, string> = { pass: '#1a7f37', kink: '#1a7f37', fail: '#cf222e', skipped: '#9a6700' };

/** One table row of the report: its cells, status, and the lines explaining a failure (or a note). */
export interface ReportRow {
  cells: string[];
  status: string;
  details: string[];
}

export interface ReportSection {
  title: string;
  header: string[];
  rows: ReportRow[];
}

function readLines(reads: CellRead[] | undefined, indent: string, out: string[]): void {
  for (const r of reads ?? []) {
    out.push(`${indent}reads ${readLine(r)}`);
    readLines(r.reads, `${indent}    `, out);
  }
}

function gradientDetails(g: GradientResult): string[] {
  const out: string[] = [];
  if (g.note) out.push(`note: ${g.note}`);
  if (g.status !== 'fail') return out;
  out.push(`${g.gradient} ${g.formula ?? '(a number, not a formula)'}`);
  readLines(g.reads, '  ', out);
  for (const h of g.hints) out.push(`→ ${h}`);
  return out;
}

function updateDetails(u: UpdateResult): string[] {
  const out: string[] = [];
  if (u.note) out.push(`note: ${u.note}`);
  if (u.status !== 'fail') return out;
  out.push(`rule: ${u.rule}`);
  out.push(`${u.nextName} ${u.formula ?? '(a number, not a formula)'}`);
  readLines(u.reads, '  ', out);
  for (const h of u.hints) out.push(`→ ${h}`);
  return out;
}

/** The report as tables of text: what the page shows (and what tests check without a DOM). */
export function reportSections(report: CheckReport): ReportSection[] {
  const sections: ReportSection[] = [];
  for (const step of [...new Set(report.gradients.map((g) => g.step))]) {
    sections.push({
      title: `Gradients, ${step}`,
      header: ['gradient cell', 'weight', 'claimed', 'numerical', 'rel. error', ''],
      rows: report.gradients.filter((g) => g.step === step).map((g) => ({
        cells: [`${g.gradient} (${g.gradientAddress})`, g.weight, num(g.claimed), num(g.numeric), rel(g.relError), STATUS[g.status]],
        status: g.status,
        details: gradientDetails(g),
      })),
    });
    const updates = report.updates.filter((u) => u.step === step);
    if (updates.length) {
      sections.push({
        title: `Update rule, ${step} (new weight = w − η·gradient)`,
        header: ['cell', 'weight', 'expected', 'actual', 'rel. error', ''],
        rows: updates.map((u) => ({
          cells: [`${u.nextName} (${u.nextAddress})`, u.kind === 'velocity' ? `v of ${u.weight}` : u.weight, num(u.expected), num(u.actual), rel(u.relError), STATUS[u.status]],
          status: u.status,
          details: updateDetails(u),
        })),
      });
    }
  }
  return sections;
}

export function verdictLine(report: CheckReport): string {
  return summaryLine(report, true);
}

/** One row of the page's table: a file and sheet, its verdict and summary, and the full report it opens. */
export interface BatchTableRow {
  file: string;
  sheet: string;
  verdict: string;
  summary: string;
  report: string[];
}

export function batchTableRows(reports: WorkbookReport[]): BatchTableRow[] {
  return reports.flatMap((r) => {
    const rows = batchRows(r);
    return rows.map((row, i) => ({
      file: row.file,
      sheet: row.sheet,
      verdict: VERDICT_TEXT[row.verdict] ?? row.verdict,
      summary: row.summary,
      report: r.verdict === 'unreadable' ? [`${r.file}: ${r.error}`] : [...renderSheet(r.sheets[i]), ...r.notes.map((n) => `note: ${n}`)],
    }));
  });
}

export interface WorkbookCheckView {
  readonly element: HTMLElement;
  busy(text: string): void;
  error(text: string): void;
  show(report: CheckReport): void;
  showTable(reports: WorkbookReport[]): void;
  clear(): void;
}

export function createWorkbookCheck(container: HTMLElement): WorkbookCheckView {
  const box = document.createElement('section');
  box.className = 'check-report';
  box.hidden = true;
  box.style.cssText = 'margin: 6px 0; padding: 6px 8px; border: 1px solid #d0d7de; border-radius: 4px; font-size: 12px;';
  container.append(box);
  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, css?: string) => {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (css) node.style.cssText = css;
    return node;
  };
  const closeButton = () => {
    const b = el('button', 'Close', 'float: right;');
    b.type = 'button';
    b.name = 'check-close';
    b.addEventListener('click', () => view.clear());
    return b;
  };
  const view: WorkbookCheckView = {
    element: box,
    busy(text) {
      box.hidden = false;
      box.replaceChildren(el('div', text));
    },
    error(text) {
      box.hidden = false;
      box.replaceChildren(closeButton(), el('div', text, `color: ${COLOUR.fail};`));
    },
    clear() {
      box.hidden = true;
      box.replaceChildren();
    },
    showTable(reports) {
      box.hidden = false;
      const rows = batchTableRows(reports);
      const bad = rows.filter((r) => r.verdict !== 'PASS').length;
      const nodes: Node[] = [closeButton(), el('strong', `${reports.length} workbook(s), ${rows.length} sheet(s): ${rows.length - bad} pass, ${bad} not` +
        ' (choose a row to see its report)', `color: ${bad ? COLOUR.fail : COLOUR.pass};`)];
      const table = el('table', undefined, 'border-collapse: collapse; margin-top: 4px;');
      table.className = 'check-table';
      const head = el('tr');
      for (const h of ['file', 'sheet', 'verdict', '']) head.append(el('th', h, 'text-align: left; padding: 0 10px 0 0;'));
      table.append(head);
      for (const row of rows) {
        const tr = el('tr');
        const open = el('button', row.verdict, `color: ${row.verdict === 'PASS' ? COLOUR.pass : COLOUR.fail}; font-weight: bold;`);
        open.type = 'button';
        open.name = 'check-row';
        open.setAttribute('aria-expanded', 'false');
        const detail = el('tr');
        detail.hidden = true;
        const td = el('td', undefined, 'padding: 2px 0 6px 16px;');
        td.colSpan = 4;
        td.append(el('pre', row.report.join('\n'), 'margin: 0; white-space: pre-wrap;'));
        detail.append(td);
        open.addEventListener('click', () => {
          detail.hidden = !detail.hidden;
          open.setAttribute('aria-expanded', String(!detail.hidden));
        });
        const verdictCell = el('td', undefined, 'padding: 0 10px 0 0;');
        verdictCell.append(open);
        tr.append(el('td', row.file, 'padding: 0 10px 0 0;'), el('td', row.sheet || '–', 'padding: 0 10px 0 0;'), verdictCell, el('td', row.summary));
        table.append(tr, detail);
      }
      nodes.push(table);
      box.replaceChildren(...nodes);
    },
    show(report) {
      box.hidden = false;
      const colour = report.verdict === 'pass' ? COLOUR.pass : COLOUR.fail;
      const nodes: Node[] = [closeButton(), el('strong', verdictLine(report), `color: ${colour};`)];
      const found = el('ul', undefined, 'margin: 4px 0; padding-left: 18px;');
      for (const line of [...report.found, `method: ${report.method}`]) found.append(el('li', line));
      nodes.push(found);
      for (const section of reportSections(report)) {
        nodes.push(el('h3', section.title, 'margin: 8px 0 2px;'));
        const table = el('table', undefined, 'border-collapse: collapse; font-family: monospace;');
        const head = el('tr');
        for (const h of section.header) head.append(el('th', h, 'text-align: left; padding: 0 10px 0 0;'));
        table.append(head);
        for (const row of section.rows) {
          const tr = el('tr');
          row.cells.forEach((c, i) => tr.append(el('td', c, `padding: 0 10px 0 0;${i === row.cells.length - 1 ? ` color: ${COLOUR[row.status]}; font-weight: bold;` : ''}`)));
          table.append(tr);
          if (row.details.length) {
            const detail = el('tr');
            const td = el('td', undefined, 'padding: 2px 0 6px 16px;');
            td.colSpan = row.cells.length;
            td.append(el('pre', row.details.join('\n'), 'margin: 0; white-space: pre-wrap;'));
            detail.append(td);
            table.append(detail);
          }
        }
        nodes.push(table);
      }
      if (report.notes.length) {
        nodes.push(el('h3', 'Notes', 'margin: 8px 0 2px;'));
        const notes = el('ul', undefined, 'margin: 0; padding-left: 18px;');
        for (const n of report.notes) notes.append(el('li', n));
        nodes.push(notes);
      }
      box.replaceChildren(...nodes);
    },
  };
  return view;
}

/**
 * Checks the chosen or dropped files: workbooks (.xlsx / .xlsm), every sheet of each, shown as one table; or one
 * workbook with a map (.json) chosen with it. Loads the checker (and exceljs) only when first used; each workbook is
 * checked in a task of its own, so the page stays responsive through a class's files.
 */
export async function runWorkbookCheck(files: File[], view: WorkbookCheckView): Promise<WorkbookReport[] | CheckReport | null> {
  const books = files.filter((f) => !/\.json$/i.test(f.name));
  const mapFile = files.find((f) => /\.json$/i.test(f.name));
  if (books.length === 0) {
    view.error('Choose the workbooks (.xlsx), and a map (.json) with a single workbook if its layout is not the classic one.');
    return null;
  }
  if (mapFile && books.length > 1) {
    view.error(`A map (${mapFile.name}) goes with one workbook; ${books.length} were chosen. Check them without it, or one at a time with it.`);
    return null;
  }
  const tooBig = books.filter((b) => b.size > CHECK_MAX_BYTES);
  if (tooBig.length > 0 && (mapFile || books.length === 1)) {
    const book = tooBig[0];
    view.error(`${book.name} is ${megabytes(book.size)}; the page checks workbooks up to ${megabytes(CHECK_MAX_BYTES)}. ` +
      `Larger ones: npm run check-workbook -- ${book.name}`);
    return null;
  }
  if (mapFile) {
    const book = books[0];
    view.busy(`checking ${book.name} with ${mapFile.name}…`);
    try {
      const { checkWorkbookBytes, parseMapText } = await import('../../check/check');
      const map = parseMapText(await mapFile.text(), mapFile.name);
      const report = await checkWorkbookBytes(new Uint8Array(await book.arrayBuffer()), { fileName: book.name, map });
      view.show(report);
      return report;
    } catch (err) {
      view.error(`${book.name}: ${(err as Error).message}`);
      return null;
    }
  }
  const { checkWorkbookFileBytes, unreadableReport } = await import('../../check/workbook');
  const reports: WorkbookReport[] = [];
  for (const [i, book] of books.entries()) {
    view.busy(`checking ${books.length > 1 ? `${i + 1} of ${books.length}: ` : ''}${book.name}…`);
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (book.size > CHECK_MAX_BYTES) {
      reports.push(unreadableReport(book.name, `${megabytes(book.size)}, over the page's ${megabytes(CHECK_MAX_BYTES)}: npm run check-workbook -- ${book.name}`));
      continue;
    }
    reports.push(await checkWorkbookFileBytes(new Uint8Array(await book.arrayBuffer()), book.name));
  }
  view.showTable(reports);
  return reports;
}
