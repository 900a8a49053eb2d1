import xor44 from '../../sheets/end2-xor-44.json';
import backprop222 from '../../sheets/end2-backprop-2-2-2.json';
import xor9 from '../../sheets/end2-xor-9.json';
import courseXor221 from '../../sheets/end2-course-xor-2-2-1.json';
import xor44Adam from '../../sheets/end2-xor-44-adam.json';
import xorSoftmax242 from '../../sheets/end2-xor-softmax-2-4-2.json';
import { parseSpec, SpecError } from './validate';
import type { Spec } from './types';

const RAW: Record<string, unknown> = {
  'end2-xor-44': xor44,
  'end2-backprop-2-2-2': backprop222,
  'end2-xor-9': xor9,
  'end2-course-xor-2-2-1': courseXor221,
  'end2-xor-44-adam': xor44Adam,
  'end2-xor-softmax-2-4-2': xorSoftmax242,
};

export const PRESET_NAMES = Object.keys(RAW);

export function loadPreset(name: string): Spec {
  const raw = RAW[name];
  if (raw === undefined) throw new SpecError('preset', `no preset named "${name}" (presets: ${PRESET_NAMES.join(', ')})`);
  return parseSpec(raw);
}
