import { segmentErrorRates } from '../core/latency/latency-levels.ts';
import { optionError } from '../errors.ts';
import type { ErrorsSpec, LevelPair } from '../topology/model-spec.ts';
import { pointsSeverity } from './level-severity.ts';
import type { PredictionRecord } from './model-records.ts';
import type { ModelFinding, ModelWindowReport } from './model-results.ts';
import type { MonitorPartContext, PartOutput } from './monitor-part.ts';
import { PredictionWindowPart } from './prediction-window-part.ts';

/** The segment label of predictions whose segment field is null or absent. */
export const NO_SEGMENT = '(none)';

interface SegmentCounts {
  rows: number;
  errors: number;
}

interface ErrorWindow {
  modelName: string;
  readonly versions: Set<string>;
  rows: number;
  errors: number;
  readonly segments: Map<string, SegmentCounts>;
}

export { pointsSeverity } from './level-severity.ts';

function checkLevels(option: string, levels: LevelPair): void {
  for (const name of ['warning', 'critical'] as const) {
    const x = levels[name];
    if (x !== null && !(typeof x === 'number' && Number.isFinite(x) && x >= 0)) {
      throw optionError(`${option}.${name}`, 'must be a finite number >= 0 (percentage points) or null', x);
    }
  }
  if (levels.warning !== null && levels.critical !== null && !(levels.warning <= levels.critical)) {
    throw optionError(
      `${option}.critical`,
      `must not be below the warning level (${levels.warning})`,
      levels.critical,
    );
  }
}

function pct(points: number): string {
  return `${Number(points.toPrecision(4))}%`;
}

/** The live versions of a window, sorted and comma-separated (usually one). */
function versionsOf(versions: Set<string>): string {
  return [...versions].sort().join(',');
}

/**
 * Error rate of the live version's predictions per tumbling window of prediction time: overall (subject `*`) and,
 * when `segmentField` is set, per segment (subject = the segment label, NO_SEGMENT for a null segment), with the
 * spread between the highest and lowest segment rates (segmentErrorRates in latency-levels.ts).
 *
 * Judged, in percentage points: the overall rate on `ratePoints`, the spread on `spreadPoints` (pointsSeverity).
 * `minRows` applies to the overall rate and to each segment: a segment with fewer rows stays out of the spread.
 * Predictions with a null `error` (the field is absent) are not counted. Windows close when the predictions
 * watermark reaches end + graceMs, or on flush(); a prediction of a closed window is counted late.
 */
export class ErrorRateMonitor extends PredictionWindowPart<ErrorWindow> {
  readonly #monitor: string;
  readonly #spec: ErrorsSpec;

  constructor(context: MonitorPartContext) {
    const spec = context.spec.errors;
    if (spec === null) throw optionError('model.errors', 'must be set for an error-rate monitor', spec);
    checkLevels('model.errors.ratePoints', spec.ratePoints);
    checkLevels('model.errors.spreadPoints', spec.spreadPoints);
    if (!Number.isSafeInteger(spec.minRows) || spec.minRows < 1) {
      throw optionError('model.errors.minRows', 'must be an integer >= 1', spec.minRows);
    }
    super(context.spec.windowMs, context.spec.graceMs);
    this.#monitor = context.topology.name;
    this.#spec = spec;
  }

  prediction(record: PredictionRecord): void {
    if (record.role !== 'live' || record.error === null) return;
    const window = this.windows.openAt(this.windows.startOf(record.time), record);
    if (window === undefined) return;
    window.versions.add(record.modelVersion);
    const error = record.error ? 1 : 0;
    window.rows++;
    window.errors += error;
    if (this.#spec.segmentField === null) return;
    const label = record.segment ?? NO_SEGMENT;
    let segment = window.segments.get(label);
    if (segment === undefined) {
      segment = { rows: 0, errors: 0 };
      window.segments.set(label, segment);
    }
    segment.rows++;
    segment.errors += error;
  }

  protected openWindow(record: PredictionRecord): ErrorWindow {
    return { modelName: record.modelName, versions: new Set(), rows: 0, errors: 0, segments: new Map() };
  }

  protected closeWindows(closed: [number, ErrorWindow][]): PartOutput {
    const reports: ModelWindowReport[] = [];
    const findings: ModelFinding[] = [];
    for (const [start, window] of closed) {
      this.#judge(start, window, reports, findings);
    }
    return { reports, findings };
  }

  #judge(start: number, w: ErrorWindow, reports: ModelWindowReport[], findings: ModelFinding[]): void {
    const end = start + this.windows.windowMs;
    const spec = this.#spec;
    const version = versionsOf(w.versions);
    const base = {
      monitor: this.#monitor,
      kind: 'error_rate' as const,
      modelName: w.modelName,
      modelVersion: version,
      windowStart: start,
      windowEnd: end,
    };
    const names = [...w.segments.keys()].sort();
    const rates = segmentErrorRates(
      names.map((segment) => ({ segment, ...w.segments.get(segment)! })),
      { minRows: spec.minRows },
    );
    const ratePoints = (100 * w.errors) / w.rows;
    const segmented = spec.segmentField !== null;
    const overallFigures: Record<string, number> = { error_rate_points: ratePoints };
    if (rates.spreadPoints !== null) overallFigures.error_rate_spread_points = rates.spreadPoints;
    const overallCounts: Record<string, number> = { rows: w.rows, errors: w.errors };
    if (segmented) {
      overallCounts.segments = names.length;
      overallCounts.sufficient_segments = rates.sufficientSegments;
    }
    const out: ModelWindowReport[] = [
      { ...base, subject: '*', figures: overallFigures, counts: overallCounts },
    ];
    for (const s of rates.segments) {
      out.push({
        ...base,
        subject: s.segment,
        figures: { error_rate_points: s.ratePercent },
        counts: { rows: s.rows, errors: s.errors },
      });
    }
    out.sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
    reports.push(...out);

    const finding = {
      ...base,
      role: 'live' as const,
      comparedVersion: null,
      subject: '*',
      reference: null,
    };
    const rateSeverity = w.rows >= spec.minRows ? pointsSeverity(ratePoints, spec.ratePoints) : null;
    if (rateSeverity !== null) {
      const threshold = (rateSeverity === 'critical' ? spec.ratePoints.critical : spec.ratePoints.warning)!;
      findings.push({
        ...finding,
        severity: rateSeverity,
        segment: null,
        metric: 'error_rate_points',
        value: ratePoints,
        threshold,
        warningLevel: spec.ratePoints.warning,
        criticalLevel: spec.ratePoints.critical,
        rows: w.rows,
        message:
          `${pct(ratePoints)} of the predictions of ${w.modelName} ${version} failed (${w.errors} of ${w.rows}), ` +
          `${rateSeverity === 'critical' ? 'above' : 'at or above'} the ${rateSeverity} level of ` +
          `${threshold} points; check the serving logs for the error codes.`,
        evidence: {
          errors: String(w.errors),
          rows: String(w.rows),
          error_rate_points: String(ratePoints),
          levels: `warning ${spec.ratePoints.warning} points, critical above ${spec.ratePoints.critical} points`,
        },
      });
    }
    if (!segmented || rates.spreadPoints === null) return;
    const spreadSeverity = pointsSeverity(rates.spreadPoints, spec.spreadPoints);
    if (spreadSeverity === null) return;
    const threshold = (
      spreadSeverity === 'critical' ? spec.spreadPoints.critical : spec.spreadPoints.warning
    )!;
    const high = rates.segments.find((s) => s.segment === rates.highest)!;
    const low = rates.segments.find((s) => s.segment === rates.lowest)!;
    findings.push({
      ...finding,
      severity: spreadSeverity,
      segment: high.segment,
      metric: 'error_rate_spread_points',
      value: rates.spreadPoints,
      threshold,
      warningLevel: spec.spreadPoints.warning,
      criticalLevel: spec.spreadPoints.critical,
      rows: high.rows + low.rows,
      message:
        `Segment ${high.segment} fails ${pct(high.ratePercent)} of its predictions against ${pct(low.ratePercent)} ` +
        `for ${low.segment}, a spread of ${Number(rates.spreadPoints.toPrecision(4))} points ` +
        `${spreadSeverity === 'critical' ? 'above' : 'at or above'} the ${spreadSeverity} level of ${threshold}; ` +
        `check what fails for ${high.segment}.`,
      evidence: {
        highest_segment: high.segment,
        highest_rate_points: String(high.ratePercent),
        highest_rows: String(high.rows),
        highest_errors: String(high.errors),
        lowest_segment: low.segment,
        lowest_rate_points: String(low.ratePercent),
        lowest_rows: String(low.rows),
        lowest_errors: String(low.errors),
        sufficient_segments: String(rates.sufficientSegments),
        min_rows: String(spec.minRows),
      },
    });
  }
}
