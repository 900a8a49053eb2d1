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
  if (p.grad !== null) lines.push(`∂L/∂${p.name} = ${String(p.grad)}`);
  return lines.join('\n');
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

export function renderNetworkDiagram(container: HTMLElement, s: NetworkSnapshot): void {
  const g = diagramGeometry(s.layers);
  const maxAbs = Math.max(0, ...s.params.map((p) => Math.abs(p.value)).filter(Number.isFinite));
  const weights = s.params.filter((p) => p.from !== null);
  // An invisible wide stroke makes thin lines hoverable; skipped for big networks to keep the node count down.
  const hitLines = weights.length <= 1000;

  const root = svg('svg', { viewBox: `0 0 ${g.width} ${g.height}`, width: '100%', role: 'img' });
  root.style.maxWidth = `${g.width * 1.25}px`; // small networks should not balloon
  root.style.display = 'block';
  const style = svg('style');
  style.textContent = '.link:hover .vis { stroke-opacity: 1; } .bias:hover { fill-opacity: 1; stroke: #1a202c; }';
  root.append(style);

  const links = svg('g');
  for (const p of weights) {
    const a = g.units[p.layer][p.from!];
    const b = g.units[p.layer + 1][p.to];
    const ends = { x1: a.x, y1: a.y, x2: b.x, y2: b.y };
    const vis = svg('line', {
      ...ends, class: 'vis', stroke: signColour(p.value),
      'stroke-width': linkWidth(p.value, maxAbs), 'stroke-opacity': linkOpacity(p.value, maxAbs),
    });
    const group = svg('g', { class: 'link' });
    group.append(vis);
    if (hitLines) group.append(svg('line', { ...ends, stroke: 'transparent', 'stroke-width': 8 }));
    links.append(titled(group, paramTooltip(p)));
  }
  root.append(links);

  const nodes = svg('g');
  g.units.forEach((column, l) => column.forEach((u, i) => {
    const name = s.unitNames[l]?.[i] ?? '';
    const circle = svg('circle', { cx: u.x, cy: u.y, r: g.radius, fill: '#fff', stroke: '#4a5568', 'stroke-width': 1.5 });
    nodes.append(name ? titled(circle, name) : circle);
    if (g.showLabels && name) {
      const text = svg('text', {
        x: u.x, y: u.y, 'text-anchor': 'middle', 'dominant-baseline': 'central', 'pointer-events': 'none',
        'font-size': Math.min(13, (1.8 * g.radius) / (0.6 * Math.max(2, name.length))).toFixed(1),
        'font-family': 'system-ui, sans-serif', fill: '#1a202c',
      });
      text.textContent = name;
      nodes.append(text);
    }
  }));
  root.append(nodes);

  // Biases: a small badge at the upper right of the unit they feed.
  const badges = svg('g');
  for (const p of s.params.filter((q) => q.from === null)) {
    const u = g.units[p.layer + 1][p.to];
    const badge = svg('circle', {
      cx: u.x + g.radius * 0.75, cy: u.y - g.radius * 0.75, r: Math.max(2, g.radius * 0.38), class: 'bias',
      fill: signColour(p.value), 'fill-opacity': linkOpacity(p.value, maxAbs), stroke: '#fff', 'stroke-width': 1,
    });
    badges.append(titled(badge, paramTooltip(p)));
  }
  root.append(badges);

  const captions = svg('g', { 'font-size': 12, 'font-family': 'system-ui, sans-serif', fill: '#4a5568', 'text-anchor': 'middle' });
  g.units.forEach((column, l) => {
    const text = svg('text', { x: column[0]?.x ?? 0, y: g.height - 12 });
    text.textContent = l === 0 ? 'inputs' : s.activations[l - 1];
    captions.append(text);
  });
  root.append(captions);

  const caption = document.createElement('div');
  caption.className = 'view-caption';
  caption.textContent = `epoch ${s.epoch}`;
  container.replaceChildren(caption, root);
}
