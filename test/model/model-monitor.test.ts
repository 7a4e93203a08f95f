import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/time/clock.ts';
import { isDriftwatchError } from '../../src/errors.ts';
import { ModelMonitor, type ModelMonitorOutput } from '../../src/model/model-monitor.ts';
import type { PredictionRecord } from '../../src/model/model-records.ts';
import type { ModelRole, ModelSpec } from '../../src/topology/model-spec.ts';
import { labelRecord as label, predictionRecord } from './model-test-records.ts';
import { MODEL_TEST_SPEC, modelTestBaseline, modelTestTopology } from './model-test-topology.ts';

const W = 60_000;

function prediction(
  id: string,
  time: number,
  predictedClass: string | null,
  score: number | null,
  version: string,
  role: ModelRole,
): PredictionRecord {
  return predictionRecord({ time, predictionId: id, modelVersion: version, role, predictedClass, score });
}

function monitorOf(overrides: Partial<ModelSpec>): ModelMonitor {
  const monitor = new ModelMonitor({
    topology: modelTestTopology(overrides),
    baseline: modelTestBaseline(),
    clock: new ManualClock(0),
  });
  monitor.assign('predictions', [0]);
  monitor.assign('labels', [0]);
  return monitor;
}

/** Exact two-sample KS distance by brute force: the largest ECDF gap at any pooled value. */
function bruteKs(a: readonly number[], b: readonly number[]): number {
  let d = 0;
  for (const x of [...a, ...b]) {
    const fa = a.filter((v) => v <= x).length / a.length;
    const fb = b.filter((v) => v <= x).length / b.length;
    d = Math.max(d, Math.abs(fa - fb));
  }
  return d;
}

describe('ModelMonitor: shadow and rollback', () => {
  it('finds a shadow agreeing 80% critical, recommends one rollback over two bad windows, and re-arms after a good one', () => {
    const monitor = monitorOf({ labels: null });
    // Window k: 100 requests answered by live v1 and shadow v2 with equal scores; the shadow agrees on `agree`.
    const agree = [80, 80, 100, 80];
    const outputs: ModelMonitorOutput[] = [];
    agree.forEach((n, k) => {
      for (let i = 0; i < 100; i++) {
        const t = k * W + i * 500;
        const cls = i % 2 === 0 ? '1' : '0';
        const other = cls === '1' ? '0' : '1';
        monitor.prediction(prediction(`w${k}-${i}`, t, cls, i / 100, 'v1', 'live'));
        monitor.prediction(prediction(`w${k}-${i}`, t + 10, i < n ? cls : other, i / 100, 'v2', 'shadow'));
      }
      // The predictions watermark is now ~ (k + 1) W: window k - 2 closes (end + maxSkew 60 s + grace 0).
      outputs.push(monitor.advance());
    });
    outputs.push(monitor.flush());
    const closed = outputs.map((o) => o.reports.filter((r) => r.kind === 'shadow').map((r) => r.windowStart));
    expect(closed).toEqual([[], [], [0], [W], [2 * W, 3 * W]]);
    const shadowReports = outputs.flatMap((o) => o.reports);
    expect(shadowReports.map((r) => r.figures.agreement_rate)).toEqual([0.8, 0.8, 1, 0.8]);
    expect(shadowReports[0]!.counts).toMatchObject({
      pairs: 100,
      live_only: 0,
      candidate_only: 0,
      judged: 2,
    });
    expect(shadowReports[0]!.figures.score_ks).toBe(0);
    const findings = outputs.flatMap((o) => o.findings);
    expect(findings.map((f) => [f.windowStart, f.metric, f.severity])).toEqual([
      [0, 'agreement_rate', 'critical'],
      [W, 'agreement_rate', 'critical'],
      [3 * W, 'agreement_rate', 'critical'],
    ]);
    expect(findings[0]).toMatchObject({
      kind: 'shadow',
      modelVersion: 'v2',
      role: 'shadow',
      comparedVersion: 'v1',
      value: 0.8,
      threshold: 0.9,
      rows: 100,
    });
    // One recommendation for windows 0 and 1 (the second bad window does not repeat it); window 2 re-arms, so
    // window 3 makes the second.
    expect(outputs.map((o) => o.rollbacks.length)).toEqual([0, 0, 1, 0, 1]);
    const first = outputs[2]!.rollbacks[0]!;
    expect(first).toMatchObject({
      liveVersion: 'v1',
      candidateVersion: 'v2',
      candidateRole: 'shadow',
      severity: 'critical',
      windowStart: 0,
      windowEnd: W,
    });
    expect(first.findings).toEqual([findings[0]]);
    expect(monitor.counters()).toMatchObject({
      predictions: 800,
      shadowPairs: 400,
      rollbacks: 2,
      findings: 3,
      windows: 4,
    });
  });

  it('judges a canary on the KS distance between its scores and live scores', () => {
    const monitor = monitorOf({ labels: null });
    const live: number[] = [];
    const canary: number[] = [];
    for (let i = 0; i < 100; i++) {
      live.push(i / 100);
      canary.push(0.5 + i / 200);
      monitor.prediction(prediction(`l${i}`, i * 100, '1', live[i]!, 'v1', 'live'));
      monitor.prediction(prediction(`c${i}`, i * 100 + 50, '1', canary[i]!, 'v3', 'canary'));
    }
    const out = monitor.flush();
    expect(out.reports).toHaveLength(1);
    const report = out.reports[0]!;
    const expected = bruteKs(live, canary);
    expect(expected).toBeCloseTo(0.5, 12);
    expect(report.figures.score_ks).toBeCloseTo(expected, 12);
    expect(report.figures.agreement_rate).toBeUndefined();
    expect(report.counts).toMatchObject({ pairs: 0, live_only: 100, candidate_only: 100 });
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0]).toMatchObject({
      kind: 'shadow',
      metric: 'score_ks',
      severity: 'critical',
      role: 'canary',
      modelVersion: 'v3',
      comparedVersion: 'v1',
      threshold: 0.2,
    });
    expect(out.rollbacks).toHaveLength(1);
    expect(out.rollbacks[0]).toMatchObject({
      candidateVersion: 'v3',
      candidateRole: 'canary',
      liveVersion: 'v1',
    });
  });

  it('does not judge a window with fewer than minPairs pairs, and such a window does not re-arm', () => {
    const monitor = monitorOf({ labels: null });
    for (let i = 0; i < 99; i++) {
      monitor.prediction(prediction(`r${i}`, i * 100, '1', 0.5, 'v1', 'live'));
      monitor.prediction(prediction(`r${i}`, i * 100, '0', 0.5, 'v2', 'shadow'));
    }
    const out = monitor.flush();
    expect(out.reports[0]!.figures.agreement_rate).toBe(0);
    expect(out.reports[0]!.counts.judged).toBe(0);
    expect(out.findings).toEqual([]);
  });
});

describe('ModelMonitor: counters and watermarks', () => {
  it('counts every prediction and label fed in exactly one bucket', () => {
    const monitor = monitorOf({ fields: { ...MODEL_TEST_SPEC.fields, roleField: null } });
    let seed = 11;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (let i = 0; i < 2_000; i++) {
      const t = i * 200 + Math.floor(next() * 30_000); // out of order within 30 s
      monitor.prediction(prediction(`p${i}`, t, next() < 0.8 ? '1' : '0', null, 'v1', 'live'));
      const r = next();
      if (r < 0.6)
        monitor.label(label(`p${i}`, t + Math.floor(next() * 200_000), '1')); // some beyond the lookback
      else if (r < 0.7) monitor.label(label(`ghost${i}`, t, '1'));
      if (i % 100 === 0) monitor.advance();
    }
    monitor.flush();
    const c = monitor.counters();
    expect(c.predictions).toBe(2_000);
    expect(c.late).toBeGreaterThan(0);
    expect(c.orphanLabels).toBeGreaterThan(0);
    expect(c.unlabelled).toBeGreaterThan(0);
    // One version: a matched label labels exactly one prediction, so predictions + labels =
    // (labelled + unlabelled + late predictions) + (labelled + orphans + late labels).
    expect(c.predictions + c.labels).toBe(2 * c.labelled + c.unlabelled + c.orphanLabels + c.late);
    expect(monitor.doneBefore()).toEqual({
      predictions: Number.POSITIVE_INFINITY,
      labels: Number.POSITIVE_INFINITY,
      offline: Number.POSITIVE_INFINITY,
    });
  });

  it('tracks one watermark per stream and holds doneBefore at the oldest open window', () => {
    const monitor = monitorOf({});
    expect(monitor.watermarks().predictions).toBe(Number.NEGATIVE_INFINITY);
    monitor.prediction(prediction('a', 61_000, '1', 0.4, 'v1', 'live'));
    monitor.label(label('a', 65_000, '1'));
    expect(monitor.watermarks()).toEqual({
      predictions: 61_000,
      labels: 65_000,
      offline: Number.NEGATIVE_INFINITY,
    });
    monitor.advance();
    expect(monitor.doneBefore().predictions).toBe(W);
    expect(monitor.doneBefore().labels).toBe(65_000);
  });

  it('refuses a topology without a model section', () => {
    const topology = { ...modelTestTopology(), model: null };
    let error: unknown;
    try {
      new ModelMonitor({ topology, baseline: modelTestBaseline() });
    } catch (e) {
      error = e;
    }
    expect(isDriftwatchError(error, 'DW_INVALID_OPTION')).toBe(true);
  });
});
