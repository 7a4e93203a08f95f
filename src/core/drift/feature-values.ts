/**
 * One feature's values on one side of a comparison, as the evaluator takes them: numeric values as Float64 (NaN and
 * ±Infinity kept, nulls marked by `valid`), categorical values as strings with null for missing.
 * `integer` marks a numeric column whose every value is a whole number with none missing (what pandas would type as
 * int64); some conventions bin such columns differently.
 */
export type FeatureValues =
  | {
      readonly kind: 'numeric';
      readonly values: Float64Array;
      /** 1 = present, 0 = null; null when every value is present. */
      readonly valid: Uint8Array | null;
      readonly integer: boolean;
    }
  | { readonly kind: 'categorical'; readonly values: readonly (string | null)[] };

export function numericFeature(values: Float64Array, valid: Uint8Array | null = null): FeatureValues {
  let integer = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if ((valid !== null && valid[i] === 0) || !Number.isInteger(v)) {
      integer = false;
      break;
    }
  }
  return { kind: 'numeric', values, valid, integer };
}

export function categoricalFeature(values: readonly (string | null)[]): FeatureValues {
  return { kind: 'categorical', values };
}

/** Counts of what a side holds apart from usable values, reported with every result. */
export interface SideCounts {
  readonly rows: number;
  /** Null, or NaN for numeric features. */
  readonly missing: number;
  readonly negativeInfinity: number;
  readonly positiveInfinity: number;
}

export function sideCounts(feature: FeatureValues): SideCounts {
  if (feature.kind === 'categorical') {
    let missing = 0;
    for (const v of feature.values) if (v === null) missing++;
    return { rows: feature.values.length, missing, negativeInfinity: 0, positiveInfinity: 0 };
  }
  let missing = 0;
  let negativeInfinity = 0;
  let positiveInfinity = 0;
  const { values, valid } = feature;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if ((valid !== null && valid[i] === 0) || Number.isNaN(v)) missing++;
    else if (v === Number.NEGATIVE_INFINITY) negativeInfinity++;
    else if (v === Number.POSITIVE_INFINITY) positiveInfinity++;
  }
  return { rows: values.length, missing, negativeInfinity, positiveInfinity };
}

/** Finite values of a numeric feature (nulls, NaN and ±Infinity left out), in input order. */
export function finiteValues(feature: FeatureValues & { kind: 'numeric' }): Float64Array {
  const { values, valid } = feature;
  let n = 0;
  for (let i = 0; i < values.length; i++)
    if ((valid === null || valid[i] === 1) && Number.isFinite(values[i]!)) n++;
  const out = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if ((valid === null || valid[i] === 1) && Number.isFinite(v)) out[j++] = v;
  }
  return out;
}

/** Values as cells (number, string or null), for bucketings keyed by value. */
export function cells(feature: FeatureValues): (number | string | null)[] {
  if (feature.kind === 'categorical') return [...feature.values];
  const out: (number | null)[] = new Array(feature.values.length);
  const { values, valid } = feature;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    out[i] = (valid !== null && valid[i] === 0) || Number.isNaN(v) ? null : v;
  }
  return out;
}
