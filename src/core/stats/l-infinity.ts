import { checkCountPair, total } from './count-vectors.ts';

export interface LInfinityOptions {
  /**
   * `separate` (default): max |ref/refTotal − cur/curTotal|, the L-infinity distance of the two distributions
   * (NannyML's l_infinity; TFDV's LInftyDistance, kSeparateTotal). `combined`: both count vectors are divided by
   * refTotal + curTotal first (TFDV's NormalizedAbsoluteDifference, kCombinedTotal), so it is not a distance between
   * distributions when the totals differ.
   */
  readonly normalization?: 'separate' | 'combined';
  /**
   * Which bucket to report when several share the maximum: the first (default) or the last. TFDV walks a std::map in
   * bytewise key order and keeps the LAST key with the maximum (GetLInftyNorm compares with >=); to reproduce its
   * reported value, order the buckets by key bytes and pass 'last'.
   */
  readonly ties?: 'first' | 'last';
}

export interface LInfinityResult {
  readonly value: number;
  /** Index of the bucket with the largest absolute difference (ties per `options.ties`). */
  readonly bucket: number;
}

/** L-infinity distance between two count vectors in the same layout, with the bucket where it is attained. */
export function lInfinityDistance(
  reference: Float64Array,
  current: Float64Array,
  options: LInfinityOptions = {},
): LInfinityResult {
  checkCountPair('l-infinity', reference, current);
  const refTotal = total(reference);
  const curTotal = total(current);
  const combined = options.normalization === 'combined';
  const refScale = combined ? refTotal + curTotal : refTotal;
  const curScale = combined ? refTotal + curTotal : curTotal;
  const last = options.ties === 'last';
  let value = -1;
  let bucket = 0;
  for (let i = 0; i < reference.length; i++) {
    const d = Math.abs(reference[i]! / refScale - current[i]! / curScale);
    if (d > value || (last && d === value)) {
      value = d;
      bucket = i;
    }
  }
  return { value, bucket };
}
