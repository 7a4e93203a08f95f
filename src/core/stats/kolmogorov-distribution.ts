/**
 * Distribution of the two-sided one-sample Kolmogorov–Smirnov statistic D_n (scipy.stats.kstwo), and the one-sided
 * Smirnov survival function it falls back to (scipy.special.smirnov). A port of scipy/stats/_ksstats.py
 * (`_kolmogn`, the Simard & L'Ecuyer 2011 choice between exact and asymptotic methods) so that p-values match scipy,
 * including where scipy itself approximates:
 *
 * - Ruben–Gambino closed forms for n·x ≤ 1 and n·x ≥ n − 1, and 2·smirnov(n, x) for x ≥ 0.5 (exact: the two
 *   one-sided events cannot both happen).
 * - n ≤ 140: Durbin's matrix (Marsaglia–Tsang–Wang) for n·x² ≤ 0.754693, Pomeranz's recursion for n·x² ≤ 4, else
 *   2·smirnov(n, x) (Miller's approximation: it drops the probability that D⁺ and D⁻ both exceed x).
 * - n > 140, survival: 0 for n·x² ≥ 370, 2·smirnov(n, x) for n·x² ≥ 2.2, else 1 − CDF with the CDF from Durbin's
 *   matrix when n ≤ 100000 and n·x^1.5 ≤ 1.4, otherwise from the Pelz–Good asymptotic series.
 *
 * Deviations, all far below the 1e-7 the tests ask: scipy evaluates the Smirnov sum in double-double and a few
 * rescaled products in x87 long double; here the sum is compensated double and the powers carry a double-double base,
 * which keeps the difference from scipy below ~1e-12 relative for n up to 5·10^5 (checked on a grid in the tests).
 * Like scipy's, the Smirnov sum costs O(n) terms (about a second at n = 5·10^5, as scipy) and Durbin's matrix
 * O(k³ log n) for k = ⌈n·x⌉ ≤ ~60.
 */

const E128 = 2 ** 128;
const EM128 = 2 ** -128;
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const LOG_2PI = Math.log(2 * Math.PI);
const PI_SQUARED = Math.PI ** 2;
const PI_FOUR = Math.PI ** 4;
const PI_SIX = Math.PI ** 6;
const SQRT3 = Math.sqrt(3);
/** scipy's `_MIN_LOG`: exp of anything below underflows. */
const MIN_LOG = -708;
/** cephes MINLOG = ln(2^-1022). */
const CEPHES_MINLOG = -708.3964185322641;
const DBL_EPSILON = 2 ** -52;
/** Above this n, cephes' smirnov switches to an approximation (SMIRNOV_MAX_COMPUTE_N). */
const SMIRNOV_MAX_COMPUTE_N = 1_000_000;
/** cephes uses the alternating upper sum when it has at most this many terms and n is at least SM_UPPERSUM_MIN_N. */
const SM_UPPER_MAX_TERMS = 3;
const SM_UPPERSUM_MIN_N = 10;

/** Stirling coefficients B_2j/(2j(2j−1)), j = 8..1, highest first (scipy's _STIRLING_COEFFS, for polyval). */
const STIRLING_COEFFS = [
  -0.029550653594771242, 0.00641025641025641, -0.0019175269175269176, 0.0008417508417508417,
  -0.0005952380952380953, 0.0007936507936507937, -0.002777777777777778, 0.08333333333333333,
];

function clip01(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

// Bit-level views of one double, for frexp/ldexp without transcendental calls. The high word holds the sign and
// the 11-bit exponent; which array slot it is depends on the platform's byte order.
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const HI = (() => {
  F64[0] = 1;
  return U32[1] === 0x3ff00000 ? 1 : 0;
})();
const LO = 1 - HI;

/** 2^e for an integer e in [-1022, 1023], built from its bits. */
function powerOfTwo(e: number): number {
  U32[HI] = (e + 1023) << 20;
  U32[LO] = 0;
  return F64[0]!;
}

/** x·2^e without intermediate overflow or underflow of 2^e. */
function ldexp(x: number, e: number): number {
  let y = x;
  let k = e;
  while (k > 1000) {
    y *= 2 ** 1000;
    k -= 1000;
  }
  while (k < -1000) {
    if (y === 0) return y;
    y *= 2 ** -1000;
    k += 1000;
  }
  return y * powerOfTwo(k);
}

// frexp results, returned through module state so the hot loops allocate nothing.
let frexpMantissa = 0;
let frexpExponent = 0;

/** Splits x > 0 (finite) into frexpMantissa ∈ [0.5, 1) and frexpExponent with x = mantissa·2^exponent. */
function frexp(x: number): void {
  F64[0] = x;
  let bits = U32[HI]!;
  let shift = 0;
  if ((bits & 0x7ff00000) === 0) {
    // Subnormal: normalise first.
    F64[0] = x * 2 ** 64;
    bits = U32[HI]!;
    shift = 64;
  }
  frexpExponent = ((bits >>> 20) & 0x7ff) - 1022 - shift;
  U32[HI] = (bits & 0x800fffff) | (1022 << 20);
  frexpMantissa = F64[0]!;
}

const SPLITTER = 134217729; // 2^27 + 1, Dekker's split

/** The rounding error of a·b, i.e. a·b − fl(a·b), given p = fl(a·b) (Dekker; exact without overflow). */
function productError(a: number, b: number, p: number): number {
  let t = SPLITTER * a;
  const aHi = t - (t - a);
  const aLo = a - aHi;
  t = SPLITTER * b;
  const bHi = t - (t - b);
  const bLo = b - bHi;
  return aHi * bHi - p + aHi * bLo + aLo * bHi + aLo * bLo;
}

// Double-double results (hi + lo), through module state.
let ddHi = 0;
let ddLo = 0;

/** p/q + s as a double-double, for integers 0 ≤ p ≤ q < 2^53 and |s| ≤ 1: the bases of the Smirnov terms. */
function ratioPlus(p: number, q: number, s: number): void {
  const r = p / q;
  // p − r·q exactly: r·q is within one ulp of p, so the subtraction is exact (Sterbenz) and only the product errs.
  const rq = r * q;
  const rLo = (p - rq - productError(r, q, rq)) / q;
  const sum = r + s;
  const bb = sum - r;
  const err = r - (sum - bb) + (s - bb);
  const lo = err + rLo;
  ddHi = sum + lo;
  ddLo = lo - (ddHi - sum);
}

// Scaled power results: value = powMantissa·2^powExponent with powMantissa ∈ [0.5, 1).
let powMantissa = 0;
let powExponent = 0;

/**
 * y^m for y ∈ [0.5, 1) and integer m ≥ 0, as a mantissa and exponent, without underflow: when y^m would fall below
 * 2^-960 it is split as (y^c)^q·y^r with y^c safely representable (cephes' pow2Scaled_D). Each pow() is correctly
 * rounded to within an ulp, so the relative error stays near (q + 2)·ε.
 */
function mantissaPower(y: number, m: number): void {
  if (m === 0) {
    powMantissa = 0.5;
    powExponent = 1;
    return;
  }
  const lg = Math.log2(y);
  if (m * lg > -960) {
    frexp(y ** m);
    powMantissa = frexpMantissa;
    powExponent = frexpExponent;
    return;
  }
  const c = Math.floor(-960 / lg);
  const q = Math.floor(m / c);
  const r = m - q * c;
  frexp(y ** c);
  const cm = frexpMantissa;
  const ce = frexpExponent;
  frexp(y ** r);
  const rm = frexpMantissa;
  const re = frexpExponent;
  mantissaPower(cm, q);
  frexp(powMantissa * rm);
  powExponent = frexpExponent + powExponent + ce * q + re;
  powMantissa = frexpMantissa;
}

/**
 * (hi + lo)^m for a double-double base ≠ 0 and integer m ≥ 0, as powMantissa·2^powExponent (the mantissa carries the
 * sign: negative for a negative base and odd m). The low part enters as the factor (1 + lo/hi)^m, expanded like
 * cephes' pow_D.
 */
function ddPower(hi: number, lo: number, m: number): void {
  const negative = hi < 0 && m % 2 === 1;
  frexp(Math.abs(hi));
  const y = frexpMantissa;
  const ye = frexpExponent;
  const r = lo / hi;
  let adj = m * r;
  if (Math.abs(adj) > 1e-8) {
    adj = Math.abs(adj) < 1e-4 ? adj + m * r * (((m - 1) / 2) * r) : Math.expm1(m * Math.log1p(r));
  }
  mantissaPower(y, m);
  const e = powExponent + m * ye;
  frexp(powMantissa + powMantissa * adj);
  powMantissa = negative ? -frexpMantissa : frexpMantissa;
  powExponent = frexpExponent + e;
}

/** (1 + s)^m for |s| ≤ 1 with 1 + s carried as a double-double (cephes' pow2(1, s, m)). */
function onePlusPower(s: number, m: number): number {
  const hi = 1 + s;
  const lo = s - (hi - 1);
  if (hi === 0) return m === 0 ? 1 : 0;
  ddPower(hi, lo, m);
  return ldexp(powMantissa, powExponent);
}

/**
 * Survival function of the one-sided Smirnov statistic, Pr[D⁺_n ≥ x] (scipy.special.smirnov), by the
 * Birnbaum–Tingey sum x·Σ_{j<n(1−x)} C(n,j)(x + j/n)^(j−1)(1 − x − j/n)^(n−j) with cephes' special cases and early
 * exit. Every term of this lower sum is positive, so the compensated sum is accurate; the binomial and the powers are kept as
 * mantissa/exponent pairs because they overflow and underflow separately. Like cephes, it switches to the alternating
 * "upper" sum when that has at most 3 terms and x ≤ 0.5/√n.
 */
export function smirnovSurvival(n: number, x: number): number {
  if (!(Number.isInteger(n) && n > 0 && x >= 0 && x <= 1)) return Number.NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;

  // floor(n·x) and its fractional part, exactly (cephes modNX).
  const nxHi = n * x;
  let nxFloor = Math.floor(nxHi);
  let alpha = nxHi - nxFloor + productError(n, x, nxHi);
  if (alpha < 0) {
    nxFloor -= 1;
    alpha += 1;
  } else if (alpha >= 1) {
    nxFloor += 1;
    alpha -= 1;
  }
  if (alpha === 1) {
    nxFloor += 1;
    alpha = 0;
  }

  if (nxFloor === 0 || (nxFloor === 1 && alpha === 0)) {
    // x ≤ 1/n: Pr[D⁺ < x] = x·(1 + x)^(n−1).
    return clip01(1 - x * onePlusPower(x, n - 1));
  }
  if (-2 * n * x * x < CEPHES_MINLOG) return 0;
  if (nxFloor >= n - 1) return clip01(onePlusPower(-x, n));
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    const logp = -((6 * n * x + 1) ** 2) / 18 / n;
    return clip01(logp < -Math.LN2 ? Math.exp(logp) : 1 + Math.expm1(logp));
  }

  // cephes sums the few terms v = n, n − 1, … ("upper" sum, alternating) when n·x is small, else the terms
  // v = 0, 1, … < n(1 − x) ("lower" sum, all positive). Either way prob = x·Σ_v C(n,v)(x + v/n)^(v−1)(1 − x − v/n)^(n−v)
  // is the CDF (upper) or the survival function (lower).
  const upperTerms = nxFloor + (alpha === 0 ? 0 : 1);
  const upper = n >= SM_UPPERSUM_MIN_N && upperTerms <= SM_UPPER_MAX_TERMS && x <= 0.5 / Math.sqrt(n);
  const nTerms = upper ? upperTerms : n - nxFloor;
  const vmid = Math.floor(n / 2);
  let sum: number;
  if (upper) {
    sum = onePlusPower(x, n - 1); // v = n: (1 + x)^(n−1)
  } else {
    ddPower(1 - x, -x - (1 - x - 1), n); // v = 0: (1 − x)^n / x
    sum = ldexp(powMantissa, powExponent) / x;
  }
  let compensation = 0;
  // C(n, j) = C(n, n − j) = binomMantissa·2^binomExponent, renormalized only when it leaves [2^-500, 2^500].
  let binomMantissa = n;
  let binomExponent = 0;
  for (let j = 1; j < nTerms; j++) {
    const v = upper ? n - j : j;
    ratioPlus(v, n, x);
    ddPower(ddHi, ddLo, v - 1);
    const m1 = powMantissa;
    const e1 = powExponent;
    ratioPlus(n - v, n, -x);
    ddPower(ddHi, ddLo, n - v);
    const term = ldexp(binomMantissa * m1 * powMantissa, binomExponent + e1 + powExponent);
    if (term !== 0 && Number.isFinite(term)) {
      // Neumaier summation.
      const t = sum + term;
      compensation += Math.abs(sum) >= Math.abs(term) ? sum - t + term : term - t + sum;
      sum = t;
      if (4 * (nTerms - j) * Math.abs(term) < DBL_EPSILON * (sum + compensation) && j !== nTerms - 1) break;
    } else if (term === 0 && j > vmid) {
      break;
    }
    binomMantissa *= (n - j) / (j + 1);
    if (binomMantissa > 2 ** 500 || binomMantissa < 2 ** -500) {
      frexp(binomMantissa);
      binomMantissa = frexpMantissa;
      binomExponent += frexpExponent;
    }
  }
  const prob = x * (sum + compensation);
  return clip01(upper ? 1 - prob : prob);
}

/** ln(n!/n^n) by Stirling with n·ln n removed up front (scipy's _log_nfactorial_div_n_pow_n). */
function logFactorialOverPower(n: number): number {
  const rn = 1 / n;
  const t = rn / n;
  let poly = 0;
  for (const c of STIRLING_COEFFS) poly = poly * t + c;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly;
}

/** C = A·B for m×m row-major matrices (C distinct from A and B). */
function matMul(a: Float64Array, b: Float64Array, c: Float64Array, m: number): void {
  c.fill(0);
  for (let i = 0; i < m; i++) {
    const row = i * m;
    for (let k = 0; k < m; k++) {
      const aik = a[row + k]!;
      if (aik === 0) continue;
      const bRow = k * m;
      for (let j = 0; j < m; j++) c[row + j]! += aik * b[bRow + j]!;
    }
  }
}

/**
 * Pr[D_n ≤ d] by Durbin's matrix method as Marsaglia, Tsang & Wang evaluate it (scipy's _kolmogn_DMTW): with
 * d = (k − h)/n, the (k, k) entry of H^n·n!/n^n for a (2k−1)² matrix H, by repeated squaring with power-of-two
 * rescaling. O(k³ log n); scipy only calls it where k stays below ~60.
 */
function durbinMatrixCdf(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - h ** j) * fac;
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + tt) * fac;

  let hm = new Float64Array(m * m);
  for (let i = 1; i < m; i++) {
    for (let r = i - 1; r < m; r++) hm[r * m + i] = w[r - (i - 1)]!;
  }
  for (let r = 0; r < m; r++) hm[r * m] = v[r]!;
  for (let c = 0; c < m; c++) hm[(m - 1) * m + c] = v[m - 1 - c]!;

  let power = new Float64Array(m * m);
  for (let i = 0; i < m; i++) power[i * m + i] = 1;
  let scratch = new Float64Array(m * m);
  let nn = n;
  let exponent = 0;
  let hExponent = 0;
  while (nn > 0) {
    if (nn % 2 === 1) {
      matMul(power, hm, scratch, m);
      [power, scratch] = [scratch, power];
      exponent += hExponent;
    }
    nn = Math.floor(nn / 2);
    if (nn === 0) break; // scipy squares once more here; the result is unused.
    matMul(hm, hm, scratch, m);
    [hm, scratch] = [scratch, hm];
    hExponent *= 2;
    if (Math.abs(hm[(k - 1) * m + (k - 1)]!) > E128) {
      for (let i = 0; i < hm.length; i++) hm[i]! /= E128;
      hExponent += 128;
    }
  }
  let p = power[(k - 1) * m + (k - 1)]!;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < EM128) {
      p *= E128;
      exponent -= 128;
    }
  }
  if (exponent !== 0) p = ldexp(p, exponent);
  return clip01(p);
}

/** Row i's band [j1, j2] of Pomeranz's recursion (scipy's _pomeranz_compute_j1j2). */
function pomeranzBand(
  i: number,
  n: number,
  ll: number,
  ceilf: number,
  roundf: number,
  out: Int32Array,
): void {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const half = Math.floor((i + 1) / 2);
    if ((i + 1) % 2 === 0) {
      if (half === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = half - 1 - ll - roundf - 1;
        j2 = half + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = half - 1 - ll - 1;
      j2 = half + ll + roundf - 1;
    }
  }
  out[0] = Math.max(j1 + 2, 0);
  out[1] = Math.min(j2, n);
}

/**
 * Pr[D_n ≤ x] by Pomeranz's recursion (scipy's _kolmogn_Pomeranz): 2n + 1 banded convolutions with truncated
 * Poisson weights, two rows kept, rescaled by 2^128 when they underflow.
 */
function pomeranzCdf(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const npwrs = 2 * (ll + 1);
  const gpower = new Float64Array(npwrs);
  const twogpower = new Float64Array(npwrs);
  const onem2gpower = new Float64Array(npwrs);
  gpower[0] = 1;
  twogpower[0] = 1;
  onem2gpower[0] = 1;
  const gOverN = g / n;
  const twoGOverN = (2 * g) / n;
  const oneMinusTwoGOverN = (1 - 2 * g) / n;
  for (let m = 1; m < npwrs; m++) {
    gpower[m] = (gpower[m - 1]! * gOverN) / m;
    twogpower[m] = (twogpower[m - 1]! * twoGOverN) / m;
    onem2gpower[m] = (onem2gpower[m - 1]! * oneMinusTwoGOverN) / m;
  }
  let v0 = new Float64Array(npwrs);
  let v1 = new Float64Array(npwrs);
  v1[0] = 1;
  let v0s = 0;
  let v1s = 0;
  let exponent = 0;
  const band = new Int32Array(2);
  pomeranzBand(0, n, ll, ceilf, roundf, band);
  let j1 = band[0]!;
  let j2 = band[1]!;
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [v0, v1] = [v1, v0];
    [v0s, v1s] = [v1s, v0s];
    v1.fill(0);
    pomeranzBand(i, n, ll, ceilf, roundf, band);
    j1 = band[0]!;
    j2 = band[1]!;
    const pwrs = i === 1 || i === 2 * n + 1 ? gpower : i % 2 === 1 ? twogpower : onem2gpower;
    const ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      // conv = convolve(v0[k1 − v0s : + ln2], pwrs[:ln2]); only entries [j1 − k1, j2 − k1] are kept.
      const base = k1 - v0s;
      const aLen = Math.min(ln2, npwrs - base);
      const bLen = Math.min(ln2, npwrs);
      const start = j1 - k1;
      const len = j2 - j1 + 1;
      let maxValue = 0;
      for (let c = 0; c < len; c++) {
        const idx = start + c;
        let s = 0;
        const lo = Math.max(0, idx - bLen + 1);
        const hi = Math.min(idx, aLen - 1);
        for (let a = lo; a <= hi; a++) s += v0[base + a]! * pwrs[idx - a]!;
        v1[c] = s;
        if (s > maxValue) maxValue = s;
      }
      if (maxValue > 0 && maxValue < EM128) {
        for (let c = 0; c < len; c++) v1[c]! *= E128;
        exponent -= 128;
      }
      v1s = v0s + j1 - k1;
    }
  }
  let ans = v1[n - v1s]!;
  for (let m = 1; m <= n; m++) {
    if (Math.abs(ans) > E128) {
      ans *= EM128;
      exponent += 128;
    }
    ans *= m;
  }
  if (exponent !== 0) ans = ldexp(ans, exponent);
  return clip01(ans);
}

/**
 * Pelz–Good asymptotic approximation to Pr[D_n ≤ x] (scipy's _kolmogn_PelzGood): the Li-Chien/Korolyuk expansion
 * K0 + K1/√n + K2/n + K3/n^1.5, each term rewritten with Jacobi theta identities so it converges for small √n·x.
 * Not clipped, as in scipy.
 */
function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const zsquared = z ** 2;
  const zthree = z ** 3;
  const zfour = z ** 4;
  const zsix = z ** 6;
  const qlog = -PI_SQUARED / 8 / zsquared;
  if (qlog < MIN_LOG) return 0;
  let q = Math.exp(qlog);

  const k1a = -zsquared;
  const k1b = PI_SQUARED / 4;
  const k2a = 6 * zsix + 2 * zfour;
  const k2b = ((2 * zfour - 5 * zsquared) * PI_SQUARED) / 4;
  const k2c = (PI_FOUR * (1 - 2 * zsquared)) / 16;
  const k3d = (PI_SIX * (5 - 30 * zsquared)) / 64;
  const k3c = (PI_FOUR * (-60 * zsquared + 212 * zfour)) / 16;
  const k3b = (PI_SQUARED * (135 * zfour - 96 * zsix)) / 4;
  const k3a = -30 * zsix - 90 * z ** 8;

  let k0 = 0;
  let k1 = 0;
  let k2 = 0;
  let k3 = 0;
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const msquared = m ** 2;
    const mfour = m ** 4;
    const msix = m ** 6;
    const qpower = q ** (8 * k);
    k0 = k0 * qpower + 1;
    k1 = k1 * qpower + (k1a + k1b * msquared);
    k2 = k2 * qpower + (k2a + k2b * msquared + k2c * mfour);
    k3 = k3 * qpower + (k3a + k3b * msquared + k3c * mfour + k3d * msix);
  }
  k0 = (k0 * q * SQRT_2PI) / z;
  k1 = (k1 * q * SQRT_2PI) / (6 * zfour);
  k2 = (k2 * q * SQRT_2PI) / (72 * z ** 7);
  k3 = (k3 * q * SQRT_2PI) / (6480 * z ** 10);

  q = Math.exp(-PI_SQUARED / 2 / zsquared);
  const sqrt3z = SQRT3 * z;
  let k2extra = 0;
  let k3extra = 0;
  for (let k = maxk; k > 0; k--) {
    const ksquared = k ** 2;
    const qpower = q ** ksquared;
    const kspi = Math.PI * k;
    k2extra += ksquared * qpower;
    k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ksquared * qpower;
  }
  k2 += k2extra * ((PI_SQUARED * SQRT_2PI) / (-36 * zthree));
  k3 += k3extra * ((PI_SQUARED * SQRT_2PI) / (216 * zsix));
  k1 /= n ** 0.5;
  k2 /= n;
  k3 /= n ** 1.5;
  return k0 + k1 + k2 + k3;
}

/** scipy's _kolmogn: Pr[D_n ≤ x] (cdf) or Pr[D_n > x] (survival), following Simard & L'Ecuyer's method choice. */
function kolmogn(n: number, x: number, cdf: boolean): number {
  if (Number.isNaN(n) || Number.isNaN(x)) return Number.NaN;
  if (!Number.isInteger(n) || n <= 0) return Number.NaN;
  const pick = (cdfProb: number, sfProb: number): number => clip01(cdf ? cdfProb : sfProb);
  if (x >= 1) return pick(1, 0);
  if (x <= 0) return pick(0, 1);
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return pick(0, 1);
    let prob: number;
    if (n <= 140) {
      prob = 1;
      for (let i = 1; i <= n; i++) prob *= i * (1 / n) * (2 * t - 1);
    } else {
      prob = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    }
    return pick(prob, 1 - prob);
  }
  if (t >= n - 1) {
    const prob = 2 * (1 - x) ** n;
    return pick(1 - prob, prob);
  }
  if (x >= 0.5) {
    const prob = 2 * smirnovSurvival(n, x);
    return pick(1 - prob, prob);
  }
  const nxsquared = t * x;
  if (n <= 140) {
    if (nxsquared <= 0.754693) {
      const prob = durbinMatrixCdf(n, x);
      return pick(prob, 1 - prob);
    }
    if (nxsquared <= 4) {
      const prob = pomeranzCdf(n, x);
      return pick(prob, 1 - prob);
    }
    const prob = 2 * smirnovSurvival(n, x);
    return pick(1 - prob, prob);
  }
  if (!cdf) {
    if (nxsquared >= 370) return 0;
    if (nxsquared >= 2.2) return clip01(2 * smirnovSurvival(n, x));
  }
  let cdfProb: number;
  if (nxsquared >= 18) cdfProb = 1;
  else if (n <= 100_000 && n * x ** 1.5 <= 1.4) cdfProb = durbinMatrixCdf(n, x);
  else cdfProb = pelzGoodCdf(n, x);
  return pick(cdfProb, 1 - cdfProb);
}

/**
 * Pr[D_n > d] for the two-sided one-sample KS statistic with n observations (scipy.stats.kstwo.sf(d, n)). NaN unless
 * n is a positive integer, as scipy.
 */
export function kolmogorovSmirnovSurvival(n: number, d: number): number {
  return kolmogn(n, d, false);
}

/** Pr[D_n ≤ d] (scipy.stats.kstwo.cdf(d, n)). */
export function kolmogorovSmirnovCdf(n: number, d: number): number {
  return kolmogn(n, d, true);
}
