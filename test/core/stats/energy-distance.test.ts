import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { energyDistance } from '../../../src/core/stats/energy-distance.ts';
import { sortedSample, type WeightedSample } from '../../../src/core/stats/weighted-sample.ts';
import { expectStatisticInput } from './assertions.ts';
import { expectRelClose, seededRandom } from './golden-fixture.ts';

interface EncodedSample {
  readonly values: number[];
  readonly weights: number[] | null;
}

interface GoldenCase {
  readonly name: string;
  readonly samples: EncodedSample[];
  readonly expected: { readonly energy?: number };
}

const golden: { cases: GoldenCase[] } = JSON.parse(
  readFileSync(new URL('../../fixtures/stats/golden-sample-tests.json', import.meta.url), 'utf8'),
);

function decode(s: EncodedSample): WeightedSample {
  return s.weights === null
    ? sortedSample(Float64Array.from(s.values))
    : { values: Float64Array.from(s.values), weights: Float64Array.from(s.weights) };
}

function expand(s: WeightedSample): WeightedSample {
  if (s.weights === null) return s;
  const out: number[] = [];
  s.values.forEach((v, i) => {
    for (let k = 0; k < s.weights![i]!; k++) out.push(v);
  });
  return { values: Float64Array.from(out), weights: null };
}

const cases = golden.cases.filter((c) => c.expected.energy !== undefined);

describe('energyDistance: golden cases (scipy.stats.energy_distance, with weights)', () => {
  it('has the fixture cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  for (const c of cases) {
    it(c.name, () => {
      const a = decode(c.samples[0]!);
      const b = decode(c.samples[1]!);
      expectRelClose(energyDistance(a, b), c.expected.energy!, 1e-9, 'energy distance');
    });
  }

  it("matches scipy's documented examples", () => {
    const s = (...v: number[]) => sortedSample(Float64Array.from(v));
    expect(energyDistance(s(0), s(2))).toBeCloseTo(2, 14);
    const w = (values: number[], weights: number[]): WeightedSample => ({
      values: Float64Array.from(values),
      weights: Float64Array.from(weights),
    });
    expect(energyDistance(w([0, 8], [3, 1]), w([0, 8], [2, 2]))).toBeCloseTo(1, 14);
  });
});

describe('energyDistance: properties', () => {
  const rand = seededRandom(61);

  it('gives the same distance for integer weights as for the expanded sample', () => {
    for (let trial = 0; trial < 30; trial++) {
      const make = (): WeightedSample => {
        const values = new Set<number>();
        const k = 1 + Math.floor(rand() * 40);
        while (values.size < k) values.add(Math.round(rand() * 100) / 8);
        const sorted = Float64Array.from([...values].sort((x, y) => x - y));
        return { values: sorted, weights: Float64Array.from(sorted, () => 1 + Math.floor(rand() * 7)) };
      };
      const a = make();
      const b = make();
      expect(energyDistance(a, b)).toBe(energyDistance(expand(a), expand(b)));
    }
  });

  it('equals the pairwise form (2E|X−Y| − E|X−X′| − E|Y−Y′|)^½', () => {
    for (let trial = 0; trial < 10; trial++) {
      const x = Array.from({ length: 1 + Math.floor(rand() * 30) }, () => rand() * 10);
      const y = Array.from({ length: 1 + Math.floor(rand() * 30) }, () => rand() * 10 + 1);
      const mean = (u: number[], v: number[]) =>
        u.reduce((s, p) => s + v.reduce((t, q) => t + Math.abs(p - q), 0), 0) / (u.length * v.length);
      const pairwise = Math.sqrt(2 * mean(x, y) - mean(x, x) - mean(y, y));
      expectRelClose(
        energyDistance(sortedSample(Float64Array.from(x)), sortedSample(Float64Array.from(y))),
        pairwise,
        1e-10,
        'pairwise',
      );
    }
  });

  it('rejects bad inputs with DW_STATISTIC_INPUT', () => {
    const ok = sortedSample(Float64Array.of(1, 2, 3));
    expectStatisticInput(() => energyDistance(ok, sortedSample(new Float64Array(0))));
    expectStatisticInput(() => energyDistance({ values: Float64Array.of(3, 1), weights: null }, ok));
  });
});
