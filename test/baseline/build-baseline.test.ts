import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BASELINE_FORMAT, type Baseline } from '../../src/baseline/baseline-types.ts';
import { buildBaseline, type ReferenceColumn } from '../../src/baseline/build-baseline.ts';
import { loadBaseline } from '../../src/baseline/load-baseline.ts';
import { NumericSummary } from '../../src/core/summary/numeric-summary.ts';
import { CreditRiskEventGenerator } from '../../src/demo/credit-risk-events.ts';
import { DriftwatchError, ErrorCodes } from '../../src/errors.ts';
import { referenceColumns } from '../support/credit-risk-fixture.ts';

const COMMITTED = new URL('../../topologies/baselines/credit-risk.baseline.json', import.meta.url);
const SOURCE = { description: 'test', fingerprint: 'sha256:0', rows: 10 };
const NOW = () => new Date('2026-01-01T00:00:00Z');

/** What scripts/make-demo-baseline.ts builds, recomputed here (the script writes a file when imported). */
function demoBaseline(): Baseline {
  const seed = 20260101;
  const rows = 50_000;
  const generator = new CreditRiskEventGenerator(seed);
  const hash = createHash('sha256');
  const events = Array.from({ length: rows }, (_, i) => {
    const e = generator.next(Date.UTC(2026, 0, 1) + i * 1000);
    hash.update(JSON.stringify(e.features));
    return e;
  });
  return buildBaseline(referenceColumns(events), {
    name: 'credit-risk',
    source: {
      description: `demo generator, seed ${seed}, ${rows} rows`,
      fingerprint: `sha256:${hash.digest('hex')}`,
      rows,
    },
    numericBins: 10,
    now: NOW,
  });
}

describe('the committed demo baseline', () => {
  it('is exactly what scripts/make-demo-baseline.ts produces', async () => {
    const committed = await loadBaseline(COMMITTED.pathname);
    const rebuilt = demoBaseline();
    expect(committed.version).toBe(rebuilt.version);
    expect(committed.source).toEqual(rebuilt.source);
    expect(committed.features).toEqual(rebuilt.features);
    // Byte for byte, as the script writes it.
    expect(readFileSync(COMMITTED, 'utf8')).toBe(`${JSON.stringify(rebuilt, null, 2)}\n`);
  });
});

describe('buildBaseline', () => {
  it('fits quantile buckets and counts numeric columns in the numeric layout', () => {
    const values = Float64Array.from({ length: 10 }, (_, i) => i + 1); // 1..10
    const baseline = buildBaseline(new Map([['x', { kind: 'numeric', values }]]), {
      name: 't',
      source: SOURCE,
      numericBins: 2,
      now: NOW,
    });
    expect(baseline.format).toBe(BASELINE_FORMAT);
    expect(baseline.createdAt).toBe('2026-01-01T00:00:00.000Z');
    const x = baseline.features.x!;
    expect(x).toMatchObject({
      kind: 'numeric',
      binning: 'quantile',
      maxBins: 2,
      edges: [1, 5.5, 10],
      // missing, -inf, underflow, [1, 5.5), [5.5, 10], overflow, +inf
      counts: [0, 0, 0, 5, 5, 0, 0],
    });
    // The reference sample for ks / wasserstein_norm: exact at this size, and it decodes to the same values.
    if (x.kind !== 'numeric' || x.summary === undefined) throw new Error('expected a numeric summary');
    const sample = NumericSummary.deserialize(new Uint8Array(Buffer.from(x.summary, 'base64'))).sample();
    expect(sample.exact).toBe(true);
    expect([...sample.values]).toEqual([...values]);
  });

  it('gives a low-cardinality column one bucket per distinct value, so a binary feature can drift', () => {
    const values = Float64Array.from({ length: 100 }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const baseline = buildBaseline(new Map([['flag', { kind: 'numeric', values }]]), {
      name: 't',
      source: SOURCE,
      now: NOW,
    });
    const flag = baseline.features.flag!;
    if (flag.kind !== 'numeric') throw new Error('expected numeric');
    expect(flag.edges).toEqual([0, 1, 1 + Number.EPSILON]);
    // missing, -inf, underflow, {0}, {1}, overflow, +inf
    expect(flag.counts).toEqual([0, 0, 0, 75, 25, 0, 0]);
  });

  it('leaves nulls out of the edges and counts them as missing', () => {
    const values = Float64Array.of(1, 1000, 2, 3, 4);
    const valid = Uint8Array.of(1, 0, 1, 1, 1);
    const baseline = buildBaseline(new Map([['x', { kind: 'numeric', values, valid }]]), {
      name: 't',
      source: SOURCE,
      numericBins: 1,
      now: NOW,
    });
    const x = baseline.features.x!;
    expect(x.kind === 'numeric' && x.edges).toEqual([1, 4]);
    expect(x.counts).toEqual([1, 0, 0, 4, 0, 0]);
  });

  it('orders categories by frequency, ties by name, and counts nulls as missing', () => {
    const values = ['b', 'a', null, 'c', 'a', 'b', 'd', 'a', null];
    const baseline = buildBaseline(new Map([['c', { kind: 'categorical', values }]]), {
      name: 't',
      source: SOURCE,
      now: NOW,
    });
    expect(baseline.features.c).toEqual({
      kind: 'categorical',
      categories: ['a', 'b', 'c', 'd'],
      counts: [3, 2, 1, 1, 0, 2],
    });
  });

  it('makes a boolean column a categorical feature over "true" and "false", both always present, in that order', () => {
    const values = Uint8Array.of(1, 0, 1, 1, 0, 1);
    const valid = Uint8Array.of(1, 1, 0, 1, 1, 1);
    const baseline = buildBaseline(new Map([['flag', { kind: 'boolean', values, valid }]]), {
      name: 't',
      source: SOURCE,
      now: NOW,
    });
    // true, false, unseen, missing: false is not the most frequent, and still second.
    expect(baseline.features.flag).toEqual({
      kind: 'categorical',
      categories: ['true', 'false'],
      counts: [3, 2, 0, 1],
    });
    const allFalse = buildBaseline(new Map([['flag', { kind: 'boolean', values: new Uint8Array(4) }]]), {
      name: 't',
      source: SOURCE,
      now: NOW,
    });
    expect(allFalse.features.flag).toEqual({
      kind: 'categorical',
      categories: ['true', 'false'],
      counts: [0, 4, 0, 0],
    });
  });

  it('calibrates a boolean feature with the categorical tests', () => {
    const values = Uint8Array.from({ length: 200 }, (_, i) => (i < 180 ? i % 2 : 1));
    const baseline = buildBaseline(new Map([['flag', { kind: 'boolean', values }]]), {
      name: 't',
      source: SOURCE,
      chunks: { by: 'rows', size: 20 },
      now: NOW,
    });
    const calibration = baseline.features.flag!.calibration!;
    expect(Object.keys(calibration.statistics)).toEqual(['js', 'chi2', 'share_change']);
    // The last chunk is all true: it is the one that moved.
    const js = calibration.statistics.js!;
    expect(js.indexOf(Math.max(...js))).toBe(9);
  });

  it('derives the version from the content, not from the clock or the row order of categories', () => {
    const columns = (values: string[]) =>
      new Map<string, ReferenceColumn>([
        ['x', { kind: 'numeric', values: Float64Array.of(1, 2, 3, 4) }],
        ['c', { kind: 'categorical', values }],
      ]);
    const a = buildBaseline(columns(['p', 'q', 'p']), { name: 't', source: SOURCE, now: NOW });
    const b = buildBaseline(columns(['q', 'p', 'p']), {
      name: 't',
      source: SOURCE,
      now: () => new Date('2030-05-05T00:00:00Z'),
    });
    expect(a.version).toMatch(/^t@[0-9a-f]{12}$/);
    expect(b.version).toBe(a.version);
    const c = buildBaseline(columns(['q', 'q', 'p']), { name: 't', source: SOURCE, now: NOW });
    expect(c.version).not.toBe(a.version);
    const d = buildBaseline(columns(['p', 'q', 'p']), {
      name: 't',
      source: { ...SOURCE, fingerprint: 'sha256:1' },
      now: NOW,
    });
    expect(d.version).not.toBe(a.version);
  });

  it('rejects a numeric column without finite values with DW_BASELINE_INVALID naming the feature', () => {
    let thrown: unknown;
    try {
      buildBaseline(
        new Map([['income', { kind: 'numeric', values: Float64Array.of(Number.NaN, Infinity) }]]),
        {
          name: 't',
          source: SOURCE,
        },
      );
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DriftwatchError);
    expect((thrown as DriftwatchError).code).toBe(ErrorCodes.BASELINE_INVALID);
    expect((thrown as DriftwatchError).message).toMatch(/^feature income: cannot fit buckets/);
  });

  it('rejects a bad numericBins', () => {
    for (const numericBins of [0, 1.5, 10_001]) {
      expect(() => buildBaseline(new Map(), { name: 't', source: SOURCE, numericBins })).toThrowError(
        expect.objectContaining({ code: ErrorCodes.INVALID_OPTION }),
      );
    }
  });
});
