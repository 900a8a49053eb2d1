import type { CellValue, RawCellContent } from 'hyperformula';
import type { Flavour } from '../../export/xlsx';
import type { Spec } from '../../spec/types';
import type { CellOverride, TrainState } from '../session';

/**
 * Messages between the page and the engine worker, which holds the HyperFormula workbook and trains it, so
 * neither the engine's work nor its garbage collection ever blocks the page.
 */

export type Request =
  | { type: 'create'; spec: Spec }
  | { type: 'train' } | { type: 'step' } | { type: 'stop' } | { type: 'reset' } | { type: 'undo' }
  | { type: 'edit'; epoch: number; col: number; value: number | string }
  | { type: 'replay'; cells: CellOverride[] }
  | { type: 'links'; epoch: number; col: number }
  | { type: 'xlsx'; flavour: Flavour; version: string }
  /** Cancels a running XLSX export (it rejects with an error named Cancelled). */
  | { type: 'cancelExport' }
  | { type: 'import'; bytes: ArrayBuffer }
  | { type: 'gradcheck'; epoch: number }
  | { type: 'lanes'; lrs: number[]; epochs: number }
  | { type: 'lanesXlsx'; lrs: number[]; epochs: number; flavour: Flavour; version: string }
  | { type: 'lossCsv' }
  | { type: 'rowsCsv'; from: number; to: number };

export type Reply =
  | { id: number; ok: true; result?: unknown }
  /** `name`: the error's class (EditRefused, DivergenceError, ...), so the page can tell a refusal from a blow-up. */
  | { id: number; ok: false; error: string; name?: string };

/** Cell coordinates as [epoch, column index]. */
export type CellAt = [number, number];

export type EngineEvent =
  /** Values of rows from..from+count-1 (row-major, NaN where `special` has a non-number), and how many rows exist. */
  | { type: 'rows'; from: number; count: number; values: Float64Array; special: [number, CellValue][]; rows: number }
  | { type: 'state'; state: TrainState; canUndo: boolean }
  /** A cell the user set or an undo restored (a number, or a formula again), after its row recomputed. */
  | { type: 'changed'; epoch: number; col: number; raw: RawCellContent }
  /** The cells the user set that are still in effect (what the page saves). */
  | { type: 'overrides'; cells: CellOverride[] }
  /** Training stopped at `epoch` on a value that is not a finite number (`col`: the cell named, when known). */
  | { type: 'diverged'; message: string; epoch: number; col: number | null }
  | { type: 'workbook' }
  /** An XLSX export's progress: rows written of the sheet's rows; `zipping` once they are all written. */
  | { type: 'exportProgress'; done: number; total: number; zipping: boolean };

export type FromWorker = ({ kind: 'reply' } & Reply) | ({ kind: 'event' } & EngineEvent);
export type ToWorker = { id: number } & Request;

/** A row's gradient check as the worker sends it (columns by index). */
export interface GradCheckReply {
  epoch: number;
  threshold: number;
  passed: boolean;
  worst: { col: number; relError: number } | null;
  cells: { col: number; claimed: number; numeric: number; relError: number; status: 'pass' | 'fail' | 'kink'; note?: string }[];
}

export interface LaneReply {
  lr: number;
  losses: number[];
  error: string | null;
}
