import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/core/random/seeded-random.ts';
import { ErrorCodes, isDriftwatchError } from '../../src/errors.ts';
import { LatencyMonitor, latencyFigureName } from '../../src/model/latency-monitor.ts';
import type { PredictionRecord } from '../../src/model/model-records.ts';
import type { MonitorPartContext } from '../../src/model/monitor-part.ts';
import type { LatencySpec, ModelRole } from '../../src/topology/model-spec.ts';
import { watermarks as marks, partContext, predictionRecord } from './model-test-records.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1);
const LATENCY: LatencySpec = {
  field: 'latency_ms',
  quantile: 0.95,
  warningMs: 100,
  criticalMs: 300,
  minCount: 20,
  relativeAccuracy: 0.01,
};

function context(latency: Partial<LatencySpec> = {}): MonitorPartContext {
  return partContext({ latency: { ...LATENCY, ...latency } });
}

let nextId = 0;
function prediction(
  time: number,
  latencyMs: number | null,
  version = 'v1',
  role: ModelRole = 'live',
): PredictionRecord {
  const id = nextId++;
  return predictionRecord({
    time,
    offset: id,
    predictionId: `p${id}`,
    modelName: 'fraud',
    modelVersion: version,
    role,
    predictedClass: '1',
    score: 0.5,
    latencyMs,
  });
}

/** numpy.quantile(values, q, method='lower'): the order statistic x_(floor(q (n - 1))), 0-based. */
function lowerQuantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

describe('LatencyMonitor', () => {
  it('finds a p95 regression in the window it happens in, within the sketch accuracy of the exact quantiles', () => {
    const part = new LatencyMonitor(context());
    const random = new SeededRandom(7);
    // Window 1: 30..60 ms (p95 about 58 ms). Window 2: 200..260 ms (p95 about 257 ms): warning, not critical.
    const fast: number[] = [];
    const slow: number[] = [];
    for (let i = 0; i < 400; i++) {
      const a = 30 + 30 * random.next();
      const b = 200 + 60 * random.next();
      fast.push(a);
      slow.push(b);
      part.prediction(prediction(T0 + i * 100, a));
      part.prediction(prediction(T0 + MIN + i * 100, b));
    }
    // The first window closes when the watermark reaches its end (grace 0), not a millisecond before.
    expect(part.advance(marks(T0 + MIN - 1)).reports).toHaveLength(0);
    const first = part.advance(marks(T0 + MIN));
    expect(first.findings).toHaveLength(0);
    expect(first.reports).toHaveLength(1);
    const r1 = first.reports[0]!;
    expect(r1).toMatchObject({
      monitor: 'model-test',
      kind: 'latency',
      modelName: 'fraud',
      modelVersion: 'v1',
      subject: 'v1',
      windowStart: T0,
      windowEnd: T0 + MIN,
      counts: { rows: 400, missing: 0, rejected: 0 },
    });
    expect(r1.figures.relative_accuracy).toBe(0.01);
    for (const [name, q] of [
      ['p50_ms', 0.5],
      ['p95_ms', 0.95],
      ['p99_ms', 0.99],
    ] as const) {
      const exact = lowerQuantile(fast, q);
      expect(Math.abs(r1.figures[name]! - exact)).toBeLessThanOrEqual(0.01 * exact * (1 + 1e-12));
    }

    const second = part.advance(marks(T0 + 2 * MIN));
    expect(second.reports).toHaveLength(1);
    const r2 = second.reports[0]!;
    const exactP95 = lowerQuantile(slow, 0.95);
    expect(Math.abs(r2.figures.p95_ms! - exactP95)).toBeLessThanOrEqual(0.01 * exactP95 * (1 + 1e-12));
    expect(second.findings).toHaveLength(1);
    const f = second.findings[0]!;
    expect(f).toMatchObject({
      kind: 'latency',
      severity: 'warning',
      modelVersion: 'v1',
      role: 'live',
      subject: 'v1',
      metric: 'p95_ms',
      threshold: 100,
      warningLevel: 100,
      criticalLevel: 300,
      rows: 400,
      reference: null,
      windowStart: T0 + MIN,
    });
    expect(f.value).toBe(r2.figures.p95_ms);
    expect(f.evidence.p50_ms).toBe(String(r2.figures.p50_ms));
    expect(f.evidence.p99_ms).toBe(String(r2.figures.p99_ms));
    expect(f.evidence.error_bound).toContain('±1%');
    expect(f.message).toMatch(/p95 .*fraud v1 \(live\).*warning level of 100 ms/);
  });

  it('judges critical above criticalMs, needs minCount latencies, and counts missing ones apart', () => {
    const part = new LatencyMonitor(context({ minCount: 20 }));
    // v1: 20 latencies of 500 ms: critical. v2: 19 latencies of 500 ms and 5 missing: insufficient.
    for (let i = 0; i < 20; i++) part.prediction(prediction(T0 + i, 500));
    for (let i = 0; i < 19; i++) part.prediction(prediction(T0 + i, 500, 'v2'));
    for (let i = 0; i < 5; i++) part.prediction(prediction(T0 + i, null, 'v2'));
    const out = part.flush();
    expect(out.reports.map((r) => [r.subject, r.counts.rows, r.counts.missing])).toEqual([
      ['v1', 20, 0],
      ['v2', 19, 5],
    ]);
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0]).toMatchObject({ subject: 'v1', severity: 'critical', threshold: 300 });
    // 500 ms is within 1% of its bucket's value.
    expect(Math.abs(out.findings[0]!.value - 500)).toBeLessThanOrEqual(5);
  });

  it('keeps roles apart and reports the configured quantile under its own name', () => {
    expect(latencyFigureName(0.9)).toBe('p90_ms');
    expect(latencyFigureName(0.999)).toBe('p99.9_ms');
    const part = new LatencyMonitor(context({ quantile: 0.9, minCount: 1 }));
    // Live fast; shadow of another version slow; one version under two roles gets role-qualified subjects.
    for (let i = 1; i <= 10; i++) {
      part.prediction(prediction(T0 + i, i));
      part.prediction(prediction(T0 + i, 100 * i, 'v2', 'shadow'));
      part.prediction(prediction(T0 + i, 10, 'v3', 'canary'));
      part.prediction(prediction(T0 + i, 10, 'v3', 'shadow'));
    }
    const out = part.flush();
    expect(out.reports.map((r) => r.subject)).toEqual(['v1', 'v2', 'v3:canary', 'v3:shadow']);
    const v2 = out.reports[1]!;
    // Values 100..1000: the "lower" 0.9 quantile is x_(floor(0.9 * 9)) = x_8 = 900.
    expect(Math.abs(v2.figures.p90_ms! - 900)).toBeLessThanOrEqual(9);
    expect(out.reports[0]!.figures.p90_ms).toBeDefined();
    expect(out.findings.map((f) => [f.subject, f.role, f.severity, f.metric])).toEqual([
      ['v2', 'shadow', 'critical', 'p90_ms'],
    ]);
  });

  it('counts late predictions and reports doneBefore from its open windows', () => {
    const part = new LatencyMonitor(context());
    expect(part.doneBefore().predictions).toBe(Number.POSITIVE_INFINITY);
    part.prediction(prediction(T0 + 5, 10));
    part.prediction(prediction(T0 + MIN + 5, 10));
    expect(part.doneBefore()).toEqual({
      predictions: T0,
      labels: Number.POSITIVE_INFINITY,
      offline: Number.POSITIVE_INFINITY,
    });
    expect(part.advance(marks(T0 + MIN + 10)).reports.map((r) => r.windowStart)).toEqual([T0]);
    expect(part.doneBefore().predictions).toBe(T0 + MIN);
    part.prediction(prediction(T0 + 59_999, 10));
    expect(part.late).toBe(1);
    expect(part.flush().reports.map((r) => r.windowStart)).toEqual([T0 + MIN]);
    part.prediction(prediction(T0 + 3 * MIN, 10));
    expect(part.late).toBe(2);
    expect(part.doneBefore().predictions).toBe(Number.POSITIVE_INFINITY);
  });

  it('waits graceMs past the window end', () => {
    const part = new LatencyMonitor(partContext({ latency: LATENCY, graceMs: 5_000 }));
    part.prediction(prediction(T0 + 1, 10));
    expect(part.advance(marks(T0 + MIN + 4_999)).reports).toHaveLength(0);
    expect(part.advance(marks(T0 + MIN + 5_000)).reports).toHaveLength(1);
  });

  it('rejects invalid options at construction', () => {
    for (const bad of [{ relativeAccuracy: 0 }, { quantile: 1 }, { warningMs: 400 }, { minCount: 0 }]) {
      let error: unknown;
      try {
        new LatencyMonitor(context(bad));
      } catch (e) {
        error = e;
      }
      expect(isDriftwatchError(error, ErrorCodes.INVALID_OPTION)).toBe(true);
    }
  });
});
