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

/** An exact sample from raw values: copies, drops NaN and ±Infinity, sorts ascending. */
export function sortedSample(values: Float64Array): WeightedSample {
  let finite = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) finite++;
  const out = new Float64Array(finite);
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) out[k++] = v;
  }
  // TypedArray#sort compares numerically (no string conversion), in O(n log n).
  out.sort();
  return { values: out, weights: null };
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
