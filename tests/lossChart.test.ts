import { describe, expect, it } from 'vitest';
import { nearestEpoch, toPlotValues } from '../src/web/views/lossValues';

describe('toPlotValues', () => {
  it('passes finite losses through on a linear scale, zeros included', () => {
    expect(toPlotValues([1, 0.5, 0, 0.25], false, 4)).toEqual([1, 0.5, 0, 0.25]);
  });

  it('turns zeros (and negatives) into gaps on a log scale', () => {
    expect(toPlotValues([1, 0, 0.5, -1e-9, 0], true, 5)).toEqual([1, null, 0.5, null, null]);
  });

  it('turns NaN and infinities into gaps on either scale', () => {
    const losses = [NaN, Infinity, -Infinity, 2];
    expect(toPlotValues(losses, false, 4)).toEqual([null, null, null, 2]);
    expect(toPlotValues(losses, true, 4)).toEqual([null, null, null, 2]);
  });

  it('pads a series shorter than the x range with nulls', () => {
    expect(toPlotValues([3, 2], false, 5)).toEqual([3, 2, null, null, null]);
    expect(toPlotValues([], true, 2)).toEqual([null, null]);
  });

  it('truncates to the requested length and handles length 0', () => {
    expect(toPlotValues([3, 2, 1], false, 2)).toEqual([3, 2]);
    expect(toPlotValues([3, 2, 1], false, 0)).toEqual([]);
  });

  it('returns a dense array (no holes) and does not touch the input', () => {
    const losses = [1, 0];
    const out = toPlotValues(losses, true, 4);
    expect(out.length).toBe(4);
    for (let i = 0; i < out.length; i++) expect(i in out).toBe(true);
    expect(losses).toEqual([1, 0]);
  });

  it('is fast enough for tens of thousands of points', () => {
    const losses = Array.from({ length: 50_000 }, (_, i) => (i % 7 === 0 ? 0 : 1 / (i + 1)));
    const t0 = performance.now();
    const out = toPlotValues(losses, true, 50_000);
    expect(performance.now() - t0).toBeLessThan(50);
    expect(out[0]).toBeNull();
    expect(out[1]).toBe(0.5);
  });
});

describe('nearestEpoch', () => {
  it('rounds and clamps to the data', () => {
    expect(nearestEpoch(2.4, 10)).toBe(2);
    expect(nearestEpoch(2.6, 10)).toBe(3);
    expect(nearestEpoch(-3, 10)).toBe(0);
    expect(nearestEpoch(42, 10)).toBe(9);
  });

  it('gives null without data or without a position', () => {
    expect(nearestEpoch(1, 0)).toBeNull();
    expect(nearestEpoch(NaN, 10)).toBeNull();
  });
});
