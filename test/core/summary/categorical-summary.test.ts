import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../src/core/random/seeded-random.ts';
import { ByteWriter, SerialKind } from '../../../src/core/sketches/byte-codec.ts';
import { FrequentItems } from '../../../src/core/sketches/frequent-items.ts';
import { HyperLogLog } from '../../../src/core/sketches/hyperloglog.ts';
import { CategoricalSummary } from '../../../src/core/summary/categorical-summary.ts';
import {
  expectFrameIsGuarded,
  expectSameBytes,
  type MergeOps,
  mergeCandidates,
  randomCuts,
  zipf,
} from '../sketches/sketch-test-support.ts';
import { expectInvalidOption, expectStatisticInput } from '../stats/assertions.ts';

/** Rows drawn from Zipf(s) over `universe` labels, with ~3% nulls. */
function rows(n: number, universe: number, s: number, seed: number): (string | null)[] {
  const ranks = zipf(n, universe, s, seed);
  const rng = new SeededRandom(seed + 1);
  return Array.from(ranks, (r) => (rng.next() < 0.03 ? null : `cat-${r}`));
}

function exactCounts(values: readonly (string | null)[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

function summaryOf(values: readonly (string | null)[], options = {}): CategoricalSummary {
  const summary = CategoricalSummary.create(options);
  summary.add(values);
  return summary;
}

/** Arrow-style dictionary encoding of `values`: codes, LSB-first validity, dictionary in first-seen order. */
function encode(values: readonly (string | null)[]) {
  const dictionary: string[] = [];
  const index = new Map<string, number>();
  const codes = new Int32Array(values.length);
  const validity = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v === null) {
      codes[i] = 12345; // junk under a cleared bit must never be read
      return;
    }
    validity[i >> 3]! |= 1 << (i & 7);
    let code = index.get(v);
    if (code === undefined) {
      code = dictionary.length;
      dictionary.push(v);
      index.set(v, code);
    }
    codes[i] = code;
  });
  return { codes, validity, dictionary };
}

/** Checks the summary's contract against the exact counts. */
function expectConsistent(summary: CategoricalSummary, truth: Map<string, number>, context: string): void {
  const result = summary.counts();
  let reported = 0;
  for (let i = 0; i < result.categories.length; i++) {
    const category = result.categories[i]!;
    const count = result.counts[i]!;
    const exact = truth.get(category) ?? 0;
    reported += count;
    if (count > exact || count + result.maxError < exact) {
      expect.fail(`${context}: ${category} true ${exact} outside [${count}, ${count + result.maxError}]`);
    }
    if (i > 0) {
      const previous = result.counts[i - 1]!;
      if (!(previous > count || (previous === count && result.categories[i - 1]! < category))) {
        expect.fail(
          `${context}: ${result.categories[i - 1]} (${previous}) sorted before ${category} (${count})`,
        );
      }
    }
  }
  // Untracked categories are bounded by maxError too.
  const tracked = new Set(result.categories);
  for (const [category, exact] of truth) {
    if (!tracked.has(category) && exact > result.maxError) {
      expect.fail(`${context}: untracked ${category} has ${exact} > maxError ${result.maxError}`);
    }
  }
  expect(reported + result.otherCount, context).toBe(summary.present);
  expect(result.otherCount, context).toBeGreaterThanOrEqual(0);
  if (result.exact) {
    expect(result.maxError).toBe(0);
    expect(result.otherCount).toBe(0);
    expect(result.categories.length, context).toBe(truth.size);
  }
}

describe('CategoricalSummary: exact counts', () => {
  it('counts categories and missing values, sorted by count then name', () => {
    const summary = summaryOf(['b', 'a', null, 'c', 'a', 'b', 'a', null, 'd', 'c']);
    const result = summary.counts();
    expect(result.categories).toEqual(['a', 'b', 'c', 'd']);
    expect(Array.from(result.counts)).toEqual([3, 2, 2, 1]);
    expect(result.exact).toBe(true);
    expect(summary.missing).toBe(2);
    expect(summary.total).toBe(10);
    expect(summary.present).toBe(8);
    expect(summary.distinctEstimate).toBe(4);
    expect(summary.distinctRelativeError).toBe(0);
  });

  it('addCodes matches add on the same rows, and never reads codes under a cleared bit', () => {
    const values = rows(20_000, 300, 1.1, 3);
    const { codes, validity, dictionary } = encode(values);
    const viaCodes = CategoricalSummary.create();
    viaCodes.addCodes(codes.subarray(0, 7_000), validity, 7_000, dictionary);
    // A second chunk with its own (here: shuffled) dictionary.
    const second = encode(values.slice(7_000));
    const shuffled = [...second.dictionary].reverse();
    const remap = second.dictionary.map((d) => shuffled.indexOf(d));
    const secondCodes = second.codes.map((c, i) =>
      ((second.validity[i >> 3]! >> (i & 7)) & 1) === 1 ? remap[c]! : c,
    );
    viaCodes.addCodes(secondCodes, second.validity, secondCodes.length, shuffled);
    const viaValues = summaryOf(values);
    expect(viaCodes.counts()).toEqual(viaValues.counts());
    expect(viaCodes.missing).toBe(viaValues.missing);
    expect(viaCodes.total).toBe(viaValues.total);
    // Same categories seen, so the same distinct-count registers: visible once both are sketched.
    const big = summaryOf(Array.from({ length: 1_500 }, (_, i) => `other-${i}`));
    const a = big.clone();
    a.mergeFrom(viaCodes);
    const b = big.clone();
    b.mergeFrom(viaValues);
    expect(a.distinctEstimate).toBe(b.distinctEstimate);
  });

  it('rejects codes outside the dictionary, bad lengths, short bitmaps, non-strings and bad options', () => {
    const summary = CategoricalSummary.create();
    expectStatisticInput(() => summary.addCodes(Int32Array.of(0, 2), null, 2, ['a', 'b']));
    expectStatisticInput(() => summary.addCodes(Int32Array.of(-1), null, 1, ['a']));
    expectStatisticInput(() => summary.addCodes(Int32Array.of(0), null, 2, ['a']));
    expectStatisticInput(() => summary.addCodes(new Int32Array(9), new Uint8Array(1), 9, ['a']));
    expectStatisticInput(() => summary.add([3 as unknown as string]));
    expectStatisticInput(() => summary.mergeFrom({} as CategoricalSummary));
    expectInvalidOption(() => CategoricalSummary.create({ maxExactCategories: -1 }));
    expectInvalidOption(() => CategoricalSummary.create({ lgMaxMapSize: 2 }));
    expectInvalidOption(() => CategoricalSummary.create({ lgK: 40 }));
  });
});

describe('CategoricalSummary: exact to sketch', () => {
  it('stays exact up to maxExactCategories distinct categories and converts on the next one', () => {
    const summary = CategoricalSummary.create({ maxExactCategories: 1_000 });
    summary.add(Array.from({ length: 1_000 }, (_, i) => `c${i}`));
    expect(summary.isExact).toBe(true);
    expect(summary.distinctEstimate).toBe(1_000);
    summary.add(['c0', 'c1']);
    expect(summary.isExact).toBe(true);
    summary.add(['new']);
    expect(summary.isExact).toBe(false);
    const result = summary.counts();
    expect(result.exact).toBe(false);
    expect(summary.distinctRelativeError).toBe(HyperLogLog.relativeStandardError(12));
    expect(Math.abs(summary.distinctEstimate - 1_001) / 1_001).toBeLessThanOrEqual(
      3 * summary.distinctRelativeError,
    );
    const truth = new Map(
      Array.from({ length: 1_000 }, (_, i) => [`c${i}`, i < 2 ? 2 : 1] as [string, number]),
    );
    truth.set('new', 1);
    expectConsistent(summary, truth, 'after conversion');
  });

  it('10^5 categories: counts within the frequent-items bounds, distinct count within 3 standard errors', () => {
    const values = rows(400_000, 100_000, 0.9, 11);
    const summary = summaryOf(values);
    const truth = exactCounts(values);
    expectConsistent(summary, truth, '10^5 categories');
    const result = summary.counts();
    expect(result.maxError).toBeLessThanOrEqual(FrequentItems.aprioriError(10, summary.present));
    expect(result.categories[0]).toBe('cat-0');
    expect(Math.abs(summary.distinctEstimate - truth.size) / truth.size).toBeLessThanOrEqual(
      3 * summary.distinctRelativeError,
    );
  });
});

const SUMMARY_MERGE: MergeOps<CategoricalSummary> = {
  clone: (x) => x.clone(),
  merge: (into, from) => into.mergeFrom(from),
  roundTrip: (x) => CategoricalSummary.deserialize(x.serialize()),
};

describe('CategoricalSummary: merging', () => {
  const cases = [
    { n: 50_000, universe: 500, s: 1.0, exact: true },
    { n: 100_000, universe: 30_000, s: 1.1, exact: false },
    { n: 30_000, universe: 1_200, s: 0.5, exact: false },
  ];
  for (const { n, universe, s, exact } of cases) {
    for (const seed of [1, 2, 3]) {
      it(`${universe} categories, n = ${n} (seed ${seed}): ${exact ? 'identical counts' : 'bounds hold'} in every merge order`, () => {
        const values = rows(n, universe, s, seed);
        const truth = exactCounts(values);
        const rng = new SeededRandom(seed);
        const cuts = randomCuts(n, 8, rng);
        const parts = Array.from({ length: 8 }, (_, p) => summaryOf(values.slice(cuts[p]!, cuts[p + 1]!)));
        const whole = summaryOf(values);
        const results = mergeCandidates('single summary', whole, parts, SUMMARY_MERGE, rng);
        const expectedCounts = whole.counts();
        for (const [name, summary] of results) {
          const context = `${name} seed ${seed}`;
          expect(summary.missing, context).toBe(whole.missing);
          expect(summary.total, context).toBe(n);
          expect(summary.isExact, context).toBe(exact);
          expectConsistent(summary, truth, context);
          // The distinct-count sketch merges exactly: same estimate in every order.
          expect(summary.distinctEstimate, context).toBe(whole.distinctEstimate);
          if (exact) expect(summary.counts(), context).toEqual(expectedCounts);
        }
      });
    }
  }

  it('merging a sketched summary into an exact one converts it', () => {
    const exact = summaryOf(['a', 'b', 'a']);
    const sketched = summaryOf(Array.from({ length: 2_000 }, (_, i) => `k${i % 1_500}`));
    expect(sketched.isExact).toBe(false);
    exact.mergeFrom(sketched);
    expect(exact.isExact).toBe(false);
    expect(exact.total).toBe(2_003);
    const truth = exactCounts(['a', 'b', 'a', ...Array.from({ length: 2_000 }, (_, i) => `k${i % 1_500}`)]);
    expectConsistent(exact, truth, 'exact <- sketched');
  });

  it('merges into itself as doubling', () => {
    const summary = summaryOf(['x', null, 'y', 'x']);
    summary.mergeFrom(summary);
    expect(summary.counts().categories).toEqual(['x', 'y']);
    expect(Array.from(summary.counts().counts)).toEqual([4, 2]);
    expect(summary.missing).toBe(2);
  });
});

describe('CategoricalSummary: serialization', () => {
  const states: [string, () => CategoricalSummary][] = [
    ['empty', () => CategoricalSummary.create()],
    ['exact', () => summaryOf(rows(5_000, 200, 1.1, 1))],
    ['sketched', () => summaryOf(rows(50_000, 20_000, 1.0, 2))],
  ];
  for (const [name, make] of states) {
    it(`${name}: serialize(deserialize(x)) === x and damage throws DW_STATISTIC_INPUT`, () => {
      const bytes = make().serialize();
      const decoded = CategoricalSummary.deserialize(bytes);
      expectSameBytes(decoded.serialize(), bytes);
      expect(decoded.counts()).toEqual(make().counts());
      expectFrameIsGuarded(bytes, (b) => CategoricalSummary.deserialize(b), 120);
    });
  }

  it('is compact: a 10^5-category summary serializes to ~10 KB', () => {
    // Every one of the 10^5 categories once, then 4 * 10^5 Zipf(1.0) rows on top.
    const values = Array.from({ length: 100_000 }, (_, i) => `category-${i}`);
    for (const r of zipf(400_000, 100_000, 1.0, 4)) values.push(`category-${r}`);
    const summary = summaryOf(values);
    const bytes = summary.serialize();
    console.log(
      `CategoricalSummary of 5*10^5 rows over 10^5 categories (estimate ${Math.round(summary.distinctEstimate)}): ${bytes.length} bytes`,
    );
    expect(Math.abs(summary.distinctEstimate - 100_000) / 100_000).toBeLessThanOrEqual(
      3 * summary.distinctRelativeError,
    );
    expect(bytes.length).toBeLessThan(20_000);
  });

  it('rejects frames with a valid checksum but inconsistent counts', () => {
    const frame = (missing: number, total: number, counts: [string, number][]): Uint8Array => {
      const w = new ByteWriter(SerialKind.CATEGORICAL_SUMMARY);
      w.varUint(1_000);
      w.u8(10);
      w.varUint(missing);
      w.varUint(total);
      w.u8(0);
      w.varUint(counts.length);
      for (const [c, n] of counts) {
        w.string(c);
        w.varUint(n);
      }
      w.blob(new HyperLogLog().serialize());
      return w.finish();
    };
    expect(CategoricalSummary.deserialize(frame(1, 4, [['a', 3]])).present).toBe(3);
    expectStatisticInput(() => CategoricalSummary.deserialize(frame(1, 5, [['a', 3]])));
    expectStatisticInput(() => CategoricalSummary.deserialize(frame(6, 5, [])));
    expectStatisticInput(() =>
      CategoricalSummary.deserialize(
        frame(0, 2, [
          ['a', 1],
          ['a', 1],
        ]),
      ),
    );
  });
});
