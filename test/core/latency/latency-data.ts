import { readFileSync } from 'node:fs';
import { SeededRandom } from '../../../src/core/random/seeded-random.ts';

/**
 * The datasets of test/fixtures/latency/latency-golden.json, regenerated: each generator is written exactly like its
 * twin in generate_latency_golden.py (same draws in the same order), and every value is rounded to float32, which
 * absorbs last-bit differences between libm implementations. The fixture stores first values, the exact sum and
 * order statistics so the tests can check that both sides really see the same numbers.
 */

const f32 = Math.fround;

function lognormal(rng: SeededRandom, median: number, sigma: number): number {
  return f32(Math.exp(Math.log(median) + sigma * rng.normal()));
}

const GENERATORS: Record<string, (seed: number) => number[]> = {
  lognormal: (seed) => {
    const rng = new SeededRandom(seed);
    return Array.from({ length: 5000 }, () => lognormal(rng, 40, 0.6));
  },
  bimodal: (seed) => {
    const rng = new SeededRandom(seed);
    return Array.from({ length: 5000 }, () =>
      rng.next() < 0.7 ? lognormal(rng, 20, 0.3) : lognormal(rng, 250, 0.25),
    );
  },
  constant: () => new Array<number>(1000).fill(42),
  pareto: (seed) => {
    const rng = new SeededRandom(seed);
    return Array.from({ length: 5000 }, () => f32(10 * (1 - rng.next()) ** (-1 / 1.2)));
  },
  'with-zeros': (seed) => {
    const rng = new SeededRandom(seed);
    return Array.from({ length: 2000 }, () => (rng.next() < 0.05 ? 0 : lognormal(rng, 15, 0.5)));
  },
  'log-uniform': (seed) => {
    const rng = new SeededRandom(seed);
    return Array.from({ length: 3000 }, () => f32(10 ** (-6 + 12 * rng.next())));
  },
  tiny: (seed) => {
    const rng = new SeededRandom(seed);
    return Array.from({ length: 7 }, () => f32(1 + 99 * rng.next()));
  },
  single: () => [123.456],
};

export function generateDataset(name: string, seed: number): Float64Array {
  const generator = GENERATORS[name];
  if (generator === undefined) throw new Error(`no generator for dataset ${name}`);
  return Float64Array.from(generator(seed));
}

export interface GoldenQuantile {
  readonly q: number;
  readonly value: number;
  readonly key: number | null;
  readonly lower: number;
  readonly linear: number;
}

export interface GoldenCase {
  readonly dataset: string;
  readonly alpha: number;
  readonly binLimit: number;
  readonly gamma: number;
  readonly multiplier: number;
  readonly count: number;
  readonly zeroCount: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  readonly collapsed: boolean;
  readonly minKey: number;
  readonly maxKey: number;
  readonly bins: Record<string, number>;
  readonly quantiles: GoldenQuantile[];
  readonly mergedValues: number[];
  readonly mergedEqualsSingle: boolean;
}

export interface GoldenDataset {
  readonly name: string;
  readonly seed: number;
  readonly count: number;
  readonly first: number[];
  readonly fsum: number;
  readonly sortedEvery97: number[];
}

export interface LatencyGolden {
  readonly versions: Record<string, string>;
  readonly quantiles: number[];
  readonly datasets: GoldenDataset[];
  readonly cases: GoldenCase[];
}

export const latencyGolden: LatencyGolden = JSON.parse(
  readFileSync(new URL('../../fixtures/latency/latency-golden.json', import.meta.url), 'utf8'),
);

/** Exact sum (Shewchuk's partials, as math.fsum) so the dataset check does not depend on summation order. */
export function exactSum(values: Float64Array): number {
  const partials: number[] = [];
  for (let x of values) {
    let i = 0;
    for (let y of partials) {
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) partials[i++] = lo;
      x = hi;
    }
    partials.length = i;
    partials.push(x);
  }
  return partials.reduce((a, b) => a + b, 0);
}
