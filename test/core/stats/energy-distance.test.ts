import { describe, expect, it } from 'vitest';
import { energyDistance } from '../../../src/core/stats/energy-distance.ts';
import { sortedSample, type WeightedSample } from '../../../src/core/stats/weighted-sample.ts';
import { expectStatisticInput } from './assertions.ts';
import { expectRelClose, seededRandom } from './golden-fixture.ts';
import { casesWith, decodePair, expandSample, randomWeightedPairs } from './sample-golden.ts';

const cases = casesWith('energy');

describe('energyDistance: golden cases (scipy.stats.energy_distance, with weights)', () => {
  it('has the fixture cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  for (const c of cases) {
    it(c.name, () => {
      const [a, b] = decodePair(c);
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
    const size = () => 1 + Math.floor(rand() * 40);
    for (const [a, b] of randomWeightedPairs(rand, 30, size, { spread: 100, step: 8, maxWeight: 7 })) {
      expect(energyDistance(a, b)).toBe(energyDistance(expandSample(a), expandSample(b)));
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
