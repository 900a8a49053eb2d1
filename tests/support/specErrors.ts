import { expect } from 'vitest';
import { SpecError } from '../../src/spec/validate';

/** Runs `f`, which must refuse a spec: returns the SpecError it threw (the test fails on any other outcome). */
export function thrown(f: () => unknown): SpecError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(SpecError);
    return err as SpecError;
  }
  throw new Error('expected a SpecError, but the spec was accepted');
}
