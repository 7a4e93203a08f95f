import type { Baseline } from '../baseline/baseline-types.ts';
import {
  type FeatureDriftSpec,
  type FeatureState,
  type Measurement,
  measureTest,
  needsSample,
} from '../core/drift/feature-drift.ts';
import { judgeWindow } from '../core/drift/window-judgement.ts';
import { countNumeric } from '../core/stats/numeric-buckets.ts';
import { NumericSummary } from '../core/summary/numeric-summary.ts';
import type { ColumnLayout } from '../core/window/event-batch.ts';
import { DriftwatchError, isDriftwatchError, optionError } from '../errors.ts';
import { featureSpecs, type TestPlan } from '../topology/feature-specs.ts';
import { type PlanLevels, resolvePlanLevels } from '../topology/judge-measurements.ts';
import { MODEL_ROLES, type ModelRole } from '../topology/model-spec.ts';
import type { CorrectionName } from '../topology/topology-types.ts';
import type { PredictionRecord } from './model-records.ts';
import type { ModelFinding, ModelWindowReport } from './model-results.ts';
import type { MonitorPartContext, PartOutput } from './monitor-part.ts';
import { PredictionWindowPart } from './prediction-window-part.ts';

/** Numeric values wait in a buffer of this many and are counted a buffer at a time (countNumeric's fast path). */
const NUMERIC_BUFFER = 1024;

/** One topology feature as counted against one version's baseline. */
interface FeaturePlan {
  readonly spec: FeatureDriftSpec;
  /** Index of the feature in PredictionRecord.features (topology.features order). */
  readonly index: number;
  readonly reference: FeatureState;
  /** Categorical: each baseline category's bucket. */
  readonly buckets: ReadonlyMap<string, number> | null;
}

/** What a version with a baseline is compared with: its features, and per (feature, test) the plan and levels. */
interface VersionPlan {
  readonly baseline: Baseline;
  readonly features: readonly FeaturePlan[];
  /** Feature by feature, tests in topology order: the order of the measurements of a window. */
  readonly plans: readonly TestPlan[];
  readonly levels: readonly PlanLevels[];
}

/** A version seen serving: its monitored windows are [firstStart, endStart). */
interface VersionTrack {
  readonly plan: VersionPlan;
  readonly firstStart: number;
  readonly endStart: number;
}

/** One feature's counts in one window of one version. */
interface FeatureCounts {
  readonly counts: Float64Array;
  readonly summary: NumericSummary | null;
  /** Numeric: values not yet counted (null as NaN, which the layout counts as missing). */
  readonly buffer: Float64Array | null;
  buffered: number;
}

/** One monitored window of one version. */
interface VersionWindow {
  readonly track: VersionTrack;
  readonly modelName: string;
  /** Rows per role, indexed like MODEL_ROLES. */
  readonly roles: [number, number, number];
  readonly features: FeatureCounts[];
  rows: number;
}

function roleIndex(role: ModelRole): number {
  return role === 'live' ? 0 : role === 'shadow' ? 1 : 2;
}

function format(x: number): string {
  return String(Number(x.toPrecision(4)));
}

/**
 * Training-serving skew of distributions for new model versions: when a version that has a training baseline of its
 * own first appears (any role), its first `windows` tumbling windows of prediction time, starting with the window of
 * its first prediction fed, are compared with that baseline. Per window and feature, the values are counted in the
 * layout of that baseline and each of the topology feature's tests is measured (measureTest) and judged with the
 * feature engine's levels (fixed, or calibrated on that baseline's reference chunks) and its multiple-testing
 * correction over the window's tests. The topology's own baseline plays no part: v2 trained on other data is judged
 * by what v2 was trained on.
 *
 * A window closes when the predictions watermark reaches its end + graceMs, or on flush(); a prediction of a tracked
 * version whose monitored window has closed is counted late. Predictions of a tracked version outside its monitored
 * windows (earlier than its first window, or after the last) are not this part's concern. A version without a
 * baseline is not monitored; it is counted once (`withoutBaseline`).
 */
export class VersionSkewMonitor extends PredictionWindowPart<Map<string, VersionWindow>> {
  readonly #monitor: string;
  readonly #windows: number;
  readonly #correction: CorrectionName;
  readonly #plans = new Map<string, VersionPlan>();
  readonly #tracks = new Map<string, VersionTrack>();
  readonly #withoutBaseline = new Set<string>();

  constructor(context: MonitorPartContext, versionBaselines: ReadonlyMap<string, Baseline>) {
    const { topology, spec } = context;
    const newVersions = spec.newVersions;
    if (newVersions === null) {
      throw optionError('model.newVersions', 'must be set for a version skew monitor', newVersions);
    }
    if (!(versionBaselines instanceof Map)) {
      throw optionError('versionBaselines', 'must be a map of model versions to baselines', versionBaselines);
    }
    for (const version of Object.keys(newVersions.baselines)) {
      if (!versionBaselines.has(version)) {
        throw optionError(
          'versionBaselines',
          `has no baseline for version "${version}" named in model.newVersions.baselines`,
          [...versionBaselines.keys()].join(', '),
        );
      }
    }
    super(spec.windowMs, spec.graceMs);
    this.#monitor = topology.name;
    this.#windows = newVersions.windows;
    this.#correction = topology.correction;
    // The feature engine's column layout: numeric features, then categorical and boolean ones.
    const layout: ColumnLayout = {
      numeric: topology.features.filter((f) => f.kind === 'numeric').map((f) => f.name),
      categorical: topology.features.filter((f) => f.kind !== 'numeric').map((f) => f.name),
    };
    const indexOf = new Map(topology.features.map((f, i) => [f.name, i]));
    for (const [version, baseline] of versionBaselines) {
      const path = newVersions.baselines[version] ?? `the baseline of version ${version}`;
      try {
        // featureSpecs names the topology's baseline file in its messages: name this version's instead.
        const { specs, plans } = featureSpecs(
          { ...topology, baseline: { ...topology.baseline, path } },
          baseline,
          layout,
        );
        const features = specs.map((s): FeaturePlan => {
          const summary =
            needsSample(s) && s.referenceSummary !== null
              ? NumericSummary.deserialize(s.referenceSummary)
              : null;
          return {
            spec: s,
            index: indexOf.get(s.name)!,
            reference: { counts: s.referenceCounts, summary },
            buckets: s.kind === 'categorical' ? new Map(s.categories.map((c, i) => [c, i])) : null,
          };
        });
        this.#plans.set(version, { baseline, features, plans, levels: resolvePlanLevels(plans) });
      } catch (error) {
        if (!isDriftwatchError(error)) throw error;
        throw new DriftwatchError(
          error.code,
          `model version ${version} (baseline ${baseline.version}): ${error.message}`,
          { ...error.details, modelVersion: version },
          { cause: error },
        );
      }
    }
  }

  /** Versions monitored so far, and distinct versions seen without a baseline (not monitored). */
  counts(): { readonly monitoredVersions: number; readonly withoutBaseline: number } {
    return { monitoredVersions: this.#tracks.size, withoutBaseline: this.#withoutBaseline.size };
  }

  prediction(record: PredictionRecord): void {
    const version = record.modelVersion;
    let track = this.#tracks.get(version);
    if (track === undefined) {
      const plan = this.#plans.get(version);
      if (plan === undefined) {
        this.#withoutBaseline.add(version);
        return;
      }
      const firstStart = this.windows.startOf(record.time);
      track = { plan, firstStart, endStart: firstStart + this.#windows * this.windows.windowMs };
      this.#tracks.set(version, track);
    }
    const start = this.windows.startOf(record.time);
    // Outside the version's monitored windows: neither counted nor late.
    if (start < track.firstStart || start >= track.endStart) return;
    const versions = this.windows.openAt(start, record);
    if (versions === undefined) return;
    let window = versions.get(version);
    if (window === undefined) {
      window = openWindow(track, record.modelName);
      versions.set(version, window);
    }
    window.rows++;
    window.roles[roleIndex(record.role)]!++;
    const values = record.features;
    const features = track.plan.features;
    for (let f = 0; f < features.length; f++) {
      const plan = features[f]!;
      const state = window.features[f]!;
      const v = values[plan.index] ?? null;
      if (state.buffer !== null) {
        state.buffer[state.buffered++] = typeof v === 'number' ? v : Number.NaN;
        if (state.buffered === NUMERIC_BUFFER) drain(plan, state);
      } else {
        const k = state.counts.length - 2;
        state.counts[v === null ? k + 1 : (plan.buckets!.get(String(v)) ?? k)]!++;
      }
    }
  }

  protected openWindow(): Map<string, VersionWindow> {
    return new Map();
  }

  protected closeWindows(closed: [number, Map<string, VersionWindow>][]): PartOutput {
    const reports: ModelWindowReport[] = [];
    const findings: ModelFinding[] = [];
    for (const [start, versions] of closed) {
      const out: { report: ModelWindowReport; finding: ModelFinding | null; version: string }[] = [];
      for (const [version, window] of versions) {
        for (const o of this.#judge(start, version, window)) out.push({ ...o, version });
      }
      out.sort((a, b) => compare(a.report.subject, b.report.subject) || compare(a.version, b.version));
      for (const o of out) {
        reports.push(o.report);
        if (o.finding !== null) findings.push(o.finding);
      }
    }
    return { reports, findings };
  }

  #judge(
    start: number,
    version: string,
    window: VersionWindow,
  ): { report: ModelWindowReport; finding: ModelFinding | null }[] {
    const { plan, firstStart } = window.track;
    const measured: Measurement[] = [];
    plan.features.forEach((feature, f) => {
      const state = window.features[f]!;
      drain(feature, state);
      const current: FeatureState = { counts: state.counts, summary: state.summary };
      for (const test of feature.spec.tests) {
        measured.push(measureTest(test, feature.spec, feature.reference, current));
      }
    });
    const verdicts = judgeWindow(measured, plan.levels, this.#correction);
    const end = start + this.windows.windowMs;
    const index = (start - firstStart) / this.windows.windowMs + 1;
    const role = dominantRole(window.roles);
    return measured.map((m, i) => {
      const verdict = verdicts[i]!;
      const levels = plan.levels[i]!;
      const subject = `${m.feature}/${m.test}`;
      const figures: Record<string, number> = {};
      if (Number.isFinite(m.value)) figures.value = m.value;
      if (m.pValue !== null && Number.isFinite(m.pValue)) figures.p_value = m.pValue;
      if (verdict.adjustedPValue !== null && Number.isFinite(verdict.adjustedPValue)) {
        figures.adjusted_p_value = verdict.adjustedPValue;
      }
      const report: ModelWindowReport = {
        monitor: this.#monitor,
        kind: 'version_skew',
        modelName: window.modelName,
        modelVersion: version,
        subject,
        windowStart: start,
        windowEnd: end,
        figures,
        counts: {
          rows: m.currentSize,
          missing: m.missing,
          out_of_reference: m.outOfReference,
          reference_rows: m.referenceSize,
          window_index: index,
        },
      };
      if (verdict.severity === null) return { report, finding: null };
      const onP = verdict.rule === 'p-below';
      const metric = onP ? `${m.test}_p_value` : m.test;
      const value = onP ? verdict.adjustedPValue! : m.value;
      const threshold = verdict.level!;
      const comparison = onP ? 'below' : 'at or above';
      const evidence: Record<string, string> = {
        baseline: plan.baseline.version,
        window_index: `${index} of ${this.#windows}`,
        first_window_start: new Date(firstStart).toISOString(),
        rows: String(m.currentSize),
        reference_rows: String(m.referenceSize),
        missing: String(m.missing),
        out_of_reference: String(m.outOfReference),
        value: String(m.value),
        levels: `${levels.source}: warning ${levels.warning}, critical ${levels.critical}`,
      };
      if (m.pValue !== null) evidence.p_value = String(m.pValue);
      if (verdict.adjustedPValue !== null) evidence.adjusted_p_value = String(verdict.adjustedPValue);
      const moved = m.conventions.largestChange;
      if (moved !== undefined) evidence.largest_change = moved;
      const finding: ModelFinding = {
        monitor: this.#monitor,
        kind: 'version_skew',
        severity: verdict.severity,
        modelName: window.modelName,
        modelVersion: version,
        role,
        comparedVersion: null,
        subject,
        segment: null,
        windowStart: start,
        windowEnd: end,
        metric,
        value,
        reference: null,
        threshold,
        warningLevel: levels.warning,
        criticalLevel: levels.critical,
        rows: m.currentSize,
        message:
          `${m.feature} served to ${window.modelName} ${version} (${role}) in its window ${index} of ` +
          `${this.#windows} since it appeared differs from its training baseline ${plan.baseline.version}: ` +
          `${metric} ${format(value)} over ${m.currentSize} rows, ${comparison} the ${verdict.severity} level ` +
          `${format(threshold)}; check that this version is served the features it was trained on.`,
        evidence,
      };
      return { report, finding };
    });
  }
}

function openWindow(track: VersionTrack, modelName: string): VersionWindow {
  return {
    track,
    modelName,
    roles: [0, 0, 0],
    rows: 0,
    features: track.plan.features.map((f): FeatureCounts => {
      const numeric = f.spec.kind === 'numeric';
      return {
        counts: new Float64Array(f.spec.referenceCounts.length),
        summary: f.reference.summary === null ? null : NumericSummary.create(),
        buffer: numeric ? new Float64Array(NUMERIC_BUFFER) : null,
        buffered: 0,
      };
    }),
  };
}

/** Counts the buffered numeric values into the window's counts (and sample summary). */
function drain(plan: FeaturePlan, state: FeatureCounts): void {
  if (state.buffer === null || state.buffered === 0 || plan.spec.kind !== 'numeric') return;
  countNumeric(state.buffer, null, state.buffered, plan.spec.edges, state.counts);
  state.summary?.add(state.buffer, null, state.buffered);
  state.buffered = 0;
}

/** The role with the most rows in the window; ties go to the earlier of live, shadow, canary. */
function dominantRole(roles: readonly number[]): ModelRole {
  let best = 0;
  for (let r = 1; r < roles.length; r++) if (roles[r]! > roles[best]!) best = r;
  return MODEL_ROLES[best]!;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
