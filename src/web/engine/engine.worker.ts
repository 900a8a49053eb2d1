/// <reference lib="webworker" />
import { gradCheckRow } from '../../gradcheck/gradcheck';
import { trainLanes } from '../../lanes/lanes';
import { buildLayout } from '../../layout/layout';
import { withOverrides } from '../../spec/validate';
import { lossCsv, rowsCsv } from '../../export/csv';
import { Session } from '../session';
import type { CellValue } from 'hyperformula';
import type { EngineEvent, FromWorker, GradCheckReply, LaneReply, ToWorker } from './protocol';

/** The engine worker: one Session (HyperFormula workbook and its training), driven by messages from the page. */

declare const self: DedicatedWorkerGlobalScope;

let session: Session | null = null;
/** Rows whose current values the page has: rows 0..sent-1. */
let sent = 0;
/** Set by a cancelExport message; the running export stops at its next chunk of rows. */
let exportCancelled = false;

const post = (m: FromWorker, transfer: Transferable[] = []) => self.postMessage(m, transfer);
const emit = (e: EngineEvent, transfer: Transferable[] = []) => post({ kind: 'event', ...e }, transfer);

function current(): Session {
  if (!session) throw new Error('no workbook yet');
  return session;
}

/** Sends rows from..to-1 (clamped to what exists) and the number of rows. */
function sendRows(from: number, to: number): void {
  const s = current();
  const { layout, wb } = s;
  const end = Math.min(to, wb.rows);
  const cols = layout.columns.length;
  const count = Math.max(0, end - from);
  const values = new Float64Array(count * cols);
  const special: [number, CellValue][] = [];
  if (count > 0) {
    const block = wb.hf.getRangeValues({
      start: { sheet: wb.train, row: layout.rowOf(from), col: 0 },
      end: { sheet: wb.train, row: layout.rowOf(end - 1), col: cols - 1 },
    });
    block.forEach((row, r) => row.forEach((v, c) => {
      const i = r * cols + c;
      if (typeof v === 'number') values[i] = v;
      else {
        values[i] = Number.NaN;
        special.push([i, v]);
      }
    }));
  }
  emit({ type: 'rows', from, count, values, special, rows: wb.rows }, [values.buffer]);
  sent = end;
}

function attach(s: Session): void {
  if (session && session.wb !== s.wb) session.wb.hf.destroy();
  session = s;
  sent = 0;
  s.on((e) => {
    if (e.type === 'progress') sendRows(Math.min(sent, e.rows), e.rows);
    else if (e.type === 'state') emit({ type: 'state', state: e.state, canUndo: s.canUndo });
    else if (e.type === 'workbook') {
      sent = 0;
      emit({ type: 'workbook' });
      sendRows(0, s.rows);
    } else if (e.type === 'changed') {
      sent = Math.min(sent, e.epoch);
      sendRows(e.epoch, e.epoch + 1);
      emit({ type: 'changed', epoch: e.epoch, col: e.column.index, raw: e.raw });
    } else if (e.type === 'overrides') emit({ type: 'overrides', cells: s.overrides() });
    else if (e.type === 'diverged') emit({ type: 'diverged', message: e.message, epoch: e.epoch, col: e.column?.index ?? null });
  });
  sendRows(0, s.rows);
}

/** Lanes run in the worker one after another; beyond this many cells in all (~225 MB), the CLI is the place. */
const PAGE_LANES_CELLS = 1_000_000;

function trainPageLanes(lrs: number[], epochs: number) {
  const spec = withOverrides(current().layout.spec, { epochs });
  const cells = buildLayout(spec).columns.length * spec.epochs * lrs.length;
  if (cells > PAGE_LANES_CELLS) {
    throw new Error(`${lrs.length} lanes of ${spec.epochs} epochs would be ${cells.toLocaleString('en')} cells; the page compares up to ${PAGE_LANES_CELLS.toLocaleString('en')} (fewer epochs or learning rates, or the CLI's --lanes)`);
  }
  return trainLanes(spec, lrs);
}

async function handle(m: ToWorker): Promise<unknown> {
  switch (m.type) {
    case 'create': {
      // New settings of the same network keep the built rows (Session's reuse); anything else is built anew.
      await session?.stop();
      attach(new Session(m.spec, session?.handOver() ?? undefined));
      return null;
    }
    case 'train': return current().train();
    case 'step': return current().step();
    case 'stop': return current().stop();
    case 'reset': return current().reset();
    case 'undo': return current().undo();
    case 'edit': {
      const s = current();
      return s.edit(m.epoch, s.layout.columns[m.col], m.value);
    }
    case 'replay': return current().replay(m.cells);
    case 'links': {
      const s = current();
      const { wb, layout } = s;
      const address = { sheet: wb.train, row: layout.rowOf(m.epoch), col: m.col };
      const cells = (list: ReturnType<typeof wb.hf.getCellPrecedents>) => list
        .filter((c): c is { sheet: number; row: number; col: number } => !('start' in c) && c.sheet === wb.train && c.row >= layout.headerRows)
        .map((c) => [c.row - layout.headerRows, c.col]);
      if (m.epoch >= wb.rows) return { precedents: [], dependents: [] };
      return { precedents: cells(wb.hf.getCellPrecedents(address)), dependents: cells(wb.hf.getCellDependents(address)) };
    }
    case 'xlsx': {
      const s = current();
      await s.stop();
      exportCancelled = false;
      // exceljs is loaded only when a workbook is written or read.
      const { xlsxBytes } = await import('../../export/xlsxBuffer');
      const total = s.wb.rows;
      const cancelled = () => {
        const err = new Error('the export was cancelled');
        err.name = 'Cancelled';
        return err;
      };
      const bytes = await xlsxBytes(s.wb, { flavour: m.flavour, version: m.version }, (done) => {
        // Called between chunks of rows, after a pause in which a cancel message may have arrived.
        if (exportCancelled) throw cancelled();
        emit({ type: 'exportProgress', done, total, zipping: done >= total });
      });
      if (exportCancelled) throw cancelled();
      return bytes;
    }
    case 'cancelExport':
      exportCancelled = true;
      return null;
    case 'import': {
      const { readGradsheetXlsx } = await import('../../export/importXlsx');
      return readGradsheetXlsx(m.bytes);
    }
    case 'gradcheck': {
      const s = current();
      const r = gradCheckRow(s.wb, m.epoch);
      const reply: GradCheckReply = {
        epoch: r.epoch, threshold: r.threshold, passed: r.passed,
        worst: r.worst && { col: r.worst.column.index, relError: r.worst.relError },
        cells: r.cells.map((c) => ({ col: c.column.index, claimed: c.claimed, numeric: c.numeric, relError: c.relError, status: c.status, note: c.note })),
      };
      return reply;
    }
    case 'lanes':
      return trainPageLanes(m.lrs, m.epochs).map((l): LaneReply => {
        const reply = { lr: l.lr, losses: l.losses, error: l.error };
        l.wb.hf.destroy();
        return reply;
      });
    case 'lanesXlsx': {
      const lanes = trainPageLanes(m.lrs, m.epochs);
      const { lanesXlsxBytes } = await import('../../export/xlsxBuffer');
      try {
        return await lanesXlsxBytes(lanes.map((l) => ({ lr: l.lr, source: l.wb })), { flavour: m.flavour, version: m.version });
      } finally {
        for (const l of lanes) l.wb.hf.destroy();
      }
    }
    case 'lossCsv': return lossCsv(current().wb);
    case 'rowsCsv': return rowsCsv(current().wb, m.from, m.to);
  }
}

self.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  handle(m).then(
    (result) => post({ kind: 'reply', id: m.id, ok: true, result }, result instanceof ArrayBuffer ? [result] : []),
    (err: Error) => post({ kind: 'reply', id: m.id, ok: false, error: err.message, name: err.name }),
  );
};
