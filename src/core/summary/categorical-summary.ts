import { optionError, statisticInputError } from '../../errors.ts';
import { ByteReader, ByteWriter, SerialKind } from '../sketches/byte-codec.ts';
import {
  FREQUENT_ITEMS_DEFAULT_LG_MAX_MAP_SIZE,
  FREQUENT_ITEMS_MAX_LG_MAX_MAP_SIZE,
  FREQUENT_ITEMS_MIN_LG_MAX_MAP_SIZE,
  FrequentItems,
} from '../sketches/frequent-items.ts';
import { HLL_DEFAULT_LG_K, HLL_MAX_LG_K, HLL_MIN_LG_K, HyperLogLog } from '../sketches/hyperloglog.ts';

/**
 * Mergeable, serializable state of one categorical feature over a window.
 *
 * - `missing` (null) and `total` (all rows) are exact and merge by addition; `present` = total - missing.
 * - While at most `maxExactCategories` (default 1,000) distinct categories were seen, the count of each is exact (a
 *   Map). One more converts the counts to a frequent-items sketch (lgMaxMapSize default 10, as whylogs): from then
 *   on `counts()` reports each tracked category's guaranteed lower bound c, with c <= true count <= c + maxError,
 *   plus the exact `otherCount` = present - sum(c) >= 0, so reported counts and otherCount always sum to `present`.
 * - A HyperLogLog (lgK default 12, as whylogs) of the categories is kept from the start; `distinctEstimate` is the
 *   exact number of categories while exact and the HLL estimate after conversion.
 *
 * Exact summaries merge exactly in any order (identical `counts()`); merged sketches keep the bounds above, and the
 * HLL merge is exact (register maxima). Merging a sketched summary into an exact one converts the exact one.
 */

export const CATEGORICAL_DEFAULT_MAX_EXACT_CATEGORIES = 1_000;
const MAX_EXACT_CATEGORIES = 1 << 20;

export interface CategoricalSummaryOptions {
  /** Most distinct categories counted exactly; default 1,000. */
  maxExactCategories?: number;
  /** Frequent-items map size exponent once sketched; default 10 (768 tracked categories). */
  lgMaxMapSize?: number;
  /** HyperLogLog register count exponent; default 12. */
  lgK?: number;
}

export interface CategoryCounts {
  /** Categories by count descending, then name (UTF-16 code unit order). */
  categories: string[];
  /** Exact counts, or lower bounds once sketched. */
  counts: Float64Array;
  exact: boolean;
  /** Each true count lies in [count, count + maxError]; 0 when exact. */
  maxError: number;
  /** present - sum(counts): untracked categories and undercounts; 0 when exact. */
  otherCount: number;
}

export class CategoricalSummary {
  readonly #maxExact: number;
  readonly #lgMaxMapSize: number;
  #missing = 0;
  #total = 0;
  /** Exact counts while exact, null once sketched. */
  #exact: Map<string, number> | null = new Map();
  #sketch: FrequentItems | null = null;
  #hll: HyperLogLog;

  private constructor(maxExact: number, lgMaxMapSize: number, hll: HyperLogLog) {
    this.#maxExact = maxExact;
    this.#lgMaxMapSize = lgMaxMapSize;
    this.#hll = hll;
  }

  static create(options: CategoricalSummaryOptions = {}): CategoricalSummary {
    const maxExact = options.maxExactCategories ?? CATEGORICAL_DEFAULT_MAX_EXACT_CATEGORIES;
    const lgMaxMapSize = options.lgMaxMapSize ?? FREQUENT_ITEMS_DEFAULT_LG_MAX_MAP_SIZE;
    const lgK = options.lgK ?? HLL_DEFAULT_LG_K;
    if (!Number.isInteger(maxExact) || maxExact < 0 || maxExact > MAX_EXACT_CATEGORIES) {
      throw optionError('maxExactCategories', `must be an integer in 0..${MAX_EXACT_CATEGORIES}`, maxExact);
    }
    if (
      !Number.isInteger(lgMaxMapSize) ||
      lgMaxMapSize < FREQUENT_ITEMS_MIN_LG_MAX_MAP_SIZE ||
      lgMaxMapSize > FREQUENT_ITEMS_MAX_LG_MAX_MAP_SIZE
    ) {
      throw optionError(
        'lgMaxMapSize',
        `must be an integer in ${FREQUENT_ITEMS_MIN_LG_MAX_MAP_SIZE}..${FREQUENT_ITEMS_MAX_LG_MAX_MAP_SIZE}`,
        lgMaxMapSize,
      );
    }
    if (!Number.isInteger(lgK) || lgK < HLL_MIN_LG_K || lgK > HLL_MAX_LG_K) {
      throw optionError('lgK', `must be an integer in ${HLL_MIN_LG_K}..${HLL_MAX_LG_K}`, lgK);
    }
    return new CategoricalSummary(maxExact, lgMaxMapSize, new HyperLogLog(lgK));
  }

  get maxExactCategories(): number {
    return this.#maxExact;
  }

  get lgMaxMapSize(): number {
    return this.#lgMaxMapSize;
  }

  get lgK(): number {
    return this.#hll.lgK;
  }

  /** Rows whose value is null. */
  get missing(): number {
    return this.#missing;
  }

  /** All rows, missing included. */
  get total(): number {
    return this.#total;
  }

  /** Rows with a category: total - missing. */
  get present(): number {
    return this.#total - this.#missing;
  }

  get isExact(): boolean {
    return this.#exact !== null;
  }

  /** Exact number of distinct categories while exact; else the HLL estimate. */
  get distinctEstimate(): number {
    return this.#exact !== null ? this.#exact.size : this.#hll.estimate();
  }

  /** Relative standard error of `distinctEstimate`: 0 while exact, else 1.04 / sqrt(2^lgK). */
  get distinctRelativeError(): number {
    return this.#exact !== null ? 0 : this.#hll.relativeStandardError;
  }

  /** Each true count lies in [reported, reported + maxError]; 0 while exact. */
  get maxError(): number {
    return this.#sketch === null ? 0 : this.#sketch.maximumError;
  }

  /** present - sum of reported counts (>= 0); 0 while exact. */
  get otherCount(): number {
    if (this.#sketch === null) return 0;
    let tracked = 0;
    for (const [, c] of this.#sketch.entries()) tracked += c;
    return this.present - tracked;
  }

  /** Adds one row per value; null (or undefined) counts as missing. */
  add(values: readonly (string | null)[]): void {
    const tally = new Map<string, number>();
    let missing = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || v === undefined) {
        missing++;
      } else if (typeof v === 'string') {
        tally.set(v, (tally.get(v) ?? 0) + 1);
      } else {
        throw statisticInputError(`categorical values are strings or null, got ${typeof v} at index ${i}`, {
          index: i,
        });
      }
    }
    this.#missing += missing;
    this.#total += values.length;
    // One HLL update and one count update per distinct category of the batch, in order of first appearance.
    for (const [category, count] of tally) {
      this.#hll.update(category);
      this.#addCount(category, count);
    }
  }

  /**
   * Adds an Arrow dictionary-encoded column: row i is `dictionary[codes[i]]`, or missing when bit i of the LSB-first
   * `validity` bitmap is clear (null: all present). A code outside the dictionary is a malformed column and throws.
   */
  addCodes(
    codes: Int32Array,
    validity: Uint8Array | null,
    length: number,
    dictionary: readonly string[],
  ): void {
    if (!Number.isInteger(length) || length < 0 || length > codes.length) {
      throw statisticInputError(`length ${length} exceeds ${codes.length} codes`, {
        length,
        codes: codes.length,
      });
    }
    if (validity !== null && validity.length * 8 < length) {
      throw statisticInputError(`validity bitmap covers fewer than ${length} values`, {
        length,
        validityBytes: validity.length,
      });
    }
    const size = dictionary.length;
    const tally = new Float64Array(size);
    let missing = 0;
    for (let i = 0; i < length; i++) {
      if (validity !== null && ((validity[i >> 3]! >> (i & 7)) & 1) === 0) {
        missing++;
        continue;
      }
      const code = codes[i]!;
      if (code < 0 || code >= size) {
        throw statisticInputError(`code ${code} at row ${i} is outside the ${size}-entry dictionary`, {
          code,
          row: i,
        });
      }
      tally[code]!++;
    }
    this.#missing += missing;
    this.#total += length;
    for (let code = 0; code < size; code++) {
      const count = tally[code]!;
      if (count === 0) continue;
      const category = dictionary[code];
      if (typeof category !== 'string') {
        throw statisticInputError(`dictionary entry ${code} is not a string`, { code });
      }
      this.#hll.update(category);
      this.#addCount(category, count);
    }
  }

  #addCount(category: string, count: number): void {
    const exact = this.#exact;
    if (exact === null) {
      this.#sketch!.update(category, count);
      return;
    }
    exact.set(category, (exact.get(category) ?? 0) + count);
    if (exact.size > this.#maxExact) this.#convert();
  }

  /** Moves the exact counts into a frequent-items sketch, in the Map's insertion order. */
  #convert(): void {
    const sketch = new FrequentItems(this.#lgMaxMapSize);
    for (const [category, count] of this.#exact!) sketch.update(category, count);
    this.#sketch = sketch;
    this.#exact = null;
  }

  /** Adds `other`'s state into this one; `other` is not modified. Options stay this summary's. */
  mergeFrom(other: CategoricalSummary): void {
    if (!(other instanceof CategoricalSummary)) {
      throw statisticInputError('can only merge another CategoricalSummary');
    }
    const src = other === this ? this.clone() : other;
    this.#missing += src.#missing;
    this.#total += src.#total;
    this.#hll.merge(src.#hll);
    if (src.#exact !== null) {
      for (const [category, count] of src.#exact) this.#addCount(category, count);
      return;
    }
    if (this.#exact !== null) this.#convert();
    this.#sketch!.merge(src.#sketch!);
  }

  counts(): CategoryCounts {
    const entries: [string, number][] =
      this.#exact !== null ? Array.from(this.#exact) : Array.from(this.#sketch!.entries());
    entries.sort((a, b) => (a[1] !== b[1] ? b[1] - a[1] : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const categories = new Array<string>(entries.length);
    const counts = new Float64Array(entries.length);
    let tracked = 0;
    for (let i = 0; i < entries.length; i++) {
      categories[i] = entries[i]![0];
      counts[i] = entries[i]![1];
      tracked += entries[i]![1];
    }
    const exact = this.#exact !== null;
    return {
      categories,
      counts,
      exact,
      maxError: exact ? 0 : this.#sketch!.maximumError,
      otherCount: exact ? 0 : this.present - tracked,
    };
  }

  clone(): CategoricalSummary {
    const copy = new CategoricalSummary(this.#maxExact, this.#lgMaxMapSize, this.#hll.clone());
    copy.#missing = this.#missing;
    copy.#total = this.#total;
    copy.#exact = this.#exact === null ? null : new Map(this.#exact);
    copy.#sketch = this.#sketch === null ? null : this.#sketch.clone();
    return copy;
  }

  /**
   * Layout after the frame header: varUint maxExactCategories, u8 lgMaxMapSize, varUint missing, varUint total,
   * u8 mode; mode 0 (exact): varUint category count, then per category (insertion order) UTF-8 string and varUint
   * count; mode 1 (sketched): the frequent-items frame as a blob. Then the HyperLogLog frame as a blob.
   */
  serialize(): Uint8Array {
    const hllBytes = this.#hll.serialize();
    const sketchBytes = this.#sketch === null ? null : this.#sketch.serialize();
    const w = new ByteWriter(
      SerialKind.CATEGORICAL_SUMMARY,
      64 + hllBytes.length + (sketchBytes === null ? this.#exact!.size * 16 : sketchBytes.length),
    );
    w.varUint(this.#maxExact);
    w.u8(this.#lgMaxMapSize);
    w.varUint(this.#missing);
    w.varUint(this.#total);
    if (sketchBytes === null) {
      w.u8(0);
      w.varUint(this.#exact!.size);
      for (const [category, count] of this.#exact!) {
        w.string(category);
        w.varUint(count);
      }
    } else {
      w.u8(1);
      w.blob(sketchBytes);
    }
    w.blob(hllBytes);
    return w.finish();
  }

  static deserialize(bytes: Uint8Array): CategoricalSummary {
    const r = new ByteReader(bytes, SerialKind.CATEGORICAL_SUMMARY);
    const maxExact = r.varUint('maxExactCategories');
    const lgMaxMapSize = r.u8('lgMaxMapSize');
    if (maxExact > MAX_EXACT_CATEGORIES)
      throw r.fail(`maxExactCategories ${maxExact} exceeds ${MAX_EXACT_CATEGORIES}`);
    if (
      lgMaxMapSize < FREQUENT_ITEMS_MIN_LG_MAX_MAP_SIZE ||
      lgMaxMapSize > FREQUENT_ITEMS_MAX_LG_MAX_MAP_SIZE
    ) {
      throw r.fail(`lgMaxMapSize ${lgMaxMapSize} is out of range`);
    }
    const missing = r.varUint('missing');
    const total = r.varUint('total');
    if (missing > total) throw r.fail(`missing ${missing} exceeds total ${total}`);
    const mode = r.u8('mode');
    let exact: Map<string, number> | null = null;
    let sketch: FrequentItems | null = null;
    if (mode === 0) {
      const size = r.count('category count', 2, maxExact);
      exact = new Map();
      let sum = 0;
      for (let i = 0; i < size; i++) {
        const category = r.string('category');
        const count = r.varUint('count');
        if (count === 0) throw r.fail(`category ${JSON.stringify(category)} has count 0`);
        if (exact.has(category)) throw r.fail(`category ${JSON.stringify(category)} appears twice`);
        exact.set(category, count);
        sum += count;
      }
      if (sum !== total - missing) throw r.fail(`category counts sum to ${sum}, not total - missing`);
    } else if (mode === 1) {
      sketch = FrequentItems.deserialize(r.blob('frequent-items sketch'));
      if (sketch.lgMaxMapSize !== lgMaxMapSize)
        throw r.fail('frequent-items lgMaxMapSize differs from the summary');
      if (sketch.streamWeight !== total - missing) {
        throw r.fail(`frequent-items weight ${sketch.streamWeight} is not total - missing`);
      }
    } else {
      throw r.fail(`unknown mode ${mode}`);
    }
    const hll = HyperLogLog.deserialize(r.blob('HyperLogLog sketch'));
    r.finish();
    const summary = new CategoricalSummary(maxExact, lgMaxMapSize, hll);
    summary.#missing = missing;
    summary.#total = total;
    summary.#exact = exact;
    summary.#sketch = sketch;
    return summary;
  }
}
