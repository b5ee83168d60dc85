import { expect } from 'vitest';
import { VerityError } from '../../functions/domain/errors';

/** The VerityError that `fn` throws; fails the test if it throws nothing or something else. */
export function thrown(fn: () => unknown): VerityError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(VerityError);
    return error as VerityError;
  }
  throw new Error('expected a VerityError, but nothing was thrown');
}
