import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { checkColumn } from './column-checks.ts';

/**
 * Numeric bucket layout. Edges are fitted once on the reference; every window is counted into the same layout, so
 * counts from chunks, partitions and workers merge by plain addition.
 *
 * With `m = numericInnerBucketCount(edges) = max(1, edges.length - 1)`:
 *
 * | index     | bucket                                                                      |
 * |-----------|-----------------------------------------------------------------------------|
 * | 0         | missing: null (validity bit clear) or NaN                                   |
 * | 1         | -Infinity                                                                   |
 * | 2         | underflow: finite value < edges[0]                                          |
 * | 3 + i     | inner bucket i: [edges[i], edges[i+1]); the last one, i = m-1, is closed     |
 * |           | [edges[m-1], edges[m]] (numpy.histogram's rule); a single edge [v] holds v |
 * | 3 + m     | overflow: finite value > edges[last]                                        |
 * | 4 + m     | +Infinity                                                                   |
 *
 * Total `m + 5` buckets (`numericBucketCount`).
 */
export const NUMERIC_MISSING_BUCKET = 0;
export const NUMERIC_NEG_INFINITY_BUCKET = 1;
export const NUMERIC_UNDERFLOW_BUCKET = 2;
/** Index of inner bucket 0; inner bucket i is at `NUMERIC_FIRST_INNER_BUCKET + i`. */
export const NUMERIC_FIRST_INNER_BUCKET = 3;

/** Number of inner buckets for these edges: one per gap, or one point bucket for a single edge. */
export function numericInnerBucketCount(edges: Float64Array): number {
  return edges.length > 1 ? edges.length - 1 : 1;
}

/** Total bucket count of the layout above: inner buckets + missing, -inf, underflow, overflow, +inf. */
export function numericBucketCount(edges: Float64Array): number {
  return numericInnerBucketCount(edges) + 5;
}

export function numericOverflowBucket(edges: Float64Array): number {
  return numericInnerBucketCount(edges) + 3;
}

export function numericPosInfinityBucket(edges: Float64Array): number {
  return numericInnerBucketCount(edges) + 4;
}

/**
 * Quantile edges at k/maxBins (k = 0..maxBins) of the finite values, with numpy.quantile's default "linear" method
 * (Hyndman & Fan type 7), reproduced operation for operation (including numpy's two-sided lerp) so edges match numpy
 * bit for bit. Equal quantiles are collapsed, so edges are strictly increasing; heavy ties therefore give fewer
 * buckets, and a constant column gives the single edge [v]. NaN and ±Infinity are ignored, and so are nulls when a
 * `validity` bitmap (Arrow LSB-first, as in `countNumeric`) is given: Arrow null slots hold arbitrary numbers.
 */
export function fitQuantileEdges(
  values: Float64Array,
  maxBins: number,
  validity: Uint8Array | null = null,
): Float64Array {
  if (!Number.isInteger(maxBins) || maxBins < 1) {
    throw new DriftwatchError(
      ErrorCodes.STATISTIC_INPUT,
      `maxBins must be a positive integer, got ${maxBins}`,
      {
        maxBins,
      },
    );
  }
  if (validity !== null && validity.length * 8 < values.length) {
    throw new DriftwatchError(
      ErrorCodes.STATISTIC_INPUT,
      `validity bitmap covers fewer than ${values.length} values`,
      {
        length: values.length,
        validityBytes: validity.length,
      },
    );
  }
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i]!) && (validity === null || ((validity[i >> 3]! >> (i & 7)) & 1) === 1)) n++;
  }
  if (n === 0) {
    throw new DriftwatchError(
      ErrorCodes.STATISTIC_INPUT,
      'cannot fit bucket edges: no finite reference values',
      {
        length: values.length,
      },
    );
  }
  const sorted = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v) && (validity === null || ((validity[i >> 3]! >> (i & 7)) & 1) === 1))
      sorted[j++] = v;
  }
  // TypedArray sort is numeric; -0 sorts before +0, which only matters for which zero becomes an edge.
  sorted.sort();

  const raw = new Float64Array(maxBins + 1);
  const last = n - 1;
  for (let k = 0; k <= maxBins; k++) {
    const h = last * (k / maxBins);
    if (h >= last) {
      raw[k] = sorted[last]!;
      continue;
    }
    const lo = Math.floor(h);
    const t = h - lo;
    const a = sorted[lo]!;
    const b = sorted[lo + 1]!;
    const diff = b - a;
    if (diff < Number.POSITIVE_INFINITY) {
      // numpy's _lerp: interpolate from the nearer end, which keeps results inside [a, b].
      raw[k] = t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
    } else {
      // b − a overflowed (values near ±1.8e308), where numpy itself returns ±inf/NaN; weight the ends instead.
      raw[k] = a * (1 - t) + b * t;
    }
  }

  // Collapse ties. Quantiles are non-decreasing, so a running comparison equals numpy.unique (were lerp rounding ever
  // to step back by an ulp, the step-back value is dropped rather than sorted in).
  let m = 1;
  for (let k = 1; k <= maxBins; k++) {
    if (raw[k]! > raw[m - 1]!) raw[m++] = raw[k]!;
  }
  // k = 0 interpolates with t = 0 and k = maxBins takes the last value, so edges run from min to max.
  return raw.slice(0, m);
}

/**
 * Adds the bucket counts of `values[0..length)` into `out` (length `numericBucketCount(edges)`), so successive chunks
 * accumulate. `validity` is an Arrow LSB-first bitmap starting at bit 0 (bit i set = value i present); null means
 * every value is present. Values under a cleared bit are never read as numbers.
 */
export function countNumeric(
  values: Float64Array,
  validity: Uint8Array | null,
  length: number,
  edges: Float64Array,
  out: Float64Array,
): void {
  const m = numericInnerBucketCount(edges);
  if (edges.length === 0 || out.length !== m + 5) {
    throw new DriftwatchError(
      ErrorCodes.STATISTIC_INPUT,
      `numeric counts need ${m + 5} buckets for ${edges.length} edges, got ${out.length}`,
      { edges: edges.length, buckets: out.length },
    );
  }
  checkColumn(length, values.length, validity, 'values');
  const lowest = edges[0]!;
  const highest = edges[edges.length - 1]!;
  const grid = lookupGrid(edges, m);
  let i = 0;
  if (grid !== null && validity === null) {
    // Fast path: four values at a time into four separate tallies, so consecutive increments of one bucket do not
    // wait on each other; a group with any value off the grid's mapped cells goes through the general loop below.
    const scale = GRID_CELLS / (highest - lowest);
    const buckets = out.length;
    const tally = tallyFor(buckets);
    for (; i + 3 < length; i += 4) {
      const x0 = (values[i]! - lowest) * scale;
      const x1 = (values[i + 1]! - lowest) * scale;
      const x2 = (values[i + 2]! - lowest) * scale;
      const x3 = (values[i + 3]! - lowest) * scale;
      // NaN fails both comparisons and so takes the general path, like every value outside [lowest, highest).
      const b0 = x0 >= 0 && x0 < GRID_CELLS ? grid[x0 | 0]! : -1;
      const b1 = x1 >= 0 && x1 < GRID_CELLS ? grid[x1 | 0]! : -1;
      const b2 = x2 >= 0 && x2 < GRID_CELLS ? grid[x2 | 0]! : -1;
      const b3 = x3 >= 0 && x3 < GRID_CELLS ? grid[x3 | 0]! : -1;
      if ((b0 | b1 | b2 | b3) >= 0) {
        tally[b0]!++;
        tally[buckets + b1]!++;
        tally[2 * buckets + b2]!++;
        tally[3 * buckets + b3]!++;
      } else {
        countSlow(values, null, i, i + 4, edges, m, out);
      }
    }
    for (let b = 0; b < buckets; b++) {
      out[b]! += tally[b]! + tally[buckets + b]! + tally[2 * buckets + b]! + tally[3 * buckets + b]!;
    }
  }
  countSlow(values, validity, i, length, edges, m, out);
}

let tallyBuffer = new Int32Array(64);

/** A zeroed scratch tally of 4 x buckets (reused; counting is synchronous). */
function tallyFor(buckets: number): Int32Array {
  if (tallyBuffer.length < 4 * buckets) tallyBuffer = new Int32Array(4 * buckets);
  const tally = tallyBuffer.subarray(0, 4 * buckets);
  tally.fill(0);
  return tally;
}

/** The general per-value rule of the layout, for values[from..to). */
function countSlow(
  values: Float64Array,
  validity: Uint8Array | null,
  from: number,
  to: number,
  edges: Float64Array,
  m: number,
  out: Float64Array,
): void {
  const lowest = edges[0]!;
  const highest = edges[edges.length - 1]!;
  const overflow = m + 3;
  const posInf = m + 4;
  const grid = lookupGrid(edges, m);
  const scale = grid === null ? 0 : GRID_CELLS / (highest - lowest);
  for (let i = from; i < to; i++) {
    if (validity !== null && ((validity[i >> 3]! >> (i & 7)) & 1) === 0) {
      out[NUMERIC_MISSING_BUCKET]!++;
      continue;
    }
    const v = values[i]!;
    if (v >= lowest) {
      if (v <= highest) {
        if (grid !== null) {
          const bucket = grid[((v - lowest) * scale) | 0]!;
          if (bucket >= 0) {
            out[bucket]!++;
            continue;
          }
        }
        out[NUMERIC_FIRST_INNER_BUCKET + innerIndex(edges, m - 1, v)]!++;
      } else if (v === Number.POSITIVE_INFINITY) {
        out[posInf]!++;
      } else {
        out[overflow]!++;
      }
    } else if (v === Number.NEGATIVE_INFINITY) {
      out[NUMERIC_NEG_INFINITY_BUCKET]!++;
    } else if (v < lowest) {
      out[NUMERIC_UNDERFLOW_BUCKET]!++;
    } else {
      // Only NaN fails both comparisons.
      out[NUMERIC_MISSING_BUCKET]!++;
    }
  }
}

/** Largest inner index lo with edges[lo] <= v, for lowest <= v <= highest; v === highest lands in the last bucket. */
function innerIndex(edges: Float64Array, topInner: number, v: number): number {
  let lo = 0;
  let hi = topInner;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (edges[mid]! <= v) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Cells of an equal-width grid over [lowest, highest], each mapped to its bucket index in the layout, or -1 when an
 * edge lies in or next to the cell. A value in a mapped cell is at least one cell width from every edge, so the
 * rounding of (v - lowest) * scale cannot move it across an edge: the lookup gives exactly the binary search's
 * answer, which is still used for the -1 cells (and for v === highest, whose cell index is GRID_CELLS). Built once
 * per edges array; counting then costs a multiply and a load per value instead of a search.
 */
const GRID_CELLS = 32_768;
const grids = new WeakMap<Float64Array, Int16Array | null>();

function lookupGrid(edges: Float64Array, m: number): Int16Array | null {
  const cached = grids.get(edges);
  if (cached !== undefined) return cached;
  const lowest = edges[0]!;
  const highest = edges[edges.length - 1]!;
  const span = highest - lowest;
  let grid: Int16Array | null = null;
  // Bucket indices are stored in 16 bits; layouts with more buckets than that use the binary search alone.
  if (
    m + 5 <= 32_767 &&
    edges.length >= 2 &&
    span > 0 &&
    Number.isFinite(span) &&
    Number.isFinite(GRID_CELLS / span)
  ) {
    grid = new Int16Array(GRID_CELLS + 1).fill(-1);
    const width = span / GRID_CELLS;
    for (let c = 0; c < GRID_CELLS; c++) {
      grid[c] = NUMERIC_FIRST_INNER_BUCKET + innerIndex(edges, m - 1, lowest + (c + 0.5) * width);
    }
    for (let j = 1; j < edges.length; j++) {
      const c = Math.floor(((edges[j]! - lowest) / span) * GRID_CELLS);
      for (let d = c - 1; d <= c + 1; d++) if (d >= 0 && d <= GRID_CELLS) grid[d] = -1;
    }
    grid[GRID_CELLS] = -1;
  }
  grids.set(edges, grid);
  return grid;
}
