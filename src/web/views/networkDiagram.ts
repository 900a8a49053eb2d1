import type { NetworkSnapshot, ParamSnapshot } from './snapshot';

const SVG = 'http://www.w3.org/2000/svg';
export const POSITIVE = '#2b6cb0';
export const NEGATIVE = '#dd6b20';

export interface DiagramGeometry {
  width: number;
  height: number;
  radius: number;
  showLabels: boolean;
  /** Circle centres per layer, inputs first. */
  units: { x: number; y: number }[][];
}

/** Where every unit goes: layers as columns, each column centred vertically; circles shrink as layers grow. */
export function diagramGeometry(layers: number[]): DiagramGeometry {
  const maxUnits = Math.max(...layers);
  const spacing = maxUnits <= 4 ? 70 : maxUnits <= 8 ? 52 : maxUnits <= 16 ? 32 : maxUnits <= 32 ? 18 : 11;
  const radius = Math.min(22, spacing * 0.36);
  const colGap = 150;
  const padX = 40;
  const padTop = 20;
  const padBottom = 36; // room for the activation name under each column
  const units = layers.map((n, l) => Array.from({ length: n }, (_, i) => ({
    x: padX + l * colGap,
    y: padTop + ((maxUnits - n) / 2 + i + 0.5) * spacing,
  })));
  return {
    width: 2 * padX + (layers.length - 1) * colGap,
    height: padTop + maxUnits * spacing + padBottom,
    radius,
    showLabels: maxUnits <= 16,
    units,
  };
}

/** Line width in viewBox units: 0.5 for a zero weight up to 3.5 for the largest. */
export function linkWidth(value: number, maxAbs: number): number {
  return 0.5 + 3 * share(value, maxAbs);
}

/** Opacity by size, so small weights recede without disappearing. */
export function linkOpacity(value: number, maxAbs: number): number {
  return 0.2 + 0.8 * share(value, maxAbs);
}

export function signColour(value: number): string {
  return value < 0 ? NEGATIVE : POSITIVE;
}

function share(value: number, maxAbs: number): number {
  return maxAbs > 0 && Number.isFinite(value) ? Math.min(1, Math.abs(value) / maxAbs) : 0;
}

/** Tooltip text; full precision so it matches the sheet's cell. */
export function paramTooltip(p: ParamSnapshot): string {
  const lines = [`${p.name} = ${String(p.value)}`];
  if (p.grad !== null && p.gradName) lines.push(`${p.gradName} = ${String(p.grad)}`);
  return lines.join('\n');
}

/** What a click on the diagram asks for, and what it shows as the selected cell's chain. */
export interface DiagramHandlers {
  /** A link or bias badge: the parameter (its flat index). */
  param(index: number): void;
  /** A unit: its layer (0 = inputs) and index. */
  unit(layer: number, index: number): void;
}

/** The part of the network the selected cell belongs to: parameters (flat index) and units (`layer/index`). */
export interface DiagramChain { params: Set<number>; units: Set<string> }

/** Weights shown with their value on the link, and links reachable by Tab, up to these many. */
const LABELLED_LINKS = 12;
const FOCUSABLE_LINKS = 60;

/**
 * The chain of a unit or parameter: the unit a parameter feeds (or the unit itself) and every unit and link after
 * it, up to the outputs, which is what its gradient is made of.
 */
export function chainFrom(layers: number[], params: ParamSnapshot[], start: { param?: number; layer?: number; unit?: number }, indexOf: (p: ParamSnapshot) => number): DiagramChain {
  const units = new Set<string>();
  const chosen = new Set<number>();
  let layer: number;
  let from: Set<number>;
  if (start.param !== undefined) {
    const p = params.find((q) => indexOf(q) === start.param);
    if (!p) return { params: chosen, units };
    chosen.add(start.param);
    if (p.from !== null) units.add(`${p.layer}/${p.from}`);
    layer = p.layer + 1;
    from = new Set([p.to]);
  } else {
    layer = start.layer!;
    from = new Set([start.unit!]);
  }
  for (const u of from) units.add(`${layer}/${u}`);
  for (let l = layer; l + 1 < layers.length; l++) {
    for (const p of params) {
      if (p.layer === l && p.from !== null && from.has(p.from)) chosen.add(indexOf(p));
    }
    from = new Set(Array.from({ length: layers[l + 1] }, (_, j) => j));
    for (const u of from) units.add(`${l + 1}/${u}`);
  }
  return { params: chosen, units };
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

function titled<T extends SVGElement>(node: T, text: string): T {
  const title = svg('title');
  title.textContent = text;
  node.prepend(title);
  return node;
}

const fmt = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(3))) : String(v));

/** Makes an SVG element act as a button: clickable, and (when `focusable`) reachable by Tab and Enter/Space. */
function actAs<T extends SVGElement>(el: T, label: string, focusable: boolean, act: () => void): T {
  el.setAttribute('role', 'button');
  el.setAttribute('aria-label', label);
  el.setAttribute('class', `${el.getAttribute('class') ?? ''} hit`.trim());
  if (focusable) el.setAttribute('tabindex', '0');
  el.addEventListener('click', act);
  el.addEventListener('keydown', (e) => {
    if ((e as KeyboardEvent).key === 'Enter' || (e as KeyboardEvent).key === ' ') {
      e.preventDefault();
      act();
    }
  });
  return el;
}

/**
 * The network at one epoch: a link per weight (blue positive, orange negative, wider and darker as |w| grows, its
 * value written on it for small networks), a badge per bias, units named as the sheet names them. Clicking a link
 * selects its weight's cell, a unit its activation; the selected cell's chain (`chain`) is drawn highlighted.
 */
export function renderNetworkDiagram(container: HTMLElement, s: NetworkSnapshot, on?: DiagramHandlers, chain?: DiagramChain | null, indexOf: (p: ParamSnapshot, i: number) => number = (_p, i) => i): void {
  const g = diagramGeometry(s.layers);
  const maxAbs = Math.max(0, ...s.params.map((p) => Math.abs(p.value)).filter(Number.isFinite));
  const indexed = s.params.map((p, i) => ({ p, i: indexOf(p, i) }));
  const weights = indexed.filter(({ p }) => p.from !== null);
  // An invisible wide stroke makes thin lines hoverable; skipped for big networks to keep the node count down.
  const hitLines = weights.length <= 1000;
  const focusable = s.params.length <= FOCUSABLE_LINKS;
  const labelled = weights.length <= LABELLED_LINKS;
  const lit = (key: string | number) => !!chain && (typeof key === 'number' ? chain.params.has(key) : chain.units.has(key));

  const root = svg('svg', { viewBox: `0 0 ${g.width} ${g.height}`, width: '100%', role: 'group', class: chain ? 'has-chain' : '' });
  root.setAttribute('aria-label', `network diagram at epoch ${s.epoch}: layers ${s.layers.join('-')} (inputs, ${s.activations.join(', ')}); ` +
    'each link is a weight, blue positive and orange negative, wider for a larger size; a dot at a unit is its bias. Click a link or a unit to select its cell.');
  root.style.maxWidth = `${g.width * 1.25}px`; // small networks should not balloon
  root.style.minWidth = `${Math.min(g.width, 320)}px`; // labels stay readable in a narrow panel, which then scrolls
  root.style.display = 'block';

  const links = svg('g');
  for (const { p, i } of weights) {
    const a = g.units[p.layer][p.from!];
    const b = g.units[p.layer + 1][p.to];
    const ends = { x1: a.x, y1: a.y, x2: b.x, y2: b.y };
    const vis = svg('line', {
      ...ends, class: `vis${lit(i) ? ' lit' : ''}`, stroke: signColour(p.value),
      'stroke-width': linkWidth(p.value, maxAbs) + (lit(i) ? 1.5 : 0), 'stroke-opacity': lit(i) ? 1 : linkOpacity(p.value, maxAbs),
    });
    const group = svg('g', { class: 'link', 'data-param': p.name });
    group.append(vis);
    if (hitLines) group.append(svg('line', { ...ends, stroke: 'transparent', 'stroke-width': 10 }));
    if (labelled) {
      // Near the source end: links that cross in the middle keep their labels apart.
      const t = 0.3;
      const text = svg('text', {
        x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t - 4, 'text-anchor': 'middle', 'font-size': 11, class: 'link-value',
      });
      text.textContent = fmt(p.value);
      group.append(text);
    }
    if (on) actAs(group, `${p.name} = ${fmt(p.value)}: select its cell`, focusable, () => on.param(i));
    links.append(titled(group, paramTooltip(p)));
  }
  root.append(links);

  const nodes = svg('g');
  g.units.forEach((column, l) => column.forEach((u, i) => {
    const name = s.unitNames[l]?.[i] ?? '';
    const unit = svg('g', { class: `unit${lit(`${l}/${i}`) ? ' lit' : ''}`, 'data-unit': name });
    unit.append(svg('circle', { cx: u.x, cy: u.y, r: g.radius, class: 'unit-circle', 'stroke-width': lit(`${l}/${i}`) ? 3 : 1.5 }));
    if (g.showLabels && name) {
      const text = svg('text', {
        x: u.x, y: u.y, 'text-anchor': 'middle', 'dominant-baseline': 'central', 'pointer-events': 'none',
        'font-size': Math.max(9, Math.min(13, (1.8 * g.radius) / (0.6 * Math.max(2, name.length)))).toFixed(1),
        'font-family': 'system-ui, sans-serif', class: 'unit-label',
      });
      text.textContent = name;
      unit.append(text);
    }
    if (on) actAs(unit, `unit ${name}: select its ${l === 0 ? 'input' : 'activation'} cell`, focusable, () => on.unit(l, i));
    nodes.append(name ? titled(unit, name) : unit);
  }));
  root.append(nodes);

  // Biases: a small badge at the upper right of the unit they feed.
  const badges = svg('g');
  for (const { p, i } of indexed.filter(({ p }) => p.from === null)) {
    const u = g.units[p.layer + 1][p.to];
    const badge = svg('circle', {
      cx: u.x + g.radius * 0.75, cy: u.y - g.radius * 0.75, r: Math.max(3, g.radius * 0.38), class: `bias${lit(i) ? ' lit' : ''}`,
      fill: signColour(p.value), 'fill-opacity': linkOpacity(p.value, maxAbs), stroke: '#fff', 'stroke-width': 1,
    });
    if (on) actAs(badge, `${p.name} = ${fmt(p.value)}: select its cell`, focusable, () => on.param(i));
    badges.append(titled(badge, paramTooltip(p)));
  }
  root.append(badges);

  const captions = svg('g', { 'font-size': 12, 'font-family': 'system-ui, sans-serif', class: 'caption', 'text-anchor': 'middle' });
  g.units.forEach((column, l) => {
    const text = svg('text', { x: column[0]?.x ?? 0, y: g.height - 12 });
    text.textContent = l === 0 ? 'inputs' : s.activations[l - 1];
    captions.append(text);
  });
  root.append(captions);

  const caption = document.createElement('div');
  caption.className = 'view-caption';
  caption.textContent = `epoch ${s.epoch}`;
  const scroller = document.createElement('div');
  scroller.className = 'diagram-scroll';
  scroller.append(root);
  const legend = document.createElement('p');
  legend.className = 'view-legend';
  legend.innerHTML = '<span class="key pos"></span> positive weight <span class="key neg"></span> negative · wider = larger |w| · ' +
    '<span class="key dot"></span> bias · <span class="key lit"></span> the selected cell\'s chain · click a link or unit to select its cell';
  container.replaceChildren(caption, scroller, legend);
}
