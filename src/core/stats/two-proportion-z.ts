import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { checkCountPair } from './count-vectors.ts';

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;
const EPS = 1e-17;

/** erf(x) for |x| < 0.5 by its Maclaurin series 2/√π Σ (−1)^n x^(2n+1) / (n!(2n+1)); terms shrink by ≥ 4× each. */
function erfSeries(x: number): number {
  const x2 = x * x;
  let power = x; // (−1)^n x^(2n+1) / n!
  let sum = x;
  for (let n = 1; n < 60; n++) {
    power *= -x2 / n;
    const term = power / (2 * n + 1);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPS) break;
  }
  return TWO_OVER_SQRT_PI * sum;
}

/**
 * exp(−x²) to a few ulps for 0 ≤ x: x is split into xh (16 fractional bits, so xh² is exact for x < 2^20) and
 * xl = x − xh, and exp(−x²) = exp(−xh²)·exp(−xl·(x + xh)); a plain Math.exp(−x*x) would carry the rounding error
 * of x*x, about x²·1.1e-16 relative, into the result (6e-15 at x = 8).
 */
function expMinusSquare(x: number): number {
  const xh = Math.trunc(x * 65536) / 65536;
  const xl = x - xh;
  return Math.exp(-xh * xh) * Math.exp(-xl * (x + xh));
}

/**
 * erfc(x) for x ≥ 0.5 as (x·e^(−x²)/√π)·F, with F the Legendre continued fraction of the upper incomplete gamma
 * Γ(1/2, y), y = x² (erfc(x) = Q(1/2, x²)): F = 1/(y + 1/2 − 1·(1/2)/(y + 5/2 − 2·(3/2)/(y + 9/2 − …))). It is
 * evaluated backwards from a fixed depth, which is stable (forward Lentz accumulates ~4e-15 near x = 1). The depth
 * 120/y + 20 exceeds what convergence to 1e-17 needs (about 80/y + 10 terms) everywhere on x ≥ 0.5.
 */
function erfcContinuedFraction(x: number): number {
  const y = x * x;
  const depth = Math.ceil(120 / y) + 20;
  let f = y + 2 * depth + 0.5;
  for (let k = depth - 1; k >= 0; k--) f = y + 2 * k + 0.5 - ((k + 1) * (k + 0.5)) / f;
  return (x * ONE_OVER_SQRT_PI * expMinusSquare(x)) / f;
}

/**
 * Complementary error function, to about 1e-15 relative for all x where the result is a normal double (checked
 * against mpmath at 40 digits in test/core/stats/two-proportion-z.test.ts): the Maclaurin series of erf below 0.5,
 * a continued fraction with an exactly split exp(−x²) above, and erfc(−x) = 2 − erfc(x). Underflows to 0 beyond
 * x ≈ 27.2 (subnormal results from x ≈ 26.5 lose relative accuracy).
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 0.5) return 1 - erfSeries(x);
  if (x > 27.3) return 0;
  return erfcContinuedFraction(x);
}

/** Error function; accurate near 0 (series) where 1 − erfc would lose relative accuracy. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (Math.abs(x) < 0.5) return erfSeries(x);
  return x > 0 ? 1 - erfc(x) : erfc(-x) - 1;
}

/** Standard normal survival function Pr[Z > z] = erfc(z/√2)/2 (scipy.stats.norm.sf). */
export function normalSurvival(z: number): number {
  return 0.5 * erfc(z * Math.SQRT1_2);
}

/**
 * Standard normal CDF computed the way scipy.special.ndtr (Cephes) does: x = z/√2; 0.5 + 0.5·erf(x) for |x| < 1/√2,
 * else 0.5·erfc(|x|), reflected for x > 0 as 1 − that. Only here to reproduce p-values written as 1 − cdf.
 */
export function normalCdfNdtr(z: number): number {
  const x = z * Math.SQRT1_2;
  const ax = Math.abs(x);
  if (ax < Math.SQRT1_2) return 0.5 + 0.5 * erf(x);
  const y = 0.5 * erfc(ax);
  return x > 0 ? 1.0 - y : y;
}

/**
 * How the two-sided p-value is formed from z:
 * - `survival` (driftwatch): 2·sf(|z|) = erfc(|z|/√2), accurate down to ~1e-300.
 * - `one-minus-cdf` (Evidently, z_stattest.py::proportions_diff_z_test): 2·(1 − Φ(|z|)) with Φ = scipy's ndtr; it
 *   loses all digits below ~1e-16 (p = 0 from |z| ≈ 8.3 on) and about 1e-16/p relative above.
 */
export type ZPValueMethod = 'survival' | 'one-minus-cdf';

export interface TwoProportionZResult {
  /** (p_ref − p_cur) / sqrt(P(1 − P)(1/n_ref + 1/n_cur)), P the pooled proportion; 0 when P is 0 or 1. */
  readonly statistic: number;
  readonly pValue: number;
  readonly referenceProportion: number;
  readonly currentProportion: number;
}

/**
 * Pooled two-proportion Z test, two-sided, written as Evidently writes it (z_stattest.py::proportions_diff_z_stat_ind):
 * p1 = s1/n1, p2 = s2/n2, P = (p1·n1 + p2·n2)/(n1 + n2), z = (p1 − p2)/sqrt(P(1 − P)(1/n1 + 1/n2)). When P is 0 or 1
 * (every row the same value on both sides) there is nothing to test: statistic 0, p 1 (Evidently's p = 1 case).
 */
export function twoProportionZTest(
  referenceSuccesses: number,
  referenceTotal: number,
  currentSuccesses: number,
  currentTotal: number,
  pValue: ZPValueMethod = 'survival',
): TwoProportionZResult {
  for (const [s, n, side] of [
    [referenceSuccesses, referenceTotal, 'reference'],
    [currentSuccesses, currentTotal, 'current'],
  ] as const) {
    if (!(n > 0 && n < Number.POSITIVE_INFINITY && s >= 0 && s <= n)) {
      throw new DriftwatchError(
        ErrorCodes.STATISTIC_INPUT,
        `two-proportion z: ${side} needs 0 <= successes <= total and total > 0, got ${s} of ${n}`,
        { side, successes: s, total: n },
      );
    }
  }
  const n1 = referenceTotal;
  const n2 = currentTotal;
  const p1 = referenceSuccesses / n1;
  const p2 = currentSuccesses / n2;
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const variance = pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2);
  if (!(variance > 0)) {
    return { statistic: 0, pValue: 1, referenceProportion: p1, currentProportion: p2 };
  }
  const statistic = (p1 - p2) / Math.sqrt(variance);
  const p =
    pValue === 'survival'
      ? erfc(Math.abs(statistic) * Math.SQRT1_2)
      : 2 * (1 - normalCdfNdtr(Math.abs(statistic)));
  return { statistic, pValue: p, referenceProportion: p1, currentProportion: p2 };
}

/**
 * The Z test on two count vectors in the same layout: `failure` is the bucket counted as 0, every other bucket as 1.
 * Evidently maps the SMALLEST value of the sorted union of reference and current values to 0 and all others to 1,
 * so with buckets in sorted value order pass the first bucket non-empty on either side (the default).
 */
export function twoProportionZFromCounts(
  reference: Float64Array,
  current: Float64Array,
  options: { readonly failure?: number; readonly pValue?: ZPValueMethod } = {},
): TwoProportionZResult {
  checkCountPair('two-proportion z', reference, current);
  let failure = options.failure;
  if (failure === undefined) {
    failure = 0;
    while (reference[failure] === 0 && current[failure] === 0) failure++;
  }
  if (!Number.isInteger(failure) || failure < 0 || failure >= reference.length) {
    throw new DriftwatchError(
      ErrorCodes.STATISTIC_INPUT,
      `two-proportion z: failure bucket ${failure} out of range`,
      {
        failure,
        buckets: reference.length,
      },
    );
  }
  let refTotal = 0;
  let curTotal = 0;
  for (let i = 0; i < reference.length; i++) {
    refTotal += reference[i]!;
    curTotal += current[i]!;
  }
  return twoProportionZTest(
    refTotal - reference[failure]!,
    refTotal,
    curTotal - current[failure]!,
    curTotal,
    options.pValue,
  );
}
