import { optionError, statisticInputError } from '../../errors.ts';
import { SeededRandom } from '../random/seeded-random.ts';
import { ksTwoSample } from '../stats/kolmogorov-smirnov.ts';
import { normalSurvival } from '../stats/two-proportion-z.ts';
import { sortedSample } from '../stats/weighted-sample.ts';
import { type EmbeddingSample, EmbeddingSummary } from './embedding-summary.ts';

/**
 * Drift of an embedding feature (fixed-length float vectors) between a reference and a window.
 *
 * (i) Centroid cosine distance: 1 − cos(a, b) of the two mean vectors, computed as ‖a/‖a‖ − b/‖b‖‖² / 2, which equals
 *     1 − a·b/(‖a‖‖b‖) but keeps its relative accuracy when the centroids are nearly parallel (the usual case: all
 *     embeddings of one encoder share a large common component). In [0, 2]; NaN when either centroid is the zero
 *     vector (or a side has no rows).
 *
 * (ii) Linear-time MMD² (Gretton, Borgwardt, Rasch, Schölkopf, Smola, "A Kernel Two-Sample Test", JMLR 13, 2012,
 *     Section 6, Lemma 14 and Corollary 16) with the Gaussian RBF kernel k(x, y) = exp(−‖x − y‖² / (2σ²)):
 *     with m = min(rows of the two samples), m₂ = ⌊m/2⌋, and rows taken in sample order (0-based),
 *       h_i = k(x_2i, x_2i+1) + k(y_2i, y_2i+1) − k(x_2i, y_2i+1) − k(x_2i+1, y_2i),   i < m₂,
 *       MMD²_l = mean(h_i).
 *     Under H0 (same distribution) √m₂·MMD²_l → N(0, Var h); the variance is estimated by the sample variance of the
 *     h_i (ddof = 1), so z = MMD²_l / √(s²/m₂) and p = P(Z > z) (one-sided: drift makes MMD² positive). With s² = 0
 *     the p-value is 0 if MMD²_l > 0, else 1. At least 2 pairs (4 rows per side) are needed. The sample order of an
 *     EmbeddingSummary is by key hash, so this pairing is a random pairing fixed by the rows' keys.
 *     Bandwidth σ: the median heuristic on the reference, computed once and kept with it: σ = median of the Euclidean
 *     distances ‖x_i − x_j‖, i < j, over the first min(rows, bandwidthRows = 1000) rows of the reference sample
 *     (numpy.median: the mean of the two middle values for an even count). When that median is 0 (most reference
 *     vectors coincide) the median of the positive distances is used; a reference with a single distinct vector
 *     has no bandwidth (DW_STATISTIC_INPUT; pass one explicitly).
 *
 * (iii) Optional: two-sample KS tests (scipy.stats.ks_2samp, method auto; ../stats/kolmogorov-smirnov.ts) on k random
 *     projections: direction p is d standard normals scaled to unit length, drawn from mulberry32(seed) with
 *     Box-Muller keeping the second draw (the stream of src/core/random/seeded-random.ts), directions drawn one after the
 *     other. The combined p-value is Bonferroni's min(1, k · min p).
 *
 * Calibration (like NannyML's reference-chunk thresholds, via calibrateLevels in ../drift/thresholds.ts):
 * embeddingReferenceChunkStatistics computes these statistics for every complete chunk of `chunkSize` consecutive
 * reference rows against the whole reference, with the same summaries and code as a live window; a trailing partial
 * chunk is left out. Use a chunk size equal to the window's row count: the cosine distance shrinks with more rows,
 * and MMD² uses min(sampleSize, rows) rows. A chunk's rows are also part of the reference (as in NannyML), so a few of
 * its sampled rows may appear in the reference sample too, which lowers its statistics slightly.
 */

export const EMBEDDING_DEFAULT_BANDWIDTH_ROWS = 1000;
export const EMBEDDING_DEFAULT_PROJECTION_SEED = 0x656d6231; // "emb1"
export const EMBEDDING_MAX_PROJECTIONS = 1000;

function checkSample(what: string, s: EmbeddingSample): void {
  if (
    s === null ||
    typeof s !== 'object' ||
    !(s.values instanceof Float64Array) ||
    !Number.isInteger(s.rows) ||
    !Number.isInteger(s.dimension) ||
    s.rows < 0 ||
    s.dimension < 1 ||
    s.values.length < s.rows * s.dimension
  ) {
    throw statisticInputError(`${what}: not an embedding sample (rows × dimension values)`);
  }
}

/** ‖x_a − y_b‖² for rows a of x and b of y (dimension d), summed in component order. */
function squaredDistance(x: Float64Array, a: number, y: Float64Array, b: number, d: number): number {
  let sum = 0;
  const xa = a * d;
  const yb = b * d;
  for (let j = 0; j < d; j++) {
    const diff = x[xa + j]! - y[yb + j]!;
    sum += diff * diff;
  }
  return sum;
}

/**
 * 1 − cos(a, b) as ‖â − b̂‖²/2 (see the module comment). NaN when either vector has zero norm or a non-finite
 * component. Lengths must agree (else DW_STATISTIC_INPUT).
 */
export function centroidCosineDistance(a: Float64Array, b: Float64Array): number {
  if (
    !(a instanceof Float64Array) ||
    !(b instanceof Float64Array) ||
    a.length !== b.length ||
    a.length === 0
  ) {
    throw statisticInputError('centroidCosineDistance needs two Float64Arrays of the same non-zero length');
  }
  let na = 0;
  let nb = 0;
  for (let j = 0; j < a.length; j++) {
    na += a[j]! * a[j]!;
    nb += b[j]! * b[j]!;
  }
  na = Math.sqrt(na);
  nb = Math.sqrt(nb);
  if (!(na > 0 && nb > 0 && Number.isFinite(na) && Number.isFinite(nb))) return Number.NaN;
  let sum = 0;
  for (let j = 0; j < a.length; j++) {
    const diff = a[j]! / na - b[j]! / nb;
    sum += diff * diff;
  }
  return sum / 2;
}

/** numpy.median of values (sorted in place). */
function median(values: Float64Array): number {
  values.sort();
  const n = values.length;
  const mid = n >> 1;
  return n % 2 === 1 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

/**
 * The median-heuristic bandwidth σ of a reference sample (see the module comment): the median pairwise Euclidean
 * distance over its first min(rows, maxRows) rows. Fewer than 2 rows, or a single distinct vector, throws
 * DW_STATISTIC_INPUT.
 */
export function medianHeuristicBandwidth(
  sample: EmbeddingSample,
  maxRows: number = EMBEDDING_DEFAULT_BANDWIDTH_ROWS,
): number {
  checkSample('medianHeuristicBandwidth', sample);
  if (!Number.isInteger(maxRows) || maxRows < 2)
    throw optionError('bandwidthRows', 'must be an integer >= 2', maxRows);
  const m = Math.min(sample.rows, maxRows);
  if (m < 2)
    throw statisticInputError(`the median heuristic needs at least 2 reference rows, got ${sample.rows}`);
  const d = sample.dimension;
  const x = sample.values;
  const distances = new Float64Array((m * (m - 1)) / 2);
  let k = 0;
  let positive = 0;
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      const dist = Math.sqrt(squaredDistance(x, i, x, j, d));
      distances[k++] = dist;
      if (dist > 0) positive++;
    }
  }
  const sigma = median(distances);
  if (sigma > 0) return sigma;
  if (positive === 0) {
    throw statisticInputError(
      'the reference sample holds a single distinct vector: no median-heuristic bandwidth',
      {
        rows: m,
      },
    );
  }
  // Sorted ascending: the positive distances are the last `positive` ones.
  return median(distances.subarray(distances.length - positive));
}

export interface LinearMmdResult {
  /** MMD²_l, the mean of the h_i. */
  readonly statistic: number;
  /** Sample variance (ddof = 1) of the h_i. */
  readonly variance: number;
  /** √(variance / pairs): the standard error of the statistic. */
  readonly standardError: number;
  /** statistic / standardError (±Infinity or NaN when the standard error is 0). */
  readonly z: number;
  /** One-sided P(Z > z) of the standard normal (0 or 1 when the standard error is 0). */
  readonly pValue: number;
  /** m₂ = ⌊min(rows) / 2⌋. */
  readonly pairs: number;
  readonly bandwidth: number;
}

/**
 * The linear-time MMD² of two samples with the RBF kernel of bandwidth σ, and its asymptotic normal p-value (see the
 * module comment). Fewer than 2 pairs, mismatched dimensions, or a bandwidth that is not a positive finite number
 * throw DW_STATISTIC_INPUT.
 */
export function linearTimeMmd(x: EmbeddingSample, y: EmbeddingSample, bandwidth: number): LinearMmdResult {
  checkSample('linearTimeMmd (first sample)', x);
  checkSample('linearTimeMmd (second sample)', y);
  if (x.dimension !== y.dimension) {
    throw statisticInputError(`linearTimeMmd: dimensions ${x.dimension} and ${y.dimension} differ`);
  }
  if (!(typeof bandwidth === 'number' && bandwidth > 0 && Number.isFinite(bandwidth))) {
    throw statisticInputError(`linearTimeMmd: bandwidth must be a finite number > 0, got ${bandwidth}`, {
      bandwidth,
    });
  }
  const pairs = Math.floor(Math.min(x.rows, y.rows) / 2);
  if (pairs < 2) {
    throw statisticInputError(`linearTimeMmd needs at least 4 rows per side, got ${x.rows} and ${y.rows}`, {
      rows: [x.rows, y.rows],
    });
  }
  const d = x.dimension;
  const xv = x.values;
  const yv = y.values;
  const twoSigmaSquared = 2 * bandwidth * bandwidth;
  const kernel = (a: Float64Array, i: number, b: Float64Array, j: number) =>
    Math.exp(-squaredDistance(a, i, b, j, d) / twoSigmaSquared);
  const h = new Float64Array(pairs);
  // Neumaier-compensated sum: the h_i cancel to a mean near 0 under H0.
  let sum = 0;
  let compensation = 0;
  for (let i = 0; i < pairs; i++) {
    const a = 2 * i;
    const b = a + 1;
    const v = kernel(xv, a, xv, b) + kernel(yv, a, yv, b) - kernel(xv, a, yv, b) - kernel(xv, b, yv, a);
    h[i] = v;
    const t = sum + v;
    compensation += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  const statistic = (sum + compensation) / pairs;
  let squares = 0;
  let squaresCompensation = 0;
  for (let i = 0; i < pairs; i++) {
    const dev = h[i]! - statistic;
    const sq = dev * dev;
    const t = squares + sq;
    squaresCompensation += squares >= sq ? squares - t + sq : sq - t + squares;
    squares = t;
  }
  const variance = (squares + squaresCompensation) / (pairs - 1);
  const standardError = Math.sqrt(variance / pairs);
  const z = statistic / standardError;
  const pValue = standardError > 0 ? normalSurvival(z) : statistic > 0 ? 0 : 1;
  return { statistic, variance, standardError, z, pValue, pairs, bandwidth };
}

/** k unit directions in R^d, row-major (see the module comment). */
export function projectionDirections(dimension: number, projections: number, seed: number): Float64Array {
  const stream = new SeededRandom(seed);
  const out = new Float64Array(dimension * projections);
  for (let p = 0; p < projections; p++) {
    let norm = 0;
    for (let j = 0; j < dimension; j++) {
      const g = stream.normal();
      out[p * dimension + j] = g;
      norm += g * g;
    }
    norm = Math.sqrt(norm);
    for (let j = 0; j < dimension; j++) out[p * dimension + j] = out[p * dimension + j]! / norm;
  }
  return out;
}

export interface ProjectionKsResult {
  readonly projections: number;
  readonly seed: number;
  /** KS statistic D of each projection. */
  readonly statistics: Float64Array;
  /** Its p-value (scipy.stats.ks_2samp, method auto). */
  readonly pValues: Float64Array;
  readonly maxStatistic: number;
  /** Bonferroni: min(1, projections · min p). */
  readonly pValue: number;
}

function project(s: EmbeddingSample, directions: Float64Array, p: number): Float64Array {
  const d = s.dimension;
  const out = new Float64Array(s.rows);
  for (let i = 0; i < s.rows; i++) {
    let dot = 0;
    for (let j = 0; j < d; j++) dot += s.values[i * d + j]! * directions[p * d + j]!;
    out[i] = dot;
  }
  return out;
}

/**
 * KS tests on `projections` seeded random projections of two samples (every row of each), Bonferroni-combined.
 * projections must be an integer in 1..1000 and seed a uint32 (DW_INVALID_OPTION); empty samples or mismatched
 * dimensions throw DW_STATISTIC_INPUT.
 */
export function randomProjectionKs(
  x: EmbeddingSample,
  y: EmbeddingSample,
  projections: number,
  seed: number = EMBEDDING_DEFAULT_PROJECTION_SEED,
): ProjectionKsResult {
  checkSample('randomProjectionKs (first sample)', x);
  checkSample('randomProjectionKs (second sample)', y);
  if (!Number.isInteger(projections) || projections < 1 || projections > EMBEDDING_MAX_PROJECTIONS) {
    throw optionError('projections', `must be an integer in 1..${EMBEDDING_MAX_PROJECTIONS}`, projections);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw optionError('seed', 'must be an integer in 0..2^32 - 1', seed);
  }
  if (x.dimension !== y.dimension) {
    throw statisticInputError(`randomProjectionKs: dimensions ${x.dimension} and ${y.dimension} differ`);
  }
  if (x.rows === 0 || y.rows === 0)
    throw statisticInputError('randomProjectionKs needs at least one row per side');
  const directions = projectionDirections(x.dimension, projections, seed);
  const statistics = new Float64Array(projections);
  const pValues = new Float64Array(projections);
  let maxStatistic = 0;
  let minP = 1;
  for (let p = 0; p < projections; p++) {
    const r = ksTwoSample(sortedSample(project(x, directions, p)), sortedSample(project(y, directions, p)));
    statistics[p] = r.statistic;
    pValues[p] = r.pValue;
    if (r.statistic > maxStatistic) maxStatistic = r.statistic;
    if (r.pValue < minP) minP = r.pValue;
  }
  return { projections, seed, statistics, pValues, maxStatistic, pValue: Math.min(1, projections * minP) };
}

/** What a live window is compared with; build it once per baseline (the bandwidth is part of it). */
export interface EmbeddingReference {
  readonly dimension: number;
  readonly count: number;
  readonly centroid: Float64Array;
  readonly sample: EmbeddingSample;
  /** σ of the RBF kernel. */
  readonly bandwidth: number;
}

export interface EmbeddingReferenceOptions {
  /** A stored σ; by default the median heuristic on the reference sample. */
  bandwidth?: number;
  /** Rows of the reference sample the median heuristic reads; integer >= 2, default 1000. */
  bandwidthRows?: number;
}

/** The reference side of the embedding tests, from the reference's summary. */
export function prepareEmbeddingReference(
  summary: EmbeddingSummary,
  options: EmbeddingReferenceOptions = {},
): EmbeddingReference {
  if (!(summary instanceof EmbeddingSummary))
    throw statisticInputError('prepareEmbeddingReference needs an EmbeddingSummary');
  const sample = summary.sample();
  let bandwidth = options.bandwidth;
  if (bandwidth === undefined) {
    bandwidth = medianHeuristicBandwidth(sample, options.bandwidthRows ?? EMBEDDING_DEFAULT_BANDWIDTH_ROWS);
  } else if (!(typeof bandwidth === 'number' && bandwidth > 0 && Number.isFinite(bandwidth))) {
    throw optionError('bandwidth', 'must be a finite number > 0', bandwidth);
  }
  return {
    dimension: summary.dimension,
    count: summary.count,
    centroid: summary.centroid(),
    sample,
    bandwidth,
  };
}

export interface EmbeddingDriftOptions {
  /** Random projections for the KS tests; 0 (the default) skips them. */
  projections?: number;
  seed?: number;
}

export interface EmbeddingDriftResult {
  readonly cosineDistance: number;
  /** Null when a side has fewer than 4 sampled rows. */
  readonly mmd: LinearMmdResult | null;
  /** Null unless projections were asked for and both sides have rows. */
  readonly projectionKs: ProjectionKsResult | null;
  readonly referenceCount: number;
  readonly currentCount: number;
  readonly currentSampleRows: number;
  /** How every number was computed. */
  readonly conventions: Readonly<Record<string, string>>;
}

/** Drift of a window's summary against a prepared reference (see the module comment). */
export function embeddingDrift(
  reference: EmbeddingReference,
  current: EmbeddingSummary,
  options: EmbeddingDriftOptions = {},
): EmbeddingDriftResult {
  if (!(current instanceof EmbeddingSummary))
    throw statisticInputError('embeddingDrift needs an EmbeddingSummary');
  if (current.dimension !== reference.dimension) {
    throw statisticInputError(
      `embeddingDrift: the window has dimension ${current.dimension}, the reference ${reference.dimension}`,
      { dimension: [reference.dimension, current.dimension] },
    );
  }
  const projections = options.projections ?? 0;
  const seed = options.seed ?? EMBEDDING_DEFAULT_PROJECTION_SEED;
  if (!Number.isInteger(projections) || projections < 0 || projections > EMBEDDING_MAX_PROJECTIONS) {
    throw optionError('projections', `must be an integer in 0..${EMBEDDING_MAX_PROJECTIONS}`, projections);
  }
  const sample = current.sample();
  const cosineDistance = centroidCosineDistance(reference.centroid, current.centroid());
  const mmd =
    Math.min(sample.rows, reference.sample.rows) >= 4
      ? linearTimeMmd(reference.sample, sample, reference.bandwidth)
      : null;
  const projectionKs =
    projections > 0 && sample.rows > 0 && reference.sample.rows > 0
      ? randomProjectionKs(reference.sample, sample, projections, seed)
      : null;
  return {
    cosineDistance,
    mmd,
    projectionKs,
    referenceCount: reference.count,
    currentCount: current.count,
    currentSampleRows: sample.rows,
    conventions: {
      cosine: '1 - cos of the centroids (mean vectors) as ||a/|a| - b/|b|||^2 / 2; NaN for a zero centroid',
      sample: `bottom-${current.sampleSize} rows by XXH64 of the row key, ordered by hash (reference ${reference.sample.rows} rows, window ${sample.rows})`,
      mmd: `linear-time MMD^2 (Gretton et al. 2012), RBF exp(-||x-y||^2 / (2 sigma^2)), sigma = ${reference.bandwidth}, consecutive pairs in sample order, m2 = floor(min(rows) / 2)`,
      mmdPValue: 'one-sided normal: P(Z > mean(h) / sqrt(var(h, ddof=1) / m2))',
      projectionKs:
        projections > 0
          ? `${projections} random unit projections (mulberry32 seed ${seed}, Box-Muller), scipy ks_2samp auto, Bonferroni min(1, k min p)`
          : 'off',
    },
  };
}

export interface EmbeddingChunkOptions {
  /** Rows per chunk: the live window's row count. Integer >= 1. */
  chunkSize: number;
  /** Event key per reference row (as for EmbeddingSummary.add), or null/absent for the row indices 0..rows-1. */
  keys?: readonly string[] | null;
  /** Sample size of every summary; the live windows' (default 512). */
  sampleSize?: number;
  bandwidth?: number;
  bandwidthRows?: number;
  projections?: number;
  seed?: number;
}

export interface EmbeddingChunkStatistics {
  readonly reference: EmbeddingReference;
  readonly chunkSize: number;
  /** Complete chunks: ⌊rows / chunkSize⌋. */
  readonly chunks: number;
  readonly cosineDistance: Float64Array;
  /** MMD²_l of each chunk; NaN where a chunk had fewer than 4 sampled rows. */
  readonly mmd: Float64Array;
  readonly mmdPValue: Float64Array;
  /** Bonferroni p of the projection KS tests; null when projections is 0. */
  readonly projectionKsPValue: Float64Array | null;
}

/**
 * The embedding statistics of every complete `chunkSize`-row chunk of the reference (row-major `vectors`, `rows`
 * rows of `dimension`) against the whole reference, for calibrated levels: pass `cosineDistance` or `mmd` to
 * calibrateLevels (src/core/drift/thresholds.ts), e.g. `{ kind: 'calibrated', method: 'std', warning: 2,
 * critical: 3 }` for mean + k·std (NaN chunks are left out there).
 */
export function embeddingReferenceChunkStatistics(
  vectors: Float32Array | Float64Array,
  rows: number,
  dimension: number,
  options: EmbeddingChunkOptions,
): EmbeddingChunkStatistics {
  const chunkSize = options?.chunkSize;
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1) {
    throw optionError('chunkSize', 'must be an integer >= 1', chunkSize);
  }
  const keys = options.keys ?? null;
  const summaryOptions = { dimension, sampleSize: options.sampleSize };
  const whole = EmbeddingSummary.create(summaryOptions);
  whole.add(vectors, rows, keys);
  const referenceOptions: EmbeddingReferenceOptions = {};
  if (options.bandwidth !== undefined) referenceOptions.bandwidth = options.bandwidth;
  if (options.bandwidthRows !== undefined) referenceOptions.bandwidthRows = options.bandwidthRows;
  const reference = prepareEmbeddingReference(whole, referenceOptions);
  const chunks = Math.floor(rows / chunkSize);
  const cosineDistance = new Float64Array(chunks);
  const mmd = new Float64Array(chunks);
  const mmdPValue = new Float64Array(chunks);
  const projections = options.projections ?? 0;
  const projectionKsPValue = projections > 0 ? new Float64Array(chunks) : null;
  const driftOptions: EmbeddingDriftOptions = { projections };
  if (options.seed !== undefined) driftOptions.seed = options.seed;
  for (let c = 0; c < chunks; c++) {
    const start = c * chunkSize;
    const chunk = EmbeddingSummary.create(summaryOptions);
    const slice = vectors.subarray(start * dimension, (start + chunkSize) * dimension);
    if (keys === null) chunk.add(slice, chunkSize, null, start);
    else chunk.add(slice, chunkSize, keys.slice(start, start + chunkSize));
    const result = embeddingDrift(reference, chunk, driftOptions);
    cosineDistance[c] = result.cosineDistance;
    mmd[c] = result.mmd === null ? Number.NaN : result.mmd.statistic;
    mmdPValue[c] = result.mmd === null ? Number.NaN : result.mmd.pValue;
    if (projectionKsPValue !== null) projectionKsPValue[c] = result.projectionKs?.pValue ?? Number.NaN;
  }
  return { reference, chunkSize, chunks, cosineDistance, mmd, mmdPValue, projectionKsPValue };
}
