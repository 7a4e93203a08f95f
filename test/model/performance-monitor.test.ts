import { describe, expect, it } from 'vitest';
import type { PredictionRecord } from '../../src/model/model-records.ts';
import { PerformanceMonitor } from '../../src/model/performance-monitor.ts';
import type { ModelRole } from '../../src/topology/model-spec.ts';
import {
  partContext as context,
  labelRecord as label,
  predictionRecord,
  watermarks as wm,
} from './model-test-records.ts';
import { MODEL_TEST_SPEC } from './model-test-topology.ts';

const W = 60_000;
const LOOKBACK = 120_000;

function prediction(
  id: string,
  time: number,
  predictedClass: string | null,
  score: number | null = null,
  version = 'v1',
  role: ModelRole = 'live',
): PredictionRecord {
  return predictionRecord({ time, predictionId: id, modelVersion: version, role, predictedClass, score });
}

describe('PerformanceMonitor: label join and window metrics', () => {
  it('joins late, out-of-order and early labels, counts unlabelled, orphan and late records, and computes metrics', () => {
    const part = new PerformanceMonitor(
      context({
        performance: { ...MODEL_TEST_SPEC.performance, metrics: ['accuracy', 'precision', 'recall', 'f1'] },
      }),
    );
    // A label before any prediction at all (no version's join exists yet): it must still match.
    part.label(label('p2', 3_000, '1'));
    part.prediction(prediction('p1', 1_000, '1')); // TP
    part.prediction(prediction('p2', 2_000, '0')); // FN (its label came first)
    part.prediction(prediction('p3', 3_000, '1')); // FP, labelled 97 s later
    part.prediction(prediction('p4', 4_000, '0')); // TN
    part.prediction(prediction('p5', 5_000, '1')); // never labelled
    part.prediction(prediction('p6', 6_000, '1')); // TP
    part.prediction(prediction('p7', 7_000, '1')); // FP
    part.label(label('p1', 5_000, '1'));
    expect(part.advance(wm(130_000, 40_000)).reports).toEqual([]);
    // Out of order: the later label first; both are ahead of the combined watermark (40 s).
    part.label(label('p3', 100_000, '0'));
    part.label(label('p4', 50_000, '0'));
    part.label(label('p6', 60_000, '1'));
    part.label(label('p7', 61_000, '0'));
    part.label(label('ghost', 70_000, '1')); // no such prediction: an orphan
    // The window [0, 60 s) closes at 60 s + lookback 120 s + grace 0 of the combined watermark.
    expect(part.advance(wm(200_000, W + LOOKBACK - 1)).reports).toEqual([]);
    const out = part.advance(wm(200_000, W + LOOKBACK));
    expect(out.reports).toHaveLength(1);
    const report = out.reports[0]!;
    expect(report).toMatchObject({
      kind: 'performance',
      modelVersion: 'v1',
      subject: '*',
      windowStart: 0,
      windowEnd: W,
    });
    expect(report.counts).toEqual({ predictions: 7, labelled: 6, unlabelled: 1, duplicates: 0, late: 0 });
    // By hand: TP 2 (p1, p6), FN 1 (p2), FP 2 (p3, p7), TN 1 (p4).
    expect(report.figures.accuracy).toBeCloseTo(3 / 6, 12);
    expect(report.figures.precision).toBeCloseTo(2 / 4, 12);
    expect(report.figures.recall).toBeCloseTo(2 / 3, 12);
    expect(report.figures.f1).toBeCloseTo((2 * 2) / (2 * 2 + 1 + 2), 12);
    // 6 labelled rows < minRows 100: not judged.
    expect(out.findings).toEqual([]);

    part.prediction(prediction('late-p', 10_000, '1')); // its window has closed
    part.label(label('late-l', 1_000, '1')); // below the combined watermark
    expect(part.late).toBe(2);
    const counts = part.counts();
    expect(counts).toMatchObject({
      predictions: 8,
      labelled: 6,
      unlabelled: 1,
      predictionsLate: 1,
      labels: 8,
      labelsMatched: 6,
      orphanLabels: 1,
      labelsLate: 1,
      labelsWaiting: 0,
      predictionsWaiting: 0,
    });
  });

  it('judges a 3% drop from the reference as warning, 6% as critical, and fewer than minRows not at all', () => {
    const part = new PerformanceMonitor(
      context({ performance: { ...MODEL_TEST_SPEC.performance, metrics: ['accuracy'] } }),
    );
    // Window k gets `rows` labelled predictions of which `correct` are right; baseline accuracy is 0.9.
    const plan = [
      { rows: 100, correct: 87 }, // 0.87: (0.9 - 0.87) / 0.9 = 3.3% -> warning
      { rows: 100, correct: 84 }, // 0.84: 6.7% -> critical
      { rows: 99, correct: 50 }, // 99 < minRows 100 -> no finding
      { rows: 100, correct: 89 }, // 0.89: 1.1% -> healthy
    ];
    plan.forEach(({ rows, correct }, k) => {
      for (let i = 0; i < rows; i++) {
        const t = k * W + i * 100;
        const id = `w${k}-${i}`;
        part.prediction(prediction(id, t, i < correct ? '1' : '0'));
        part.label(label(id, t + 1, '1'));
      }
    });
    const out = part.advance(wm(10 * W, 10 * W));
    expect(out.reports.map((r) => r.figures.accuracy)).toEqual([0.87, 0.84, 50 / 99, 0.89]);
    expect(out.findings.map((f) => [f.windowStart, f.severity, f.metric])).toEqual([
      [0, 'warning', 'accuracy'],
      [W, 'critical', 'accuracy'],
    ]);
    const [warning, critical] = out.findings;
    expect(warning).toMatchObject({
      kind: 'performance',
      value: 0.87,
      reference: 0.9,
      rows: 100,
      role: 'live',
    });
    expect(warning!.threshold).toBeCloseTo(0.9 * 0.98, 12);
    expect(critical!.threshold).toBeCloseTo(0.9 * 0.95, 12);
    expect(critical!.warningLevel).toBeCloseTo(0.882, 12);
    expect(Number(critical!.evidence.relative_drop)).toBeCloseTo((0.9 - 0.84) / 0.9, 12);
    expect(critical!.evidence.labelled).toBe('100');
  });

  it('takes the topology reference over the baseline one', () => {
    const part = new PerformanceMonitor(
      context({
        performance: { ...MODEL_TEST_SPEC.performance, metrics: ['accuracy'], reference: { accuracy: 0.8 } },
      }),
    );
    for (let i = 0; i < 100; i++) {
      part.prediction(prediction(`p${i}`, i, i < 84 ? '1' : '0'));
      part.label(label(`p${i}`, i + 1, '1'));
    }
    // 0.84 is 6.7% below the baseline's 0.9, but above the topology's 0.8.
    expect(part.flush().findings).toEqual([]);
  });

  it('compares a shadow version with live on the same labelled window', () => {
    const part = new PerformanceMonitor(
      context({ performance: { ...MODEL_TEST_SPEC.performance, metrics: ['accuracy'] } }),
    );
    for (let i = 0; i < 100; i++) {
      part.prediction(prediction(`r${i}`, i * 10, i < 90 ? '1' : '0', null, 'v1', 'live'));
      part.prediction(prediction(`r${i}`, i * 10, i < 80 ? '1' : '0', null, 'v2', 'shadow'));
      part.label(label(`r${i}`, i * 10 + 5, '1'));
    }
    const out = part.flush();
    expect(out.reports.map((r) => [r.modelVersion, r.figures.accuracy])).toEqual([
      ['v1', 0.9],
      ['v2', 0.8],
    ]);
    // (0.9 - 0.8) / 0.9 = 11% >= metricDrop critical 5%.
    const shadow = out.findings.filter((f) => f.kind === 'shadow');
    expect(shadow).toHaveLength(1);
    expect(shadow[0]).toMatchObject({
      metric: 'accuracy_vs_live',
      severity: 'critical',
      modelVersion: 'v2',
      role: 'shadow',
      comparedVersion: 'v1',
      value: 0.8,
      reference: 0.9,
    });
    // One label matched both versions' predictions: counted once.
    expect(part.counts()).toMatchObject({ labels: 100, labelsMatched: 100, orphanLabels: 0, labelled: 200 });
  });

  it('conserves predictions and labels across versions, duplicates and evictions', () => {
    const part = new PerformanceMonitor(context({ labels: { ...MODEL_TEST_SPEC.labels!, maxPending: 50 } }));
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (let i = 0; i < 600; i++) {
      const t = i * 1_000;
      const version = next() < 0.3 ? 'v2' : 'v1';
      const id = `p${Math.floor(next() * 400)}`; // repeats: duplicates
      part.prediction(prediction(id, t, next() < 0.5 ? '1' : '0', null, version));
      if (next() < 0.7)
        part.label(label(`p${Math.floor(next() * 450)}`, t + Math.floor(next() * 5_000), '1'));
      if (i % 50 === 0) part.advance(wm(t - 30_000, t - 60_000));
    }
    part.flush();
    const c = part.counts();
    expect(c.predictionsWaiting).toBe(0);
    expect(c.labelsWaiting).toBe(0);
    expect(c.predictions).toBe(600);
    expect(c.predictions).toBe(c.labelled + c.unlabelled + c.predictionsLate);
    expect(c.labels).toBe(c.labelsMatched + c.orphanLabels + c.labelsLate);
    expect(c.labelled).toBeGreaterThan(0);
    expect(c.unlabelled).toBeGreaterThan(0);
  });

  it('refuses a binary task without a positive class, and DDM on a regressor', () => {
    expect(
      () => new PerformanceMonitor(context({ fields: { ...MODEL_TEST_SPEC.fields, positiveClass: null } })),
    ).toThrow(/positiveClass/);
    expect(
      () =>
        new PerformanceMonitor(
          context({
            task: 'regression',
            performance: { ...MODEL_TEST_SPEC.performance, metrics: ['mae'] },
            conceptDrift: [{ detector: 'ddm', options: {} }],
          }),
        ),
    ).toThrow(/classifiers only/);
  });

  it('computes regression metrics', () => {
    const part = new PerformanceMonitor(
      context({
        task: 'regression',
        performance: { ...MODEL_TEST_SPEC.performance, metrics: ['mae', 'rmse', 'mape'] },
      }),
    );
    const pairs = [
      [10, 12],
      [20, 17],
      [5, 5],
      [8, 10],
    ] as const;
    pairs.forEach(([y, yhat], i) => {
      part.prediction(prediction(`p${i}`, i, null, yhat));
      part.label(label(`p${i}`, i + 1, y));
    });
    const r = part.flush().reports[0]!;
    expect(r.figures.mae).toBeCloseTo((2 + 3 + 0 + 2) / 4, 12);
    expect(r.figures.rmse).toBeCloseTo(Math.sqrt((4 + 9 + 0 + 4) / 4), 12);
    expect(r.figures.mape).toBeCloseTo((2 / 10 + 3 / 20 + 0 + 2 / 8) / 4, 12);
  });
});

describe('PerformanceMonitor: concept drift', () => {
  it('finds drift with DDM and ADWIN in the window where errors jump from 5% to 50%, and none before', () => {
    const part = new PerformanceMonitor(
      context({
        performance: { ...MODEL_TEST_SPEC.performance, metrics: ['accuracy'] },
        conceptDrift: [
          { detector: 'ddm', options: {} },
          { detector: 'adwin', options: {} },
        ],
      }),
    );
    const perWindow = 300;
    // Windows 0-2: every 20th prediction wrong (5%); window 3: every other one (50%).
    for (let k = 0; k < 4; k++) {
      for (let i = 0; i < perWindow; i++) {
        const t = k * W + i * 100;
        const wrong = k < 3 ? i % 20 === 19 : i % 2 === 1;
        const id = `w${k}-${String(i).padStart(3, '0')}`;
        part.prediction(prediction(id, t, wrong ? '0' : '1'));
        part.label(label(id, t + 1, '1'));
      }
    }
    const out = part.flush();
    const drift = out.findings.filter((f) => f.kind === 'concept_drift');
    const critical = drift.filter((f) => f.severity === 'critical');
    expect(critical.map((f) => [f.metric, f.windowStart])).toEqual([
      ['ddm', 3 * W],
      ['adwin', 3 * W],
    ]);
    expect(drift.filter((f) => f.windowStart < 3 * W && f.severity === 'critical')).toEqual([]);
    expect(critical[0]!.value).toBeCloseTo(0.5, 12);
    expect(critical[0]!.evidence.detector_state).toBe('drift');
    const reports = out.reports.filter((r) => r.kind === 'concept_drift' && r.subject === 'ddm');
    expect(reports.map((r) => r.figures.error_rate)).toEqual([15 / 300, 15 / 300, 15 / 300, 0.5]);
  });
});
