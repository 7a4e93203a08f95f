/**
 * One kind of model monitor (performance, shadow, skew, latency, error rate, embeddings) as a part of ModelMonitor.
 * ModelMonitor owns the watermarks and feeds every part; a part owns its tumbling windows of `spec.windowMs`, its
 * joins and its late counting, and reports what closed.
 *
 * Invariants every part keeps:
 * - A window [start, end) closes exactly once, when the watermark the part depends on reaches end + graceMs (plus the
 *   part's own wait, e.g. the label lookback), or on flush(). Reports and findings of a window come out together.
 * - A record whose window has closed is counted late and otherwise ignored: nothing is silently lost.
 * - Output is deterministic for a given input order and watermark sequence (no wall clock, no Math.random).
 */
import type { Baseline } from '../baseline/baseline-types.ts';
import type { ModelSpec } from '../topology/model-spec.ts';
import type { Topology } from '../topology/topology-types.ts';
import type { LabelRecord, OfflineFeatureRecord, PredictionRecord } from './model-records.ts';
import type { ModelFinding, ModelWindowReport } from './model-results.ts';

export interface MonitorPartContext {
  readonly topology: Topology;
  /** topology.model, known to be set. */
  readonly spec: ModelSpec;
  readonly baseline: Baseline;
}

/** Event-time watermarks of the monitor's input streams; -Infinity for a stream that has delivered nothing yet. */
export interface StreamWatermarks {
  readonly predictions: number;
  readonly labels: number;
  readonly offline: number;
}

export interface PartOutput {
  readonly reports: ModelWindowReport[];
  readonly findings: ModelFinding[];
}

export interface MonitorPart {
  prediction?(record: PredictionRecord): void;
  label?(record: LabelRecord): void;
  offline?(record: OfflineFeatureRecord): void;
  /** Closes what the watermarks allow and returns it (windows in order of end, then subject). */
  advance(watermarks: StreamWatermarks): PartOutput;
  /** End of input: closes every open window (joins expire what waits) and returns it. */
  flush(): PartOutput;
  /**
   * Per stream, an event time T such that every record of that stream with time < T that the part was fed has left
   * its state (its windows are closed, or it was counted expired or late). +Infinity when the part holds nothing of
   * that stream. The engine commits offsets from this.
   */
  doneBefore(): StreamWatermarks;
  /** Late records (their windows had closed), for the monitor's counters. */
  readonly late: number;
}
