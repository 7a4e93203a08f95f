import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { checkSample, type WeightedSample } from './weighted-sample.ts';

/**
 * k-sample Anderson–Darling test of Scholz & Stephens (1987), midrank version, reproducing
 * scipy.stats.anderson_ksamp(samples, midrank=True) (scipy/stats/_morestats.py): the normalised statistic and scipy's
 * p-value, interpolated from the tabulated critical values and bounded to [0.001, 0.25].
 */

export interface AdResult {
  /** The standardised statistic (A²_akN − (k − 1))/σ_N, as scipy returns it. */
  readonly statistic: number;
  readonly pValue: number;
  /**
   * 'cap' when the statistic lies below the 25% critical value (p reported as 0.25, the true one is larger), 'floor'
   * when above the 0.1% one (p reported as 0.001, the true one is smaller), 'none' when interpolated.
   */
  readonly pValueBounded: 'none' | 'floor' | 'cap';
}

/** Scholz & Stephens' Table 2 interpolation coefficients, for significance levels 25%, 10%, 5%, 2.5%, 1%, 0.5%, 0.1%. */
const B0 = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
const B1 = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
const B2 = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];
const SIGNIFICANCE = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];
const EULER_GAMMA = 0.5772156649015329;
const ZETA_TWO = Math.PI ** 2 / 6;

/** H_n = Σ_{i≤n} 1/i: summed smallest term first below 1000, else by its asymptotic series (error < 1e-25). */
function harmonic(n: number): number {
  if (n < 1000) {
    let s = 0;
    for (let i = n; i >= 1; i--) s += 1 / i;
    return s;
  }
  const r2 = 1 / (n * n);
  return Math.log(n) + EULER_GAMMA + 1 / (2 * n) - r2 * (1 / 12 - r2 * (1 / 120 - r2 / 252));
}

/** H^(2)_n = Σ_{i≤n} 1/i², likewise. */
function harmonic2(n: number): number {
  if (n < 1000) {
    let s = 0;
    for (let i = n; i >= 1; i--) s += 1 / (i * i);
    return s;
  }
  const r = 1 / n;
  const r2 = r * r;
  return ZETA_TWO - r + r2 / 2 - r2 * r * (1 / 6 - r2 * (1 / 30 - r2 / 42));
}

/**
 * Coefficients [c2, c1, c0] of the least-squares quadratic through (x_i, y_i), as numpy.polyfit(x, y, 2): columns
 * scaled to unit norm, then solved by Householder QR (numpy uses an SVD; both are backward stable here).
 */
function quadraticFit(x: readonly number[], y: readonly number[]): [number, number, number] {
  const rows = x.length;
  const a = new Float64Array(rows * 3);
  const rhs = Float64Array.from(y);
  const scale = [0, 0, 0];
  for (let i = 0; i < rows; i++) {
    const xi = x[i]!;
    a[i * 3] = xi * xi;
    a[i * 3 + 1] = xi;
    a[i * 3 + 2] = 1;
    for (let c = 0; c < 3; c++) scale[c]! += a[i * 3 + c]! ** 2;
  }
  for (let c = 0; c < 3; c++) scale[c] = Math.sqrt(scale[c]!);
  for (let i = 0; i < rows; i++) for (let c = 0; c < 3; c++) a[i * 3 + c]! /= scale[c]!;
  const v = new Float64Array(rows);
  for (let col = 0; col < 3; col++) {
    let norm = 0;
    for (let i = col; i < rows; i++) norm += a[i * 3 + col]! ** 2;
    norm = Math.sqrt(norm);
    const alpha = a[col * 3 + col]! > 0 ? -norm : norm;
    let vNorm = 0;
    for (let i = col; i < rows; i++) {
      v[i] = a[i * 3 + col]! - (i === col ? alpha : 0);
      vNorm += v[i]! ** 2;
    }
    if (vNorm === 0) continue;
    for (let c = col; c < 3; c++) {
      let dot = 0;
      for (let i = col; i < rows; i++) dot += v[i]! * a[i * 3 + c]!;
      const f = (2 * dot) / vNorm;
      for (let i = col; i < rows; i++) a[i * 3 + c]! -= f * v[i]!;
    }
    let dot = 0;
    for (let i = col; i < rows; i++) dot += v[i]! * rhs[i]!;
    const f = (2 * dot) / vNorm;
    for (let i = col; i < rows; i++) rhs[i]! -= f * v[i]!;
  }
  const coef = [0, 0, 0];
  for (let r = 2; r >= 0; r--) {
    let s = rhs[r]!;
    for (let c = r + 1; c < 3; c++) s -= a[r * 3 + c]! * coef[c]!;
    coef[r] = s / a[r * 3 + r]!;
  }
  return [coef[0]! / scale[0]!, coef[1]! / scale[1]!, coef[2]! / scale[2]!];
}

/**
 * k-sample Anderson–Darling test, midrank variant (scipy.stats.anderson_ksamp(samples, midrank=True)).
 *
 * A²_akN = (N − 1)/N · Σ_i (1/n_i) Σ_z l_z/N · (N·M_iz − B_z·n_i)² / (B_z(N − B_z) − N·l_z/4), over the distinct pooled
 * values z, with l_z the pooled weight at z, B_z and M_iz the pooled and per-sample weight below z plus half the
 * weight at z. Weighted samples use their weights for these counts and their total weights as n_i (the sketch
 * approximation; equal to scipy on the expanded sample for integer weights). The variance σ²_N of Scholz & Stephens
 * uses harmonic sums up to N − 1, taken at round(N).
 *
 * p-value: as scipy, exp of the least-squares quadratic through (critical value, ln significance) at the statistic,
 * floored at 0.001 above the largest critical value and capped at 0.25 below the smallest (reported in
 * pValueBounded); between them the interpolation is not clipped, also as scipy.
 *
 * Throws DW_STATISTIC_INPUT for fewer than two samples, an invalid sample, fewer than two distinct pooled values, or a
 * pooled total below 4 (σ²_N divides by (N − 1)(N − 2)(N − 3); scipy returns NaN there). O(N·k) after sorting.
 */
export function andersonDarlingKSample(samples: readonly WeightedSample[]): AdResult {
  const k = samples.length;
  if (k < 2) {
    throw new DriftwatchError(
      ErrorCodes.STATISTIC_INPUT,
      'andersonDarlingKSample: needs at least two samples',
      {
        statistic: 'andersonDarlingKSample',
        samples: k,
      },
    );
  }
  const sizes = new Float64Array(k);
  let bigN = 0;
  for (let s = 0; s < k; s++) {
    sizes[s] = checkSample('andersonDarlingKSample', `sample ${s}`, samples[s]!);
    bigN += sizes[s]!;
  }
  if (!(bigN >= 4)) {
    throw new DriftwatchError(
      ErrorCodes.STATISTIC_INPUT,
      'andersonDarlingKSample: needs at least 4 observations in total',
      { statistic: 'andersonDarlingKSample', total: bigN },
    );
  }

  const cursor = new Int32Array(k);
  const below = new Float64Array(k); // per-sample weight strictly below z
  const atZ = new Float64Array(k); // per-sample weight at z
  const sums = new Float64Array(k);
  let pooledBelow = 0;
  let distinct = 0;
  for (;;) {
    let z = Number.POSITIVE_INFINITY;
    for (let s = 0; s < k; s++) {
      const values = samples[s]!.values;
      if (cursor[s]! < values.length && values[cursor[s]!]! < z) z = values[cursor[s]!]!;
    }
    if (z === Number.POSITIVE_INFINITY) break;
    distinct++;
    let l = 0;
    for (let s = 0; s < k; s++) {
      const { values, weights } = samples[s]!;
      let c = cursor[s]!;
      let f = 0;
      for (; c < values.length && values[c] === z; c++) f += weights === null ? 1 : weights[c]!;
      cursor[s] = c;
      atZ[s] = f;
      l += f;
    }
    const bz = pooledBelow + l / 2;
    const denominator = bz * (bigN - bz) - (bigN * l) / 4;
    for (let s = 0; s < k; s++) {
      const miz = below[s]! + atZ[s]! / 2;
      const dev = bigN * miz - bz * sizes[s]!;
      sums[s]! += ((l / bigN) * dev * dev) / denominator;
      below[s]! += atZ[s]!;
    }
    pooledBelow += l;
  }
  if (distinct < 2) {
    throw new DriftwatchError(
      ErrorCodes.STATISTIC_INPUT,
      'andersonDarlingKSample: needs more than one distinct observation',
      { statistic: 'andersonDarlingKSample' },
    );
  }
  let a2 = 0;
  for (let s = 0; s < k; s++) a2 += sums[s]! / sizes[s]!;
  a2 *= (bigN - 1) / bigN;

  // Scholz & Stephens' variance of A²_akN under the null.
  let hSum = 0;
  for (let s = 0; s < k; s++) hSum += 1 / sizes[s]!;
  const nInt = Math.round(bigN);
  const h = harmonic(nInt - 1);
  // g = Σ_{i=1}^{N−2} Σ_{j=i+1}^{N−1} 1/((N − i)·j) = H^(2)_N − (2·H_{N−1} + 1/N)/N in closed form.
  const g = harmonic2(nInt) - (2 * h + 1 / nInt) / nInt;
  const ca = (4 * g - 6) * (k - 1) + (10 - 6 * g) * hSum;
  const cb = (2 * g - 4) * k ** 2 + 8 * h * k + (2 * g - 14 * h - 4) * hSum - 8 * h + 4 * g - 6;
  const cc = (6 * h + 2 * g - 2) * k ** 2 + (4 * h - 4 * g + 6) * k + (2 * h - 6) * hSum + 4 * h;
  const cd = (2 * h + 6) * k ** 2 - 4 * h * k;
  const sigmasq = (ca * bigN ** 3 + cb * bigN ** 2 + cc * bigN + cd) / ((bigN - 1) * (bigN - 2) * (bigN - 3));
  const m = k - 1;
  const statistic = (a2 - m) / Math.sqrt(sigmasq);

  const critical = B0.map((b0, i) => b0 + B1[i]! / Math.sqrt(m) + B2[i]! / m);
  const minCritical = Math.min(...critical);
  const maxCritical = Math.max(...critical);
  if (statistic < minCritical) return { statistic, pValue: 0.25, pValueBounded: 'cap' };
  if (statistic > maxCritical) return { statistic, pValue: 0.001, pValueBounded: 'floor' };
  const [c2, c1, c0] = quadraticFit(
    critical,
    SIGNIFICANCE.map((s) => Math.log(s)),
  );
  return { statistic, pValue: Math.exp((c2 * statistic + c1) * statistic + c0), pValueBounded: 'none' };
}
