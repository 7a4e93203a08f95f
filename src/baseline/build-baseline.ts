import { createHash } from 'node:crypto';
import { fitReferenceEdges } from '../core/stats/bucket-edges.ts';
import {
  buildCodeToBucket,
  categoricalBucketCount,
  countCategorical,
} from '../core/stats/categorical-buckets.ts';
import { countNumeric, numericBucketCount } from '../core/stats/numeric-buckets.ts';
import { NumericSummary } from '../core/summary/numeric-summary.ts';
import { DriftwatchError, ErrorCodes } from '../errors.ts';
import {
  BASELINE_FORMAT,
  type Baseline,
  type BaselineFeature,
  type BaselineSource,
  type CategoricalBaselineFeature,
  type NumericBaselineFeature,
} from './baseline-types.ts';

export interface NumericReferenceColumn {
  readonly kind: 'numeric';
  readonly values: Float64Array;
  /** 1 = present, 0 = null; omitted when every value is present. */
  readonly valid?: Uint8Array;
}

export interface CategoricalReferenceColumn {
  readonly kind: 'categorical';
  readonly values: readonly (string | null)[];
}

export type ReferenceColumn = NumericReferenceColumn | CategoricalReferenceColumn;

export interface BuildBaselineOptions {
  readonly name: string;
  readonly source: BaselineSource;
  /** Quantile buckets for numeric features (default 10). */
  readonly numericBins?: number;
  /** Clock for createdAt, for reproducible output in tests. */
  readonly now?: () => Date;
}

export const DEFAULT_NUMERIC_BINS = 10;

/** Builds a baseline from reference columns with the live-window kernels. */
export function buildBaseline(
  columns: ReadonlyMap<string, ReferenceColumn>,
  options: BuildBaselineOptions,
): Baseline {
  const bins = options.numericBins ?? DEFAULT_NUMERIC_BINS;
  if (!Number.isInteger(bins) || bins < 1 || bins > 10_000) {
    throw new DriftwatchError(
      ErrorCodes.INVALID_OPTION,
      `numericBins must be an integer in 1..10000, got ${bins}`,
    );
  }
  const features: Record<string, BaselineFeature> = {};
  for (const [name, column] of columns) {
    features[name] =
      column.kind === 'numeric' ? numericFeature(name, column, bins) : categoricalFeature(column);
  }
  const version = `${options.name}@${contentHash(features, options.source).slice(0, 12)}`;
  return {
    format: BASELINE_FORMAT,
    name: options.name,
    version,
    createdAt: (options.now?.() ?? new Date()).toISOString(),
    source: options.source,
    features,
  };
}

function numericFeature(name: string, column: NumericReferenceColumn, bins: number): NumericBaselineFeature {
  const { values, valid } = column;
  let finite = values;
  if (valid !== undefined) {
    finite = values.filter((_, i) => valid[i] === 1);
  }
  let edges: Float64Array;
  try {
    edges = fitReferenceEdges(finite, bins);
  } catch (error) {
    throw new DriftwatchError(
      ErrorCodes.BASELINE_INVALID,
      `feature ${name}: cannot fit buckets, the reference has no finite values`,
      { feature: name },
      { cause: error },
    );
  }
  const counts = new Float64Array(numericBucketCount(edges));
  const bitmap = valid === undefined ? null : bytesToBitmap(valid);
  countNumeric(values, bitmap, values.length, edges, counts);
  const summary = NumericSummary.create();
  summary.add(values, bitmap, values.length);
  return {
    kind: 'numeric',
    binning: 'quantile',
    maxBins: bins,
    edges: [...edges],
    counts: [...counts],
    summary: Buffer.from(summary.serialize()).toString('base64'),
  };
}

function categoricalFeature(column: CategoricalReferenceColumn): CategoricalBaselineFeature {
  const frequency = new Map<string, number>();
  for (const value of column.values) {
    if (value !== null) frequency.set(value, (frequency.get(value) ?? 0) + 1);
  }
  // Most frequent first, ties by name, so the layout does not depend on row order.
  const categories = [...frequency.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([value]) => value);
  const index = new Map(categories.map((value, i) => [value, i]));
  const dictionary: string[] = [];
  const dictionaryIndex = new Map<string, number>();
  const codes = new Int32Array(column.values.length);
  const validity = new Uint8Array((column.values.length + 7) >> 3);
  column.values.forEach((value, i) => {
    if (value === null) return;
    let code = dictionaryIndex.get(value);
    if (code === undefined) {
      code = dictionary.length;
      dictionary.push(value);
      dictionaryIndex.set(value, code);
    }
    codes[i] = code;
    validity[i >> 3]! |= 1 << (i & 7);
  });
  const counts = new Float64Array(categoricalBucketCount(categories.length));
  countCategorical(codes, validity, codes.length, buildCodeToBucket(dictionary, index), counts);
  return { kind: 'categorical', categories, counts: [...counts] };
}

function bytesToBitmap(valid: Uint8Array): Uint8Array {
  const bitmap = new Uint8Array((valid.length + 7) >> 3);
  for (let i = 0; i < valid.length; i++) if (valid[i] === 1) bitmap[i >> 3]! |= 1 << (i & 7);
  return bitmap;
}

function contentHash(features: Record<string, BaselineFeature>, source: BaselineSource): string {
  const names = Object.keys(features).sort();
  const canonical = JSON.stringify({ source, features: names.map((n) => [n, features[n]]) });
  return createHash('sha256').update(canonical).digest('hex');
}
