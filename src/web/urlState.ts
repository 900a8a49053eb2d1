import type { Settings } from './session';

/** The view a link reopens: preset, settings and the selected cell (`?preset=end2-xor-44&cell=epoch+2000,L[4]`). */
export interface UrlState {
  settings: Settings;
  cell: string | null;
  /** "Follow a weight": the weight's name, or null. */
  follow?: string | null;
}

const NUMBER_KEYS = ['epochs', 'lr', 'momentum', 'seed'] as const;

export function readUrlState(search: string, defaultPreset: string): UrlState {
  const q = new URLSearchParams(search);
  const settings: Settings = { preset: q.get('preset') ?? defaultPreset };
  for (const key of NUMBER_KEYS) {
    const raw = q.get(key);
    if (raw !== null && raw.trim() !== '' && Number.isFinite(Number(raw))) settings[key] = Number(raw);
  }
  const batch = q.get('batch');
  if (batch === 'full' || batch === 'sample') settings.batch = batch;
  return { settings, cell: q.get('cell'), follow: q.get('follow') };
}

export function writeUrlState(state: UrlState): string {
  const q = new URLSearchParams();
  q.set('preset', state.settings.preset);
  for (const key of NUMBER_KEYS) if (state.settings[key] !== undefined) q.set(key, String(state.settings[key]));
  if (state.settings.batch) q.set('batch', state.settings.batch);
  if (state.cell) q.set('cell', state.cell);
  if (state.follow) q.set('follow', state.follow);
  return `?${q.toString()}`;
}
