import { loadPreset } from '../../spec/presets';
import type { Spec } from '../../spec/types';
import type { Settings, TrainState } from '../session';

/** Preset, settings and the training buttons, with the progress bar and a message line. */

export interface ControlHandlers {
  train(settings: Settings): void;
  step(): void;
  stop(): void;
  reset(): void;
  undo(): void;
  logScale(on: boolean): void;
  /** The spec a name in the preset list stands for when it is not a preset (a spec opened from a file). */
  base?(name: string): Spec | null;
}

export interface Controls {
  setSettings(settings: Settings, spec: Spec): void;
  setSummary(text: string): void;
  setState(state: TrainState, canUndo: boolean): void;
  /** Epochs computed by the running work (`what`: training, re-running after an edit, …) of the sheet's epochs. */
  progress(reached: number, epochs: number, what?: string): void;
  /**
   * Other long work (an export, an import): its label and how far it is (0..1, or null when it cannot tell), or
   * null when it has ended. Stop cancels it meanwhile.
   */
  busy(label: string | null, fraction?: number | null): void;
  message(text: string, isError: boolean): void;
}

/** A preset (or `base`, the spec of that name) plus the values that differ from it: what the URL and the Train button carry. */
export function settingsDiff(presetName: string, values: Required<Omit<Settings, 'preset'>>, base: Spec = loadPreset(presetName)): Settings {
  const s: Settings = { preset: presetName };
  if (values.epochs !== base.epochs) s.epochs = values.epochs;
  if (values.lr !== base.optimizer.lr) s.lr = values.lr;
  if (values.momentum !== base.optimizer.momentum) s.momentum = values.momentum;
  if (values.seed !== base.seed) s.seed = values.seed;
  if (values.batch !== base.batch) s.batch = values.batch;
  return s;
}

export function labelled(label: string, input: HTMLElement, tip?: string): HTMLLabelElement {
  const l = document.createElement('label');
  l.append(`${label} `, input);
  if (tip) l.title = input.title = tip;
  return l;
}

/** One line on what each control does (its tooltip). */
const TIPS = {
  preset: 'A ready-made network and its data; choosing one builds and trains it (the network editor makes others)',
  epochs: 'How many rows the sheet has: epochs 0 to this − 1',
  lr: 'η, the learning rate: how far each update moves a weight against its gradient (w ← w − η·∂L/∂w)',
  momentum: 'μ, momentum: the share of the last update carried into the next (0 = plain gradient descent)',
  seed: 'Draws the starting weights (when the spec does not give them) and the sample order: same seed, same sheet',
  batch: 'single samples: one update per sample drawn, several steps a row (their names end in [1], [2], …); full batch: one update a row from all samples',
  train: 'Build the sheet with these settings and compute every epoch',
  step: 'Compute one more epoch (a row) and stop',
  reset: 'Drop the computed epochs after the first and start again from the starting weights',
  undo: 'Undo the last cell you set (Ctrl+Z)',
  log: 'Draw the loss on a logarithmic scale (small losses become visible)',
  progress: 'How many of the sheet\'s epochs are computed',
} as const;

function numberInput(name: string, step: string): HTMLInputElement {
  const i = document.createElement('input');
  i.type = 'number';
  i.name = name;
  i.step = step;
  return i;
}

function button(text: string, name: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.name = name;
  return b;
}

export function createControls(container: HTMLElement, presets: string[], on: ControlHandlers): Controls {
  const preset = document.createElement('select');
  preset.name = 'preset';
  for (const p of presets) preset.append(new Option(p, p));
  const epochs = numberInput('epochs', '1');
  const lr = numberInput('lr', 'any');
  const momentum = numberInput('momentum', 'any');
  const seed = numberInput('seed', '1');
  const batch = document.createElement('select');
  batch.name = 'batch';
  batch.append(new Option('single samples', 'sample'), new Option('full batch', 'full'));
  const train = button('Train', 'train');
  const step = button('Step', 'step');
  const stop = button('Stop', 'stop');
  stop.title = 'Stop what is running: training, the re-run after an edit, or an export';
  train.title = TIPS.train;
  step.title = TIPS.step;
  stop.disabled = true;
  const reset = button('Reset', 'reset');
  const undo = button('Undo', 'undo');
  reset.title = TIPS.reset;
  undo.title = TIPS.undo;
  const log = document.createElement('input');
  log.type = 'checkbox';
  log.name = 'log';
  const progress = document.createElement('progress');
  progress.max = 1;
  progress.value = 0;
  progress.setAttribute('aria-label', 'epochs computed');
  progress.title = TIPS.progress;
  let training = false;
  let otherWork = false;
  const status = document.createElement('span');
  status.className = 'status';
  const message = document.createElement('div');
  message.className = 'message';
  message.setAttribute('role', 'status');
  const summary = document.createElement('p');
  summary.className = 'summary';

  const row1 = document.createElement('div');
  row1.className = 'row';
  row1.append(
    labelled('preset', preset, TIPS.preset), labelled('epochs', epochs, TIPS.epochs), labelled('η', lr, TIPS.lr), labelled('μ', momentum, TIPS.momentum),
    labelled('seed', seed, TIPS.seed), labelled('batch', batch, TIPS.batch), train, step, stop, reset, undo, progress, status, labelled('log scale', log, TIPS.log),
  );
  container.append(row1, summary, message);

  const baseOf = (name: string) => on.base?.(name) ?? loadPreset(name);
  const fill = (spec: Spec) => {
    // A spec opened from a file gets its own entry (its name as text), replacing any earlier one.
    const opened = [...preset.options].find((o) => o.dataset.opened !== undefined);
    if (!presets.includes(spec.name)) {
      const option = opened ?? preset.appendChild(new Option());
      option.dataset.opened = '';
      option.value = spec.name;
      option.textContent = `${spec.name} (opened)`;
    } else if (opened && !on.base?.(opened.value)) opened.remove();
    preset.value = spec.name;
    epochs.value = String(spec.epochs);
    lr.value = String(spec.optimizer.lr);
    momentum.value = String(spec.optimizer.momentum);
    seed.value = String(spec.seed);
    batch.value = spec.batch;
  };

  /** Settings from the inputs: the preset plus whatever differs from it. */
  const read = (): Settings => {
    const num = (input: HTMLInputElement) => {
      const v = Number(input.value);
      if (input.value.trim() === '' || !Number.isFinite(v)) throw new Error(`${input.name} needs a number, got "${input.value}"`);
      return v;
    };
    return settingsDiff(preset.value, {
      epochs: num(epochs), lr: num(lr), momentum: num(momentum), seed: num(seed), batch: batch.value as 'full' | 'sample',
    }, baseOf(preset.value));
  };

  const show = (text: string, isError: boolean) => {
    message.textContent = text;
    message.classList.toggle('error', isError);
  };

  // A preset chosen in the menu loads at once (its own settings).
  preset.addEventListener('change', () => {
    fill(baseOf(preset.value));
    on.train(read());
  });
  train.addEventListener('click', () => {
    try {
      on.train(read());
    } catch (err) {
      show((err as Error).message, true);
    }
  });
  step.addEventListener('click', () => on.step());
  stop.addEventListener('click', () => on.stop());
  reset.addEventListener('click', () => on.reset());
  undo.addEventListener('click', () => on.undo());
  log.addEventListener('change', () => on.logScale(log.checked));

  return {
    setSettings: (_settings, spec) => fill(spec),
    setSummary: (text) => (summary.textContent = text),
    setState(state, canUndo) {
      training = state === 'training';
      document.body.dataset.state = state;
      stop.disabled = !training && !otherWork;
      step.disabled = training;
      undo.disabled = training || !canUndo;
    },
    progress(reached, total, what) {
      if (otherWork) return;
      progress.value = reached / total;
      status.textContent = `${what ? `${what}: ` : ''}epoch ${reached - 1} of ${total - 1}`;
    },
    busy(label, fraction = null) {
      otherWork = label !== null;
      stop.disabled = !training && !otherWork;
      if (label === null) return;
      if (fraction === null) progress.removeAttribute('value');
      else progress.value = fraction;
      status.textContent = label;
    },
    message: show,
  };
}
