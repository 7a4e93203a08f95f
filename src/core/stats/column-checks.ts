import { DriftwatchError, ErrorCodes } from '../../errors.ts';

/**
 * The checks every column kernel makes before its loop: `length` is a whole number within the `available` values,
 * and a validity bitmap (Arrow LSB-first, bit i set = value i present), when given, covers `length` values.
 */
export function checkColumn(
  length: number,
  available: number,
  validity: Uint8Array | null,
  unit: string,
): void {
  if (!Number.isInteger(length) || length < 0 || length > available) {
    throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, `length ${length} exceeds ${available} ${unit}`, {
      length,
      [unit]: available,
    });
  }
  if (validity !== null && validity.length * 8 < length) {
    throw new DriftwatchError(
      ErrorCodes.STATISTIC_INPUT,
      `validity bitmap covers fewer than ${length} values`,
      {
        length,
        validityBytes: validity.length,
      },
    );
  }
}
