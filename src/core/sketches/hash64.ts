/**
 * XXH64 (xxHash, 64-bit variant, seed 0; Yann Collet's specification `doc/xxhash_spec.md`), ported to 32-bit
 * arithmetic so it runs without BigInt or allocation. A 64-bit word is kept as two uint32 halves; results come back
 * in `out[0]` (high half) and `out[1]` (low half). The output equals the reference implementation bit for bit on
 * every platform (checked against the published vectors and a BigInt transcription in the tests), so distinct
 * counts computed on one machine merge with those of another.
 */

/**
 * Results of the 64-bit helpers below (module scratch: the code is synchronous and never re-entered). Halves are kept
 * as SIGNED int32 (`| 0`), which V8 stores unboxed; uint32 values >= 2^31 would be boxed as heap numbers on every
 * write to these module variables, costing an allocation per operation (~10x slower). `out` converts to unsigned.
 */
let rh = 0;
let rl = 0;

function split(value: bigint): [number, number] {
  return [Number(BigInt.asIntN(32, value >> 32n)), Number(BigInt.asIntN(32, value))];
}

const [P1H, P1L] = split(0x9e3779b185ebca87n);
const [P2H, P2L] = split(0xc2b2ae3d27d4eb4fn);
const [P3H, P3L] = split(0x165667b19e3779f9n);
const [P4H, P4L] = split(0x85ebca77c2b2ae63n);
const [P5H, P5L] = split(0x27d4eb2f165667c5n);
const MASK64 = (1n << 64n) - 1n;
/** Initial accumulators for seed 0: v1 = P1 + P2, v2 = P2, v3 = 0, v4 = -P1 (mod 2^64). */
const [V1H, V1L] = split((0x9e3779b185ebca87n + 0xc2b2ae3d27d4eb4fn) & MASK64);
const [V4H, V4L] = split(-0x9e3779b185ebca87n & MASK64);

/**
 * (ah:al) * (bh:bl) mod 2^64. The low word is Math.imul; the high word is the upper half of the unsigned 32x32
 * product al*bl, from 16-bit limbs (every partial sum stays below 2^32), plus the two cross products' low words.
 */
function mul64(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const a1b0 = a1 * b0;
  // (a0 b0 >> 16) + low16(a1 b0) + a0 b1 <= 2^32 - 1: the classic carry-safe split.
  const cross = ((a0 * b0) >>> 16) + (a1b0 & 0xffff) + a0 * b1;
  const high = (a1b0 >>> 16) + (cross >>> 16) + a1 * b1;
  rl = Math.imul(al, bl);
  rh = (high + Math.imul(ah, bl) + Math.imul(al, bh)) | 0;
}

function add64(ah: number, al: number, bh: number, bl: number): void {
  const low = (al >>> 0) + (bl >>> 0);
  rl = low | 0;
  rh = (ah + bh + (low > 0xffffffff ? 1 : 0)) | 0;
}

/** Rotate left by r, 0 < r < 64, r !== 32. */
function rotl64(h: number, l: number, r: number): void {
  if (r < 32) {
    rh = (h << r) | (l >>> (32 - r));
    rl = (l << r) | (h >>> (32 - r));
  } else {
    const s = r - 32;
    rh = (l << s) | (h >>> (32 - s));
    rl = (h << s) | (l >>> (32 - s));
  }
}

/** XXH64 round: acc = rotl(acc + input * P2, 31) * P1. */
function round(acch: number, accl: number, inh: number, inl: number): void {
  mul64(inh, inl, P2H, P2L);
  add64(acch, accl, rh, rl);
  rotl64(rh, rl, 31);
  mul64(rh, rl, P1H, P1L);
}

/** XXH64 mergeRound: h = (h ^ round(0, v)) * P1 + P4. */
function mergeRound(hh: number, hl: number, vh: number, vl: number): void {
  round(0, 0, vh, vl);
  mul64(hh ^ rh, hl ^ rl, P1H, P1L);
  add64(rh, rl, P4H, P4L);
}

function read32(b: Uint8Array, p: number): number {
  return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
}

/** XXH64 of `bytes[start .. start+length)` with seed 0, into `out` = [high 32 bits, low 32 bits]. */
export function xxHash64(bytes: Uint8Array, start: number, length: number, out: Uint32Array): void {
  let p = start;
  const end = start + length;
  let hh: number;
  let hl: number;
  if (length >= 32) {
    let v1h = V1H;
    let v1l = V1L;
    let v2h = P2H;
    let v2l = P2L;
    let v3h = 0;
    let v3l = 0;
    let v4h = V4H;
    let v4l = V4L;
    const limit = end - 32;
    do {
      round(v1h, v1l, read32(bytes, p + 4), read32(bytes, p));
      v1h = rh;
      v1l = rl;
      round(v2h, v2l, read32(bytes, p + 12), read32(bytes, p + 8));
      v2h = rh;
      v2l = rl;
      round(v3h, v3l, read32(bytes, p + 20), read32(bytes, p + 16));
      v3h = rh;
      v3l = rl;
      round(v4h, v4l, read32(bytes, p + 28), read32(bytes, p + 24));
      v4h = rh;
      v4l = rl;
      p += 32;
    } while (p <= limit);
    rotl64(v1h, v1l, 1);
    hh = rh;
    hl = rl;
    rotl64(v2h, v2l, 7);
    add64(hh, hl, rh, rl);
    hh = rh;
    hl = rl;
    rotl64(v3h, v3l, 12);
    add64(hh, hl, rh, rl);
    hh = rh;
    hl = rl;
    rotl64(v4h, v4l, 18);
    add64(hh, hl, rh, rl);
    hh = rh;
    hl = rl;
    mergeRound(hh, hl, v1h, v1l);
    mergeRound(rh, rl, v2h, v2l);
    mergeRound(rh, rl, v3h, v3l);
    mergeRound(rh, rl, v4h, v4l);
    hh = rh;
    hl = rl;
  } else {
    hh = P5H;
    hl = P5L;
  }
  add64(hh, hl, 0, length | 0);
  hh = rh;
  hl = rl;
  while (p + 8 <= end) {
    round(0, 0, read32(bytes, p + 4), read32(bytes, p));
    rotl64(hh ^ rh, hl ^ rl, 27);
    mul64(rh, rl, P1H, P1L);
    add64(rh, rl, P4H, P4L);
    hh = rh;
    hl = rl;
    p += 8;
  }
  if (p + 4 <= end) {
    mul64(0, read32(bytes, p), P1H, P1L);
    rotl64(hh ^ rh, hl ^ rl, 23);
    mul64(rh, rl, P2H, P2L);
    add64(rh, rl, P3H, P3L);
    hh = rh;
    hl = rl;
    p += 4;
  }
  while (p < end) {
    mul64(0, bytes[p]!, P5H, P5L);
    rotl64(hh ^ rh, hl ^ rl, 11);
    mul64(rh, rl, P1H, P1L);
    hh = rh;
    hl = rl;
    p++;
  }
  // Avalanche: h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32.
  hl ^= hh >>> 1;
  mul64(hh, hl, P2H, P2L);
  hh = rh ^ (rh >>> 29);
  hl = rl ^ ((rl >>> 29) | (rh << 3));
  mul64(hh, hl, P3H, P3L);
  // Uint32Array stores convert the signed halves to unsigned.
  out[0] = rh;
  out[1] = rl ^ rh;
}

let scratch = new Uint8Array(256);
const floatView = new DataView(new ArrayBuffer(8));
const floatBytes = new Uint8Array(floatView.buffer);
const utf8Encoder = new TextEncoder();

/**
 * XXH64 of the UTF-8 bytes of `value` (lone surrogates encode as U+FFFD, as TextEncoder does). ASCII strings, the
 * common case for category labels, are encoded inline without a TextEncoder call.
 */
export function hashString(value: string, out: Uint32Array): void {
  const n = value.length;
  if (scratch.length < n * 3) scratch = new Uint8Array(Math.max(n * 3, scratch.length * 2));
  let i = 0;
  for (; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0x80) break;
    scratch[i] = c;
  }
  let length = n;
  if (i < n) length = i + utf8Encoder.encodeInto(value.slice(i), scratch.subarray(i)).written;
  xxHash64(scratch, 0, length, out);
}

/**
 * XXH64 of the 8 little-endian bytes of `value` as IEEE 754 binary64. -0 is hashed as +0 and every NaN as the
 * canonical quiet NaN, so values that compare equal (and all NaNs) count as one distinct value.
 */
export function hashFloat64(value: number, out: Uint32Array): void {
  floatView.setFloat64(0, value === 0 ? 0 : Number.isNaN(value) ? Number.NaN : value, true);
  xxHash64(floatBytes, 0, 8, out);
}
