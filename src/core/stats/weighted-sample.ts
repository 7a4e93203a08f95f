import { DriftwatchError, ErrorCodes } from '../../errors.ts';

/**
 * A numeric sample as the two-sample kernels consume it: either an exact window (every value, weights null) or the
 * items of a quantile sketch (value, weight), where an item of weight w stands for w rows equal to its value. Every
 * kernel reads the sample through its weighted ECDF, so an exact sample and the same values with unit weights, or a
 * sample with integer weights and its expansion, give the same statistic.
 */
export interface WeightedSample {
  /** Finite values, sorted ascending (ties allowed). */
  readonly values: Float64Array;
  /** Positive weight per value, or null when every weight is 1 (an exact sample). */
  readonly weights: Float64Array | null;
}

/** An exact sample from raw values: copies, drops NaN and ±Infinity, sorts ascending (see sortFloat64). */
export function sortedSample(values: Float64Array): WeightedSample {
  let finite = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) finite++;
  const out = new Float64Array(finite);
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) out[k++] = v;
  }
  sortFloat64(out);
  return { values: out, weights: null };
}

/** Below this length TypedArray#sort is as fast as the radix sort and needs no scratch buffer. */
const RADIX_SORT_MIN_LENGTH = 4096;

// Which 32-bit half of a float64 holds the sign and exponent depends on the platform's byte order.
const HI = new Uint32Array(Float64Array.of(1).buffer)[1] === 0x3ff00000 ? 1 : 0;
const LO = 1 - HI;

/**
 * Sorts finite float64 values ascending in place (-0 before +0, as TypedArray#sort). Long arrays go through an LSD
 * radix sort on the IEEE bits mapped to order-preserving unsigned keys: six passes of 11/11/10 bits per 32-bit half
 * (small count tables stay in cache), a pass skipped when one bucket holds everything. O(n) with one n-sized scratch
 * buffer; about 3x faster than TypedArray#sort at 10^6 values.
 */
export function sortFloat64(values: Float64Array): void {
  const n = values.length;
  if (n < RADIX_SORT_MIN_LENGTH) {
    values.sort();
    return;
  }
  let src: Uint32Array = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  const original = src;
  // Order-preserving keys: flip every bit of negatives, only the sign bit of positives.
  for (let i = 0; i < 2 * n; i += 2) {
    if (src[i + HI]! & 0x80000000) {
      src[i + HI] = ~src[i + HI]!;
      src[i + LO] = ~src[i + LO]!;
    } else {
      src[i + HI] = src[i + HI]! ^ 0x80000000;
    }
  }
  const counts = new Uint32Array(6 * 2048);
  for (let i = 0; i < 2 * n; i += 2) {
    const lo = src[i + LO]!;
    const hi = src[i + HI]!;
    counts[lo & 0x7ff]!++;
    counts[2048 + ((lo >>> 11) & 0x7ff)]!++;
    counts[4096 + (lo >>> 22)]!++;
    counts[6144 + (hi & 0x7ff)]!++;
    counts[8192 + ((hi >>> 11) & 0x7ff)]!++;
    counts[10240 + (hi >>> 22)]!++;
  }
  let dst: Uint32Array = new Uint32Array(2 * n);
  for (let pass = 0; pass < 6; pass++) {
    const base = pass * 2048;
    const word = pass < 3 ? LO : HI;
    const shift = (pass % 3) * 11;
    // Exclusive prefix sums turn counts into start offsets; a digit shared by all values needs no pass.
    let offset = 0;
    let skip = false;
    for (let d = 0; d < 2048; d++) {
      const c = counts[base + d]!;
      if (c === n) skip = true;
      counts[base + d] = offset;
      offset += c;
    }
    if (skip) continue;
    for (let i = 0; i < 2 * n; i += 2) {
      const digit = (src[i + word]! >>> shift) & 0x7ff;
      const at = 2 * counts[base + digit]!++;
      dst[at] = src[i]!;
      dst[at + 1] = src[i + 1]!;
    }
    [src, dst] = [dst, src];
  }
  if (src !== original) original.set(src);
  for (let i = 0; i < 2 * n; i += 2) {
    if (original[i + HI]! & 0x80000000) {
      original[i + HI] = original[i + HI]! ^ 0x80000000;
    } else {
      original[i + HI] = ~original[i + HI]!;
      original[i + LO] = ~original[i + LO]!;
    }
  }
}

/**
 * A weighted sample from unsorted (value, weight) pairs, e.g. the items of a sketch: copies, drops pairs whose value
 * is not finite or whose weight is 0, sorts by value. Throws DW_STATISTIC_INPUT on a negative or non-finite weight.
 */
export function sortedWeightedSample(values: Float64Array, weights: Float64Array): WeightedSample {
  if (values.length !== weights.length) {
    throw new DriftwatchError(
      ErrorCodes.STATISTIC_INPUT,
      `sortedWeightedSample: ${values.length} values but ${weights.length} weights`,
      { values: values.length, weights: weights.length },
    );
  }
  let kept = 0;
  for (let i = 0; i < values.length; i++) {
    const w = weights[i]!;
    if (!(w >= 0 && w < Number.POSITIVE_INFINITY)) {
      throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, `sortedWeightedSample: weight ${i} is invalid`, {
        index: i,
        weight: w,
      });
    }
    if (w > 0 && Number.isFinite(values[i]!)) kept++;
  }
  const order = new Uint32Array(kept);
  let k = 0;
  for (let i = 0; i < values.length; i++) if (weights[i]! > 0 && Number.isFinite(values[i]!)) order[k++] = i;
  order.sort((x, y) => values[x]! - values[y]!);
  const outValues = new Float64Array(kept);
  const outWeights = new Float64Array(kept);
  for (let i = 0; i < kept; i++) {
    outValues[i] = values[order[i]!]!;
    outWeights[i] = weights[order[i]!]!;
  }
  return { values: outValues, weights: outWeights };
}

/** Sum of the weights: the number of values of an exact sample. */
export function totalWeight(s: WeightedSample): number {
  if (s.weights === null) return s.values.length;
  let sum = 0;
  for (let i = 0; i < s.weights.length; i++) sum += s.weights[i]!;
  return sum;
}

/**
 * Input check shared by the kernels: the sample is non-empty, its values are finite and sorted ascending, and its
 * weights (if any) are one per value, finite and positive. Returns the total weight; throws DW_STATISTIC_INPUT naming
 * `statistic` and `side` otherwise. O(n), no allocation.
 */
export function checkSample(statistic: string, side: string, s: WeightedSample): number {
  const { values, weights } = s;
  const n = values.length;
  if (n === 0) {
    throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, `${statistic}: ${side} sample is empty`, {
      statistic,
      side,
    });
  }
  if (weights !== null && weights.length !== n) {
    throw new DriftwatchError(
      ErrorCodes.STATISTIC_INPUT,
      `${statistic}: ${side} sample has ${n} values but ${weights.length} weights`,
      { statistic, side, values: n, weights: weights.length },
    );
  }
  let previous = Number.NEGATIVE_INFINITY;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    // `v >= previous` fails for NaN; the first test rejects ±Infinity.
    if (!Number.isFinite(v) || !(v >= previous)) {
      throw new DriftwatchError(
        ErrorCodes.STATISTIC_INPUT,
        `${statistic}: ${side} value ${i} is ${Number.isFinite(v) ? 'out of order' : 'not finite'}`,
        { statistic, side, index: i, value: v },
      );
    }
    previous = v;
    if (weights !== null) {
      const w = weights[i]!;
      if (!(w > 0 && w < Number.POSITIVE_INFINITY)) {
        throw new DriftwatchError(
          ErrorCodes.STATISTIC_INPUT,
          `${statistic}: ${side} weight ${i} must be finite and positive`,
          { statistic, side, index: i, weight: w },
        );
      }
      total += w;
    }
  }
  if (weights === null) return n;
  if (!(total < Number.POSITIVE_INFINITY)) {
    throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, `${statistic}: ${side} total weight overflows`, {
      statistic,
      side,
    });
  }
  return total;
}
