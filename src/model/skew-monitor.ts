import type { FeatureValue, SkewAccumulator, SkewFeatureReport } from '../core/joins/skew-accumulator.ts';
import { SkewJoin, type SkewJoinCounts } from '../core/joins/skew-join.ts';
import { tumblingWindowStart } from '../core/time/tumbling-window.ts';
import { optionError } from '../errors.ts';
import type { SkewSpec } from '../topology/model-spec.ts';
import { levelSeverity } from './level-severity.ts';
import type { OfflineFeatureRecord, PredictionRecord } from './model-records.ts';
import type { ModelFinding, ModelWindowReport } from './model-results.ts';
import type { MonitorPart, MonitorPartContext, PartOutput, StreamWatermarks } from './monitor-part.ts';

function showValue(v: FeatureValue): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

function percent(rate: number): string {
  return `${Number((rate * 100).toPrecision(4))}%`;
}

/**
 * Keyed training-serving skew: the live predictions' online feature values (by entity) joined with the offline
 * pipeline's recomputations per entity and time bucket of `bucketMs` (SkewJoin), and compared feature by feature with the spec's
 * tolerances (SkewAccumulator's rules). Per closed window and feature: the mismatch rate among compared entity-buckets
 * and the mean absolute difference, judged on `mismatchRate` (fires when the rate >= a level).
 *
 * Timing: the join is driven by min(predictions, offline) watermark, so a window [s, e) closes when both watermarks
 * reach e + graceMs, or on flush(). A record that arrives after its bucket's wait has passed is
 * counted late by the join (`late`); evicted and duplicate records are in `joinCounts()`.
 */
export class SkewMonitor implements MonitorPart {
  readonly #monitor: string;
  readonly #spec: SkewSpec;
  readonly #windowMs: number;
  readonly #graceMs: number;
  readonly #join: SkewJoin;
  /** Windows (starts) holding records of each stream that may still be in the join or an open window. */
  readonly #onlineWindows = new Set<number>();
  readonly #offlineWindows = new Set<number>();
  /** Windows starting below this have closed in the join. */
  #closedBelow = Number.NEGATIVE_INFINITY;
  #modelName = '';
  #reports: ModelWindowReport[] = [];
  #findings: ModelFinding[] = [];

  constructor(context: MonitorPartContext) {
    const spec = context.spec.skew;
    if (spec === null) throw optionError('model.skew', 'must be set for a skew monitor', spec);
    for (const name of ['warning', 'critical'] as const) {
      const x = spec.mismatchRate[name];
      if (x !== null && !(typeof x === 'number' && x > 0 && x <= 1)) {
        throw optionError(`model.skew.mismatchRate.${name}`, 'must be a number in (0, 1] or null', x);
      }
    }
    const { warning, critical } = spec.mismatchRate;
    if (warning !== null && critical !== null && !(warning <= critical)) {
      throw optionError(
        'model.skew.mismatchRate.critical',
        `must not be below warning (${warning})`,
        critical,
      );
    }
    if (
      !Number.isSafeInteger(spec.bucketMs) ||
      spec.bucketMs < 1 ||
      context.spec.windowMs % spec.bucketMs !== 0
    ) {
      throw optionError(
        'model.skew.bucketMs',
        `must be an integer >= 1 dividing the window (${context.spec.windowMs} ms)`,
        spec.bucketMs,
      );
    }
    if (!Number.isSafeInteger(spec.maxPending) || spec.maxPending < 1) {
      throw optionError('model.skew.maxPending', 'must be an integer >= 1', spec.maxPending);
    }
    this.#monitor = context.topology.name;
    this.#spec = spec;
    this.#windowMs = context.spec.windowMs;
    this.#graceMs = context.spec.graceMs;
    this.#join = new SkewJoin(
      {
        features: spec.features.map((f) =>
          f.kind === 'numeric'
            ? { name: f.name, kind: 'numeric', absTol: spec.absTolerance, relTol: spec.relTolerance }
            : { name: f.name, kind: 'categorical' },
        ),
        bucketMs: spec.bucketMs,
        windowMs: context.spec.windowMs,
        graceMs: context.spec.graceMs,
        maxKeys: spec.maxPending,
        maxExamples: spec.maxExamples,
      },
      { window: (start, end, skew) => this.#window(start, end, skew) },
    );
  }

  /** Records that came after their bucket's wait had passed (both sides). */
  get late(): number {
    const c = this.#join.counts();
    return c.onlineLate + c.offlineLate;
  }

  /** The join's conservation counts (joined, one-sided, duplicates, evicted, late, waiting), for the monitor. */
  joinCounts(): SkewJoinCounts {
    return this.#join.counts();
  }

  prediction(record: PredictionRecord): void {
    if (record.role !== 'live' || record.entity === null) return;
    this.#modelName = record.modelName;
    this.#hold(this.#onlineWindows, record.time);
    this.#join.online(record.entity, record.time, record.online);
  }

  offline(record: OfflineFeatureRecord): void {
    this.#hold(this.#offlineWindows, record.time);
    this.#join.offline(record.entity, record.time, record.values);
  }

  advance(watermarks: StreamWatermarks): PartOutput {
    this.#join.advance(Math.min(watermarks.predictions, watermarks.offline));
    return this.#drain();
  }

  flush(): PartOutput {
    this.#join.flush();
    return this.#drain();
  }

  doneBefore(): StreamWatermarks {
    return {
      predictions: smallest(this.#onlineWindows),
      labels: Number.POSITIVE_INFINITY,
      offline: smallest(this.#offlineWindows),
    };
  }

  /** Remembers the window of a record the join may hold; a record of a closed window is late there, not held. */
  #hold(windows: Set<number>, time: number): void {
    const start = tumblingWindowStart(time, this.#windowMs);
    if (start >= this.#closedBelow) windows.add(start);
  }

  #drain(): PartOutput {
    // Windows the join closed (emitted or empty): the same rule as JoinWindows, over the join's watermark.
    const w = this.#join.watermark;
    this.#closedBelow = Math.ceil((w - this.#graceMs - this.#windowMs + 1) / this.#windowMs) * this.#windowMs;
    for (const set of [this.#onlineWindows, this.#offlineWindows]) {
      for (const start of set) if (start < this.#closedBelow) set.delete(start);
    }
    const out = { reports: this.#reports, findings: this.#findings };
    this.#reports = [];
    this.#findings = [];
    return out;
  }

  /** A closed window from the join: one report per feature (spec order is not subject order, so sort). */
  #window(start: number, end: number, skew: SkewAccumulator): void {
    const features = skew
      .report()
      .sort((a, b) => (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0));
    for (const f of features) {
      const figures: Record<string, number> = {};
      if (f.mismatchRate !== null) figures.mismatch_rate = f.mismatchRate;
      if (f.meanAbsDiff !== null) figures.mean_abs_diff = f.meanAbsDiff;
      const report: ModelWindowReport = {
        monitor: this.#monitor,
        kind: 'skew',
        modelName: this.#modelName,
        modelVersion: '',
        subject: f.feature,
        windowStart: start,
        windowEnd: end,
        figures,
        counts: {
          matches: f.matches,
          mismatches: f.mismatches,
          online_only: f.onlyOnline,
          offline_only: f.onlyOffline,
          joined: f.matches + f.mismatches,
        },
      };
      this.#reports.push(report);
      const finding = this.#judge(start, end, f);
      if (finding !== null) this.#findings.push(finding);
    }
  }

  #judge(start: number, end: number, f: SkewFeatureReport): ModelFinding | null {
    if (f.mismatchRate === null) return null;
    const levels = this.#spec.mismatchRate;
    const severity = levelSeverity(f.mismatchRate, levels, false);
    if (severity === null) return null;
    const threshold = (severity === 'critical' ? levels.critical : levels.warning)!;
    const compared = f.matches + f.mismatches;
    const evidence: Record<string, string> = {
      examples: f.examples
        .map(
          (e) =>
            `${e.entity}@${e.bucketStart}: online ${showValue(e.online)}, offline ${showValue(e.offline)}`,
        )
        .join('; '),
      matches: String(f.matches),
      mismatches: String(f.mismatches),
      online_only: String(f.onlyOnline),
      offline_only: String(f.onlyOffline),
    };
    if (f.meanAbsDiff !== null) evidence.mean_abs_diff = String(f.meanAbsDiff);
    if (f.kind === 'numeric') {
      evidence.tolerance = `|online - offline| <= ${this.#spec.absTolerance} + ${this.#spec.relTolerance} * |offline|`;
    }
    return {
      monitor: this.#monitor,
      kind: 'skew',
      severity,
      modelName: this.#modelName,
      modelVersion: '',
      role: 'live',
      comparedVersion: null,
      subject: f.feature,
      segment: null,
      windowStart: start,
      windowEnd: end,
      metric: 'mismatch_rate',
      value: f.mismatchRate,
      reference: null,
      threshold,
      warningLevel: levels.warning,
      criticalLevel: levels.critical,
      rows: compared,
      message:
        `Feature ${f.feature} as served differs from the offline recomputation for ${f.mismatches} of ${compared} ` +
        `entities (${percent(f.mismatchRate)}, ${severity} level ${percent(threshold)}); compare the online and ` +
        `offline code paths for the example entities.`,
      evidence,
    };
  }
}

function smallest(starts: Set<number>): number {
  let min = Number.POSITIVE_INFINITY;
  for (const s of starts) if (s < min) min = s;
  return min;
}
