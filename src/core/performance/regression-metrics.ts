import { REGRESSION_MAPE_EPSILON, type RegressionState } from './regression-state.ts';

/**
 * Regression metrics of a RegressionState, defined as scikit-learn 1.9 defines them for one output without sample
 * weights (pinned by test/fixtures/performance/performance-golden.json):
 *
 * - MAE = mean |y_pred - y_true| (`mean_absolute_error`).
 * - RMSE = sqrt(mean (y_pred - y_true)^2) (`root_mean_squared_error`).
 * - MAPE = mean |y_pred - y_true| / max(|y_true|, eps), eps = 2^-52 = np.finfo(np.float64).eps
 *   (`mean_absolute_percentage_error`). A fraction, not a percentage (0.05 = 5%). Rows with y_true = 0 make it huge
 *   (their error over eps); `zeroTargetRows` says how many there were.
 * - meanError (bias) = mean (y_pred - y_true), and errorStd = sqrt(M2 / n) (population, ddof = 0): not scikit-learn
 *   metrics, reported to explain an MAE or RMSE change (shifted predictions versus noisier ones).
 *
 * Every value is NaN when there is no row.
 */

export interface RegressionMetrics {
  /** Rows with a finite label and prediction. */
  readonly rows: number;
  readonly mae: number;
  readonly rmse: number;
  readonly mape: number;
  readonly meanError: number;
  readonly errorStd: number;
  readonly zeroTargetRows: number;
  readonly conventions: Readonly<Record<string, string | number>>;
}

export function regressionMetrics(state: RegressionState): RegressionMetrics {
  const n = state.rows;
  const of = (sum: number) => (n === 0 ? Number.NaN : sum / n);
  return {
    rows: n,
    mae: of(state.absoluteErrorSum),
    rmse: Math.sqrt(of(state.squaredErrorSum)),
    mape: of(state.percentageErrorSum),
    meanError: state.meanError,
    errorStd: Math.sqrt(of(state.errorM2)),
    zeroTargetRows: state.zeroTargetRows,
    conventions: {
      reference: 'scikit-learn 1.9 metric definitions',
      error: 'y_pred - y_true',
      mapeDenominator: 'max(|y_true|, eps)',
      mapeEpsilon: REGRESSION_MAPE_EPSILON,
      mapeUnit: 'fraction',
      errorStd: 'population (ddof = 0)',
    },
  };
}
