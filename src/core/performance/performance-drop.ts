import { DriftwatchError, ErrorCodes, optionError } from '../../errors.ts';

/**
 * Judges a window's model-performance metric against the baseline's value of the same metric.
 *
 * relativeDrop = (baseline - current) / baseline  for higher-is-better metrics (accuracy, precision, recall, F1, ROC AUC)
 *              = (current - baseline) / baseline  for lower-is-better ones (log loss, MAE, RMSE, MAPE),
 * so a positive drop is always a degradation, expressed as a fraction of the baseline (0.03 = 3% worse).
 *
 * Verdict, in this order:
 * 1. `insufficient` when the metric was computed on fewer than `minRows` rows (default 100), or when the window's or
 *    the baseline's value is NaN (undefined there: e.g. ROC AUC of a window holding one class). A metric on a few rows
 *    is noise: at accuracy 0.9 on 100 rows the standard error is sqrt(0.9 x 0.1 / 100) = 3 points, larger than the
 *    warning band, so raise minRows where windows allow it.
 * 2. Baseline 0: a higher-is-better metric cannot fall below 0, so the drop is 0 (current 0) or -Infinity (current
 *    above 0): healthy. A lower-is-better metric of 0 means a perfect baseline (MAE 0): current 0 is a drop of 0,
 *    anything above is a drop of +Infinity, critical: every error is infinitely worse than none, and a perfect baseline
 *    usually means leakage in the baseline data, which deserves the alert.
 * 3. Otherwise `critical` when relativeDrop >= critical, `warning` when it is >= warning, else `healthy` (levels fire at
 *    or above, as every value-above level in src/core/drift/thresholds.ts). Improvements (negative drops) are healthy.
 *
 * Default levels, warning 0.02 and critical 0.05 (relative): the bands the issue takes from field practice: a
 * relative decline of about 5% is the level commonly quoted in MLOps monitoring guides for a performance-decay alert
 * (e.g. "a 5% decline in accuracy"), and changes under about 2% are within the window-to-window noise of a
 * well-sampled metric. No standard fixes these numbers; they are defaults to tune per model (backtest them).
 *
 * Negative, infinite or non-numeric metric values (none of these metrics can be negative) and a non-integer row count
 * are caller bugs: DW_STATISTIC_INPUT.
 */

export type PerformanceMetricName =
  | 'accuracy'
  | 'precision'
  | 'recall'
  | 'f1'
  | 'roc_auc'
  | 'log_loss'
  | 'mae'
  | 'rmse'
  | 'mape';

export type MetricDirection = 'higher-is-better' | 'lower-is-better';

export const PERFORMANCE_METRIC_DIRECTIONS: Readonly<Record<PerformanceMetricName, MetricDirection>> = {
  accuracy: 'higher-is-better',
  precision: 'higher-is-better',
  recall: 'higher-is-better',
  f1: 'higher-is-better',
  roc_auc: 'higher-is-better',
  log_loss: 'lower-is-better',
  mae: 'lower-is-better',
  rmse: 'lower-is-better',
  mape: 'lower-is-better',
};

export const DEFAULT_PERFORMANCE_WARNING = 0.02;
export const DEFAULT_PERFORMANCE_CRITICAL = 0.05;
export const DEFAULT_PERFORMANCE_MIN_ROWS = 100;

export interface PerformanceDropOptions {
  /** Relative drop at or above which the verdict is at least `warning`; default 0.02. */
  warning?: number;
  /** Relative drop at or above which the verdict is `critical`; default 0.05; must exceed `warning`. */
  critical?: number;
  /** Fewest rows a metric must rest on to be judged; default 100. */
  minRows?: number;
}

export interface PerformanceDropLevels {
  readonly warning: number;
  readonly critical: number;
  readonly minRows: number;
}

export type PerformanceVerdict = 'healthy' | 'warning' | 'critical' | 'insufficient';

export interface PerformanceInput {
  readonly metric: PerformanceMetricName;
  /** The baseline's value of the metric (e.g. on the training or validation data). */
  readonly baseline: number;
  /** The window's value. */
  readonly current: number;
  /** Rows the window's value was computed on (labelled rows; scored rows for ROC AUC and log loss). */
  readonly rows: number;
}

export interface PerformanceComparison {
  readonly metric: PerformanceMetricName;
  readonly direction: MetricDirection;
  readonly baseline: number;
  readonly current: number;
  readonly rows: number;
  /** Positive = worse, as a fraction of the baseline; null when the verdict is `insufficient`. */
  readonly relativeDrop: number | null;
  readonly verdict: PerformanceVerdict;
  /** Why the verdict is `insufficient`, or that the baseline was 0; null otherwise. */
  readonly reason: string | null;
  readonly levels: PerformanceDropLevels;
}

/** Fills defaults and validates: 0 < warning < critical, both finite; minRows a positive safe integer. */
export function resolvePerformanceDropLevels(options: PerformanceDropOptions = {}): PerformanceDropLevels {
  const warning = options.warning ?? DEFAULT_PERFORMANCE_WARNING;
  const critical = options.critical ?? DEFAULT_PERFORMANCE_CRITICAL;
  const minRows = options.minRows ?? DEFAULT_PERFORMANCE_MIN_ROWS;
  if (typeof warning !== 'number' || !Number.isFinite(warning) || warning <= 0) {
    throw optionError('warning', 'must be a finite relative drop above 0', warning);
  }
  if (typeof critical !== 'number' || !Number.isFinite(critical) || critical <= warning) {
    throw optionError('critical', `must be a finite relative drop above warning (${warning})`, critical);
  }
  if (!Number.isSafeInteger(minRows) || minRows < 1) {
    throw optionError('minRows', 'must be a positive integer', minRows);
  }
  return { warning, critical, minRows };
}

function inputError(message: string, details: Record<string, unknown>): DriftwatchError {
  return new DriftwatchError(ErrorCodes.STATISTIC_INPUT, message, details);
}

function checkValue(name: string, value: number, metric: string): void {
  if (typeof value !== 'number' || value < 0 || value === Number.POSITIVE_INFINITY) {
    throw inputError(`${name} ${metric} ${value} is not a finite non-negative number (or NaN)`, {
      metric,
      value,
    });
  }
}

/** The relative drop and verdict of `input` under `levels` (resolved, or options to resolve). */
export function comparePerformance(
  input: PerformanceInput,
  levels: PerformanceDropLevels | PerformanceDropOptions = {},
): PerformanceComparison {
  const resolved = resolvePerformanceDropLevels(levels);
  const { metric, baseline, current, rows } = input;
  const direction = PERFORMANCE_METRIC_DIRECTIONS[metric];
  if (direction === undefined) {
    throw inputError(`unknown performance metric ${metric}`, { metric });
  }
  checkValue('baseline', baseline, metric);
  checkValue('current', current, metric);
  if (!Number.isSafeInteger(rows) || rows < 0) {
    throw inputError(`rows ${rows} is not a non-negative integer`, { metric, rows });
  }
  const result = (relativeDrop: number | null, verdict: PerformanceVerdict, reason: string | null) => ({
    metric,
    direction,
    baseline,
    current,
    rows,
    relativeDrop,
    verdict,
    reason,
    levels: resolved,
  });
  if (rows < resolved.minRows) {
    return result(null, 'insufficient', `${rows} rows, fewer than minRows ${resolved.minRows}`);
  }
  if (Number.isNaN(current)) return result(null, 'insufficient', `${metric} is undefined in the window`);
  if (Number.isNaN(baseline)) return result(null, 'insufficient', `${metric} is undefined in the baseline`);
  let drop: number;
  let reason: string | null = null;
  if (baseline === 0) {
    reason = `baseline ${metric} is 0`;
    if (current === 0) drop = 0;
    else drop = direction === 'higher-is-better' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  } else {
    drop =
      direction === 'higher-is-better' ? (baseline - current) / baseline : (current - baseline) / baseline;
  }
  const verdict: PerformanceVerdict =
    drop >= resolved.critical ? 'critical' : drop >= resolved.warning ? 'warning' : 'healthy';
  return result(drop, verdict, reason);
}
