import { DriftwatchError, ErrorCodes } from '../../errors.ts';

/**
 * A tiny versioned binary format for sketches and summaries that travel through Kafka between workers.
 *
 * Every message is framed as
 *
 * | bytes      | field                                                                       |
 * |------------|-----------------------------------------------------------------------------|
 * | 0..1       | magic `0x44 0x57` ("DW")                                                    |
 * | 2          | format version (`SKETCH_FORMAT_VERSION`)                                     |
 * | 3          | kind (`SerialKind`): which structure the payload holds                      |
 * | 4..len-5   | payload, little-endian                                                      |
 * | len-4..    | CRC-32 (IEEE 802.3, as zlib) of bytes 0..len-5, little-endian               |
 *
 * The checksum makes corruption loud: CRC-32 detects every error burst of up to 32 bits, so any single damaged byte
 * and any truncation (which moves the trailer) fails the check instead of decoding into plausible but wrong
 * statistics. Readers still bounds-check every field, so a frame with a valid checksum but inconsistent content
 * (another writer's bug) also throws DW_STATISTIC_INPUT and never a RangeError.
 *
 * Payload primitives: u8/u16/u32 fixed width; `varUint` = unsigned LEB128 of a safe integer (at most 8 bytes);
 * f64 = IEEE 754 binary64; strings = varUint byte length + UTF-8; blobs (nested frames) = varUint length + bytes.
 */
export const SKETCH_FORMAT_VERSION = 1;

/** Kind byte of each serialized structure. Values are never reused for another structure. */
export const SerialKind = {
  KLL_DOUBLES: 1,
  FREQUENT_ITEMS: 2,
  HYPERLOGLOG: 3,
  NUMERIC_SUMMARY: 4,
  CATEGORICAL_SUMMARY: 5,
  LATENCY_SKETCH: 6,
  EMBEDDING_SUMMARY: 7,
  CLASSIFICATION_STATE: 8,
  REGRESSION_STATE: 9,
} as const;

export type SerialKindValue = (typeof SerialKind)[keyof typeof SerialKind];

const KIND_NAMES: Readonly<Record<number, string>> = {
  1: 'KLL sketch',
  2: 'frequent-items sketch',
  3: 'HyperLogLog sketch',
  4: 'numeric summary',
  5: 'categorical summary',
  6: 'latency sketch',
  7: 'embedding summary',
  8: 'classification state',
  9: 'regression state',
};

const MAGIC_0 = 0x44;
const MAGIC_1 = 0x57;
const HEADER_BYTES = 4;
const TRAILER_BYTES = 4;
/** Smallest possible frame: header + empty payload + checksum. */
export const MIN_FRAME_BYTES = HEADER_BYTES + TRAILER_BYTES;

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let j = 0; j < 8; j++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[i] = c;
  }
  return table;
})();

/** CRC-32 (reflected polynomial 0xEDB88320, init and final xor 0xFFFFFFFF), as zlib.crc32. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = -1;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** Bulk float64 copies go through a byte view when the platform already is little-endian (all current targets). */
const LITTLE_ENDIAN_PLATFORM = new Uint8Array(Float64Array.of(1).buffer)[7] === 0x3f;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

function kindName(kind: number): string {
  return KIND_NAMES[kind] ?? `kind ${kind}`;
}

/** Appends little-endian fields to a growable buffer; `finish()` seals the frame with its checksum. */
export class ByteWriter {
  #bytes: Uint8Array;
  #view: DataView;
  #length = 0;

  constructor(kind: SerialKindValue, initialCapacity = 64) {
    this.#bytes = new Uint8Array(Math.max(16, initialCapacity));
    this.#view = new DataView(this.#bytes.buffer);
    this.u8(MAGIC_0);
    this.u8(MAGIC_1);
    this.u8(SKETCH_FORMAT_VERSION);
    this.u8(kind);
  }

  #reserve(extra: number): number {
    const at = this.#length;
    const needed = at + extra;
    if (needed > this.#bytes.length) {
      let capacity = this.#bytes.length * 2;
      while (capacity < needed) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(this.#bytes.subarray(0, at));
      this.#bytes = grown;
      this.#view = new DataView(grown.buffer);
    }
    this.#length = needed;
    return at;
  }

  // Each write reserves first and only then reads #bytes/#view: `this.#view.set(this.#reserve(n))` would evaluate
  // the receiver before #reserve replaces a grown buffer, and write into the old one.

  u8(value: number): void {
    const at = this.#reserve(1);
    this.#bytes[at] = value;
  }

  u16(value: number): void {
    const at = this.#reserve(2);
    this.#view.setUint16(at, value, true);
  }

  u32(value: number): void {
    const at = this.#reserve(4);
    this.#view.setUint32(at, value >>> 0, true);
  }

  f64(value: number): void {
    const at = this.#reserve(8);
    this.#view.setFloat64(at, value, true);
  }

  /** Unsigned LEB128 of a safe non-negative integer: counts are usually small, so most take 1-3 bytes. */
  varUint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new DriftwatchError(ErrorCodes.STATISTIC_INPUT, `cannot encode ${value} as an unsigned integer`, {
        value,
      });
    }
    let v = value;
    while (v >= 0x80) {
      this.u8((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.u8(v);
  }

  /** `length` float64 values of `values` from `start`, little-endian. */
  f64Array(values: Float64Array, start: number, length: number): void {
    const at = this.#reserve(length * 8);
    if (LITTLE_ENDIAN_PLATFORM) {
      this.#bytes.set(new Uint8Array(values.buffer, values.byteOffset + start * 8, length * 8), at);
    } else {
      for (let i = 0; i < length; i++) this.#view.setFloat64(at + i * 8, values[start + i]!, true);
    }
  }

  /** Raw bytes without a length prefix. */
  raw(bytes: Uint8Array): void {
    const at = this.#reserve(bytes.length);
    this.#bytes.set(bytes, at);
  }

  /** A nested frame (or any byte string), length-prefixed. */
  blob(bytes: Uint8Array): void {
    this.varUint(bytes.length);
    this.raw(bytes);
  }

  /** UTF-8 with a byte-length prefix. Lone surrogates become U+FFFD, as TextEncoder does. */
  string(value: string): void {
    // Encode straight into the buffer: at most 3 bytes per UTF-16 code unit.
    const maxBytes = value.length * 3;
    const prefixAt = this.#length;
    this.varUint(maxBytes);
    const prefixBytes = this.#length - prefixAt;
    const at = this.#reserve(maxBytes);
    const { written } = utf8Encoder.encodeInto(value, this.#bytes.subarray(at, at + maxBytes));
    // Rewrite the prefix with the real length; if it needs fewer bytes, slide the text down.
    this.#length = prefixAt;
    this.varUint(written);
    const realPrefixBytes = this.#length - prefixAt;
    if (realPrefixBytes !== prefixBytes) this.#bytes.copyWithin(this.#length, at, at + written);
    this.#length += written;
  }

  get length(): number {
    return this.#length;
  }

  /** Appends the checksum and returns the frame (a fresh, exactly sized array). */
  finish(): Uint8Array {
    const crc = crc32(this.#bytes, 0, this.#length);
    this.u32(crc);
    return this.#bytes.slice(0, this.#length);
  }
}

/**
 * Reads a frame written by `ByteWriter`. The constructor checks magic, checksum, version and kind; every read is
 * bounds-checked, and every failure is a DriftwatchError(DW_STATISTIC_INPUT) naming what was being decoded.
 */
export class ByteReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #end: number;
  readonly #what: string;
  #pos = HEADER_BYTES;

  constructor(bytes: Uint8Array, kind: SerialKindValue) {
    this.#what = kindName(kind);
    if (!(bytes instanceof Uint8Array)) {
      throw this.fail(`expected a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
    }
    if (bytes.length < MIN_FRAME_BYTES) {
      throw this.fail(`${bytes.length} bytes is shorter than the ${MIN_FRAME_BYTES}-byte minimum frame`);
    }
    if (bytes[0] !== MAGIC_0 || bytes[1] !== MAGIC_1) {
      throw this.fail('bad magic: not a driftwatch sketch frame');
    }
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#end = bytes.length - TRAILER_BYTES;
    const stored = this.#view.getUint32(this.#end, true);
    const actual = crc32(bytes, 0, this.#end);
    if (stored !== actual) {
      throw this.fail('checksum mismatch: the bytes are truncated or corrupted', { stored, actual });
    }
    if (bytes[2] !== SKETCH_FORMAT_VERSION) {
      throw this.fail(`unsupported format version ${bytes[2]} (this build reads ${SKETCH_FORMAT_VERSION})`);
    }
    if (bytes[3] !== kind) {
      throw this.fail(`frame holds a ${kindName(bytes[3]!)}`);
    }
  }

  /** The error to throw for malformed content; callers `throw reader.fail(...)`. */
  fail(message: string, details: Record<string, unknown> = {}): DriftwatchError {
    return new DriftwatchError(
      ErrorCodes.STATISTIC_INPUT,
      `cannot decode ${this.#what}: ${message}`,
      details,
    );
  }

  #take(n: number, field: string): number {
    const at = this.#pos;
    if (n > this.#end - at) {
      throw this.fail(`truncated ${field} at byte ${at}: need ${n} bytes, ${this.#end - at} left`, {
        offset: at,
      });
    }
    this.#pos = at + n;
    return at;
  }

  u8(field: string): number {
    return this.#bytes[this.#take(1, field)]!;
  }

  u16(field: string): number {
    return this.#view.getUint16(this.#take(2, field), true);
  }

  u32(field: string): number {
    return this.#view.getUint32(this.#take(4, field), true);
  }

  f64(field: string): number {
    return this.#view.getFloat64(this.#take(8, field), true);
  }

  varUint(field: string): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8(field);
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (!Number.isSafeInteger(value)) throw this.fail(`${field} ${value} exceeds 2^53 - 1`);
        // A zero final byte after other bytes is a non-minimal encoding; the writer never makes one.
        if (b === 0 && i > 0) throw this.fail(`${field} has a non-minimal encoding`);
        return value;
      }
      scale *= 0x80;
    }
    throw this.fail(`${field} is longer than 8 bytes`);
  }

  /** A count that must also fit in memory as an array length: bounds it by the bytes left when `bytesEach` > 0. */
  count(field: string, bytesEach: number, max = Number.MAX_SAFE_INTEGER): number {
    const n = this.varUint(field);
    if (n > max) throw this.fail(`${field} ${n} exceeds ${max}`);
    if (bytesEach > 0 && n * bytesEach > this.#end - this.#pos) {
      throw this.fail(`${field} ${n} needs ${n * bytesEach} bytes, ${this.#end - this.#pos} left`);
    }
    return n;
  }

  f64Array(length: number, field: string): Float64Array {
    const at = this.#take(length * 8, field);
    const out = new Float64Array(length);
    if (LITTLE_ENDIAN_PLATFORM) {
      new Uint8Array(out.buffer).set(this.#bytes.subarray(at, at + length * 8));
    } else {
      for (let i = 0; i < length; i++) out[i] = this.#view.getFloat64(at + i * 8, true);
    }
    return out;
  }

  bytes(length: number, field: string): Uint8Array {
    const at = this.#take(length, field);
    return this.#bytes.subarray(at, at + length);
  }

  blob(field: string): Uint8Array {
    return this.bytes(this.count(field, 1), field);
  }

  string(field: string): string {
    const bytes = this.blob(field);
    try {
      return utf8Decoder.decode(bytes);
    } catch {
      throw this.fail(`${field} is not valid UTF-8`);
    }
  }

  /** Asserts the payload was consumed exactly: trailing bytes mean a writer and reader disagree. */
  finish(): void {
    if (this.#pos !== this.#end) {
      throw this.fail(`${this.#end - this.#pos} unexpected trailing bytes at byte ${this.#pos}`);
    }
  }
}
