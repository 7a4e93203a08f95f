/**
 * What a model monitor reports: a figure per closed window (ModelWindowReport, to the model-statistics topic), a
 * finding per judged figure at warning or critical (ModelFinding, to the model-alert topic), and a rollback
 * recommendation when a shadow or canary version is worse than live (RollbackRecommendation).
 */
import type { ModelRole } from '../topology/model-spec.ts';

export type ModelMonitorKind =
  | 'performance'
  | 'concept_drift'
  | 'skew'
  | 'shadow'
  | 'latency'
  | 'error_rate'
  | 'embedding'
  /** A new version's first windows of feature values against its own training baseline. */
  | 'version_skew';

export type FindingSeverity = 'warning' | 'critical';

/** All figures of one monitor kind, window and subject (a version, a skew feature, an embedding...). */
export interface ModelWindowReport {
  readonly monitor: string;
  readonly kind: ModelMonitorKind;
  readonly modelName: string;
  /** The version the figures are about ('' when they span versions, as for skew). */
  readonly modelVersion: string;
  /**
   * What inside the kind: a metric set ('*'), a skew feature, an embedding, a candidate version, a segment, a
   * `<feature>/<test>` of version skew...
   */
  readonly subject: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  /** Named figures (metrics, rates, quantiles). Non-finite figures are left out. */
  readonly figures: Readonly<Record<string, number>>;
  /** Named counts (rows, pairs, matched, expired, unmatched...). */
  readonly counts: Readonly<Record<string, number>>;
}

/** One judged figure at warning or critical. */
export interface ModelFinding {
  readonly monitor: string;
  readonly kind: ModelMonitorKind;
  readonly severity: FindingSeverity;
  readonly modelName: string;
  readonly modelVersion: string;
  readonly role: ModelRole;
  /** The version compared with (live, for a shadow or canary finding), or null. */
  readonly comparedVersion: string | null;
  /** As in ModelWindowReport.subject. */
  readonly subject: string;
  /** Segment label when the finding is about one, else null. */
  readonly segment: string | null;
  readonly windowStart: number;
  readonly windowEnd: number;
  /** The judged figure's name, e.g. `accuracy`, `mismatch_rate`, `p95_ms`, `agreement_rate`, `mmd_p_value`. */
  readonly metric: string;
  readonly value: number;
  /** What the value is compared with (baseline metric, live metric), or null for an absolute level. */
  readonly reference: number | null;
  /** The level crossed and both levels, as configured. */
  readonly threshold: number;
  readonly warningLevel: number | null;
  readonly criticalLevel: number | null;
  /** Rows (or pairs) behind the value. */
  readonly rows: number;
  /** Why, in one sentence a person on call can act on. */
  readonly message: string;
  /** Evidence: example keys, counts, other figures; string values. */
  readonly evidence: Readonly<Record<string, string>>;
}

export interface RollbackRecommendation {
  readonly monitor: string;
  readonly modelName: string;
  readonly liveVersion: string;
  readonly candidateVersion: string;
  readonly candidateRole: Exclude<ModelRole, 'live'>;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly severity: FindingSeverity;
  /** The findings that call for it (at least one). */
  readonly findings: readonly ModelFinding[];
}

/** Counts of the monitor's joins and inputs, for the engine's counters and logs; never reset. */
export interface ModelMonitorCounters {
  readonly predictions: number;
  readonly labels: number;
  readonly offline: number;
  readonly labelled: number;
  readonly unlabelled: number;
  readonly orphanLabels: number;
  readonly skewJoined: number;
  readonly skewOnlineOnly: number;
  readonly skewOfflineOnly: number;
  readonly shadowPairs: number;
  /** Distinct model versions seen while new-version skew is monitored that have no baseline (not monitored). */
  readonly versionsWithoutBaseline: number;
  readonly late: number;
  readonly windows: number;
  readonly findings: number;
  readonly rollbacks: number;
}
