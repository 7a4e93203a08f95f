import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { checkCountPair, total } from './count-vectors.ts';
import { DEFAULT_ZERO_RULE, smoothProportions, type ZeroRule } from './psi.ts';

export interface KlOptions {
  /** Zero handling before the logarithm (see psi.ts); null keeps zeros, so a reference-only bucket gives +Infinity. */
  readonly zero?: ZeroRule | null;
  /** Logarithm base; e (nats) by default, like scipy.stats.entropy(base=None). */
  readonly base?: number;
}

/**
 * Kullback–Leibler divergence KL(reference ‖ current) over two count vectors in the same bucket layout, computed as
 * scipy.stats.entropy(p, q, base) does on the proportions left by the zero rule: both sides are renormalised to sum
 * to 1 (entropy always divides by the sum, which is why Evidently's KL is renormalised although its PSI is not), then
 * Σ p·ln(p/q) / ln(base) with 0·ln(0/q) = 0 and p·ln(p/0) = +Infinity.
 *
 * Defaults: driftwatch's `{ rule: 'replace', epsilon: 1e-4 }` and base e. Evidently's kl_div: `{ rule: 'evidently' }`,
 * base e, on Evidently's buckets.
 */
export function klDivergence(
  reference: Float64Array,
  current: Float64Array,
  options: KlOptions = {},
): number {
  const base = options.base ?? Math.E;
  if (!(base > 0 && base !== 1 && base < Number.POSITIVE_INFINITY)) {
    throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, `kl: invalid log base ${base}`, { base });
  }
  const zero = options.zero === undefined ? DEFAULT_ZERO_RULE : options.zero;
  let p: Float64Array;
  let q: Float64Array;
  if (zero === null) {
    checkCountPair('kl', reference, current);
    p = reference;
    q = current;
  } else {
    ({ reference: p, current: q } = smoothProportions('kl', reference, current, zero));
  }
  const pTotal = total(p);
  const qTotal = total(q);
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i]! / pTotal;
    if (a === 0) continue;
    const b = q[i]! / qTotal;
    if (b === 0) return Number.POSITIVE_INFINITY;
    sum += a * Math.log(a / b);
  }
  return base === Math.E ? sum : sum / Math.log(base);
}
