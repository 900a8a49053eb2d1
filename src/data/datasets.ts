import { Random, STREAMS } from '../spec/random';
import type { DataSpec } from '../spec/types';

/**
 * Data sets a network can be trained on, one entry each: the fixed truth tables and the course's Session 2 sample,
 * and small two-input sets in the spirit of TensorFlow Playground (circle, two gaussians, a spiral) drawn from a
 * seed, so the same seed gives the same points on every machine. Targets are 0 or 1 (in reach of a sigmoid).
 */
export interface DatasetEntry {
  label: string;
  explain: string;
  /** Units of the output layer the targets need. */
  outputs: number;
  /** Drawn from the seed with a chosen number of samples (false: a fixed table). */
  generated: boolean;
  /** `count` and `seed` are ignored by a fixed table. */
  make(count: number, seed: number): DataSpec;
}

/** Coordinates to three decimals: readable in the sheet's input cells, and still the same points. */
const r3 = (x: number) => Math.round(x * 1000) / 1000;

function table(rows: [number, number, number][]): DataSpec {
  return { inputs: rows.map(([a, b]) => [a, b]), targets: rows.map(([, , t]) => [t]) };
}

/** Half the samples of class 1, half of class 0 (class 1 gets the odd one), each drawn by `point`. */
function twoClasses(count: number, seed: number, point: (rng: Random, cls: 0 | 1, i: number, n: number) => [number, number]): DataSpec {
  const rng = new Random(seed, STREAMS.data);
  const inputs: number[][] = [];
  const targets: number[][] = [];
  const ones = Math.ceil(count / 2);
  for (let i = 0; i < count; i++) {
    const cls = i < ones ? 1 : 0;
    const k = cls === 1 ? i : i - ones;
    const [x, y] = point(rng, cls, k, cls === 1 ? ones : count - ones);
    inputs.push([r3(x), r3(y)]);
    targets.push([cls]);
  }
  return { inputs, targets };
}

const ENTRIES = {
  xor: {
    label: 'XOR', explain: '1 when exactly one input is 1: not separable by one line, so it needs a hidden layer',
    outputs: 1, generated: false, make: () => table([[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]]),
  },
  and: {
    label: 'AND', explain: '1 only when both inputs are 1: one line separates it, so a network without a hidden layer can learn it',
    outputs: 1, generated: false, make: () => table([[0, 0, 0], [0, 1, 0], [1, 0, 0], [1, 1, 1]]),
  },
  or: {
    label: 'OR', explain: '1 when either input is 1: separable by one line',
    outputs: 1, generated: false, make: () => table([[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1]]),
  },
  session2: {
    label: 'Session 2 sample', explain: "the course's backprop sheet: one sample, i1 = 0.05, i2 = 0.1, targets t1 = 0.01, t2 = 0.99 (two outputs)",
    outputs: 2, generated: false, make: () => ({ inputs: [[0.05, 0.1]], targets: [[0.01, 0.99]] }),
  },
  circle: {
    label: 'circle', explain: 'class 1 inside a circle of radius 0.5, class 0 on a ring from 0.7 to 1 around it: needs a curved boundary',
    outputs: 1, generated: true,
    make: (count, seed) => twoClasses(count, seed, (rng, cls) => {
      const r = cls === 1 ? 0.5 * rng.uniform() : 0.7 + 0.3 * rng.uniform();
      const a = 2 * Math.PI * rng.uniform();
      return [r * Math.sin(a), r * Math.cos(a)];
    }),
  },
  gaussians: {
    label: 'two gaussians', explain: 'two clouds of points, class 1 around (0.5, 0.5) and class 0 around (−0.5, −0.5), standard deviation 0.25: nearly separable by one line',
    outputs: 1, generated: true,
    make: (count, seed) => twoClasses(count, seed, (rng, cls) => {
      const c = cls === 1 ? 0.5 : -0.5;
      return [c + 0.25 * rng.normal(), c + 0.25 * rng.normal()];
    }),
  },
  spiral: {
    label: 'spiral', explain: 'two interleaved spiral arms, one per class, winding 1¾ turns out to radius 1: hard, needs several hidden units',
    outputs: 1, generated: true,
    make: (count, seed) => twoClasses(count, seed, (rng, cls, i, n) => {
      const t = n > 1 ? i / (n - 1) : 0;
      const angle = 1.75 * 2 * Math.PI * t + (cls === 1 ? 0 : Math.PI);
      const r = 0.1 + 0.9 * t;
      return [r * Math.sin(angle) + 0.02 * rng.normal(), r * Math.cos(angle) + 0.02 * rng.normal()];
    }),
  },
} satisfies Record<string, DatasetEntry>;

export type DatasetName = keyof typeof ENTRIES;
export const DATASETS: Record<DatasetName, DatasetEntry> = ENTRIES;
export const DATASET_NAMES = Object.keys(DATASETS) as DatasetName[];

/** The samples a generated set starts with in the page. */
export const DEFAULT_SAMPLES = 40;
