/**
 * The records a model monitor is fed, extracted from decoded events of the three topics it reads (prediction events
 * of the topology's source, labels, offline features). `partition` and `offset` locate the message it came from.
 */
import type { FeatureRecord } from '../core/joins/skew-accumulator.ts';
import type { ModelRole } from '../topology/model-spec.ts';

export interface PredictionRecord {
  /** Prediction (event) time, epoch ms. */
  readonly time: number;
  readonly partition: number;
  readonly offset: number;
  readonly predictionId: string;
  readonly modelName: string;
  readonly modelVersion: string;
  readonly role: ModelRole;
  /** Predicted class as a string, or null. */
  readonly predictedClass: string | null;
  /** Positive-class probability (binary) or predicted value (regression), or null. */
  readonly score: number | null;
  /** Null when latency is not monitored or the event has none. */
  readonly latencyMs: number | null;
  /** Null when errors are not monitored. */
  readonly error: boolean | null;
  /** Segment label for the error-rate spread, or null. */
  readonly segment: string | null;
  /** Entity key for keyed skew, or null. */
  readonly entity: string | null;
  /** Online values of the skew features, by skew feature name (empty when skew is not monitored). */
  readonly online: FeatureRecord;
  /** One vector per embedding spec, in spec order; null where the event has none. */
  readonly embeddings: readonly (Float64Array | null)[];
  /**
   * The topology features' values in `topology.features` order, as the feature engine reads them: numeric -> number
   * (NaN kept, counted as missing), categorical -> string, boolean -> 'true' / 'false', missing -> null. Extracted
   * only when `model.newVersions` is set; empty otherwise.
   */
  readonly features: readonly (number | string | null)[];
}

export interface LabelRecord {
  /** Label time, epoch ms. */
  readonly time: number;
  readonly partition: number;
  readonly offset: number;
  readonly predictionId: string;
  /** Classification: the class as a string; regression: the value. */
  readonly label: string | number;
}

export interface OfflineFeatureRecord {
  readonly time: number;
  readonly partition: number;
  readonly offset: number;
  readonly entity: string;
  /** Offline values of the skew features, by skew feature name. */
  readonly values: FeatureRecord;
}
