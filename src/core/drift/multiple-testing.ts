import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import type { CorrectionName } from '../../topology/topology-types.ts';

/**
 * Adjusted p-values of one family of tests, in input order, exactly as statsmodels'
 * `multipletests(p, method)[1]` computes them (same floating-point operations in the same order, so results agree
 * to the last bit on the golden cases of test/fixtures/stats/multiple-testing.json):
 *
 * - `bonferroni`: min(1, p · m).
 * - `holm` (step-down): over the p-values in ascending order p(1) ≤ … ≤ p(m), the running maximum of p(i) · (m − i + 1),
 *   clamped to 1.
 * - `benjamini-hochberg` (statsmodels `fdr_bh`, step-up): the running minimum from the largest down of
 *   p(i) / (i / m), clamped to 1. statsmodels divides by i / m also for i = 1; we multiply p(1) · m there (the
 *   same number in exact arithmetic, at most one rounding apart) so that BH ≤ Holm holds exactly in floating point:
 *   Holm's first term is that same product.
 * - `none`: a copy.
 *
 * m is the family size. Invariants (for every input): raw ≤ BH ≤ holm ≤ bonferroni element-wise, every output lies in
 * [0, 1], and the output is monotone in the input (a smaller raw p-value never gets a larger adjusted one). Tied
 * p-values get the same adjusted value, so the order ties are sorted in does not matter.
 *
 * NaN: a NaN p-value (a test that could not be computed) is left out of the family: it stays NaN and m counts only
 * the other p-values (as R's p.adjust does with NA). statsmodels counts it in m, which inflates every other
 * bonferroni/holm adjustment, and its BH running minimum turns every p-value NaN; leaving it out keeps one broken
 * test from changing the others' results. On input without NaN the two agree exactly.
 *
 * Any other value outside [0, 1] (negative, above 1, infinite) is a bug upstream and throws DW_STATISTIC_INPUT.
 *
 * Cost: one Float64Array for the result, one Uint32Array of indices and one sort of it; O(m log m).
 */
export function adjustPValues(p: Float64Array | readonly number[], method: CorrectionName): Float64Array {
  const n = p.length;
  const out = new Float64Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const v = p[i]!;
    if (Number.isNaN(v)) {
      out[i] = Number.NaN;
      continue;
    }
    if (!(v >= 0 && v <= 1)) {
      throw new DriftwatchError(
        ErrorCodes.STATISTIC_INPUT,
        `p-value ${i} is ${v}; p-values must lie in [0, 1] (NaN marks a test that could not be computed)`,
        { index: i, pValue: v, method },
      );
    }
    out[i] = v;
    m++;
  }
  switch (method) {
    case 'none':
      return out;
    case 'bonferroni':
      // statsmodels: pvals * float(ntests), then values > 1 set to 1.
      for (let i = 0; i < n; i++) {
        const c = out[i]! * m;
        out[i] = c > 1 ? 1 : c;
      }
      return out;
    case 'holm':
    case 'benjamini-hochberg':
      break;
    default:
      throw new DriftwatchError(ErrorCodes.INVALID_OPTION, `unknown p-value correction "${String(method)}"`, {
        method,
      });
  }
  if (m === 0) return out;

  // Indices of the non-NaN p-values in ascending order of p; ties by index so the sort is deterministic.
  const order = new Uint32Array(m);
  for (let i = 0, j = 0; i < n; i++) if (!Number.isNaN(out[i]!)) order[j++] = i;
  order.sort((a, b) => out[a]! - out[b]! || a - b);

  if (method === 'holm') {
    // np.maximum.accumulate(p_sorted * arange(m, 0, -1)), then > 1 set to 1. Each index is read before it is written.
    let running = 0;
    for (let r = 0; r < m; r++) {
      const i = order[r]!;
      const c = out[i]! * (m - r);
      if (c > running) running = c;
      out[i] = running > 1 ? 1 : running;
    }
    return out;
  }
  // fdrcorrection: ecdf = arange(1, m + 1) / m; np.minimum.accumulate((p_sorted / ecdf)[::-1])[::-1]; > 1 set to 1.
  // Dividing by ecdf (not multiplying by m / i) keeps p(m) / 1 = p(m) exact, so raw ≤ BH holds exactly; at r = 0 we
  // multiply by m instead (see above) so BH(1) ≤ Holm(1) = p(1) · m exactly.
  let running = Number.POSITIVE_INFINITY;
  for (let r = m - 1; r >= 0; r--) {
    const i = order[r]!;
    const c = r === 0 ? out[i]! * m : out[i]! / ((r + 1) / m);
    if (c < running) running = c;
    out[i] = running > 1 ? 1 : running;
  }
  return out;
}
