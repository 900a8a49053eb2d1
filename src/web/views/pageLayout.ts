import { node } from './dom';

/**
 * The page's skeleton: a toolbar, then the workspace: the formula bar, chain panel and grid in the main column, the
 * panels (chart, diagram, heat map, watch window, learning-rate lanes) docked beside it or below it, each under a
 * heading whose button collapses it. The dock side and the collapsed panels are remembered in this browser. Nothing
 * in the workspace changes height on selection, so the grid never moves under the pointer.
 */

export interface PageBoxes {
  toolbar: HTMLElement;
  /** Under the toolbar: the network editor, the workbook check report, the help panel. */
  drawer: HTMLElement;
  bar: HTMLElement;
  grid: HTMLElement;
  legend: HTMLElement;
  side: HTMLElement;
  chart: HTMLElement;
  network: HTMLElement;
  heatmap: HTMLElement;
  watch: HTMLElement;
  lanes: HTMLElement;
  /** The dock's own controls (beside/below), for the toolbar. */
  dockToggle: HTMLButtonElement;
  /** Shows or hides a panel's whole section (the heat map exists only for 2-input, 1-output networks). */
  showPanel(box: HTMLElement, shown: boolean): void;
}

const DOCK_KEY = 'gradsheet.dock';
const COLLAPSED_KEY = 'gradsheet.collapsed';
/**
 * Below this window width the panels start under the grid, which keeps the width: at 1400 px a followed weight
 * (end2-xor-44, w1_1_1) and its gradient are 1192 px apart, more than the grid has with panels beside it.
 */
const WIDE_PX = 1500;

function stored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function store(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Storage refused (private mode, full): the choice lasts until the page closes.
  }
}

export function createPageLayout(root: HTMLElement): PageBoxes {
  const toolbar = node('div', 'toolbar');
  toolbar.setAttribute('role', 'region');
  toolbar.setAttribute('aria-label', 'settings and files');
  const drawer = node('div', 'drawer');
  const workspace = node('div', 'workspace');
  const main = node('section', 'work-main');
  main.setAttribute('aria-label', 'the sheet');
  const bar = node('div', 'formula-bar');
  bar.setAttribute('role', 'region');
  bar.setAttribute('aria-label', 'formula bar');
  const grid = node('div', 'grid');
  const legend = node('p', 'grid-legend');
  legend.innerHTML = '<span class="swatch editable"></span> editable: weights, velocities, η and μ (type a number or a formula; Ctrl+Z undoes) ' +
    '<span class="swatch precedent"></span> cells the selected cell reads ' +
    '<span class="swatch dependent"></span> cells that read it ' +
    '<span class="swatch pulse"></span> changed by the last edit · click a group label to jump to it · Ctrl+G: the Name Box';
  // The grid comes right after the toolbar in the tab order (one Tab enters it, one more leaves it for the formula
  // bar); the formula bar is shown above it (CSS order).
  main.append(grid, bar, legend);
  const side = node('aside', 'work-side');
  side.setAttribute('aria-label', 'panels');
  workspace.append(main, side);
  root.append(toolbar, drawer, workspace);

  const collapsed = new Set<string>(JSON.parse(stored(COLLAPSED_KEY) ?? '[]') as string[]);
  const sections = new Map<HTMLElement, HTMLElement>();
  const panel = (id: string, title: string, cls: string): HTMLElement => {
    const section = node('section', `dock-panel dock-${id}`);
    const heading = node('h2', 'dock-title');
    const toggle = node('button', 'dock-toggle', title);
    toggle.type = 'button';
    toggle.title = `Show or hide the ${title} panel`;
    const body = node('div', `panel ${cls}`);
    body.id = `panel-${id}`;
    toggle.setAttribute('aria-controls', body.id);
    const set = (open: boolean) => {
      toggle.setAttribute('aria-expanded', String(open));
      body.hidden = !open;
      section.classList.toggle('collapsed', !open);
    };
    set(!collapsed.has(id));
    toggle.addEventListener('click', () => {
      const open = body.hidden;
      set(open);
      if (open) collapsed.delete(id);
      else collapsed.add(id);
      store(COLLAPSED_KEY, JSON.stringify([...collapsed]));
      // The chart and grid measure their boxes on resize.
      window.dispatchEvent(new Event('resize'));
    });
    heading.append(toggle);
    section.append(heading, body);
    side.append(section);
    sections.set(body, section);
    section.setAttribute('aria-labelledby', (toggle.id = `dock-title-${id}`));
    return body;
  };
  const chart = panel('chart', 'Loss chart', 'chart');
  const network = panel('network', 'Network diagram', 'network');
  const heatmap = panel('heatmap', 'Heat map', 'heatmap');
  const watch = panel('watch', 'Watch window', 'watch');
  const lanes = panel('lanes', 'Compare learning rates', 'lanes');

  const dockToggle = node('button', 'dock-side', '');
  dockToggle.type = 'button';
  dockToggle.name = 'dock';
  const setDock = (below: boolean) => {
    workspace.classList.toggle('below', below);
    dockToggle.textContent = below ? 'Panels: below' : 'Panels: beside';
    dockToggle.title = below ? 'The panels are under the grid; press to dock them beside it' : 'The panels are beside the grid; press to put them under it';
    dockToggle.setAttribute('aria-pressed', String(below));
  };
  // Beside the grid on a wide window, below it on a narrower one (the grid keeps the width), unless chosen.
  const chosen = stored(DOCK_KEY);
  setDock(chosen === null ? window.innerWidth < WIDE_PX : chosen === 'below');
  dockToggle.addEventListener('click', () => {
    const below = !workspace.classList.contains('below');
    setDock(below);
    store(DOCK_KEY, below ? 'below' : 'beside');
    window.dispatchEvent(new Event('resize'));
  });

  return {
    toolbar, drawer, bar, grid, legend, side, chart, network, heatmap, watch, lanes, dockToggle,
    showPanel(box, shown) {
      const section = sections.get(box);
      if (section) section.hidden = !shown;
    },
  };
}
