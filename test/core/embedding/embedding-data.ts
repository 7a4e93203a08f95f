import { readFileSync } from 'node:fs';
import type { EmbeddingSample } from '../../../src/core/embedding/embedding-summary.ts';
import { SeededRandom } from '../../../src/core/random/seeded-random.ts';

/**
 * The datasets of test/fixtures/embedding/embedding-golden.json, regenerated exactly like generate() in
 * generate_embedding_golden.py: one SeededRandom stream draws the common mean, then the reference rows, then the
 * current rows, each component rounded to float32 (which absorbs last-bit libm differences between the languages).
 */
export function generateCase(c: GoldenEmbeddingCase): { x: Float64Array; y: Float64Array } {
  const d = c.dimension;
  const rng = new SeededRandom(c.seed);
  const mu = Array.from({ length: d }, () => 1 + 0.5 * rng.normal());
  const x = new Float64Array(c.referenceRows * d);
  for (let i = 0; i < x.length; i++) x[i] = Math.fround(mu[i % d]! + rng.normal());
  const y = new Float64Array(c.currentRows * d);
  for (let i = 0; i < y.length; i++) y[i] = Math.fround(mu[i % d]! + c.shift + c.scale * rng.normal());
  return { x, y };
}

export function asSample(values: Float64Array, dimension: number): EmbeddingSample {
  return { rows: values.length / dimension, dimension, values };
}

export interface GoldenMmd {
  readonly statistic: number;
  readonly variance: number;
  readonly standardError: number;
  readonly z: number;
  readonly pValue: number;
  readonly pairs: number;
}

export interface GoldenEmbeddingCase {
  readonly name: string;
  readonly seed: number;
  readonly dimension: number;
  readonly referenceRows: number;
  readonly currentRows: number;
  readonly shift: number;
  readonly scale: number;
  readonly fingerprint: {
    readonly referenceFirst: number[];
    readonly currentLast: number[];
    readonly referenceSum: number;
    readonly currentSum: number;
  };
  readonly referenceCentroid: number[];
  readonly currentCentroid: number[];
  readonly cosineDistance: number;
  readonly scipyCosine: number;
  readonly bandwidth: number;
  readonly mmd: GoldenMmd;
  readonly projectionKs: {
    readonly seed: number;
    readonly projections: number;
    readonly statistics: number[];
    readonly pValues: number[];
    readonly pValue: number;
  };
}

export const embeddingGolden: { versions: Record<string, string>; cases: GoldenEmbeddingCase[] } = JSON.parse(
  readFileSync(new URL('../../fixtures/embedding/embedding-golden.json', import.meta.url), 'utf8'),
);
