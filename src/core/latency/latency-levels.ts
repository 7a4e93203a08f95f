import { DriftwatchError, ErrorCodes, optionError } from '../../errors.ts';
import type { LatencySketch } from './latency-sketch.ts';

/**
 * Health levels of a model version's serving latency and of its error rates across segments.
 *
 * Latency: the level is read from the p95 (by default) of a LatencySketch, in the sketch's unit (milliseconds by
 * convention): p95 < warningMs (default 100) healthy; warningMs <= p95 <= criticalMs (default 300) warning;
 * p95 > criticalMs critical. These defaults are the field rule of thumb for interactive model serving. The p95 is
 * the sketch's estimate, within its relative accuracy α of the true order statistic, so a true p95 within α of a
 * level may land on either side of it. Fewer than `minCount` values (default 20: below that a 5% tail is at most one
 * event, so p95 is just the largest or second-largest value) is `insufficient`.
 *
 * Error rate per segment: rate = errors / rows, reported in percent as 100·errors/rows. Segments with fewer than
 * `minRows` rows (default 100) are `insufficient` and left out of the spread. The spread is max − min of the
 * sufficient segments' percentages, in percentage points: < warningSpreadPoints (default 1) healthy;
 * warningSpreadPoints <= spread <= criticalSpreadPoints (default 3) warning; > criticalSpreadPoints critical; fewer than
 * two sufficient segments give no spread and `insufficient`. The spread is descriptive, not a test: at 100 rows and a
 * 2% error rate one segment's rate alone has a standard error of 1.4 points, so raise minRows where rates are low.
 */

export type HealthLevel = 'healthy' | 'warning' | 'critical' | 'insufficient';

export const LATENCY_DEFAULT_WARNING_MS = 100;
export const LATENCY_DEFAULT_CRITICAL_MS = 300;
export const LATENCY_DEFAULT_MIN_COUNT = 20;
export const LATENCY_DEFAULT_LEVEL_QUANTILE = 0.95;
export const ERROR_RATE_DEFAULT_WARNING_SPREAD_POINTS = 1;
export const ERROR_RATE_DEFAULT_CRITICAL_SPREAD_POINTS = 3;
export const ERROR_RATE_DEFAULT_MIN_ROWS = 100;

export interface LatencyLevelOptions {
  /** The quantile judged, in (0, 1); default 0.95. */
  quantile?: number;
  /** That quantile at or above this is at least warning; > 0, default 100 (ms). */
  warningMs?: number;
  /** That quantile above this is critical; >= warningMs, default 300 (ms). */
  criticalMs?: number;
  /** Fewer values than this is insufficient; integer >= 1, default 20. */
  minCount?: number;
}

export interface LatencyLevels {
  readonly quantile: number;
  readonly warningMs: number;
  readonly criticalMs: number;
  readonly minCount: number;
}

export interface LatencySummary {
  /** Values in the sketch (NaN, negative and overflowing values excluded; see LatencySketch). */
  readonly count: number;
  /** Estimates (LatencySketch.quantile, numpy "lower" rank); NaN when the sketch is empty. */
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  /** The judged quantile's estimate (equal to p95 with the defaults). */
  readonly judged: number;
  /** The sketch's α: each estimate is within this relative error of the true value of its rank when guaranteed. */
  readonly relativeAccuracy: number;
  /** False when the judged quantile lies in the collapsed lowest bucket (never on real latencies) or count is 0. */
  readonly guaranteed: boolean;
  /** Values the sketch could not hold: NaN + negative + overflow. */
  readonly rejected: number;
  readonly level: HealthLevel;
  readonly levels: LatencyLevels;
}

function isPositiveFinite(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x > 0;
}

/** Validated latency levels with defaults filled in; a bad option throws DW_INVALID_OPTION naming it. */
export function resolveLatencyLevels(options: LatencyLevelOptions = {}): LatencyLevels {
  const quantile = options.quantile ?? LATENCY_DEFAULT_LEVEL_QUANTILE;
  const warningMs = options.warningMs ?? LATENCY_DEFAULT_WARNING_MS;
  const criticalMs = options.criticalMs ?? LATENCY_DEFAULT_CRITICAL_MS;
  const minCount = options.minCount ?? LATENCY_DEFAULT_MIN_COUNT;
  if (typeof quantile !== 'number' || !(quantile > 0 && quantile < 1)) {
    throw optionError('quantile', 'must be a number in (0, 1)', quantile);
  }
  if (!isPositiveFinite(warningMs)) throw optionError('warningMs', 'must be a finite number > 0', warningMs);
  if (!isPositiveFinite(criticalMs))
    throw optionError('criticalMs', 'must be a finite number > 0', criticalMs);
  if (!(warningMs <= criticalMs)) {
    throw optionError('criticalMs', `must not be below warningMs (${warningMs})`, criticalMs);
  }
  if (!Number.isSafeInteger(minCount) || minCount < 1) {
    throw optionError('minCount', 'must be an integer >= 1', minCount);
  }
  return { quantile, warningMs, criticalMs, minCount };
}

/** The level of one judged latency (NaN: insufficient) over `count` values. */
export function latencyLevel(value: number, count: number, levels: LatencyLevels): HealthLevel {
  if (count < levels.minCount || Number.isNaN(value)) return 'insufficient';
  if (value > levels.criticalMs) return 'critical';
  if (value >= levels.warningMs) return 'warning';
  return 'healthy';
}

/** p50, p95, p99 and the level of one sketch (one model version, one window). */
export function summarizeLatency(sketch: LatencySketch, options: LatencyLevelOptions = {}): LatencySummary {
  const levels = resolveLatencyLevels(options);
  const count = sketch.count;
  const judged = sketch.quantile(levels.quantile);
  return {
    count,
    p50: sketch.quantile(0.5),
    p95: sketch.quantile(0.95),
    p99: sketch.quantile(0.99),
    judged,
    relativeAccuracy: sketch.relativeAccuracy,
    guaranteed: sketch.quantileGuaranteed(levels.quantile),
    rejected: sketch.nanCount + sketch.negativeCount + sketch.overflowCount,
    level: latencyLevel(judged, count, levels),
    levels,
  };
}

export interface ErrorRateOptions {
  /** Spread (percentage points) at or above this is at least warning; >= 0, default 1. */
  warningSpreadPoints?: number;
  /** Spread above this is critical; >= warningSpreadPoints, default 3. */
  criticalSpreadPoints?: number;
  /** Segments with fewer rows are insufficient and not in the spread; integer >= 1, default 100. */
  minRows?: number;
}

export interface ErrorRateLevels {
  readonly warningSpreadPoints: number;
  readonly criticalSpreadPoints: number;
  readonly minRows: number;
}

/** Counts of one segment (e.g. one value of a segment field) in one window. */
export interface SegmentErrorCounts {
  readonly segment: string;
  /** Prediction events of the segment; a non-negative integer. */
  readonly rows: number;
  /** Those that were errors; an integer in 0..rows. */
  readonly errors: number;
}

export interface SegmentErrorRate extends SegmentErrorCounts {
  /** 100 · errors / rows; NaN when rows is 0. */
  readonly ratePercent: number;
  /** rows >= minRows. */
  readonly sufficient: boolean;
}

export interface ErrorRateReport {
  /** One entry per input segment, in input order. */
  readonly segments: readonly SegmentErrorRate[];
  /** Over every segment: rows, errors and 100 · errors / rows (NaN with no rows). */
  readonly rows: number;
  readonly errors: number;
  readonly ratePercent: number;
  /** max − min ratePercent over the sufficient segments, in percentage points; null with fewer than two. */
  readonly spreadPoints: number | null;
  /** The sufficient segments with the lowest and highest rate (first in input order on ties); null without spread. */
  readonly lowest: string | null;
  readonly highest: string | null;
  readonly sufficientSegments: number;
  readonly level: HealthLevel;
  readonly levels: ErrorRateLevels;
}

function isNonNegativeFinite(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0;
}

/** Validated error-rate levels with defaults filled in; a bad option throws DW_INVALID_OPTION naming it. */
export function resolveErrorRateLevels(options: ErrorRateOptions = {}): ErrorRateLevels {
  const warningSpreadPoints = options.warningSpreadPoints ?? ERROR_RATE_DEFAULT_WARNING_SPREAD_POINTS;
  const criticalSpreadPoints = options.criticalSpreadPoints ?? ERROR_RATE_DEFAULT_CRITICAL_SPREAD_POINTS;
  const minRows = options.minRows ?? ERROR_RATE_DEFAULT_MIN_ROWS;
  if (!isNonNegativeFinite(warningSpreadPoints)) {
    throw optionError('warningSpreadPoints', 'must be a finite number >= 0', warningSpreadPoints);
  }
  if (!isNonNegativeFinite(criticalSpreadPoints)) {
    throw optionError('criticalSpreadPoints', 'must be a finite number >= 0', criticalSpreadPoints);
  }
  if (!(warningSpreadPoints <= criticalSpreadPoints)) {
    throw optionError(
      'criticalSpreadPoints',
      `must not be below warningSpreadPoints (${warningSpreadPoints})`,
      criticalSpreadPoints,
    );
  }
  if (!Number.isSafeInteger(minRows) || minRows < 1)
    throw optionError('minRows', 'must be an integer >= 1', minRows);
  return { warningSpreadPoints, criticalSpreadPoints, minRows };
}

/** The level of a spread in percentage points (null: insufficient). */
export function spreadLevel(spreadPoints: number | null, levels: ErrorRateLevels): HealthLevel {
  if (spreadPoints === null) return 'insufficient';
  if (spreadPoints > levels.criticalSpreadPoints) return 'critical';
  if (spreadPoints >= levels.warningSpreadPoints) return 'warning';
  return 'healthy';
}

/**
 * Error rate per segment and the spread across segments. Counts must be non-negative safe integers with
 * errors <= rows, and segment names unique; anything else throws DW_STATISTIC_INPUT naming the segment.
 */
export function segmentErrorRates(
  segments: readonly SegmentErrorCounts[],
  options: ErrorRateOptions = {},
): ErrorRateReport {
  const levels = resolveErrorRateLevels(options);
  const seen = new Set<string>();
  const out: SegmentErrorRate[] = [];
  let rows = 0;
  let errors = 0;
  let lowest: SegmentErrorRate | null = null;
  let highest: SegmentErrorRate | null = null;
  let sufficientSegments = 0;
  for (const s of segments) {
    if (typeof s.segment !== 'string' || seen.has(s.segment)) {
      throw new DriftwatchError(
        ErrorCodes.STATISTIC_INPUT,
        `segment ${String(s.segment)} is not a unique name`,
        {
          segment: s.segment,
        },
      );
    }
    seen.add(s.segment);
    if (!Number.isSafeInteger(s.rows) || s.rows < 0 || !Number.isSafeInteger(s.errors) || s.errors < 0) {
      throw new DriftwatchError(
        ErrorCodes.STATISTIC_INPUT,
        `segment ${s.segment}: rows (${s.rows}) and errors (${s.errors}) must be non-negative integers`,
        { segment: s.segment, rows: s.rows, errors: s.errors },
      );
    }
    if (s.errors > s.rows) {
      throw new DriftwatchError(
        ErrorCodes.STATISTIC_INPUT,
        `segment ${s.segment}: errors (${s.errors}) exceed rows (${s.rows})`,
        { segment: s.segment, rows: s.rows, errors: s.errors },
      );
    }
    // One rounding: whole-number percentages (2/100 -> 2) stay exact, so spreads like 2 − 1 hit a level exactly.
    const rate: SegmentErrorRate = {
      segment: s.segment,
      rows: s.rows,
      errors: s.errors,
      ratePercent: s.rows === 0 ? Number.NaN : (100 * s.errors) / s.rows,
      sufficient: s.rows >= levels.minRows,
    };
    out.push(rate);
    rows += s.rows;
    errors += s.errors;
    if (!rate.sufficient) continue;
    sufficientSegments++;
    if (lowest === null || rate.ratePercent < lowest.ratePercent) lowest = rate;
    if (highest === null || rate.ratePercent > highest.ratePercent) highest = rate;
  }
  const spreadPoints =
    sufficientSegments >= 2 && lowest !== null && highest !== null
      ? highest.ratePercent - lowest.ratePercent
      : null;
  return {
    segments: out,
    rows,
    errors,
    ratePercent: rows === 0 ? Number.NaN : (100 * errors) / rows,
    spreadPoints,
    lowest: spreadPoints === null ? null : lowest!.segment,
    highest: spreadPoints === null ? null : highest!.segment,
    sufficientSegments,
    level: spreadLevel(spreadPoints, levels),
    levels,
  };
}
