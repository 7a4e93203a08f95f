import { createHash } from 'node:crypto';
import type { FeatureState } from '../core/drift/feature-drift.ts';
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
  type BaselineEmbedding,
  type BaselineFeature,
  type BaselinePerformance,
  type BaselineSource,
  BOOLEAN_CATEGORIES,
  type CategoricalBaselineFeature,
  type NumericBaselineFeature,
} from './baseline-types.ts';
import { buildEmbeddingReference, type EmbeddingColumn } from './embedding-reference.ts';
import {
  assignChunks,
  type ChunkAssignment,
  type ChunkableFeature,
  type ChunkPlan,
  calibrateFeature,
} from './reference-chunks.ts';

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

/** A boolean column becomes a categorical baseline feature over "true" and "false" (BOOLEAN_CATEGORIES). */
export interface BooleanReferenceColumn {
  readonly kind: 'boolean';
  /** 1 = true, 0 = false. */
  readonly values: Uint8Array;
  /** 1 = present, 0 = null; omitted when every value is present. */
  readonly valid?: Uint8Array;
}

export type ReferenceColumn = NumericReferenceColumn | CategoricalReferenceColumn | BooleanReferenceColumn;

/** A topology's features over the reference rows, and each row's event time when the source has one. */
export interface ReferenceRows {
  readonly rows: number;
  /** By feature name. */
  readonly columns: ReadonlyMap<string, ReferenceColumn>;
  /** Epoch milliseconds per row, NaN where unknown; null when the source has no event times. */
  readonly eventTimes: Float64Array | null;
}

export interface BuildBaselineOptions {
  readonly name: string;
  readonly source: BaselineSource;
  /** Quantile buckets for numeric features (default 10). */
  readonly numericBins?: number;
  /** How to chunk the reference for calibration statistics; without it the baseline has no `calibration`. */
  readonly chunks?: ChunkPlan;
  /** Told the values counted so far and the total (rows x features, twice with chunks), for a progress bar. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Clock for createdAt, for reproducible output in tests. */
  readonly now?: () => Date;
  /** The model's metrics on the reference rows (model-reference.ts); becomes the `performance` section. */
  readonly performance?: BaselinePerformance;
  /**
   * Embedding columns over the same rows as `columns` (embedding-reference.ts); each becomes an entry of the
   * `embeddings` section, calibrated on the features' chunks.
   */
  readonly embeddings?: readonly EmbeddingColumn[];
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
  const rows = columns.size === 0 ? 0 : columnLength(columns.values().next().value!);
  // Chunks split rows across every column, so then the columns must be rows of one table.
  for (const [name, column] of options.chunks === undefined ? [] : columns) {
    if (columnLength(column) !== rows) {
      throw new DriftwatchError(
        ErrorCodes.INVALID_OPTION,
        `reference column ${name} has ${columnLength(column)} rows, the others ${rows}`,
        { feature: name },
      );
    }
  }
  for (const column of options.chunks === undefined ? [] : (options.embeddings ?? [])) {
    if (column.rows !== rows) {
      throw new DriftwatchError(
        ErrorCodes.INVALID_OPTION,
        `embedding ${column.spec.name} has ${column.rows} rows, the feature columns ${rows}`,
        { embedding: column.spec.name },
      );
    }
  }
  const assignment = options.chunks === undefined ? null : assignChunks(options.chunks, rows);
  let total = 0;
  for (const column of columns.values()) total += columnLength(column) * (assignment === null ? 1 : 2);
  let done = 0;
  const progress = (n: number) => {
    done += n;
    options.onProgress?.(done, total);
  };
  const features: Record<string, BaselineFeature> = {};
  for (const [name, column] of columns) {
    features[name] = baselineFeature(name, column, bins, assignment, progress);
  }
  const model: ModelSections = {};
  if (options.performance !== undefined) model.performance = options.performance;
  if (options.embeddings !== undefined && options.embeddings.length > 0) {
    const embeddings: Record<string, BaselineEmbedding> = {};
    for (const column of options.embeddings) {
      embeddings[column.spec.name] = buildEmbeddingReference(column, assignment);
    }
    model.embeddings = embeddings;
  }
  const version = `${options.name}@${contentHash(features, options.source, model).slice(0, 12)}`;
  return {
    format: BASELINE_FORMAT,
    name: options.name,
    version,
    createdAt: (options.now?.() ?? new Date()).toISOString(),
    source: options.source,
    features,
    ...model,
  };
}

interface ModelSections {
  performance?: BaselinePerformance;
  embeddings?: Record<string, BaselineEmbedding>;
}

function columnLength(column: ReferenceColumn): number {
  return column.values.length;
}

/** Counts one column into its baseline feature and, with chunks, adds its calibration. */
function baselineFeature(
  name: string,
  column: ReferenceColumn,
  bins: number,
  assignment: ChunkAssignment | null,
  progress: (rows: number) => void,
): BaselineFeature {
  const { feature, chunkable, state } =
    column.kind === 'numeric' ? numericFeature(name, column, bins) : categoricalFeature(name, column);
  progress(column.values.length);
  if (assignment === null) return feature;
  let measured = 0;
  const calibration = calibrateFeature(chunkable, state, assignment, (rows) => {
    measured += rows;
    progress(rows);
  });
  // Rows in no measured chunk still count as done, so the bar ends at its total.
  if (measured < column.values.length) progress(column.values.length - measured);
  return calibration === undefined ? feature : { ...feature, calibration };
}

interface CountedFeature {
  readonly feature: BaselineFeature;
  readonly chunkable: ChunkableFeature;
  readonly state: FeatureState;
}

function numericFeature(name: string, column: NumericReferenceColumn, bins: number): CountedFeature {
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
  const feature: NumericBaselineFeature = {
    kind: 'numeric',
    binning: 'quantile',
    maxBins: bins,
    edges: [...edges],
    counts: [...counts],
    summary: Buffer.from(summary.serialize()).toString('base64'),
  };
  return {
    feature,
    chunkable: { layout: { name, kind: 'numeric', edges }, values, valid: valid ?? null },
    state: { counts, summary },
  };
}

/** Categorical and boolean columns: dictionary codes counted in the categorical layout. */
function categoricalFeature(
  name: string,
  column: CategoricalReferenceColumn | BooleanReferenceColumn,
): CountedFeature {
  const { codes, valid, dictionary, categories } =
    column.kind === 'boolean' ? booleanCodes(column) : categoricalCodes(column);
  const index = new Map(categories.map((value, i) => [value, i]));
  const codeToBucket = buildCodeToBucket(dictionary, index);
  const counts = new Float64Array(categoricalBucketCount(categories.length));
  countCategorical(codes, bytesToBitmap(valid), codes.length, codeToBucket, counts);
  const feature: CategoricalBaselineFeature = { kind: 'categorical', categories, counts: [...counts] };
  return {
    feature,
    chunkable: { layout: { name, kind: 'categorical', categories }, codes, valid, codeToBucket },
    state: { counts, summary: null },
  };
}

interface Codes {
  readonly codes: Int32Array;
  /** 1 = present, 0 = null. */
  readonly valid: Uint8Array;
  readonly dictionary: readonly string[];
  readonly categories: readonly string[];
}

function categoricalCodes(column: CategoricalReferenceColumn): Codes {
  const n = column.values.length;
  const dictionary: string[] = [];
  const dictionaryIndex = new Map<string, number>();
  const frequency: number[] = [];
  const codes = new Int32Array(n);
  const valid = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const value = column.values[i]!;
    if (value === null) continue;
    let code = dictionaryIndex.get(value);
    if (code === undefined) {
      code = dictionary.length;
      dictionary.push(value);
      dictionaryIndex.set(value, code);
      frequency.push(0);
    }
    frequency[code]!++;
    codes[i] = code;
    valid[i] = 1;
  }
  // Most frequent first, ties by name, so the layout does not depend on row order.
  const categories = dictionary
    .map((value, code) => [value, frequency[code]!] as const)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([value]) => value);
  return { codes, valid, dictionary, categories };
}

/** Code 0 = "true", 1 = "false": the dictionary is the fixed category list, whatever the data holds. */
function booleanCodes(column: BooleanReferenceColumn): Codes {
  const n = column.values.length;
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) codes[i] = column.values[i] === 1 ? 0 : 1;
  const valid = column.valid ?? new Uint8Array(n).fill(1);
  return { codes, valid, dictionary: BOOLEAN_CATEGORIES, categories: [...BOOLEAN_CATEGORIES] };
}

function bytesToBitmap(valid: Uint8Array): Uint8Array {
  const bitmap = new Uint8Array((valid.length + 7) >> 3);
  for (let i = 0; i < valid.length; i++) if (valid[i] === 1) bitmap[i >> 3]! |= 1 << (i & 7);
  return bitmap;
}

/**
 * Hash of everything the baseline holds but its name and creation time. The model sections enter only when present,
 * so a baseline without them keeps the version it had before they existed.
 */
function contentHash(
  features: Record<string, BaselineFeature>,
  source: BaselineSource,
  model: ModelSections,
): string {
  const sorted = <T>(record: Record<string, T>) =>
    Object.keys(record)
      .sort()
      .map((n) => [n, record[n]]);
  const canonical = JSON.stringify({
    source,
    features: sorted(features),
    ...(model.performance === undefined ? {} : { performance: model.performance }),
    ...(model.embeddings === undefined ? {} : { embeddings: sorted(model.embeddings) }),
  });
  return createHash('sha256').update(canonical).digest('hex');
}
