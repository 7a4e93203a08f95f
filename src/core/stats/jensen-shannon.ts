import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { checkCountPair, total } from './count-vectors.ts';

function checkBase(statistic: string, base: number): void {
  if (!(base > 0 && base !== 1 && base < Number.POSITIVE_INFINITY)) {
    throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, `${statistic}: invalid log base ${base}`, {
      base,
    });
  }
}

/**
 * KL(p‖m) + KL(q‖m) in nats with m = (p + q)/2 over the normalised count vectors, 0·ln 0 = 0. Buckets listed in
 * `mismatched` are treated as two buckets that never meet: the reference mass there is compared with 0 and the current
 * mass with 0 (each contributes mass·ln 2).
 */
function jsSumNats(
  statistic: string,
  reference: Float64Array,
  current: Float64Array,
  mismatched: readonly number[] = [],
): number {
  checkCountPair(statistic, reference, current);
  for (const b of mismatched) {
    if (!Number.isInteger(b) || b < 0 || b >= reference.length) {
      throw new DriftwatchError(
        ErrorCodes.STATISTIC_INPUT,
        `${statistic}: mismatched bucket ${b} out of range`,
        {
          bucket: b,
          buckets: reference.length,
        },
      );
    }
  }
  const refTotal = total(reference);
  const curTotal = total(current);
  let left = 0;
  let right = 0;
  for (let i = 0; i < reference.length; i++) {
    const p = reference[i]! / refTotal;
    const q = current[i]! / curTotal;
    if (mismatched.includes(i)) {
      if (p > 0) left += p * Math.log(p / (p / 2));
      if (q > 0) right += q * Math.log(q / (q / 2));
      continue;
    }
    const m = (p + q) / 2;
    // m > 0 whenever p or q is, so each log argument is finite and positive.
    if (p > 0) left += p * Math.log(p / m);
    if (q > 0) right += q * Math.log(q / m);
  }
  return left + right;
}

/**
 * Jensen–Shannon distance between two count vectors in the same bucket layout, computed as
 * scipy.spatial.distance.jensenshannon(reference, current, base) does: normalise each side, m = (p + q) / 2,
 * JS = sqrt((KL(p‖m) + KL(q‖m)) / (2·ln base)), with 0·ln 0 = 0. In base 2 it lies in [0, 1] (NannyML's choice);
 * base e (Evidently's, base=None) tops out at √ln 2 ≈ 0.833. Rounding can leave the divergence a hair below 0 for
 * near-identical inputs, where scipy returns NaN; we clamp to 0 instead.
 */
export function jensenShannonDistance(reference: Float64Array, current: Float64Array, base = 2): number {
  checkBase('jensen-shannon', base);
  let js = jsSumNats('jensen-shannon', reference, current);
  js /= Math.log(base);
  js /= 2;
  return js > 0 ? Math.sqrt(js) : 0;
}

/**
 * Jensen–Shannon divergence, the square of the distance: (KL(p‖m) + KL(q‖m)) / 2 in the given base (2 by default,
 * range [0, 1]; base e tops out at ln 2). Clamped at 0 like the distance.
 */
export function jensenShannonDivergence(reference: Float64Array, current: Float64Array, base = 2): number {
  checkBase('jensen-shannon divergence', base);
  const js = jsSumNats('jensen-shannon divergence', reference, current) / Math.log(base) / 2;
  return js > 0 ? js : 0;
}

export interface TfdvJsOptions {
  /**
   * Buckets whose two sides TFDV never lets meet. metrics.cc::AlignHistograms appends infinite-bound mass and NaN mass
   * as separate buckets with the other side's mass set to 0 (for NaN even when both sides have NaNs), so in a
   * driftwatch numeric layout pass the missing and ±inf buckets here. Categorical (rank histogram) comparisons have
   * none: missing values are not in the rank histogram, so zero the missing bucket instead.
   */
  readonly mismatched?: readonly number[];
}

/**
 * TFDV's approximate Jensen–Shannon DIVERGENCE (tensorflow_data_validation/anomalies/metrics.cc,
 * JensenShannonDivergence): log2, (KL(p‖m) + KL(q‖m)) / 2, capped at 1.0 "due to precision limitations". Both
 * overloads (string value counts and aligned histograms) reduce to this on a shared layout. TFDV's numeric version
 * first re-buckets two histograms with different boundaries onto their union assuming uniform mass per bucket; on one
 * reference-fitted layout that step is the identity, so it is not reproduced here.
 */
export function tfdvJensenShannonDivergence(
  reference: Float64Array,
  current: Float64Array,
  options: TfdvJsOptions = {},
): number {
  const nats = jsSumNats('tfdv jensen-shannon', reference, current, options.mismatched ?? []);
  return Math.min(nats / Math.LN2 / 2, 1.0);
}
