import { describe, expect, it } from 'vitest';
import { signalsFromWindow } from '../../src/alerting/signals-from-window.ts';
import type { FeatureStatistic } from '../../src/core/drift/feature-statistic.ts';
import type { QualityCheck } from '../../src/core/quality/data-quality.ts';
import type { WindowResult } from '../../src/topology/drift-topology.ts';

function stat(
  feature: string,
  test: FeatureStatistic['test'],
  value: number,
  severity: FeatureStatistic['severity'],
  reference: FeatureStatistic['reference'] = 'baseline',
  contributors: FeatureStatistic['contributors'] = [],
): FeatureStatistic {
  return {
    feature,
    kind: 'numeric',
    featureKind: 'numeric',
    test,
    value,
    pValue: null,
    referenceSize: 1000,
    currentSize: 500,
    missing: 0,
    outOfReference: 0,
    conventions: {},
    contributors,
    reference,
    adjustedPValue: null,
    severity,
    drift: severity !== null,
    threshold: severity === 'critical' ? 0.2 : 0.1,
    levels: { rule: 'value-above', warning: 0.1, critical: 0.2, source: 'fixed' },
  };
}

function quality(feature: string, severity: QualityCheck['severity'], judged = true): QualityCheck {
  return {
    feature,
    featureKind: 'numeric',
    check: 'null_rate',
    value: 0.3,
    baselineRate: 0.05,
    excess: 0.25,
    rows: 500,
    count: 150,
    severity,
    threshold: 0.2,
    judged,
  };
}

function result(extra: Partial<WindowResult> = {}): WindowResult {
  return {
    monitor: 'credit',
    windowKey: 'k',
    segment: 'DE',
    start: 60_000,
    end: 120_000,
    revision: 0,
    rows: 500,
    models: [
      { name: 'credit-risk', version: '1.4.0', rows: 200 },
      { name: 'credit-risk', version: '1.5.0', rows: 300 },
    ],
    baselineVersion: 'b1',
    quality: [],
    statistics: [],
    releases: [],
    ...extra,
  };
}

describe('signalsFromWindow', () => {
  it('makes one signal per feature, its worst test the headline, and clean features clean signals', () => {
    const signals = signalsFromWindow(
      result({
        statistics: [
          stat('amount', 'psi', 0.15, 'warning'),
          stat('amount', 'ks', 0.3, 'critical', 'previous'),
          stat('age', 'psi', 0.02, null),
          stat('income', 'psi', Number.NaN, null),
        ],
      }),
    );
    expect(signals.map((s) => [s.kind, s.subject, s.severity, s.metric, s.value])).toEqual([
      ['feature_drift', 'amount', 'critical', 'ks/previous', 0.3],
      ['feature_drift', 'age', null, 'psi', 0.02],
    ]);
    expect(signals[0]).toMatchObject({
      monitor: 'credit',
      modelName: 'credit-risk',
      modelVersion: '1.5.0', // the version with the most rows
      segment: 'DE',
      windowStart: 60_000,
      windowEnd: 120_000,
      threshold: 0.2,
      role: null,
    });
    expect(signals[0]!.evidence.tests).toBe('psi/baseline=warning,ks/previous=critical');
  });

  it("lists the headline statistic's top contributors in the evidence, and none when it has none", () => {
    const moved = [
      { bucket: '[12.5, 40)', referenceShare: 0.5, currentShare: 0.125, contribution: 0.51986 },
      { bucket: 'missing', referenceShare: 0, currentShare: 0.03125, contribution: 0.17895 },
    ];
    const signals = signalsFromWindow(
      result({
        statistics: [
          stat('amount', 'psi', 0.7, 'critical', 'baseline', moved),
          stat('amount', 'ks', 0.1, null, 'baseline', [moved[1]!]),
          stat('age', 'psi', 0.3, 'critical'),
        ],
      }),
    );
    expect(signals[0]!.evidence.top_contributors).toBe(
      '[12.5, 40): 0.500 -> 0.125 (0.520); missing: 0.00 -> 0.0313 (0.179)',
    );
    expect(signals[1]!.evidence).not.toHaveProperty('top_contributors');
  });

  it('makes a signal per judged quality guardrail, subject <feature>/<check>', () => {
    const signals = signalsFromWindow(
      result({
        quality: [quality('amount', 'critical'), quality('age', null), quality('income', null, false)],
      }),
    );
    expect(signals.map((s) => [s.kind, s.subject, s.severity, s.value, s.threshold])).toEqual([
      ['data_quality', 'amount/null_rate', 'critical', 0.3, 0.2],
      ['data_quality', 'age/null_rate', null, 0.3, 0.2],
    ]);
  });

  it('makes none for a revision of a window', () => {
    expect(
      signalsFromWindow(result({ revision: 1, statistics: [stat('amount', 'psi', 0.5, 'critical')] })),
    ).toEqual([]);
  });
});
