import {
  type EmbeddingReference,
  embeddingDrift,
  prepareEmbeddingReference,
} from '../core/embedding/embedding-drift.ts';
import { EmbeddingSummary } from '../core/embedding/embedding-summary.ts';
import { DriftwatchError, ErrorCodes, isDriftwatchError } from '../errors.ts';
import type { ColumnTable } from '../io/column-table.ts';
import type { EmbeddingSpec, ModelSpec } from '../topology/model-spec.ts';
import type { BaselineEmbedding, EmbeddingCalibratedTest } from './baseline-types.ts';
import { type ChunkAssignment, chunkCount } from './reference-chunks.ts';

/**
 * The reference side of a topology's embedding features (Baseline.embeddings), built with the summaries and the drift
 * function of a live window (src/core/embedding):
 *
 * - Input: a column named like the spec's field (full dotted path or last segment) whose cells are JSON arrays of
 *   `dimension` numbers, e.g. `"[0.1, 0.2, 0.3]"` in a CSV cell; an empty cell is a row without a vector. The NDJSON,
 *   Parquet and Arrow readers (src/io) give an array or list of numbers as that same JSON text. A cell that is not
 *   such an array, or has another length, is an error naming the row and column.
 * - Row key (EmbeddingSummary's sample priority): the prediction-id column when the file has one with a value on every
 *   row that has a vector, else the row's 0-based index as a string; either way the same data give the same sample.
 * - bandwidth: the median heuristic on the whole reference's sample, fixed here for every later window.
 * - calibration: the chunks of the features' calibration (reference-chunks.ts, by event time or rows), each chunk's
 *   rows summarised as a window and measured with embeddingDrift against the whole reference, exactly as
 *   embeddingReferenceChunkStatistics does for consecutive row chunks: centroid_cosine holds the cosine distance,
 *   mmd and projection_ks the p-values (projection_ks with the spec's projections and the default seed). A test whose
 *   value is undefined on some chunk (MMD needs 4 sampled rows per side) is left out; with fewer than two chunks, or
 *   no test left, there is no calibration.
 */

/** One embedding's vectors over the reference rows. */
export interface EmbeddingColumn {
  readonly spec: EmbeddingSpec;
  /** Reference rows, with or without a vector. */
  readonly rows: number;
  /** Row-major vectors of the rows that have one, in row order. */
  readonly vectors: Float64Array;
  /** Vectors held. */
  readonly count: number;
  /** Vector index of each reference row; -1 where the row has none. */
  readonly vectorOf: Int32Array;
  /** Row key of each vector. */
  readonly keys: readonly string[];
}

/** The columns of every embedding a model section names; a spec without a column is an error. */
export function fileEmbeddingColumns(table: ColumnTable, spec: ModelSpec): EmbeddingColumn[] {
  const ids = idColumn(table, spec.fields.predictionIdField);
  return spec.embeddings.map((embedding) => fileEmbeddingColumn(table, embedding, ids));
}

function candidates(field: string): string[] {
  return [...new Set([field, field.split('.').at(-1)!])];
}

function idColumn(table: ColumnTable, field: string): readonly (string | null)[] | null {
  const name = candidates(field).find((c) => table.columns.has(c));
  if (name === undefined) return null;
  const column = table.columns.get(name)!;
  if (column.kind === 'categorical') return column.values;
  return Array.from(column.values, (v, i) => (column.valid[i] === 1 ? String(v) : null));
}

function fileEmbeddingColumn(
  table: ColumnTable,
  spec: EmbeddingSpec,
  ids: readonly (string | null)[] | null,
): EmbeddingColumn {
  const file = table.file;
  const names = candidates(spec.field);
  const name = names.find((c) => table.columns.has(c));
  if (name === undefined) {
    throw new DriftwatchError(
      ErrorCodes.INPUT_FILE,
      `${file}: no column for embedding "${spec.name}" (looked for ${names.join(' or ')})`,
      { file, embedding: spec.name },
    );
  }
  const column = table.columns.get(name)!;
  const d = spec.dimension;
  const rows = table.rows;
  const vectorOf = new Int32Array(rows).fill(-1);
  const fail = (row: number, what: string): never => {
    throw new DriftwatchError(
      ErrorCodes.INPUT_FILE,
      `${file}: row ${row + 1}: column "${name}" (embedding ${spec.name}) ${what}; expected a JSON array of ${d} numbers`,
      { file, column: name, row: row + 1 },
    );
  };
  let count = 0;
  const texts = column.kind === 'categorical' ? column.values : null;
  if (column.kind === 'numeric') {
    // A numeric column holds no arrays: any present cell is malformed.
    const first = column.valid.indexOf(1);
    if (first >= 0) fail(first, `holds the number ${column.values[first]}`);
  } else {
    for (let i = 0; i < rows; i++) if (texts![i] !== null && texts![i]!.trim() !== '') vectorOf[i] = count++;
  }
  const vectors = new Float64Array(count * d);
  for (let i = 0; i < rows && texts !== null; i++) {
    const v = vectorOf[i]!;
    if (v < 0) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(texts[i]!);
    } catch {
      fail(i, `holds ${JSON.stringify(texts[i]!.slice(0, 40))}, not JSON`);
    }
    if (!Array.isArray(parsed)) return fail(i, `holds ${JSON.stringify(texts[i]!.slice(0, 40))}`);
    if (parsed.length !== d) fail(i, `has ${parsed.length} numbers`);
    for (let j = 0; j < d; j++) {
      const x = parsed[j];
      if (typeof x !== 'number') fail(i, `has ${JSON.stringify(x)} at position ${j}`);
      vectors[v * d + j] = x as number;
    }
  }
  return embeddingColumn(spec, vectors, vectorOf, ids);
}

/**
 * An EmbeddingColumn from packed vectors (`vectorOf`: vector index per row, -1 for none) and each row's prediction id
 * (null when there is no such field): the ids are the keys when every row with a vector has one, else the row indices.
 */
export function embeddingColumn(
  spec: EmbeddingSpec,
  vectors: Float64Array,
  vectorOf: Int32Array,
  ids: readonly (string | null)[] | null,
): EmbeddingColumn {
  const rows = vectorOf.length;
  const count = vectors.length / spec.dimension;
  const keys: string[] = new Array(count);
  let useIds = ids !== null;
  for (let i = 0; i < rows && useIds; i++) if (vectorOf[i]! >= 0 && ids![i] == null) useIds = false;
  for (let i = 0; i < rows; i++) {
    const v = vectorOf[i]!;
    if (v >= 0) keys[v] = useIds ? ids![i]! : String(i);
  }
  return { spec, rows, vectors, count, vectorOf, keys };
}

/**
 * The baseline section of one embedding. `assignment`: the features' calibration chunks over the same `column.rows`
 * rows (the caller checks), or null for none.
 */
export function buildEmbeddingReference(
  column: EmbeddingColumn,
  assignment: ChunkAssignment | null,
): BaselineEmbedding {
  const { spec } = column;
  const summary = EmbeddingSummary.create({ dimension: spec.dimension });
  summary.add(column.vectors, column.count, column.keys);
  let reference: EmbeddingReference;
  try {
    reference = prepareEmbeddingReference(summary);
  } catch (error) {
    if (!isDriftwatchError(error, ErrorCodes.STATISTIC_INPUT)) throw error;
    throw new DriftwatchError(
      ErrorCodes.BASELINE_INVALID,
      `embedding ${spec.name}: no MMD bandwidth from ${summary.count} reference vectors (${error.message})`,
      { embedding: spec.name },
      { cause: error },
    );
  }
  const embedding: BaselineEmbedding = {
    dimension: spec.dimension,
    count: summary.count,
    summary: Buffer.from(summary.serialize()).toString('base64'),
    bandwidth: reference.bandwidth,
  };
  const calibration = assignment === null ? undefined : calibrate(column, reference, assignment);
  return calibration === undefined ? embedding : { ...embedding, calibration };
}

function calibrate(
  column: EmbeddingColumn,
  reference: EmbeddingReference,
  assignment: ChunkAssignment,
): BaselineEmbedding['calibration'] {
  const chunks = chunkCount(assignment);
  if (chunks < 2) return undefined;
  const { spec, vectors, vectorOf, keys } = column;
  const d = spec.dimension;
  let longest = 0;
  for (let c = 0; c < chunks; c++) {
    longest = Math.max(longest, assignment.bounds[c + 1]! - assignment.bounds[c]!);
  }
  const buffer = new Float64Array(longest * d);
  const series: Record<EmbeddingCalibratedTest, number[]> = {
    centroid_cosine: [],
    mmd: [],
    projection_ks: [],
  };
  for (let c = 0; c < chunks; c++) {
    const chunkKeys: string[] = [];
    let n = 0;
    for (let k = assignment.bounds[c]!; k < assignment.bounds[c + 1]!; k++) {
      const v = vectorOf[assignment.order[k]!]!;
      if (v < 0) continue;
      for (let j = 0; j < d; j++) buffer[n * d + j] = vectors[v * d + j]!;
      chunkKeys.push(keys[v]!);
      n++;
    }
    const summary = EmbeddingSummary.create({ dimension: d });
    summary.add(buffer, n, chunkKeys);
    const result = embeddingDrift(reference, summary, { projections: spec.projections });
    series.centroid_cosine.push(result.cosineDistance);
    series.mmd.push(result.mmd?.pValue ?? Number.NaN);
    series.projection_ks.push(result.projectionKs?.pValue ?? Number.NaN);
  }
  const statistics: Partial<Record<EmbeddingCalibratedTest, number[]>> = {};
  for (const [test, values] of Object.entries(series) as [EmbeddingCalibratedTest, number[]][]) {
    if (values.every(Number.isFinite)) statistics[test] = values;
  }
  if (Object.keys(statistics).length === 0) return undefined;
  return { chunkSize: assignment.size, chunks, statistics };
}
