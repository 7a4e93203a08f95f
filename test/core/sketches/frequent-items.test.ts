import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../src/core/random/seeded-random.ts';
import { ByteWriter, SerialKind } from '../../../src/core/sketches/byte-codec.ts';
import { FrequentItems } from '../../../src/core/sketches/frequent-items.ts';
import { expectInvalidOption, expectStatisticInput } from '../stats/assertions.ts';
import {
  expectFrameIsGuarded,
  expectSameBytes,
  mergeOrders,
  randomCuts,
  zipf,
} from './sketch-test-support.ts';

/** Asserts the deterministic guarantees against the exact counts of every item in the universe. */
function expectWithinBounds(sketch: FrequentItems, exact: Float64Array, context: string): void {
  let total = 0;
  for (let item = 0; item < exact.length; item++) {
    const key = `item-${item}`;
    const truth = exact[item]!;
    total += truth;
    if (sketch.lowerBound(key) > truth || sketch.upperBound(key) < truth) {
      expect.fail(
        `${context}: ${key} true ${truth} outside [${sketch.lowerBound(key)}, ${sketch.upperBound(key)}]`,
      );
    }
  }
  expect(sketch.streamWeight, context).toBe(total);
  expect(sketch.maximumError, context).toBeLessThanOrEqual(
    FrequentItems.aprioriError(sketch.lgMaxMapSize, sketch.streamWeight),
  );
  expect(sketch.numActive, context).toBeLessThanOrEqual(sketch.capacity);
}

function sketchOf(ranks: Int32Array, from: number, to: number, lg = 10, weighted = false): FrequentItems {
  const sketch = new FrequentItems(lg);
  for (let i = from; i < to; i++) sketch.update(`item-${ranks[i]}`, weighted ? 1 + (i % 3) : 1);
  return sketch;
}

function exactCounts(ranks: Int32Array, universe: number, weighted = false): Float64Array {
  const counts = new Float64Array(universe);
  for (let i = 0; i < ranks.length; i++) counts[ranks[i]!]! += weighted ? 1 + (i % 3) : 1;
  return counts;
}

describe('FrequentItems', () => {
  it('is exact while fewer items than its capacity were seen', () => {
    const sketch = new FrequentItems();
    expect(sketch.capacity).toBe(768);
    for (let i = 0; i < 700; i++) sketch.update(`c${i % 350}`, 1 + (i % 2));
    expect(sketch.maximumError).toBe(0);
    // c0 arrives at i = 0 and 350 with weight 1 each; c1 at i = 1 and 351 with weight 2 each.
    expect(sketch.estimate('c0')).toBe(2);
    expect(sketch.lowerBound('c1')).toBe(4);
    expect(sketch.upperBound('c1')).toBe(4);
    expect(sketch.estimate('absent')).toBe(0);
    expect(sketch.upperBound('absent')).toBe(0);
    expect(sketch.streamWeight).toBe(1050);
  });

  const cases = [
    { lg: 10, n: 200_000, universe: 50_000, s: 1.1 },
    { lg: 10, n: 100_000, universe: 100_000, s: 0.8 },
    { lg: 6, n: 50_000, universe: 5_000, s: 1.3 },
    { lg: 4, n: 20_000, universe: 1_000, s: 1.0 },
  ];
  for (const { lg, n, universe, s } of cases) {
    for (const seed of [1, 2, 3]) {
      it(`Zipf(${s}) over ${universe} items, n = ${n}, lgMaxMapSize ${lg} (seed ${seed}): bounds hold in every merge order`, () => {
        const weighted = seed === 3;
        const ranks = zipf(n, universe, s, seed);
        const exact = exactCounts(ranks, universe, weighted);
        const whole = sketchOf(ranks, 0, n, lg, weighted);
        expectWithinBounds(whole, exact, 'single sketch');
        expect(whole.maximumError).toBeGreaterThan(0);
        const rng = new SeededRandom(seed);
        const cuts = randomCuts(n, 8, rng);
        const parts = Array.from({ length: 8 }, (_, p) =>
          sketchOf(ranks, cuts[p]!, cuts[p + 1]!, lg, weighted),
        );
        for (const order of mergeOrders(
          (x: FrequentItems) => x.clone(),
          (into, from) => into.merge(from),
          rng,
        )) {
          expectWithinBounds(order.combine(parts), exact, order.name);
        }
        // The heaviest item is tracked and ranked first.
        const top = whole.topK(1)[0]!;
        expect(top.item).toBe('item-0');
        expect(top.lowerBound).toBeLessThanOrEqual(exact[0]!);
        expect(top.upperBound).toBeGreaterThanOrEqual(exact[0]!);
      });
    }
  }

  it('topK sorts by count descending then item, and reports consistent rows', () => {
    const sketch = new FrequentItems();
    for (const [item, count] of [
      ['b', 5],
      ['a', 5],
      ['c', 9],
      ['d', 1],
    ] as const) {
      sketch.update(item, count);
    }
    expect(sketch.topK(3).map((r) => r.item)).toEqual(['c', 'a', 'b']);
    expect(sketch.topK().length).toBe(4);
    expect(sketch.topK(0)).toEqual([]);
    const row = sketch.topK(1)[0]!;
    expect(row).toEqual({ item: 'c', estimate: 9, lowerBound: 9, upperBound: 9 });
    expectStatisticInput(() => sketch.topK(-1));
  });

  it('merges into itself as doubling', () => {
    const sketch = sketchOf(zipf(5_000, 2_000, 1.1, 9), 0, 5_000);
    const before = sketch.clone();
    sketch.merge(sketch);
    expect(sketch.streamWeight).toBe(10_000);
    expect(sketch.lowerBound('item-0')).toBeGreaterThanOrEqual(2 * before.lowerBound('item-0'));
  });

  it('rejects bad counts, items and options', () => {
    const sketch = new FrequentItems();
    expectStatisticInput(() => sketch.update('a', -1));
    expectStatisticInput(() => sketch.update('a', 1.5));
    expectStatisticInput(() => sketch.update(3 as unknown as string));
    sketch.update('a', 0);
    expect(sketch.isEmpty).toBe(true);
    expectInvalidOption(() => new FrequentItems(2));
    expectInvalidOption(() => new FrequentItems(25));
  });
});

describe('FrequentItems: serialization', () => {
  const states: [string, () => FrequentItems][] = [
    ['empty', () => new FrequentItems()],
    ['exact', () => sketchOf(zipf(2_000, 300, 1.1, 1), 0, 2_000)],
    ['purged', () => sketchOf(zipf(100_000, 50_000, 1.1, 2), 0, 100_000)],
  ];
  for (const [name, make] of states) {
    it(`${name}: byte-identical round trip, guarded against damage`, () => {
      const sketch = make();
      const bytes = sketch.serialize();
      const decoded = FrequentItems.deserialize(bytes);
      expectSameBytes(decoded.serialize(), bytes);
      expect(decoded.maximumError).toBe(sketch.maximumError);
      expect(decoded.topK(10)).toEqual(sketch.topK(10));
      // The decoded sketch continues exactly as the original.
      const more = zipf(20_000, 50_000, 1.0, 5);
      for (const r of more) {
        sketch.update(`item-${r}`);
        decoded.update(`item-${r}`);
      }
      expectSameBytes(decoded.serialize(), sketch.serialize());
      expectFrameIsGuarded(bytes, (b) => FrequentItems.deserialize(b), 150);
    });
  }

  it('keeps non-ASCII items intact', () => {
    const sketch = new FrequentItems();
    for (const item of ['café', '😀', '', 'naïve', '\u0000']) sketch.update(item, 2);
    const decoded = FrequentItems.deserialize(sketch.serialize());
    expect(decoded.topK().map((r) => r.item)).toEqual(sketch.topK().map((r) => r.item));
  });

  it('rejects frames with a valid checksum but inconsistent content', () => {
    const frame = (items: [string, number][], weight: number, offset = 0): Uint8Array => {
      const w = new ByteWriter(SerialKind.FREQUENT_ITEMS);
      w.u8(10);
      w.varUint(weight);
      w.varUint(offset);
      w.varUint(items.length);
      for (const [item, count] of items) {
        w.string(item);
        w.varUint(count);
      }
      return w.finish();
    };
    expect(FrequentItems.deserialize(frame([['a', 2]], 5, 3)).upperBound('a')).toBe(5);
    expectStatisticInput(() => FrequentItems.deserialize(frame([['a', 0]], 5)));
    expectStatisticInput(() =>
      FrequentItems.deserialize(
        frame(
          [
            ['a', 1],
            ['a', 1],
          ],
          5,
        ),
      ),
    );
    // Tracked counts plus offset exceed the stream weight.
    expectStatisticInput(() => FrequentItems.deserialize(frame([['a', 4]], 5, 2)));
    // Invalid UTF-8 inside an item.
    const w = new ByteWriter(SerialKind.FREQUENT_ITEMS);
    w.u8(10);
    w.varUint(1);
    w.varUint(0);
    w.varUint(1);
    w.blob(Uint8Array.of(0xff, 0xfe));
    w.varUint(1);
    expectStatisticInput(() => FrequentItems.deserialize(w.finish()));
  });
});
