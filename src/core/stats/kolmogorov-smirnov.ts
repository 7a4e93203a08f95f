import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { kolmogorovSmirnovSurvival } from './kolmogorov-distribution.ts';
import { checkSample, type WeightedSample } from './weighted-sample.ts';

/**
 * Two-sample Kolmogorov–Smirnov test, two-sided, reproducing scipy.stats.ks_2samp (scipy/stats/_stats_py.py):
 * the statistic over all pooled points, the exact p-value of Hodges / Viehmann with scipy's fallback rules, and the
 * asymptotic p-value kstwo.sf(D, round(n·m/(n + m))).
 */

export type KsMethod = 'auto' | 'exact' | 'asymp';

export interface KsOptions {
  /** 'auto' (default): exact if max(n, m) ≤ 10000, else asymptotic, as scipy. */
  readonly method?: KsMethod;
  /**
   * Effective number of rows behind the first sample, for the p-value. Defaults to the number of values of an exact
   * sample, or to the rounded total weight of a weighted one; a sketch passes the number of rows it summarises.
   */
  readonly n?: number;
  /** Same for the second sample. */
  readonly m?: number;
}

export interface KsResult {
  /** sup |F_a − F_b| over the (weighted) ECDFs. */
  readonly statistic: number;
  readonly pValue: number;
  /** How the p-value was computed; 'exact' may fall back to 'asymp' exactly when scipy does. */
  readonly method: 'exact' | 'asymp';
}

/** scipy's MAX_AUTO_N: 'auto' is exact while both sizes are at most this. */
export const KS_MAX_AUTO_EXACT_SIZE = 10_000;
const INT32_MAX = 2_147_483_647;

/**
 * D = sup_x |F_a(x) − F_b(x)| with F the right-continuous weighted ECDFs, evaluated after each distinct pooled value
 * (so ties across samples move both ECDFs at once, as scipy's searchsorted(side='right') does). For exact samples the
 * ECDF values are i/n − j/m, the same floating-point operations as scipy's, so D is bit-identical. Inputs are
 * trusted to be checked; O(n + m), no allocation.
 */
function supDistance(a: WeightedSample, b: WeightedSample, totalA: number, totalB: number): number {
  const av = a.values;
  const bv = b.values;
  const aw = a.weights;
  const bw = b.weights;
  const na = av.length;
  const nb = bv.length;
  let i = 0;
  let j = 0;
  let cumA = 0;
  let cumB = 0;
  let maxDiff = 0;
  let minDiff = 0;
  while (i < na || j < nb) {
    const v = j >= nb || (i < na && av[i]! <= bv[j]!) ? av[i]! : bv[j]!;
    if (aw === null) {
      while (i < na && av[i]! <= v) i++;
      cumA = i;
    } else {
      while (i < na && av[i]! <= v) cumA += aw[i++]!;
    }
    if (bw === null) {
      while (j < nb && bv[j]! <= v) j++;
      cumB = j;
    } else {
      while (j < nb && bv[j]! <= v) cumB += bw[j++]!;
    }
    const diff = cumA / totalA - cumB / totalB;
    if (diff > maxDiff) maxDiff = diff;
    if (diff < minDiff) minDiff = diff;
  }
  const minS = Math.min(-minDiff, 1);
  return minS > maxDiff ? minS : maxDiff;
}

/** The two-sample KS statistic of two (weighted) samples; validates them (DW_STATISTIC_INPUT). */
export function ksStatistic(a: WeightedSample, b: WeightedSample): number {
  const totalA = checkSample('ksStatistic', 'first', a);
  const totalB = checkSample('ksStatistic', 'second', b);
  return supDistance(a, b, totalA, totalB);
}

function gcd(x: number, y: number): number {
  let p = x;
  let q = y;
  while (q !== 0) {
    const r = p % q;
    p = q;
    q = r;
  }
  return p;
}

/** numpy.round: to nearest, ties to even. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff < 0.5) return f;
  if (diff > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Pr[D_{n,n} ≥ h/n] for two samples of equal size n (scipy's _compute_prob_outside_square): the alternating sum
 * 2·Σ_k (−1)^k C(2n, n − k·h)/C(2n, n), evaluated as a Horner-like product so no term is formed on its own.
 * The result can exceed 1 by an ulp for h = 1, which is what sends scipy to its asymptotic fallback.
 */
function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    p = p1 * (1 - p);
  }
  return 2 * p;
}

/**
 * Pr[D_{m,n} ≥ h/lcm(m, n)] for m ≠ n (scipy's _compute_outer_prob_inside_method, compiled by Pythran there):
 * Hodges' lattice-path count of paths that stay strictly inside |x/m − y/n| < h/lcm, carried as the complement
 * directly (Viehmann 2021) in one sliding column. O(m·(band width)) time and O(n) memory.
 */
function probOutsideBand(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const column = new Float64Array(lenA).fill(1);
  for (let j = minj; j < maxj; j++) column[j] = 0;
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    // The window only slides right, so column[jj + shift] (shift ≥ 0) still holds the previous column's value.
    let val = minj === 0 ? 0 : 1;
    const shift = minj - lastminj;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (column[jj + shift]! * i + val * j) / (i + j);
      column[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) {
      const end = Math.min(lenA, maxj - minj + (lastlen - curlen));
      for (let jj = maxj - minj; jj < end; jj++) column[jj] = 1;
    }
  }
  return column[maxj - minj - 1]!;
}

/**
 * scipy's exact two-sided p-value Pr[D ≥ h/lcm(n, m)] for sample sizes n, m and lattice index h ≥ 1, before its
 * validity check: a value outside [0, 1] means scipy would fall back to the asymptotic method.
 */
export function ksExactRawProbability(n: number, m: number, h: number): number {
  return n === m ? probOutsideSquare(n, h) : probOutsideBand(n, m, gcd(n, m), h);
}

function effectiveSize(option: number | undefined, s: WeightedSample, total: number, name: string): number {
  const size = option ?? (s.weights === null ? s.values.length : Math.round(total));
  if (!(Number.isSafeInteger(size) && size >= 1)) {
    throw new DriftwatchError(
      ErrorCodes.STATISTIC_INPUT,
      `ksTwoSample: effective size ${name} must be a positive integer, got ${size}`,
      { statistic: 'ksTwoSample', [name]: size },
    );
  }
  return size;
}

/**
 * Two-sided two-sample KS test (scipy.stats.ks_2samp(a, b, method=...)).
 *
 * - 'exact': D is snapped to the lattice h/lcm(n, m) (h = round(D·lcm)) and the exact null probability of D ≥ h/lcm
 *   computed; if lcm(n, m) is too large (n/g ≥ 2^31/(m/g)) or the result is not in [0, 1], it falls back to 'asymp'
 *   with the snapped D, as scipy does (scipy warns; we report `method: 'asymp'`).
 * - 'asymp': kstwo.sf(D, round(n·m/(n + m))), half-to-even rounding as numpy.
 *
 * For exact samples the returned statistic is scipy's (the snapped h/lcm when the exact method succeeded). For
 * weighted samples it is the weighted-ECDF D itself, and n, m are the effective sizes (see KsOptions); the p-value
 * then treats D as if it came from n and m rows, which is the sketch approximation.
 *
 * Throws DW_STATISTIC_INPUT on invalid samples or sizes, and when round(n·m/(n + m)) is 0 (n = m = 1 with the
 * asymptotic method), where scipy returns NaN. Cost: O(n + m) for D; the exact p-value is O(n) for n = m and
 * O(max·min·D) otherwise, as scipy's.
 */
export function ksTwoSample(a: WeightedSample, b: WeightedSample, options: KsOptions = {}): KsResult {
  const totalA = checkSample('ksTwoSample', 'first', a);
  const totalB = checkSample('ksTwoSample', 'second', b);
  const requested = options.method ?? 'auto';
  if (requested !== 'auto' && requested !== 'exact' && requested !== 'asymp') {
    throw new DriftwatchError(
      ErrorCodes.STATISTIC_INPUT,
      `ksTwoSample: unknown method ${String(requested)}`,
      {
        statistic: 'ksTwoSample',
        method: requested,
      },
    );
  }
  const n1 = effectiveSize(options.n, a, totalA, 'n');
  const n2 = effectiveSize(options.m, b, totalB, 'm');
  const weighted = a.weights !== null || b.weights !== null;
  const raw = supDistance(a, b, totalA, totalB);
  let d = raw;

  const g = gcd(n1, n2);
  let method: 'exact' | 'asymp';
  if (requested === 'auto') method = Math.max(n1, n2) <= KS_MAX_AUTO_EXACT_SIZE ? 'exact' : 'asymp';
  else if (requested === 'exact') method = n1 / g >= INT32_MAX / (n2 / g) ? 'asymp' : 'exact';
  else method = 'asymp';

  if (method === 'exact') {
    const lcm = (n1 / g) * n2;
    const h = roundHalfEven(d * lcm);
    d = h / lcm;
    if (h === 0) return { statistic: weighted ? raw : d, pValue: 1, method };
    const prob = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideBand(n1, n2, g, h);
    if (prob >= 0 && prob <= 1) return { statistic: weighted ? raw : d, pValue: prob, method };
    method = 'asymp';
  }

  const large = Math.max(n1, n2);
  const small = Math.min(n1, n2);
  const en = roundHalfEven((large * small) / (large + small));
  if (en < 1) {
    throw new DriftwatchError(
      ErrorCodes.STATISTIC_INPUT,
      'ksTwoSample: the asymptotic p-value needs round(n·m/(n + m)) ≥ 1 (n = m = 1 has none)',
      { statistic: 'ksTwoSample', n: n1, m: n2 },
    );
  }
  const p = kolmogorovSmirnovSurvival(en, d);
  return { statistic: weighted ? raw : d, pValue: p < 0 ? 0 : p > 1 ? 1 : p, method };
}
