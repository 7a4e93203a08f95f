import { expect } from 'vitest';
import { isDriftwatchError } from '../../../src/errors.ts';

/** Runs fn and asserts it threw a DriftwatchError with code DW_STATISTIC_INPUT. */
export function expectStatisticInput(fn: () => unknown): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(
    isDriftwatchError(thrown, 'DW_STATISTIC_INPUT'),
    `expected DW_STATISTIC_INPUT, got ${String(thrown)}`,
  ).toBe(true);
}
