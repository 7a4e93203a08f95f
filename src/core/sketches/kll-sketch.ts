import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { ByteReader, ByteWriter, SerialKind } from './byte-codec.ts';

/**
 * KLL quantile sketch for float64 (Karnin, Lang, Liberty, "Optimal Quantile Approximation in Streams", FOCS 2016),
 * following Apache DataSketches' KllDoublesSketch: parameter k (default 200), minimum level width m = 8, lazy
 * compaction, and the same capacity schedule, compaction and merge ("general compress") procedures, so its accuracy
 * is the one DataSketches documents.
 *
 * Layout (as DataSketches): every retained item lives in one Float64Array `items` of capacity
 * `totalCapacity(k, numLevels)`. Level h holds `items[levels[h] .. levels[h+1])`, each with weight 2^h; level 0
 * sits at the top of the free space and grows downward (an update writes to `--levels[0]`), so free space is always
 * `items[0 .. levels[0])`. Level 0 is unsorted; every higher level is sorted ascending. A level is compacted when
 * the sketch is full (levels[0] = 0): the lowest level at or over its capacity is sorted (level 0 only), halved by
 * keeping the odd- or even-indexed items (one coin flip) and merged into the level above; an odd item stays behind.
 *
 * Unlike DataSketches, the coin flips come from a seeded PRNG (mulberry32, as `SeededRandom`) whose 32-bit state is
 * part of the sketch and of its serialized form. The same updates and merges in the same order therefore give the
 * same sketch bit for bit, on any machine and after a serialize/deserialize round trip, so replays reproduce results.
 * Sketches built with the same seed flip correlated coins; that never loosens the bound: the error a compaction adds
 * to a query is the coin times a data-dependent sign, and if two sketches' errors were fully correlated (identical
 * streams) the merged error is twice one sketch's error on twice the data, i.e. the same normalized error.
 *
 * Ranks are inclusive (DataSketches' default INCLUSIVE criterion): rank(x) = weight of retained items <= x, over n.
 * quantile(q) is the smallest retained item whose inclusive cumulative weight reaches q * n; quantile(0) and
 * quantile(1) return the exact min and max. Only finite values are accepted; callers count NaN and ±Infinity apart.
 */

export const KLL_DEFAULT_K = 200;
/** Minimum level width m (DataSketches' DEFAULT_M). k must be at least m. */
export const KLL_M = 8;
export const KLL_MIN_K = KLL_M;
export const KLL_MAX_K = 65535;
/** Deepest sketch we accept when decoding: n < 2^53 means no retained item can weigh 2^53 or more. */
const MAX_LEVELS = 60;
const DEFAULT_SEED = 0x6b4c4c31; // "kLL1"

export interface KllSketchOptions {
  /** Accuracy/size parameter, KLL_MIN_K..KLL_MAX_K; default 200 (normalized rank error ~1.33%). */
  k?: number;
  /** Seed of the compaction coin flips (uint32). Same seed + same operations = same sketch. */
  seed?: number;
}

export interface KllSortedView {
  /** Retained items, ascending (ties kept as separate entries). */
  values: Float64Array;
  /** Weight of each item, 2^level; the weights sum to n. */
  weights: Float64Array;
}

const POWERS_OF_THREE = Array.from({ length: 31 }, (_, i) => 3 ** i);

/** round(k * (2/3)^depth) for depth <= 30, in exact integer arithmetic as DataSketches' intCapAuxAux. */
function intCapAuxAux(k: number, depth: number): number {
  const tmp = Math.floor((2 * k * 2 ** depth) / POWERS_OF_THREE[depth]!);
  return Math.floor((tmp + 1) / 2);
}

function intCapAux(k: number, depth: number): number {
  if (depth <= 30) return intCapAuxAux(k, depth);
  const half = Math.floor(depth / 2);
  return intCapAuxAux(intCapAuxAux(k, half), depth - half);
}

/** Nominal capacity of level `height` in a sketch with `numLevels` levels: max(m, round(k (2/3)^depth)). */
export function kllLevelCapacity(k: number, numLevels: number, height: number): number {
  return Math.max(KLL_M, intCapAux(k, numLevels - height - 1));
}

/** Size of the items array for `numLevels` levels: the sum of the level capacities. */
export function kllTotalCapacity(k: number, numLevels: number): number {
  let total = 0;
  for (let h = 0; h < numLevels; h++) total += kllLevelCapacity(k, numLevels, h);
  return total;
}

function checkK(k: number, option: string): void {
  if (!Number.isInteger(k) || k < KLL_MIN_K || k > KLL_MAX_K) {
    throw new DriftwatchError(
      ErrorCodes.INVALID_OPTION,
      `${option} must be an integer in ${KLL_MIN_K}..${KLL_MAX_K}, got ${k}`,
      { option, value: k },
    );
  }
}

/** Merges two ascending runs of one buffer into `c..`, as DataSketches (safe in place when c = a + lenA <= b). */
function mergeSortedRuns(
  src: Float64Array,
  a: number,
  lenA: number,
  b: number,
  lenB: number,
  dst: Float64Array,
  c: number,
): void {
  const limA = a + lenA;
  const limB = b + lenB;
  const limC = c + lenA + lenB;
  for (let out = c; out < limC; out++) {
    if (a === limA) dst[out] = src[b++]!;
    else if (b === limB) dst[out] = src[a++]!;
    else if (src[a]! < src[b]!) dst[out] = src[a++]!;
    else dst[out] = src[b++]!;
  }
}

interface CachedView {
  values: Float64Array;
  weights: Float64Array;
  /** cumulative[i] = sum of weights[0..i]. */
  cumulative: Float64Array;
}

export class KllSketch {
  readonly #k: number;
  /** Smallest k among the estimation-mode sketches merged in: the error bound follows the least accurate input. */
  #minK: number;
  #n = 0;
  #min = Number.NaN;
  #max = Number.NaN;
  #numLevels = 1;
  /** levels[h] = start of level h in `items`; levels[numLevels] = items.length. */
  #levels: Int32Array;
  #items: Float64Array;
  /** mulberry32 state: advanced once per compaction. */
  #rng: number;
  #view: CachedView | null = null;

  constructor(options: KllSketchOptions = {}) {
    const k = options.k ?? KLL_DEFAULT_K;
    checkK(k, 'k');
    const seed = options.seed ?? DEFAULT_SEED;
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new DriftwatchError(ErrorCodes.INVALID_OPTION, `seed must be a uint32, got ${seed}`, {
        option: 'seed',
        value: seed,
      });
    }
    this.#k = k;
    this.#minK = k;
    this.#rng = seed;
    this.#levels = Int32Array.of(k, k);
    this.#items = new Float64Array(k);
  }

  /**
   * Normalized rank error as DataSketches states it (KllSketch.getNormalizedRankError): the best fit to the 99th
   * percentile of the maximum error measured over thousands of trials,
   *   single-sided (rank, quantile, CDF):  eps = 2.296 / k^0.9723   (k = 200: 0.01328)
   *   double-sided (PMF, a difference of two ranks):  eps = 2.446 / k^0.9433   (k = 200: 0.01651)
   * "With 99% confidence, |estimated rank - true rank| <= eps" for every query at once.
   */
  static normalizedRankError(k: number, pmf = false): number {
    return pmf ? 2.446 / k ** 0.9433 : 2.296 / k ** 0.9723;
  }

  get k(): number {
    return this.#k;
  }

  get minK(): number {
    return this.#minK;
  }

  get n(): number {
    return this.#n;
  }

  /** Exact smallest value seen; NaN when empty. */
  get min(): number {
    return this.#min;
  }

  /** Exact largest value seen; NaN when empty. */
  get max(): number {
    return this.#max;
  }

  get isEmpty(): boolean {
    return this.#n === 0;
  }

  /** No compaction happened yet: the retained items are exactly the data, and ranks and quantiles are exact. */
  get isExact(): boolean {
    return this.numRetained === this.#n;
  }

  get numRetained(): number {
    return this.#levels[this.#numLevels]! - this.#levels[0]!;
  }

  get numLevels(): number {
    return this.#numLevels;
  }

  /** The single-sided bound that applies to this sketch's ranks and quantiles: 0 while exact. */
  get rankError(): number {
    return this.isExact ? 0 : KllSketch.normalizedRankError(this.#minK, false);
  }

  update(value: number): void {
    if (!(value - value === 0)) {
      throw new DriftwatchError(
        ErrorCodes.STATISTIC_INPUT,
        `KLL sketches take finite values only, got ${value}`,
        {
          value,
        },
      );
    }
    this.#insert(value);
    if (this.#n === 0) {
      this.#min = value;
      this.#max = value;
    } else {
      if (value < this.#min) this.#min = value;
      if (value > this.#max) this.#max = value;
    }
    this.#n++;
  }

  /**
   * Adds `values[0..length)`. All-or-nothing: a non-finite value throws before anything is added. The result is the
   * same sketch as calling `update` for each value in order.
   */
  updateMany(values: Float64Array, length: number = values.length): void {
    if (!Number.isInteger(length) || length < 0 || length > values.length) {
      throw new DriftwatchError(
        ErrorCodes.STATISTIC_INPUT,
        `length ${length} exceeds ${values.length} values`,
        {
          length,
          values: values.length,
        },
      );
    }
    if (length === 0) return;
    let lo = this.#n === 0 ? values[0]! : this.#min;
    let hi = this.#n === 0 ? values[0]! : this.#max;
    for (let i = 0; i < length; i++) {
      const v = values[i]!;
      if (!(v - v === 0)) {
        throw new DriftwatchError(
          ErrorCodes.STATISTIC_INPUT,
          `KLL sketches take finite values only, got ${v} at index ${i}`,
          { value: v, index: i },
        );
      }
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    this.#view = null;
    let i = 0;
    while (i < length) {
      if (this.#levels[0] === 0) this.#compressWhileUpdating();
      const items = this.#items;
      let pos = this.#levels[0]!;
      const stop = i + Math.min(pos, length - i);
      while (i < stop) items[--pos] = values[i++]!;
      this.#levels[0] = pos;
    }
    this.#n += length;
    this.#min = lo;
    this.#max = hi;
  }

  /** Places one item in level 0, compacting first when the sketch is full. Leaves n, min and max to the caller. */
  #insert(value: number): void {
    this.#view = null;
    if (this.#levels[0] === 0) this.#compressWhileUpdating();
    const at = --this.#levels[0]!;
    this.#items[at] = value;
  }

  #coin(): number {
    this.#rng = (this.#rng + 0x6d2b79f5) >>> 0;
    let t = this.#rng;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 31) & 1;
  }

  /** Keeps every other item of the even-length run `buf[start..start+length)` in its lower half. */
  #halveDown(buf: Float64Array, start: number, length: number): void {
    const half = length >> 1;
    let j = start + this.#coin();
    for (let i = start; i < start + half; i++) {
      buf[i] = buf[j]!;
      j += 2;
    }
  }

  /** Keeps every other item of the even-length run `buf[start..start+length)` in its upper half. */
  #halveUp(buf: Float64Array, start: number, length: number): void {
    const half = length >> 1;
    let j = start + length - 1 - this.#coin();
    for (let i = start + length - 1; i >= start + half; i--) {
      buf[i] = buf[j]!;
      j -= 2;
    }
  }

  /** DataSketches' compressWhileUpdatingSketch: valid only when the sketch is exactly full (levels[0] = 0). */
  #compressWhileUpdating(): void {
    let level = 0;
    for (;;) {
      const pop = this.#levels[level + 1]! - this.#levels[level]!;
      if (pop >= kllLevelCapacity(this.#k, this.#numLevels, level)) break;
      level++;
    }
    if (level === this.#numLevels - 1) this.#addEmptyTopLevel();
    const levels = this.#levels;
    const items = this.#items;
    const rawBeg = levels[level]!;
    const rawEnd = levels[level + 1]!;
    const popAbove = levels[level + 2]! - rawEnd;
    const rawPop = rawEnd - rawBeg;
    const oddPop = rawPop & 1;
    const adjBeg = rawBeg + oddPop;
    const adjPop = rawPop - oddPop;
    const halfAdjPop = adjPop >> 1;
    if (level === 0) items.subarray(adjBeg, adjBeg + adjPop).sort();
    if (popAbove === 0) {
      this.#halveUp(items, adjBeg, adjPop);
    } else {
      this.#halveDown(items, adjBeg, adjPop);
      mergeSortedRuns(items, adjBeg, halfAdjPop, rawEnd, popAbove, items, adjBeg + halfAdjPop);
    }
    levels[level + 1] = levels[level + 1]! - halfAdjPop;
    if (oddPop === 1) {
      // The odd item stays on its level, just below the (now lower) start of the level above.
      levels[level] = levels[level + 1]! - 1;
      items[levels[level]!] = items[rawBeg]!;
    } else {
      levels[level] = levels[level + 1]!;
    }
    if (level > 0) {
      // Slide the levels below up into the freed gap so free space stays contiguous at the bottom.
      const amount = rawBeg - levels[0]!;
      items.copyWithin(levels[0]! + halfAdjPop, levels[0]!, levels[0]! + amount);
      for (let h = 0; h < level; h++) levels[h] = levels[h]! + halfAdjPop;
    }
  }

  /** Grows a full sketch by one level: capacity rises by the new bottom level's capacity, added as free space. */
  #addEmptyTopLevel(): void {
    const numLevels = this.#numLevels;
    const oldCapacity = this.#levels[numLevels]!;
    const delta = kllLevelCapacity(this.#k, numLevels + 1, 0);
    const items = new Float64Array(oldCapacity + delta);
    items.set(this.#items, delta);
    const levels = new Int32Array(numLevels + 2);
    for (let h = 0; h <= numLevels; h++) levels[h] = this.#levels[h]! + delta;
    levels[numLevels + 1] = oldCapacity + delta;
    this.#items = items;
    this.#levels = levels;
    this.#numLevels = numLevels + 1;
  }

  /**
   * Merges `other` into this sketch; `other` is not modified. As DataSketches: other's level 0 is added item by item,
   * then both sketches' higher levels are combined level-wise and compacted by `#generalCompress`. Coin flips come
   * from this sketch's PRNG, so a merge is deterministic given the operands and their order. Both sketches may have
   * different k; this one keeps its k and the error bound follows the smallest k of any estimation-mode input.
   */
  merge(other: KllSketch): void {
    if (!(other instanceof KllSketch)) {
      throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, 'can only merge another KllSketch');
    }
    if (other.#n === 0) return;
    const src = other === this ? this.clone() : other;
    const finalN = this.#n + src.#n;
    if (finalN > Number.MAX_SAFE_INTEGER) {
      throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, `merged count ${finalN} exceeds 2^53 - 1`);
    }
    const srcLevels = src.#levels;
    const srcItems = src.#items;
    const srcNumLevels = src.#numLevels;
    for (let i = srcLevels[0]!; i < srcLevels[1]!; i++) this.#insert(srcItems[i]!);

    if (srcNumLevels > 1) {
      const myNumLevels = this.#numLevels;
      const myLevels = this.#levels;
      const myItems = this.#items;
      const work = new Float64Array(
        myLevels[myNumLevels]! - myLevels[0]! + (srcLevels[srcNumLevels]! - srcLevels[1]!),
      );
      const provisional = Math.max(myNumLevels, srcNumLevels);
      // Levels can only grow to 1 + floor(log2(n)); two spare slots for the empty level general compress adds.
      const slots = Math.max(provisional, 1 + Math.floor(Math.log2(finalN))) + 3;
      const inLevels = new Int32Array(slots);
      const outLevels = new Int32Array(slots);

      // Level 0: this sketch's (other's level 0 already went in above); level h >= 1: both, merged sorted.
      const pop0 = myLevels[1]! - myLevels[0]!;
      work.set(myItems.subarray(myLevels[0]!, myLevels[1]!), 0);
      inLevels[1] = pop0;
      for (let h = 1; h < provisional; h++) {
        const selfPop = h < myNumLevels ? myLevels[h + 1]! - myLevels[h]! : 0;
        const otherPop = h < srcNumLevels ? srcLevels[h + 1]! - srcLevels[h]! : 0;
        const at = inLevels[h]!;
        inLevels[h + 1] = at + selfPop + otherPop;
        if (otherPop === 0) {
          if (selfPop > 0) work.set(myItems.subarray(myLevels[h]!, myLevels[h + 1]!), at);
        } else if (selfPop === 0) {
          work.set(srcItems.subarray(srcLevels[h]!, srcLevels[h + 1]!), at);
        } else {
          // Two sorted runs from different buffers: merge item by item.
          let a = myLevels[h]!;
          const limA = myLevels[h + 1]!;
          let b = srcLevels[h]!;
          const limB = srcLevels[h + 1]!;
          for (let out = at; out < at + selfPop + otherPop; out++) {
            if (a === limA) work[out] = srcItems[b++]!;
            else if (b === limB) work[out] = myItems[a++]!;
            else if (myItems[a]! < srcItems[b]!) work[out] = myItems[a++]!;
            else work[out] = srcItems[b++]!;
          }
        }
      }

      const numLevels = this.#generalCompress(provisional, work, inLevels, outLevels);
      const target = kllTotalCapacity(this.#k, numLevels);
      const current = outLevels[numLevels]! - outLevels[0]!;
      const items = target === myItems.length ? myItems : new Float64Array(target);
      const free = target - current;
      items.set(work.subarray(outLevels[0]!, outLevels[0]! + current), free);
      const shift = free - outLevels[0]!;
      const levels = new Int32Array(numLevels + 1);
      for (let h = 0; h <= numLevels; h++) levels[h] = outLevels[h]! + shift;
      this.#items = items;
      this.#levels = levels;
      this.#numLevels = numLevels;
      this.#minK = Math.min(this.#minK, src.#minK);
    }

    if (this.#n === 0) {
      this.#min = src.#min;
      this.#max = src.#max;
    } else {
      if (src.#min < this.#min) this.#min = src.#min;
      if (src.#max > this.#max) this.#max = src.#max;
    }
    this.#n = finalN;
    this.#view = null;
  }

  /**
   * DataSketches' generalCompress with the work buffer as both input and output: walks the levels bottom-up, copying
   * each as is unless the sketch is over capacity and the level at or over its own capacity, in which case it is
   * compacted into the level above (which may add a level and with it capacity). Returns the final level count.
   */
  #generalCompress(
    numLevelsIn: number,
    buf: Float64Array,
    inLevels: Int32Array,
    outLevels: Int32Array,
  ): number {
    const k = this.#k;
    let numLevels = numLevelsIn;
    let currentItemCount = inLevels[numLevels]! - inLevels[0]!;
    let targetItemCount = kllTotalCapacity(k, numLevels);
    outLevels[0] = 0;
    for (let level = 0; ; level++) {
      // At the current top level, add an empty level above it for convenience (numLevels grows only on use).
      if (level === numLevels - 1) inLevels[level + 2] = inLevels[level + 1]!;
      const rawBeg = inLevels[level]!;
      const rawLim = inLevels[level + 1]!;
      const rawPop = rawLim - rawBeg;
      if (currentItemCount < targetItemCount || rawPop < kllLevelCapacity(k, numLevels, level)) {
        // Copy as is; output never runs ahead of input, so copying down within one buffer is safe.
        buf.copyWithin(outLevels[level]!, rawBeg, rawLim);
        outLevels[level + 1] = outLevels[level]! + rawPop;
      } else {
        const popAbove = inLevels[level + 2]! - rawLim;
        const oddPop = rawPop & 1;
        const adjBeg = rawBeg + oddPop;
        const adjPop = rawPop - oddPop;
        const halfAdjPop = adjPop >> 1;
        if (oddPop === 1) {
          buf[outLevels[level]!] = buf[rawBeg]!;
          outLevels[level + 1] = outLevels[level]! + 1;
        } else {
          outLevels[level + 1] = outLevels[level]!;
        }
        if (level === 0) buf.subarray(adjBeg, adjBeg + adjPop).sort();
        if (popAbove === 0) {
          this.#halveUp(buf, adjBeg, adjPop);
        } else {
          this.#halveDown(buf, adjBeg, adjPop);
          mergeSortedRuns(buf, adjBeg, halfAdjPop, rawLim, popAbove, buf, adjBeg + halfAdjPop);
        }
        currentItemCount -= halfAdjPop;
        inLevels[level + 1] = inLevels[level + 1]! - halfAdjPop;
        if (level === numLevels - 1) {
          numLevels++;
          targetItemCount += kllLevelCapacity(k, numLevels, 0);
        }
      }
      if (level === numLevels - 1) return numLevels;
    }
  }

  #ensureView(): CachedView {
    if (this.#view !== null) return this.#view;
    const levels = this.#levels;
    const items = this.#items;
    const total = this.numRetained;
    let values = new Float64Array(total);
    let weights = new Float64Array(total);
    let spareValues = new Float64Array(total);
    let spareWeights = new Float64Array(total);
    let length = levels[1]! - levels[0]!;
    values.set(items.subarray(levels[0]!, levels[1]!));
    values.subarray(0, length).sort();
    weights.fill(1, 0, length);
    // Fold in each sorted level, ping-ponging between two buffers.
    for (let h = 1; h < this.#numLevels; h++) {
      const w = 2 ** h;
      let a = 0;
      let b = levels[h]!;
      const limB = levels[h + 1]!;
      let out = 0;
      while (a < length || b < limB) {
        if (b === limB || (a < length && values[a]! <= items[b]!)) {
          spareValues[out] = values[a]!;
          spareWeights[out++] = weights[a++]!;
        } else {
          spareValues[out] = items[b++]!;
          spareWeights[out++] = w;
        }
      }
      length = out;
      [values, spareValues] = [spareValues, values];
      [weights, spareWeights] = [spareWeights, weights];
    }
    const cumulative = new Float64Array(total);
    let sum = 0;
    for (let i = 0; i < total; i++) {
      sum += weights[i]!;
      cumulative[i] = sum;
    }
    this.#view = { values, weights, cumulative };
    return this.#view;
  }

  /** Retained items ascending with their weights (fresh copies; weights sum to n). */
  sortedView(): KllSortedView {
    const view = this.#ensureView();
    return { values: view.values.slice(), weights: view.weights.slice() };
  }

  /** Inclusive normalized rank: estimated fraction of values <= `value`. NaN when empty. */
  rank(value: number): number {
    if (Number.isNaN(value)) {
      throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, 'rank of NaN is undefined');
    }
    if (this.#n === 0) return Number.NaN;
    const { values, cumulative } = this.#ensureView();
    // Count of retained items <= value.
    let lo = 0;
    let hi = values.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (values[mid]! <= value) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0 : cumulative[lo - 1]! / this.#n;
  }

  /** Inclusive quantile: the smallest retained item x with rank(x) >= q. Exact min/max at q = 0/1; NaN when empty. */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) {
      throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, `quantile rank must be in [0, 1], got ${q}`, {
        q,
      });
    }
    if (this.#n === 0) return Number.NaN;
    if (q === 0) return this.#min;
    if (q === 1) return this.#max;
    const { values, cumulative } = this.#ensureView();
    // Natural rank q * n, rounded to 1e-7 first (as DataSketches) so 0.3 * 10 = 3.0000000000000004 asks for 3.
    let natural = q * this.#n;
    if (this.#n <= 1e7) natural = Math.round(natural * 1e7) / 1e7;
    const target = Math.ceil(natural);
    let lo = 0;
    let hi = values.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! >= target) hi = mid;
      else lo = mid + 1;
    }
    return values[lo]!;
  }

  clone(): KllSketch {
    const copy = new KllSketch({ k: this.#k, seed: this.#rng });
    copy.#minK = this.#minK;
    copy.#n = this.#n;
    copy.#min = this.#min;
    copy.#max = this.#max;
    copy.#numLevels = this.#numLevels;
    copy.#levels = this.#levels.slice();
    copy.#items = this.#items.slice();
    return copy;
  }

  /**
   * Layout after the frame header: u16 k, u16 minK, u8 m, u8 numLevels, u32 PRNG state, varUint n, f64 min, f64 max,
   * varUint population of each level, then the retained items (f64, level 0 first, each level in stored order).
   * Free space is not written; decoding restores it, so a decoded sketch continues exactly as the original would.
   */
  serialize(): Uint8Array {
    const retained = this.numRetained;
    const w = new ByteWriter(SerialKind.KLL_DOUBLES, 40 + this.#numLevels * 3 + retained * 8);
    w.u16(this.#k);
    w.u16(this.#minK);
    w.u8(KLL_M);
    w.u8(this.#numLevels);
    w.u32(this.#rng);
    w.varUint(this.#n);
    w.f64(this.#n === 0 ? Number.NaN : this.#min);
    w.f64(this.#n === 0 ? Number.NaN : this.#max);
    for (let h = 0; h < this.#numLevels; h++) w.varUint(this.#levels[h + 1]! - this.#levels[h]!);
    w.f64Array(this.#items, this.#levels[0]!, retained);
    return w.finish();
  }

  static deserialize(bytes: Uint8Array): KllSketch {
    const r = new ByteReader(bytes, SerialKind.KLL_DOUBLES);
    const k = r.u16('k');
    const minK = r.u16('minK');
    const m = r.u8('m');
    const numLevels = r.u8('numLevels');
    const rng = r.u32('PRNG state');
    const n = r.varUint('n');
    const min = r.f64('min');
    const max = r.f64('max');
    if (k < KLL_MIN_K) throw r.fail(`k ${k} is below ${KLL_MIN_K}`);
    if (minK < KLL_MIN_K || minK > k) throw r.fail(`minK ${minK} is outside ${KLL_MIN_K}..${k}`);
    if (m !== KLL_M) throw r.fail(`m ${m} is not ${KLL_M}`);
    if (numLevels < 1 || numLevels > MAX_LEVELS)
      throw r.fail(`numLevels ${numLevels} is outside 1..${MAX_LEVELS}`);
    const capacity = kllTotalCapacity(k, numLevels);
    const pops = new Int32Array(numLevels);
    let retained = 0;
    let weight = 0;
    for (let h = 0; h < numLevels; h++) {
      const pop = r.count(`level ${h} population`, 8, capacity);
      pops[h] = pop;
      retained += pop;
      weight += pop * 2 ** h;
    }
    if (retained > capacity) throw r.fail(`${retained} retained items exceed the capacity ${capacity}`);
    if (weight !== n) throw r.fail(`level weights sum to ${weight}, not n = ${n}`);
    const values = r.f64Array(retained, 'items');
    r.finish();
    if (n === 0) {
      if (!Number.isNaN(min) || !Number.isNaN(max) || numLevels !== 1) {
        throw r.fail('an empty sketch must have one level and NaN min/max');
      }
    } else if (!(min - min === 0 && max - max === 0 && min <= max)) {
      throw r.fail(`min ${min} and max ${max} are not finite and ordered`);
    }
    let at = 0;
    for (let h = 0; h < numLevels; h++) {
      for (let i = 0; i < pops[h]!; i++, at++) {
        const v = values[at]!;
        if (!(v >= min && v <= max)) throw r.fail(`item ${v} lies outside [min, max]`);
        if (h > 0 && i > 0 && v < values[at - 1]!) throw r.fail(`level ${h} is not sorted`);
      }
    }

    const sketch = new KllSketch({ k, seed: rng });
    sketch.#minK = minK;
    sketch.#n = n;
    sketch.#min = n === 0 ? Number.NaN : min;
    sketch.#max = n === 0 ? Number.NaN : max;
    sketch.#numLevels = numLevels;
    const levels = new Int32Array(numLevels + 1);
    levels[0] = capacity - retained;
    for (let h = 0; h < numLevels; h++) levels[h + 1] = levels[h]! + pops[h]!;
    const items = new Float64Array(capacity);
    items.set(values, capacity - retained);
    sketch.#levels = levels;
    sketch.#items = items;
    return sketch;
  }
}
