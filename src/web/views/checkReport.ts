import { num, readLine, relText as rel, STATUS_TEXT as STATUS, summaryLine } from '../../check/format';
import type { CellRead, CheckReport, GradientResult, UpdateResult } from '../../check/types';

/**
 * "Check a workbook" on the page: runs the workbook check (src/check/) on a dropped or chosen XLSX, with an
 * optional map file chosen with it, and shows the report. Everything from the file is put in as text
 * (textContent), never as HTML. The check runs on the page's thread, so files over CHECK_MAX_BYTES are refused
 * (hand-made sheets are a few kB; `npm run check-workbook` takes any size).
 */

export const CHECK_MAX_BYTES = 2 * 2 ** 20;

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

export interface WorkbookCheckView {
  readonly element: HTMLElement;
  busy(text: string): void;
  error(text: string): void;
  show(report: CheckReport): void;
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
    show(report) {
      box.hidden = false;
      const colour = report.verdict === 'pass' ? COLOUR.pass : COLOUR.fail;
      const nodes: Node[] = [closeButton(), el('strong', verdictLine(report), `color: ${colour};`)];
      const found = el('ul', undefined, 'margin: 4px 0; padding-left: 18px;');
      for (const line of [...report.found, `method: ${report.method}`]) found.append(el('li', line));
      nodes.push(found);
      for (const section of reportSections(report)) {
        nodes.push(el('h4', section.title, 'margin: 8px 0 2px;'));
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
        nodes.push(el('h4', 'Notes', 'margin: 8px 0 2px;'));
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
 * Checks the chosen or dropped files: one workbook (.xlsx / .xlsm) and, optionally, a map (.json) with it.
 * Loads the checker (and exceljs) only when first used.
 */
export async function runWorkbookCheck(files: File[], view: WorkbookCheckView): Promise<CheckReport | null> {
  const book = files.find((f) => !/\.json$/i.test(f.name));
  const mapFile = files.find((f) => /\.json$/i.test(f.name));
  if (!book) {
    view.error('Choose the workbook (.xlsx), and a map (.json) with it if its layout is not the classic one.');
    return null;
  }
  if (book.size > CHECK_MAX_BYTES) {
    view.error(`${book.name} is ${(book.size / 2 ** 20).toFixed(1)} MB; the page checks workbooks up to ${CHECK_MAX_BYTES / 2 ** 20} MB. ` +
      `Larger ones: npm run check-workbook -- ${book.name}`);
    return null;
  }
  view.busy(`checking ${book.name}${mapFile ? ` with ${mapFile.name}` : ''}…`);
  try {
    const { checkWorkbookBytes, parseMapText } = await import('../../check/check');
    const map = mapFile ? parseMapText(await mapFile.text(), mapFile.name) : undefined;
    const report = await checkWorkbookBytes(new Uint8Array(await book.arrayBuffer()), { fileName: book.name, ...(map !== undefined ? { map } : {}) });
    view.show(report);
    return report;
  } catch (err) {
    view.error(`${book.name}: ${(err as Error).message}`);
    return null;
  }
}
