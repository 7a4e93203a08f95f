import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { conventionFor } from '../../../src/core/drift/conventions.ts';
import { evaluateTest } from '../../../src/core/drift/evaluate-test.ts';
import { numericFeature } from '../../../src/core/drift/feature-values.ts';
import {
  nannymlBinnedKs,
  nannymlBinnedWasserstein,
  numpyLinspace,
} from '../../../src/core/stats/nannyml-binned.ts';
import { parseCsv } from '../../../src/io/read-csv.ts';

/**
 * NannyML 0.13.1's own numbers for its binned KS and Wasserstein (reference of 12,000 rows), written with the CSVs by
 * test/fixtures/peers/generate_nannyml_binned_golden.py.
 */
const DIR = new URL('../../fixtures/peers/', import.meta.url);
const golden = JSON.parse(readFileSync(new URL('golden-nannyml-binned.json', DIR), 'utf8')) as {
  versions: Record<string, string>;
  cases: { column: string; test: 'ks' | 'wasserstein'; value: number; referenceRows: number }[];
};
const read = (file: string) => parseCsv(readFileSync(fileURLToPath(new URL(file, DIR)), 'utf8'), file);
const reference = read('nannyml-binned-reference.csv');
const current = read('nannyml-binned-current.csv');

function column(table: typeof reference, name: string) {
  const c = table.columns.get(name);
  if (c?.kind !== 'numeric') throw new Error(`no numeric column ${name}`);
  return c;
}

describe('NannyML binned KS and Wasserstein (reference >= 10,000 rows)', () => {
  it('has the golden cases of NannyML 0.13', () => {
    expect(golden.versions.nannyml).toMatch(/^0\.13\./);
    expect(golden.cases).toHaveLength(4);
    expect(golden.cases.every((c) => c.referenceRows >= 10_000)).toBe(true);
  });

  it.each(
    golden.cases.map((c) => [`${c.test} ${c.column}`, c] as const),
  )('%s reproduces NannyML', (_label, c) => {
    const ref = column(reference, c.column);
    const cur = column(current, c.column);
    const kernel = c.test === 'ks' ? nannymlBinnedKs : nannymlBinnedWasserstein;
    const value = kernel(ref.values, cur.values);
    expect(Math.abs(value - c.value)).toBeLessThanOrEqual(1e-9 * Math.abs(c.value));
    // And through the evaluator under the nannyml convention, which switches to the binned form at this size.
    const result = evaluateTest(
      conventionFor('nannyml', c.test, 'numeric'),
      numericFeature(ref.values, ref.valid),
      numericFeature(cur.values, cur.valid),
    );
    expect(result.statistic).toBe(value);
    expect(result.conventions.approximationUsed).toContain('10000 equal-width bins');
  });

  it('stays exact below 10,000 reference rows, as NannyML does', () => {
    const ref = column(reference, 'wide');
    const cur = column(current, 'wide');
    const small = numericFeature(ref.values.subarray(0, 9_999), null);
    const result = evaluateTest(
      conventionFor('nannyml', 'ks', 'numeric'),
      small,
      numericFeature(cur.values, null),
    );
    expect(result.conventions.approximationUsed).toBeUndefined();
  });

  it('builds numpy.linspace edges: i * step + start, last point exactly stop', () => {
    const edges = numpyLinspace(0, 0.3, 4);
    expect([...edges]).toEqual([0, 0.09999999999999999, 0.19999999999999998, 0.3]);
  });
});
