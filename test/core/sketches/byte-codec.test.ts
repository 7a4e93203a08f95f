import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../src/core/random/seeded-random.ts';
import {
  ByteReader,
  ByteWriter,
  crc32,
  MIN_FRAME_BYTES,
  SerialKind,
  SKETCH_FORMAT_VERSION,
} from '../../../src/core/sketches/byte-codec.ts';
import { expectStatisticInput } from '../stats/assertions.ts';

function reseal(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(out.length - 4, crc32(out, 0, out.length - 4), true);
  return out;
}

describe('byte codec', () => {
  it('computes CRC-32 as zlib', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('round-trips every primitive', () => {
    const w = new ByteWriter(SerialKind.KLL_DOUBLES, 1);
    w.u8(255);
    w.u16(65_535);
    w.u32(0xdeadbeef);
    w.f64(-0);
    w.f64(Number.NaN);
    w.f64(1e-310);
    for (const v of [0, 1, 127, 128, 16_383, 16_384, 2 ** 32, Number.MAX_SAFE_INTEGER]) w.varUint(v);
    w.f64Array(Float64Array.of(1, 2, 3, 4), 1, 2);
    w.string('');
    w.string('plain');
    w.string('é😀\u0000');
    w.string('x'.repeat(50));
    w.blob(Uint8Array.of(9, 8, 7));
    const bytes = w.finish();
    expect(Array.from(bytes.subarray(0, 4))).toEqual([
      0x44,
      0x57,
      SKETCH_FORMAT_VERSION,
      SerialKind.KLL_DOUBLES,
    ]);

    const r = new ByteReader(bytes, SerialKind.KLL_DOUBLES);
    expect(r.u8('a')).toBe(255);
    expect(r.u16('b')).toBe(65_535);
    expect(r.u32('c')).toBe(0xdeadbeef);
    expect(Object.is(r.f64('d'), -0)).toBe(true);
    expect(Number.isNaN(r.f64('e'))).toBe(true);
    expect(r.f64('f')).toBe(1e-310);
    for (const v of [0, 1, 127, 128, 16_383, 16_384, 2 ** 32, Number.MAX_SAFE_INTEGER])
      expect(r.varUint('v')).toBe(v);
    expect(Array.from(r.f64Array(2, 'g'))).toEqual([2, 3]);
    expect(r.string('h')).toBe('');
    expect(r.string('i')).toBe('plain');
    expect(r.string('j')).toBe('é😀\u0000');
    expect(r.string('k')).toBe('x'.repeat(50));
    expect(Array.from(r.blob('l'))).toEqual([9, 8, 7]);
    r.finish();
  });

  it('reads from a view into a larger buffer', () => {
    const w = new ByteWriter(SerialKind.HYPERLOGLOG);
    w.f64(2.5);
    const frame = w.finish();
    const padded = new Uint8Array(frame.length + 11);
    padded.set(frame, 3);
    const r = new ByteReader(padded.subarray(3, 3 + frame.length), SerialKind.HYPERLOGLOG);
    expect(r.f64('x')).toBe(2.5);
    r.finish();
  });

  it('rejects short, foreign, corrupted, wrong-version and wrong-kind frames', () => {
    const w = new ByteWriter(SerialKind.FREQUENT_ITEMS);
    w.varUint(300);
    const good = w.finish();
    expectStatisticInput(
      () => new ByteReader(good.subarray(0, MIN_FRAME_BYTES - 1), SerialKind.FREQUENT_ITEMS),
    );
    expectStatisticInput(
      () => new ByteReader(new TextEncoder().encode('{"json": true}'), SerialKind.FREQUENT_ITEMS),
    );
    expectStatisticInput(() => new ByteReader(null as unknown as Uint8Array, SerialKind.FREQUENT_ITEMS));
    expectStatisticInput(() => new ByteReader([1, 2, 3] as unknown as Uint8Array, SerialKind.FREQUENT_ITEMS));
    const flipped = good.slice();
    flipped[5] = flipped[5]! ^ 0x10;
    expectStatisticInput(() => new ByteReader(flipped, SerialKind.FREQUENT_ITEMS));
    const version = good.slice();
    version[2] = 99;
    expectStatisticInput(() => new ByteReader(reseal(version), SerialKind.FREQUENT_ITEMS));
    expectStatisticInput(() => new ByteReader(good, SerialKind.HYPERLOGLOG));
    // Decoding past the payload, and leaving bytes behind.
    const r = new ByteReader(good, SerialKind.FREQUENT_ITEMS);
    expectStatisticInput(() => r.f64('too wide'));
    const partial = new ByteReader(good, SerialKind.FREQUENT_ITEMS);
    partial.u8('one byte');
    expectStatisticInput(() => partial.finish());
  });

  it('rejects malformed varints and length prefixes', () => {
    const frame = (payload: number[]): Uint8Array => {
      const w = new ByteWriter(SerialKind.KLL_DOUBLES);
      w.raw(Uint8Array.from(payload));
      return w.finish();
    };
    // Unterminated, over-long, non-minimal, and beyond 2^53 - 1.
    expectStatisticInput(() => new ByteReader(frame([0x80, 0x80]), SerialKind.KLL_DOUBLES).varUint('v'));
    expectStatisticInput(() =>
      new ByteReader(frame(Array(9).fill(0x81)), SerialKind.KLL_DOUBLES).varUint('v'),
    );
    expectStatisticInput(() => new ByteReader(frame([0x81, 0x00]), SerialKind.KLL_DOUBLES).varUint('v'));
    expectStatisticInput(() =>
      new ByteReader(frame([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]), SerialKind.KLL_DOUBLES).varUint(
        'v',
      ),
    );
    // A length prefix larger than what is left, and a count that cannot fit.
    expectStatisticInput(() => new ByteReader(frame([0x05, 1, 2]), SerialKind.KLL_DOUBLES).blob('b'));
    expectStatisticInput(() => new ByteReader(frame([0x7f]), SerialKind.KLL_DOUBLES).count('c', 8));
    expectStatisticInput(() => new ByteReader(frame([0x09]), SerialKind.KLL_DOUBLES).count('c', 0, 8));
    expectStatisticInput(() => new ByteWriter(SerialKind.KLL_DOUBLES).varUint(-1));
    expectStatisticInput(() => new ByteWriter(SerialKind.KLL_DOUBLES).varUint(2 ** 53));
  });

  it('never throws anything but DW_STATISTIC_INPUT on random garbage', () => {
    const rng = new SeededRandom(5);
    for (let i = 0; i < 500; i++) {
      const garbage = Uint8Array.from({ length: Math.floor(rng.next() * 64) }, () =>
        Math.floor(rng.next() * 256),
      );
      if (i % 2 === 0 && garbage.length > 2) {
        garbage[0] = 0x44;
        garbage[1] = 0x57;
      }
      expectStatisticInput(() => new ByteReader(garbage, SerialKind.NUMERIC_SUMMARY));
    }
  });
});
