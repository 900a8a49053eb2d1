import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { checkWorkbookFile } from '../src/check/node';
import { runEpochs } from '../src/driver/driver';
import { writeXlsxFile } from '../src/export/xlsxFile';
import { buildLayout, TRAIN_SHEET } from '../src/layout/layout';
import { loadPreset } from '../src/spec/presets';
import { initialParams, sampleOrder } from '../src/spec/resolve';
import type { Spec } from '../src/spec/types';
import { withOverrides } from '../src/spec/validate';
import { buildWorkbook, numberAt, type Workbook } from '../src/workbook/workbook';
import { tempPath } from './support/xlsxFiles';

function trained(spec: Spec): Workbook {
  const wb = buildWorkbook(buildLayout(spec), initialParams(spec), sampleOrder(spec));
  runEpochs(wb);
  return wb;
}

async function exported(wb: Workbook, name: string): Promise<string> {
  const path = tempPath(name);
  await writeXlsxFile(wb, path, { flavour: 'values', version: 'test' });
  return path;
}

describe('the workbook checker recognises an Adam update, or says it is not one', () => {
  it('end2-xor-softmax-2-4-2 (Adam, full batch): every update is an Adam step, first step m̂ = g and v̂ = g²', async () => {
    const wb = trained(withOverrides(loadPreset('end2-xor-softmax-2-4-2'), { epochs: 3 }));
    const report = await checkWorkbookFile(await exported(wb, 'adam-full.xlsx'));
    expect(report.verdict).toBe('pass');
    const updates = report.updates.filter((u) => u.kind === 'weight');
    expect(updates.length).toBe(wb.layout.params.length * 2); // new w (row 2) and the next row's w
    for (const u of updates) {
      expect(u.status).toBe('pass');
      expect(u.note).toMatch(/an Adam update \([wb]\d+ − η·m̂\/\(√v̂ \+ ε\) with m̂ = m̂_[wb]\d+, v̂ = v̂_[wb]\d+, ε = 1\.0+e-8\); at this first step m̂ = g and v̂ = g²/);
    }
    const w1 = updates.find((u) => u.nextName === 'new w1')!;
    expect(w1.expected).toBe(numberAt(wb, 0, wb.layout.column('new w1')));
  });

  it('an AdamW run (decoupled weight decay λ): recognised as an AdamW update', async () => {
    const base = withOverrides(loadPreset('end2-xor-softmax-2-4-2'), { epochs: 3 });
    const wb = trained({ ...base, optimizer: { ...base.optimizer, kind: 'adamw', weight_decay: 0.1 } });
    const report = await checkWorkbookFile(await exported(wb, 'adamw.xlsx'));
    expect(report.verdict).toBe('pass');
    for (const u of report.updates) expect(u.note).toMatch(/an AdamW update \([wb]\d+·\(1 − η·0\.1\) − η·m̂/);
  });

  it('end2-xor-44-adam (single-sample steps): later steps are recognised too, their moments not checked', async () => {
    const wb = trained(withOverrides(loadPreset('end2-xor-44-adam'), { epochs: 3 }));
    const report = await checkWorkbookFile(await exported(wb, 'adam-sample.xlsx'));
    expect(report.verdict).toBe('pass');
    const notes = report.updates.map((u) => u.note ?? '');
    expect(notes.filter((n) => n.includes('first step m̂ = g')).length).toBe(44 * 1);
    expect(notes.filter((n) => n.includes('the moments themselves are not checked')).length).toBe(44 * 4);
  });

  it('an update that adds the Adam step (a wrong sign) fails and says it is neither SGD\'s nor Adam\'s rule', async () => {
    const wb = trained(withOverrides(loadPreset('end2-xor-softmax-2-4-2'), { epochs: 3 }));
    const path = await exported(wb, 'adam-wrong.xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(path);
    const col = (name: string) => wb.layout.column(name).letter;
    book.getWorksheet(TRAIN_SHEET)!.getCell(`${col('new w1')}2`).value = {
      formula: `${col('w1')}2+${col('η')}2*${col('m̂_w1')}2/(SQRT(${col('v̂_w1')}2)+${col('ε')}2)`, result: 0,
    };
    await book.xlsx.writeFile(path);
    const report = await checkWorkbookFile(path);
    expect(report.verdict).toBe('fail');
    const bad = report.updates.filter((u) => u.status === 'fail');
    // The planted cell, and the next row's w1, which the SGD rule (all that is left) does not give either.
    expect(bad.map((u) => u.nextName)).toEqual(['new w1', 'w1']);
    expect(bad[0].hints.join(' ')).toMatch(/nor is it Adam's rule/);
    // The other weights are still recognised as Adam steps.
    expect(report.updates.filter((u) => u.status === 'pass' && u.note?.includes('an Adam update')).length).toBe(2 * 22 - 2);
  });
});
