import { describe, expect, it } from 'vitest';
import {
  LATENCY_DEFAULT_BIN_LIMIT,
  LATENCY_DEFAULT_RELATIVE_ACCURACY,
  LatencySketch,
} from '../../../src/core/latency/latency-sketch.ts';
import { SeededRandom } from '../../../src/core/random/seeded-random.ts';
import { expectInvalidOption, expectStatisticInput } from '../stats/assertions.ts';
import { exactSum, generateDataset, latencyGolden } from './latency-data.ts';

function sketchOf(values: Float64Array, alpha: number, binLimit: number): LatencySketch {
  const sketch = LatencySketch.create({ relativeAccuracy: alpha, binLimit });
  sketch.addMany(values, values.length);
  return sketch;
}

function sortedCopy(values: Float64Array): Float64Array {
  return values.slice().sort();
}

/** numpy.quantile(method="lower"): the order statistic at floor(q (n - 1)), the rank DDSketch estimates. */
function lowerQuantile(sorted: Float64Array, q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

const datasets = new Map(latencyGolden.datasets.map((d) => [d.name, generateDataset(d.name, d.seed)]));

describe('latency datasets: the TypeScript generators reproduce the Python ones', () => {
  for (const d of latencyGolden.datasets) {
    it(d.name, () => {
      const values = datasets.get(d.name)!;
      expect(values.length).toBe(d.count);
      expect(Array.from(values.subarray(0, d.first.length))).toEqual(d.first);
      const sorted = sortedCopy(values);
      expect(d.sortedEvery97).toEqual(Array.from(sorted.filter((_, i) => i % 97 === 0)));
      expect(Math.abs(exactSum(values) - d.fsum)).toBeLessThanOrEqual(Math.abs(d.fsum) * 1e-15);
    });
  }
});

describe('LatencySketch: matches ddsketch.LogCollapsingLowestDenseDDSketch', () => {
  it(`has the fixture cases (ddsketch ${latencyGolden.versions.ddsketch})`, () => {
    expect(latencyGolden.cases.length).toBeGreaterThanOrEqual(40);
    expect(latencyGolden.cases.some((c) => c.collapsed)).toBe(true);
    expect(latencyGolden.cases.some((c) => c.zeroCount > 0)).toBe(true);
  });

  for (const c of latencyGolden.cases) {
    it(`${c.dataset}, alpha ${c.alpha}, binLimit ${c.binLimit}`, () => {
      const values = datasets.get(c.dataset)!;
      const sketch = sketchOf(values, c.alpha, c.binLimit);
      // The mapping constants are the reference's bit for bit.
      expect(sketch.gamma).toBe(c.gamma);
      expect(sketch.multiplier).toBe(c.multiplier);
      expect(sketch.count).toBe(c.count);
      expect(sketch.zeroCount).toBe(c.zeroCount);
      expect(sketch.min).toBe(c.min);
      expect(sketch.max).toBe(c.max);
      expect(Math.abs(sketch.sum - c.sum)).toBeLessThanOrEqual(Math.abs(c.sum) * 1e-12);
      expect(sketch.isCollapsed).toBe(c.collapsed);
      // Same buckets, same counts.
      const { keys, counts } = sketch.buckets();
      const mine = Object.fromEntries(Array.from(keys, (k, i) => [String(k), counts[i]!]));
      expect(mine).toEqual(c.bins);
      for (const g of c.quantiles) {
        const value = sketch.quantile(g.q);
        // Same bucket; the bucket's value to within libm's pow (one or two ulps).
        if (g.key === null) expect(value).toBe(0);
        else expect(sketch.keyOf(value)).toBe(g.key);
        expect(Math.abs(value - g.value)).toBeLessThanOrEqual(Math.abs(g.value) * 1e-15);
        // The stated bound against numpy's exact order statistic.
        if (sketch.quantileGuaranteed(g.q)) {
          expect(Math.abs(value - g.lower)).toBeLessThanOrEqual(c.alpha * g.lower * (1 + 1e-12));
        }
      }
      expect(c.mergedEqualsSingle).toBe(true);
    });
  }

  it('the low quantiles of a collapsed sketch are flagged as not guaranteed, and really miss', () => {
    const c = latencyGolden.cases.find((x) => x.dataset === 'log-uniform' && x.binLimit === 128)!;
    const sketch = sketchOf(datasets.get(c.dataset)!, c.alpha, c.binLimit);
    expect(sketch.isCollapsed).toBe(true);
    expect(sketch.quantileGuaranteed(0)).toBe(false);
    const g0 = c.quantiles.find((g) => g.q === 0)!;
    expect(sketch.quantile(0) / g0.lower).toBeGreaterThan(1 + c.alpha);
    expect(sketch.quantileGuaranteed(0.99)).toBe(true);
  });
});

/** Draws from a few shapes latencies take. */
function draw(rng: SeededRandom, shape: number, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => {
    switch (shape) {
      case 0:
        return Math.exp(3 + 0.8 * rng.normal());
      case 1:
        return rng.next() < 0.9 ? Math.exp(2 + 0.2 * rng.normal()) : Math.exp(6 + 0.5 * rng.normal());
      case 2:
        return 5 * (1 - rng.next()) ** -1.5;
      case 3:
        return rng.next() < 0.1 ? 0 : 1 + Math.floor(rng.next() * 50);
      default:
        return 1e-3 * 10 ** (9 * rng.next());
    }
  });
}

describe('LatencySketch: relative-error guarantee (property, against exact order statistics)', () => {
  it('every quantile on a grid is within alpha of the exact lower order statistic', () => {
    const rng = new SeededRandom(7);
    let checked = 0;
    for (let trial = 0; trial < 60; trial++) {
      const alpha = [0.001, 0.005, 0.01, 0.02, 0.05][trial % 5]!;
      const n = 1 + Math.floor(rng.next() * 3000);
      const values = draw(rng, trial % 5, n);
      // Enough buckets that nothing collapses (nine decades at alpha = 0.001 need about 10,400).
      const sketch = sketchOf(values, alpha, 1 << 16);
      expect(sketch.isCollapsed).toBe(false);
      const sorted = sortedCopy(values);
      for (let i = 0; i <= 200; i++) {
        const q = i / 200;
        expect(sketch.quantileGuaranteed(q)).toBe(true);
        const truth = lowerQuantile(sorted, q);
        const estimate = sketch.quantile(q);
        if (truth === 0) expect(estimate).toBe(0);
        else expect(Math.abs(estimate - truth)).toBeLessThanOrEqual(alpha * truth * (1 + 1e-12));
        checked++;
      }
    }
    expect(checked).toBe(60 * 201);
  });

  it('the bound is tight: some bucket values sit close to alpha away from their data', () => {
    const values = draw(new SeededRandom(11), 4, 20_000);
    const sketch = sketchOf(values, 0.01, LATENCY_DEFAULT_BIN_LIMIT);
    const sorted = sortedCopy(values);
    let worst = 0;
    for (let i = 0; i <= 1000; i++) {
      const truth = lowerQuantile(sorted, i / 1000);
      worst = Math.max(worst, Math.abs(sketch.quantile(i / 1000) - truth) / truth);
    }
    expect(worst).toBeGreaterThan(0.009);
    expect(worst).toBeLessThanOrEqual(0.01 * (1 + 1e-12));
  });
});

describe('LatencySketch: merging', () => {
  function chunks(values: Float64Array, rng: SeededRandom, parts: number): Float64Array[] {
    const cuts = Array.from({ length: parts - 1 }, () => Math.floor(rng.next() * values.length)).sort(
      (a, b) => a - b,
    );
    const bounds = [0, ...cuts, values.length];
    return bounds.slice(1).map((end, i) => values.slice(bounds[i]!, end));
  }

  it('any split and any merge order gives the same bytes as one sketch, collapsing or not', () => {
    const rng = new SeededRandom(3);
    for (let trial = 0; trial < 30; trial++) {
      const values = draw(rng, trial % 5, 500 + Math.floor(rng.next() * 4000));
      const binLimit = trial % 2 === 0 ? 64 : LATENCY_DEFAULT_BIN_LIMIT;
      const whole = sketchOf(values, 0.01, binLimit).serialize();
      const parts = chunks(values, rng, 2 + (trial % 6)).map((p) => sketchOf(p, 0.01, binLimit));
      // Left fold in a shuffled order.
      const order = parts.map((_, i) => i).sort(() => rng.next() - 0.5);
      const left = LatencySketch.create({ binLimit });
      for (const i of order) left.mergeFrom(parts[i]!);
      // Balanced tree of the original order.
      let level = parts.map((p) => p.clone());
      while (level.length > 1) {
        const next: LatencySketch[] = [];
        for (let i = 0; i < level.length; i += 2) {
          const a = level[i]!;
          if (i + 1 < level.length) a.mergeFrom(level[i + 1]!);
          next.push(a);
        }
        level = next;
      }
      // The sum is compensated but not exactly associative; everything else must be bit-identical.
      const strip = (s: LatencySketch) => {
        const copy = LatencySketch.deserialize(s.serialize());
        return { buckets: copy.buckets(), q: copy.quantiles([0, 0.5, 0.95, 0.99, 1]), count: copy.count };
      };
      const reference = strip(LatencySketch.deserialize(whole));
      expect(strip(left)).toEqual(reference);
      expect(strip(level[0]!)).toEqual(reference);
      expect(left.sum / LatencySketch.deserialize(whole).sum).toBeCloseTo(1, 12);
      expect(left.min).toBe(values.reduce((a, b) => Math.min(a, b), Infinity));
    }
  });

  it('merging into itself doubles every count', () => {
    const sketch = sketchOf(Float64Array.of(1, 2, 3, 0, Number.NaN), 0.01, 64);
    sketch.mergeFrom(sketch);
    expect(sketch.count).toBe(8);
    expect(sketch.zeroCount).toBe(2);
    expect(sketch.nanCount).toBe(2);
    expect(Array.from(sketch.buckets().counts)).toEqual([2, 2, 2]);
  });

  it('refuses sketches with other parameters', () => {
    const a = LatencySketch.create();
    expectStatisticInput(() => a.mergeFrom(LatencySketch.create({ relativeAccuracy: 0.02 })));
    expectStatisticInput(() => a.mergeFrom(LatencySketch.create({ binLimit: 100 })));
  });
});

describe('LatencySketch: special values and options', () => {
  it('counts NaN, negatives and overflow apart; zero and tiny magnitudes go to the zero bucket', () => {
    const sketch = LatencySketch.create();
    sketch.addMany(
      Float64Array.of(Number.NaN, -1, -Infinity, Infinity, 1e308 * 1.79, 0, -0, 1e-310, -1e-310, 10, 20),
      11,
    );
    expect(sketch.nanCount).toBe(1);
    expect(sketch.negativeCount).toBe(2);
    expect(sketch.overflowCount).toBe(2);
    expect(sketch.zeroCount).toBe(4);
    expect(sketch.count).toBe(6);
    expect(sketch.total).toBe(11);
    expect(sketch.quantile(0)).toBe(0);
    expect(sketch.quantile(0.6)).toBe(0);
    expect(Math.abs(sketch.quantile(1) / 20 - 1)).toBeLessThanOrEqual(0.01);
    expect(sketch.max).toBe(20);
    expect(sketch.min).toBe(-1e-310);
  });

  it('an empty sketch answers NaN and guarantees nothing', () => {
    const sketch = LatencySketch.create();
    expect(sketch.quantile(0.5)).toBeNaN();
    expect(sketch.quantileGuaranteed(0.5)).toBe(false);
    expect(sketch.min).toBeNaN();
    expect(sketch.mean).toBeNaN();
    expect(sketch.relativeAccuracy).toBe(LATENCY_DEFAULT_RELATIVE_ACCURACY);
  });

  it('validates its options and q', () => {
    for (const relativeAccuracy of [0, -0.01, 0.6, Number.NaN, 1e-7]) {
      expectInvalidOption(() => LatencySketch.create({ relativeAccuracy }));
    }
    for (const binLimit of [0, 7, 1.5, 2 ** 21])
      expectInvalidOption(() => LatencySketch.create({ binLimit }));
    const sketch = sketchOf(Float64Array.of(1), 0.01, 64);
    for (const q of [-0.1, 1.1, Number.NaN]) expectInvalidOption(() => sketch.quantile(q));
    expectStatisticInput(() => sketch.addMany(Float64Array.of(1, 2), 3));
  });

  it('keeps at most binLimit buckets on data spanning 300 decades', () => {
    const rng = new SeededRandom(5);
    const values = Float64Array.from({ length: 20_000 }, () => 10 ** (-150 + 300 * rng.next()));
    const sketch = sketchOf(values, 0.01, 256);
    const { keys } = sketch.buckets();
    expect(keys[keys.length - 1]! - keys[0]! + 1).toBeLessThanOrEqual(256);
    expect(sketch.isCollapsed).toBe(true);
    const sorted = sortedCopy(values);
    // 256 buckets at alpha = 0.01 span a ratio of about 167 (2.2 of the 300 decades): only the top ~0.7% of the
    // values keep their own buckets and their guarantee.
    expect(sketch.quantileGuaranteed(0.9)).toBe(false);
    expect(sketch.quantileGuaranteed(0.99)).toBe(false);
    for (const q of [0.995, 0.999, 1]) {
      expect(sketch.quantileGuaranteed(q)).toBe(true);
      const truth = lowerQuantile(sorted, q);
      expect(Math.abs(sketch.quantile(q) - truth)).toBeLessThanOrEqual(0.01 * truth * (1 + 1e-12));
    }
  });
});

describe('LatencySketch: serialization', () => {
  it('round-trips every golden configuration to identical bytes and answers', () => {
    for (const c of latencyGolden.cases) {
      const sketch = sketchOf(datasets.get(c.dataset)!, c.alpha, c.binLimit);
      const bytes = sketch.serialize();
      const back = LatencySketch.deserialize(bytes);
      expect(back.serialize()).toEqual(bytes);
      expect(back.quantiles(latencyGolden.quantiles)).toEqual(sketch.quantiles(latencyGolden.quantiles));
      expect(back.sum).toBe(sketch.sum);
      expect(back.isCollapsed).toBe(sketch.isCollapsed);
    }
  });

  it('round-trips an empty sketch and the side counts', () => {
    const empty = LatencySketch.create({ relativeAccuracy: 0.05, binLimit: 100 });
    const back = LatencySketch.deserialize(empty.serialize());
    expect(back.count).toBe(0);
    expect(back.binLimit).toBe(100);
    expect(back.relativeAccuracy).toBe(0.05);
    const odd = sketchOf(Float64Array.of(Number.NaN, -5, Infinity, 0, 3), 0.01, 64);
    const again = LatencySketch.deserialize(odd.serialize());
    expect([again.nanCount, again.negativeCount, again.overflowCount, again.zeroCount, again.count]).toEqual([
      1, 1, 1, 1, 2,
    ]);
    // A deserialized sketch keeps accepting values like the original.
    again.add(1e6);
    odd.add(1e6);
    expect(again.serialize()).toEqual(odd.serialize());
  });

  it('a sketch of values below 1 (negative keys) round-trips', () => {
    const sketch = sketchOf(Float64Array.of(0.001, 0.5, 0.9, 2), 0.01, 2048);
    expect(LatencySketch.deserialize(sketch.serialize()).buckets()).toEqual(sketch.buckets());
  });

  it('fails loudly on corruption, truncation, another kind and inconsistent content', () => {
    const bytes = sketchOf(datasets.get('lognormal')!, 0.01, 2048).serialize();
    for (let i = 0; i < bytes.length; i += 7) {
      const damaged = bytes.slice();
      damaged[i]! ^= 0x10;
      expectStatisticInput(() => LatencySketch.deserialize(damaged));
    }
    expectStatisticInput(() => LatencySketch.deserialize(bytes.subarray(0, bytes.length - 1)));
    expectStatisticInput(() => LatencySketch.deserialize(new Uint8Array(3)));
  });
});
