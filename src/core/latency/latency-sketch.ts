import { DriftwatchError, ErrorCodes, optionError } from '../../errors.ts';
import { ByteReader, ByteWriter, SerialKind } from '../sketches/byte-codec.ts';

/**
 * Relative-error quantile sketch for latencies: DDSketch (Masson, Rim, Lee, "DDSketch: a fast and fully-mergeable
 * quantile sketch with relative-error guarantees", PVLDB 12(12), 2019), with the logarithmic mapping and a dense
 * store that collapses its lowest buckets, i.e. the semantics of the `ddsketch` Python package's
 * LogCollapsingLowestDenseDDSketch (DataDog's reference implementation), reimplemented from the paper and that
 * package's documented behaviour.
 *
 * Mapping (relative accuracy α, default 0.01): γ = 1 + 2α/(1 − α); a value v > 0 goes to bucket
 * key(v) = ceil(log2(v) · m) with m = ln 2 / ln γ, so bucket k holds (γ^(k−1), γ^k]; the bucket's value is
 * 2γ^k/(1 + γ), which is within relative error α of every value in the bucket. Both are computed with the same
 * floating-point operations as the reference (log2 as ln v / ln 2, m as (1/log1p(γ − 1))·ln 2, value as
 * 2^(k/m)·(2/(1 + γ))), so keys and values agree with it.
 *
 * Values, in the order they are classified:
 * - NaN: counted in `nanCount`, not in the sketch.
 * - |v| <= minIndexable (= 2.2250738585072014e-308 · γ, the smallest normal double times γ), including ±0: the zero
 *   bucket, reported as exactly 0 (as the reference).
 * - v < −minIndexable (including −Infinity): counted in `negativeCount`, not in the sketch. A negative latency is a
 *   clock or producer bug, so it is reported apart rather than mixed into the quantiles (the reference keeps a
 *   mirrored store for negatives; on non-negative data the two agree exactly).
 * - v > maxIndexable (= Number.MAX_VALUE / γ, including +Infinity): counted in `overflowCount`, not in the sketch (the
 *   reference cannot map them either).
 * - otherwise: bucket key(v).
 * `count` is the zero bucket plus the bucketed values; min, max and the (Neumaier-compensated) sum are over them.
 *
 * Bounded size: at most `binLimit` (default 2048, the reference's default) buckets. Whenever the keys seen span more
 * than binLimit (maxKey − minKey + 1 > binLimit), every bucket below maxKey − binLimit + 1 is folded into that bucket
 * (the lowest ones are collapsed, keeping the accuracy of the high quantiles that latency monitoring reads). The final
 * buckets depend only on the multiset of keys added, never on the order of adds and merges, which is why merging
 * partial sketches in any order gives identical bytes. At α = 0.01, 2048 buckets span a ratio γ^2048 ≈ 5.8e17 between
 * the smallest and largest latency, so collapsing does not happen on real latencies.
 *
 * Quantile (the reference's get_quantile_value): rank r = q·(count − 1); if r < zeroCount the answer is 0; otherwise
 * the value of the first bucket (ascending) whose cumulative count exceeds r − zeroCount. That is the bucket holding
 * the order statistic x_(⌊r⌋) (0-based), numpy.quantile's method="lower". Error bound: for every q, the answer is
 * within relative error α of x_(⌊q·(n−1)⌋), |answer − x| <= α·x, except (1) when the rank falls in the lowest bucket
 * of a collapsed sketch (`quantileGuaranteed(q)` is false there) and (2) when the true value is in the zero bucket
 * (then the answer is 0, an absolute error below minIndexable). Floating-point rounding of the bucket value adds at
 * most a few ulps to α. The answer is not clamped to [min, max] (the reference does not clamp either).
 */

export const LATENCY_DEFAULT_RELATIVE_ACCURACY = 0.01;
export const LATENCY_MIN_RELATIVE_ACCURACY = 1e-6;
export const LATENCY_MAX_RELATIVE_ACCURACY = 0.5;
export const LATENCY_DEFAULT_BIN_LIMIT = 2048;
export const LATENCY_MIN_BIN_LIMIT = 8;
export const LATENCY_MAX_BIN_LIMIT = 1 << 20;

/**
 * Kind byte of a serialized LatencySketch. Not (yet) a member of SerialKind in byte-codec.ts, which this module does
 * not own; it must be registered there under the same value (and never reused).
 */
export const LATENCY_SKETCH_SERIAL_KIND = SerialKind.LATENCY_SKETCH;

/** Smallest positive normal double (Python's sys.float_info.min). */
const MIN_NORMAL = 2.2250738585072014e-308;
/** Mapping id in the serialized form: 1 = logarithmic (the only one). */
const MAPPING_LOGARITHMIC = 1;
const FLAG_COLLAPSED = 1;

export interface LatencySketchOptions {
  /** α in [1e-6, 0.5]; default 0.01 (every quantile within 1% of the true value of its rank). */
  relativeAccuracy?: number;
  /** Most buckets kept, 8..2^20; default 2048. */
  binLimit?: number;
}

export interface LatencyBuckets {
  /** Keys of the non-empty buckets, ascending. */
  keys: Int32Array;
  /** Count of each bucket (integers). */
  counts: Float64Array;
}

function checkOptions(alpha: number, binLimit: number): void {
  if (
    typeof alpha !== 'number' ||
    !(alpha >= LATENCY_MIN_RELATIVE_ACCURACY && alpha <= LATENCY_MAX_RELATIVE_ACCURACY)
  ) {
    throw optionError(
      'relativeAccuracy',
      `must be a number in [${LATENCY_MIN_RELATIVE_ACCURACY}, ${LATENCY_MAX_RELATIVE_ACCURACY}]`,
      alpha,
    );
  }
  if (!Number.isInteger(binLimit) || binLimit < LATENCY_MIN_BIN_LIMIT || binLimit > LATENCY_MAX_BIN_LIMIT) {
    throw optionError(
      'binLimit',
      `must be an integer in ${LATENCY_MIN_BIN_LIMIT}..${LATENCY_MAX_BIN_LIMIT}`,
      binLimit,
    );
  }
}

export class LatencySketch {
  readonly #alpha: number;
  readonly #binLimit: number;
  readonly #gamma: number;
  readonly #multiplier: number;
  /** 2 / (1 + γ): a bucket's value is γ^k times this. */
  readonly #valueScale: number;
  readonly #minIndexable: number;
  readonly #maxIndexable: number;
  #zeroCount = 0;
  #nanCount = 0;
  #negativeCount = 0;
  #overflowCount = 0;
  /** Sum of the bucket counts (values in the store, zero bucket excluded). */
  #storeCount = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = Number.NEGATIVE_INFINITY;
  #sum = 0;
  #sumCompensation = 0;
  /**
   * Bucket counts: #bins[i] is key #offset + i. Invariant: when #storeCount > 0, every non-zero count lies in
   * [#minKey, #maxKey], #maxKey − #minKey + 1 <= binLimit, and [#minKey, #maxKey] is inside the array.
   */
  #bins = new Float64Array(0);
  #offset = 0;
  #minKey = 0;
  #maxKey = -1;
  #collapsed = false;

  private constructor(alpha: number, binLimit: number) {
    this.#alpha = alpha;
    this.#binLimit = binLimit;
    const gammaMantissa = (2 * alpha) / (1 - alpha);
    this.#gamma = 1 + gammaMantissa;
    this.#multiplier = (1 / Math.log1p(gammaMantissa)) * Math.LN2;
    this.#valueScale = 2 / (1 + this.#gamma);
    this.#minIndexable = MIN_NORMAL * this.#gamma;
    this.#maxIndexable = Number.MAX_VALUE / this.#gamma;
  }

  static create(options: LatencySketchOptions = {}): LatencySketch {
    const alpha = options.relativeAccuracy ?? LATENCY_DEFAULT_RELATIVE_ACCURACY;
    const binLimit = options.binLimit ?? LATENCY_DEFAULT_BIN_LIMIT;
    checkOptions(alpha, binLimit);
    return new LatencySketch(alpha, binLimit);
  }

  /** α: every guaranteed quantile is within this relative error of the true value of its rank. */
  get relativeAccuracy(): number {
    return this.#alpha;
  }

  get binLimit(): number {
    return this.#binLimit;
  }

  /** γ = 1 + 2α/(1 − α), the ratio between consecutive bucket bounds. */
  get gamma(): number {
    return this.#gamma;
  }

  /** ln 2 / ln γ: key(v) = ceil(log2(v) · multiplier). */
  get multiplier(): number {
    return this.#multiplier;
  }

  /** Values with |v| at most this go to the zero bucket. */
  get minIndexable(): number {
    return this.#minIndexable;
  }

  /** Values above this are counted in overflowCount. */
  get maxIndexable(): number {
    return this.#maxIndexable;
  }

  /** Values in the sketch: the zero bucket plus the bucketed values. */
  get count(): number {
    return this.#zeroCount + this.#storeCount;
  }

  get zeroCount(): number {
    return this.#zeroCount;
  }

  get nanCount(): number {
    return this.#nanCount;
  }

  /** Values below −minIndexable, −Infinity included; not in the sketch. */
  get negativeCount(): number {
    return this.#negativeCount;
  }

  /** Values above maxIndexable, +Infinity included; not in the sketch. */
  get overflowCount(): number {
    return this.#overflowCount;
  }

  /** Every value added: count + NaN + negative + overflow. */
  get total(): number {
    return this.count + this.#nanCount + this.#negativeCount + this.#overflowCount;
  }

  /** Exact smallest value in the sketch; NaN when empty. */
  get min(): number {
    return this.count === 0 ? Number.NaN : this.#min;
  }

  /** Exact largest value in the sketch; NaN when empty. */
  get max(): number {
    return this.count === 0 ? Number.NaN : this.#max;
  }

  /** Sum of the values in the sketch (compensated). */
  get sum(): number {
    return this.#sum + this.#sumCompensation;
  }

  /** sum / count; NaN when empty. */
  get mean(): number {
    return this.count === 0 ? Number.NaN : this.sum / this.count;
  }

  /** True once some bucket was folded into a higher one (the low quantiles may have lost their guarantee). */
  get isCollapsed(): boolean {
    return this.#collapsed;
  }

  /** Number of non-empty buckets (the zero bucket not included). */
  get bucketCount(): number {
    let n = 0;
    for (let k = this.#minKey; k <= this.#maxKey; k++) if (this.#bins[k - this.#offset]! !== 0) n++;
    return n;
  }

  /** The bucket key of a value in (minIndexable, maxIndexable]. */
  keyOf(value: number): number {
    return Math.ceil((Math.log(value) / Math.LN2) * this.#multiplier);
  }

  /** The value a bucket reports: 2γ^k/(1 + γ), computed as 2^(k/multiplier) · (2/(1 + γ)). */
  valueOf(key: number): number {
    return 2 ** (key / this.#multiplier) * this.#valueScale;
  }

  add(value: number): void {
    if (value > this.#minIndexable) {
      if (value > this.#maxIndexable) {
        this.#overflowCount++;
        return;
      }
      this.#addKey(this.keyOf(value), 1);
    } else if (value >= -this.#minIndexable) {
      this.#zeroCount++;
    } else {
      if (Number.isNaN(value)) this.#nanCount++;
      else this.#negativeCount++;
      return;
    }
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
    const t = this.#sum + value;
    this.#sumCompensation +=
      Math.abs(this.#sum) >= Math.abs(value) ? this.#sum - t + value : value - t + this.#sum;
    this.#sum = t;
  }

  /** Adds values[0..length). */
  addMany(values: Float64Array, length: number = values.length): void {
    if (!(values instanceof Float64Array)) {
      throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, 'addMany expects a Float64Array');
    }
    if (!Number.isInteger(length) || length < 0 || length > values.length) {
      throw new DriftwatchError(
        ErrorCodes.STATISTIC_INPUT,
        `length ${length} is not an integer in 0..${values.length}`,
        { length, available: values.length },
      );
    }
    for (let i = 0; i < length; i++) this.add(values[i]!);
  }

  /** Adds `weight` (a positive integer) to bucket `key`, extending or collapsing the store as needed. */
  #addKey(key: number, weight: number): void {
    if (this.#storeCount === 0) {
      this.#layout(key, key);
    } else if (key < this.#minKey || key > this.#maxKey) {
      this.#cover(key, key);
    }
    const k = key < this.#minKey ? this.#minKey : key;
    this.#bins[k - this.#offset]! += weight;
    this.#storeCount += weight;
  }

  /**
   * Makes the store's key range include [lo, hi] (a non-empty store): extends it, or, when the union would span more
   * than binLimit keys, moves its lower end to maxKey − binLimit + 1 and folds everything below into that bucket.
   * Keys below the new minKey must then be added at minKey (#addKey and mergeFrom do so).
   */
  #cover(lo: number, hi: number): void {
    let newMin = Math.min(lo, this.#minKey);
    const newMax = Math.max(hi, this.#maxKey);
    if (newMax - newMin + 1 > this.#binLimit) {
      newMin = newMax - this.#binLimit + 1;
      this.#collapsed = true;
    }
    if (newMin >= this.#offset && newMax < this.#offset + this.#bins.length && newMin <= this.#minKey) {
      this.#minKey = newMin;
      this.#maxKey = newMax;
      return;
    }
    this.#layout(newMin, newMax);
  }

  /**
   * Reallocates the bins to cover [lo, hi] (hi − lo + 1 <= binLimit) with room to grow, copying the current counts;
   * counts of keys below lo are folded into lo.
   */
  #layout(lo: number, hi: number): void {
    const span = hi - lo + 1;
    // Room to grow: double the span (at least 64 buckets), never more than the limit; centred on the range.
    const capacity = Math.min(this.#binLimit, Math.max(64, 2 * span));
    const offset = lo - Math.floor((capacity - span) / 2);
    const bins = new Float64Array(capacity);
    if (this.#storeCount > 0) {
      let folded = 0;
      for (let k = this.#minKey; k <= this.#maxKey; k++) {
        const c = this.#bins[k - this.#offset]!;
        if (c === 0) continue;
        if (k < lo) folded += c;
        else bins[k - offset] = c;
      }
      bins[lo - offset]! += folded;
    }
    this.#bins = bins;
    this.#offset = offset;
    this.#minKey = lo;
    this.#maxKey = hi;
  }

  /** The reference's key_at_rank (lower): the first key whose cumulative count exceeds `rank`; maxKey if none. */
  #keyAtRank(rank: number): number {
    let running = 0;
    for (let k = this.#minKey; k <= this.#maxKey; k++) {
      running += this.#bins[k - this.#offset]!;
      if (running > rank) return k;
    }
    return this.#maxKey;
  }

  #checkQ(q: number): void {
    if (typeof q !== 'number' || !(q >= 0 && q <= 1)) {
      throw optionError('q', 'must be a number in [0, 1]', q);
    }
  }

  /**
   * Estimate of the order statistic x_(⌊q·(count − 1)⌋) (0-based; numpy's method="lower"), within relative error α
   * when `quantileGuaranteed(q)`. NaN when the sketch is empty; q outside [0, 1] throws DW_INVALID_OPTION.
   */
  quantile(q: number): number {
    this.#checkQ(q);
    const n = this.count;
    if (n === 0) return Number.NaN;
    const rank = q * (n - 1);
    if (rank < this.#zeroCount) return 0;
    return this.valueOf(this.#keyAtRank(rank - this.#zeroCount));
  }

  /** quantile(q) for each q. */
  quantiles(qs: readonly number[]): Float64Array {
    return Float64Array.from(qs, (q) => this.quantile(q));
  }

  /**
   * Whether quantile(q) carries the relative-error guarantee: false only on a collapsed sketch when the rank falls in
   * its lowest bucket (which also holds the folded counts). An empty sketch guarantees nothing.
   */
  quantileGuaranteed(q: number): boolean {
    this.#checkQ(q);
    const n = this.count;
    if (n === 0) return false;
    const rank = q * (n - 1);
    if (rank < this.#zeroCount || !this.#collapsed) return true;
    return this.#keyAtRank(rank - this.#zeroCount) !== this.#minKey;
  }

  /** The non-empty buckets, ascending by key (a copy). */
  buckets(): LatencyBuckets {
    const n = this.bucketCount;
    const keys = new Int32Array(n);
    const counts = new Float64Array(n);
    let j = 0;
    for (let k = this.#minKey; k <= this.#maxKey; k++) {
      const c = this.#bins[k - this.#offset]!;
      if (c === 0) continue;
      keys[j] = k;
      counts[j++] = c;
    }
    return { keys, counts };
  }

  /**
   * Adds `other` into this sketch; `other` is unchanged. Both must have the same relative accuracy and bin limit
   * (else DW_STATISTIC_INPUT): the result then equals the sketch of all values added to either, bucket for bucket,
   * whatever the order of merges.
   */
  mergeFrom(other: LatencySketch): void {
    if (!(other instanceof LatencySketch)) {
      throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, 'can only merge another LatencySketch');
    }
    if (other.#alpha !== this.#alpha || other.#binLimit !== this.#binLimit) {
      throw new DriftwatchError(
        ErrorCodes.STATISTIC_INPUT,
        `cannot merge latency sketches with different parameters (relativeAccuracy ${this.#alpha} vs ${other.#alpha}, ` +
          `binLimit ${this.#binLimit} vs ${other.#binLimit})`,
        {
          relativeAccuracy: [this.#alpha, other.#alpha],
          binLimit: [this.#binLimit, other.#binLimit],
        },
      );
    }
    const src = other === this ? other.clone() : other;
    this.#zeroCount += src.#zeroCount;
    this.#nanCount += src.#nanCount;
    this.#negativeCount += src.#negativeCount;
    this.#overflowCount += src.#overflowCount;
    if (src.#min < this.#min) this.#min = src.#min;
    if (src.#max > this.#max) this.#max = src.#max;
    const t = this.#sum + src.#sum;
    const c = Math.abs(this.#sum) >= Math.abs(src.#sum) ? this.#sum - t + src.#sum : src.#sum - t + this.#sum;
    this.#sum = t;
    this.#sumCompensation += c + src.#sumCompensation;
    if (src.#collapsed) this.#collapsed = true;
    if (src.#storeCount === 0) return;
    if (this.#storeCount === 0) this.#layout(src.#minKey, src.#maxKey);
    else this.#cover(src.#minKey, src.#maxKey);
    for (let k = src.#minKey; k <= src.#maxKey; k++) {
      const count = src.#bins[k - src.#offset]!;
      if (count === 0) continue;
      this.#bins[(k < this.#minKey ? this.#minKey : k) - this.#offset]! += count;
    }
    this.#storeCount += src.#storeCount;
  }

  clone(): LatencySketch {
    const copy = new LatencySketch(this.#alpha, this.#binLimit);
    copy.#zeroCount = this.#zeroCount;
    copy.#nanCount = this.#nanCount;
    copy.#negativeCount = this.#negativeCount;
    copy.#overflowCount = this.#overflowCount;
    copy.#storeCount = this.#storeCount;
    copy.#min = this.#min;
    copy.#max = this.#max;
    copy.#sum = this.#sum;
    copy.#sumCompensation = this.#sumCompensation;
    copy.#bins = this.#bins.slice();
    copy.#offset = this.#offset;
    copy.#minKey = this.#minKey;
    copy.#maxKey = this.#maxKey;
    copy.#collapsed = this.#collapsed;
    return copy;
  }

  /**
   * Frame (byte-codec.ts) of kind LATENCY_SKETCH_SERIAL_KIND. Payload: u8 mapping (1 = logarithmic), f64 α, u32
   * binLimit, varUint zero, NaN, negative and overflow counts, u8 flags (bit 0: collapsed), f64 min, max, sum, sum
   * compensation (min/max NaN when empty), varUint number of non-empty buckets B; then B times: the key (first as
   * zigzag varUint, then the varUint gap to the previous key) and its count as varUint. Equal sketches give equal
   * bytes.
   */
  serialize(): Uint8Array {
    const { keys, counts } = this.buckets();
    const w = new ByteWriter(LATENCY_SKETCH_SERIAL_KIND, 80 + keys.length * 4);
    w.u8(MAPPING_LOGARITHMIC);
    w.f64(this.#alpha);
    w.u32(this.#binLimit);
    w.varUint(this.#zeroCount);
    w.varUint(this.#nanCount);
    w.varUint(this.#negativeCount);
    w.varUint(this.#overflowCount);
    w.u8(this.#collapsed ? FLAG_COLLAPSED : 0);
    w.f64(this.min);
    w.f64(this.max);
    w.f64(this.#sum);
    w.f64(this.#sumCompensation);
    w.varUint(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      w.varUint(i === 0 ? (k >= 0 ? 2 * k : -2 * k - 1) : k - keys[i - 1]!);
      w.varUint(counts[i]!);
    }
    return w.finish();
  }

  /** Decodes a frame written by serialize(); malformed or inconsistent content throws DW_STATISTIC_INPUT. */
  static deserialize(bytes: Uint8Array): LatencySketch {
    const r = new ByteReader(bytes, LATENCY_SKETCH_SERIAL_KIND);
    const mapping = r.u8('mapping');
    if (mapping !== MAPPING_LOGARITHMIC) throw r.fail(`unknown mapping ${mapping}`);
    const alpha = r.f64('relativeAccuracy');
    const binLimit = r.u32('binLimit');
    try {
      checkOptions(alpha, binLimit);
    } catch (error) {
      throw r.fail((error as Error).message);
    }
    const sketch = new LatencySketch(alpha, binLimit);
    sketch.#zeroCount = r.varUint('zero count');
    sketch.#nanCount = r.varUint('NaN count');
    sketch.#negativeCount = r.varUint('negative count');
    sketch.#overflowCount = r.varUint('overflow count');
    const flags = r.u8('flags');
    if ((flags & ~FLAG_COLLAPSED) !== 0) throw r.fail(`unknown flags ${flags}`);
    sketch.#collapsed = (flags & FLAG_COLLAPSED) !== 0;
    const min = r.f64('min');
    const max = r.f64('max');
    sketch.#sum = r.f64('sum');
    sketch.#sumCompensation = r.f64('sum compensation');
    const buckets = r.count('bucket count', 2, binLimit);
    // Keys of values in (minIndexable, maxIndexable]; anything outside cannot come from add().
    const lowestKey = sketch.keyOf(sketch.#minIndexable);
    const highestKey = sketch.keyOf(sketch.#maxIndexable);
    const keys = new Float64Array(buckets);
    const counts = new Float64Array(buckets);
    let storeCount = 0;
    for (let i = 0; i < buckets; i++) {
      const raw = r.varUint('bucket key');
      let key: number;
      if (i === 0) {
        key = raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
      } else {
        if (raw === 0) throw r.fail('bucket keys are not strictly increasing');
        key = keys[i - 1]! + raw;
      }
      if (key < lowestKey || key > highestKey)
        throw r.fail(`bucket key ${key} is outside ${lowestKey}..${highestKey}`);
      const count = r.varUint('bucket count');
      if (count === 0) throw r.fail(`bucket ${key} has count 0`);
      keys[i] = key;
      counts[i] = count;
      storeCount += count;
    }
    r.finish();
    if (!Number.isSafeInteger(storeCount + sketch.#zeroCount)) throw r.fail('counts exceed 2^53 - 1');
    if (buckets > 0 && keys[buckets - 1]! - keys[0]! + 1 > binLimit) {
      throw r.fail(`buckets span ${keys[buckets - 1]! - keys[0]! + 1} keys, more than binLimit ${binLimit}`);
    }
    const n = storeCount + sketch.#zeroCount;
    if (n === 0) {
      if (!Number.isNaN(min) || !Number.isNaN(max)) throw r.fail('an empty sketch must have NaN min and max');
    } else if (!(min <= max) || !Number.isFinite(min) || !Number.isFinite(max)) {
      throw r.fail(`min ${min} and max ${max} are not an ordered pair of finite numbers`);
    }
    if (buckets > 0) {
      sketch.#layout(keys[0]!, keys[buckets - 1]!);
      for (let i = 0; i < buckets; i++) sketch.#bins[keys[i]! - sketch.#offset] = counts[i]!;
    }
    sketch.#storeCount = storeCount;
    if (n > 0) {
      sketch.#min = min;
      sketch.#max = max;
    }
    return sketch;
  }
}
