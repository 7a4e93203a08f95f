import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type ConventionName, conventionFor, type TestName } from '../../../src/core/drift/conventions.ts';
import { evaluateTest } from '../../../src/core/drift/evaluate-test.ts';
import {
  categoricalFeature,
  type FeatureValues,
  numericFeature,
} from '../../../src/core/drift/feature-values.ts';
import { parseCsv } from '../../../src/io/read-csv.ts';
import { decode, type PeerCase, peers } from '../stats/peer-fixture.ts';

/**
 * The product's evaluator (src/core/drift/evaluate-test.ts) against the values the real tools printed: Evidently and
 * NannyML run on the committed CSVs by test/fixtures/peers/generate_peer_golden.py, TFDV from its formulas. Unlike
 * conventions.test.ts, which checks the kernels with the bucketing done in the test, this goes through the whole
 * path `driftwatch compare` takes: our CSV reader, our binning of each convention, our kernels, our threshold rule.
 */
const DIR = new URL('../../fixtures/peers/', import.meta.url);

function load(name: string): Map<string, { reference: FeatureValues; current: FeatureValues }> {
  const spec = peers.datasets[name]!;
  const categorical = new Set(
    Object.entries(spec.columns)
      .filter(([, k]) => k === 'categorical')
      .map(([c]) => c),
  );
  const read = (file: string) =>
    parseCsv(readFileSync(fileURLToPath(new URL(file, DIR)), 'utf8'), file, categorical);
  const ref = read(spec.reference);
  const cur = read(spec.current);
  const out = new Map<string, { reference: FeatureValues; current: FeatureValues }>();
  for (const column of Object.keys(spec.columns)) {
    const feature = (table: typeof ref): FeatureValues => {
      const c = table.columns.get(column)!;
      return c.kind === 'numeric' ? numericFeature(c.values, c.valid) : categoricalFeature(c.values);
    };
    out.set(column, { reference: feature(ref), current: feature(cur) });
  }
  return out;
}

const datasets = new Map(Object.keys(peers.datasets).map((name) => [name, load(name)]));

/** TFDV re-buckets histograms with different boundaries assuming uniform mass; one reference-fitted layout never does. */
const rebucketed = (c: PeerCase) => c.tool === 'tfdv' && c.sharedBoundaries === false;
const cases = peers.cases.filter((c) => c.error === undefined && c.test !== 'default' && !rebucketed(c));

function relClose(actual: number | null, expected: number, tolerance: number, absolute = 0): boolean {
  if (actual === null) return false;
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return actual === expected;
  return Math.abs(actual - expected) <= tolerance * Math.max(Math.abs(expected), 1e-300) + absolute;
}

/** p-values from series and asymptotic expansions agree with scipy to ~1e-12; statistics to rounding. */
const TOLERANCE: Partial<Record<TestName, number>> = { ks: 1e-7, cvm: 1e-7, ad: 1e-9 };
/**
 * The asymptotic CvM p-value is 1 - CDF of the limiting distribution (scipy and Evidently's copy alike), so it is
 * accurate in absolute terms only: near p = 1e-10 the tools' own value carries ~1e-15 of absolute error.
 */
const ABSOLUTE: Partial<Record<TestName, number>> = { cvm: 1e-14 };

describe('evaluator against Evidently, NannyML and TFDV on the committed data', () => {
  it('covers every tool and more than 100 cases', () => {
    expect(cases.length).toBeGreaterThan(100);
    for (const tool of ['evidently', 'nannyml', 'tfdv'])
      expect(cases.some((c) => c.tool === tool)).toBe(true);
    for (const test of ['ks', 'wasserstein', 'wasserstein_norm', 'cvm', 'ad', 'energy', 'psi', 'chi2', 'z']) {
      expect(cases.some((c) => c.test === test)).toBe(true);
    }
  });

  it.each(
    cases.map((c) => [`${c.tool} ${c.test} ${c.dataset}.${c.column}`, c] as const),
  )('%s', (_label, c) => {
    const { reference, current } = datasets.get(c.dataset)!.get(c.column)!;
    const conv = conventionFor(c.tool as ConventionName, c.test as TestName, c.kind);
    const result = evaluateTest(conv, reference, current);
    const tolerance = TOLERANCE[c.test as TestName] ?? 1e-9;
    const absolute = ABSOLUTE[c.test as TestName] ?? 0;
    const reported = conv.reports === 'p-value' ? result.pValue : result.statistic;
    const expected = decode(c.value as number);
    expect(relClose(reported, expected, tolerance, absolute), `reported ${reported}, tool ${expected}`).toBe(
      true,
    );
    if (c.statistic !== undefined) {
      const statistic = decode(c.statistic);
      expect(
        relClose(result.statistic, statistic, tolerance),
        `statistic ${result.statistic} vs ${statistic}`,
      ).toBe(true);
    }
    if (c.drift !== undefined && c.threshold !== undefined) {
      expect(result.threshold).toBe(c.threshold);
      expect(result.drift).toBe(c.drift);
    }
    expect(result.conventions.convention).toBe(c.tool);
    expect(Number(result.conventions.referenceRows)).toBeGreaterThan(0);
  });
});
