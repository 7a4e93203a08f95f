import { describe, expect, it } from 'vitest';
import {
  DEFAULT_QUALITY,
  type QualitySpec,
  qualityChecks,
  validateQualityLevels,
} from '../../../src/core/quality/data-quality.ts';

/** Numeric layout: missing, -inf, underflow, inner (2 buckets), overflow, +inf. */
const numeric = (missing: number, low: number, inner: number, high: number) =>
  Float64Array.of(missing, 0, low, inner / 2, inner / 2, high, 0);
/** Categorical layout: a, b, unseen, missing. */
const categorical = (a: number, b: number, unseen: number, missing: number) =>
  Float64Array.of(a, b, unseen, missing);

describe('qualityChecks', () => {
  it('judges the null rate and the out-of-range share on their excess over the baseline', () => {
    const [, nulls, range] = qualityChecks({
      feature: 'amount',
      featureKind: 'numeric',
      referenceCounts: numeric(30, 0, 970, 0), // 3% null in training
      currentCounts: numeric(100, 10, 840, 50), // 10% null; 60 of 900 present values outside
    });
    expect(nulls).toMatchObject({
      check: 'null_rate',
      value: 0.1,
      baselineRate: 0.03,
      rows: 1000,
      count: 100,
    });
    expect(nulls!.excess).toBeCloseTo(0.07, 15);
    expect(nulls).toMatchObject({ severity: 'warning', threshold: 0.05, judged: true });
    expect(range).toMatchObject({ check: 'out_of_range', rows: 900, count: 60, baselineRate: 0 });
    expect(range!.value).toBeCloseTo(60 / 900, 15);
    expect(range).toMatchObject({ severity: 'critical', threshold: 0.05 });
  });

  it('does not fire at the baseline own rate', () => {
    const [, nulls] = qualityChecks({
      feature: 'income',
      featureKind: 'numeric',
      referenceCounts: numeric(200, 0, 800, 0),
      currentCounts: numeric(210, 0, 790, 0),
    });
    expect(nulls!.severity).toBeNull();
    expect(nulls!.threshold).toBe(DEFAULT_QUALITY.nullRate.warning);
  });

  it('checks unseen categories for categorical and boolean features', () => {
    const checks = qualityChecks({
      feature: 'channel',
      featureKind: 'boolean',
      referenceCounts: categorical(50, 50, 0, 0),
      currentCounts: categorical(49, 49, 2, 0),
    });
    expect(checks.map((c) => [c.check, c.featureKind, c.severity])).toEqual([
      ['type_mismatch', 'boolean', null],
      ['null_rate', 'boolean', null],
      ['unseen_share', 'boolean', 'warning'],
    ]);
  });

  it('reports but does not judge a window below minRows', () => {
    const spec: QualitySpec = { ...DEFAULT_QUALITY, minRows: 500 };
    const [mismatch, nulls] = qualityChecks(
      {
        feature: 'x',
        featureKind: 'numeric',
        referenceCounts: numeric(0, 0, 100, 0),
        currentCounts: numeric(90, 0, 10, 0),
        typeMismatches: 40,
      },
      spec,
    );
    expect(mismatch).toMatchObject({ value: 0.4, judged: false, severity: null });
    expect(nulls).toMatchObject({ value: 0.5, judged: false, severity: null });
  });

  it('treats an empty window as rate 0', () => {
    const checks = qualityChecks({
      feature: 'x',
      featureKind: 'categorical',
      referenceCounts: categorical(5, 5, 0, 0),
      currentCounts: categorical(0, 0, 0, 0),
    });
    expect(checks.map((c) => c.value)).toEqual([0, 0, 0]);
  });

  it('judges type mismatches on their share of all rows, and leaves them out of the null rate', () => {
    // 1000 rows: 30 wrong-typed values and 20 nulls share the missing bucket; 10 of the 950 present values outside.
    const [mismatch, nulls, range] = qualityChecks({
      feature: 'amount',
      featureKind: 'numeric',
      referenceCounts: numeric(20, 0, 980, 0), // 2% null in training
      currentCounts: numeric(50, 4, 940, 6),
      typeMismatches: 30,
    });
    expect(mismatch).toMatchObject({
      check: 'type_mismatch',
      value: 0.03,
      baselineRate: 0,
      excess: 0.03,
      rows: 1000,
      count: 30,
      severity: 'warning',
      threshold: 0.01,
      judged: true,
    });
    // 20 nulls in 1000 rows: the training rate exactly, so quiet.
    expect(nulls).toMatchObject({ check: 'null_rate', value: 0.02, rows: 1000, count: 20, severity: null });
    // The denominator is the 950 values present, the wrong-typed ones being missing for the statistics.
    expect(range).toMatchObject({ check: 'out_of_range', rows: 950, count: 10 });
    expect(range!.value).toBeCloseTo(10 / 950, 15);
  });

  it('fires type_mismatch critical at its level, with configured levels', () => {
    const spec: QualitySpec = { ...DEFAULT_QUALITY, typeMismatch: { warning: 0.1, critical: 0.2 } };
    const judge = (mismatches: number) =>
      qualityChecks(
        {
          feature: 'channel',
          featureKind: 'categorical',
          referenceCounts: categorical(50, 50, 0, 0),
          currentCounts: categorical(40, 40, 0, 20),
          typeMismatches: mismatches,
        },
        spec,
      )[0]!;
    expect([judge(9).severity, judge(10).severity, judge(19).severity, judge(20).severity]).toEqual([
      null,
      'warning',
      'warning',
      'critical',
    ]);
    expect(judge(20).threshold).toBe(0.2);
    expect(judge(0)).toMatchObject({ value: 0, severity: null, threshold: 0.1 });
  });

  it('refuses more type mismatches than missing values, or a fractional count', () => {
    const input = {
      feature: 'x',
      featureKind: 'numeric' as const,
      referenceCounts: numeric(0, 0, 10, 0),
      currentCounts: numeric(3, 0, 7, 0),
    };
    expect(() => qualityChecks({ ...input, typeMismatches: 4 })).toThrow(
      /feature x has 4 type mismatches, expected an integer in 0\.\.3/,
    );
    expect(() => qualityChecks({ ...input, typeMismatches: 1.5 })).toThrow(/has 1.5 type mismatches/);
    expect(qualityChecks({ ...input, typeMismatches: 3 })[1]!.count).toBe(0);
  });

  it('validates levels', () => {
    expect(validateQualityLevels({ warning: 0.2, critical: 0.1 })).toMatch(/must not exceed critical/);
    expect(validateQualityLevels({ warning: -0.1, critical: null })).toMatch(/share in \[0, 1\]/);
    expect(validateQualityLevels({ warning: null, critical: 1 })).toBeNull();
    expect(() =>
      qualityChecks(
        {
          feature: 'x',
          featureKind: 'numeric',
          referenceCounts: numeric(0, 0, 1, 0),
          currentCounts: numeric(0, 0, 1, 0),
        },
        { ...DEFAULT_QUALITY, nullRate: { warning: 2, critical: null } },
      ),
    ).toThrow(/data quality: warning must be a share/);
    expect(() =>
      qualityChecks(
        {
          feature: 'x',
          featureKind: 'numeric',
          referenceCounts: numeric(0, 0, 1, 0),
          currentCounts: numeric(0, 0, 1, 0),
        },
        { ...DEFAULT_QUALITY, typeMismatch: { warning: 0.5, critical: 0.1 } },
      ),
    ).toThrow(/data quality: warning \(0\.5\) must not exceed critical/);
  });
});
