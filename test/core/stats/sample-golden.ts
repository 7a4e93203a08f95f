import { readFileSync } from 'node:fs';
import type { CvmMethod } from '../../../src/core/stats/cramer-von-mises.ts';
import type { KsMethod } from '../../../src/core/stats/kolmogorov-smirnov.ts';
import { sortedSample, type WeightedSample } from '../../../src/core/stats/weighted-sample.ts';

/** Shapes of test/fixtures/stats/golden-sample-tests.json (written by generate_sample_tests_golden.py). */
export interface EncodedSample {
  readonly values: number[];
  readonly weights: number[] | null;
}

export interface KsExpected {
  readonly statistic: number;
  /** null where scipy returns NaN (n = m = 1, asymptotic): the kernel throws instead. */
  readonly pValue: number | null;
  readonly method: 'exact' | 'asymp';
}

export interface CvmExpected {
  readonly statistic: number;
  readonly pValue: number;
  readonly method: 'exact' | 'asymptotic';
}

export interface AdExpected {
  readonly statistic: number;
  readonly pValue: number;
  readonly pValueBounded: 'none' | 'floor' | 'cap';
}

export interface SampleExpected {
  readonly ks?: Record<KsMethod, KsExpected>;
  readonly cvm?: Partial<Record<CvmMethod, CvmExpected>> & { readonly statisticExact: number };
  readonly ad?: AdExpected;
  readonly energy?: number;
  readonly wasserstein?: number;
  readonly referenceStd?: number;
  readonly wassersteinNormalized?: number;
}

export interface SampleGoldenCase {
  readonly name: string;
  readonly note: string;
  readonly samples: EncodedSample[];
  readonly ksOptions?: { readonly n: number; readonly m: number };
  readonly expected: SampleExpected;
}

export interface KstwoPoint {
  readonly n: number;
  readonly x: number;
  readonly sf: number;
  readonly cdf: number;
  /** null for large n where kstwo does not use it (the O(n) sum would only slow the test down). */
  readonly smirnov: number | null;
}

export interface SampleGoldenFile {
  readonly versions: { readonly numpy: string; readonly scipy: string };
  readonly cases: SampleGoldenCase[];
  readonly kstwo: KstwoPoint[];
  readonly ksExact: { n: number; m: number; h: number; prob: number }[];
  readonly cvmLimit: { x: number; cdf: number }[];
  readonly cvmExact: { u: number; m: number; n: number; p: number }[];
}

export const sampleGolden: SampleGoldenFile = JSON.parse(
  readFileSync(new URL('../../fixtures/stats/golden-sample-tests.json', import.meta.url), 'utf8'),
);

/** The cases that carry an expectation for `statistic`. */
export function casesWith(statistic: keyof SampleExpected): SampleGoldenCase[] {
  return sampleGolden.cases.filter((c) => c.expected[statistic] !== undefined);
}

/** An exact sample is stored unsorted (sorted here); a weighted one is stored sorted with its weights. */
export function decodeSample(s: EncodedSample): WeightedSample {
  return s.weights === null
    ? sortedSample(Float64Array.from(s.values))
    : { values: Float64Array.from(s.values), weights: Float64Array.from(s.weights) };
}

/** The first two samples of a case, decoded. */
export function decodePair(c: SampleGoldenCase): [WeightedSample, WeightedSample] {
  return [decodeSample(c.samples[0]!), decodeSample(c.samples[1]!)];
}

/** A sample with integer weights written out value by value. */
export function expandSample(s: WeightedSample): WeightedSample {
  if (s.weights === null) return s;
  const out: number[] = [];
  s.values.forEach((v, i) => {
    for (let k = 0; k < s.weights![i]!; k++) out.push(v);
  });
  return { values: Float64Array.from(out), weights: null };
}

/** Number of observations: the length of an exact sample, the weight sum of a weighted one. */
export function sampleSize(s: WeightedSample): number {
  return s.weights === null ? s.values.length : s.weights.reduce((x, y) => x + y, 0);
}

export interface RandomWeightedOptions {
  readonly spread: number;
  readonly step: number;
  readonly maxWeight: number;
}

/**
 * `k` distinct values round(rand() · spread) / step, sorted, each with an integer weight from 1 to maxWeight: a
 * weighted sample that expandSample can write out. Draws the values first, then the weights in value order.
 */
export function randomIntegerWeighted(
  rand: () => number,
  k: number,
  { spread, step, maxWeight }: RandomWeightedOptions,
): WeightedSample {
  const values = new Set<number>();
  while (values.size < k) values.add(Math.round(rand() * spread) / step);
  const sorted = Float64Array.from([...values].sort((x, y) => x - y));
  return { values: sorted, weights: Float64Array.from(sorted, () => 1 + Math.floor(rand() * maxWeight)) };
}

/**
 * `trials` pairs of randomIntegerWeighted samples with size() distinct values each, drawn pair by pair and in each
 * pair first a then b (so a test that consumes no randomness while checking a pair sees the same pairs as one that
 * draws them in its loop).
 */
export function randomWeightedPairs(
  rand: () => number,
  trials: number,
  size: () => number,
  options: RandomWeightedOptions,
): [WeightedSample, WeightedSample][] {
  return Array.from({ length: trials }, () => {
    const a = randomIntegerWeighted(rand, size(), options);
    const b = randomIntegerWeighted(rand, size(), options);
    return [a, b];
  });
}
