/**
 * Work split into tasks of their own, so that no one task blocks the page's input for long (see the README's
 * Performance section).
 */

/** Settles in a task of its own, after the current one. */
export const nextTask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Runs `fn` in a task of its own; resolves with what it returns (rejects with what it throws). */
export const inTask = <T>(fn: () => T): Promise<Awaited<T>> => nextTask().then(fn) as Promise<Awaited<T>>;
