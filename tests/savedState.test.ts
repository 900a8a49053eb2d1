import { describe, expect, it } from 'vitest';
import { loadPreset } from '../src/spec/presets';
import {
  BROKEN_KEY, STATE_KEY, makeSavedState, readSavedState, sameSettings, setAside, writeSavedState, type StorageLike,
} from '../src/web/savedState';

/** Issue 7, "nothing lost": the saved state is read back whole, and anything wrong with it is named. */

function memoryStorage(init: Record<string, string> = {}): StorageLike & { data: Map<string, string> } {
  const data = new Map(Object.entries(init));
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, String(v)),
    removeItem: (k) => void data.delete(k),
    key: (i) => [...data.keys()][i] ?? null,
    get length() {
      return data.size;
    },
  };
}

const settings = { preset: 'end2-backprop-2-2-2', epochs: 200, lr: 0.8 };

describe('saved state', () => {
  it('round-trips settings and edits, and a custom spec', () => {
    const st = memoryStorage();
    expect(readSavedState(st)).toEqual({ kind: 'none' });
    expect(writeSavedState(st, makeSavedState(settings, null, [{ epoch: 10, column: 'w5', raw: 0.3 }, { epoch: 12, column: 'η', raw: '=B13*2' }]))).toBeNull();
    const r = readSavedState(st);
    expect(r.kind).toBe('ok');
    if (r.kind !== 'ok') return;
    expect(r.state.settings).toEqual(settings);
    expect(r.state.edits).toEqual([{ epoch: 10, column: 'w5', raw: 0.3 }, { epoch: 12, column: 'η', raw: '=B13*2' }]);
    expect(r.spec.epochs).toBe(200);
    expect(r.spec.optimizer.lr).toBe(0.8);
    expect(r.custom).toBeNull();

    const custom = { ...loadPreset('end2-backprop-2-2-2'), name: 'my-net', description: '<img src=x onerror=alert(1)>' };
    writeSavedState(st, makeSavedState({ preset: 'my-net', lr: 2 }, custom, []));
    const c = readSavedState(st);
    expect(c.kind === 'ok' && c.custom?.name).toBe('my-net');
    expect(c.kind === 'ok' && c.spec.optimizer.lr).toBe(2);
    expect(c.kind === 'ok' && c.spec.description).toBe('<img src=x onerror=alert(1)>');
  });

  it('names what is wrong with a broken or old state', () => {
    const broken = (text: string) => {
      const r = readSavedState(memoryStorage({ [STATE_KEY]: text }));
      expect(r.kind).toBe('broken');
      return r.kind === 'broken' ? r.reason : '';
    };
    const good = makeSavedState(settings, null, []);
    expect(broken('{"version":1,')).toMatch(/^it is not valid JSON/);
    expect(broken('[]')).toBe('it is not a saved gradsheet state');
    expect(broken(JSON.stringify({ ...good, version: 2 }))).toBe('it was saved by another version of gradsheet (format 2; this page reads format 1)');
    expect(broken(JSON.stringify({ ...good, settings: { preset: 'nope' } }))).toMatch(/^its spec does not validate \(preset: no preset named "nope"/);
    expect(broken(JSON.stringify({ ...good, settings: { ...settings, lr: 'fast' } }))).toBe('its setting lr is "fast", not a number');
    expect(broken(JSON.stringify({ ...good, settings: { ...settings, epochs: 0 } }))).toMatch(/^its spec does not validate \(epochs: /);
    expect(broken(JSON.stringify({ ...good, spec: { name: 'x' }, settings: { preset: 'x' } }))).toMatch(/^its spec does not validate \(/);
    expect(broken(JSON.stringify({ ...good, edits: [{ epoch: 3, column: 'w99', raw: 1 }] })))
      .toBe('its edit 1 names the column "w99", which end2-backprop-2-2-2 does not have');
    expect(broken(JSON.stringify({ ...good, edits: [{ epoch: 500, column: 'w1', raw: 1 }] }))).toBe('its edit 1 names epoch 500; the sheet has epochs 0 to 199');
    expect(broken(JSON.stringify({ ...good, edits: [{ epoch: 3, column: 'E_total', raw: 1 }] }))).toBe('its edit 1 sets E_total, which is computed');
    expect(broken(JSON.stringify({ ...good, edits: [{ epoch: 3, column: 'w1', raw: null }] }))).toBe('its edit 1 sets w1 to null, not a number or a formula');
    expect(broken(JSON.stringify({ ...good, edits: undefined }))).toBe('its list of edits is missing');
    // Another version's key.
    const old = readSavedState(memoryStorage({ 'gradsheet.state/0': '{}' }));
    expect(old).toMatchObject({ kind: 'broken', key: 'gradsheet.state/0', reason: expect.stringMatching(/another version of gradsheet \(format 0/) });
  });

  it('sets a state aside with its reason, out of the way of the next save', () => {
    const st = memoryStorage({ [STATE_KEY]: 'garbage' });
    setAside(st, STATE_KEY, 'garbage', 'it is not valid JSON');
    expect(st.data.has(STATE_KEY)).toBe(false);
    expect(JSON.parse(st.data.get(BROKEN_KEY)!)).toMatchObject({ reason: 'it is not valid JSON', key: STATE_KEY, text: 'garbage' });
    expect(readSavedState(st)).toEqual({ kind: 'none' });
  });

  it('a storage that refuses to write gives the reason instead of throwing', () => {
    const st = memoryStorage();
    st.setItem = () => {
      throw new Error('QuotaExceededError');
    };
    expect(writeSavedState(st, makeSavedState(settings, null, []))).toBe('QuotaExceededError');
    expect(() => setAside(st, STATE_KEY, 'x', 'y')).not.toThrow();
  });

  it('compares settings whatever the order of their keys', () => {
    expect(sameSettings({ preset: 'a', lr: 1, epochs: 2 }, { epochs: 2, preset: 'a', lr: 1 })).toBe(true);
    expect(sameSettings({ preset: 'a', lr: 1 }, { preset: 'a' })).toBe(false);
  });
});
