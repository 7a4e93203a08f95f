import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../src/core/random/seeded-random.ts';
import { ByteWriter, SerialKind } from '../../../src/core/sketches/byte-codec.ts';
import { hashFloat64, hashString, xxHash64 } from '../../../src/core/sketches/hash64.ts';
import { HyperLogLog } from '../../../src/core/sketches/hyperloglog.ts';
import { expectInvalidOption, expectStatisticInput } from '../stats/assertions.ts';
import { expectFrameIsGuarded, expectSameBytes, mergeOrders } from './sketch-test-support.ts';

const out = new Uint32Array(2);

function hex(): string {
  return out[0]!.toString(16).padStart(8, '0') + out[1]!.toString(16).padStart(8, '0');
}

/** XXH64 (seed 0) transcribed from the specification with BigInt: an independent oracle for the 32-bit port. */
function referenceXxh64(bytes: Uint8Array): bigint {
  const M = (1n << 64n) - 1n;
  const P1 = 0x9e3779b185ebca87n;
  const P2 = 0xc2b2ae3d27d4eb4fn;
  const P3 = 0x165667b19e3779f9n;
  const P4 = 0x85ebca77c2b2ae63n;
  const P5 = 0x27d4eb2f165667c5n;
  const rotl = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & M;
  const round = (acc: bigint, input: bigint): bigint => (rotl((acc + input * P2) & M, 31n) * P1) & M;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = bytes.length;
  let p = 0;
  let h: bigint;
  if (len >= 32) {
    let v1 = (P1 + P2) & M;
    let v2 = P2;
    let v3 = 0n;
    let v4 = (M + 1n - P1) & M;
    while (p + 32 <= len) {
      v1 = round(v1, view.getBigUint64(p, true));
      v2 = round(v2, view.getBigUint64(p + 8, true));
      v3 = round(v3, view.getBigUint64(p + 16, true));
      v4 = round(v4, view.getBigUint64(p + 24, true));
      p += 32;
    }
    h = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & M;
    for (const v of [v1, v2, v3, v4]) h = ((((h ^ round(0n, v)) * P1) & M) + P4) & M;
  } else {
    h = P5;
  }
  h = (h + BigInt(len)) & M;
  while (p + 8 <= len) {
    h = (rotl(h ^ round(0n, view.getBigUint64(p, true)), 27n) * P1 + P4) & M;
    p += 8;
  }
  if (p + 4 <= len) {
    h = (rotl(h ^ ((BigInt(view.getUint32(p, true)) * P1) & M), 23n) * P2 + P3) & M;
    p += 4;
  }
  while (p < len) {
    h = (rotl(h ^ ((BigInt(bytes[p]!) * P5) & M), 11n) * P1) & M;
    p++;
  }
  h ^= h >> 33n;
  h = (h * P2) & M;
  h ^= h >> 29n;
  h = (h * P3) & M;
  h ^= h >> 32n;
  return h;
}

describe('XXH64 port', () => {
  it('matches the published vectors', () => {
    const vectors: [string, string][] = [
      ['', 'ef46db3751d8e999'],
      ['a', 'd24ec4f1a98c6e5b'],
      ['abc', '44bc2cf5ad770999'],
      ['Nobody inspects the spammish repetition', 'fbcea83c8a378bf1'],
      ['The quick brown fox jumps over the lazy dog', '0b242d361fda71bc'],
      ['a'.repeat(32), '856e843298f99ad7'],
    ];
    for (const [text, expected] of vectors) {
      hashString(text, out);
      expect(hex(), JSON.stringify(text)).toBe(expected);
    }
    const counting = Uint8Array.from({ length: 100 }, (_, i) => i);
    xxHash64(counting, 0, 100, out);
    expect(hex()).toBe('6ac1e58032166597');
  });

  it('equals a BigInt transcription on random inputs of every length 0..200, at any offset', () => {
    const rng = new SeededRandom(17);
    for (let len = 0; len <= 200; len++) {
      const buffer = Uint8Array.from({ length: len + 7 }, () => Math.floor(rng.next() * 256));
      const offset = len % 7;
      xxHash64(buffer, offset, len, out);
      const expected = referenceXxh64(buffer.subarray(offset, offset + len));
      expect(hex(), `length ${len}`).toBe(expected.toString(16).padStart(16, '0'));
    }
  });

  it('hashes strings as UTF-8 and numbers as canonical little-endian float64', () => {
    hashString('é😀x', out);
    const viaEncoder = referenceXxh64(new TextEncoder().encode('é😀x'));
    expect(hex()).toBe(viaEncoder.toString(16).padStart(16, '0'));
    hashFloat64(-0, out);
    const negativeZero = hex();
    hashFloat64(0, out);
    expect(hex()).toBe(negativeZero);
    hashFloat64(Number.NaN, out);
    const nan = hex();
    hashFloat64(new Float64Array(new Uint32Array([1, 0x7ff80000]).buffer)[0]!, out);
    expect(hex()).toBe(nan);
    hashFloat64(1.5, out);
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, 1.5, true);
    expect(hex()).toBe(referenceXxh64(bytes).toString(16).padStart(16, '0'));
  });
});

function sketchOf(items: readonly (string | number)[], lgK = 12): HyperLogLog {
  const hll = new HyperLogLog(lgK);
  for (const item of items) hll.update(item);
  return hll;
}

describe('HyperLogLog: accuracy', () => {
  it('states the relative standard error 1.04 / sqrt(2^lgK)', () => {
    expect(HyperLogLog.relativeStandardError(12)).toBeCloseTo(0.01625, 6);
    expect(new HyperLogLog().relativeStandardError).toBe(1.04 / 64);
    expect(new HyperLogLog().lgK).toBe(12);
  });

  for (const seed of [1, 2, 3, 4, 5]) {
    it(`10^5 distinct strings (seed ${seed}): within 3 standard errors, duplicates ignored`, () => {
      const rng = new SeededRandom(seed);
      const prefix = `user-${seed}-`;
      const hll = new HyperLogLog();
      for (let i = 0; i < 100_000; i++) {
        hll.update(prefix + i);
        // Repeats of already-seen items must not move the estimate.
        if (rng.next() < 0.3) hll.update(prefix + Math.floor(rng.next() * (i + 1)));
      }
      const estimate = hll.estimate();
      expect(Math.abs(estimate - 100_000) / 100_000).toBeLessThanOrEqual(3 * hll.relativeStandardError);
    });
  }

  it('10^5 distinct numbers: within 3 standard errors', () => {
    const hll = new HyperLogLog();
    for (let i = 0; i < 100_000; i++) hll.update(i * 0.001 - 37);
    expect(Math.abs(hll.estimate() - 100_000) / 100_000).toBeLessThanOrEqual(3 * hll.relativeStandardError);
  });

  it('is nearly exact for small counts: within 3 sd of linear counting (Whang et al. 1990)', () => {
    expect(new HyperLogLog().estimate()).toBe(0);
    const m = 4096;
    for (const n of [1, 2, 3, 5, 10, 50, 100, 300, 1_000, 3_000]) {
      const hll = sketchOf(Array.from({ length: n }, (_, i) => `k${i}`));
      // Var(linear counting) = m (e^t - t - 1) with load t = n / m; tiny counts come out exact after rounding.
      const t = n / m;
      const tolerance = Math.max(0.5, 3 * Math.sqrt(m * (Math.exp(t) - t - 1)));
      expect(Math.abs(hll.estimate() - n), `n = ${n}`).toBeLessThanOrEqual(tolerance);
    }
  });

  it('stays within 3 standard errors across the linear-counting/raw transition (0.5 m .. 8 m)', () => {
    const hll = new HyperLogLog();
    const m = 4096;
    let added = 0;
    for (const target of [0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8].map((f) => f * m)) {
      while (added < target) hll.update(`t${added++}`);
      expect(Math.abs(hll.estimate() - added) / added, `n = ${added}`).toBeLessThanOrEqual(
        3 * hll.relativeStandardError,
      );
    }
  });
});

describe('HyperLogLog: merging', () => {
  it('is exactly associative and commutative: every merge order gives the same bytes as one sketch', () => {
    const rng = new SeededRandom(8);
    const parts: HyperLogLog[] = [];
    const whole = new HyperLogLog();
    for (let p = 0; p < 9; p++) {
      const part = new HyperLogLog();
      const size = Math.floor(rng.next() * 20_000);
      for (let i = 0; i < size; i++) {
        // Overlapping ranges across parts.
        const item = `x${Math.floor(rng.next() * 60_000)}`;
        part.update(item);
        whole.update(item);
      }
      parts.push(part);
    }
    const expected = whole.serialize();
    for (const order of mergeOrders(
      (h: HyperLogLog) => h.clone(),
      (into, from) => into.merge(from),
      rng,
    )) {
      expectSameBytes(order.combine(parts).serialize(), expected);
    }
  });

  it('folds a larger lgK exactly into a smaller one, in either merge direction', () => {
    const items = Array.from({ length: 30_000 }, (_, i) => `fold-${i}`);
    const small = sketchOf(items.slice(0, 20_000), 10);
    const large = sketchOf(items.slice(10_000), 14);
    const direct = sketchOf(items, 10);
    const a = small.clone();
    a.merge(large);
    const b = large.clone();
    b.merge(small);
    expect(a.lgK).toBe(10);
    expect(b.lgK).toBe(10);
    expectSameBytes(a.serialize(), direct.serialize());
    expectSameBytes(b.serialize(), direct.serialize());
    // The operand is not modified by folding.
    expect(large.lgK).toBe(14);
  });

  it('merges into itself without change', () => {
    const hll = sketchOf(['a', 'b', 'c', 1, 2]);
    const before = hll.serialize();
    hll.merge(hll);
    expectSameBytes(hll.serialize(), before);
  });

  it('rejects bad options and inputs', () => {
    expectInvalidOption(() => new HyperLogLog(3));
    expectInvalidOption(() => new HyperLogLog(19));
    expectStatisticInput(() => new HyperLogLog().update({} as unknown as string));
    expectStatisticInput(() => new HyperLogLog().merge({} as unknown as HyperLogLog));
  });
});

describe('HyperLogLog: serialization', () => {
  const states: [string, () => HyperLogLog][] = [
    ['empty', () => new HyperLogLog()],
    ['sparse', () => sketchOf(Array.from({ length: 300 }, (_, i) => `s${i}`))],
    ['dense', () => sketchOf(Array.from({ length: 100_000 }, (_, i) => i))],
    [
      'dense, lgK 4',
      () =>
        sketchOf(
          Array.from({ length: 1_000 }, (_, i) => i),
          4,
        ),
    ],
  ];
  for (const [name, make] of states) {
    it(`${name}: round trip is byte-identical and guarded`, () => {
      const hll = make();
      const bytes = hll.serialize();
      const decoded = HyperLogLog.deserialize(bytes);
      expectSameBytes(decoded.serialize(), bytes);
      expect(decoded.estimate()).toBe(hll.estimate());
      expectFrameIsGuarded(bytes, (b) => HyperLogLog.deserialize(b));
    });
  }

  it('is compact: a few bytes when nearly empty, 6 bits per register when full', () => {
    expect(new HyperLogLog().serialize().length).toBeLessThanOrEqual(12);
    expect(sketchOf(['one']).serialize().length).toBeLessThanOrEqual(16);
    expect(sketchOf(Array.from({ length: 100_000 }, (_, i) => i)).serialize().length).toBe(4 + 2 + 3072 + 4);
  });

  it('rejects frames with a valid checksum but impossible registers', () => {
    const frame = (fill: (w: ByteWriter) => void): Uint8Array => {
      const w = new ByteWriter(SerialKind.HYPERLOGLOG);
      fill(w);
      return w.finish();
    };
    // Register value above 65 - lgK.
    expectStatisticInput(() =>
      HyperLogLog.deserialize(
        frame((w) => {
          w.u8(12);
          w.u8(0);
          w.varUint(1);
          w.varUint(0);
          w.u8(60);
        }),
      ),
    );
    // Sparse index beyond the register count.
    expectStatisticInput(() =>
      HyperLogLog.deserialize(
        frame((w) => {
          w.u8(4);
          w.u8(0);
          w.varUint(1);
          w.varUint(16);
          w.u8(1);
        }),
      ),
    );
    // Unknown encoding, and lgK out of range.
    expectStatisticInput(() =>
      HyperLogLog.deserialize(
        frame((w) => {
          w.u8(12);
          w.u8(7);
        }),
      ),
    );
    expectStatisticInput(() =>
      HyperLogLog.deserialize(
        frame((w) => {
          w.u8(30);
          w.u8(0);
          w.varUint(0);
        }),
      ),
    );
  });
});
