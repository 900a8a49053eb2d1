import { DATASET_NAMES, DATASETS, DEFAULT_SAMPLES } from '../../data/datasets';
import { ACTIVATION_REGISTRY } from '../../model/activations';
import { LOSS_REGISTRY } from '../../model/losses';
import { INIT_REGISTRY } from '../../spec/init';
import { ACTIVATIONS, BATCH_MODES, INIT_KINDS, LOSSES, type Spec } from '../../spec/types';
import { LIMITS, parseSpecText, SpecError, toSpecJson } from '../../spec/validate';
import { draftCells, draftOf, draftSpec, type Draft } from '../editorDraft';
import { specLink } from '../specLink';
import { node } from './dom';
import { download } from './files';
import { createOptimizerFields } from './optimizerFields';

/**
 * The network editor: layers and units (+/−), an activation per layer, biases, loss, starting weights, optimizer
 * settings, batch mode, epochs and seed, and the data (a registry set, drawn from the seed with a chosen number of
 * samples). Every change is validated as a spec file is, the validator's message shown beside the control it names;
 * the sheet's cell count and the limit are shown before building, and Build replaces the sheet only with a valid
 * spec. The spec can also be downloaded, edited as JSON here, and shared by link.
 */

export interface EditorHandlers {
  /** The current sheet's spec (what the editor starts from). */
  current(): Spec;
  /** Builds and trains a valid spec. */
  build(spec: Spec, how: string): void;
}

export interface NetworkEditor {
  readonly element: HTMLElement;
  /** Opens (filled from the current sheet) or closes it. */
  toggle(open?: boolean): void;
}

const thousands = (n: number) => n.toLocaleString('en-US');

function select(name: string, label: string, options: readonly string[], text: (o: string) => string, tip: (o: string) => string): HTMLSelectElement {
  const s = document.createElement('select');
  s.name = name;
  s.setAttribute('aria-label', label);
  for (const o of options) {
    const opt = new Option(text(o), o);
    opt.title = tip(o);
    s.append(opt);
  }
  return s;
}

function input(name: string, label: string, tip: string, type = 'text'): HTMLInputElement {
  const i = document.createElement('input');
  i.type = type;
  i.name = name;
  i.setAttribute('aria-label', label);
  i.title = tip;
  if (type === 'text') i.inputMode = 'decimal';
  i.size = 8;
  return i;
}

function button(text: string, name: string, tip: string, act: () => void): HTMLButtonElement {
  const b = node('button', 'editor-button', text);
  b.type = 'button';
  b.name = name;
  b.title = tip;
  b.addEventListener('click', act);
  return b;
}

export function createNetworkEditor(container: HTMLElement, on: EditorHandlers): NetworkEditor {
  const root = node('section', 'network-editor');
  root.id = 'network-editor';
  root.setAttribute('aria-labelledby', 'network-editor-title');
  root.hidden = true;
  const title = node('h2', 'editor-title', 'Network editor');
  title.id = 'network-editor-title';
  const intro = node('p', 'editor-intro', 'Change the network and its data; each change is checked as a spec file is. Build replaces the sheet (your edits to the current one go).');
  container.append(root);

  // Filled from the current sheet each time the editor opens (there is no sheet yet when the page builds it).
  let draft = {} as Draft;
  let base = {} as Spec;
  /** Controls by the spec field they set; the validator's message goes next to the one its field names. */
  const messages = new Map<HTMLElement, HTMLElement>();
  let msgCount = 0;
  const withMessage = (control: HTMLElement, label: string, ...rest: (Node | string)[]): HTMLElement => {
    const wrap = node('div', 'editor-field');
    const l = node('label', 'editor-label', label);
    const id = `editor-c${++msgCount}`;
    control.id = id;
    l.htmlFor = id;
    const msg = node('span', 'field-error');
    msg.id = `${id}-error`;
    msg.setAttribute('role', 'alert');
    control.setAttribute('aria-describedby', msg.id);
    messages.set(control, msg);
    wrap.append(l, control, ...rest, msg);
    return wrap;
  };

  // Data
  const dataset = select('dataset', 'data set', ['current', ...DATASET_NAMES], (o) => (o === 'current' ? 'the current sheet\'s data' : DATASETS[o as keyof typeof DATASETS].label),
    (o) => (o === 'current' ? 'Keep the data of the sheet now open' : DATASETS[o as keyof typeof DATASETS].explain));
  dataset.title = 'The samples the network learns; generated sets are drawn from the seed';
  const samples = input('samples', 'samples', `How many points to draw (1 to ${LIMITS.maxSamples}); each sample adds columns to every row`, 'number');
  samples.min = '1';
  samples.max = String(LIMITS.maxSamples);
  const dataExplain = node('p', 'editor-explain');
  const dataBox = node('fieldset', 'editor-group');
  dataBox.append(node('legend', '', 'data'));

  // Layers
  const layersBox = node('fieldset', 'editor-group');
  layersBox.append(node('legend', '', 'layers'));
  const layersList = node('div', 'editor-layers');
  const layersMessage = node('span', 'field-error');
  layersMessage.setAttribute('role', 'alert');
  const addLayer = button('+ layer', 'add-layer', 'Add a hidden layer before the output', () => {
    draft.hidden.push({ units: '2', activation: draft.hidden[draft.hidden.length - 1]?.activation ?? 'sigmoid' });
    drawLayers();
    changed();
  });
  const removeLayer = button('− layer', 'remove-layer', 'Remove the last hidden layer', () => {
    draft.hidden.pop();
    drawLayers();
    changed();
  });
  const outputActivation = select('output-activation', 'output activation', ACTIVATIONS, (a) => a, (a) => ACTIVATION_REGISTRY[a as keyof typeof ACTIVATION_REGISTRY].explain);
  outputActivation.title = 'The activation of the output layer';
  const outputUnits = node('span', 'editor-fixed');
  const inputUnits = node('span', 'editor-fixed');
  const unitInputs: HTMLInputElement[] = [];
  const activationSelects: HTMLSelectElement[] = [];

  function drawLayers(): void {
    unitInputs.length = 0;
    activationSelects.length = 0;
    const rows: HTMLElement[] = [];
    const inRow = node('div', 'editor-layer');
    inRow.append(node('span', 'editor-layer-name', 'inputs'), inputUnits);
    rows.push(inRow);
    draft.hidden.forEach((layer, i) => {
      const units = input(`layer-${i + 1}-units`, `hidden layer ${i + 1} units`, `Units in hidden layer ${i + 1} (1 to ${LIMITS.maxUnits})`);
      units.value = layer.units;
      units.size = 4;
      units.addEventListener('input', () => {
        layer.units = units.value;
        changed();
      });
      const step = (by: number) => () => {
        const n = Number(layer.units);
        layer.units = String(Number.isFinite(n) ? n + by : 1);
        units.value = layer.units;
        changed();
      };
      const minus = button('−', `layer-${i + 1}-minus`, `One unit fewer in hidden layer ${i + 1}`, step(-1));
      minus.setAttribute('aria-label', `one unit fewer in hidden layer ${i + 1}`);
      const plus = button('+', `layer-${i + 1}-plus`, `One unit more in hidden layer ${i + 1}`, step(1));
      plus.setAttribute('aria-label', `one unit more in hidden layer ${i + 1}`);
      const act = select(`layer-${i + 1}-activation`, `hidden layer ${i + 1} activation`, ACTIVATIONS, (a) => a, (a) => ACTIVATION_REGISTRY[a as keyof typeof ACTIVATION_REGISTRY].explain);
      act.title = `The activation of hidden layer ${i + 1}`;
      act.value = layer.activation;
      act.addEventListener('change', () => {
        layer.activation = act.value as Draft['outputActivation'];
        changed();
      });
      unitInputs.push(units);
      activationSelects.push(act);
      const row = withMessage(units, `hidden ${i + 1}`, minus, plus, act);
      row.classList.add('editor-layer');
      messages.set(act, messages.get(units)!);
      rows.push(row);
    });
    const outRow = node('div', 'editor-layer');
    outRow.append(node('span', 'editor-layer-name', 'output'), outputUnits, outputActivation);
    rows.push(outRow);
    layersList.replaceChildren(...rows);
    removeLayer.disabled = draft.hidden.length === 0;
  }

  // Training
  const bias = document.createElement('input');
  bias.type = 'checkbox';
  bias.name = 'bias';
  bias.title = 'Give every unit a bias (a weight on a constant 1)';
  const loss = select('loss', 'loss', LOSSES, (l) => l, (l) => LOSS_REGISTRY[l as keyof typeof LOSS_REGISTRY].explain);
  loss.title = 'What training makes small';
  const init = select('init', 'starting weights', [...INIT_KINDS, 'explicit'], (k) => (k === 'explicit' ? 'explicit: the current sheet\'s' : INIT_REGISTRY[k as keyof typeof INIT_REGISTRY].label),
    (k) => (k === 'explicit' ? 'Start from the current sheet\'s starting weights (edit them in the JSON); the network must keep its shape' : INIT_REGISTRY[k as keyof typeof INIT_REGISTRY].explain));
  init.title = 'How the starting weights are drawn from the seed';
  const optim = createOptimizerFields(withMessage, (c) => messages.delete(c), () => ({ draft, base }), () => changed());
  const batch = select('editor-batch', 'batch mode', BATCH_MODES, (b) => (b === 'full' ? 'full batch' : 'single samples'),
    (b) => (b === 'full' ? 'One update per epoch from the gradient summed over every sample' : 'One update per sample drawn (from the seed), as many steps an epoch as samples'));
  batch.title = 'Full batch: one update an epoch; single samples: one update per sample';
  const epochs = input('editor-epochs', 'epochs', 'Rows of the sheet: epochs 0 to this − 1', 'number');
  const seed = input('editor-seed', 'seed', 'Draws the starting weights, the generated data and the sample order: the same seed gives the same sheet', 'number');

  const cells = node('p', 'editor-cells');
  cells.setAttribute('aria-live', 'polite');
  const general = node('p', 'field-error');
  general.setAttribute('role', 'alert');
  const build = button('Build and train', 'build', 'Replace the sheet with this network and train it', () => {
    try {
      const spec = draftSpec(draft, base);
      on.build(spec, `built ${spec.name} in the network editor, training…`);
    } catch (err) {
      show(err);
    }
  });
  const json = document.createElement('textarea');
  json.name = 'spec-json';
  json.rows = 12;
  json.spellcheck = false;
  json.title = 'The spec as a spec file holds it; edit and press Apply JSON';
  const jsonBox = node('details', 'editor-json');
  const jsonSummary = node('summary', '', 'Edit as JSON');
  jsonSummary.title = 'The spec file of this network, to read or edit by hand';
  const apply = button('Apply JSON', 'apply-json', 'Check the JSON as a spec file and, when valid, build and train it', () => {
    try {
      const spec = parseSpecText(json.value, 'the JSON');
      messages.get(json)!.textContent = '';
      on.build(spec, `built ${spec.name} from the JSON, training…`);
    } catch (err) {
      messages.get(json)!.textContent = `${(err as Error).message}. The current sheet is unchanged.`;
    }
  });
  jsonBox.addEventListener('toggle', () => {
    if (jsonBox.open) fillJson();
  });
  const download_ = button('Download spec', 'download-spec', 'Save this network as a spec file (JSON), to open here again or train with the CLI', () => {
    try {
      const spec = draftSpec(draft, base);
      download(`${spec.name}.json`, JSON.stringify(toSpecJson(spec), null, 2) + '\n', 'application/json');
    } catch (err) {
      show(err);
    }
  });
  const linkOut = input('spec-link', 'link to this network', 'Open this address to get this network; it carries the whole spec');
  linkOut.readOnly = true;
  linkOut.size = 30;
  const share = button('Share by link', 'share-spec', 'Make a link that opens this network (copied to the clipboard when the browser lets it)', () => {
    try {
      const link = specLink(location.href, draftSpec(draft, base));
      linkOut.value = link;
      linkOut.hidden = false;
      linkOut.select();
      void navigator.clipboard?.writeText(link).catch(() => undefined);
    } catch (err) {
      show(err);
    }
  });
  linkOut.hidden = true;
  const close = button('Close', 'close-editor', 'Close the network editor (the sheet stays as it is)', () => toggle(false));

  const trainingBox = node('fieldset', 'editor-group');
  trainingBox.append(node('legend', '', 'training'));
  const biasLabel = node('label', 'editor-check');
  biasLabel.append(bias, ' biases');
  trainingBox.append(
    biasLabel,
    withMessage(loss, 'loss'),
    withMessage(init, 'starting weights'),
    withMessage(batch, 'batch'),
    withMessage(epochs, 'epochs'),
    withMessage(seed, 'seed'),
  );
  dataBox.append(withMessage(dataset, 'data set'), withMessage(samples, 'samples'), dataExplain);
  layersBox.append(layersList, addLayer, removeLayer, layersMessage);
  jsonBox.append(jsonSummary, withMessage(json, 'spec JSON'), apply);
  const actions = node('div', 'editor-actions');
  actions.append(build, download_, share, linkOut, close);
  removeLayer.disabled = true;
  const groups = node('div', 'editor-groups');
  const optimBox = node('fieldset', 'editor-group');
  optimBox.append(node('legend', '', 'optimizer'), ...optim.elements);
  groups.append(dataBox, layersBox, trainingBox, optimBox);
  root.append(title, intro, groups, cells, general, actions, jsonBox);

  const bind = (el: HTMLInputElement | HTMLSelectElement, set: (v: string) => void) => {
    el.addEventListener(el instanceof HTMLSelectElement || el.type === 'checkbox' ? 'change' : 'input', () => {
      set(el instanceof HTMLInputElement && el.type === 'checkbox' ? String(el.checked) : el.value);
      changed();
    });
  };
  bind(dataset, (v) => {
    draft.dataset = v as Draft['dataset'];
    if (v !== 'current' && DATASETS[v as keyof typeof DATASETS].generated && !(Number(draft.samples) > 4)) draft.samples = String(DEFAULT_SAMPLES);
    samples.value = draft.samples;
  });
  bind(samples, (v) => (draft.samples = v));
  bind(outputActivation, (v) => (draft.outputActivation = v as Draft['outputActivation']));
  bind(bias, (v) => (draft.bias = v === 'true'));
  bind(loss, (v) => (draft.loss = v as Draft['loss']));
  bind(init, (v) => (draft.init = v as Draft['init']));
  bind(batch, (v) => (draft.batch = v as Draft['batch']));
  bind(epochs, (v) => (draft.epochs = v));
  bind(seed, (v) => (draft.seed = v));

  function fill(): void {
    base = on.current();
    draft = draftOf(base);
    dataset.value = draft.dataset;
    samples.value = draft.samples;
    outputActivation.value = draft.outputActivation;
    bias.checked = draft.bias;
    loss.value = draft.loss;
    init.value = draft.init;
    optim.fill();
    batch.value = draft.batch;
    epochs.value = draft.epochs;
    seed.value = draft.seed;
    drawLayers();
    changed();
  }

  function fillJson(): void {
    try {
      json.value = JSON.stringify(toSpecJson(draftSpec(draft, base)), null, 2);
    } catch {
      json.value = JSON.stringify(toSpecJson(base), null, 2);
    }
  }

  /** The control a spec field belongs to. */
  function controlFor(field: string): HTMLElement | null {
    const layer = /^model\.layers\[(\d+)\]/.exec(field);
    if (layer) {
      const i = Number(layer[1]);
      return i >= 1 && i <= unitInputs.length ? unitInputs[i - 1] : dataset;
    }
    const act = /^model\.activations\[(\d+)\]/.exec(field);
    if (act) return Number(act[1]) < activationSelects.length ? activationSelects[Number(act[1])] : outputActivation;
    if (field === 'model.layers') return null; // the layers' own line
    if (field.startsWith('model.loss')) return loss;
    if (field.startsWith('optimizer')) return optim.controlFor(field);
    if (field.startsWith('initial') || field.startsWith('init')) return init;
    if (field.startsWith('data')) return draft.dataset !== 'current' && DATASETS[draft.dataset].generated ? samples : dataset;
    if (field === 'epochs') return epochs;
    if (field === 'seed') return seed;
    if (field === 'batch' || field.startsWith('stepsPerEpoch') || field.startsWith('order')) return batch;
    return null;
  }

  function clear(): void {
    for (const [control, msg] of messages) {
      if (control === json) continue;
      msg.textContent = '';
      control.removeAttribute('aria-invalid');
    }
    layersMessage.textContent = '';
    general.textContent = '';
  }

  function show(err: unknown): void {
    clear();
    if (!(err instanceof SpecError)) {
      general.textContent = (err as Error).message;
      return;
    }
    const control = controlFor(err.field);
    const text = `${err.field}: ${err.reason}`;
    if (control && messages.has(control)) {
      messages.get(control)!.textContent = text;
      control.setAttribute('aria-invalid', 'true');
    } else if (err.field === 'model.layers') layersMessage.textContent = text;
    else general.textContent = text;
  }

  function changed(): void {
    const generated = draft.dataset !== 'current' && DATASETS[draft.dataset].generated;
    samples.disabled = !generated;
    dataExplain.textContent = draft.dataset === 'current' ? `${base.data.inputs.length} samples from ${base.name}` : DATASETS[draft.dataset].explain;
    let sizes: { inputs: number; outputs: number } | null = null;
    try {
      const data = draft.dataset === 'current' ? base.data : DATASETS[draft.dataset].make(1, 0);
      sizes = { inputs: data.inputs[0].length, outputs: data.targets[0].length };
    } catch {
      sizes = null;
    }
    inputUnits.textContent = sizes ? `${sizes.inputs} units (from the data)` : '';
    outputUnits.textContent = sizes ? `${sizes.outputs} unit${sizes.outputs === 1 ? '' : 's'} (from the data)` : '';
    const count = draftCells(draft, base);
    cells.textContent = count
      ? `This sheet: ${thousands(count.row)} cells a row × ${draft.epochs} epochs = ${thousands(count.total)} cells ` +
        `(limits: ${thousands(LIMITS.maxCellsPerRow)} a row, ${thousands(LIMITS.maxCells)} in all).`
      : '';
    try {
      draftSpec(draft, base);
      clear();
      build.disabled = false;
    } catch (err) {
      show(err);
      build.disabled = true;
    }
    if (jsonBox.open) fillJson();
  }

  function toggle(open = root.hidden): void {
    root.hidden = !open;
    if (open) {
      fill();
      title.tabIndex = -1;
      title.focus();
    }
  }

  return { element: root, toggle };
}
