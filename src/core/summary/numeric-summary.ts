import { DriftwatchError, ErrorCodes, optionError } from '../../errors.ts';
import { ByteReader, ByteWriter, SerialKind } from '../sketches/byte-codec.ts';
import { KLL_DEFAULT_K, KLL_MAX_K, KLL_MIN_K, KllSketch } from '../sketches/kll-sketch.ts';
import { checkColumn } from '../stats/column-checks.ts';

/**
 * Mergeable, serializable state of one numeric feature over a window (per partition, per worker), to be combined
 * later, possibly elsewhere.
 *
 * - Counts of null (validity bit clear), NaN, -Infinity, +Infinity and finite values: exact, merged by addition.
 * - min, max, sum (Neumaier-compensated) and the moments of the finite values as (count, mean, M2) merged with Chan
 *   et al.'s parallel update (delta = mean_b - mean_a; mean += delta n_b / n; M2 = M2_a + M2_b + delta^2 n_a n_b / n).
 *   Each batch is first reduced with the two-pass formula (both passes compensated), so no running sum of squares
 *   ever cancels. Any merge order gives the same moments up to rounding (tested to 1e-12 relative).
 * - The finite values themselves: kept exactly (a growable Float64Array, in arrival order) while the finite count is
 *   at most `exactLimit` (default 10,000), then converted to a KLL sketch (k default 200) when it exceeds it. A merge
 *   whose total exceeds the limit converts too, and so does merging a sketch-backed summary into an exact one. Values
 *   enter the sketch in arrival order whatever the batch boundaries, so equal input gives an equal sketch.
 *
 * Merging in a different order gives identical counts and exact values; once sketched, different orders give
 * different sketches, each within the KLL rank-error bound of the exact ranks (reported by `sample().rankError`).
 */

export const NUMERIC_DEFAULT_EXACT_LIMIT = 10_000;
const MAX_EXACT_LIMIT = 1 << 24;
/** Input is processed in chunks of this many values, bounding the scratch buffer. */
const CHUNK = 65_536;

export interface NumericSummaryOptions {
  /** Most finite values kept exactly; beyond it, a KLL sketch. 0..2^24, default 10,000. */
  exactLimit?: number;
  /** KLL k once sketched; default 200. */
  k?: number;
}

export interface NumericSample {
  /** Finite values ascending: all of them when exact, else the sketch's retained items. */
  values: Float64Array;
  /** Weight of each value (summing to the finite count); null when exact (every weight is 1). */
  weights: Float64Array | null;
  exact: boolean;
  /** Bound on |estimated - true| normalized rank of any value (KLL single-sided, 99% confidence); 0 when exact. */
  rankError: number;
}

let scratch = new Float64Array(1024);

export class NumericSummary {
  readonly #exactLimit: number;
  readonly #k: number;
  #nullCount = 0;
  #nanCount = 0;
  #negInfCount = 0;
  #posInfCount = 0;
  #count = 0;
  #min = Number.NaN;
  #max = Number.NaN;
  #sum = 0;
  #sumCompensation = 0;
  #mean = 0;
  #m2 = 0;
  /** Exact finite values in [0, count) while exact; null once sketched. */
  #values: Float64Array | null = new Float64Array(0);
  #sketch: KllSketch | null = null;

  private constructor(exactLimit: number, k: number) {
    this.#exactLimit = exactLimit;
    this.#k = k;
  }

  static create(options: NumericSummaryOptions = {}): NumericSummary {
    const exactLimit = options.exactLimit ?? NUMERIC_DEFAULT_EXACT_LIMIT;
    const k = options.k ?? KLL_DEFAULT_K;
    if (!Number.isInteger(exactLimit) || exactLimit < 0 || exactLimit > MAX_EXACT_LIMIT) {
      throw optionError('exactLimit', `must be an integer in 0..${MAX_EXACT_LIMIT}`, exactLimit);
    }
    if (!Number.isInteger(k) || k < KLL_MIN_K || k > KLL_MAX_K) {
      throw optionError('k', `must be an integer in ${KLL_MIN_K}..${KLL_MAX_K}`, k);
    }
    return new NumericSummary(exactLimit, k);
  }

  get exactLimit(): number {
    return this.#exactLimit;
  }

  get k(): number {
    return this.#k;
  }

  get nullCount(): number {
    return this.#nullCount;
  }

  get nanCount(): number {
    return this.#nanCount;
  }

  get negativeInfinityCount(): number {
    return this.#negInfCount;
  }

  get positiveInfinityCount(): number {
    return this.#posInfCount;
  }

  /** Number of finite values. */
  get count(): number {
    return this.#count;
  }

  /** Every row: null + NaN + ±Infinity + finite. */
  get total(): number {
    return this.#nullCount + this.#nanCount + this.#negInfCount + this.#posInfCount + this.#count;
  }

  /** Smallest finite value; NaN when there is none. */
  get min(): number {
    return this.#min;
  }

  /** Largest finite value; NaN when there is none. */
  get max(): number {
    return this.#max;
  }

  /** Sum of the finite values (compensated). */
  get sum(): number {
    return this.#sum + this.#sumCompensation;
  }

  /** Mean of the finite values; NaN when there is none. */
  get mean(): number {
    return this.#count === 0 ? Number.NaN : this.#mean;
  }

  /** Sum of squared deviations from the mean. */
  get m2(): number {
    return this.#m2;
  }

  /** Sum of squares of the finite values, derived as M2 + n mean^2 (never accumulated directly). */
  get sumOfSquares(): number {
    return this.#m2 + this.#count * this.#mean * this.#mean;
  }

  /** M2 / n; NaN when there is no finite value. */
  get populationVariance(): number {
    return this.#count === 0 ? Number.NaN : this.#m2 / this.#count;
  }

  /** sqrt(M2 / n), the `np.std` that Evidently normalizes Wasserstein by; NaN when there is no finite value. */
  get populationStd(): number {
    return Math.sqrt(this.populationVariance);
  }

  /** The finite values are held exactly (not yet sketched, or sketched without any compaction). */
  get isExact(): boolean {
    return this.#values !== null || this.#sketch!.isExact;
  }

  /** True once the values moved to a KLL sketch. */
  get isSketched(): boolean {
    return this.#values === null;
  }

  /**
   * Adds `values[0..length)`. `validity` is an Arrow LSB-first bitmap from bit 0 (bit i set = value i present; null:
   * all present); values under a cleared bit count as null and are never read as numbers.
   */
  add(values: Float64Array, validity: Uint8Array | null, length: number): void {
    checkColumn(length, values.length, validity, 'values');
    if (scratch.length < Math.min(length, CHUNK)) scratch = new Float64Array(Math.min(length, CHUNK));
    for (let start = 0; start < length; start += CHUNK) {
      this.#addChunk(values, validity, start, Math.min(length, start + CHUNK));
    }
  }

  #addChunk(values: Float64Array, validity: Uint8Array | null, start: number, end: number): void {
    const finite = scratch;
    let n = 0;
    let nulls = 0;
    let nans = 0;
    let negInf = 0;
    let posInf = 0;
    for (let i = start; i < end; i++) {
      if (validity !== null && ((validity[i >> 3]! >> (i & 7)) & 1) === 0) {
        nulls++;
        continue;
      }
      const v = values[i]!;
      if (v - v === 0) finite[n++] = v;
      else if (Number.isNaN(v)) nans++;
      else if (v > 0) posInf++;
      else negInf++;
    }
    this.#nullCount += nulls;
    this.#nanCount += nans;
    this.#negInfCount += negInf;
    this.#posInfCount += posInf;
    if (n === 0) return;

    // Two-pass batch moments, then one Chan merge into the running state.
    let sum = 0;
    let compensation = 0;
    let lo = finite[0]!;
    let hi = lo;
    for (let i = 0; i < n; i++) {
      const v = finite[i]!;
      const t = sum + v;
      compensation += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
      sum = t;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const batchMean = (sum + compensation) / n;
    // Second pass: sum of squared deviations, also compensated (repeated equal terms, as in tied data, would
    // otherwise round the same way every time and drift by ~n ulps).
    let m2 = 0;
    let m2Compensation = 0;
    for (let i = 0; i < n; i++) {
      const d = finite[i]! - batchMean;
      const sq = d * d;
      const t = m2 + sq;
      m2Compensation += m2 >= sq ? m2 - t + sq : sq - t + m2;
      m2 = t;
    }
    this.#mergeMoments(n, lo, hi, sum, compensation, batchMean, m2 + m2Compensation);
    this.#storeValues(finite, n);
  }

  #mergeMoments(
    n: number,
    lo: number,
    hi: number,
    sum: number,
    comp: number,
    mean: number,
    m2: number,
  ): void {
    const na = this.#count;
    if (na === 0) {
      this.#min = lo;
      this.#max = hi;
      this.#mean = mean;
      this.#m2 = m2;
    } else {
      if (lo < this.#min) this.#min = lo;
      if (hi > this.#max) this.#max = hi;
      const total = na + n;
      const delta = mean - this.#mean;
      this.#mean += (delta * n) / total;
      this.#m2 += m2 + ((delta * delta * na) / total) * n;
    }
    this.#count = na + n;
    // Neumaier: add the other sum, then fold both compensations in.
    const t = this.#sum + sum;
    const c = Math.abs(this.#sum) >= Math.abs(sum) ? this.#sum - t + sum : sum - t + this.#sum;
    this.#sum = t;
    this.#sumCompensation += c + comp;
  }

  /** Appends finite values (the moments are already counted): to the exact buffer, converting past the limit. */
  #storeValues(finite: Float64Array, n: number): void {
    const exact = this.#values;
    if (exact === null) {
      this.#sketch!.updateMany(finite, n);
      return;
    }
    const held = this.#count - n;
    if (this.#count > this.#exactLimit) {
      this.#convert(exact, held);
      this.#sketch!.updateMany(finite, n);
      return;
    }
    let buffer = exact;
    if (held + n > buffer.length) {
      buffer = new Float64Array(Math.min(this.#exactLimit, Math.max(held + n, 2 * buffer.length, 64)));
      buffer.set(exact.subarray(0, held));
      this.#values = buffer;
    }
    buffer.set(finite.subarray(0, n), held);
  }

  /** Moves the first `held` exact values into a new KLL sketch. */
  #convert(exact: Float64Array, held: number): void {
    const sketch = new KllSketch({ k: this.#k });
    sketch.updateMany(exact, held);
    this.#sketch = sketch;
    this.#values = null;
  }

  /**
   * Adds `other`'s state into this one; `other` is not modified. Options stay this summary's (merge summaries built
   * with the same options for order-independent results).
   */
  mergeFrom(other: NumericSummary): void {
    if (!(other instanceof NumericSummary)) {
      throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, 'can only merge another NumericSummary');
    }
    const src = other === this ? this.clone() : other;
    this.#nullCount += src.#nullCount;
    this.#nanCount += src.#nanCount;
    this.#negInfCount += src.#negInfCount;
    this.#posInfCount += src.#posInfCount;
    if (src.#count === 0) return;
    const held = this.#count;
    this.#mergeMoments(src.#count, src.#min, src.#max, src.#sum, src.#sumCompensation, src.#mean, src.#m2);
    if (src.#values !== null) {
      const exact = this.#values;
      if (exact !== null && this.#count <= this.#exactLimit) {
        // Both exact and within the limit: concatenate.
        const buffer =
          this.#count > exact.length ? new Float64Array(Math.min(this.#exactLimit, 2 * this.#count)) : exact;
        if (buffer !== exact) buffer.set(exact.subarray(0, held));
        buffer.set(src.#values.subarray(0, src.#count), held);
        this.#values = buffer;
        return;
      }
      if (exact !== null) this.#convert(exact, held);
      this.#sketch!.updateMany(src.#values, src.#count);
      return;
    }
    if (this.#values !== null) this.#convert(this.#values, held);
    this.#sketch!.merge(src.#sketch!);
  }

  /** The finite values ascending (a fresh copy), with weights and the rank-error bound when sketched. */
  sample(): NumericSample {
    if (this.#values !== null) {
      return { values: this.#values.slice(0, this.#count).sort(), weights: null, exact: true, rankError: 0 };
    }
    const sketch = this.#sketch!;
    const { values, weights } = sketch.sortedView();
    if (sketch.isExact) return { values, weights: null, exact: true, rankError: 0 };
    return { values, weights, exact: false, rankError: sketch.rankError };
  }

  clone(): NumericSummary {
    const copy = new NumericSummary(this.#exactLimit, this.#k);
    copy.#nullCount = this.#nullCount;
    copy.#nanCount = this.#nanCount;
    copy.#negInfCount = this.#negInfCount;
    copy.#posInfCount = this.#posInfCount;
    copy.#count = this.#count;
    copy.#min = this.#min;
    copy.#max = this.#max;
    copy.#sum = this.#sum;
    copy.#sumCompensation = this.#sumCompensation;
    copy.#mean = this.#mean;
    copy.#m2 = this.#m2;
    copy.#values = this.#values === null ? null : this.#values.slice(0, this.#count);
    copy.#sketch = this.#sketch === null ? null : this.#sketch.clone();
    return copy;
  }

  /**
   * Layout after the frame header: u32 exactLimit, u16 k, varUint null, NaN, -inf, +inf and finite counts, f64 min,
   * max, sum, sum compensation, mean, M2, u8 mode; then mode 0 (exact): the finite values as f64 in arrival order;
   * mode 1 (sketched): the KLL frame as a length-prefixed blob.
   */
  serialize(): Uint8Array {
    const sketchBytes = this.#sketch === null ? null : this.#sketch.serialize();
    const w = new ByteWriter(
      SerialKind.NUMERIC_SUMMARY,
      96 + (sketchBytes === null ? this.#count * 8 : sketchBytes.length + 4),
    );
    w.u32(this.#exactLimit);
    w.u16(this.#k);
    w.varUint(this.#nullCount);
    w.varUint(this.#nanCount);
    w.varUint(this.#negInfCount);
    w.varUint(this.#posInfCount);
    w.varUint(this.#count);
    w.f64(this.#count === 0 ? Number.NaN : this.#min);
    w.f64(this.#count === 0 ? Number.NaN : this.#max);
    w.f64(this.#sum);
    w.f64(this.#sumCompensation);
    w.f64(this.#mean);
    w.f64(this.#m2);
    if (sketchBytes === null) {
      w.u8(0);
      w.f64Array(this.#values!, 0, this.#count);
    } else {
      w.u8(1);
      w.blob(sketchBytes);
    }
    return w.finish();
  }

  static deserialize(bytes: Uint8Array): NumericSummary {
    const r = new ByteReader(bytes, SerialKind.NUMERIC_SUMMARY);
    const exactLimit = r.u32('exactLimit');
    const k = r.u16('k');
    if (exactLimit > MAX_EXACT_LIMIT) throw r.fail(`exactLimit ${exactLimit} exceeds ${MAX_EXACT_LIMIT}`);
    if (k < KLL_MIN_K) throw r.fail(`k ${k} is below ${KLL_MIN_K}`);
    const summary = new NumericSummary(exactLimit, k);
    summary.#nullCount = r.varUint('null count');
    summary.#nanCount = r.varUint('NaN count');
    summary.#negInfCount = r.varUint('-Infinity count');
    summary.#posInfCount = r.varUint('+Infinity count');
    const count = r.varUint('finite count');
    const min = r.f64('min');
    const max = r.f64('max');
    const sum = r.f64('sum');
    const sumCompensation = r.f64('sum compensation');
    const mean = r.f64('mean');
    const m2 = r.f64('M2');
    const mode = r.u8('mode');
    if (count === 0) {
      if (!Number.isNaN(min) || !Number.isNaN(max) || sum !== 0 || mean !== 0 || m2 !== 0) {
        throw r.fail('a summary without finite values must have NaN min/max and zero moments');
      }
    } else if (!(min - min === 0 && max - max === 0 && min <= max)) {
      throw r.fail(`min ${min} and max ${max} are not finite and ordered`);
    } else if (!(m2 >= 0) || Number.isNaN(mean) || Number.isNaN(sum) || Number.isNaN(sumCompensation)) {
      throw r.fail('moments are not valid numbers');
    }
    if (mode === 0) {
      if (count > exactLimit) throw r.fail(`${count} exact values exceed the exactLimit ${exactLimit}`);
      const values = r.f64Array(count, 'exact values');
      for (let i = 0; i < count; i++) {
        const v = values[i]!;
        if (!(v >= min && v <= max)) throw r.fail(`exact value ${v} lies outside [min, max]`);
      }
      summary.#values = values;
    } else if (mode === 1) {
      const sketch = KllSketch.deserialize(r.blob('KLL sketch'));
      if (sketch.n !== count) throw r.fail(`sketch holds ${sketch.n} values, not the finite count ${count}`);
      if (sketch.k !== k) throw r.fail(`sketch k ${sketch.k} differs from the summary's k ${k}`);
      if (count > 0 && (sketch.min !== min || sketch.max !== max)) {
        throw r.fail('sketch min/max differ from the summary');
      }
      summary.#values = null;
      summary.#sketch = sketch;
    } else {
      throw r.fail(`unknown mode ${mode}`);
    }
    r.finish();
    summary.#count = count;
    summary.#min = min;
    summary.#max = max;
    summary.#sum = sum;
    summary.#sumCompensation = sumCompensation;
    summary.#mean = mean;
    summary.#m2 = m2;
    return summary;
  }
}
