import { HyperFormula } from 'hyperformula';

/**
 * Small, measured fixes to HyperFormula's internals, applied at run time to the exact version they were written
 * against (PATCHED_VERSION; tests/hfPatches.test.ts fails on any other). None changes what a cell computes: every
 * cell stays a HyperFormula formula cell evaluated by HyperFormula, and tests/hfPatches.test.ts proves the patched
 * engine gives every cell of every preset the same float64, bit for bit, as the unpatched one. Each patch can be
 * switched off (setHyperFormulaPatches(false)), which is how that test gets the unpatched engine.
 * Reasons and measured effects, and how each could go upstream: docs/_incoming/speed.md ("HyperFormula patches").
 *
 * 1. Shared cached trees (ParserWithCaching.convertReversedRangesToRegularRanges): after every cache hit the parser
 *    rebuilt the whole cached tree just to put reversed ranges such as B5:B2 in order; a tree without ranges is
 *    returned as it is, so every row shares the cached tree (−25 % heap).
 * 2. Row templates (ParserWithCaching.parse): a row appended by the workbook holds the same formulas as the row
 *    above, shifted by one row, so their relative-form parse (tree and relative dependencies) is already known.
 *    The workbook names, for the row it is about to set, which text of which column is which of its templates
 *    (withRowTemplates); the parser then returns that template's parse result instead of lexing the text again.
 * 3. Linear sort (Graph.getTopSortedWithSccSubgraphFrom): before recomputing, HyperFormula orders the changed cells
 *    and everything computed from them with Tarjan's algorithm (cycle detection), keeping per-node state in arrays
 *    indexed by node id, which V8 stores as hash tables once ids are in the millions. When every dependency edge
 *    of that subgraph points from a lower node id to a higher one (formulas entered after the cells they read,
 *    as a freshly appended row's are), ascending id order is already a topological order and there is no cycle;
 *    this is checked edge by edge while collecting the subgraph, and any other graph goes to Tarjan as before.
 * 4. No change records (Evaluator.partialRun): every recomputed cell is recorded (a string key, a record, then an
 *    exported change object) for setCellContents' return value and the valuesUpdated event. The driver's writes
 *    discard both and nothing listens, so inside withoutChangeRecords, on an engine with no valuesUpdated listener,
 *    the recomputation records nothing: the cells compute exactly as before; the call returns only the changes of
 *    the cells written (not those recomputed) and statistics (off by default) do not time this evaluation.
 */

export const PATCHED_VERSION = '3.5.0';

type Ast = { type: string; [key: string]: unknown };
type Convert = (this: unknown, ast: Ast) => Ast;
interface ParseResult { ast: Ast; errors: unknown[]; dependencies: unknown[]; hasVolatileFunction: boolean; hasStructuralChangeFunction: boolean }
type Address = { sheet: number; row: number; col: number };
interface Parser {
  formulaAddress?: Address;
  parse(text: string, address: Address): ParseResult;
  convertReversedRangesToRegularRanges: Convert;
}
type GraphNode = { idInGraph?: number };
interface Graph {
  nodesSparseArray: (GraphNode | undefined)[];
  edgesSparseArray: ((number | undefined)[] | undefined)[];
  getTopSortedWithSccSubgraphFrom(nodes: GraphNode[], operate: (n: GraphNode) => boolean, onCycle: (n: GraphNode) => void): { sorted: GraphNode[]; cycled: GraphNode[] };
}
type Internals = { _parser?: Parser; dependencyGraph?: { graph?: Graph }; _evaluator?: Evaluator; _emitter?: { e?: Record<string, unknown[]> } };
interface Changes { addChange(value: unknown, address: unknown): void; changes: Map<string, unknown> }
interface Evaluator {
  dependencyGraph: { graph: Graph };
  partialRun(vertices: GraphNode[]): Changes;
  recomputeVertex(vertex: GraphNode, changes: Changes): boolean;
  processVertexOnCycle(vertex: GraphNode, changes: Changes): void;
}

export type PatchName = 'sharedTrees' | 'rowTemplates' | 'linearSort' | 'noChangeRecords';
const on: Record<PatchName, boolean> = { sharedTrees: true, rowTemplates: true, linearSort: true, noChangeRecords: true };
let applied = false;
/** Whether the patches are installed (false on a HyperFormula other than PATCHED_VERSION). */
let installed = false;

/**
 * Switches all patches, or the ones named, on or off (the equality test runs the unpatched engine this way, and
 * the bench measures each against the others).
 */
export function setHyperFormulaPatches(value: boolean | Partial<Record<PatchName, boolean>>): void {
  for (const name of Object.keys(on) as PatchName[]) {
    const v = typeof value === 'boolean' ? value : value[name];
    if (v !== undefined) on[name] = v;
  }
}

/** True when the patches are installed on this HyperFormula and the one named is switched on. */
export function hyperFormulaPatchActive(name: PatchName): boolean {
  return installed && on[name];
}

/** How often each patch took its fast path since the last reset (tests check a patched run really used them). */
export const patchStats = { templateParses: 0, linearSorts: 0, tarjanSorts: 0 };

// ---- 1. shared cached trees ----

const RANGE_TYPES = new Set(['CELL_RANGE', 'COLUMN_RANGE', 'ROW_RANGE']);

/** Cached trees come back as the same object, so each is walked once. */
const rangeFree = new WeakSet<Ast>();

function containsRange(ast: Ast): boolean {
  if (rangeFree.has(ast)) return false;
  if (!hasRange(ast)) {
    rangeFree.add(ast);
    return false;
  }
  return true;
}

function hasRange(ast: Ast): boolean {
  if (RANGE_TYPES.has(ast.type)) return true;
  for (const key of ['left', 'right', 'value', 'expression'] as const) {
    const child = ast[key] as Ast | undefined;
    if (child && typeof child === 'object' && typeof child.type === 'string' && hasRange(child)) return true;
  }
  const args = ast.args as (Ast | Ast[])[] | undefined;
  if (Array.isArray(args)) {
    for (const arg of args) {
      if (Array.isArray(arg) ? arg.some(hasRange) : hasRange(arg)) return true;
    }
  }
  return false;
}

// ---- 2. row templates ----

const ABSOLUTE_END = new Set(['CELL_REFERENCE_ABSOLUTE', 'ABSOLUTE']);
const absoluteRanges = new WeakMap<Ast, boolean>();

/** Every range in the tree has both ends absolute in every dimension (memoized per cached tree). */
function allRangesAbsolute(ast: Ast): boolean {
  let known = absoluteRanges.get(ast);
  if (known === undefined) absoluteRanges.set(ast, (known = rangesAbsolute(ast)));
  return known;
}

function rangesAbsolute(ast: Ast): boolean {
  if (RANGE_TYPES.has(ast.type)) {
    const ends = [ast.start, ast.end] as ({ type?: string } | undefined)[];
    return ends.every((e) => e !== undefined && ABSOLUTE_END.has(String(e.type)));
  }
  for (const key of ['left', 'right', 'value', 'expression'] as const) {
    const child = ast[key] as Ast | undefined;
    if (child && typeof child === 'object' && typeof child.type === 'string' && !rangesAbsolute(child)) return false;
  }
  const args = ast.args as (Ast | Ast[])[] | undefined;
  if (Array.isArray(args)) {
    for (const arg of args) {
      if (!(Array.isArray(arg) ? arg.every(rangesAbsolute) : rangesAbsolute(arg))) return false;
    }
  }
  return true;
}

/**
 * What the workbook is about to set into one row: `texts[col]` is the formula text it rendered for that column, and
 * `templates[col]` the object standing for the column's template (the same for every row of the sheet). A template
 * must be shift-invariant: its text for any row is the same relative-form formula (its references keep their row
 * offsets and absolute parts), as formulas.ts's rowTemplates renders them.
 */
export interface RowHint {
  sheet: number;
  row: number;
  texts: readonly unknown[];
  templates: readonly (object | null)[];
}

const hints = new WeakMap<object, RowHint>();
/** Per parser, each template's relative-form parse result (from its first row). */
const templateResults = new WeakMap<object, WeakMap<object, ParseResult>>();

/** Runs `set` (which sets the row `hint` describes) with the parser told which texts are which templates. */
export function withRowTemplates<T>(hf: HyperFormula, hint: RowHint, set: () => T): T {
  const parser = (hf as unknown as Internals)._parser;
  if (!parser || !hyperFormulaPatchActive('rowTemplates')) return set();
  hints.set(parser, hint);
  try {
    return set();
  } finally {
    hints.delete(parser);
  }
}

function parseWithTemplates(this: Parser, original: Parser['parse'], text: string, address: Address): ParseResult {
  const hint = on.rowTemplates ? hints.get(this) : undefined;
  const template = hint && address.sheet === hint.sheet && address.row === hint.row && hint.texts[address.col] === text
    ? hint.templates[address.col] : null;
  if (!template) return original.call(this, text, address);
  let results = templateResults.get(this);
  if (!results) templateResults.set(this, (results = new WeakMap()));
  const known = results.get(template);
  if (!known) {
    const result = original.call(this, text, address);
    if (result.errors.length === 0) results.set(template, result);
    return result;
  }
  this.formulaAddress = address;
  // A tree with ranges gets them put in order for this address, as the original does on every parse (the ordering
  // sorts each end's row and column, so ordering an already ordered range again gives the same as ordering the
  // cached one); a tree without ranges comes back as it is (patch 1) and keeps its dependencies. Without patch 1
  // every tree is copied, and the original parses the text.
  const ast = this.convertReversedRangesToRegularRanges(known.ast);
  // A range whose ends are both absolute ($A$2:$A$5) is put in order the same way at every address, so the first
  // row's result holds for every row; a range with a relative end is parsed again, as the original does.
  if (ast === known.ast || allRangesAbsolute(known.ast)) {
    patchStats.templateParses++;
    return known;
  }
  return original.call(this, text, address);
}

// ---- 3. linear sort ----

type Sort = Graph['getTopSortedWithSccSubgraphFrom'];

const REACHED = 1;
const DIRTY = 2;

/**
 * The subgraph reachable from `modified`, sorted by ascending node id, when every edge in it goes from a lower id
 * to a higher one; null (use Tarjan) as soon as one does not. Then recomputes as HyperFormula's TopSort.postprocess
 * does: a node is recomputed when it was modified or a node it reads changed. Every reached id is at least the
 * lowest modified one, so the marks are a byte array from there (a Set was 3 times slower).
 */
function sortByIds(graph: Graph, modified: GraphNode[], operate: (n: GraphNode) => boolean): { sorted: GraphNode[]; cycled: GraphNode[] } | null {
  const nodes = graph.nodesSparseArray;
  const edges = graph.edgesSparseArray;
  let base = Infinity;
  for (const node of modified) {
    const id = node.idInGraph;
    if (id !== undefined && nodes[id] && id < base) base = id;
  }
  if (base === Infinity) return { sorted: [], cycled: [] };
  let marks = new Uint8Array(1024);
  let last = 0;
  const stack: number[] = [];
  const reach = (id: number) => {
    const i = id - base;
    if (i >= marks.length) {
      const grown = new Uint8Array(Math.max(marks.length * 2, i + 1));
      grown.set(marks);
      marks = grown;
    }
    if (marks[i] !== 0) return false;
    marks[i] = REACHED;
    if (i > last) last = i;
    return true;
  };
  for (const node of modified) {
    const id = node.idInGraph;
    if (id === undefined || !nodes[id]) continue;
    if (reach(id)) stack.push(id);
    marks[id - base] |= DIRTY;
  }
  while (stack.length > 0) {
    const u = stack.pop()!;
    const out = edges[u];
    if (!out) continue;
    for (let k = 0; k < out.length; k++) {
      const v = out[k];
      if (v === undefined || !nodes[v]) continue;
      if (v <= u) return null;
      if (reach(v)) stack.push(v);
    }
  }
  const sorted: GraphNode[] = [];
  for (let i = 0; i <= last; i++) {
    const mark = marks[i];
    if (mark === 0) continue;
    const id = base + i;
    const node = nodes[id]!;
    sorted.push(node);
    if ((mark & DIRTY) !== 0 && operate(node)) {
      const out = edges[id];
      if (!out) continue;
      for (let k = 0; k < out.length; k++) {
        const v = out[k];
        if (v !== undefined && nodes[v]) marks[v - base] |= DIRTY;
      }
    }
  }
  return { sorted, cycled: [] };
}

// ---- 4. no change records ----

/** Evaluators whose recomputation records no changes (inside withoutChangeRecords). */
const unrecorded = new WeakSet<object>();
const NO_CHANGES: Changes = { addChange: () => undefined, changes: new Map() };

/** Runs `write` with the engine's recomputation recording no changes, when nothing listens for them. */
export function withoutChangeRecords<T>(hf: HyperFormula, write: () => T): T {
  const { _evaluator: evaluator, _emitter: emitter } = hf as unknown as Internals;
  if (!evaluator || !hyperFormulaPatchActive('noChangeRecords') || (emitter?.e?.valuesUpdated?.length ?? 0) > 0) return write();
  unrecorded.add(evaluator);
  try {
    return write();
  } finally {
    unrecorded.delete(evaluator);
  }
}

/** Evaluator.partialRun without its ContentChanges (and without its statistics timer). */
function partialRunUnrecorded(this: Evaluator, vertices: GraphNode[]): Changes {
  this.dependencyGraph.graph.getTopSortedWithSccSubgraphFrom(vertices, (v) => this.recomputeVertex(v, NO_CHANGES), (v) => this.processVertexOnCycle(v, NO_CHANGES));
  return NO_CHANGES;
}

// ---- installing ----

/**
 * Applied once per process, before the first workbook: the patches above (on PATCHED_VERSION only), and a warm-up
 * of the formula-cell object shape. V8 sizes an object's in-object fields from the first few objects a constructor
 * makes; HyperFormula adds a formula cell's value only when it evaluates it, so after a bulk build every cell's value
 * lands in a separate 40-byte property store. Making the first formula cells one at a time, each evaluated at once,
 * sizes the shape for the value too (measured: -11 % heap on end2-xor-44).
 */
export function applyHyperFormulaPatches(): void {
  if (applied) return;
  applied = true;
  const warm = HyperFormula.buildFromArray([[1]], { licenseKey: 'gpl-v3' });
  for (let i = 0; i < 10; i++) warm.setCellContents({ sheet: 0, row: i, col: 1 }, `=A1+${i}`);
  warm.destroy();
  // Another HyperFormula is left alone: correct, just slower (and tests/hfPatches.test.ts fails until the patches
  // are checked against its source and PATCHED_VERSION is updated).
  if (HyperFormula.version !== PATCHED_VERSION) return;
  const probe = HyperFormula.buildEmpty({ licenseKey: 'gpl-v3' }) as unknown as Internals;
  const parserProto = probe._parser ? (Object.getPrototypeOf(probe._parser) as Parser) : null;
  const graph = probe.dependencyGraph?.graph;
  const graphProto = graph ? (Object.getPrototypeOf(graph) as Graph) : null;
  const evaluatorProto = probe._evaluator ? (Object.getPrototypeOf(probe._evaluator) as Evaluator) : null;
  (probe as unknown as HyperFormula).destroy();
  const convert = parserProto?.convertReversedRangesToRegularRanges;
  const parse = parserProto?.parse;
  const sort = graphProto?.getTopSortedWithSccSubgraphFrom;
  const partialRun = evaluatorProto?.partialRun;
  if (!parserProto || !graphProto || !evaluatorProto || typeof convert !== 'function' || typeof parse !== 'function' ||
    typeof sort !== 'function' || typeof partialRun !== 'function') return;
  parserProto.convertReversedRangesToRegularRanges = function (this: unknown, ast: Ast): Ast {
    return on.sharedTrees && !containsRange(ast) ? ast : convert.call(this, ast);
  };
  parserProto.parse = function (this: Parser, text: string, address: Address): ParseResult {
    return parseWithTemplates.call(this, parse, text, address);
  };
  graphProto.getTopSortedWithSccSubgraphFrom = function (this: Graph, modified, operate, onCycle) {
    if (on.linearSort) {
      const linear = sortByIds(this, modified, operate);
      if (linear) {
        patchStats.linearSorts++;
        return linear;
      }
      patchStats.tarjanSorts++;
    }
    return (sort as Sort).call(this, modified, operate, onCycle);
  };
  evaluatorProto.partialRun = function (this: Evaluator, vertices: GraphNode[]): Changes {
    return on.noChangeRecords && unrecorded.has(this) ? partialRunUnrecorded.call(this, vertices) : partialRun.call(this, vertices);
  };
  installed = true;
}

/**
 * HyperFormula keeps each vertex's dependents in a JS array grown by push, which V8 sizes for 17 entries on the
 * first push; most of our cells have one to three dependents. Copying each array to its exact length frees ~150
 * bytes a cell (measured: see the README). Later edits push onto the copies as before. Vertex ids only grow, so
 * compacting from the id where the last call ended covers every new row; returns where this call ended.
 */
export function compactDependencyGraph(hf: HyperFormula, fromId = 0): number {
  const graph = (hf as unknown as { graph?: { edgesSparseArray?: unknown } }).graph;
  const edges = graph?.edgesSparseArray;
  if (!Array.isArray(edges)) return fromId;
  for (let i = fromId; i < edges.length; i++) {
    const list = edges[i] as unknown;
    if (Array.isArray(list)) edges[i] = list.length === 0 ? [] : list.slice();
  }
  return edges.length;
}
