/**
 * The performance part of ModelMonitor: predictions joined with their delayed labels (one LabelJoin per model version
 * and role), metrics per tumbling window of prediction time, judged against the reference (live versions) or against
 * live (shadow and canary versions), and online concept-drift detectors on the live error stream.
 *
 * Windows. A version's window [s, e) closes when the combined watermark min(predictions, labels) reaches
 * e + lookback + grace: by then every prediction of the window has been labelled or has expired in the join (its expiry
 * is t + lookback + grace < e + lookback + grace), so nothing can still reach the window. The joins are driven with the
 * same combined watermark, as LabelJoin requires. Every version shares that rule, so the windows of one [s, e) of all
 * versions close together and a candidate is compared with live on the same window.
 *
 * Labels do not name the version, so each label is fed to every version's join. A label's fate is decided once it has
 * left every join it was fed to: `labelsMatched` when it labelled a prediction of at least one version, else an
 * orphan; so the part's label counts conserve (labels = matched + orphans + late + waiting) however many versions run.
 * A join created for a new version is first advanced to the current watermark and then given every label still
 * waiting, so labels that came before a version's first prediction still match. A label that already left every join
 * is not replayed: the first predictions of a version that appears after their labels left stay unlabelled.
 *
 * Prediction counts per window: predictions = labelled + unlabelled (expired or evicted) + duplicates + late (arrived
 * after their own expiry while the window was open). A prediction whose window had closed is counted in `late` of
 * the part only.
 */
import type { Baseline } from '../baseline/baseline-types.ts';
import { Adwin, type AdwinOptions } from '../core/concept-drift/adwin.ts';
import { Ddm, type DdmOptions } from '../core/concept-drift/ddm.ts';
import type { ConceptDriftDetector, DetectorState } from '../core/concept-drift/detector.ts';
import { Eddm, type EddmOptions } from '../core/concept-drift/eddm.ts';
import { HddmA, type HddmAOptions } from '../core/concept-drift/hddm-a.ts';
import { PageHinkley, type PageHinkleyOptions } from '../core/concept-drift/page-hinkley.ts';
import { LabelJoin } from '../core/joins/label-join.ts';
import { classificationMetrics } from '../core/performance/classification-metrics.ts';
import { ClassificationState } from '../core/performance/classification-state.ts';
import {
  comparePerformance,
  PERFORMANCE_METRIC_DIRECTIONS,
  type PerformanceDropLevels,
  type PerformanceMetricName,
  resolvePerformanceDropLevels,
} from '../core/performance/performance-drop.ts';
import { regressionMetrics } from '../core/performance/regression-metrics.ts';
import { RegressionState } from '../core/performance/regression-state.ts';
import { tumblingWindowStart } from '../core/time/tumbling-window.ts';
import { optionError } from '../errors.ts';
import type { ConceptDriftSpec, LabelsSpec, ModelRole, ModelSpec } from '../topology/model-spec.ts';
import type { LabelRecord, PredictionRecord } from './model-records.ts';
import type { FindingSeverity, ModelFinding, ModelWindowReport } from './model-results.ts';
import type { MonitorPart, MonitorPartContext, PartOutput, StreamWatermarks } from './monitor-part.ts';

/** Counts of the part, never reset. */
export interface PerformanceCounts {
  readonly predictions: number;
  /** Predictions that met their label. */
  readonly labelled: number;
  /** Predictions that left their join without a label: expired, evicted or duplicate. */
  readonly unlabelled: number;
  /** Predictions that came too late to be joined (their window or their own expiry had passed). */
  readonly predictionsLate: number;
  readonly predictionsWaiting: number;
  readonly labels: number;
  /** Labels that labelled a prediction of at least one version. */
  readonly labelsMatched: number;
  /** Labels that left every join without labelling a prediction. */
  readonly orphanLabels: number;
  readonly labelsLate: number;
  readonly labelsWaiting: number;
}

/** A label as held by the joins: one object shared by every version's join, so its fate is decided once. */
interface LabelEntry {
  readonly predictionId: string;
  readonly label: string | number;
  readonly time: number;
  /** Joins it was fed to, and how many of them have let it go. */
  joins: number;
  resolved: number;
  matched: boolean;
}

/** One window of one version: counts and the labelled pairs, as columns. */
class PerformanceWindow {
  predictions = 0;
  labelled = 0;
  unlabelled = 0;
  duplicates = 0;
  late = 0;
  /** Lowest label time among the pairs: the window holds labels from there on (doneBefore). */
  minLabelTime = Number.POSITIVE_INFINITY;
  readonly times: number[] = [];
  readonly ids: string[] = [];
  /** Classification: true and predicted classes; regression: unused. */
  readonly trueClasses: string[] = [];
  readonly predictedClasses: (string | null)[] = [];
  /** Classification: the score (NaN when absent); regression: the predicted value (NaN when absent). */
  readonly scores: number[] = [];
  /** Regression: the true values. */
  readonly trueValues: number[] = [];
}

interface DetectorSlot {
  readonly name: string;
  readonly detector: ConceptDriftDetector;
}

interface VersionState {
  readonly version: string;
  readonly role: ModelRole;
  readonly modelName: string;
  readonly join: LabelJoin<PredictionRecord, LabelEntry>;
  readonly windows: Map<number, PerformanceWindow>;
  /** Live versions only; one per conceptDrift entry. */
  readonly detectors: readonly DetectorSlot[];
}

/** Metric values of one closed window and version, with the rows each rests on. */
interface WindowMetrics {
  readonly values: Partial<Record<PerformanceMetricName, number>>;
  readonly rows: Partial<Record<PerformanceMetricName, number>>;
}

interface ClosedWindow {
  readonly state: VersionState;
  readonly start: number;
  readonly end: number;
  readonly window: PerformanceWindow;
  metrics: WindowMetrics;
}

const ROLE_ORDER: Readonly<Record<ModelRole, number>> = { live: 0, shadow: 1, canary: 2 };
const BINARY_DETECTORS: ReadonlySet<string> = new Set(['ddm', 'eddm', 'hddm_a']);

function createDetector(spec: ConceptDriftSpec): ConceptDriftDetector {
  const o = spec.options as Record<string, unknown>;
  switch (spec.detector) {
    case 'adwin':
      return new Adwin(o as Partial<AdwinOptions>);
    case 'ddm':
      return new Ddm(o as Partial<DdmOptions>);
    case 'eddm':
      return new Eddm(o as Partial<EddmOptions>);
    case 'page_hinkley':
      return new PageHinkley(o as Partial<PageHinkleyOptions>);
    case 'hddm_a':
      return new HddmA(o as Partial<HddmAOptions>);
    default:
      throw optionError('model.conceptDrift.detector', 'is not a known detector', spec.detector);
  }
}

function roleKey(role: ModelRole, version: string): string {
  return `${role}\u0000${version}`;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The metric value at which a relative drop of `level` from `reference` is reached. */
export function metricAtDrop(metric: PerformanceMetricName, reference: number, level: number): number {
  return PERFORMANCE_METRIC_DIRECTIONS[metric] === 'higher-is-better'
    ? reference * (1 - level)
    : reference * (1 + level);
}

function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** An Arrow-style validity bitmap (bit i set = value i present) of `present`. */
function validityOf(present: (i: number) => boolean, length: number): Uint8Array {
  const bits = new Uint8Array((length + 7) >> 3);
  for (let i = 0; i < length; i++) if (present(i)) bits[i >> 3]! |= 1 << (i & 7);
  return bits;
}

export class PerformanceMonitor implements MonitorPart {
  readonly #monitor: string;
  readonly #spec: ModelSpec;
  readonly #labels: LabelsSpec;
  readonly #baseline: Baseline;
  readonly #classifier: boolean;
  readonly #windowMs: number;
  /** lookback + grace: how long after a window's end (combined watermark) it closes. */
  readonly #closeDelay: number;
  readonly #referenceLevels: PerformanceDropLevels;
  readonly #candidateLevels: PerformanceDropLevels;
  readonly #versions = new Map<string, VersionState>();
  /** Labels not yet let go by every join they were fed to (replayed into the join of a new version). */
  readonly #waitingLabels = new Set<LabelEntry>();
  /** The combined watermark the joins were last advanced to. */
  #watermark = Number.NEGATIVE_INFINITY;

  #predictions = 0;
  #labelled = 0;
  #unlabelled = 0;
  #predictionsLate = 0;
  #labelsSeen = 0;
  #labelsMatched = 0;
  #orphanLabels = 0;
  #labelsLate = 0;

  constructor(context: MonitorPartContext) {
    const { spec, baseline, topology } = context;
    if (spec.labels === null)
      throw optionError('model.labels', 'must be set for performance monitoring', null);
    this.#monitor = topology.name;
    this.#spec = spec;
    this.#labels = spec.labels;
    this.#baseline = baseline;
    this.#classifier = spec.task !== 'regression';
    if (spec.task === 'binary' && spec.fields.positiveClass === null) {
      throw optionError('model.fields.positiveClass', 'must be set for a binary task', null);
    }
    if (!Number.isSafeInteger(spec.windowMs) || spec.windowMs < 1) {
      throw optionError('model.windowMs', 'must be an integer >= 1', spec.windowMs);
    }
    if (!(spec.graceMs >= 0) || !Number.isFinite(spec.graceMs)) {
      throw optionError('model.graceMs', 'must be a finite number >= 0', spec.graceMs);
    }
    this.#windowMs = spec.windowMs;
    this.#closeDelay = this.#labels.lookbackMs + spec.graceMs;
    const p = spec.performance;
    this.#referenceLevels = resolvePerformanceDropLevels({
      warning: p.warning,
      critical: p.critical,
      minRows: p.minRows,
    });
    this.#candidateLevels = resolvePerformanceDropLevels({
      warning: spec.shadow.metricDrop.warning,
      critical: spec.shadow.metricDrop.critical,
      minRows: p.minRows,
    });
    for (const [metric, value] of Object.entries(p.reference)) {
      if (typeof value !== 'number' || !(value >= 0) || value === Number.POSITIVE_INFINITY) {
        throw optionError(`model.performance.reference.${metric}`, 'must be a finite number >= 0', value);
      }
    }
    for (const d of spec.conceptDrift) {
      if (!this.#classifier && BINARY_DETECTORS.has(d.detector)) {
        throw optionError(
          'model.conceptDrift.detector',
          'needs a 0/1 error stream: classifiers only',
          d.detector,
        );
      }
      createDetector(d); // validates the options once, at the boundary
    }
  }

  get late(): number {
    return this.#predictionsLate + this.#labelsLate;
  }

  counts(): PerformanceCounts {
    let predictionsWaiting = 0;
    for (const v of this.#versions.values()) predictionsWaiting += v.join.counts().predictionsWaiting;
    return {
      predictions: this.#predictions,
      labelled: this.#labelled,
      unlabelled: this.#unlabelled,
      predictionsLate: this.#predictionsLate,
      predictionsWaiting,
      labels: this.#labelsSeen,
      labelsMatched: this.#labelsMatched,
      orphanLabels: this.#orphanLabels,
      labelsLate: this.#labelsLate,
      labelsWaiting: this.#waitingLabels.size,
    };
  }

  prediction(record: PredictionRecord): void {
    this.#predictions++;
    const start = tumblingWindowStart(record.time, this.#windowMs);
    if (this.#closed(start)) {
      this.#predictionsLate++;
      return;
    }
    const state = this.#versionOf(record);
    this.#windowAt(state, start).predictions++;
    state.join.prediction(record.predictionId, record.time, record);
  }

  label(record: LabelRecord): void {
    this.#labelsSeen++;
    // The joins would call it late (its expiry is below their watermark): decided here, once for all of them.
    if (record.time + this.#labels.clockSkewMs + this.#spec.graceMs < this.#watermark) {
      this.#labelsLate++;
      return;
    }
    const entry: LabelEntry = {
      predictionId: record.predictionId,
      label: record.label,
      time: record.time,
      joins: this.#versions.size,
      resolved: 0,
      matched: false,
    };
    this.#waitingLabels.add(entry);
    for (const state of this.#versions.values()) state.join.label(record.predictionId, record.time, entry);
  }

  advance(watermarks: StreamWatermarks): PartOutput {
    const combined = Math.min(watermarks.predictions, watermarks.labels);
    if (combined > this.#watermark) {
      this.#watermark = combined;
      for (const state of this.#versions.values()) state.join.advance(combined);
      if (this.#versions.size === 0) this.#expireUnjoinedLabels();
    }
    return this.#close();
  }

  flush(): PartOutput {
    this.#watermark = Number.POSITIVE_INFINITY;
    for (const state of this.#versions.values()) state.join.flush();
    this.#expireUnjoinedLabels();
    return this.#close();
  }

  doneBefore(): StreamWatermarks {
    let predictions = Number.POSITIVE_INFINITY;
    let labels =
      this.#waitingLabels.size === 0
        ? Number.POSITIVE_INFINITY
        : this.#watermark - this.#labels.clockSkewMs - this.#spec.graceMs;
    for (const state of this.#versions.values()) {
      for (const [start, w] of state.windows) {
        if (start < predictions) predictions = start;
        if (w.minLabelTime < labels) labels = w.minLabelTime;
      }
    }
    return { predictions, labels, offline: Number.POSITIVE_INFINITY };
  }

  #closed(start: number): boolean {
    return start + this.#windowMs + this.#closeDelay <= this.#watermark;
  }

  #windowAt(state: VersionState, start: number): PerformanceWindow {
    let w = state.windows.get(start);
    if (w === undefined) {
      w = new PerformanceWindow();
      state.windows.set(start, w);
    }
    return w;
  }

  #versionOf(record: PredictionRecord): VersionState {
    const key = roleKey(record.role, record.modelVersion);
    const existing = this.#versions.get(key);
    if (existing !== undefined) return existing;
    const windows = new Map<number, PerformanceWindow>();
    const at = (time: number) => this.#windowAt(state, tumblingWindowStart(time, this.#windowMs));
    const join = new LabelJoin<PredictionRecord, LabelEntry>(
      {
        lookbackMs: this.#labels.lookbackMs,
        clockSkewMs: this.#labels.clockSkewMs,
        graceMs: this.#spec.graceMs,
        maxKeys: this.#labels.maxPending,
      },
      {
        labelled: (predictionTime, predictionId, prediction, entry, labelTime) => {
          this.#labelled++;
          entry.matched = true;
          this.#release(entry);
          this.#addPair(at(predictionTime), predictionTime, predictionId, prediction, entry, labelTime);
        },
        unlabelled: (reason, _id, time) => {
          const w = at(time);
          if (reason === 'late') {
            w.late++;
            this.#predictionsLate++;
          } else {
            if (reason === 'duplicate') w.duplicates++;
            else w.unlabelled++;
            this.#unlabelled++;
          }
        },
        orphanLabel: (_reason, _id, _time, entry) => this.#release(entry),
      },
    );
    const state: VersionState = {
      version: record.modelVersion,
      role: record.role,
      modelName: record.modelName,
      join,
      windows,
      detectors:
        record.role === 'live'
          ? this.#spec.conceptDrift.map((d) => ({ name: d.detector, detector: createDetector(d) }))
          : [],
    };
    this.#versions.set(key, state);
    join.advance(this.#watermark);
    // Labels that came before this version's first prediction (deleting from a Set while iterating it is safe).
    for (const entry of this.#waitingLabels) {
      entry.joins++;
      join.label(entry.predictionId, entry.time, entry);
    }
    return state;
  }

  #release(entry: LabelEntry): void {
    entry.resolved++;
    if (entry.resolved < entry.joins) return;
    this.#waitingLabels.delete(entry);
    if (entry.matched) this.#labelsMatched++;
    else this.#orphanLabels++;
  }

  /** Before any version exists labels wait here alone; they expire as they would in a join. */
  #expireUnjoinedLabels(): void {
    if (this.#versions.size !== 0) return;
    const bound = this.#labels.clockSkewMs + this.#spec.graceMs;
    for (const entry of this.#waitingLabels) {
      if (entry.time + bound < this.#watermark) {
        this.#waitingLabels.delete(entry);
        this.#orphanLabels++;
      }
    }
  }

  #addPair(
    w: PerformanceWindow,
    predictionTime: number,
    predictionId: string,
    prediction: PredictionRecord,
    entry: LabelEntry,
    labelTime: number,
  ): void {
    w.labelled++;
    if (labelTime < w.minLabelTime) w.minLabelTime = labelTime;
    w.times.push(predictionTime);
    w.ids.push(predictionId);
    w.scores.push(prediction.score ?? Number.NaN);
    if (this.#classifier) {
      w.trueClasses.push(String(entry.label));
      w.predictedClasses.push(prediction.predictedClass);
    } else {
      w.trueValues.push(typeof entry.label === 'number' ? entry.label : Number(entry.label));
    }
  }

  #close(): PartOutput {
    const closing: ClosedWindow[] = [];
    for (const state of this.#versions.values()) {
      for (const [start, window] of state.windows) {
        if (!this.#closed(start)) continue;
        state.windows.delete(start);
        closing.push({
          state,
          start,
          end: start + this.#windowMs,
          window,
          metrics: { values: {}, rows: {} },
        });
      }
    }
    closing.sort(
      (a, b) =>
        a.start - b.start ||
        ROLE_ORDER[a.state.role] - ROLE_ORDER[b.state.role] ||
        compareStrings(a.state.version, b.state.version),
    );
    const reports: ModelWindowReport[] = [];
    const findings: ModelFinding[] = [];
    for (let i = 0; i < closing.length; ) {
      let j = i;
      while (j < closing.length && closing[j]!.start === closing[i]!.start) j++;
      const group = closing.slice(i, j);
      for (const c of group) {
        c.metrics = this.#metrics(c.window);
        reports.push(this.#report(c));
        if (c.state.role === 'live') {
          this.#judgeReference(c, findings);
          this.#conceptDrift(c, reports, findings);
        }
      }
      this.#judgeCandidates(group, findings);
      i = j;
    }
    return { reports, findings };
  }

  #metrics(w: PerformanceWindow): WindowMetrics {
    const values: Partial<Record<PerformanceMetricName, number>> = {};
    const rows: Partial<Record<PerformanceMetricName, number>> = {};
    const n = w.labelled;
    if (this.#classifier) {
      const dictionary: string[] = [];
      const codes = new Map<string, number>();
      const code = (name: string) => {
        let c = codes.get(name);
        if (c === undefined) {
          c = dictionary.length;
          codes.set(name, c);
          dictionary.push(name);
        }
        return c;
      };
      const labels = new Int32Array(n);
      const predictions = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        labels[i] = code(w.trueClasses[i]!);
        const p = w.predictedClasses[i];
        predictions[i] = p === null || p === undefined ? 0 : code(p);
      }
      const binary = this.#spec.task === 'binary';
      const state = ClassificationState.create(
        binary ? { task: 'binary', positiveClass: this.#spec.fields.positiveClass! } : { task: 'multiclass' },
      );
      if (dictionary.length === 0) dictionary.push('');
      state.add({
        length: n,
        labels,
        predictions,
        predictionValidity: validityOf((i) => w.predictedClasses[i] != null, n),
        dictionary,
        scores: binary ? Float64Array.from(w.scores) : null,
      });
      const m = classificationMetrics(state);
      const averaged = m.binary ?? m.macro;
      const all: Record<string, [number, number]> = {
        accuracy: [m.accuracy, m.rows],
        precision: [averaged.precision, m.rows],
        recall: [averaged.recall, m.rows],
        f1: [averaged.f1, m.rows],
        roc_auc: [m.rocAuc.value, m.scoredRows],
        log_loss: [m.logLoss, m.scoredRows],
      };
      for (const metric of this.#spec.performance.metrics) {
        const v = all[metric];
        if (v === undefined || !Number.isFinite(v[0])) continue;
        values[metric] = v[0];
        rows[metric] = v[1];
      }
    } else {
      const state = RegressionState.create();
      state.add({
        length: n,
        labels: Float64Array.from(w.trueValues),
        predictions: Float64Array.from(w.scores),
      });
      const m = regressionMetrics(state);
      const all: Record<string, number> = { mae: m.mae, rmse: m.rmse, mape: m.mape };
      for (const metric of this.#spec.performance.metrics) {
        const v = all[metric];
        if (v === undefined || !Number.isFinite(v)) continue;
        values[metric] = v;
        rows[metric] = m.rows;
      }
    }
    return { values, rows };
  }

  #report(c: ClosedWindow): ModelWindowReport {
    const w = c.window;
    return {
      monitor: this.#monitor,
      kind: 'performance',
      modelName: c.state.modelName,
      modelVersion: c.state.version,
      subject: '*',
      windowStart: c.start,
      windowEnd: c.end,
      figures: { ...c.metrics.values },
      counts: {
        predictions: w.predictions,
        labelled: w.labelled,
        unlabelled: w.unlabelled,
        duplicates: w.duplicates,
        late: w.late,
      },
    };
  }

  #judgeReference(c: ClosedWindow, findings: ModelFinding[]): void {
    const fromTopology = this.#spec.performance.reference;
    const fromBaseline = this.#baseline.performance?.metrics ?? {};
    for (const metric of this.#spec.performance.metrics) {
      const value = c.metrics.values[metric];
      const reference = fromTopology[metric] ?? fromBaseline[metric];
      if (value === undefined || reference === undefined) continue;
      const source = fromTopology[metric] !== undefined ? 'topology' : 'baseline';
      const rows = c.metrics.rows[metric] ?? 0;
      const verdict = comparePerformance(
        { metric, baseline: reference, current: value, rows },
        this.#referenceLevels,
      );
      if (verdict.verdict !== 'warning' && verdict.verdict !== 'critical') continue;
      const levels = this.#referenceLevels;
      const drop = verdict.relativeDrop!;
      findings.push({
        ...this.#findingBase(c, 'performance', verdict.verdict, c.state.role, null),
        metric,
        value,
        reference,
        threshold: metricAtDrop(metric, reference, levels[verdict.verdict]),
        warningLevel: metricAtDrop(metric, reference, levels.warning),
        criticalLevel: metricAtDrop(metric, reference, levels.critical),
        rows,
        message:
          `${metric} of ${c.state.modelName} ${c.state.version} is ${value.toPrecision(4)} in window ` +
          `[${new Date(c.start).toISOString()}, ${new Date(c.end).toISOString()}), ${percent(drop)} worse than the ` +
          `${source} reference ${reference.toPrecision(4)} (${verdict.verdict} from ${percent(levels[verdict.verdict])}).`,
        evidence: {
          rows: String(rows),
          relative_drop: String(drop),
          reference_source: source,
          labelled: String(c.window.labelled),
          unlabelled: String(c.window.unlabelled),
        },
      });
    }
  }

  #judgeCandidates(group: readonly ClosedWindow[], findings: ModelFinding[]): void {
    let live: ClosedWindow | null = null;
    for (const c of group) {
      // Most labelled rows; ties go to the first version by name (the group is sorted so).
      if (c.state.role === 'live' && (live === null || c.window.labelled > live.window.labelled)) live = c;
    }
    if (live === null) return;
    for (const c of group) {
      if (c.state.role === 'live') continue;
      for (const metric of this.#spec.performance.metrics) {
        const value = c.metrics.values[metric];
        const liveValue = live.metrics.values[metric];
        if (value === undefined || liveValue === undefined) continue;
        const rows = Math.min(c.metrics.rows[metric] ?? 0, live.metrics.rows[metric] ?? 0);
        const verdict = comparePerformance(
          { metric, baseline: liveValue, current: value, rows },
          this.#candidateLevels,
        );
        if (verdict.verdict !== 'warning' && verdict.verdict !== 'critical') continue;
        const levels = this.#candidateLevels;
        const drop = verdict.relativeDrop!;
        findings.push({
          ...this.#findingBase(c, 'shadow', verdict.verdict, c.state.role, live.state.version),
          metric: `${metric}_vs_live`,
          value,
          reference: liveValue,
          threshold: metricAtDrop(metric, liveValue, levels[verdict.verdict]),
          warningLevel: metricAtDrop(metric, liveValue, levels.warning),
          criticalLevel: metricAtDrop(metric, liveValue, levels.critical),
          rows,
          message:
            `${c.state.role} ${c.state.version} has ${metric} ${value.toPrecision(4)} against live ` +
            `${live.state.version}'s ${liveValue.toPrecision(4)} on labelled requests, ${percent(drop)} worse ` +
            `(${verdict.verdict} from ${percent(levels[verdict.verdict])}).`,
          evidence: {
            rows: String(rows),
            relative_drop: String(drop),
            labelled: String(c.window.labelled),
            live_labelled: String(live.window.labelled),
          },
        });
      }
    }
  }

  /** Feeds the window's errors, in prediction-time order (ties by prediction id), to the version's detectors. */
  #conceptDrift(c: ClosedWindow, reports: ModelWindowReport[], findings: ModelFinding[]): void {
    const slots = c.state.detectors;
    if (slots.length === 0) return;
    const w = c.window;
    const order = Array.from({ length: w.labelled }, (_, i) => i).sort(
      (a, b) => w.times[a]! - w.times[b]! || compareStrings(w.ids[a]!, w.ids[b]!),
    );
    const errors: number[] = [];
    for (const i of order) {
      if (this.#classifier) {
        const p = w.predictedClasses[i];
        if (p === null || p === undefined) continue;
        errors.push(p === w.trueClasses[i] ? 0 : 1);
      } else {
        const e = Math.abs(w.scores[i]! - w.trueValues[i]!);
        if (Number.isFinite(e)) errors.push(e);
      }
    }
    let sum = 0;
    for (const e of errors) sum += e;
    const errorRate = errors.length === 0 ? Number.NaN : sum / errors.length;
    for (const slot of slots) {
      let drifts = 0;
      let warnings = 0;
      let first: { state: DetectorState; index: number } | null = null;
      for (let i = 0; i < errors.length; i++) {
        const state = slot.detector.update(errors[i]!);
        if (state === 'drift') {
          drifts++;
          if (first === null || first.state !== 'drift') first = { state, index: i };
        } else if (state === 'warning') {
          warnings++;
          if (first === null) first = { state, index: i };
        }
      }
      const figures: Record<string, number> = {};
      if (Number.isFinite(errorRate)) figures.error_rate = errorRate;
      reports.push({
        monitor: this.#monitor,
        kind: 'concept_drift',
        modelName: c.state.modelName,
        modelVersion: c.state.version,
        subject: slot.name,
        windowStart: c.start,
        windowEnd: c.end,
        figures,
        counts: { values: errors.length, drifts, warnings },
      });
      if (first === null) continue;
      const severity: FindingSeverity = first.state === 'drift' ? 'critical' : 'warning';
      findings.push({
        ...this.#findingBase(c, 'concept_drift', severity, 'live', null),
        subject: slot.name,
        metric: slot.name,
        value: errorRate,
        reference: null,
        // A detector has no level in the error's units: its own test decided.
        threshold: 0,
        warningLevel: null,
        criticalLevel: null,
        rows: errors.length,
        message:
          `${slot.name} saw ${first.state === 'drift' ? 'concept drift' : 'a possible concept drift (warning)'} in ` +
          `the error stream of ${c.state.modelName} ${c.state.version} at value ${first.index + 1} of ` +
          `${errors.length} in the window (error ${this.#classifier ? 'rate' : 'mean'} ${errorRate.toPrecision(4)}).`,
        evidence: {
          position: String(first.index),
          values: String(errors.length),
          detector_state: first.state,
          drifts: String(drifts),
          warnings: String(warnings),
        },
      });
    }
  }

  #findingBase(
    c: ClosedWindow,
    kind: 'performance' | 'shadow' | 'concept_drift',
    severity: FindingSeverity,
    role: ModelRole,
    comparedVersion: string | null,
  ) {
    return {
      monitor: this.#monitor,
      kind,
      severity,
      modelName: c.state.modelName,
      modelVersion: c.state.version,
      role,
      comparedVersion,
      subject: '*',
      segment: null,
      windowStart: c.start,
      windowEnd: c.end,
    };
  }
}
