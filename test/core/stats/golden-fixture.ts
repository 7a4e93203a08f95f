import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

/** Shapes of test/fixtures/stats/golden-kernels.json (written by generate_golden.py). */
export type EncodedValue = number | 'NaN' | 'Infinity' | '-Infinity' | null;

export interface ExpectedStats {
  readonly psi: number;
  readonly jsBase2: number;
  readonly jsBaseE: number;
  readonly chi2: { readonly statistic: number; readonly dof: number; readonly pValue: number };
}

interface CaseBase {
  readonly name: string;
  readonly note: string;
  readonly referenceCounts: number[];
  readonly currentCounts: number[];
  readonly epsilon: number;
  readonly expected?: ExpectedStats;
}

export interface NumericCase extends Omit<CaseBase, 'referenceCounts' | 'currentCounts' | 'epsilon'> {
  readonly kind: 'numeric';
  readonly maxBins: number;
  readonly reference: EncodedValue[];
  readonly current: EncodedValue[];
  readonly expectError?: string;
  readonly edges?: number[];
  readonly referenceCounts?: number[];
  readonly currentCounts?: number[];
  readonly epsilon?: number;
}

export interface EncodedColumn {
  readonly dictionary: string[];
  readonly codes: (number | null)[];
}

export interface CategoricalCase extends CaseBase {
  readonly kind: 'categorical';
  readonly baseline: string[];
  readonly reference: EncodedColumn;
  readonly current: EncodedColumn;
}

export interface CountsCase extends CaseBase {
  readonly kind: 'counts';
}

export type GoldenCase = NumericCase | CategoricalCase | CountsCase;

export interface GoldenFile {
  readonly versions: { readonly numpy: string; readonly scipy: string };
  readonly defaultEpsilon: number;
  readonly cases: GoldenCase[];
  readonly special: {
    readonly chi2Survival: { x: number; dof: number; sf: number }[];
    readonly logGamma: { x: number; value: number }[];
    readonly regularizedGamma: { a: number; x: number; p: number; q: number }[];
  };
}

export const golden: GoldenFile = JSON.parse(
  readFileSync(new URL('../../fixtures/stats/golden-kernels.json', import.meta.url), 'utf8'),
);

export const numericCases = golden.cases.filter((c): c is NumericCase => c.kind === 'numeric');
export const categoricalCases = golden.cases.filter((c): c is CategoricalCase => c.kind === 'categorical');

/** Every case that carries expected statistics, with the count vectors they were computed from. */
export const statCases = golden.cases.flatMap((c) =>
  c.expected !== undefined && c.referenceCounts !== undefined && c.currentCounts !== undefined
    ? [
        {
          name: `${c.kind}/${c.name}`,
          reference: Float64Array.from(c.referenceCounts),
          current: Float64Array.from(c.currentCounts),
          epsilon: c.epsilon ?? golden.defaultEpsilon,
          expected: c.expected,
        },
      ]
    : [],
);

/** Packs an Arrow LSB-first validity bitmap; returns null when every value is present (Arrow's convention). */
export function packValidity(present: readonly boolean[]): Uint8Array | null {
  if (present.every(Boolean)) return null;
  const bitmap = new Uint8Array(Math.ceil(present.length / 8));
  present.forEach((p, i) => {
    if (p) bitmap[i >> 3]! |= 1 << (i & 7);
  });
  return bitmap;
}

/**
 * Decodes a fixture column into values + validity. Null slots get a garbage value (1e300) so a kernel that reads
 * values under a cleared validity bit would miscount.
 */
export function decodeNumeric(encoded: readonly EncodedValue[]): {
  values: Float64Array;
  validity: Uint8Array | null;
} {
  const values = Float64Array.from(encoded, (v) =>
    v === null
      ? 1e300
      : v === 'NaN'
        ? Number.NaN
        : v === 'Infinity'
          ? Infinity
          : v === '-Infinity'
            ? -Infinity
            : v,
  );
  return { values, validity: packValidity(encoded.map((v) => v !== null)) };
}

export function decodeCodes(codes: readonly (number | null)[]): {
  codes: Int32Array;
  validity: Uint8Array | null;
} {
  return {
    codes: Int32Array.from(codes, (c) => (c === null ? 123_456 : c)),
    validity: packValidity(codes.map((c) => c !== null)),
  };
}

/** |actual − expected| ≤ rel·|expected|; an expected 0 must be matched exactly. */
export function expectRelClose(actual: number, expected: number, rel: number, label: string): void {
  const ok = actual === expected || Math.abs(actual - expected) <= rel * Math.abs(expected);
  if (!ok) {
    const err = expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);
    expect.fail(`${label}: got ${actual}, expected ${expected} (relative error ${err.toExponential(2)})`);
  }
}

/** Deterministic PRNG (mulberry32) for the property tests. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Copies bits [start, start + length) of an LSB bitmap into a new bitmap starting at bit 0 (what a slice needs). */
export function sliceValidity(validity: Uint8Array | null, start: number, length: number): Uint8Array | null {
  if (validity === null) return null;
  const out = new Uint8Array(Math.ceil(length / 8));
  for (let i = 0; i < length; i++) {
    const j = start + i;
    if ((validity[j >> 3]! >> (j & 7)) & 1) out[i >> 3]! |= 1 << (i & 7);
  }
  return out;
}
