import { expect } from 'vitest';
import { type ErrorCode, isDriftwatchError } from '../../../src/errors.ts';

/** Runs fn and asserts it threw a DriftwatchError with `code` (never a RangeError or TypeError). */
export function expectDriftwatchError(fn: () => unknown, code: ErrorCode): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(isDriftwatchError(thrown, code), `expected ${code}, got ${String(thrown)}`).toBe(true);
}

/** Runs fn and asserts it threw a DriftwatchError with code DW_STATISTIC_INPUT. */
export function expectStatisticInput(fn: () => unknown): void {
  expectDriftwatchError(fn, 'DW_STATISTIC_INPUT');
}

/** Runs fn and asserts it threw a DriftwatchError with code DW_INVALID_OPTION. */
export function expectInvalidOption(fn: () => unknown): void {
  expectDriftwatchError(fn, 'DW_INVALID_OPTION');
}
