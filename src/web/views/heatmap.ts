import { compileForward, type NetworkSnapshot } from './snapshot';

type Rgb = [number, number, number];
const LOW: Rgb = [221, 107, 32]; // #dd6b20, as negative weights in the diagram
const HIGH: Rgb = [43, 108, 176]; // #2b6cb0
const WHITE: Rgb = [255, 255, 255];
const UNDEFINED: Rgb = [160, 160, 160]; // NaN: a diverged network

/** Colour of an output value: white at the middle of [lo, hi], orange at lo, blue at hi, clamped beyond. */
export function heatColour(v: number, lo: number, hi: number): Rgb {
  if (Number.isNaN(v)) return UNDEFINED;
  const half = (hi - lo) / 2 || 1;
  const t = Math.max(-1, Math.min(1, (v - (lo + hi) / 2) / half));
  const end = t < 0 ? LOW : HIGH;
  const k = Math.abs(t);
  return WHITE.map((w, i) => Math.round(w + (end[i] - w) * k)) as Rgb;
}

const css = ([r, g, b]: Rgb) => `rgb(${r},${g},${b})`;

/** The range of the first target over all samples (widened by ±0.5 when every target is the same). */
export function targetRange(targets: number[][]): [number, number] {
  const ts = targets.map((t) => t[0]);
  const lo = Math.min(...ts);
  const hi = Math.max(...ts);
  return lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi];
}

/** Span of one input over the data, padded by a quarter of the span (0.25 for inputs in [0, 1]) each side. */
export function inputDomain(values: number[]): { min: number; max: number; ticks: number[] } {
  const min = Math.min(...values);
  const max = Math.max(...values);
  const pad = 0.25 * (max - min || 1);
  return { min: min - pad, max: max + pad, ticks: min === max ? [min] : [min, max] };
}

const fmt = (v: number) => String(Number(v.toPrecision(3)));

const PLOT = 200;
const GRID = 100; // outputs are evaluated on a GRID² grid and scaled up smoothly
const M = { left: 34, top: 10, right: 62, bottom: 34 };

/** Output of a 2-input, 1-output network over the input square, with the samples; false (and empty) otherwise. */
export function renderHeatmap(container: HTMLElement, s: NetworkSnapshot): boolean {
  const { layers } = s;
  if (layers[0] !== 2 || layers[layers.length - 1] !== 1) {
    container.replaceChildren();
    return false;
  }
  const net = compileForward(s);
  const xd = inputDomain(s.data.inputs.map((x) => x[0]));
  const yd = inputDomain(s.data.inputs.map((x) => x[1]));
  const [lo, hi] = targetRange(s.data.targets);
  const px = (x: number) => M.left + ((x - xd.min) / (xd.max - xd.min)) * PLOT;
  const py = (y: number) => M.top + ((yd.max - y) / (yd.max - yd.min)) * PLOT; // y upward

  const grid = document.createElement('canvas');
  grid.width = grid.height = GRID;
  const gctx = grid.getContext('2d')!;
  const img = gctx.createImageData(GRID, GRID);
  for (let r = 0; r < GRID; r++) {
    const y = yd.max - ((r + 0.5) / GRID) * (yd.max - yd.min);
    for (let c = 0; c < GRID; c++) {
      const x = xd.min + ((c + 0.5) / GRID) * (xd.max - xd.min);
      const [red, green, blue] = heatColour(net([x, y])[0], lo, hi);
      img.data.set([red, green, blue, 255], (r * GRID + c) * 4);
    }
  }
  gctx.putImageData(img, 0, 0);

  const width = M.left + PLOT + M.right;
  const height = M.top + PLOT + M.bottom;
  const dpr = window.devicePixelRatio || 1;
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  canvas.setAttribute('role', 'img');
  const outName = s.unitNames[s.unitNames.length - 1]?.[0] ?? 'output';
  const [in1, in2] = [s.unitNames[0]?.[0] ?? 'i1', s.unitNames[0]?.[1] ?? 'i2'];
  const shown = s.data.inputs.slice(0, 8).map((x, i) => `(${x.map(fmt).join(', ')}) gives ${fmt(net(x)[0])}, target ${fmt(s.data.targets[i][0])}`);
  canvas.setAttribute('aria-label', `heat map of the network's output ${outName} over ${in1} (across) and ${in2} (up) at epoch ${s.epoch}: ` +
    `orange ${fmt(lo)}, white ${fmt((lo + hi) / 2)}, blue ${fmt(hi)}; dots are the ${s.data.inputs.length} samples coloured by their target. ` +
    `${shown.join('; ')}${s.data.inputs.length > 8 ? '; …' : ''}.`);
  const ctx = canvas.getContext('2d')!;
  ctx.scale(dpr, dpr);
  // A light card of its own: the axis and colour-bar labels stay readable in a dark page too.
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(grid, M.left, M.top, PLOT, PLOT);
  ctx.strokeStyle = '#4a5568';
  ctx.lineWidth = 1;
  ctx.strokeRect(M.left, M.top, PLOT, PLOT);

  s.data.inputs.forEach(([x, y], i) => {
    ctx.beginPath();
    ctx.arc(px(x), py(y), 6, 0, 2 * Math.PI);
    ctx.fillStyle = css(heatColour(s.data.targets[i][0], lo, hi));
    ctx.fill();
    // A white ring inside the dark outline keeps a sample visible on a background of its own colour.
    ctx.lineWidth = 4;
    ctx.strokeStyle = '#1a202c';
    ctx.stroke();
    ctx.lineWidth = 2;
    ctx.strokeStyle = '#fff';
    ctx.stroke();
  });

  // Axes: ticks at the data's extremes, names under and left of the plot.
  ctx.fillStyle = '#2d3748';
  ctx.strokeStyle = '#4a5568';
  ctx.lineWidth = 1;
  ctx.font = '11px system-ui, sans-serif';
  const bottom = M.top + PLOT;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of xd.ticks) {
    ctx.beginPath(); ctx.moveTo(px(t), bottom); ctx.lineTo(px(t), bottom + 4); ctx.stroke();
    ctx.fillText(fmt(t), px(t), bottom + 5);
  }
  ctx.fillText(s.unitNames[0]?.[0] ?? 'i1', M.left + PLOT / 2, bottom + 19);
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of yd.ticks) {
    ctx.beginPath(); ctx.moveTo(M.left, py(t)); ctx.lineTo(M.left - 4, py(t)); ctx.stroke();
    ctx.fillText(fmt(t), M.left - 6, py(t));
  }
  ctx.textAlign = 'center';
  ctx.fillText(s.unitNames[0]?.[1] ?? 'i2', 10, M.top + PLOT / 2);

  // Legend: the colour scale as a vertical bar, target maximum on top.
  const lx = M.left + PLOT + 14;
  const gradient = ctx.createLinearGradient(0, M.top, 0, bottom);
  gradient.addColorStop(0, css(heatColour(hi, lo, hi)));
  gradient.addColorStop(0.5, css(heatColour((lo + hi) / 2, lo, hi)));
  gradient.addColorStop(1, css(heatColour(lo, lo, hi)));
  ctx.fillStyle = gradient;
  ctx.fillRect(lx, M.top, 10, PLOT);
  ctx.strokeRect(lx, M.top, 10, PLOT);
  ctx.fillStyle = '#2d3748';
  ctx.textAlign = 'left';
  [[hi, M.top], [(lo + hi) / 2, M.top + PLOT / 2], [lo, bottom]].forEach(([v, y]) => ctx.fillText(fmt(v), lx + 14, y));
  ctx.textBaseline = 'bottom';
  ctx.fillText(s.unitNames[s.unitNames.length - 1]?.[0] ?? 'output', lx, height - 2);

  const legend = document.createElement('p');
  legend.className = 'view-legend';
  legend.textContent = `${outName} at every point of the input square, epoch ${s.epoch}: orange low (${fmt(lo)}), white half-way, blue high (${fmt(hi)}); the dots are the samples, coloured by their target, so a dot on its own colour is learnt.`;
  container.replaceChildren(canvas, legend);
  return true;
}
