import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { checkSample, type WeightedSample } from './weighted-sample.ts';

/**
 * Evidently's floor on the reference standard deviation in the normalised Wasserstein distance
 * (`wasserstein_distance / max(np.std(reference), 0.001)`), so a constant reference does not divide by zero.
 */
export const WASSERSTEIN_MIN_STD = 0.001;

/**
 * ∫ |U − V|^power dx over the (weighted) ECDFs of two samples, power 1 or 2: scipy's _cdf_distance before its final
 * root. Between consecutive distinct pooled values z_k < z_{k+1} both ECDFs are constant, so the integral is
 * Σ_k |U(z_k) − V(z_k)|^power·(z_{k+1} − z_k); U is i/n for an exact sample (scipy's searchsorted(...)/size) and the
 * running weight over the total otherwise (scipy's normalised cumsum). Validates both samples; O(n + m), no allocation.
 */
export function cdfDistanceIntegral(
  statistic: string,
  a: WeightedSample,
  b: WeightedSample,
  power: 1 | 2,
): number {
  const totalA = checkSample(statistic, 'first', a);
  const totalB = checkSample(statistic, 'second', b);
  const av = a.values;
  const bv = b.values;
  const aw = a.weights;
  const bw = b.weights;
  let i = 0;
  let j = 0;
  let cumA = 0;
  let cumB = 0;
  let sum = 0;
  let z = j >= bv.length || (i < av.length && av[i]! <= bv[j]!) ? av[i]! : bv[j]!;
  for (;;) {
    for (; i < av.length && av[i]! <= z; i++) cumA += aw === null ? 1 : aw[i]!;
    for (; j < bv.length && bv[j]! <= z; j++) cumB += bw === null ? 1 : bw[j]!;
    if (i >= av.length && j >= bv.length) break;
    const next = j >= bv.length || (i < av.length && av[i]! <= bv[j]!) ? av[i]! : bv[j]!;
    const gap = Math.abs(cumA / totalA - cumB / totalB);
    sum += (power === 1 ? gap : gap * gap) * (next - z);
    z = next;
  }
  return sum;
}

/**
 * First Wasserstein (earth mover's) distance between two 1-D (weighted) samples,
 * scipy.stats.wasserstein_distance(u, v, u_weights, v_weights) = ∫|U − V|. Weights are normalised per sample, as scipy.
 */
export function wasserstein1(a: WeightedSample, b: WeightedSample): number {
  return cdfDistanceIntegral('wasserstein1', a, b, 1);
}

/**
 * Population standard deviation of a (weighted) sample, sqrt(Σw(x − x̄)²/Σw) with x̄ = Σwx/Σw, two-pass as numpy.std
 * (ddof 0); the reference spread Evidently normalises W1 by.
 */
export function populationStd(sample: WeightedSample): number {
  const total = checkSample('populationStd', 'sample', sample);
  const { values, weights } = sample;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += weights === null ? values[i]! : weights[i]! * values[i]!;
  const mean = sum / total;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    const d = values[i]! - mean;
    squares += weights === null ? d * d : weights[i]! * d * d;
  }
  return Math.sqrt(squares / total);
}

/**
 * Evidently's normalised Wasserstein distance: W1(a, b) / max(referenceStd, 0.001), with referenceStd the population
 * std of the reference (see populationStd; computed by the caller, typically once per baseline). Throws
 * DW_STATISTIC_INPUT on a negative or non-finite referenceStd.
 */
export function wasserstein1Normalized(a: WeightedSample, b: WeightedSample, referenceStd: number): number {
  if (!(referenceStd >= 0 && referenceStd < Number.POSITIVE_INFINITY)) {
    throw new DriftwatchError(
      ErrorCodes.STATISTIC_INPUT,
      `wasserstein1Normalized: referenceStd must be finite and non-negative, got ${referenceStd}`,
      { statistic: 'wasserstein1Normalized', referenceStd },
    );
  }
  return wasserstein1(a, b) / Math.max(referenceStd, WASSERSTEIN_MIN_STD);
}
