import type { Layout } from '../../layout/layout';
import { parseLocation, type CellRef } from '../refs';

/**
 * The Name Box, as in Excel: it shows the selected cell's address and takes a name (`∂E/∂w5`, `w5`), a name with
 * an epoch (`epoch 1000, ∂E/∂w5`) or an address (`Train!AB33`, `AB33`), with the layout's names offered as you
 * type. Enter goes there; Escape puts the address back. Ctrl+G (Go To) focuses it from anywhere on the page.
 */

export interface NameBox {
  readonly input: HTMLInputElement;
  /** A new sheet: its names for completion. */
  setLayout(layout: Layout): void;
  /** The selected cell's address (shown while the box is not being typed in). */
  show(address: string): void;
}

export function createNameBox(container: HTMLElement, on: { go(ref: CellRef): void; error(message: string): void; epoch(): number }): NameBox {
  const input = document.createElement('input');
  input.type = 'text';
  input.className = 'name-box';
  input.setAttribute('aria-label', 'Name Box');
  input.placeholder = 'w5, epoch 1000, ∂E/∂w5 or AB33';
  input.title = 'Name Box: type a name (w5), a name with its epoch (epoch 1000, ∂E/∂w5) or an address (Train!AB33), then Enter. Ctrl+G comes here.';
  input.autocomplete = 'off';
  input.spellcheck = false;
  const list = document.createElement('datalist');
  list.id = `name-box-names-${Math.random().toString(36).slice(2)}`;
  input.setAttribute('list', list.id);
  container.append(input, list);
  let layout: Layout | null = null;
  let address = '';

  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      // The grid listens on the document: this Enter must not also open its editor on the cell it went to.
      e.stopPropagation();
      if (!layout) return;
      try {
        const ref = parseLocation(input.value, layout, on.epoch());
        on.go(ref);
      } catch (err) {
        on.error((err as Error).message);
        input.select();
      }
    } else if (e.key === 'Escape') {
      input.value = address;
      input.blur();
    }
  });
  input.addEventListener('focus', () => input.select());
  input.addEventListener('blur', () => (input.value = address));
  document.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && !e.shiftKey && !e.altKey && e.key.toLowerCase() === 'g') {
      e.preventDefault();
      e.stopPropagation();
      input.focus();
    }
  }, { capture: true });

  return {
    input,
    setLayout(next) {
      layout = next;
      list.replaceChildren(...next.columns.map((c) => new Option(`${c.name}`, c.name)));
    },
    show(next) {
      address = next;
      if (document.activeElement !== input) input.value = next;
    },
  };
}
