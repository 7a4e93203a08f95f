import { DriftwatchError, ErrorCodes } from '../../errors.ts';
import { ByteReader, ByteWriter, SerialKind } from './byte-codec.ts';
import { hashFloat64, hashString } from './hash64.ts';

/**
 * HyperLogLog distinct counter (Flajolet, Fusy, Gandouet, Meunier 2007) over a 64-bit hash, with 2^lgK one-byte
 * registers; lgK defaults to 12 as whylogs (`hll_lg_k`), i.e. 4096 registers and a relative standard error of
 * 1.04 / sqrt(4096) = 1.625%.
 *
 * Hash: XXH64 with seed 0 (`hash64.ts`) of the UTF-8 bytes of a string, or of the 8 little-endian IEEE 754 bytes of
 * a number (-0 as +0, one canonical NaN). The top lgK bits of the hash pick the register; the register keeps the
 * largest rank = 1 + number of leading zeros of the remaining 64 - lgK bits (at most 65 - lgK).
 *
 * Estimate: the raw estimate alpha_m m^2 / sum(2^-M[j]), with linear counting m ln(m / V) when the raw estimate is at
 * most 2.5 m and V > 0 registers are still zero (the small-range correction of the paper). The paper's large-range
 * correction exists only because its hash had 32 bits; with 64 bits collisions matter only near 2^64 / m items.
 *
 * Merging takes register-wise maxima, so it is exactly associative and commutative: any merge order gives the same
 * registers and the same bytes. Sketches of different lgK merge by folding the larger one down to the smaller lgK
 * (exactly: folding gives the registers a sketch of the smaller lgK would have built from the same items).
 */

export const HLL_DEFAULT_LG_K = 12;
export const HLL_MIN_LG_K = 4;
export const HLL_MAX_LG_K = 18;

const ENCODING_SPARSE = 0;
const ENCODING_DENSE = 1;

/** 2^-r for every possible register value r. */
const INVERSE_POWERS = Float64Array.from({ length: 66 }, (_, r) => 2 ** -r);

function checkLgK(lgK: number, option: string): void {
  if (!Number.isInteger(lgK) || lgK < HLL_MIN_LG_K || lgK > HLL_MAX_LG_K) {
    throw new DriftwatchError(
      ErrorCodes.INVALID_OPTION,
      `${option} must be an integer in ${HLL_MIN_LG_K}..${HLL_MAX_LG_K}, got ${lgK}`,
      { option, value: lgK },
    );
  }
}

function alpha(m: number): number {
  if (m === 16) return 0.673;
  if (m === 32) return 0.697;
  if (m === 64) return 0.709;
  return 0.7213 / (1 + 1.079 / m);
}

const hashOut = new Uint32Array(2);

export class HyperLogLog {
  #lgK: number;
  #registers: Uint8Array;

  constructor(lgK: number = HLL_DEFAULT_LG_K) {
    checkLgK(lgK, 'lgK');
    this.#lgK = lgK;
    this.#registers = new Uint8Array(1 << lgK);
  }

  /** 1.04 / sqrt(2^lgK): the standard error of the estimate relative to the true count (raw-estimate range). */
  static relativeStandardError(lgK: number): number {
    return 1.04 / Math.sqrt(2 ** lgK);
  }

  get lgK(): number {
    return this.#lgK;
  }

  get relativeStandardError(): number {
    return HyperLogLog.relativeStandardError(this.#lgK);
  }

  get isEmpty(): boolean {
    for (let i = 0; i < this.#registers.length; i++) if (this.#registers[i] !== 0) return false;
    return true;
  }

  update(value: string | number): void {
    if (typeof value === 'string') hashString(value, hashOut);
    else if (typeof value === 'number') hashFloat64(value, hashOut);
    else {
      throw new DriftwatchError(
        ErrorCodes.STATISTIC_INPUT,
        `HyperLogLog takes strings or numbers, got ${typeof value}`,
      );
    }
    this.updateHash(hashOut[0]!, hashOut[1]!);
  }

  /** Adds an item by its 64-bit hash (high and low uint32 halves), for callers that already hashed it. */
  updateHash(high: number, low: number): void {
    const p = this.#lgK;
    const index = high >>> (32 - p);
    const rest = (high << p) >>> 0;
    // rest has the 32 - p hash bits after the index in its top bits; if all are zero, continue into `low`.
    const rank = rest !== 0 ? Math.clz32(rest) + 1 : 32 - p + Math.clz32(low) + 1;
    if (rank > this.#registers[index]!) this.#registers[index] = rank;
  }

  /** Folds the registers down to `lgK` (< current): exact, see the class comment. */
  #foldTo(lgK: number): void {
    this.#registers = HyperLogLog.#folded(this.#registers, this.#lgK, lgK);
    this.#lgK = lgK;
  }

  static #folded(registers: Uint8Array, fromLgK: number, toLgK: number): Uint8Array {
    const d = fromLgK - toLgK;
    const mask = (1 << d) - 1;
    const out = new Uint8Array(1 << toLgK);
    for (let i = 0; i < registers.length; i++) {
      const r = registers[i]!;
      if (r === 0) continue;
      // The d index bits dropped become the leading bits of the smaller sketch's rank word.
      const extra = i & mask;
      const rank = extra !== 0 ? Math.clz32(extra) - (32 - d) + 1 : d + r;
      const j = i >>> d;
      if (rank > out[j]!) out[j] = rank;
    }
    return out;
  }

  /** Register-wise maximum; `other` is not modified. The result has the smaller lgK of the two. */
  merge(other: HyperLogLog): void {
    if (!(other instanceof HyperLogLog)) {
      throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, 'can only merge another HyperLogLog');
    }
    if (other.#lgK < this.#lgK) this.#foldTo(other.#lgK);
    const src =
      other.#lgK > this.#lgK
        ? HyperLogLog.#folded(other.#registers, other.#lgK, this.#lgK)
        : other.#registers;
    const dst = this.#registers;
    for (let i = 0; i < dst.length; i++) if (src[i]! > dst[i]!) dst[i] = src[i]!;
  }

  /** Estimated number of distinct items added. */
  estimate(): number {
    const registers = this.#registers;
    const m = registers.length;
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < m; i++) {
      const r = registers[i]!;
      sum += INVERSE_POWERS[r]!;
      if (r === 0) zeros++;
    }
    const raw = (alpha(m) * m * m) / sum;
    if (raw <= 2.5 * m && zeros > 0) return m * Math.log(m / zeros);
    return raw;
  }

  clone(): HyperLogLog {
    const copy = new HyperLogLog(this.#lgK);
    copy.#registers.set(this.#registers);
    return copy;
  }

  /**
   * Layout after the frame header: u8 lgK, u8 encoding, then either
   * - sparse (0): varUint count of non-zero registers, then per register varUint (index - previous index - 1) and
   *   u8 value, or
   * - dense (1): every register in 6 bits, packed LSB-first (values are at most 65 - lgK < 64).
   * Whichever is smaller is written, so a nearly empty sketch costs a few bytes and a full one 0.75 bytes/register.
   */
  serialize(): Uint8Array {
    const registers = this.#registers;
    const m = registers.length;
    let nonZero = 0;
    let sparseBytes = 0;
    let previous = -1;
    for (let i = 0; i < m; i++) {
      if (registers[i] === 0) continue;
      const gap = i - previous - 1;
      sparseBytes += 1 + (gap < 0x80 ? 1 : gap < 0x4000 ? 2 : 3);
      previous = i;
      nonZero++;
    }
    const denseBytes = (m * 6) / 8;
    const w = new ByteWriter(SerialKind.HYPERLOGLOG, 16 + Math.min(sparseBytes + 4, denseBytes));
    w.u8(this.#lgK);
    if (sparseBytes + 3 < denseBytes) {
      w.u8(ENCODING_SPARSE);
      w.varUint(nonZero);
      previous = -1;
      for (let i = 0; i < m; i++) {
        if (registers[i] === 0) continue;
        w.varUint(i - previous - 1);
        w.u8(registers[i]!);
        previous = i;
      }
    } else {
      w.u8(ENCODING_DENSE);
      const packed = new Uint8Array(denseBytes);
      for (let i = 0, bit = 0; i < m; i++, bit += 6) {
        const v = registers[i]!;
        const byte = bit >>> 3;
        const shift = bit & 7;
        packed[byte] = packed[byte]! | ((v << shift) & 0xff);
        if (shift > 2) packed[byte + 1] = packed[byte + 1]! | (v >>> (8 - shift));
      }
      w.raw(packed);
    }
    return w.finish();
  }

  static deserialize(bytes: Uint8Array): HyperLogLog {
    const r = new ByteReader(bytes, SerialKind.HYPERLOGLOG);
    const lgK = r.u8('lgK');
    if (lgK < HLL_MIN_LG_K || lgK > HLL_MAX_LG_K)
      throw r.fail(`lgK ${lgK} is outside ${HLL_MIN_LG_K}..${HLL_MAX_LG_K}`);
    const m = 1 << lgK;
    const maxRank = 65 - lgK;
    const sketch = new HyperLogLog(lgK);
    const registers = sketch.#registers;
    const encoding = r.u8('encoding');
    if (encoding === ENCODING_SPARSE) {
      const count = r.count('non-zero register count', 2, m);
      let index = -1;
      for (let c = 0; c < count; c++) {
        index += r.varUint('register index gap') + 1;
        if (index >= m) throw r.fail(`register index ${index} is outside 0..${m - 1}`);
        const v = r.u8('register value');
        if (v === 0 || v > maxRank) throw r.fail(`sparse register value ${v} is outside 1..${maxRank}`);
        registers[index] = v;
      }
    } else if (encoding === ENCODING_DENSE) {
      const packed = r.bytes((m * 6) / 8, 'dense registers');
      for (let i = 0, bit = 0; i < m; i++, bit += 6) {
        const byte = bit >>> 3;
        const shift = bit & 7;
        let v = packed[byte]! >>> shift;
        if (shift > 2) v |= packed[byte + 1]! << (8 - shift);
        v &= 0x3f;
        if (v > maxRank) throw r.fail(`register value ${v} exceeds ${maxRank}`);
        registers[i] = v;
      }
    } else {
      throw r.fail(`unknown register encoding ${encoding}`);
    }
    r.finish();
    return sketch;
  }
}
