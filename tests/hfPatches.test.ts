import { HyperFormula } from 'hyperformula';
import { describe, expect, it } from 'vitest';
import { runEpochs } from '../src/driver/driver';
import { buildLayout } from '../src/layout/layout';
import { loadPreset } from '../src/spec/presets';
import { initialParams, sampleOrder } from '../src/spec/resolve';
import { withOverrides } from '../src/spec/validate';
import { applyHyperFormulaPatches, compactDependencyGraph } from '../src/workbook/hfPatches';
import { buildWorkbook, HF_CONFIG, numberAt } from '../src/workbook/workbook';

type Vertex = { formula?: object };
const vertexAt = (hf: HyperFormula, sheet: number, row: number, col: number) =>
  (hf as unknown as { dependencyGraph: { addressMapping: { getCell(a: object): Vertex } } })
    .dependencyGraph.addressMapping.getCell({ sheet, row, col });

describe('HyperFormula memory fixes', () => {
  it('rows share one cached formula tree (the parser fix is active on the pinned HyperFormula)', () => {
    const spec = withOverrides(loadPreset('end2-xor-44'), { epochs: 5 });
    const wb = buildWorkbook(buildLayout(spec), initialParams(spec), sampleOrder(spec));
    runEpochs(wb);
    const col = wb.layout.column('new w1_1_1[4]').index;
    const a = vertexAt(wb.hf, wb.train, wb.layout.rowOf(1), col);
    const b = vertexAt(wb.hf, wb.train, wb.layout.rowOf(3), col);
    expect(a.formula).toBeDefined();
    expect(a.formula).toBe(b.formula);
  });

  it('formulas with ranges, reversed or not, still compute', () => {
    applyHyperFormulaPatches();
    const hf = HyperFormula.buildFromArray(
      [[1, 2, 3, '=SUM(C1:A1)', '=SUM(A1:C1)', '=INDEX(A1:C1,1,2)*2', '=A1*B1+C1']],
      { ...HF_CONFIG },
    );
    expect(hf.getSheetValues(0)[0].slice(3)).toEqual([6, 6, 4, 5]);
    hf.setCellContents({ sheet: 0, row: 0, col: 0 }, 10);
    expect(hf.getSheetValues(0)[0].slice(3)).toEqual([15, 15, 4, 23]);
  });

  it('after compacting the dependency arrays, new formulas and edits propagate as before', () => {
    const spec = loadPreset('end2-backprop-2-2-2');
    const wb = buildWorkbook(buildLayout(spec), initialParams(spec), sampleOrder(spec));
    runEpochs(wb);
    compactDependencyGraph(wb.hf);
    const { hf, layout, train } = wb;
    const w5 = layout.column('w5');
    const extra = layout.columns.length + 2;
    // A new cell reading w5 of epoch 0 becomes one more dependent of a compacted cell.
    hf.setCellContents({ sheet: train, row: layout.rowOf(0), col: extra }, `=${w5.letter}${layout.rowOf(0) + 1}*2`);
    hf.setCellContents({ sheet: train, row: layout.rowOf(0), col: w5.index }, 1);
    expect(hf.getCellValue({ sheet: train, row: layout.rowOf(0), col: extra })).toBe(2);
    expect(numberAt(wb, 0, layout.column('new w5'))).toBe(1 - 0.5 * numberAt(wb, 0, layout.column('∂E/∂w5')));
  });
});
