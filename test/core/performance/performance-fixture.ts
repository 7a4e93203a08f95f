import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { ClassificationBatch } from '../../../src/core/performance/classification-state.ts';
import type { SeededRandom } from '../../../src/core/random/seeded-random.ts';
import { permutation } from '../sketches/sketch-test-support.ts';

/** Shapes of test/fixtures/performance/performance-golden.json (written by generate_performance_golden.py). */
export interface Prf {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

export interface ClassificationExpected {
  readonly accuracy: number;
  readonly binary?: Prf;
  readonly macro: Prf;
  readonly weighted: Prf;
  readonly perClass: Record<string, Prf & { readonly support: number }>;
  /** null where scikit-learn returns NaN. */
  readonly rocAuc: number | null;
  readonly rocAucWeighted?: number | null;
  readonly rocAucRational?: number | null;
  readonly perClassRocAucRational?: Record<string, number | null>;
  readonly logLoss: number;
}

export interface ClassificationCase {
  readonly name: string;
  readonly note: string;
  readonly task: 'binary' | 'multiclass';
  readonly positiveClass?: string;
  readonly negativeClass?: string;
  readonly labels: string[];
  readonly predictions: string[];
  readonly scores?: number[];
  readonly probabilityClasses?: string[];
  /** Row-major, labels.length x probabilityClasses.length. */
  readonly probabilities?: number[];
  readonly expected: ClassificationExpected;
}

export interface RegressionCase {
  readonly name: string;
  readonly note: string;
  readonly labels: number[];
  readonly predictions: number[];
  readonly expected: { readonly mae: number; readonly rmse: number; readonly mape: number };
}

export interface PerformanceGolden {
  readonly versions: Record<string, string>;
  readonly classification: ClassificationCase[];
  readonly regression: RegressionCase[];
}

export function loadPerformanceGolden(): PerformanceGolden {
  const url = new URL('../../fixtures/performance/performance-golden.json', import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as PerformanceGolden;
}

/** |actual - expected| <= tolerance |expected|; null expected means NaN; 0 expected means exactly 0. */
export function expectClose(
  actual: number,
  expected: number | null,
  context: string,
  tolerance = 1e-12,
): void {
  if (expected === null) {
    expect(Number.isNaN(actual), `${context}: expected NaN, got ${actual}`).toBe(true);
    return;
  }
  const error = Math.abs(actual - expected);
  expect(
    error <= tolerance * Math.abs(expected),
    `${context}: ${actual} differs from ${expected} by ${error} (relative ${error / Math.abs(expected)})`,
  ).toBe(true);
}

/**
 * Splits a classification case's rows [start, end) into a batch with its own dictionary (the case's classes in a
 * shuffled order, plus a class no valid row uses) and `junk` extra rows that must not count: rows with a null label
 * or a null prediction, whose codes point outside the dictionary.
 */
export function classificationBatch(
  c: ClassificationCase,
  start: number,
  end: number,
  rng: SeededRandom,
  junk = 0,
): ClassificationBatch {
  const classes = [...new Set([...c.labels, ...c.predictions, ...(c.probabilityClasses ?? [])])];
  const order = permutation(classes.length, rng);
  const dictionary = [...order.map((i) => classes[i]!), 'unused-class'];
  const code = new Map(dictionary.map((name, i) => [name, i]));
  const n = end - start + junk;
  const labels = new Int32Array(n);
  const predictions = new Int32Array(n);
  const labelValidity = new Uint8Array(Math.ceil(n / 8));
  const predictionValidity = new Uint8Array(Math.ceil(n / 8));
  const columns = c.probabilityClasses?.length ?? 0;
  const scores = c.scores === undefined ? null : new Float64Array(n);
  const probabilities = c.probabilities === undefined ? null : new Float64Array(n * columns);
  // Junk rows are interleaved at random positions.
  const junkAt = new Set<number>();
  while (junkAt.size < junk) junkAt.add(Math.floor(rng.next() * n));
  let row = start;
  for (let i = 0; i < n; i++) {
    if (junkAt.has(i)) {
      labels[i] = 99_999;
      predictions[i] = -5;
      // Half lack a label, half a prediction (with a label present).
      if (rng.next() < 0.5) {
        predictionValidity[i >> 3]! |= 1 << (i & 7);
      } else {
        labels[i] = 0;
        labelValidity[i >> 3]! |= 1 << (i & 7);
      }
      if (scores !== null) scores[i] = 0.5;
      continue;
    }
    labelValidity[i >> 3]! |= 1 << (i & 7);
    predictionValidity[i >> 3]! |= 1 << (i & 7);
    labels[i] = code.get(c.labels[row]!)!;
    predictions[i] = code.get(c.predictions[row]!)!;
    if (scores !== null) scores[i] = c.scores![row]!;
    if (probabilities !== null) {
      for (let j = 0; j < columns; j++) probabilities[i * columns + j] = c.probabilities![row * columns + j]!;
    }
    row++;
  }
  return {
    length: n,
    labels,
    predictions,
    labelValidity,
    predictionValidity,
    dictionary,
    scores,
    probabilities,
    probabilityClasses: c.probabilityClasses,
  };
}
