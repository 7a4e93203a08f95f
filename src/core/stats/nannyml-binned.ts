import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { numpySum } from './bucket-edges.ts';
import {
  countNumeric,
  NUMERIC_FIRST_INNER_BUCKET,
  NUMERIC_UNDERFLOW_BUCKET,
  numericBucketCount,
} from './numeric-buckets.ts';

/**
 * NannyML's binned ("estimated") KS statistic and Wasserstein distance, which it uses instead of the exact tests
 * once the reference has 10,000 rows or more (nannyml/drift/univariate/methods.py, KolmogorovSmirnovStatistic and
 * WassersteinDistance with calculation_method 'auto', n_bins 10,000). Reproduced operation for operation so the
 * `nannyml` convention gives NannyML's numbers at any size: numpy.linspace edges over the reference range,
 * numpy.histogram counts (values outside the edges are not counted), sequential cumsum, pairwise np.sum.
 * Inputs are the finite values of each side (NannyML drops NaN first).
 */
export const NANNYML_EXACT_BELOW = 10_000;
export const NANNYML_BINS = 10_000;

/** numpy.linspace(start, stop, num) for num >= 2: i * step + start, with the last point set to stop. */
export function numpyLinspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++)
    out[i] = step === 0 ? (i / (num - 1)) * (stop - start) + start : i * step + start;
  out[num - 1] = stop;
  return out;
}

function range(values: Float64Array): [number, number] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

function check(reference: Float64Array, current: Float64Array): void {
  if (reference.length === 0 || current.length === 0) {
    throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, 'NannyML binned tests need values on both sides', {
      reference: reference.length,
      current: current.length,
    });
  }
}

/** Counts per inner bucket (numpy.histogram with these edges) and the number of values below the first edge. */
function histogram(values: Float64Array, edges: Float64Array): { counts: Float64Array; below: number } {
  const layout = new Float64Array(numericBucketCount(edges));
  countNumeric(values, null, values.length, edges, layout);
  return {
    counts: layout.subarray(NUMERIC_FIRST_INNER_BUCKET, NUMERIC_FIRST_INNER_BUCKET + edges.length - 1),
    below: layout[NUMERIC_UNDERFLOW_BUCKET]!,
  };
}

/** Running sum of counts[i] / n, as np.cumsum(counts / n). */
function relativeCdf(counts: Float64Array, n: number, offset: number): Float64Array {
  const out = new Float64Array(counts.length);
  let sum = 0;
  for (let i = 0; i < counts.length; i++) {
    sum += counts[i]! / n;
    out[i] = sum + offset;
  }
  return out;
}

export function nannymlBinnedKs(reference: Float64Array, current: Float64Array, bins = NANNYML_BINS): number {
  check(reference, current);
  const [min, max] = range(reference);
  const edges = numpyLinspace(min, max, bins + 1);
  const ref = histogram(reference, edges);
  const cur = histogram(current, edges);
  const refCdf = relativeCdf(ref.counts, reference.length, 0);
  const curCdf = relativeCdf(cur.counts, current.length, cur.below / current.length);
  let stat = 0;
  for (let i = 0; i < refCdf.length; i++) {
    const d = Math.abs(refCdf[i]! - curCdf[i]!);
    if (d > stat) stat = d;
  }
  return stat;
}

/** Σ y[:-1] · diff(x) over the unique sorted values x of `vec` and their ECDF y (tail = false), or Σ (1 − y)[:-1] · diff(x). */
function ecdfTerm(vec: Float64Array, upper: boolean): number {
  const sorted = Float64Array.from(vec).sort();
  const xs: number[] = [];
  const cum: number[] = [];
  let count = 0;
  for (let i = 0; i < sorted.length; i++) {
    count++;
    if (i === sorted.length - 1 || sorted[i + 1] !== sorted[i]) {
      xs.push(sorted[i]!);
      cum.push(count);
    }
  }
  const terms = new Float64Array(Math.max(0, xs.length - 1));
  for (let j = 0; j + 1 < xs.length; j++) {
    const y = cum[j]! / sorted.length;
    terms[j] = (upper ? 1 - y : y) * (xs[j + 1]! - xs[j]!);
  }
  return numpySum(terms);
}

export function nannymlBinnedWasserstein(
  reference: Float64Array,
  current: Float64Array,
  bins = NANNYML_BINS,
): number {
  check(reference, current);
  let [min, max] = range(reference);
  if (min === max) {
    // numpy.histogram's _get_outer_edges widens an empty range by 0.5 on each side.
    min -= 0.5;
    max += 0.5;
  }
  const edges = numpyLinspace(min, max, bins + 1);
  const refMin = edges[0]!;
  const refMax = edges[edges.length - 1]!;
  const binWidth = edges[1]! - edges[0]!;
  const refCdf = relativeCdf(histogram(reference, edges).counts, reference.length, 0);
  const n = current.length;
  const smaller: number[] = [];
  const bigger: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = current[i]!;
    if (v < refMin) smaller.push(v);
    else if (v > refMax) bigger.push(v);
  }
  let termSmaller = 0;
  let amountSmaller = 0;
  if (smaller.length > 0) {
    amountSmaller = (smaller.length + 1) / n;
    termSmaller = ecdfTerm(Float64Array.from([...smaller, refMin]), false) * amountSmaller;
  }
  let termBigger = 0;
  if (bigger.length > 0) {
    const amountBigger = (bigger.length + 1) / n;
    termBigger = ecdfTerm(Float64Array.from([refMax, ...bigger]), true) * amountBigger;
  }
  const curCdf = relativeCdf(histogram(current, edges).counts, n, amountSmaller);
  const within = new Float64Array(refCdf.length);
  for (let i = 0; i < within.length; i++) within[i] = Math.abs(refCdf[i]! - curCdf[i]!) * binWidth;
  return numpySum(within) + termSmaller + termBigger;
}
