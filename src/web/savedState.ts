import { buildLayout, isEditableColumn } from '../layout/layout';
import { loadPreset } from '../spec/presets';
import type { Spec } from '../spec/types';
import { parseSpec, SpecError, toSpecJson, withOverrides } from '../spec/validate';
import type { CellOverride, Settings } from './session';

/**
 * The user's work kept in the browser's storage: the settings, the spec they apply to when it is not a preset
 * (opened from a file or imported), and the cells the user set that are in effect. The page writes it as it
 * changes and reads it at load. A state that cannot be used (damaged, from another version, a spec that no longer
 * validates, an edit naming a column the sheet does not have) is reported and set aside, never fatal.
 * No DOM beyond a Storage-like object, so it is tested in Node.
 */

export const STATE_KEY = 'gradsheet.state/1';
/** Where a state that could not be restored is moved, with the reason. */
export const BROKEN_KEY = 'gradsheet.state.broken';
/** Where the saved work goes when a link with other settings is opened. */
export const PREVIOUS_KEY = 'gradsheet.state.previous';
const OTHER_VERSION = /^gradsheet\.state\/(\d+)$/;

export interface SavedState {
  version: 1;
  settings: Settings;
  /** The spec (spec-file JSON) when the settings' `preset` names a spec that is not a preset; null for a preset. */
  spec: Record<string, unknown> | null;
  /** The cells the user set, as Session.overrides() lists them. */
  edits: CellOverride[];
  savedAt: string;
}

export type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>;

export type ReadResult =
  | { kind: 'none' }
  | { kind: 'ok'; state: SavedState; /** the spec with the settings applied */ spec: Spec; /** the custom spec, or null for a preset */ custom: Spec | null }
  | { kind: 'broken'; key: string; text: string; reason: string };

/** The browser's localStorage, or null where it cannot be used (disabled, sandboxed, full of errors). */
export function browserStorage(): StorageLike | null {
  try {
    const s = globalThis.localStorage;
    if (!s) return null;
    s.getItem(STATE_KEY);
    return s;
  } catch {
    return null;
  }
}

export function makeSavedState(settings: Settings, custom: Spec | null, edits: CellOverride[]): SavedState {
  return { version: 1, settings: { ...settings }, spec: custom ? toSpecJson(custom) : null, edits, savedAt: new Date().toISOString() };
}

/** Writes the state; returns the reason when the storage refuses it (full, disabled). */
export function writeSavedState(storage: StorageLike, state: SavedState): string | null {
  try {
    storage.setItem(STATE_KEY, JSON.stringify(state));
    return null;
  } catch (err) {
    return (err as Error).message || String(err);
  }
}

export function clearSavedState(storage: StorageLike): void {
  try {
    storage.removeItem(STATE_KEY);
  } catch {
    // Nothing to do: a storage that cannot be written holds nothing of ours.
  }
}

/** Moves a saved state to `to` (with the reason and the time), out of the way of the page's own saving. */
export function setAside(storage: StorageLike, from: string, text: string, reason: string, to = BROKEN_KEY): void {
  try {
    storage.setItem(to, JSON.stringify({ reason, key: from, setAsideAt: new Date().toISOString(), text }));
  } catch {
    // The storage is full or refuses: dropping the unusable state is still better than failing on it every load.
  }
  try {
    storage.removeItem(from);
  } catch {
    // As above.
  }
}

/** Reads the saved state and checks every part of it; never throws. */
export function readSavedState(storage: StorageLike): ReadResult {
  let text: string | null;
  try {
    text = storage.getItem(STATE_KEY);
  } catch (err) {
    return { kind: 'broken', key: STATE_KEY, text: '', reason: `the browser's storage could not be read (${(err as Error).message})` };
  }
  if (text === null) {
    // A state written by another version of the page, under its own key.
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i);
      const m = key ? OTHER_VERSION.exec(key) : null;
      if (key && m) {
        return { kind: 'broken', key, text: storage.getItem(key) ?? '', reason: `it was saved by another version of gradsheet (format ${m[1]}; this page reads format 1)` };
      }
    }
    return { kind: 'none' };
  }
  try {
    return { kind: 'ok', ...checkSavedState(JSON.parse(text)) };
  } catch (err) {
    const reason = err instanceof SyntaxError ? `it is not valid JSON (${err.message})` : (err as Error).message;
    return { kind: 'broken', key: STATE_KEY, text, reason };
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a parsed saved state; throws an Error saying what is wrong. */
export function checkSavedState(raw: unknown): { state: SavedState; spec: Spec; custom: Spec | null } {
  if (!isObj(raw)) throw new Error('it is not a saved gradsheet state');
  if (raw.version !== 1) throw new Error(`it was saved by another version of gradsheet (format ${JSON.stringify(raw.version ?? null)}; this page reads format 1)`);
  const s = raw.settings;
  if (!isObj(s) || typeof s.preset !== 'string' || s.preset === '') throw new Error('its settings name no preset');
  const settings: Settings = { preset: s.preset };
  for (const key of ['epochs', 'lr', 'momentum', 'seed'] as const) {
    if (s[key] === undefined) continue;
    if (typeof s[key] !== 'number' || !Number.isFinite(s[key])) throw new Error(`its setting ${key} is ${JSON.stringify(s[key])}, not a number`);
    settings[key] = s[key] as number;
  }
  if (s.batch !== undefined) {
    if (s.batch !== 'full' && s.batch !== 'sample') throw new Error(`its setting batch is ${JSON.stringify(s.batch)}, not "full" or "sample"`);
    settings.batch = s.batch;
  }
  let custom: Spec | null = null;
  let spec: Spec;
  try {
    if (raw.spec !== null && raw.spec !== undefined) {
      custom = parseSpec(raw.spec);
      if (custom.name !== settings.preset) throw new SpecError('name', `is "${custom.name}", but the settings name "${settings.preset}"`);
    }
    const { preset, ...over } = settings;
    spec = withOverrides(custom ?? loadPreset(preset), over);
  } catch (err) {
    if (err instanceof SpecError) throw new Error(`its spec does not validate (${err.field}: ${err.reason})`);
    throw err;
  }
  if (!Array.isArray(raw.edits)) throw new Error('its list of edits is missing');
  const layout = buildLayout(spec);
  const edits: CellOverride[] = raw.edits.map((e: unknown, i: number) => {
    const where = `its edit ${i + 1}`;
    if (!isObj(e)) throw new Error(`${where} is not an edit`);
    const { epoch, column, raw: value } = e;
    if (typeof epoch !== 'number' || !Number.isInteger(epoch) || epoch < 0 || epoch >= spec.epochs) {
      throw new Error(`${where} names epoch ${JSON.stringify(epoch)}; the sheet has epochs 0 to ${spec.epochs - 1}`);
    }
    const col = typeof column === 'string' ? layout.columns.find((c) => c.name === column) : undefined;
    if (!col) throw new Error(`${where} names the column ${JSON.stringify(column)}, which ${spec.name} does not have`);
    if (!isEditableColumn(col)) throw new Error(`${where} sets ${col.name}, which is computed`);
    if (!(typeof value === 'number' && Number.isFinite(value)) && typeof value !== 'string') {
      throw new Error(`${where} sets ${col.name} to ${JSON.stringify(value)}, not a number or a formula`);
    }
    return { epoch, column: col.name, raw: value };
  });
  const savedAt = typeof raw.savedAt === 'string' ? raw.savedAt : '';
  return { state: { version: 1, settings, spec: custom ? toSpecJson(custom) : null, edits, savedAt }, spec, custom };
}

/** Settings compared whatever the order of their keys. */
export function sameSettings(a: Settings, b: Settings): boolean {
  const norm = (s: Settings) => JSON.stringify(Object.keys(s).sort().map((k) => [k, s[k as keyof Settings]]));
  return norm(a) === norm(b);
}
