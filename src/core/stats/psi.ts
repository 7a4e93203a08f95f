import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { checkCountPair, total } from './count-vectors.ts';

/**
 * Zero-proportion fill of PSI. Evidently uses the same value when the smallest non-zero proportion exceeds 1e-4; we
 * pin it so a PSI is reproducible from the counts alone.
 */
export const DEFAULT_PSI_EPSILON = 1e-4;

/**
 * Population stability index over two count vectors in the same bucket layout:
 * PSI = Σ (cur − ref)·ln(cur / ref) with cur, ref the per-side proportions. A zero proportion becomes `epsilon` on
 * that side only, without renormalising (Evidently's convention); buckets empty on both sides contribute 0, so adding
 * always-empty buckets (e.g. ±Infinity) never changes the value. Every term is ≥ 0, so the sum is too.
 */
export function psi(
  reference: Float64Array,
  current: Float64Array,
  epsilon: number = DEFAULT_PSI_EPSILON,
): number {
  if (!(epsilon > 0 && epsilon < 1)) {
    throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, `psi: epsilon must be in (0, 1), got ${epsilon}`, {
      epsilon,
    });
  }
  checkCountPair('psi', reference, current);
  const refTotal = total(reference);
  const curTotal = total(current);
  let sum = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i]!;
    const c = current[i]!;
    if (r === 0 && c === 0) continue;
    const p = r === 0 ? epsilon : r / refTotal;
    const q = c === 0 ? epsilon : c / curTotal;
    sum += (q - p) * Math.log(q / p);
  }
  return sum;
}
