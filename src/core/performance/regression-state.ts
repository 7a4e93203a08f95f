import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { ByteReader, ByteWriter, SerialKind } from '../sketches/byte-codec.ts';
import { checkColumn } from '../stats/column-checks.ts';

/**
 * Mergeable, serializable state of a regressor's labelled predictions (y true, y predicted) over a window, from which
 * regression-metrics.ts computes MAE, RMSE and MAPE. Pure sums, so any number of partial states combine exactly up to
 * rounding:
 *
 * - n: rows where both values are present and finite. Rows with a null label (no ground truth yet) or a null
 *   prediction are counted apart; rows where either value is NaN or infinite are counted as `invalidRows` (scikit-learn
 *   refuses such input) and enter nothing.
 * - sum |e|, sum e^2 and sum |e| / max(|y|, eps) with e = y_pred - y_true and eps = 2^-52 = np.finfo(np.float64).eps
 *   (scikit-learn's `mean_absolute_percentage_error`): every term is non-negative, so nothing cancels and a Neumaier-
 *   compensated sum is accurate to a few ulps whatever the order; merges add the sums and their compensations.
 * - The signed error's mean and M2 (Welford within a batch, Chan et al.'s parallel update across batches and merges:
 *   delta = mean_b - mean_a, mean += delta n_b / n, M2 = M2_a + M2_b + delta^2 n_a n_b / n), for the bias and the error
 *   standard deviation, where a raw sum of squares would cancel catastrophically.
 * - `zeroTargetRows`: rows with |y| < eps, whose percentage error is divided by eps instead (about 4.5e15 |e|), so a
 *   caller can tell why MAPE exploded.
 */

export const REGRESSION_MAPE_EPSILON = Number.EPSILON;

/**
 * Kind byte of the serialized state. Not in byte-codec.ts's SerialKind table yet (this change touches no shared file);
 * 17 is reserved here and must be registered there as REGRESSION_STATE: 17.
 */
export const REGRESSION_STATE_SERIAL_KIND = SerialKind.REGRESSION_STATE;

/** One batch of rows. Validity bitmaps as Arrow's (LSB-first, bit i set = present; null = all present). */
export interface RegressionBatch {
  readonly length: number;
  readonly labels: Float64Array;
  readonly labelValidity?: Uint8Array | null;
  readonly predictions: Float64Array;
  readonly predictionValidity?: Uint8Array | null;
}

/** A compensated sum: value = sum + compensation. */
interface Compensated {
  sum: number;
  compensation: number;
}

function add(acc: Compensated, v: number): void {
  const t = acc.sum + v;
  // Squares of errors above ~1e154 overflow: the sum is then +Infinity, and the compensation must not become NaN.
  if (t === Number.POSITIVE_INFINITY) {
    acc.sum = t;
    acc.compensation = 0;
    return;
  }
  acc.compensation += Math.abs(acc.sum) >= Math.abs(v) ? acc.sum - t + v : v - t + acc.sum;
  acc.sum = t;
}

function addCompensated(acc: Compensated, other: Compensated): void {
  add(acc, other.sum);
  acc.compensation += other.compensation;
}

function isSet(validity: Uint8Array | null, i: number): boolean {
  return validity === null || ((validity[i >> 3]! >> (i & 7)) & 1) === 1;
}

export class RegressionState {
  #count = 0;
  #unlabelled = 0;
  #unpredicted = 0;
  #invalid = 0;
  #zeroTargets = 0;
  #absolute: Compensated = { sum: 0, compensation: 0 };
  #squared: Compensated = { sum: 0, compensation: 0 };
  #percentage: Compensated = { sum: 0, compensation: 0 };
  #meanError = 0;
  #m2Error = 0;

  static create(): RegressionState {
    return new RegressionState();
  }

  /** Rows with both values finite: the rows every metric is computed on. */
  get rows(): number {
    return this.#count;
  }

  get unlabelledRows(): number {
    return this.#unlabelled;
  }

  get unpredictedRows(): number {
    return this.#unpredicted;
  }

  /** Rows with a NaN or infinite label or prediction. */
  get invalidRows(): number {
    return this.#invalid;
  }

  /** Counted rows with |y_true| < eps (MAPE divides their error by eps). */
  get zeroTargetRows(): number {
    return this.#zeroTargets;
  }

  get absoluteErrorSum(): number {
    return this.#absolute.sum + this.#absolute.compensation;
  }

  get squaredErrorSum(): number {
    return this.#squared.sum + this.#squared.compensation;
  }

  /** Sum of |y_pred - y_true| / max(|y_true|, eps). */
  get percentageErrorSum(): number {
    return this.#percentage.sum + this.#percentage.compensation;
  }

  /** Mean of y_pred - y_true (positive: over-prediction); NaN without rows. */
  get meanError(): number {
    return this.#count === 0 ? Number.NaN : this.#meanError;
  }

  /** Sum of squared deviations of the signed error from its mean. */
  get errorM2(): number {
    return this.#m2Error;
  }

  /**
   * Adds a batch. Lengths and bitmaps are checked first (DW_STATISTIC_INPUT), so a batch that throws changes nothing.
   */
  add(batch: RegressionBatch): void {
    const { length, labels, predictions } = batch;
    const labelValidity = batch.labelValidity ?? null;
    const predictionValidity = batch.predictionValidity ?? null;
    if (!(labels instanceof Float64Array) || !(predictions instanceof Float64Array)) {
      throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, 'labels and predictions must be Float64Arrays');
    }
    checkColumn(length, labels.length, labelValidity, 'labels');
    checkColumn(length, predictions.length, predictionValidity, 'predictions');
    // Welford over the batch, then one Chan merge: the batch's mean and M2 never pass through a raw sum of squares.
    let n = 0;
    let mean = 0;
    let m2 = 0;
    for (let i = 0; i < length; i++) {
      if (!isSet(labelValidity, i)) {
        this.#unlabelled++;
        continue;
      }
      if (!isSet(predictionValidity, i)) {
        this.#unpredicted++;
        continue;
      }
      const y = labels[i]!;
      const e = predictions[i]! - y;
      // A finite difference needs both values finite (inf - inf is NaN, inf - x is infinite).
      if (!(e - e === 0)) {
        this.#invalid++;
        continue;
      }
      const absE = Math.abs(e);
      const absY = Math.abs(y);
      add(this.#absolute, absE);
      add(this.#squared, e * e);
      if (absY < REGRESSION_MAPE_EPSILON) this.#zeroTargets++;
      add(this.#percentage, absE / (absY > REGRESSION_MAPE_EPSILON ? absY : REGRESSION_MAPE_EPSILON));
      n++;
      const delta = e - mean;
      mean += delta / n;
      m2 += delta * (e - mean);
    }
    this.#mergeMoments(n, mean, m2);
  }

  #mergeMoments(n: number, mean: number, m2: number): void {
    if (n === 0) return;
    const na = this.#count;
    if (na === 0) {
      this.#meanError = mean;
      this.#m2Error = m2;
    } else {
      const total = na + n;
      const delta = mean - this.#meanError;
      this.#meanError += (delta * n) / total;
      this.#m2Error += m2 + ((delta * delta * na) / total) * n;
    }
    this.#count = na + n;
  }

  /** Adds `other`'s state into this one; `other` is not modified. */
  mergeFrom(other: RegressionState): void {
    if (!(other instanceof RegressionState)) {
      throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, 'can only merge another RegressionState');
    }
    const src = other === this ? this.clone() : other;
    this.#unlabelled += src.#unlabelled;
    this.#unpredicted += src.#unpredicted;
    this.#invalid += src.#invalid;
    this.#zeroTargets += src.#zeroTargets;
    addCompensated(this.#absolute, src.#absolute);
    addCompensated(this.#squared, src.#squared);
    addCompensated(this.#percentage, src.#percentage);
    this.#mergeMoments(src.#count, src.#meanError, src.#m2Error);
  }

  clone(): RegressionState {
    const copy = new RegressionState();
    copy.#count = this.#count;
    copy.#unlabelled = this.#unlabelled;
    copy.#unpredicted = this.#unpredicted;
    copy.#invalid = this.#invalid;
    copy.#zeroTargets = this.#zeroTargets;
    copy.#absolute = { ...this.#absolute };
    copy.#squared = { ...this.#squared };
    copy.#percentage = { ...this.#percentage };
    copy.#meanError = this.#meanError;
    copy.#m2Error = this.#m2Error;
    return copy;
  }

  /**
   * Layout after the frame header: varUint rows, unlabelled, unpredicted, invalid and zero-target rows; f64 sum and
   * compensation of |e|, of e^2 and of the percentage errors; f64 mean error and error M2.
   */
  serialize(): Uint8Array {
    const w = new ByteWriter(REGRESSION_STATE_SERIAL_KIND, 120);
    w.varUint(this.#count);
    w.varUint(this.#unlabelled);
    w.varUint(this.#unpredicted);
    w.varUint(this.#invalid);
    w.varUint(this.#zeroTargets);
    for (const acc of [this.#absolute, this.#squared, this.#percentage]) {
      w.f64(acc.sum);
      w.f64(acc.compensation);
    }
    w.f64(this.#meanError);
    w.f64(this.#m2Error);
    return w.finish();
  }

  static deserialize(bytes: Uint8Array): RegressionState {
    const r = new ByteReader(bytes, REGRESSION_STATE_SERIAL_KIND);
    const state = new RegressionState();
    state.#count = r.varUint('rows');
    state.#unlabelled = r.varUint('unlabelled rows');
    state.#unpredicted = r.varUint('unpredicted rows');
    state.#invalid = r.varUint('invalid rows');
    state.#zeroTargets = r.varUint('zero-target rows');
    if (state.#zeroTargets > state.#count) throw r.fail('more zero-target rows than rows');
    const sums: Compensated[] = [];
    for (const field of ['absolute error', 'squared error', 'percentage error']) {
      const sum = r.f64(`${field} sum`);
      const compensation = r.f64(`${field} compensation`);
      // Sums of non-negative terms: non-negative (+Infinity after an overflow), and zero without rows.
      if (!(Number.isFinite(compensation) && sum + compensation >= 0)) {
        throw r.fail(`${field} sum ${sum} + ${compensation} is not a non-negative number`);
      }
      if (state.#count === 0 && (sum !== 0 || compensation !== 0)) throw r.fail(`${field} sum without rows`);
      sums.push({ sum, compensation });
    }
    state.#absolute = sums[0]!;
    state.#squared = sums[1]!;
    state.#percentage = sums[2]!;
    state.#meanError = r.f64('mean error');
    state.#m2Error = r.f64('error M2');
    // M2 may be +Infinity after an overflow, as the squared-error sum.
    if (!(Number.isFinite(state.#meanError) && state.#m2Error >= 0)) {
      throw r.fail('error moments are not valid numbers');
    }
    if (state.#count === 0 && (state.#meanError !== 0 || state.#m2Error !== 0)) {
      throw r.fail('error moments without rows');
    }
    r.finish();
    return state;
  }
}
