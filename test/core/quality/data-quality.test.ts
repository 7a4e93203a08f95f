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
    const [nulls, range] = qualityChecks({
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
    const [nulls] = qualityChecks({
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
      ['null_rate', 'boolean', null],
      ['unseen_share', 'boolean', 'warning'],
    ]);
  });

  it('reports but does not judge a window below minRows', () => {
    const spec: QualitySpec = { ...DEFAULT_QUALITY, minRows: 500 };
    const [nulls] = qualityChecks(
      {
        feature: 'x',
        featureKind: 'numeric',
        referenceCounts: numeric(0, 0, 100, 0),
        currentCounts: numeric(90, 0, 10, 0),
      },
      spec,
    );
    expect(nulls).toMatchObject({ value: 0.9, judged: false, severity: null });
  });

  it('treats an empty window as rate 0', () => {
    const checks = qualityChecks({
      feature: 'x',
      featureKind: 'categorical',
      referenceCounts: categorical(5, 5, 0, 0),
      currentCounts: categorical(0, 0, 0, 0),
    });
    expect(checks.map((c) => c.value)).toEqual([0, 0]);
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
  });
});
