/**
 * The validated, normalised form of a topology file (see topologies/*.yaml and topologies/topology.schema.json).
 * Every optional field of the file has been resolved to its default here, so the engine never re-derives defaults.
 * Paths inside the file (the baseline) are resolved relative to the topology file's directory.
 */

export type FeatureKind = 'numeric' | 'categorical';

/**
 * Statistics a feature can be tested with in live windows. Numeric: psi (bucket counts), ks and wasserstein_norm
 * (mergeable sample summaries); categorical: js and chi2.
 */
export type DriftTestName = 'psi' | 'ks' | 'wasserstein_norm' | 'js' | 'chi2';

export interface FeatureSpec {
  /** Name used in alerts and in the baseline. */
  readonly name: string;
  /** Dotted path of the field in the decoded event, e.g. `features.amount`. */
  readonly field: string;
  readonly kind: FeatureKind;
  readonly test: DriftTestName;
  /**
   * Alert threshold. For distances (psi, wasserstein_norm, js) the alert fires when value >= threshold; for p-value
   * tests (ks, chi2) it fires when p < threshold.
   */
  readonly threshold: number;
}

export interface SourceSpec {
  readonly topic: string;
  /** Registry subject of the value schema; defaults to `<topic>-value` (Confluent TopicNameStrategy). */
  readonly subject: string;
  /** Dotted path of the event-time field (epoch milliseconds, Avro long or timestamp-millis). */
  readonly eventTimeField: string;
  /** Dotted paths of the model name and version fields, carried into alerts. */
  readonly modelNameField: string;
  readonly modelVersionField: string;
}

export interface TumblingWindowSpec {
  readonly type: 'tumbling';
  readonly sizeMs: number;
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
}

export type WindowSpec = TumblingWindowSpec;

export interface OutputsSpec {
  readonly alertTopic: string;
  readonly deadLetterTopic: string;
}

export interface Topology {
  /** Monitor name: lowercase letters, digits and dashes. Used in consumer group ids and alert ids. */
  readonly name: string;
  /** Absolute path of the file it was loaded from, for messages. */
  readonly file: string;
  readonly source: SourceSpec;
  /** Absolute path of the baseline file. */
  readonly baselinePath: string;
  readonly window: WindowSpec;
  readonly features: readonly FeatureSpec[];
  readonly outputs: OutputsSpec;
}

/** One problem found in a topology file. Line and column are 1-based; 0 when the problem has no location. */
export interface TopologyIssue {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Field path in the file, e.g. `features[1].threshold`. */
  readonly path: string;
  readonly message: string;
}
