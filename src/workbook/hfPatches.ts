import { HyperFormula } from 'hyperformula';

/**
 * One measured fix to HyperFormula's parser (3.5), applied at run time.
 *
 * HyperFormula caches each formula's AST in relative-address form, so 2001 rows of the same formula could share one
 * AST. But after every cache hit, ParserWithCaching.convertReversedRangesToRegularRanges rebuilds the whole tree
 * (a fresh object for every operator node) just to put reversed ranges such as B5:B2 in order. For a formula
 * without ranges the copy equals the original, so we return the original: every row then shares the cached tree.
 * Measured on end2-xor-44 (2001 epochs): see the README's performance section.
 */

type Ast = { type: string; [key: string]: unknown };
type Convert = (this: unknown, ast: Ast) => Ast;

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

let applied = false;

/**
 * Applied once per process, before the first workbook: the parser fix above, and a warm-up of the formula-cell
 * object shape. V8 sizes an object's in-object fields from the first few objects a constructor makes; HyperFormula
 * adds a formula cell's value only when it evaluates it, so after a bulk build every cell's value lands in a
 * separate 40-byte property store. Making the first formula cells one at a time, each evaluated at once, sizes the
 * shape for the value too (measured: -11 % heap on end2-xor-44).
 */
export function applyHyperFormulaPatches(): void {
  if (applied) return;
  applied = true;
  const warm = HyperFormula.buildFromArray([[1]], { licenseKey: 'gpl-v3' });
  for (let i = 0; i < 10; i++) warm.setCellContents({ sheet: 0, row: i, col: 1 }, `=A1+${i}`);
  warm.destroy();
  const probe = HyperFormula.buildEmpty({ licenseKey: 'gpl-v3' });
  const parser = (probe as unknown as { _parser?: object })._parser;
  const proto = parser ? (Object.getPrototypeOf(parser) as { convertReversedRangesToRegularRanges?: Convert }) : null;
  const original = proto?.convertReversedRangesToRegularRanges;
  probe.destroy();
  // A HyperFormula whose internals differ from 3.5's is left alone: correct, just slower.
  if (!proto || typeof original !== 'function') return;
  proto.convertReversedRangesToRegularRanges = function (this: unknown, ast: Ast): Ast {
    return containsRange(ast) ? original.call(this, ast) : ast;
  };
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
