import { optionError, statisticInputError } from '../../errors.ts';
import { ByteReader, ByteWriter, SerialKind } from '../sketches/byte-codec.ts';
import { hashFloat64, hashString } from '../sketches/hash64.ts';

/**
 * Mergeable, serializable state of one embedding feature (fixed-length float vectors of dimension d) over a window.
 *
 * - `count`: rows whose d components are all finite; `invalidCount`: rows with a NaN or ±Infinity component, which
 *   are left out of everything else (an embedding with a NaN is a broken encoder, not data).
 * - The sum vector of the valid rows, each component Neumaier-compensated (value + compensation), merged by a
 *   compensated add, so the centroid is accurate to about one rounding whatever the merge order.
 * - A deterministic bounded sample for the kernel tests: a bottom-k sample by key hash. Every row has a key (the
 *   caller's event key, e.g. the prediction id, hashed with XXH64 of its UTF-8; or, without keys, its index, hashed
 *   with XXH64 of the index as a float64) and a 64-bit priority = that hash. The sample is the `sampleSize` rows
 *   (default 512) with the smallest (priority, then the vector's components compared in order) among all valid rows.
 *   That order is total on distinct rows, so the sample is a function of the set of rows: the same for any batching
 *   and any merge order (bottom-k of a union = bottom-k of the union of the parts' bottom-k), and independent of the
 *   vectors' values (the hash is), i.e. a uniform sample without replacement. Rows are kept in that order, which is
 *   the pairing order of the linear-time MMD (embedding-drift.ts): a pairing by hash is a random pairing.
 *   Windows merged together must use the same kind of keys; rows sharing a key (the same index in two partitions)
 *   share a priority and are ordered by their vectors.
 *
 * Memory: (2·sampleSize + 2)·d float64 while adding; serialized, the sample takes sampleSize·d·4 bytes when every
 * sampled component is exactly a float32 (embeddings usually are), else ·8, e.g. 512 × 384 × 4 = 786,432 bytes.
 */

export const EMBEDDING_DEFAULT_SAMPLE_SIZE = 512;
export const EMBEDDING_MAX_SAMPLE_SIZE = 65_536;
export const EMBEDDING_MAX_DIMENSION = 65_536;

/**
 * Kind byte of a serialized EmbeddingSummary. Not (yet) a member of SerialKind in byte-codec.ts, which this module
 * does not own; it must be registered there under the same value (and never reused).
 */
export const EMBEDDING_SUMMARY_SERIAL_KIND = SerialKind.EMBEDDING_SUMMARY;

export interface EmbeddingSummaryOptions {
  /** Vector length d, 1..65,536. */
  dimension: number;
  /** Rows kept for the kernel tests, 0..65,536; default 512. */
  sampleSize?: number;
}

/** rows × dimension values, row-major. */
export interface EmbeddingSample {
  readonly rows: number;
  readonly dimension: number;
  readonly values: Float64Array;
}

const hashOut = new Uint32Array(2);

export class EmbeddingSummary {
  readonly #dimension: number;
  readonly #sampleSize: number;
  #count = 0;
  #invalidCount = 0;
  readonly #sum: Float64Array;
  readonly #compensation: Float64Array;
  /**
   * Sample buffer of capacity 2·sampleSize rows: rows [0, #held) are candidates, unordered beyond the first
   * #sorted; compaction sorts them and keeps the first sampleSize. Priorities as uint32 halves.
   */
  #values: Float64Array;
  #hi: Uint32Array;
  #lo: Uint32Array;
  #held = 0;
  /** Rows [0, #sorted) are in sample order and no other candidate precedes the last of them. */
  #sorted = 0;
  /** After a compaction that filled the sample: the largest kept priority; rows above it can never enter. */
  #limitHi = 0xffffffff;
  #limitLo = 0xffffffff;
  #full = false;

  private constructor(dimension: number, sampleSize: number) {
    this.#dimension = dimension;
    this.#sampleSize = sampleSize;
    this.#sum = new Float64Array(dimension);
    this.#compensation = new Float64Array(dimension);
    const capacity = 2 * sampleSize;
    this.#values = new Float64Array(capacity * dimension);
    this.#hi = new Uint32Array(capacity);
    this.#lo = new Uint32Array(capacity);
  }

  static create(options: EmbeddingSummaryOptions): EmbeddingSummary {
    const dimension = options?.dimension;
    const sampleSize = options?.sampleSize ?? EMBEDDING_DEFAULT_SAMPLE_SIZE;
    if (!Number.isInteger(dimension) || dimension < 1 || dimension > EMBEDDING_MAX_DIMENSION) {
      throw optionError('dimension', `must be an integer in 1..${EMBEDDING_MAX_DIMENSION}`, dimension);
    }
    if (!Number.isInteger(sampleSize) || sampleSize < 0 || sampleSize > EMBEDDING_MAX_SAMPLE_SIZE) {
      throw optionError('sampleSize', `must be an integer in 0..${EMBEDDING_MAX_SAMPLE_SIZE}`, sampleSize);
    }
    return new EmbeddingSummary(dimension, sampleSize);
  }

  get dimension(): number {
    return this.#dimension;
  }

  get sampleSize(): number {
    return this.#sampleSize;
  }

  /** Valid rows (every component finite). */
  get count(): number {
    return this.#count;
  }

  /** Rows with a NaN or ±Infinity component; not in the sum or the sample. */
  get invalidCount(): number {
    return this.#invalidCount;
  }

  /** The compensated sum vector of the valid rows (a copy). */
  sum(): Float64Array {
    const out = new Float64Array(this.#dimension);
    for (let j = 0; j < this.#dimension; j++) out[j] = this.#sum[j]! + this.#compensation[j]!;
    return out;
  }

  /** sum / count per component (a copy); all NaN when there is no valid row. */
  centroid(): Float64Array {
    const out = this.sum();
    for (let j = 0; j < this.#dimension; j++) out[j] = this.#count === 0 ? Number.NaN : out[j]! / this.#count;
    return out;
  }

  /**
   * Adds `rows` vectors stored row-major in `vectors[0 .. rows·d)`. `keys`: one event key per row (hashed as UTF-8),
   * or null to key row i by the index `firstIndex + i` (a safe integer >= 0).
   */
  add(
    vectors: Float32Array | Float64Array,
    rows: number,
    keys: readonly string[] | null = null,
    firstIndex = 0,
  ): void {
    const d = this.#dimension;
    if (!(vectors instanceof Float32Array || vectors instanceof Float64Array)) {
      throw statisticInputError('embedding vectors must be a Float32Array or a Float64Array');
    }
    if (!Number.isSafeInteger(rows) || rows < 0 || rows * d > vectors.length) {
      throw statisticInputError(
        `rows ${rows} is not an integer in 0..${Math.floor(vectors.length / d)} (dimension ${d})`,
        {
          rows,
          length: vectors.length,
          dimension: d,
        },
      );
    }
    if (keys !== null && (!Array.isArray(keys) || keys.length < rows)) {
      throw statisticInputError(`${rows} rows need ${rows} keys, got ${keys?.length}`, {
        rows,
        keys: keys?.length,
      });
    }
    if (
      keys === null &&
      (!Number.isSafeInteger(firstIndex) || firstIndex < 0 || firstIndex + rows > 2 ** 53)
    ) {
      throw statisticInputError(`firstIndex ${firstIndex} is not a safe integer >= 0`, { firstIndex });
    }
    for (let i = 0; i < rows; i++) {
      const base = i * d;
      let finite = true;
      for (let j = 0; j < d; j++) {
        const v = vectors[base + j]!;
        if (v - v !== 0) {
          finite = false;
          break;
        }
      }
      if (!finite) {
        this.#invalidCount++;
        continue;
      }
      this.#count++;
      for (let j = 0; j < d; j++) {
        const v = vectors[base + j]!;
        const s = this.#sum[j]!;
        const t = s + v;
        this.#compensation[j]! += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
        this.#sum[j] = t;
      }
      if (this.#sampleSize === 0) continue;
      if (keys === null) hashFloat64(firstIndex + i, hashOut);
      else {
        const key = keys[i];
        if (typeof key !== 'string') throw statisticInputError(`key of row ${i} is not a string`, { row: i });
        hashString(key, hashOut);
      }
      this.#offer(hashOut[0]!, hashOut[1]!, vectors, base);
    }
  }

  /** Offers one candidate row (priority hi:lo, d values from source[at]) to the bottom-k sample. */
  #offer(hi: number, lo: number, source: Float32Array | Float64Array, at: number): void {
    // Strictly above the k-th kept priority: can never be among the smallest k (ties go to compaction).
    if (this.#full && (hi > this.#limitHi || (hi === this.#limitHi && lo > this.#limitLo))) return;
    if (this.#held === this.#hi.length) this.#compact();
    const slot = this.#held++;
    this.#hi[slot] = hi;
    this.#lo[slot] = lo;
    const d = this.#dimension;
    const dst = slot * d;
    // `+ 0` turns -0 into +0, so rows that compare equal are stored (and ordered, and serialized) identically.
    for (let j = 0; j < d; j++) this.#values[dst + j] = source[at + j]! + 0;
  }

  /** Sample order: priority (unsigned hi, then lo), then the components in order. */
  #compare(a: number, b: number): number {
    const ha = this.#hi[a]!;
    const hb = this.#hi[b]!;
    if (ha !== hb) return ha < hb ? -1 : 1;
    const la = this.#lo[a]!;
    const lb = this.#lo[b]!;
    if (la !== lb) return la < lb ? -1 : 1;
    const d = this.#dimension;
    const va = this.#values;
    for (let j = 0; j < d; j++) {
      const x = va[a * d + j]!;
      const y = va[b * d + j]!;
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  }

  /** Sorts the candidates into sample order and keeps the first sampleSize. */
  #compact(): void {
    const held = this.#held;
    if (this.#sorted === held && held <= this.#sampleSize) return;
    const order = Array.from({ length: held }, (_, i) => i).sort((a, b) => this.#compare(a, b));
    const keep = Math.min(held, this.#sampleSize);
    const d = this.#dimension;
    const values = new Float64Array(this.#values.length);
    const hi = new Uint32Array(this.#hi.length);
    const lo = new Uint32Array(this.#lo.length);
    for (let i = 0; i < keep; i++) {
      const from = order[i]!;
      hi[i] = this.#hi[from]!;
      lo[i] = this.#lo[from]!;
      values.set(this.#values.subarray(from * d, from * d + d), i * d);
    }
    this.#values = values;
    this.#hi = hi;
    this.#lo = lo;
    this.#held = keep;
    this.#sorted = keep;
    if (keep === this.#sampleSize && keep > 0) {
      this.#full = true;
      this.#limitHi = hi[keep - 1]!;
      this.#limitLo = lo[keep - 1]!;
    }
  }

  /** Rows in the sample after compaction: min(count, sampleSize). */
  get sampleRows(): number {
    this.#compact();
    return this.#held;
  }

  /** The bottom-k sample in sample order (a copy), rows × dimension row-major. */
  sample(): EmbeddingSample {
    this.#compact();
    const d = this.#dimension;
    return { rows: this.#held, dimension: d, values: this.#values.slice(0, this.#held * d) };
  }

  /**
   * Adds `other`'s state into this one; `other` is not modified. Dimension and sample size must be equal (else
   * DW_STATISTIC_INPUT): a smaller sample on one side would not be the bottom-k of the union.
   */
  mergeFrom(other: EmbeddingSummary): void {
    if (!(other instanceof EmbeddingSummary))
      throw statisticInputError('can only merge another EmbeddingSummary');
    if (other.#dimension !== this.#dimension || other.#sampleSize !== this.#sampleSize) {
      throw statisticInputError(
        `cannot merge embedding summaries of dimension ${this.#dimension} / sample ${this.#sampleSize} and ` +
          `dimension ${other.#dimension} / sample ${other.#sampleSize}`,
        { dimension: [this.#dimension, other.#dimension], sampleSize: [this.#sampleSize, other.#sampleSize] },
      );
    }
    const src = other === this ? other.clone() : other;
    src.#compact();
    this.#count += src.#count;
    this.#invalidCount += src.#invalidCount;
    for (let j = 0; j < this.#dimension; j++) {
      const a = this.#sum[j]!;
      const b = src.#sum[j]!;
      const t = a + b;
      const c = Math.abs(a) >= Math.abs(b) ? a - t + b : b - t + a;
      this.#sum[j] = t;
      this.#compensation[j]! += c + src.#compensation[j]!;
    }
    const d = this.#dimension;
    for (let i = 0; i < src.#held; i++) this.#offer(src.#hi[i]!, src.#lo[i]!, src.#values, i * d);
  }

  clone(): EmbeddingSummary {
    const copy = new EmbeddingSummary(this.#dimension, this.#sampleSize);
    copy.#count = this.#count;
    copy.#invalidCount = this.#invalidCount;
    copy.#sum.set(this.#sum);
    copy.#compensation.set(this.#compensation);
    copy.#values.set(this.#values);
    copy.#hi.set(this.#hi);
    copy.#lo.set(this.#lo);
    copy.#held = this.#held;
    copy.#sorted = this.#sorted;
    copy.#limitHi = this.#limitHi;
    copy.#limitLo = this.#limitLo;
    copy.#full = this.#full;
    return copy;
  }

  /**
   * Frame (byte-codec.ts) of kind EMBEDDING_SUMMARY_SERIAL_KIND. Payload: u32 dimension, u32 sampleSize, varUint
   * count, varUint invalid count, d f64 sums, d f64 compensations, varUint sample rows S (in sample order), u8
   * component width (4: every sampled component is exactly a float32 and is written as one; else 8), then S times:
   * u32 priority high, u32 priority low, d components. Equal summaries give equal bytes.
   */
  serialize(): Uint8Array {
    this.#compact();
    const d = this.#dimension;
    const rows = this.#held;
    const values = this.#values;
    let width = 4;
    for (let i = 0; i < rows * d; i++) {
      if (Math.fround(values[i]!) !== values[i]!) {
        width = 8;
        break;
      }
    }
    const w = new ByteWriter(EMBEDDING_SUMMARY_SERIAL_KIND, 32 + 16 * d + rows * (8 + width * d));
    w.u32(d);
    w.u32(this.#sampleSize);
    w.varUint(this.#count);
    w.varUint(this.#invalidCount);
    w.f64Array(this.#sum, 0, d);
    w.f64Array(this.#compensation, 0, d);
    w.varUint(rows);
    w.u8(width);
    const row = new Uint8Array(width * d);
    const view = new DataView(row.buffer);
    for (let i = 0; i < rows; i++) {
      w.u32(this.#hi[i]!);
      w.u32(this.#lo[i]!);
      if (width === 8) {
        w.f64Array(values, i * d, d);
        continue;
      }
      for (let j = 0; j < d; j++) view.setFloat32(j * 4, values[i * d + j]!, true);
      w.raw(row);
    }
    return w.finish();
  }

  /** Decodes a frame written by serialize(); malformed or inconsistent content throws DW_STATISTIC_INPUT. */
  static deserialize(bytes: Uint8Array): EmbeddingSummary {
    const r = new ByteReader(bytes, EMBEDDING_SUMMARY_SERIAL_KIND);
    const d = r.u32('dimension');
    const sampleSize = r.u32('sampleSize');
    if (d < 1 || d > EMBEDDING_MAX_DIMENSION)
      throw r.fail(`dimension ${d} is outside 1..${EMBEDDING_MAX_DIMENSION}`);
    if (sampleSize > EMBEDDING_MAX_SAMPLE_SIZE) {
      throw r.fail(`sampleSize ${sampleSize} exceeds ${EMBEDDING_MAX_SAMPLE_SIZE}`);
    }
    const summary = new EmbeddingSummary(d, sampleSize);
    summary.#count = r.varUint('count');
    summary.#invalidCount = r.varUint('invalid count');
    summary.#sum.set(r.f64Array(d, 'sum'));
    summary.#compensation.set(r.f64Array(d, 'sum compensation'));
    for (let j = 0; j < d; j++) {
      if (!Number.isFinite(summary.#sum[j]!) || !Number.isFinite(summary.#compensation[j]!)) {
        throw r.fail(`sum component ${j} is not finite`);
      }
    }
    const rows = r.count('sample rows', 8 + 4 * d, Math.min(sampleSize, summary.#count));
    if (rows !== Math.min(sampleSize, summary.#count)) {
      throw r.fail(
        `a sample of ${rows} rows, expected min(sampleSize, count) = ${Math.min(sampleSize, summary.#count)}`,
      );
    }
    const width = r.u8('component width');
    if (width !== 4 && width !== 8) throw r.fail(`component width ${width} is neither 4 nor 8`);
    for (let i = 0; i < rows; i++) {
      summary.#hi[i] = r.u32('priority');
      summary.#lo[i] = r.u32('priority');
      if (width === 8) {
        summary.#values.set(r.f64Array(d, 'sample row'), i * d);
      } else {
        const raw = r.bytes(4 * d, 'sample row');
        const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
        for (let j = 0; j < d; j++) summary.#values[i * d + j] = view.getFloat32(j * 4, true);
      }
      for (let j = 0; j < d; j++) {
        const v = summary.#values[i * d + j]!;
        // Finite and never -0 (#offer normalizes), so order and bytes stay canonical.
        if (!Number.isFinite(v) || Object.is(v, -0))
          throw r.fail(`sample row ${i} has a non-finite or -0 component`);
      }
      if (i > 0 && summary.#compare(i - 1, i) > 0) throw r.fail(`sample row ${i} is out of order`);
    }
    r.finish();
    summary.#held = rows;
    summary.#sorted = rows;
    if (rows === sampleSize && rows > 0) {
      summary.#full = true;
      summary.#limitHi = summary.#hi[rows - 1]!;
      summary.#limitLo = summary.#lo[rows - 1]!;
    }
    return summary;
  }
}
