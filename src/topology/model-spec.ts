/**
 * The `model:` section of a topology, validated and normalised (see topologies/README.md, "Model-quality monitors").
 * It monitors whether the model is still right (delayed labels, performance, concept drift), whether serving computes
 * features the way training did (keyed skew), whether a candidate version is safe (shadow and canary), and how the
 * serving path behaves (latency, errors, embeddings), and whether a newly deployed version is served the data it was
 * trained on (new-version distribution skew). Every default has been resolved here.
 *
 * All model monitors share one tumbling window over event time (`windowMs`): the prediction time for performance,
 * shadow, latency, errors and embeddings, the online event time for skew.
 */
import type { PerformanceMetricName } from '../core/performance/performance-drop.ts';
import type { ThresholdSpec } from './topology-types.ts';

export type ModelTask = 'binary' | 'multiclass' | 'regression';

/** A prediction's role: the version serving users, a shadow run on the same requests, or a canary serving a share. */
export type ModelRole = 'live' | 'shadow' | 'canary';
export const MODEL_ROLES: readonly ModelRole[] = ['live', 'shadow', 'canary'];

/** Warning and critical levels; a null level is not checked. */
export interface LevelPair {
  readonly warning: number | null;
  readonly critical: number | null;
}

/** Where a prediction event of the source topic keeps the model's output. */
export interface ModelFieldsSpec {
  /** Dotted path of the id that pairs a prediction with its label, and a live prediction with its shadow twin. */
  readonly predictionIdField: string;
  /** Predicted class, read as a string (classification); null when the model emits none. */
  readonly classField: string | null;
  /** Binary: probability of `positiveClass`; regression: the predicted value. Null when the model emits none. */
  readonly scoreField: string | null;
  /** Binary: the class the score is the probability of; labels and classes are compared as strings. */
  readonly positiveClass: string | null;
  /** Field holding live | shadow | canary; null: every prediction is live. */
  readonly roleField: string | null;
}

/** The label topic, joined with predictions by prediction id within the lookback. */
export interface LabelsSpec {
  readonly topic: string;
  /** Registry subject of the label events; default `<topic>-value`. */
  readonly subject: string;
  readonly predictionIdField: string;
  /** The true class (classification, read as a string) or value (regression). */
  readonly labelField: string;
  /** Epoch milliseconds at which the label became known. */
  readonly labelTimeField: string;
  /** A label matches a prediction made at most this long before it (default 7 days). */
  readonly lookbackMs: number;
  /** A label may precede its prediction by this much (clock disagreement; default 0). */
  readonly clockSkewMs: number;
  /** At most this many predictions and labels wait for their partner (default 1,000,000); more are evicted, counted. */
  readonly maxPending: number;
}

export interface PerformanceSpec {
  /** Metrics computed per window of prediction time (defaults per task: see load-topology). */
  readonly metrics: readonly PerformanceMetricName[];
  /**
   * The model's metric values on its validation data, given in the file. A metric with neither this nor a value in
   * the baseline's `performance` section is reported but not judged.
   */
  readonly reference: Readonly<Partial<Record<PerformanceMetricName, number>>>;
  /** Relative drops (fractions): below `warning` healthy, from warning warning, from critical critical (0.02, 0.05). */
  readonly warning: number;
  readonly critical: number;
  /** Labelled rows a window needs before it is judged (default 100). */
  readonly minRows: number;
}

export type ConceptDriftDetectorName = 'adwin' | 'ddm' | 'eddm' | 'page_hinkley' | 'hddm_a';

/**
 * An online detector on the error stream of labelled predictions, in prediction-time order within each closed window:
 * 0/1 misclassification for classifiers, absolute error for regressors (DDM, EDDM and HDDM-A need 0/1: classifiers only).
 * Options are the detector's own (see src/core/concept-drift/), published defaults when absent.
 */
export interface ConceptDriftSpec {
  readonly detector: ConceptDriftDetectorName;
  readonly options: Readonly<Record<string, number | boolean | string>>;
}

export interface SkewFeatureSpec {
  readonly name: string;
  /** Dotted path in the prediction event (as served online). */
  readonly onlineField: string;
  /** Dotted path in the offline feature event (as recomputed by the training pipeline). */
  readonly offlineField: string;
  readonly kind: 'numeric' | 'categorical';
}

/** Keyed training-serving skew: online values joined with offline recomputations by entity key and time. */
export interface SkewSpec {
  readonly topic: string;
  readonly subject: string;
  /** Entity key in the prediction event (default the source's `key`). */
  readonly onlineKeyField: string;
  readonly offlineKeyField: string;
  readonly offlineTimeField: string;
  readonly features: readonly SkewFeatureSpec[];
  /** Numeric values match when |a - b| <= absTolerance + relTolerance * |b| (numpy.isclose; 1e-8, 1e-5). */
  readonly absTolerance: number;
  readonly relTolerance: number;
  /**
   * Online and offline records of one entity pair when their times fall in the same bucket of this width. The default,
   * 1 ms, is a point-in-time comparison: the offline pipeline recomputes each served entity as of the serving time and
   * stamps it with that time. 1h or 1d suit hourly or daily batch features. It divides `windowMs`.
   */
  readonly bucketMs: number;
  /** Levels on a feature's mismatch rate (defaults 0.01 and 0.05). */
  readonly mismatchRate: LevelPair;
  /** Mismatching entity keys kept as evidence per feature and window (default 10). */
  readonly maxExamples: number;
  readonly maxPending: number;
}

/** Live against shadow or canary predictions of the same requests (paired by prediction id). */
export interface ShadowSpec {
  /** A live and a candidate prediction pair when their times differ by at most this (default 1 min). */
  readonly maxSkewMs: number;
  /** Pairs a window needs before it is judged (default 100). */
  readonly minPairs: number;
  /** Levels on the agreement rate, judged when it falls below a level (defaults 0.95 and 0.90). */
  readonly agreement: LevelPair;
  /** Levels on the two-sample KS distance between live and candidate scores (defaults 0.1 and 0.2). */
  readonly scoreDistance: LevelPair;
  /** Relative drop of a candidate metric against live on labelled requests (defaults 0.02 and 0.05). */
  readonly metricDrop: { readonly warning: number; readonly critical: number };
  /** Findings of at least this severity send a rollback recommendation (default critical). */
  readonly rollbackOn: 'warning' | 'critical';
}

export interface LatencySpec {
  /** Dotted path of the serving latency, in milliseconds. */
  readonly field: string;
  /** Quantile the levels apply to (default 0.95). */
  readonly quantile: number;
  readonly warningMs: number;
  readonly criticalMs: number;
  /** Rows a window and version need before they are judged (default 20). */
  readonly minCount: number;
  /** Relative accuracy of the latency sketch (default 0.01). */
  readonly relativeAccuracy: number;
}

export interface ErrorsSpec {
  /** Dotted path of the error flag: boolean true, or a non-empty string (an error code), is an error. */
  readonly field: string;
  /** Segments for the error-rate spread (default the topology's segment field); null: no spread, the rate only. */
  readonly segmentField: string | null;
  /** Levels on the error rate in percentage points (defaults 1 and 5). */
  readonly ratePoints: LevelPair;
  /** Levels on the spread between the highest and lowest segment rates, in points (defaults 1 and 3). */
  readonly spreadPoints: LevelPair;
  readonly minRows: number;
}

export type EmbeddingTestName = 'centroid_cosine' | 'mmd' | 'projection_ks';

export interface EmbeddingSpec {
  readonly name: string;
  /** Dotted path of an array of floats of length `dimension`. */
  readonly field: string;
  readonly dimension: number;
  readonly test: EmbeddingTestName;
  /** Fixed levels on the statistic (mmd and projection_ks: on the p-value, fires below), or calibrated on the baseline's chunks. */
  readonly thresholds: ThresholdSpec;
  /** Projections for projection_ks (default 16). */
  readonly projections: number;
}

/**
 * Distribution skew of a new model version against its own training baseline: the first `windows` model windows from
 * the window of a version's first prediction, each feature counted and tested against that version's baseline with
 * the topology feature's tests and levels.
 */
export interface NewVersionsSpec {
  /** Windows monitored per version, from the window of its first prediction (default 3). */
  readonly windows: number;
  /** Model version -> absolute path of its training baseline (given relative to the topology file). */
  readonly baselines: Readonly<Record<string, string>>;
}

export interface ModelOutputsSpec {
  /** Model-quality alerts (schemas/model-alert.avsc); default `driftwatch.model-alerts`. */
  readonly alertTopic: string;
  /** Rollback recommendations (schemas/rollback-recommendation.avsc); default `driftwatch.rollback-recommendations`. */
  readonly rollbackTopic: string;
  /** Every closed model window's figures (schemas/model-statistics.avsc); null when not configured. */
  readonly statisticsTopic: string | null;
}

export interface ModelSpec {
  readonly task: ModelTask;
  /** Tumbling window of all model monitors (default: the topology window's size, or 1 h for session windows). */
  readonly windowMs: number;
  /** How long after a window's end (event time) its late records are still counted in (default: the window's grace). */
  readonly graceMs: number;
  readonly fields: ModelFieldsSpec;
  readonly labels: LabelsSpec | null;
  /** Judged when labels are configured. */
  readonly performance: PerformanceSpec;
  readonly conceptDrift: readonly ConceptDriftSpec[];
  readonly skew: SkewSpec | null;
  /** Active when `fields.roleField` is set. */
  readonly shadow: ShadowSpec;
  readonly latency: LatencySpec | null;
  readonly errors: ErrorsSpec | null;
  readonly embeddings: readonly EmbeddingSpec[];
  /** Null when no version baselines are configured. */
  readonly newVersions: NewVersionsSpec | null;
  readonly outputs: ModelOutputsSpec;
}
