import {
  bucketCountFor,
  type FeatureLayout,
  type FeatureState,
  measureTest,
} from '../core/drift/feature-drift.ts';
import { countCategorical } from '../core/stats/categorical-buckets.ts';
import { countNumeric } from '../core/stats/numeric-buckets.ts';
import { NumericSummary } from '../core/summary/numeric-summary.ts';
import { DriftwatchError, ErrorCodes } from '../errors.ts';
import type { DriftTestName, WindowSpec } from '../topology/topology-types.ts';
import {
  type BaselineCalibration,
  CATEGORICAL_CALIBRATED_TESTS,
  NUMERIC_CALIBRATED_TESTS,
} from './baseline-types.ts';

/**
 * Reference-chunk statistics for calibrated thresholds (see BaselineCalibration in baseline-types.ts): the reference
 * rows are split into chunks the size of a window, and each chunk is measured against the whole reference with
 * measureTest, the function that measures live windows, on state counted by the live kernels.
 */

/** More chunks than this are thinned to an evenly spaced subset, which keeps a baseline well below 1 MB per feature. */
export const MAX_CALIBRATION_CHUNKS = 1_000;
/** Row chunks per reference when no chunk size is given. */
export const DEFAULT_CHUNK_COUNT = 10;

/**
 * How to split the reference rows. By time: chunk = floor(eventTime / sizeMs), so chunks line up with tumbling
 * windows of that size; rows whose time is NaN belong to no chunk. By rows: consecutive runs of `size` rows.
 */
export type ChunkPlan =
  | { readonly by: 'time'; readonly sizeMs: number; readonly eventTimes: Float64Array }
  | { readonly by: 'rows'; readonly size: number };

/** Rows per chunk when none is given: a tenth of the rows, rounded up, so there are at least 2 chunks of 2+ rows. */
export function defaultChunkRows(rows: number): number {
  return Math.max(1, Math.ceil(rows / DEFAULT_CHUNK_COUNT));
}

/** Kept chunks as row indices: the rows of chunk c are `order[bounds[c] .. bounds[c + 1])`, in input order. */
export interface ChunkAssignment {
  readonly by: 'time' | 'rows';
  readonly size: number;
  readonly order: Int32Array;
  readonly bounds: Int32Array;
  /** Chunks left out for holding fewer than half the rows of a typical chunk. */
  readonly smallChunks: number;
  /** How many chunks were eligible when more than MAX_CALIBRATION_CHUNKS were, else null. */
  readonly sampledFrom: number | null;
  /** Rows in no chunk because their event time is unknown (time chunks only). */
  readonly untimedRows: number;
}

export function chunkCount(assignment: ChunkAssignment): number {
  return assignment.bounds.length - 1;
}

/** Splits `rows` rows into chunks by `plan` and applies the keep rule (see BaselineCalibration). */
export function assignChunks(
  plan: ChunkPlan,
  rows: number,
  maxChunks = MAX_CALIBRATION_CHUNKS,
): ChunkAssignment {
  const chunkOf = new Int32Array(rows);
  let chunks: number;
  let untimedRows = 0;
  if (plan.by === 'rows') {
    if (!Number.isInteger(plan.size) || plan.size < 1) {
      throw new DriftwatchError(
        ErrorCodes.INVALID_OPTION,
        `chunk size must be a positive number of rows, got ${plan.size}`,
      );
    }
    for (let i = 0; i < rows; i++) chunkOf[i] = Math.floor(i / plan.size);
    chunks = Math.ceil(rows / plan.size);
  } else {
    if (!(plan.sizeMs > 0) || !Number.isFinite(plan.sizeMs)) {
      throw new DriftwatchError(
        ErrorCodes.INVALID_OPTION,
        `chunk size must be a positive number of milliseconds, got ${plan.sizeMs}`,
      );
    }
    if (plan.eventTimes.length !== rows) {
      throw new DriftwatchError(
        ErrorCodes.INVALID_OPTION,
        `${plan.eventTimes.length} event times for ${rows} rows`,
      );
    }
    // Dense chunk numbers in time order: the keys can be large (epoch / size) and sparse.
    const keys = new Float64Array(rows);
    const distinct = new Set<number>();
    for (let i = 0; i < rows; i++) {
      const t = plan.eventTimes[i]!;
      const key = Number.isFinite(t) ? Math.floor(t / plan.sizeMs) : Number.NaN;
      keys[i] = key;
      if (!Number.isNaN(key)) distinct.add(key);
    }
    const sorted = Float64Array.from(distinct).sort();
    const dense = new Map<number, number>();
    sorted.forEach((key, index) => {
      dense.set(key, index);
    });
    for (let i = 0; i < rows; i++) {
      const key = keys[i]!;
      if (Number.isNaN(key)) {
        chunkOf[i] = -1;
        untimedRows++;
      } else chunkOf[i] = dense.get(key)!;
    }
    chunks = sorted.length;
  }
  const counts = new Int32Array(chunks);
  for (let i = 0; i < rows; i++) if (chunkOf[i]! >= 0) counts[chunkOf[i]!]!++;

  const typical = plan.by === 'rows' ? plan.size : median(counts);
  const minRows = Math.ceil(typical / 2);
  const eligible: number[] = [];
  for (let c = 0; c < chunks; c++) if (counts[c]! >= minRows) eligible.push(c);
  let kept = eligible;
  if (eligible.length > maxChunks) {
    kept = Array.from(
      { length: maxChunks },
      (_, i) => eligible[Math.floor((i * eligible.length) / maxChunks)]!,
    );
  }

  const slot = new Int32Array(chunks).fill(-1);
  const bounds = new Int32Array(kept.length + 1);
  kept.forEach((c, s) => {
    slot[c] = s;
    bounds[s + 1] = bounds[s]! + counts[c]!;
  });
  const order = new Int32Array(bounds[kept.length]!);
  const next = bounds.slice(0, kept.length);
  // A stable counting sort: rows of a chunk stay in input order, so chunk summaries do not depend on anything else.
  for (let i = 0; i < rows; i++) {
    const c = chunkOf[i]!;
    const s = c >= 0 ? slot[c]! : -1;
    if (s >= 0) order[next[s]!++] = i;
  }
  return {
    by: plan.by,
    size: plan.by === 'rows' ? plan.size : plan.sizeMs,
    order,
    bounds,
    smallChunks: chunks - eligible.length,
    sampledFrom: kept === eligible ? null : eligible.length,
    untimedRows,
  };
}

function median(counts: Int32Array): number {
  if (counts.length === 0) return 0;
  const sorted = counts.slice().sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One feature's reference rows, as the chunk statistics read them. `valid`: a byte per row, 1 = present. */
export type ChunkableFeature =
  | {
      readonly layout: Extract<FeatureLayout, { kind: 'numeric' }>;
      readonly values: Float64Array;
      readonly valid: Uint8Array | null;
    }
  | {
      readonly layout: Extract<FeatureLayout, { kind: 'categorical' }>;
      /** Codes into a dictionary that `codeToBucket` maps to the layout's buckets (buildCodeToBucket). */
      readonly codes: Int32Array;
      readonly valid: Uint8Array | null;
      readonly codeToBucket: Int32Array;
    };

/**
 * Measures every test of the feature's kind on each chunk against `reference` (the whole reference's state). Returns
 * undefined when fewer than two chunks were kept: one chunk says nothing about how a statistic varies. `onChunk` is
 * told the rows of each chunk once it is measured (for progress).
 */
export function calibrateFeature(
  feature: ChunkableFeature,
  reference: FeatureState,
  assignment: ChunkAssignment,
  onChunk?: (rows: number) => void,
): BaselineCalibration | undefined {
  const chunks = chunkCount(assignment);
  if (chunks < 2) return undefined;
  const tests: readonly DriftTestName[] =
    feature.layout.kind === 'numeric' ? NUMERIC_CALIBRATED_TESTS : CATEGORICAL_CALIBRATED_TESTS;
  const statistics: Partial<Record<DriftTestName, number[]>> = {};
  const pValues: Partial<Record<'ks' | 'chi2', number[]>> = {};
  for (const test of tests) {
    statistics[test] = [];
    if (test === 'ks' || test === 'chi2') pValues[test] = [];
  }
  const whole: FeatureState =
    reference.summary === null ? reference : { ...reference, summary: withSampleOnce(reference.summary) };
  const rows: number[] = [];
  const longest = maxChunkRows(assignment);
  const bitmap = feature.valid === null ? null : new Uint8Array((longest + 7) >> 3);
  const values = feature.layout.kind === 'numeric' ? new Float64Array(longest) : null;
  const codes = feature.layout.kind === 'categorical' ? new Int32Array(longest) : null;
  for (let c = 0; c < chunks; c++) {
    const from = assignment.bounds[c]!;
    const length = assignment.bounds[c + 1]! - from;
    if (bitmap !== null) {
      bitmap.fill(0);
      for (let j = 0; j < length; j++) {
        if (feature.valid![assignment.order[from + j]!] === 1) bitmap[j >> 3]! |= 1 << (j & 7);
      }
    }
    const counts = new Float64Array(bucketCountFor(feature.layout));
    let state: FeatureState;
    if (feature.layout.kind === 'numeric' && 'values' in feature) {
      for (let j = 0; j < length; j++) values![j] = feature.values[assignment.order[from + j]!]!;
      countNumeric(values!, bitmap, length, feature.layout.edges, counts);
      const summary = NumericSummary.create();
      summary.add(values!, bitmap, length);
      state = { counts, summary };
    } else if ('codes' in feature) {
      for (let j = 0; j < length; j++) codes![j] = feature.codes[assignment.order[from + j]!]!;
      countCategorical(codes!, bitmap, length, feature.codeToBucket, counts);
      state = { counts, summary: null };
    } else {
      throw new Error('unreachable: a feature has values or codes');
    }
    for (const test of tests) {
      const m = measureTest(test, feature.layout, whole, state);
      if (!Number.isFinite(m.value)) {
        throw new DriftwatchError(
          ErrorCodes.BASELINE_INVALID,
          `feature ${feature.layout.name}: ${test} of reference chunk ${c + 1} is ${m.value}`,
          { feature: feature.layout.name, test, chunk: c },
        );
      }
      statistics[test]!.push(m.value);
      if (test === 'ks' || test === 'chi2') pValues[test]!.push(m.pValue!);
    }
    rows.push(length);
    onChunk?.(length);
  }
  return {
    chunkBy: assignment.by,
    chunkSize: assignment.size,
    chunks,
    rows,
    smallChunks: assignment.smallChunks,
    ...(assignment.sampledFrom === null ? {} : { sampledFrom: assignment.sampledFrom }),
    statistics,
    pValues,
  };
}

/**
 * The reference summary with its sample drawn once: measureTest asks for the reference sample on every chunk and test,
 * and drawing it sorts up to 10,000 values (about a millisecond), which dominated builds with many small chunks. The
 * sample is the same every time, so the statistics are unchanged.
 */
function withSampleOnce(summary: NumericSummary): NumericSummary {
  const sample = summary.sample();
  return new Proxy(summary, {
    get(target, property) {
      if (property === 'sample') return () => sample;
      // Private fields need the real object as `this`, for getters and methods alike.
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function maxChunkRows(assignment: ChunkAssignment): number {
  let longest = 0;
  for (let c = 0; c + 1 < assignment.bounds.length; c++) {
    longest = Math.max(longest, assignment.bounds[c + 1]! - assignment.bounds[c]!);
  }
  return longest;
}

/**
 * The chunks of a window's size for a topology's window: `chunkRows` when given; else by event time with the
 * window's size (tumbling, hopping and sliding windows all measure `sizeMs` of events) when the reference has event
 * times; else a tenth of the rows. Session windows have no size, so they need `chunkRows`.
 */
export function planChunks(
  window: WindowSpec,
  reference: { readonly rows: number; readonly eventTimes: Float64Array | null },
  chunkRows?: number,
): ChunkPlan {
  if (chunkRows !== undefined) return { by: 'rows', size: chunkRows };
  if (window.type === 'session') {
    throw new DriftwatchError(
      ErrorCodes.INVALID_OPTION,
      'session windows have no fixed size: give the calibration chunk size in rows',
    );
  }
  const times = reference.eventTimes;
  if (times?.some(Number.isFinite)) {
    return { by: 'time', sizeMs: window.sizeMs, eventTimes: times };
  }
  return { by: 'rows', size: defaultChunkRows(reference.rows) };
}
