import { DriftwatchError, ErrorCodes } from '../../errors.ts';

/**
 * Shared input check of the two-sample statistics: both count vectors use the same bucket layout (same length),
 * every count is finite and non-negative, and each side has a positive total. Returns nothing; throws
 * DW_STATISTIC_INPUT naming `statistic` otherwise.
 */
export function checkCountPair(statistic: string, reference: Float64Array, current: Float64Array): void {
  if (reference.length !== current.length) {
    throw new DriftwatchError(
      ErrorCodes.STATISTIC_INPUT,
      `${statistic}: bucket layouts differ (${reference.length} reference vs ${current.length} current buckets)`,
      { statistic, reference: reference.length, current: current.length },
    );
  }
  let refTotal = 0;
  let curTotal = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i]!;
    const c = current[i]!;
    // Written so NaN fails too.
    if (!(r >= 0 && c >= 0 && r < Number.POSITIVE_INFINITY && c < Number.POSITIVE_INFINITY)) {
      throw new DriftwatchError(
        ErrorCodes.STATISTIC_INPUT,
        `${statistic}: bucket ${i} has an invalid count`,
        {
          statistic,
          bucket: i,
          reference: r,
          current: c,
        },
      );
    }
    refTotal += r;
    curTotal += c;
  }
  if (!(refTotal > 0) || !(curTotal > 0)) {
    throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, `${statistic}: a side has no observations`, {
      statistic,
      referenceTotal: refTotal,
      currentTotal: curTotal,
    });
  }
}

/** Sum of a count vector. */
export function total(counts: Float64Array): number {
  let s = 0;
  for (let i = 0; i < counts.length; i++) s += counts[i]!;
  return s;
}
