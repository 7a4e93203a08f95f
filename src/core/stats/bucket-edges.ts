import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { fitQuantileEdges } from './numeric-buckets.ts';

export { fitQuantileEdges };

/**
 * How numeric bucket edges are fitted. Every strategy returns strictly increasing finite edges; the layout of
 * numeric-buckets.ts then adds the missing, -inf, underflow, overflow and +inf buckets around them.
 *
 * - `quantile`: `bins + 1` quantiles (numpy.quantile, linear), ties collapsed (`fitQuantileEdges`).
 * - `doane`, `sturges`: numpy.histogram_bin_edges(values, bins='doane' | 'sturges'). `integer: true` reproduces
 *   numpy's rule for integer-typed arrays (a bin width below 1 is raised to 1); pandas reads a column of whole
 *   numbers as int64, so Evidently's and NannyML's calls see integer arrays there.
 * - `equal-width`: numpy.histogram_bin_edges(values, bins=<int>).
 * - `explicit`: the given edges, validated (finite, strictly increasing, at least one).
 */
export type EdgeStrategy =
  | { readonly kind: 'quantile'; readonly bins: number }
  | { readonly kind: 'doane'; readonly integer?: boolean }
  | { readonly kind: 'sturges'; readonly integer?: boolean }
  | { readonly kind: 'equal-width'; readonly bins: number }
  | { readonly kind: 'explicit'; readonly edges: readonly number[] };

/** Upper bound on equal-width bins, so a typo cannot allocate gigabytes (NannyML's largest layout is 10,000). */
export const MAX_EQUAL_WIDTH_BINS = 1_000_000;

/**
 * Fits edges to the finite values of `values` (NaN and ±Infinity ignored, and nulls when an Arrow LSB-first `validity`
 * bitmap is given: their slots hold arbitrary numbers). numpy would raise on non-finite input; both Evidently and
 * NannyML drop NaN before binning, and our layout has buckets of its own for NaN and ±Infinity.
 *
 * numpy semantics reproduced operation for operation: outer edges [min, max], widened to [v − 0.5, v + 0.5] when
 * min = max; Sturges width ptp/(log2 n + 1); Doane width ptp/(1 + log2 n + log2(1 + |g1|/σg1)) with g1 the
 * population skewness from numpy's pairwise sums (and width 0, so one bin, for n ≤ 2 or σ = 0); bins =
 * ceil((max − min)/width), or 1 when the width is 0; edges by numpy.linspace (i·step + start, last = stop). Where numpy
 * raises (edges not strictly increasing: "Too many bins for data range"; a range that overflows), so do we.
 */
export function fitEdges(
  values: Float64Array,
  strategy: EdgeStrategy,
  validity: Uint8Array | null = null,
): Float64Array {
  switch (strategy.kind) {
    case 'quantile':
      return fitQuantileEdges(values, strategy.bins, validity);
    case 'explicit':
      return explicitEdges(strategy.edges);
    case 'equal-width': {
      if (!Number.isInteger(strategy.bins) || strategy.bins < 1 || strategy.bins > MAX_EQUAL_WIDTH_BINS) {
        throw new DriftwatchError(
          ErrorCodes.STATISTIC_INPUT,
          `equal-width bins must be an integer in 1..${MAX_EQUAL_WIDTH_BINS}, got ${strategy.bins}`,
          { bins: strategy.bins },
        );
      }
      const x = finiteValues(values, validity);
      const { first, last } = outerEdges(x);
      return linspaceEdges(first, last, strategy.bins);
    }
    case 'doane':
    case 'sturges': {
      const x = finiteValues(values, validity);
      const { min, max, first, last } = outerEdges(x);
      const ptp = max - min;
      let width = strategy.kind === 'sturges' ? ptp / (Math.log2(x.length) + 1.0) : doaneWidth(x, ptp);
      let bins: number;
      // Python's `if width:` — NaN counts as true, and then fails in int(np.ceil(NaN)) below.
      if (width !== 0) {
        if (strategy.integer === true && width < 1) width = 1;
        bins = Math.ceil((last - first) / width);
        if (!Number.isFinite(bins)) {
          throw new DriftwatchError(
            ErrorCodes.STATISTIC_INPUT,
            `${strategy.kind} bins: the value range [${min}, ${max}] is too wide to bin`,
            { strategy: strategy.kind, min, max },
          );
        }
      } else {
        bins = 1;
      }
      return linspaceEdges(first, last, bins);
    }
    default: {
      const unknown: never = strategy;
      throw new DriftwatchError(
        ErrorCodes.STATISTIC_INPUT,
        `unknown edge strategy ${JSON.stringify(unknown)}`,
        {
          strategy: unknown,
        },
      );
    }
  }
}

/**
 * Edges that give each distinct finite value its own inner bucket: the sorted distinct values u0 < … < uk plus the
 * next double above uk, so bucket i is [ui, ui+1) and holds exactly ui among the fitted values (values between two
 * fitted ones share the lower one's bucket). This is the layout Evidently uses for numeric columns with at most 20
 * distinct reference values (one bucket per value of ref ∪ cur, so fit on both samples to reproduce it).
 */
export function fitDistinctValueEdges(
  values: Float64Array,
  validity: Uint8Array | null = null,
): Float64Array {
  const sorted = finiteValues(values, validity).sort();
  let k = 1;
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]! > sorted[k - 1]!) sorted[k++] = sorted[i]!;
  }
  const top = sorted[k - 1]!;
  if (top === Number.MAX_VALUE) {
    throw new DriftwatchError(
      ErrorCodes.STATISTIC_INPUT,
      'distinct-value edges: the largest value has no finite successor',
      { top },
    );
  }
  const edges = new Float64Array(k + 1);
  edges.set(sorted.subarray(0, k));
  edges[k] = nextUp(top);
  return edges;
}

/** The smallest double greater than the finite number x. */
export function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const buffer = new DataView(new ArrayBuffer(8));
  buffer.setFloat64(0, x);
  const bits = buffer.getBigUint64(0);
  buffer.setBigUint64(0, x > 0 ? bits + 1n : bits - 1n);
  return buffer.getFloat64(0);
}

function explicitEdges(edges: readonly number[]): Float64Array {
  if (edges.length === 0) {
    throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, 'explicit edges: at least one edge is required', {
      edges: 0,
    });
  }
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i]!;
    if (typeof e !== 'number' || !Number.isFinite(e)) {
      throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, `explicit edges: edge ${i} is not finite`, {
        index: i,
        edge: e,
      });
    }
    if (i > 0 && !(e > edges[i - 1]!)) {
      throw new DriftwatchError(
        ErrorCodes.STATISTIC_INPUT,
        `explicit edges must be strictly increasing: edge ${i} (${e}) <= edge ${i - 1} (${edges[i - 1]})`,
        { index: i, edge: e, previous: edges[i - 1] },
      );
    }
  }
  return Float64Array.from(edges);
}

/** The finite, present values in their original order (numpy's pairwise sums depend on the order). */
function finiteValues(values: Float64Array, validity: Uint8Array | null): Float64Array {
  if (validity !== null && validity.length * 8 < values.length) {
    throw new DriftwatchError(
      ErrorCodes.STATISTIC_INPUT,
      `validity bitmap covers fewer than ${values.length} values`,
      { length: values.length, validityBytes: validity.length },
    );
  }
  let n = 0;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v) && (validity === null || ((validity[i >> 3]! >> (i & 7)) & 1) === 1)) out[n++] = v;
  }
  if (n === 0) {
    throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, 'cannot fit bucket edges: no finite values', {
      length: values.length,
    });
  }
  return out.subarray(0, n);
}

/** numpy's _get_outer_edges: [min, max], widened by 0.5 on each side when they are equal. */
function outerEdges(x: Float64Array): { min: number; max: number; first: number; last: number } {
  let min = x[0]!;
  let max = x[0]!;
  for (let i = 1; i < x.length; i++) {
    const v = x[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min === max ? { min, max, first: min - 0.5, last: max + 0.5 } : { min, max, first: min, last: max };
}

/** numpy.linspace(first, last, bins + 1) as numpy computes it, then numpy's strictly-increasing check. */
function linspaceEdges(first: number, last: number, bins: number): Float64Array {
  const edges = new Float64Array(bins + 1);
  const delta = last - first;
  const step = delta / bins;
  for (let i = 0; i < bins; i++) edges[i] = (step === 0 ? (i / bins) * delta : i * step) + first;
  edges[bins] = last;
  for (let i = 1; i <= bins; i++) {
    if (!(edges[i]! > edges[i - 1]!)) {
      throw new DriftwatchError(
        ErrorCodes.STATISTIC_INPUT,
        `too many bins for the data range: cannot create ${bins} finite-sized bins over [${first}, ${last}]`,
        { bins, first, last },
      );
    }
  }
  return edges;
}

/** numpy's _hist_bin_doane. */
function doaneWidth(x: Float64Array, ptp: number): number {
  const n = x.length;
  if (n <= 2) return 0;
  const sg1 = Math.sqrt((6.0 * (n - 2)) / ((n + 1.0) * (n + 3)));
  const mean = numpySum(x) / n;
  const centred = new Float64Array(n);
  for (let i = 0; i < n; i++) centred[i] = x[i]! - mean;
  const squares = new Float64Array(n);
  for (let i = 0; i < n; i++) squares[i] = centred[i]! * centred[i]!;
  const sigma = Math.sqrt(numpySum(squares) / n);
  if (!(sigma > 0)) return 0;
  for (let i = 0; i < n; i++) centred[i] = (centred[i]! / sigma) ** 3;
  const g1 = numpySum(centred) / n;
  return ptp / (1.0 + Math.log2(n) + Math.log2(1.0 + Math.abs(g1) / sg1));
}

/**
 * numpy's float64 add.reduce over a contiguous array: 0 + pairwise_sum(a, n), where pairwise_sum adds blocks of up to
 * 128 values with 8 interleaved accumulators and splits longer runs in two (at a multiple of 8). Bit-identical to
 * numpy.sum, which is what makes the Doane bin count match numpy's even next to an integer boundary.
 */
export function numpySum(a: Float64Array): number {
  return 0 + pairwiseSum(a, 0, a.length);
}

function pairwiseSum(a: Float64Array, start: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i]!;
    return res;
  }
  if (n <= 128) {
    let r0 = a[start]!;
    let r1 = a[start + 1]!;
    let r2 = a[start + 2]!;
    let r3 = a[start + 3]!;
    let r4 = a[start + 4]!;
    let r5 = a[start + 5]!;
    let r6 = a[start + 6]!;
    let r7 = a[start + 7]!;
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      const j = start + i;
      r0 += a[j]!;
      r1 += a[j + 1]!;
      r2 += a[j + 2]!;
      r3 += a[j + 3]!;
      r4 += a[j + 4]!;
      r5 += a[j + 5]!;
      r6 += a[j + 6]!;
      r7 += a[j + 7]!;
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) res += a[start + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

/**
 * driftwatch's reference binning: `bins` quantile buckets, except for a reference with at most `bins` distinct
 * finite values, which gets one bucket per distinct value (edges d1 < ... < dk plus the next double above dk, so the
 * closed last bucket holds dk alone). Without the exception a binary or low-cardinality column collapses into one
 * bucket and no statistic can see it move. The baseline builder and `driftwatch compare` both use this function.
 */
export function fitReferenceEdges(
  values: Float64Array,
  bins: number,
  validity: Uint8Array | null = null,
): Float64Array {
  const distinct = new Set<number>();
  for (let i = 0; i < values.length; i++) {
    if (validity !== null && ((validity[i >> 3]! >> (i & 7)) & 1) === 0) continue;
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    distinct.add(v === 0 ? 0 : v);
    if (distinct.size > bins) return fitQuantileEdges(values, bins, validity);
  }
  if (distinct.size === 0) return fitQuantileEdges(values, bins, validity);
  const sorted = Float64Array.from(distinct).sort();
  const edges = new Float64Array(sorted.length + 1);
  edges.set(sorted);
  edges[sorted.length] = nextUp(sorted[sorted.length - 1]!);
  return edges;
}
