import { node } from './dom';

/**
 * Help where it is needed: the toolbar's "Network…" and "Help" buttons, the help panel (what the README explains,
 * short), and a first-visit tour of four steps (select → read the formula → edit → watch the gradient). The tour is
 * a strip in the page, not a dialog over it: it blocks nothing, stays the same height at every step, and once
 * skipped or finished it is never shown again in this browser.
 */

const TOUR_KEY = 'gradsheet.tourDone';

const TOUR = [
  'Click any cell of the grid (or move to it with the arrow keys) to select it.',
  'Read it in the formula bar above the grid: its formula, the same with names, its value, and its chain rule below.',
  'Type a new number into a yellow cell (a weight, η or μ) and press Enter: every later epoch recomputes. Ctrl+Z undoes.',
  'Press "Watch its gradient" under the formula bar: the watch window shows the gradient before and after your next edit.',
];

const HELP: [string, string][] = [
  ['What this is', 'A small neural network as a spreadsheet: every weight, activation, loss and chain-rule partial derivative is a live formula cell. One row is one epoch; the driver copies each row\'s new weights into the next row.'],
  ['Reading a row', 'Columns come in groups (weights, forward, loss, deltas, gradients, updates). In single-sample mode a row holds several steps, and a name ending in [1], [2], … is that step\'s. The loss is E (half the squared error) on the course\'s sheets and L elsewhere; ∂E/∂w1 is the gradient of the loss with respect to w1.'],
  ['Why some cells are 0', 'A gradient ∂L/∂w is the unit\'s delta times the input flowing through the weight, so a sample whose inputs are 0 (XOR\'s (0, 0)) gives first-layer gradients of exactly 0 in its step.'],
  ['Editing', 'Yellow cells take a number or a formula: weights, velocities, η and μ. The row recomputes at once, then the later epochs. Ctrl+Z undoes; Ctrl+G goes to the Name Box, where a name (w5, epoch 1000, ∂E/∂w5) or an address (AB33) takes you to a cell.'],
  ['Keyboard', 'Tab reaches the grid in one press and leaves it with one more; inside, the arrow keys move, Enter edits, Escape cancels. Every panel has a heading button that collapses it.'],
  ['The diagram and the heat map', 'Links are weights: blue positive, orange negative, wider for larger |w|; a dot at a unit is its bias. Click a link for its weight\'s cell (at the selected epoch), a unit for its activation; the selected cell\'s chain is drawn in the focus colour. The heat map shows the output over the input square with the samples as dots coloured by their target.'],
  ['Building your own', 'Network… opens the editor: layers and units, activations, biases, loss, starting weights, η, μ, batch mode, epochs and the data (XOR, AND, OR, the Session 2 sample, or a circle, two gaussians or a spiral drawn from the seed). Every change is checked; Build trains it. Download spec saves the spec file the CLI trains too; Share by link makes an address that opens the network.'],
  ['Files', 'The Files menu: XLSX with values (opens anywhere) or live formulas (a spreadsheet recomputes them), CSVs of the loss or of a range of rows (with a byte-order mark for Excel unless you untick it), importing an XLSX back, opening a spec, checking hand-made backprop workbooks. Dropping an XLSX or a spec file on the page works too.'],
];

function stored(): boolean {
  try {
    return localStorage.getItem(TOUR_KEY) === '1';
  } catch {
    return false;
  }
}

function remember(): void {
  try {
    localStorage.setItem(TOUR_KEY, '1');
  } catch {
    // Storage refused: the tour goes for this visit.
  }
}

export function createTour(container: HTMLElement): HTMLElement | null {
  if (stored()) return null;
  const box = node('section', 'tour');
  box.setAttribute('aria-label', 'first-visit tour');
  const text = node('p', 'tour-text');
  const count = node('span', 'tour-count');
  let step = 0;
  const draw = () => {
    count.textContent = `${step + 1}/${TOUR.length}`;
    text.textContent = TOUR[step];
    next.textContent = step === TOUR.length - 1 ? 'Done' : 'Next';
    back.disabled = step === 0;
  };
  const end = () => {
    remember();
    box.remove();
  };
  const back = node('button', 'tour-back', 'Back');
  back.type = 'button';
  back.title = 'The previous step of the tour';
  back.addEventListener('click', () => {
    step = Math.max(0, step - 1);
    draw();
  });
  const next = node('button', 'tour-next', 'Next');
  next.type = 'button';
  next.title = 'The next step of the tour';
  next.addEventListener('click', () => {
    if (step === TOUR.length - 1) end();
    else {
      step++;
      draw();
    }
  });
  const skip = node('button', 'tour-skip', 'Skip the tour');
  skip.type = 'button';
  skip.title = 'Close the tour; it will not be shown again in this browser (Help has the same and more)';
  skip.addEventListener('click', end);
  box.append(count, text, back, next, skip);
  draw();
  container.append(box);
  return box;
}

function helpPanel(): HTMLElement {
  const panel = node('section', 'help-panel');
  panel.id = 'help-panel';
  panel.hidden = true;
  panel.setAttribute('aria-labelledby', 'help-title');
  const title = node('h2', 'editor-title', 'Help');
  title.id = 'help-title';
  title.tabIndex = -1;
  panel.append(title);
  for (const [head, body] of HELP) panel.append(node('h3', 'help-head', head), node('p', 'help-body', body));
  return panel;
}

/** The toolbar's Network… and Help buttons; the help panel goes into `drawer`. */
export function createToolbarButtons(on: { editor(): void }, drawer?: HTMLElement): HTMLElement {
  const box = node('div', 'toolbar-buttons');
  const editor = node('button', 'toolbar-button', 'Network…');
  editor.type = 'button';
  editor.name = 'network-editor';
  editor.title = 'Open the network editor: layers, units, activations, loss, starting weights, data';
  editor.setAttribute('aria-controls', 'network-editor');
  editor.addEventListener('click', () => on.editor());
  const help = node('button', 'toolbar-button', 'Help');
  help.type = 'button';
  help.name = 'help';
  help.title = 'What the sheet, the panels and the controls are, and the keyboard keys';
  help.setAttribute('aria-controls', 'help-panel');
  help.setAttribute('aria-expanded', 'false');
  const panel = helpPanel();
  (drawer ?? document.body).append(panel);
  help.addEventListener('click', () => {
    panel.hidden = !panel.hidden;
    help.setAttribute('aria-expanded', String(!panel.hidden));
    if (!panel.hidden) panel.querySelector<HTMLElement>('h2')?.focus();
  });
  box.append(editor, help);
  return box;
}
