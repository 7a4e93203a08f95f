import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { checkCountPair, total } from './count-vectors.ts';

/**
 * Zero-proportion fill of PSI. Evidently uses the same value when the smallest non-zero proportion exceeds 1e-4; we
 * pin it so a PSI is reproducible from the counts alone.
 */
export const DEFAULT_PSI_EPSILON = 1e-4;

/**
 * What PSI and KL do with a bucket whose proportion is 0 on one side (ln 0 would make them infinite):
 *
 * - `replace` (driftwatch's default): a zero proportion becomes `epsilon` on that side only; nothing is
 *   renormalised. Buckets empty on both sides are left out.
 * - `evidently`: Evidently's get_binned_data (src/evidently/legacy/calculations/stattests/utils.py): on each side
 *   separately, zeros become min_nonzero / 1e6 when that side's smallest non-zero proportion is ≤ 1e-4, else 1e-4;
 *   nothing is renormalised. EVERY bucket of the vector takes part, also one empty on both sides (it contributes
 *   when the two sides' fill values differ), so pass exactly the tool's buckets (e.g. only the inner buckets of a
 *   numeric layout: Evidently drops NaN and ±inf before binning).
 * - `add`: additive smoothing, p = (count/total + epsilon) / (1 + k·epsilon) over the k buckets non-empty on at least
 *   one side, so each side still sums to 1. Buckets empty on both sides are left out.
 */
export type ZeroRule =
  | { readonly rule: 'replace'; readonly epsilon: number }
  | { readonly rule: 'evidently' }
  | { readonly rule: 'add'; readonly epsilon: number };

export const DEFAULT_ZERO_RULE: ZeroRule = { rule: 'replace', epsilon: DEFAULT_PSI_EPSILON };

/** Per-side proportions after a zero rule, restricted to the buckets that take part (same index on both sides). */
export interface SmoothedProportions {
  readonly reference: Float64Array;
  readonly current: Float64Array;
}

/** Evidently's fill value for one side: min_nonzero / 1e6 if min_nonzero ≤ 1e-4, else 1e-4. */
export function evidentlyFill(proportions: Float64Array): number {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < proportions.length; i++) {
    const p = proportions[i]!;
    if (p !== 0 && p < min) min = p;
  }
  return min <= 0.0001 ? min / 10 ** 6 : 0.0001;
}

/**
 * Applies a zero rule to two count vectors in the same layout (checked with checkCountPair) and returns the per-side
 * proportions of the buckets that take part. Proportions are count / side total, as the tools compute them.
 */
export function smoothProportions(
  statistic: string,
  reference: Float64Array,
  current: Float64Array,
  zero: ZeroRule,
): SmoothedProportions {
  checkZeroRule(statistic, zero);
  checkCountPair(statistic, reference, current);
  const refTotal = total(reference);
  const curTotal = total(current);
  if (zero.rule === 'evidently') {
    const p = reference.map((r) => r / refTotal);
    const q = current.map((c) => c / curTotal);
    const fillP = evidentlyFill(p);
    const fillQ = evidentlyFill(q);
    for (let i = 0; i < p.length; i++) {
      if (p[i] === 0) p[i] = fillP;
      if (q[i] === 0) q[i] = fillQ;
    }
    return { reference: p, current: q };
  }
  let k = 0;
  for (let i = 0; i < reference.length; i++) if (reference[i] !== 0 || current[i] !== 0) k++;
  const p = new Float64Array(k);
  const q = new Float64Array(k);
  const eps = zero.epsilon;
  let j = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i]!;
    const c = current[i]!;
    if (r === 0 && c === 0) continue;
    if (zero.rule === 'replace') {
      p[j] = r === 0 ? eps : r / refTotal;
      q[j] = c === 0 ? eps : c / curTotal;
    } else {
      const scale = 1 + k * eps;
      p[j] = (r / refTotal + eps) / scale;
      q[j] = (c / curTotal + eps) / scale;
    }
    j++;
  }
  return { reference: p, current: q };
}

function checkZeroRule(statistic: string, zero: ZeroRule): void {
  if (zero.rule === 'evidently') return;
  if ((zero.rule === 'replace' || zero.rule === 'add') && zero.epsilon > 0 && zero.epsilon < 1) return;
  throw new DriftwatchError(
    ErrorCodes.STATISTIC_INPUT,
    `${statistic}: invalid zero rule ${JSON.stringify(zero)} (epsilon must be in (0, 1))`,
    { statistic, zero },
  );
}

/**
 * Population stability index over two count vectors in the same bucket layout:
 * PSI = Σ (ref − cur)·ln(ref / cur) with ref, cur the per-side proportions after the zero rule (Evidently's psi.py
 * formula). A number for `zero` means `{ rule: 'replace', epsilon: zero }`, the original signature: a zero proportion
 * becomes epsilon on that side only, without renormalising, and buckets empty on both sides contribute 0, so adding
 * always-empty buckets (e.g. ±Infinity) never changes the value. Every term is ≥ 0, so the sum is too.
 */
export function psi(
  reference: Float64Array,
  current: Float64Array,
  zero: number | ZeroRule = DEFAULT_PSI_EPSILON,
): number {
  const rule: ZeroRule = typeof zero === 'number' ? { rule: 'replace', epsilon: zero } : zero;
  if (typeof zero === 'number' && !(zero > 0 && zero < 1)) {
    throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, `psi: epsilon must be in (0, 1), got ${zero}`, {
      epsilon: zero,
    });
  }
  const { reference: p, current: q } = smoothProportions('psi', reference, current, rule);
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i]!;
    const b = q[i]!;
    sum += (a - b) * Math.log(a / b);
  }
  return sum;
}
