import { notebookFiles } from '../export/notebook';
import { notebookRunOf } from '../export/notebookRun';
import type { Spec } from '../spec/types';
import { importXlsx, type EngineConnection, type RemoteSession } from './engine/remoteSession';
import { megabytes, XLSX_IMPORT_MAX_BYTES } from './limits';
import type { Controls } from './views/controls';
import { download, type FileControls } from './views/files';

/**
 * The page's long file work: the XLSX export (its rows-written progress, cancel) and the XLSX import (progress; a
 * cancelled import's result is dropped). While one runs, its buttons are disabled, so a double click starts one.
 */

export interface FileWorkHost {
  session(): RemoteSession;
  readonly engine: EngineConnection;
  readonly controls: Controls;
  readonly files: FileControls;
  /** An error in the message line (and window.gradsheet.lastError). */
  report(message: string): void;
  /** Opens an imported spec as the sheet (it stands for its name, as an opened spec file does). */
  open(spec: Spec, message: string): Promise<void>;
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const NOTEBOOK_TYPES = { ipynb: 'application/x-ipynb+json', py: 'text/x-python' } as const;

export class FileWork {
  private exporting = false;
  /** An import is running; cancel() sets `cancelled` and its result is dropped. */
  private importing: { cancelled: boolean } | null = null;

  constructor(private readonly host: FileWorkHost) {}

  /** Stop: cancels an export or an import; false when neither runs. */
  async cancel(): Promise<boolean> {
    const { controls, files } = this.host;
    if (this.importing) {
      // The worker reads the file in one go: its result is dropped when it comes, and the sheet stays as it is.
      this.importing.cancelled = true;
      files.setBusy(null);
      controls.busy(null);
      controls.message('import cancelled; the current sheet is unchanged', false);
      return true;
    }
    if (this.exporting) {
      await this.host.session().cancelExport();
      return true;
    }
    return false;
  }

  async exportXlsx(flavour: 'values' | 'live'): Promise<void> {
    if (this.exporting) return;
    const { controls, files } = this.host;
    const session = this.host.session();
    this.exporting = true;
    files.setBusy('export');
    controls.busy('XLSX: starting…', 0);
    const name = `${session.spec.name}-${flavour}.xlsx`;
    try {
      await session.stop();
      controls.message(`writing ${name}… (Stop cancels)`, false);
      const bytes = await session.xlsx(flavour, __APP_VERSION__);
      download(name, bytes, XLSX_TYPE);
      controls.message(`wrote ${name} (${megabytes(bytes.byteLength)})`, false);
    } catch (err) {
      if ((err as Error).name === 'Cancelled') controls.message(`${name}: cancelled, nothing written`, false);
      else this.host.report(`${name} could not be written: ${(err as Error).message}`);
    } finally {
      this.exporting = false;
      files.setBusy(null);
      controls.busy(null);
      controls.progress(session.rows, session.spec.epochs);
    }
  }

  /**
   * The sheet's run as the PyTorch notebook or script, from the values the page holds (with the user's edits), so
   * it is written here without the worker; training is stopped first, so the rows are one run.
   */
  async exportNotebook(kind: 'ipynb' | 'py'): Promise<void> {
    const { controls } = this.host;
    const session = this.host.session();
    const name = `${session.spec.name}.${kind}`;
    try {
      await session.stop();
      const text = notebookFiles(notebookRunOf(session), __APP_VERSION__)[kind];
      download(name, text, NOTEBOOK_TYPES[kind]);
      const stopped = session.rows < session.spec.epochs ? ` (the ${session.rows} epochs the sheet holds)` : '';
      controls.message(`wrote ${name}${stopped}: ${kind === 'ipynb' ? 'open it in Jupyter or Colab' : 'run it with python3 and PyTorch'}`, false);
    } catch (err) {
      this.host.report(`${name} could not be written: ${(err as Error).message}`);
    }
  }

  /** Reads a workbook gradsheet exported; on any problem the current sheet stays as it is. */
  async importXlsx(file: File): Promise<void> {
    const { controls, files } = this.host;
    try {
      if (file.size > XLSX_IMPORT_MAX_BYTES) {
        throw new Error(`the file is ${megabytes(file.size)}; the page imports workbooks up to ${megabytes(XLSX_IMPORT_MAX_BYTES)}`);
      }
      const run = { cancelled: false };
      this.importing = run;
      files.setBusy('import');
      controls.busy(`importing ${file.name}… (Stop cancels)`, null);
      const spec = await importXlsx(this.host.engine, await file.arrayBuffer()).finally(() => {
        if (this.importing === run) this.importing = null;
        if (run.cancelled) return;
        files.setBusy(null);
        controls.busy(null);
      });
      if (run.cancelled) return;
      await this.host.open(spec, `imported ${file.name}: ${spec.name}, η ${spec.optimizer.lr}, training…`);
    } catch (err) {
      this.host.report(`${file.name}: ${(err as Error).message}. The current sheet is unchanged.`);
    }
  }
}
