import { optimizerCatalog, type HyperParam } from '../../model/optimizers';
import type { Spec } from '../../spec/types';
import { draftHyper, type Draft } from '../editorDraft';
import { node } from './dom';

/**
 * The network editor's optimizer: a select of every kind in the registry (optimizerCatalog) and, for the chosen
 * kind, one control per hyper-parameter (a number box, or a checkbox for a flag), each with the registry's
 * explanation, PyTorch's default and the allowed range as its tooltip. Choosing another kind fills its controls with
 * the sheet's values when it is the sheet's kind, PyTorch's defaults otherwise.
 */

export interface OptimizerFields {
  /** The select and the hyper-parameters' box, to put in the editor. */
  readonly elements: HTMLElement[];
  /** Shows the draft's kind and values (after the editor opens). */
  fill(): void;
  /** The control a validator's field (`optimizer.betas[0]`, `optimizer.kind` …) belongs to, or null. */
  controlFor(field: string): HTMLElement | null;
}

type WithMessage = (control: HTMLElement, label: string) => HTMLElement;

/** How the editor labels a hyper-parameter: its sheet symbol and PyTorch's name (`β1 (betas[0])`), or the name. */
export const hyperLabel = (p: HyperParam): string => (p.symbol ? `${p.symbol} (${p.name})` : p.name.replace(/_/g, ' '));

function range(p: HyperParam): string {
  if (p.type === 'boolean') return '';
  const from = p.min === undefined ? '' : p.minExclusive ? `greater than ${p.min}` : `from ${p.min}`;
  const to = p.max === undefined ? '' : p.maxInclusive ? ` to ${p.max}` : ` up to (not including) ${p.max}`;
  return ` Allowed: ${from}${to}.`;
}

export function createOptimizerFields(
  withMessage: WithMessage, forget: (control: HTMLElement) => void, state: () => { draft: Draft; base: Spec }, changed: () => void,
): OptimizerFields {
  const catalog = optimizerCatalog();
  const kind = document.createElement('select');
  kind.name = 'optimizer';
  kind.setAttribute('aria-label', 'optimizer');
  kind.title = 'How the weights are updated from their gradients (the torch.optim class the sheet reproduces)';
  for (const c of catalog) {
    const opt = new Option(c.label, c.kind);
    opt.title = c.explain;
    kind.append(opt);
  }
  const explain = node('p', 'editor-explain');
  const box = node('div', 'editor-hyper');
  let controls = new Map<string, HTMLInputElement>();

  kind.addEventListener('change', () => {
    const { draft, base } = state();
    const lr = draft.hyper.find((h) => h.name === 'lr');
    draft.optimizer = kind.value as Draft['optimizer'];
    draft.hyper = draftHyper(draft.optimizer, base.optimizer, typeof lr?.value === 'string' ? lr.value : String(base.optimizer.lr));
    draw();
    changed();
  });

  function draw(): void {
    for (const c of controls.values()) forget(c);
    controls = new Map();
    const { draft } = state();
    const entry = catalog.find((c) => c.kind === draft.optimizer)!;
    explain.textContent = entry.explain;
    const rows = draft.hyper.map((h) => {
      const p = entry.hyper.find((x) => x.name === h.name)!;
      const label = hyperLabel(p);
      const el = document.createElement('input');
      el.name = `optimizer-${p.name}`;
      el.setAttribute('aria-label', label);
      const dflt = p.default === null ? 'none (required)' : String(p.default);
      el.title = `${p.explain} PyTorch's default: ${dflt}.${range(p)}`;
      if (p.type === 'boolean') {
        el.type = 'checkbox';
        el.checked = h.value === true;
        el.addEventListener('change', () => {
          h.value = el.checked;
          changed();
        });
      } else {
        el.type = 'text';
        el.inputMode = 'decimal';
        el.size = 8;
        el.value = String(h.value);
        el.addEventListener('input', () => {
          h.value = el.value;
          changed();
        });
      }
      controls.set(p.name, el);
      return withMessage(el, label);
    });
    box.replaceChildren(...rows);
  }

  return {
    elements: [withMessage(kind, 'kind'), explain, box],
    fill() {
      kind.value = state().draft.optimizer;
      draw();
    },
    controlFor(field) {
      const m = /^optimizer(?:\.(.+))?$/.exec(field);
      if (!m) return null;
      const name = m[1];
      if (name === undefined || name === 'kind') return kind;
      // `optimizer.betas` (the pair itself) goes to β1; a field the chosen kind has not (a stray key) to the select.
      return controls.get(name) ?? (name === 'betas' ? controls.get('betas[0]') ?? kind : kind);
    },
  };
}
