import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { ByteReader, ByteWriter, SerialKind } from './byte-codec.ts';

/**
 * Frequent strings (heavy hitters), as Apache DataSketches' frequencies ItemsSketch: a Misra-Gries summary with
 * median purging. At most `capacity` = 0.75 * 2^lgMaxMapSize items are tracked (DataSketches' load factor); when one
 * more arrives, the median of (up to 1024 of) the tracked counts is subtracted from every count, non-positive counts
 * are dropped, and the median is added to `offset`. lgMaxMapSize defaults to 10 as whylogs (`fi_lg_max_k`).
 *
 * Bounds, deterministic (they hold for every input, unlike a sketch's confidence bound):
 * - lowerBound(x) = tracked count of x (0 if untracked) <= true count of x <= lowerBound(x) + maximumError;
 * - maximumError = offset <= epsilon * n with epsilon = 3.5 / 2^lgMaxMapSize (DataSketches' a priori error,
 *   `ItemsSketch.getEpsilon`), n = the total weight added.
 * estimate(x) = lowerBound(x) + offset for tracked items and 0 otherwise, as DataSketches' getEstimate.
 *
 * Storage is a Map (insertion-ordered, so purges, merges and serialization are deterministic). Merging adds every
 * tracked (item, count) of the other sketch and its offset; the bounds above hold for merged sketches too.
 */

export const FREQUENT_ITEMS_DEFAULT_LG_MAX_MAP_SIZE = 10;
export const FREQUENT_ITEMS_MIN_LG_MAX_MAP_SIZE = 3;
export const FREQUENT_ITEMS_MAX_LG_MAX_MAP_SIZE = 24;
const LOAD_FACTOR = 0.75;
/** DataSketches' SAMPLE_SIZE: at most this many counts feed the median of a purge. */
const PURGE_SAMPLE_SIZE = 1024;

export interface FrequentItemRow {
  item: string;
  estimate: number;
  lowerBound: number;
  upperBound: number;
}

function checkLgMaxMapSize(lg: number, option: string): void {
  if (
    !Number.isInteger(lg) ||
    lg < FREQUENT_ITEMS_MIN_LG_MAX_MAP_SIZE ||
    lg > FREQUENT_ITEMS_MAX_LG_MAX_MAP_SIZE
  ) {
    throw new DriftwatchError(
      ErrorCodes.INVALID_OPTION,
      `${option} must be an integer in ${FREQUENT_ITEMS_MIN_LG_MAX_MAP_SIZE}..${FREQUENT_ITEMS_MAX_LG_MAX_MAP_SIZE}, got ${lg}`,
      { option, value: lg },
    );
  }
}

function compareRows(a: FrequentItemRow, b: FrequentItemRow): number {
  if (a.lowerBound !== b.lowerBound) return b.lowerBound - a.lowerBound;
  return a.item < b.item ? -1 : a.item > b.item ? 1 : 0;
}

export class FrequentItems {
  readonly #lgMaxMapSize: number;
  readonly #capacity: number;
  readonly #counts = new Map<string, number>();
  #offset = 0;
  #streamWeight = 0;

  constructor(lgMaxMapSize: number = FREQUENT_ITEMS_DEFAULT_LG_MAX_MAP_SIZE) {
    checkLgMaxMapSize(lgMaxMapSize, 'lgMaxMapSize');
    this.#lgMaxMapSize = lgMaxMapSize;
    this.#capacity = Math.floor(2 ** lgMaxMapSize * LOAD_FACTOR);
  }

  /** 3.5 / maxMapSize: the a priori bound on maximumError as a fraction of the stream weight. */
  static epsilon(lgMaxMapSize: number): number {
    return 3.5 / 2 ** lgMaxMapSize;
  }

  /** epsilon(lgMaxMapSize) * streamWeight, as DataSketches' getAprioriError. */
  static aprioriError(lgMaxMapSize: number, streamWeight: number): number {
    return FrequentItems.epsilon(lgMaxMapSize) * streamWeight;
  }

  get lgMaxMapSize(): number {
    return this.#lgMaxMapSize;
  }

  /** Most items tracked at once: 0.75 * 2^lgMaxMapSize. */
  get capacity(): number {
    return this.#capacity;
  }

  get numActive(): number {
    return this.#counts.size;
  }

  /** Total weight added (the sum of all counts, tracked or not). */
  get streamWeight(): number {
    return this.#streamWeight;
  }

  /** The a posteriori error: no count is underestimated by more than this. 0 until the first purge. */
  get maximumError(): number {
    return this.#offset;
  }

  get isEmpty(): boolean {
    return this.#streamWeight === 0;
  }

  update(item: string, count = 1): void {
    if (typeof item !== 'string') {
      throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, `frequent items are strings, got ${typeof item}`);
    }
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new DriftwatchError(
        ErrorCodes.STATISTIC_INPUT,
        `count must be a non-negative safe integer, got ${count}`,
        {
          count,
        },
      );
    }
    if (count === 0) return;
    this.#streamWeight += count;
    this.#add(item, count);
  }

  #add(item: string, count: number): void {
    this.#counts.set(item, (this.#counts.get(item) ?? 0) + count);
    if (this.#counts.size > this.#capacity) this.#offset += this.#purge();
  }

  /** Subtracts the median count from every count, drops non-positive ones; returns the median. */
  #purge(): number {
    const counts = this.#counts;
    const size = Math.min(PURGE_SAMPLE_SIZE, counts.size);
    const sample = new Float64Array(size);
    // Every count when they fit (always, for lgMaxMapSize <= 10), else an evenly strided sample: insertion order
    // puts long-lived (heavy) items first, so a prefix would overestimate the median.
    const stride = counts.size / size;
    let i = 0;
    let position = 0;
    let next = 0;
    for (const c of counts.values()) {
      if (position++ === next) {
        sample[i++] = c;
        if (i === size) break;
        next = Math.floor(i * stride);
      }
    }
    sample.sort();
    // DataSketches: QuickSelect.select(samples, 0, n - 1, n / 2), the (n/2)-th smallest counting from 0.
    const median = sample[size >> 1]!;
    for (const [item, c] of counts) {
      if (c <= median) counts.delete(item);
      else counts.set(item, c - median);
    }
    return median;
  }

  merge(other: FrequentItems): void {
    if (!(other instanceof FrequentItems)) {
      throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, 'can only merge another FrequentItems');
    }
    if (other.#streamWeight === 0) return;
    const src = other === this ? this.clone() : other;
    const total = this.#streamWeight + src.#streamWeight;
    if (total > Number.MAX_SAFE_INTEGER) {
      throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, `merged stream weight ${total} exceeds 2^53 - 1`);
    }
    for (const [item, c] of src.#counts) this.#add(item, c);
    this.#offset += src.#offset;
    this.#streamWeight = total;
  }

  lowerBound(item: string): number {
    return this.#counts.get(item) ?? 0;
  }

  upperBound(item: string): number {
    return (this.#counts.get(item) ?? 0) + this.#offset;
  }

  /** lowerBound + maximumError for tracked items, 0 for untracked ones (DataSketches' getEstimate). */
  estimate(item: string): number {
    const c = this.#counts.get(item);
    return c === undefined ? 0 : c + this.#offset;
  }

  /** The k tracked items with the largest counts, by count descending then item (UTF-16 code unit order). */
  topK(k: number = this.#counts.size): FrequentItemRow[] {
    if (!Number.isInteger(k) || k < 0) {
      throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, `k must be a non-negative integer, got ${k}`, {
        k,
      });
    }
    const rows: FrequentItemRow[] = [];
    for (const [item, c] of this.#counts) {
      rows.push({ item, estimate: c + this.#offset, lowerBound: c, upperBound: c + this.#offset });
    }
    rows.sort(compareRows);
    return rows.length > k ? rows.slice(0, k) : rows;
  }

  /** Tracked items and their counts (lower bounds), in the sketch's internal order. */
  entries(): IterableIterator<[string, number]> {
    return this.#counts.entries();
  }

  clone(): FrequentItems {
    const copy = new FrequentItems(this.#lgMaxMapSize);
    for (const [item, c] of this.#counts) copy.#counts.set(item, c);
    copy.#offset = this.#offset;
    copy.#streamWeight = this.#streamWeight;
    return copy;
  }

  /**
   * Layout after the frame header: u8 lgMaxMapSize, varUint streamWeight, varUint offset, varUint number of tracked
   * items, then per item (in internal order) its UTF-8 string and varUint count.
   */
  serialize(): Uint8Array {
    const w = new ByteWriter(SerialKind.FREQUENT_ITEMS, 32 + this.#counts.size * 16);
    w.u8(this.#lgMaxMapSize);
    w.varUint(this.#streamWeight);
    w.varUint(this.#offset);
    w.varUint(this.#counts.size);
    for (const [item, c] of this.#counts) {
      w.string(item);
      w.varUint(c);
    }
    return w.finish();
  }

  static deserialize(bytes: Uint8Array): FrequentItems {
    const r = new ByteReader(bytes, SerialKind.FREQUENT_ITEMS);
    const lg = r.u8('lgMaxMapSize');
    if (lg < FREQUENT_ITEMS_MIN_LG_MAX_MAP_SIZE || lg > FREQUENT_ITEMS_MAX_LG_MAX_MAP_SIZE) {
      throw r.fail(
        `lgMaxMapSize ${lg} is outside ${FREQUENT_ITEMS_MIN_LG_MAX_MAP_SIZE}..${FREQUENT_ITEMS_MAX_LG_MAX_MAP_SIZE}`,
      );
    }
    const sketch = new FrequentItems(lg);
    const streamWeight = r.varUint('stream weight');
    const offset = r.varUint('offset');
    const active = r.count('tracked item count', 2, sketch.#capacity);
    let tracked = 0;
    for (let i = 0; i < active; i++) {
      const item = r.string('item');
      const c = r.varUint('count');
      if (c === 0) throw r.fail(`item ${JSON.stringify(item)} has count 0`);
      if (sketch.#counts.has(item)) throw r.fail(`item ${JSON.stringify(item)} appears twice`);
      sketch.#counts.set(item, c);
      tracked += c;
    }
    r.finish();
    // Every purge removes at least its median in weight, so tracked counts plus the offset never exceed the stream.
    if (tracked + offset > streamWeight) {
      throw r.fail(
        `tracked counts ${tracked} plus offset ${offset} exceed the stream weight ${streamWeight}`,
      );
    }
    sketch.#offset = offset;
    sketch.#streamWeight = streamWeight;
    return sketch;
  }
}
