import { describe, expect, it } from 'vitest';
import { signalsFromModel } from '../../src/alerting/signals-from-model.ts';
import type { ModelFinding, ModelWindowReport } from '../../src/model/model-results.ts';

const W = 60_000;

function finding(
  metric: string,
  severity: ModelFinding['severity'],
  extra: Partial<ModelFinding> = {},
): ModelFinding {
  return {
    monitor: 'm',
    kind: 'performance',
    severity,
    modelName: 'fraud',
    modelVersion: 'v1',
    role: 'live',
    comparedVersion: null,
    subject: '*',
    segment: null,
    windowStart: 0,
    windowEnd: W,
    metric,
    value: 0.8,
    reference: 0.9,
    threshold: 0.05,
    warningLevel: 0.02,
    criticalLevel: 0.05,
    rows: 500,
    message: `${metric} dropped`,
    evidence: { a: '1' },
    ...extra,
  };
}

function report(extra: Partial<ModelWindowReport> = {}): ModelWindowReport {
  return {
    monitor: 'm',
    kind: 'performance',
    modelName: 'fraud',
    modelVersion: 'v1',
    subject: '*',
    windowStart: 0,
    windowEnd: W,
    figures: { accuracy: 0.8 },
    counts: { rows: 500 },
    ...extra,
  };
}

describe('signalsFromModel', () => {
  it('folds the findings of one subject and window into one signal headed by the most severe', () => {
    const signals = signalsFromModel({
      reports: [report()],
      findings: [finding('f1', 'warning'), finding('accuracy', 'critical', { segment: 'DE' })],
    });
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({
      kind: 'performance',
      subject: 'v1/*',
      severity: 'critical',
      metric: 'accuracy',
      value: 0.8,
      reference: 0.9,
      role: 'live',
      segment: null,
    });
    expect(signals[0]!.evidence).toMatchObject({
      a: '1',
      segment: 'DE',
      metrics: 'f1=warning,accuracy=critical',
    });
  });

  it('makes clean signals of reports without findings, except reports that judged nothing', () => {
    const signals = signalsFromModel({
      reports: [
        report(),
        report({ kind: 'shadow', modelVersion: 'v2', subject: 'v2', counts: { judged: 0 } }),
        report({ kind: 'skew', modelVersion: '', subject: 'amount' }),
      ],
      findings: [],
    });
    expect(signals.map((s) => [s.kind, s.subject, s.severity])).toEqual([
      ['performance', 'v1/*', null],
      ['skew', 'amount', null],
    ]);
  });

  it('keeps findings whose report is not in the output, and windows apart', () => {
    const signals = signalsFromModel({
      reports: [],
      findings: [
        finding('accuracy', 'warning'),
        finding('accuracy', 'warning', { windowStart: W, windowEnd: 2 * W }),
      ],
    });
    expect(signals.map((s) => s.windowStart)).toEqual([0, W]);
  });
});
