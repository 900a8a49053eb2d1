import { describe, expect, it } from 'vitest';
import { runEpochs } from '../src/driver/driver';
import { buildLayout } from '../src/layout/layout';
import { loadPreset } from '../src/spec/presets';
import { initialParams, sampleOrder } from '../src/spec/resolve';
import type { Spec } from '../src/spec/types';
import { withOverrides } from '../src/spec/validate';
import type { EngineConnection } from '../src/web/engine/remoteSession';
import { RemoteSession } from '../src/web/engine/remoteSession';
import type { FromWorker } from '../src/web/engine/protocol';
import { buildWorkbook } from '../src/workbook/workbook';
import { referenceLosses } from './support/referenceLosses';
import { close } from './support/sheetCheck';

/** A RemoteSession fed the rows of a workbook trained here, as the engine worker would send them. */
async function mirrored(spec: Spec): Promise<RemoteSession> {
  let listener: (e: FromWorker & { kind: 'event' }) => void = () => undefined;
  const engine: EngineConnection = {
    request: async () => null,
    onEvent: (l) => {
      listener = l;
      return () => undefined;
    },
  };
  const session = await RemoteSession.create(engine, spec, null);
  const wb = buildWorkbook(buildLayout(spec), initialParams(spec), sampleOrder(spec));
  runEpochs(wb);
  const cols = wb.layout.columns.length;
  const block = wb.hf.getRangeValues({ start: { sheet: wb.train, row: wb.layout.rowOf(0), col: 0 }, end: { sheet: wb.train, row: wb.layout.rowOf(wb.rows - 1), col: cols - 1 } });
  listener({ kind: 'event', type: 'rows', from: 0, count: wb.rows, values: Float64Array.from(block.flat() as number[]), special: [], rows: wb.rows });
  wb.hf.destroy();
  return session;
}

describe("the page's loss series (RemoteSession)", () => {
  it('end2-xor-44: losses() is each epoch\'s mean L̄, stepLosses() each step\'s loss, as the reference trainer computes them', async () => {
    const spec = withOverrides(loadPreset('end2-xor-44'), { epochs: 40 });
    const session = await mirrored(spec);
    const ref = referenceLosses(spec, initialParams(spec), sampleOrder(spec));
    const losses = session.losses();
    expect(losses).toHaveLength(40);
    losses.forEach((l, e) => expect(close(l, ref.mean[e]), `epoch ${e}`).toBe(true));
    const steps = session.stepLosses();
    expect(steps).toHaveLength(4);
    steps.forEach((series, s) => series.forEach((l, e) => expect(close(l, ref.steps[e][s]), `epoch ${e}, step ${s + 1}`).toBe(true)));
  });

  it('full batch: one series, the loss itself', async () => {
    const spec = withOverrides(loadPreset('end2-backprop-2-2-2'), { epochs: 11 });
    const session = await mirrored(spec);
    const ref = referenceLosses(spec, initialParams(spec), null);
    expect(session.stepLosses()).toEqual([session.losses()]);
    session.losses().forEach((l, e) => expect(close(l, ref.last[e])).toBe(true));
  });
});
