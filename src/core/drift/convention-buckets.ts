import { fitEdges, fitReferenceEdges } from '../stats/bucket-edges.ts';
import {
  countNumeric,
  NUMERIC_FIRST_INNER_BUCKET,
  NUMERIC_MISSING_BUCKET,
  NUMERIC_NEG_INFINITY_BUCKET,
  numericBucketCount,
  numericInnerBucketCount,
  numericPosInfinityBucket,
} from '../stats/numeric-buckets.ts';
import type { Binning } from './conventions.ts';
import { cells, type FeatureValues, finiteValues } from './feature-values.ts';

/**
 * The count vectors a convention's binning gives for one feature: how a TestConvention's `input` is interpreted.
 * Reference and current are always counted into the same layout, so every count-based statistic compares like with
 * like. The golden tests against Evidently, NannyML and TFDV pin this interpretation.
 */
export interface BucketCounts {
  readonly reference: Float64Array;
  readonly current: Float64Array;
  /** Labels of the buckets (category or value) where the layout has them. */
  readonly labels: readonly string[];
  /** Fitted numeric edges, when the binning fits edges. */
  readonly edges?: Float64Array;
  /** Buckets TFDV never matches across sides (missing, ±inf), for its numeric JS. */
  readonly mismatched: readonly number[];
}

type Cell = number | string | null;

/** Distinct non-missing keys, sorted: numbers numerically, strings by UTF-16 code unit (Python's order for ASCII). */
function sortedKeys(values: readonly Cell[]): Cell[] {
  const keys = [...new Set(values.filter((v) => v !== null))];
  return keys.sort((a, b) =>
    typeof a === 'number' && typeof b === 'number'
      ? a - b
      : String(a) < String(b)
        ? -1
        : String(a) > String(b)
          ? 1
          : 0,
  );
}

function countByKeys(keys: readonly Cell[], values: readonly Cell[], extra: number): Float64Array {
  const index = new Map(keys.map((k, i) => [k, i]));
  const out = new Float64Array(keys.length + extra);
  for (const v of values) {
    if (v === null) continue;
    const i = index.get(v);
    out[i === undefined ? keys.length : i]!++;
  }
  return out;
}

function nullCount(values: readonly Cell[]): number {
  let n = 0;
  for (const v of values) if (v === null) n++;
  return n;
}

/** Distinct non-missing values of reference and current together. */
export function uniqueCount(reference: FeatureValues, current: FeatureValues): number {
  return sortedKeys([...cells(reference), ...cells(current)]).length;
}

export function bucketCounts(input: Binning, reference: FeatureValues, current: FeatureValues): BucketCounts {
  switch (input.type) {
    case 'categories': {
      const ref = cells(reference);
      const cur = cells(current);
      const own = input.missing === 'own bucket';
      if (input.categories === 'union') {
        const keys = sortedKeys([...ref, ...cur]);
        const r = countByKeys(keys, ref, own ? 1 : 0);
        const c = countByKeys(keys, cur, own ? 1 : 0);
        if (own) {
          r[keys.length] = nullCount(ref);
          c[keys.length] = nullCount(cur);
        }
        return {
          reference: r,
          current: c,
          labels: [...keys.map(String), ...(own ? ['(missing)'] : [])],
          mismatched: [],
        };
      }
      const keys = sortedKeys(ref);
      const r = countByKeys(keys, ref, own ? 2 : 1);
      const c = countByKeys(keys, cur, own ? 2 : 1);
      if (own) {
        r[keys.length + 1] = nullCount(ref);
        c[keys.length + 1] = nullCount(cur);
      }
      return {
        reference: r,
        current: c,
        labels: [...keys.map(String), '(unseen)', ...(own ? ['(missing)'] : [])],
        mismatched: [],
      };
    }
    case 'distinct-values': {
      const ref = cells(reference);
      const cur = cells(current);
      const keys = sortedKeys([...ref, ...cur]);
      return {
        reference: countByKeys(keys, ref, 0),
        current: countByKeys(keys, cur, 0),
        labels: keys.map(String),
        mismatched: [],
      };
    }
    case 'edges': {
      if (reference.kind !== 'numeric' || current.kind !== 'numeric') {
        throw new Error('edge binning needs numeric features on both sides');
      }
      if (
        input.distinctValuesUpTo !== null &&
        sortedKeys(cells(reference)).length <= input.distinctValuesUpTo
      ) {
        return bucketCounts(
          { type: 'distinct-values', fitOn: 'reference+current', missing: input.missing, nonFinite: '' },
          reference,
          current,
        );
      }
      const ref = finiteValues(reference);
      const cur = finiteValues(current);
      let fitValues: Float64Array;
      if (input.fitOn === 'reference' || input.fitOn === 'each side') fitValues = ref;
      else if (input.fitOn === 'reference+current') {
        fitValues = new Float64Array(ref.length + cur.length);
        fitValues.set(ref);
        fitValues.set(cur, ref.length);
      } else fitValues = Float64Array.from(new Set([...ref, ...cur]));
      const integer = reference.integer && current.integer;
      const strategy =
        input.integerRule && integer && (input.edges.kind === 'doane' || input.edges.kind === 'sturges')
          ? { ...input.edges, integer: true }
          : input.edges;
      // Quantile edges on the reference are driftwatch's own binning: the same function as the baseline builder.
      const edges =
        strategy.kind === 'quantile' && input.fitOn === 'reference'
          ? fitReferenceEdges(fitValues, strategy.bins)
          : fitEdges(fitValues, strategy);
      const layout = (feature: FeatureValues & { kind: 'numeric' }): Float64Array => {
        const out = new Float64Array(numericBucketCount(edges));
        const v = feature.valid === null ? feature.values : maskNulls(feature.values, feature.valid);
        countNumeric(v, null, v.length, edges, out);
        if (input.missing === 'dropped') out[NUMERIC_MISSING_BUCKET] = 0;
        return out;
      };
      const refFull = layout(reference);
      const curFull = layout(current);
      const innerCount = numericInnerBucketCount(edges);
      const inner = (full: Float64Array): Float64Array =>
        full.slice(NUMERIC_FIRST_INNER_BUCKET, NUMERIC_FIRST_INNER_BUCKET + innerCount);
      switch (input.outside) {
        case 'none (edges cover both samples)':
          if (input.fitOn === 'each side') {
            return {
              reference: refFull,
              current: curFull,
              labels: [],
              edges,
              mismatched: [
                NUMERIC_MISSING_BUCKET,
                NUMERIC_NEG_INFINITY_BUCKET,
                numericPosInfinityBucket(edges),
              ],
            };
          }
          return { reference: inner(refFull), current: inner(curFull), labels: [], edges, mismatched: [] };
        case 'leftover bucket': {
          const leftover = (full: Float64Array): Float64Array => {
            const out = new Float64Array(innerCount + 1);
            const innerCounts = inner(full);
            out.set(innerCounts);
            out[innerCount] = sum(full) - sum(innerCounts);
            return out;
          };
          return {
            reference: leftover(refFull),
            current: leftover(curFull),
            labels: [],
            edges,
            mismatched: [],
          };
        }
        case 'underflow/overflow buckets':
          return { reference: refFull, current: curFull, labels: [], edges, mismatched: [] };
      }
      throw new Error(`unhandled outside rule ${String(input.outside)}`);
    }
    case 'samples':
      throw new Error('a sample-based test has no bucket counts');
  }
}

function maskNulls(values: Float64Array, valid: Uint8Array): Float64Array {
  const out = values.slice();
  for (let i = 0; i < out.length; i++) if (valid[i] === 0) out[i] = Number.NaN;
  return out;
}

function sum(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
}
