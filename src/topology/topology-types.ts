import type { AlertingSpec } from './alerting-spec.ts';
import type { ModelSpec } from './model-spec.ts';
import type { SinkSpec } from './sinks-spec.ts';

/**
 * The validated, normalised form of a topology file (see topologies/*.yaml and topologies/topology.schema.json).
 * Every optional field of the file has been resolved to its default here, so the engine never re-derives defaults.
 * Paths inside the file (the baseline) are resolved relative to the topology file's directory.
 */

/** Boolean features are counted like categorical ones, over the categories "true" and "false". */
export type FeatureKind = 'numeric' | 'categorical' | 'boolean';

/**
 * Statistics a feature can be tested with in live windows. Numeric: psi (bucket counts), ks and wasserstein_norm
 * (mergeable sample summaries); categorical and boolean: js, chi2 and share_change (the largest relative change of
 * a category's share, for prediction drift: "class X predicted 40% more often").
 */
export type DriftTestName = 'psi' | 'ks' | 'wasserstein_norm' | 'js' | 'chi2' | 'share_change';

export type Severity = 'warning' | 'critical';

/**
 * When a test's result is a warning or critical.
 * - fixed: for distances (psi, wasserstein_norm, js) a level fires when value >= level; for p-value tests (ks, chi2)
 *   when the (corrected) p-value < level, so a critical p-level is below the warning one.
 * - calibrated: levels are derived from the baseline's reference-chunk statistics of the same test (the statistic over
 *   chunks of the reference the size of a window): `std` puts a level at mean + k * std (k given per level),
 *   `quantile` at the q-quantile (q given per level). They apply to the statistic's value, for every test: a level
 *   fires when value >= level (NannyML's convention for its reference-chunk thresholds).
 * A null level is not checked.
 */
export type ThresholdSpec =
  | { readonly kind: 'fixed'; readonly warning: number | null; readonly critical: number | null }
  | {
      readonly kind: 'calibrated';
      readonly method: 'std' | 'quantile';
      readonly warning: number | null;
      readonly critical: number | null;
    };

export interface FeatureTestSpec {
  readonly test: DriftTestName;
  readonly thresholds: ThresholdSpec;
}

export interface FeatureSpec {
  /** Name used in alerts and in the baseline. */
  readonly name: string;
  /** Dotted path of the field in the decoded event, e.g. `features.amount`. */
  readonly field: string;
  readonly kind: FeatureKind;
  /** At least one; the kind's defaults when the file names none. */
  readonly tests: readonly FeatureTestSpec[];
}

export interface SourceSpec {
  readonly topic: string;
  /** Registry subject of the value schema; defaults to `<topic>-value` (Confluent TopicNameStrategy). */
  readonly subject: string;
  /** Dotted path of the entity / request key field in the value, if the topology names one. */
  readonly keyField: string | null;
  /** `event` (the default) reads times from `eventTimeField`; `processing` uses the time the engine read the event. */
  readonly timeSemantics: 'event' | 'processing';
  /** Dotted path of the event-time field (epoch milliseconds, Avro long or timestamp-millis); null in processing time. */
  readonly eventTimeField: string | null;
  /** Dotted paths of the model name and version fields, carried into alerts. */
  readonly modelNameField: string;
  readonly modelVersionField: string;
}

export interface BaselineSpec {
  /** Absolute path of the baseline file. */
  readonly path: string;
  /**
   * Compacted topic baselines are published to. When set, the engine uses the latest baseline published there under
   * `name`, and falls back to the file when the topic has none.
   */
  readonly topic: string | null;
  /** Name the baseline is published under (default: the topology's name). */
  readonly name: string;
  /** Also test each window against the previous window of the same length and segment. */
  readonly previousPeriod: boolean;
}

/** What happens to an event whose every window has closed when it arrives. Every late event is counted. */
export interface LateSpec {
  /** drop: count it; side-topic: also produce it to outputs.lateEvents; update: add it and re-emit the window. */
  readonly policy: 'drop' | 'side-topic' | 'update';
  /** With `update`, how long (event time, after end + grace) a closed window keeps its state for late events. */
  readonly retentionMs: number;
}

interface WindowTiming {
  /** How long after the window end late events are still accepted, in event time. */
  readonly graceMs: number;
  /** Watermark bound: a partition's watermark is its highest event time minus this. */
  readonly outOfOrdernessMs: number;
  /** A partition with no events for this long (wall clock) stops holding the watermark back. */
  readonly idleTimeoutMs: number;
  /**
   * Wall-clock close: when no partition has delivered an event for this long, the watermark advances with the wall
   * clock, so windows on a quiet stream still close. 0 disables it.
   */
  readonly quietCloseMs: number;
  readonly late: LateSpec;
}

/** Fixed size, aligned to the epoch, no overlap. */
export interface TumblingWindowSpec extends WindowTiming {
  readonly type: 'tumbling';
  readonly sizeMs: number;
}

/** Fixed size, starting every `advanceMs` (aligned to the epoch); windows overlap when advance < size. */
export interface HoppingWindowSpec extends WindowTiming {
  readonly type: 'hopping';
  readonly sizeMs: number;
  readonly advanceMs: number;
}

/**
 * The last `sizeMs` of event time, evaluated every `slideMs` (Flink's and Spark's sliding windows). Record-aligned
 * sliding windows (Kafka Streams) are not offered: a drift test per event would be noise.
 */
export interface SlidingWindowSpec extends WindowTiming {
  readonly type: 'sliding';
  readonly sizeMs: number;
  readonly slideMs: number;
}

/** Bursts of activity per segment, separated by at least `gapMs` without events; a session closes at last + gap. */
export interface SessionWindowSpec extends WindowTiming {
  readonly type: 'session';
  readonly gapMs: number;
  /** A session is cut when it would grow longer than this (0 = no limit), so a busy stream still reports. */
  readonly maxSizeMs: number;
}

export type WindowSpec = TumblingWindowSpec | HoppingWindowSpec | SlidingWindowSpec | SessionWindowSpec;

/** Correction of p-values for testing several features (and tests) of one window and segment at once. */
export type CorrectionName = 'none' | 'bonferroni' | 'holm' | 'benjamini-hochberg';

export interface SegmentsSpec {
  /** Dotted path of the field whose values split the stream (its value is read as a string). */
  readonly field: string;
  /** The first `maxValues` distinct values seen get a segment each; later ones go to `otherLabel`. */
  readonly maxValues: number;
  readonly otherLabel: string;
  /** Also evaluate the whole stream (merged from the segments' partial states) as segment `*`. */
  readonly overall: boolean;
}

export interface OutputsSpec {
  readonly alertTopic: string;
  /** Every closed window's statistics, drifted or not; null when not configured. */
  readonly windowStatisticsTopic: string | null;
  readonly deadLetterTopic: string;
  /** Late events under the side-topic policy; null otherwise. */
  readonly lateEventsTopic: string | null;
}

/** Data-quality guardrails (see src/core/quality/data-quality.ts): levels on the excess over the baseline's rate. */
export interface DataQualitySpec {
  readonly nullRate: { readonly warning: number | null; readonly critical: number | null };
  readonly outOfRange: { readonly warning: number | null; readonly critical: number | null };
  readonly unseenShare: { readonly warning: number | null; readonly critical: number | null };
  /** Levels on the share of rows whose value had the wrong type (the baseline's rate is 0). */
  readonly typeMismatch: { readonly warning: number | null; readonly critical: number | null };
  /**
   * count: a wrong-typed feature value is missing for the statistics and counted as a type mismatch, and the event
   * is kept; dead-letter: the whole event goes to the dead-letter topic. Either way a wrong-typed event time
   * dead-letters the event (it cannot be placed in a window); a segment value of any type is read as a string.
   */
  readonly onTypeMismatch: 'count' | 'dead-letter';
  readonly minRows: number;
}

export interface Topology {
  /** Monitor name: lowercase letters, digits and dashes. Used in consumer group ids and alert ids. */
  readonly name: string;
  /** Absolute path of the file it was loaded from, for messages. */
  readonly file: string;
  readonly source: SourceSpec;
  readonly baseline: BaselineSpec;
  readonly window: WindowSpec;
  readonly features: readonly FeatureSpec[];
  readonly correction: CorrectionName;
  readonly dataQuality: DataQualitySpec;
  /** null: the stream is one segment. */
  readonly segments: SegmentsSpec | null;
  readonly outputs: OutputsSpec;
  /** Model-quality monitors (labels, performance, skew, shadow, latency, errors, embeddings); null when absent. */
  readonly model: ModelSpec | null;
  /** Where events are also delivered besides Kafka (webhooks); empty when the file has no sinks section. */
  readonly sinks: readonly SinkSpec[];
  /** Incident hysteresis and cooldown, and the retrain policy; defaults when the file has no section. */
  readonly alerting: AlertingSpec;
}

/** Segment label of the whole stream when segments are evaluated together. */
export const OVERALL_SEGMENT = '*';

/** One problem found in a topology file. Line and column are 1-based; 0 when the problem has no location. */
export interface TopologyIssue {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Field path in the file, e.g. `features[1].threshold`. */
  readonly path: string;
  readonly message: string;
}
