/**
 * One judged observation per monitor, subject and window: what the incident tracker and the retrain policy read.
 * Signals are built from the engines' outputs (src/alerting/signals-from-window.ts, signals-from-model.ts) and carry
 * event time only, so everything derived from them is a pure function of the input.
 */
import type { ModelMonitorKind } from '../../model/model-results.ts';

export type SignalKind = 'feature_drift' | 'data_quality' | ModelMonitorKind;

export type SignalSeverity = 'warning' | 'critical';

export interface Signal {
  readonly monitor: string;
  readonly modelName: string;
  /** The version the observation is about ('' when it spans versions). */
  readonly modelVersion: string;
  /** Segment label of a drift window (`*` for the whole stream), null when unsegmented. */
  readonly segment: string | null;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly kind: SignalKind;
  /**
   * What was judged, unique within (monitor, model, segment, kind): a feature, `<feature>/<check>` for a quality
   * guardrail, `<version>/<subject>` for a model monitor.
   */
  readonly subject: string;
  /** The version's role for model signals (live, shadow, canary); null for drift signals. */
  readonly role: string | null;
  /** null: judged clean. */
  readonly severity: SignalSeverity | null;
  /** The figure judged (the worst one when several were): a test, a check or a model metric. */
  readonly metric: string;
  readonly value: number;
  /** What the value is compared with (a reference metric), null for an absolute level. */
  readonly reference: number | null;
  /** The level crossed, or the lowest level that could be when clean; null when there is none. */
  readonly threshold: number | null;
  readonly evidence: Readonly<Record<string, string>>;
}

const RANK: Readonly<Record<SignalSeverity, number>> = { warning: 1, critical: 2 };

/** 0 for clean, 1 for warning, 2 for critical. */
export function severityRank(severity: SignalSeverity | null): number {
  return severity === null ? 0 : RANK[severity];
}

/** The higher of two severities (null is the lowest). */
export function maxSeverity(a: SignalSeverity | null, b: SignalSeverity | null): SignalSeverity | null {
  return severityRank(b) > severityRank(a) ? b : a;
}
