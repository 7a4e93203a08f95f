import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { checkColumn } from './column-checks.ts';

/**
 * Categorical bucket layout for a baseline with k categories:
 *
 * | index      | bucket                                                        |
 * |------------|---------------------------------------------------------------|
 * | 0 .. k-1   | the baseline's categories, in the baseline's order            |
 * | k          | unseen: a value the baseline does not list                    |
 * | k + 1      | missing: null (validity bit clear)                            |
 *
 * Windows arrive dictionary-encoded with their own dictionary, so a window is counted in two steps: map its
 * dictionary once (`buildCodeToBucket`), then count codes through that map (`countCategorical`).
 */
export function categoricalBucketCount(k: number): number {
  return k + 2;
}

export function categoricalUnseenBucket(k: number): number {
  return k;
}

export function categoricalMissingBucket(k: number): number {
  return k + 1;
}

/**
 * Maps each code of a window dictionary to its baseline bucket, or to unseen. `baselineIndex` maps each baseline
 * category to its index 0..k-1, with k = `baselineIndex.size`.
 */
export function buildCodeToBucket(
  windowDictionary: readonly string[],
  baselineIndex: ReadonlyMap<string, number>,
): Int32Array {
  const k = baselineIndex.size;
  const map = new Int32Array(windowDictionary.length);
  for (let code = 0; code < windowDictionary.length; code++) {
    const bucket = baselineIndex.get(windowDictionary[code]!);
    if (bucket === undefined) {
      map[code] = k;
    } else if (Number.isInteger(bucket) && bucket >= 0 && bucket < k) {
      map[code] = bucket;
    } else {
      throw new DriftwatchError(
        ErrorCodes.STATISTIC_INPUT,
        `baseline index of category ${JSON.stringify(windowDictionary[code])} is ${bucket}, outside 0..${k - 1}`,
        { category: windowDictionary[code], bucket, categories: k },
      );
    }
  }
  return map;
}

/**
 * Adds the bucket counts of `codes[0..length)` into `out` (length k + 2), so successive chunks accumulate. A code
 * outside `codeToBucket` counts as unseen; `validity` is an Arrow LSB-first bitmap starting at bit 0 (null: all
 * present), and a cleared bit counts as missing.
 */
export function countCategorical(
  codes: Int32Array,
  validity: Uint8Array | null,
  length: number,
  codeToBucket: Int32Array,
  out: Float64Array,
): void {
  if (out.length < 2) {
    throw new DriftwatchError(
      ErrorCodes.STATISTIC_INPUT,
      `categorical counts need at least 2 buckets, got ${out.length}`,
      {
        buckets: out.length,
      },
    );
  }
  checkColumn(length, codes.length, validity, 'codes');
  const unseen = out.length - 2;
  const missing = out.length - 1;
  // A map built for another baseline would silently misplace counts; check it once per call, not per value.
  for (let c = 0; c < codeToBucket.length; c++) {
    const b = codeToBucket[c]!;
    if (b < 0 || b > unseen) {
      throw new DriftwatchError(
        ErrorCodes.STATISTIC_INPUT,
        `code ${c} maps to bucket ${b}, outside the ${out.length}-bucket layout`,
        { code: c, bucket: b, buckets: out.length },
      );
    }
  }
  const mapped = codeToBucket.length;
  for (let i = 0; i < length; i++) {
    if (validity !== null && ((validity[i >> 3]! >> (i & 7)) & 1) === 0) {
      out[missing]!++;
      continue;
    }
    const code = codes[i]!;
    out[code >= 0 && code < mapped ? codeToBucket[code]! : unseen]!++;
  }
}
