import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection, without starting Node with --expose-gc. V8 sets its next major-GC threshold from the
 * heap it last found alive; after the engine is freed that threshold is still sized for the engine (~0.5 GB), so
 * the XLSX writer's garbage would pile up to it. One collection right after freeing resets it (measured: peak RSS
 * of `npm run train -- --out` on end2-xor-44 fell from 1.05 GB to the figure in the README).
 */
export function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  gc?.();
}
