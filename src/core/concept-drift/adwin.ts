import {
  type ConceptDriftDetector,
  checkFinite,
  checkInteger,
  checkNumber,
  type DetectorState,
  mergeOptions,
} from './detector.ts';

export interface AdwinOptions {
  /** Confidence δ of the cut test: smaller means fewer false alarms and later detections. In (0, 1). */
  delta: number;
  /** The window is checked for a cut every `clock` values (ADWIN2's check period). */
  clock: number;
  /** Summaries kept per bucket row before the two oldest are merged into the next row (M in the paper). */
  maxBuckets: number;
  /** Both sub-windows must hold at least this many values for a cut to be tested. */
  minWindowLength: number;
  /** No cut is tested while the window holds at most this many values. */
  gracePeriod: number;
}

/**
 * Defaults of ADWIN: Bifet, Gavaldà, "Learning from Time-Changing Data with Adaptive Windowing", SDM 2007 (the
 * ADWIN2 variant with exponential histograms), with River's parameter values (river/drift/adwin.py; the algorithm
 * itself lives in rust_src/adwin.rs since River 0.23, river/drift/adwin_c.pyx before).
 */
export const ADWIN_DEFAULTS: Readonly<AdwinOptions> = Object.freeze({
  delta: 0.002,
  clock: 32,
  maxBuckets: 5,
  minWindowLength: 5,
  gracePeriod: 10,
});

const NAME = 'adwin';
const INITIAL_ROWS = 16;

/**
 * ADaptive WINdowing on a real-valued stream (for an error stream: 0/1). ADWIN keeps a window of recent values as an
 * exponential histogram and, every `clock` values, tests every boundary between bucket summaries as a cut into an
 * older part W0 and a newer part W1: when |mean(W0) − mean(W1)| exceeds
 *   ε = sqrt(2 m' σ²_W δ') + (2/3) δ' m',   δ' = ln(2 ln|W| / δ),   m' = 1/(n0 − L + 1) + 1/(n1 − L + 1)
 * (L = minWindowLength, σ²_W the window's variance), the oldest bucket is dropped and the test starts again on the
 * shrunk window. A drift is reported when at least one bucket was dropped during the check; as River does, the
 * whole detector is then reset before the next value.
 *
 * Layout and invariants: bucket row r summarises 2^r values per entry; row r holds `rowSize[r]` ≤ maxBuckets
 * entries between updates (maxBuckets + 1 transiently, which triggers the merge of its two oldest entries into row
 * r + 1). Entries of a row are stored oldest first at `r * (maxBuckets + 1) + k` in two Float64Arrays: the sum of
 * the values and the sum of squared deviations from their mean. Rows beyond `rows` are zero. `width` is the number
 * of values in the window (Σ 2^r · rowSize[r]), `total` their sum and `variance` their sum of squared deviations,
 * all kept incrementally (Welford on insertion, the parallel formula on merges and deletions) with the same
 * floating-point operations in the same order as River, so cuts happen at the same indices. The arrays double
 * when the number of rows reaches their capacity (about log2(width) rows), so an update allocates nothing else.
 */
export class Adwin implements ConceptDriftDetector {
  readonly name = NAME;
  readonly options: Readonly<AdwinOptions>;

  readonly #slots: number; // entries per row: maxBuckets + 1
  #totals: Float64Array;
  #variances: Float64Array;
  #rowSize: Int32Array;
  #rows = 1;

  #width = 0;
  #total = 0;
  #variance = 0;
  #tick = 0;
  #drift = false;

  constructor(options?: Partial<AdwinOptions>) {
    const o = mergeOptions(NAME, ADWIN_DEFAULTS, options);
    checkNumber(NAME, 'delta', o.delta, { lower: 0, lowerOpen: true, upper: 1, upperOpen: true });
    checkInteger(NAME, 'clock', o.clock, 1);
    checkInteger(NAME, 'maxBuckets', o.maxBuckets, 1, 1 << 16);
    checkInteger(NAME, 'minWindowLength', o.minWindowLength, 1);
    checkInteger(NAME, 'gracePeriod', o.gracePeriod, 0);
    this.options = Object.freeze(o);
    this.#slots = o.maxBuckets + 1;
    this.#totals = new Float64Array(INITIAL_ROWS * this.#slots);
    this.#variances = new Float64Array(INITIAL_ROWS * this.#slots);
    this.#rowSize = new Int32Array(INITIAL_ROWS);
  }

  get driftDetected(): boolean {
    return this.#drift;
  }

  /** ADWIN has no warning zone. */
  get warningDetected(): boolean {
    return false;
  }

  /** Number of values in the current window. */
  get width(): number {
    return this.#width;
  }

  /** Sum of the values in the current window. */
  get total(): number {
    return this.#total;
  }

  /** Mean of the current window (0 when it is empty). */
  get estimation(): number {
    return this.#width === 0 ? 0 : this.#total / this.#width;
  }

  /** Population variance of the current window (0 when it is empty). */
  get variance(): number {
    return this.#width === 0 ? 0 : this.#variance / this.#width;
  }

  reset(): void {
    this.#totals.fill(0);
    this.#variances.fill(0);
    this.#rowSize.fill(0);
    this.#rows = 1;
    this.#width = 0;
    this.#total = 0;
    this.#variance = 0;
    this.#tick = 0;
    this.#drift = false;
  }

  update(x: number): DetectorState {
    const value = checkFinite(NAME, x);
    if (this.#drift) this.reset();
    this.#insert(value);
    this.#drift = this.#detectChange();
    return this.#drift ? 'drift' : 'none';
  }

  #insert(value: number): void {
    this.#append(0, value, 0);
    this.#width += 1;
    let incremental = 0;
    if (this.#width > 1) {
      const d = value - this.#total / (this.#width - 1);
      incremental = ((this.#width - 1) * d * d) / this.#width;
    }
    this.#variance += incremental;
    this.#total += value;
    this.#mergeFullRows();
  }

  #append(row: number, total: number, variance: number): void {
    const at = row * this.#slots + this.#rowSize[row]!;
    this.#totals[at] = total;
    this.#variances[at] = variance;
    this.#rowSize[row]! += 1;
  }

  /**
   * Drops the `count` oldest entries of `row`, shifting the rest to the front and zeroing the freed tail. Rows hold
   * at most maxBuckets + 1 entries, so plain loops beat copyWithin/fill, whose call overhead dominates here.
   */
  #dropOldest(row: number, count: number): void {
    const base = row * this.#slots;
    const size = this.#rowSize[row]!;
    const totals = this.#totals;
    const variances = this.#variances;
    const kept = size - count;
    for (let k = 0; k < kept; k++) {
      totals[base + k] = totals[base + k + count]!;
      variances[base + k] = variances[base + k + count]!;
    }
    for (let k = kept; k < size; k++) {
      totals[base + k] = 0;
      variances[base + k] = 0;
    }
    this.#rowSize[row] = kept;
  }

  /** Merges the two oldest entries of every overflowing row (maxBuckets + 1 entries) into the next row. */
  #mergeFullRows(): void {
    const max = this.options.maxBuckets;
    for (let row = 0; this.#rowSize[row] === max + 1; row++) {
      const n = 2 ** row;
      const base = row * this.#slots;
      const t0 = this.#totals[base]!;
      const t1 = this.#totals[base + 1]!;
      const v0 = this.#variances[base]!;
      const v1 = this.#variances[base + 1]!;
      const mu0 = t0 / n;
      const mu1 = t1 / n;
      const mergedVariance = v0 + v1 + n * 0.5 * (mu0 - mu1) * (mu0 - mu1);
      if (row + 1 >= this.#rows) this.#addRow();
      this.#append(row + 1, t0 + t1, mergedVariance);
      this.#dropOldest(row, 2);
      if (this.#rowSize[row + 1]! <= max) break;
    }
  }

  #addRow(): void {
    if (this.#rows === this.#rowSize.length) {
      const capacity = this.#rowSize.length * 2;
      const totals = new Float64Array(capacity * this.#slots);
      totals.set(this.#totals);
      this.#totals = totals;
      const variances = new Float64Array(capacity * this.#slots);
      variances.set(this.#variances);
      this.#variances = variances;
      const sizes = new Int32Array(capacity);
      sizes.set(this.#rowSize);
      this.#rowSize = sizes;
    }
    this.#rows += 1;
  }

  /** Removes the oldest entry of the oldest row from the window and its statistics. */
  #deleteOldest(): void {
    const last = this.#rows - 1;
    const n = 2 ** last;
    const base = last * this.#slots;
    const u = this.#totals[base]!;
    const v = this.#variances[base]!;
    const mu = u / n;
    this.#width -= n;
    this.#total -= u;
    const muWindow = this.#total / this.#width;
    this.#variance -= v + (n * this.#width * (mu - muWindow) * (mu - muWindow)) / (n + this.#width);
    this.#dropOldest(last, 1);
    if (this.#rowSize[last] === 0 && last > 0) this.#rows -= 1;
  }

  /**
   * Every `clock` values, once the window is past the grace period: scan the cuts from the oldest entry to the
   * newest; at the first cut whose means differ by more than ε, drop the oldest entry and scan again. The scan never
   * tests the cut after the newest entry (W1 would be empty).
   */
  #detectChange(): boolean {
    this.#tick += 1;
    if (this.#tick % this.options.clock !== 0 || !(this.#width > this.options.gracePeriod)) return false;
    const minLength = this.options.minWindowLength;
    let changed = false;
    let again = true;
    while (again) {
      again = false;
      // δ' and σ²_W depend only on the window, which changes only when a cut is found and the scan restarts.
      const deltaPrime = Math.log((2 * Math.log(this.#width)) / this.options.delta);
      const windowVariance = this.#variance / this.#width;
      let n0 = 0;
      let n1 = this.#width;
      let u0 = 0;
      let u1 = this.#total;
      scan: for (let row = this.#rows - 1; row >= 0; row--) {
        const size = 2 ** row;
        const entries = this.#rowSize[row]!;
        const base = row * this.#slots;
        for (let k = 0; k < entries; k++) {
          n0 += size;
          n1 -= size;
          const t = this.#totals[base + k]!;
          u0 += t;
          u1 -= t;
          if (row === 0 && k === entries - 1) break scan;
          if (n1 < minLength || n0 < minLength) continue;
          const mRecip = 1 / (n0 - minLength + 1) + 1 / (n1 - minLength + 1);
          const epsilon = Math.sqrt(2 * mRecip * windowVariance * deltaPrime) + (2 / 3) * deltaPrime * mRecip;
          if (Math.abs(u0 / n0 - u1 / n1) > epsilon) {
            changed = true;
            again = true;
            // The window is never empty here (W1 holds at least the newest entry), so there is always an
            // oldest entry to drop.
            this.#deleteOldest();
            break scan;
          }
        }
      }
    }
    return changed;
  }
}
