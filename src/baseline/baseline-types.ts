import type { PerformanceMetricName } from '../core/performance/performance-drop.ts';
/**
 * A baseline: the reference distribution of every monitored feature, fitted on training data (or on a topic's time
 * range) by the same kernels that count live windows (src/core/stats), so a feature is never summarised two ways.
 *
 * Numeric features keep the quantile bucket edges fitted on the reference and the reference counts in the numeric
 * bucket layout (missing, -inf, underflow, inner buckets, overflow, +inf). Categorical features keep their
 * categories, most frequent first, and counts in the categorical layout (categories, unseen, missing). A boolean
 * feature is a categorical one over the categories "true" and "false", always both and in that order.
 *
 * Fields added after the first release are optional, so the format string stays 'driftwatch-baseline/1' and older
 * files still load: `summary` (numeric reference sample) and `calibration` (reference-chunk statistics).
 */
export const BASELINE_FORMAT = 'driftwatch-baseline/1';

/** Tests whose reference-chunk statistics a numeric feature's calibration holds: every test the kind allows. */
export const NUMERIC_CALIBRATED_TESTS = ['psi', 'ks', 'wasserstein_norm'] as const;
/** The same for categorical (and boolean) features. */
export const CATEGORICAL_CALIBRATED_TESTS = ['js', 'chi2', 'share_change'] as const;

export type NumericCalibratedTest = (typeof NUMERIC_CALIBRATED_TESTS)[number];
export type CategoricalCalibratedTest = (typeof CATEGORICAL_CALIBRATED_TESTS)[number];

/**
 * The statistics of one feature over chunks of its own reference, each chunk measured against the whole reference
 * with the live-window function (measureTest), for thresholds calibrated on how much the statistic varies when
 * nothing drifted (NannyML's reference-chunk thresholds). Every test the feature's kind allows is stored, so changing
 * a feature's tests or threshold method needs no rebuild.
 *
 * Chunks are the size of a window: by event time (chunk = floor(eventTime / chunkSize), aligned to the epoch like
 * tumbling windows) when the reference has event times and the window has a size, else consecutive runs of
 * `chunkSize` rows. A chunk with fewer than half the rows of a typical chunk (chunkSize rows; for time chunks the
 * median over non-empty chunks) is left out and counted in `smallChunks`: partial chunks at the edges of a time range
 * or the remainder of a row split would add spread that a full window does not have. When more than
 * MAX_CALIBRATION_CHUNKS chunks remain, an evenly spaced subset of that many is kept and `sampledFrom` says of how
 * many. A feature gets no calibration when fewer than two chunks remain.
 */
export interface BaselineCalibration {
  readonly chunkBy: 'time' | 'rows';
  /** Milliseconds for time chunks, rows for row chunks. */
  readonly chunkSize: number;
  /** Chunks the statistics cover; every array below has this length, in chunk order. */
  readonly chunks: number;
  /** Rows of each chunk, nulls included. */
  readonly rows: readonly number[];
  /** Chunks left out for holding fewer than half the rows of a typical chunk. */
  readonly smallChunks: number;
  /** Present when the chunks were an evenly spaced subset: how many chunks there were to choose from. */
  readonly sampledFrom?: number;
  /** Statistic value (Measurement.value) of each chunk, per test. */
  readonly statistics: Readonly<Partial<Record<NumericCalibratedTest | CategoricalCalibratedTest, number[]>>>;
  /** p-value of each chunk, for the tests that have one (ks, chi2). */
  readonly pValues: Readonly<Partial<Record<'ks' | 'chi2', number[]>>>;
}

export interface NumericBaselineFeature {
  readonly kind: 'numeric';
  readonly binning: 'quantile';
  /** Requested number of quantile buckets; ties may leave fewer. */
  readonly maxBins: number;
  readonly edges: readonly number[];
  readonly counts: readonly number[];
  /**
   * Base64 of NumericSummary.serialize(): the reference values (exact up to 10,000, else a KLL sketch) for the
   * sample-based tests (ks, wasserstein_norm). Optional: baselines built before it can still run psi.
   */
  readonly summary?: string;
  /** Reference-chunk statistics of psi, ks and wasserstein_norm; optional (see BaselineCalibration). */
  readonly calibration?: BaselineCalibration;
}

export interface CategoricalBaselineFeature {
  readonly kind: 'categorical';
  readonly categories: readonly string[];
  readonly counts: readonly number[];
  /** Reference-chunk statistics of js and chi2; optional (see BaselineCalibration). */
  readonly calibration?: BaselineCalibration;
}

export type BaselineFeature = NumericBaselineFeature | CategoricalBaselineFeature;

/** The categories of a boolean feature, in this order. */
export const BOOLEAN_CATEGORIES: readonly string[] = ['true', 'false'];

export interface BaselineSource {
  /** What the baseline was built from, for people (e.g. a file name, or a topic and time range). */
  readonly description: string;
  /**
   * `sha256:<hex>`: of the file's bytes, or, for a topic, of the topic name, the partitions with their offset ranges
   * and the time range read.
   */
  readonly fingerprint: string;
  readonly rows: number;
}

export interface Baseline {
  readonly format: typeof BASELINE_FORMAT;
  readonly name: string;
  /** `<name>@<12 hex>`, derived from the content: the same data and settings give the same version. */
  readonly version: string;
  readonly createdAt: string;
  readonly source: BaselineSource;
  readonly features: Readonly<Record<string, BaselineFeature>>;
  /** The model's metrics on the baseline's rows, when the topology has a model section and the data has labels. */
  readonly performance?: BaselinePerformance;
  /** Reference summaries of the topology's embedding features, by embedding name. */
  readonly embeddings?: Readonly<Record<string, BaselineEmbedding>>;
}

/** Metrics of the model on labelled reference rows (the reference a window's performance drop is measured from). */
export interface BaselinePerformance {
  readonly task: 'binary' | 'multiclass' | 'regression';
  /** Labelled rows the metrics were computed on. */
  readonly rows: number;
  readonly metrics: Readonly<Partial<Record<PerformanceMetricName, number>>>;
}

export const EMBEDDING_CALIBRATED_TESTS = ['centroid_cosine', 'mmd', 'projection_ks'] as const;
export type EmbeddingCalibratedTest = (typeof EMBEDDING_CALIBRATED_TESTS)[number];

/** The reference side of an embedding feature (src/core/embedding/). */
export interface BaselineEmbedding {
  readonly dimension: number;
  /** Vectors summarised. */
  readonly count: number;
  /** EmbeddingSummary bytes (byte-codec), base64. */
  readonly summary: string;
  /** σ of the RBF kernel of the MMD test, fixed at build time by the median heuristic. */
  readonly bandwidth: number;
  /**
   * Each test's statistic over reference chunks the size of a window (mmd and projection_ks: their p-values), for
   * calibrated thresholds, as the features' calibrations.
   */
  readonly calibration?: {
    /**
     * The features' chunks (BaselineCalibration, same chunkBy): milliseconds of event time when the reference has
     * event times, else rows.
     */
    readonly chunkSize: number;
    /** At least 2; every series has this length, in chunk order. */
    readonly chunks: number;
    /**
     * centroid_cosine: cosine distance of each chunk's centroid; mmd and projection_ks: p-values. A test undefined on
     * some chunk (MMD needs 4 sampled rows per side) is left out.
     */
    readonly statistics: Readonly<Partial<Record<EmbeddingCalibratedTest, number[]>>>;
  };
}
