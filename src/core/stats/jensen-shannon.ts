import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { checkCountPair, total } from './count-vectors.ts';

/**
 * Jensen–Shannon distance between two count vectors in the same bucket layout, computed as
 * scipy.spatial.distance.jensenshannon(reference, current, base) does: normalise each side, m = (p + q) / 2,
 * JS = sqrt((KL(p‖m) + KL(q‖m)) / (2·ln base)), with 0·ln 0 = 0. In base 2 it lies in [0, 1]; base e (Evidently's
 * choice) tops out at √ln 2 ≈ 0.833. Rounding can leave the divergence a hair below 0 for near-identical inputs,
 * where scipy returns NaN; we clamp to 0 instead.
 */
export function jensenShannonDistance(reference: Float64Array, current: Float64Array, base = 2): number {
  if (!(base > 0 && base !== 1 && base < Number.POSITIVE_INFINITY)) {
    throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, `jensen-shannon: invalid log base ${base}`, {
      base,
    });
  }
  checkCountPair('jensen-shannon', reference, current);
  const refTotal = total(reference);
  const curTotal = total(current);
  let left = 0;
  let right = 0;
  for (let i = 0; i < reference.length; i++) {
    const p = reference[i]! / refTotal;
    const q = current[i]! / curTotal;
    const m = (p + q) / 2;
    // m > 0 whenever p or q is, so each log argument is finite and positive.
    if (p > 0) left += p * Math.log(p / m);
    if (q > 0) right += q * Math.log(q / m);
  }
  let js = left + right;
  js /= Math.log(base);
  js /= 2;
  return js > 0 ? Math.sqrt(js) : 0;
}
