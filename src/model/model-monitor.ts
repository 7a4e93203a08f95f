/**
 * The model-quality monitors of one topology, as a pure, deterministic core: the engine feeds it the records it
 * extracted from the predictions, labels and offline-feature topics (ModelEventExtractor), calls `advance()` after
 * each batch and on a timer, and publishes what comes out (window reports, findings, rollback recommendations).
 *
 * The monitor owns one WatermarkTracker per stream (options from topology.window; the clock only serves idleness and
 * quiet close) and the parts, created from the model spec: performance when labels are configured, shadow when a role
 * field is, then skew, latency, error rate, embeddings and new-version skew when configured. Every record goes to
 * every part that takes its stream. Each output's shadow findings go through the RollbackPolicy.
 *
 * Counters: `predictions`, `labels` and `offline` count records fed; `labelled`, `unlabelled` (expired, evicted or
 * duplicate) and `orphanLabels` come from the performance part, which decides each record's fate once (see
 * PerformanceMonitor); `versionsWithoutBaseline` comes from the new-version skew part; `late` sums the parts' late
 * counts (a record late for two parts counts twice); `windows` counts window reports. With labels configured and
 * after flush, predictions = labelled + unlabelled + the performance part's late predictions, per version and role.
 */
import type { Baseline } from '../baseline/baseline-types.ts';
import { type Clock, systemClock } from '../core/time/clock.ts';
import { WatermarkTracker } from '../core/time/watermark-tracker.ts';
import { optionError } from '../errors.ts';
import type { ModelSpec } from '../topology/model-spec.ts';
import type { Topology } from '../topology/topology-types.ts';
import { EmbeddingMonitor } from './embedding-monitor.ts';
import { ErrorRateMonitor } from './error-rate-monitor.ts';
import { LatencyMonitor } from './latency-monitor.ts';
import type { LabelRecord, OfflineFeatureRecord, PredictionRecord } from './model-records.ts';
import type {
  ModelFinding,
  ModelMonitorCounters,
  ModelWindowReport,
  RollbackRecommendation,
} from './model-results.ts';
import type { MonitorPart, MonitorPartContext, PartOutput, StreamWatermarks } from './monitor-part.ts';
import { PerformanceMonitor } from './performance-monitor.ts';
import { RollbackPolicy } from './rollback-policy.ts';
import { ShadowMonitor } from './shadow-monitor.ts';
import { SkewMonitor } from './skew-monitor.ts';
import { VersionSkewMonitor } from './version-skew-monitor.ts';

export type ModelStream = 'predictions' | 'labels' | 'offline';

export interface ModelMonitorOptions {
  readonly topology: Topology;
  readonly baseline: Baseline;
  /**
   * The training baseline of each version named in `model.newVersions` (loaded by the caller); required when that is
   * set, ignored otherwise.
   */
  readonly versionBaselines?: ReadonlyMap<string, Baseline>;
  /** Wall clock for watermark idleness and quiet close; default the system clock. */
  readonly clock?: Clock;
}

export interface ModelMonitorOutput {
  readonly reports: ModelWindowReport[];
  readonly findings: ModelFinding[];
  readonly rollbacks: RollbackRecommendation[];
}

export class ModelMonitor {
  readonly spec: ModelSpec;
  readonly #trackers: Readonly<Record<ModelStream, WatermarkTracker>>;
  readonly #parts: MonitorPart[] = [];
  readonly #performance: PerformanceMonitor | null;
  readonly #shadow: ShadowMonitor | null;
  readonly #skew: SkewMonitor | null;
  readonly #versionSkew: VersionSkewMonitor | null;
  readonly #predictionParts: MonitorPart[];
  readonly #labelParts: MonitorPart[];
  readonly #offlineParts: MonitorPart[];
  readonly #rollback: RollbackPolicy;
  #predictions = 0;
  #labels = 0;
  #offline = 0;
  #windows = 0;
  #findings = 0;
  #rollbacks = 0;

  constructor(options: ModelMonitorOptions) {
    const { topology, baseline } = options;
    if (topology?.model === null || topology?.model === undefined) {
      throw optionError('topology.model', 'must be set to monitor a model', null);
    }
    if (baseline === null || typeof baseline !== 'object') {
      throw optionError('baseline', 'must be a baseline', baseline);
    }
    const spec = topology.model;
    this.spec = spec;
    const clock = options.clock ?? systemClock;
    const { outOfOrdernessMs, idleTimeoutMs, quietCloseMs } = topology.window;
    const watermark = { outOfOrdernessMs, idleTimeoutMs, quietCloseMs };
    this.#trackers = {
      predictions: new WatermarkTracker(watermark, clock),
      labels: new WatermarkTracker(watermark, clock),
      offline: new WatermarkTracker(watermark, clock),
    };
    const context: MonitorPartContext = { topology, spec, baseline };
    this.#performance = spec.labels === null ? null : new PerformanceMonitor(context);
    this.#shadow = spec.fields.roleField === null ? null : new ShadowMonitor(context);
    this.#skew = spec.skew === null ? null : new SkewMonitor(context);
    for (const part of [this.#performance, this.#shadow, this.#skew])
      if (part !== null) this.#parts.push(part);
    if (spec.latency !== null) this.#parts.push(new LatencyMonitor(context));
    if (spec.errors !== null) this.#parts.push(new ErrorRateMonitor(context));
    if (spec.embeddings.length > 0) this.#parts.push(new EmbeddingMonitor(context));
    this.#versionSkew =
      spec.newVersions === null
        ? null
        : new VersionSkewMonitor(context, options.versionBaselines ?? new Map<string, Baseline>());
    if (this.#versionSkew !== null) this.#parts.push(this.#versionSkew);
    this.#predictionParts = this.#parts.filter((p) => p.prediction !== undefined);
    this.#labelParts = this.#parts.filter((p) => p.label !== undefined);
    this.#offlineParts = this.#parts.filter((p) => p.offline !== undefined);
    this.#rollback = new RollbackPolicy(spec.shadow);
  }

  /** The partitions of `stream` this instance reads (on each consumer-group assignment). */
  assign(stream: ModelStream, partitions: readonly number[]): void {
    this.#trackers[stream].assign(partitions);
  }

  prediction(record: PredictionRecord): void {
    this.#predictions++;
    this.#trackers.predictions.observe(record.partition, record.time);
    for (const part of this.#predictionParts) part.prediction!(record);
  }

  label(record: LabelRecord): void {
    this.#labels++;
    this.#trackers.labels.observe(record.partition, record.time);
    for (const part of this.#labelParts) part.label!(record);
  }

  offline(record: OfflineFeatureRecord): void {
    this.#offline++;
    this.#trackers.offline.observe(record.partition, record.time);
    for (const part of this.#offlineParts) part.offline!(record);
  }

  /** Recomputes the stream watermarks (wall clock for idleness and quiet close) and returns what closed. */
  advance(): ModelMonitorOutput {
    const watermarks = this.watermarks();
    return this.#collect(this.#parts.map((p) => p.advance(watermarks)));
  }

  /** End of input: every part closes every open window. */
  flush(): ModelMonitorOutput {
    return this.#collect(this.#parts.map((p) => p.flush()));
  }

  watermarks(): StreamWatermarks {
    return {
      predictions: this.#trackers.predictions.current(),
      labels: this.#trackers.labels.current(),
      offline: this.#trackers.offline.current(),
    };
  }

  /** Per stream, the minimum over the parts: records below it have left every part's state. */
  doneBefore(): StreamWatermarks {
    let predictions = Number.POSITIVE_INFINITY;
    let labels = Number.POSITIVE_INFINITY;
    let offline = Number.POSITIVE_INFINITY;
    for (const part of this.#parts) {
      const d = part.doneBefore();
      if (d.predictions < predictions) predictions = d.predictions;
      if (d.labels < labels) labels = d.labels;
      if (d.offline < offline) offline = d.offline;
    }
    return { predictions, labels, offline };
  }

  counters(): ModelMonitorCounters {
    const perf = this.#performance?.counts();
    const skew = this.#skew?.joinCounts();
    let late = 0;
    for (const part of this.#parts) late += part.late;
    return {
      predictions: this.#predictions,
      labels: this.#labels,
      offline: this.#offline,
      labelled: perf?.labelled ?? 0,
      unlabelled: perf?.unlabelled ?? 0,
      orphanLabels: perf?.orphanLabels ?? 0,
      skewJoined: skew?.joined ?? 0,
      skewOnlineOnly: skew?.onlineOnly ?? 0,
      skewOfflineOnly: skew?.offlineOnly ?? 0,
      shadowPairs: this.#shadow?.pairs ?? 0,
      versionsWithoutBaseline: this.#versionSkew?.counts().withoutBaseline ?? 0,
      late,
      windows: this.#windows,
      findings: this.#findings,
      rollbacks: this.#rollbacks,
    };
  }

  #collect(outputs: readonly PartOutput[]): ModelMonitorOutput {
    const reports: ModelWindowReport[] = [];
    const findings: ModelFinding[] = [];
    for (const o of outputs) {
      reports.push(...o.reports);
      findings.push(...o.findings);
    }
    // Stable: within one window end, parts keep their order and each part its own.
    reports.sort((a, b) => a.windowEnd - b.windowEnd);
    findings.sort((a, b) => a.windowEnd - b.windowEnd);
    const rollbacks = this.#rollback.evaluate(reports, findings);
    this.#windows += reports.length;
    this.#findings += findings.length;
    this.#rollbacks += rollbacks.length;
    return { reports, findings, rollbacks };
  }
}
