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

function containsRange(ast: Ast): boolean {
  if (RANGE_TYPES.has(ast.type)) return true;
  for (const key of ['left', 'right', 'value', 'expression'] as const) {
    const child = ast[key] as Ast | undefined;
    if (child && typeof child === 'object' && typeof child.type === 'string' && containsRange(child)) return true;
  }
  const args = ast.args as (Ast | Ast[])[] | undefined;
  if (Array.isArray(args)) {
    for (const arg of args) {
      if (Array.isArray(arg) ? arg.some(containsRange) : containsRange(arg)) return true;
    }
  }
  return false;
}

let applied = false;

export function applyHyperFormulaPatches(): void {
  if (applied) return;
  applied = true;
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
 * first push; most of our cells have one to three dependents. Copying each array to its exact length after the
 * build frees ~150 bytes a cell (measured: see the README). Later edits push onto the copies as before.
 */
export function compactDependencyGraph(hf: HyperFormula): void {
  const graph = (hf as unknown as { graph?: { edgesSparseArray?: unknown } }).graph;
  const edges = graph?.edgesSparseArray;
  if (!Array.isArray(edges)) return;
  for (let i = 0; i < edges.length; i++) {
    const list = edges[i] as unknown;
    if (Array.isArray(list)) edges[i] = list.length === 0 ? [] : list.slice();
  }
}
