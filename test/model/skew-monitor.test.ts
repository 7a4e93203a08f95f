import { describe, expect, it } from 'vitest';
import type { FeatureRecord } from '../../src/core/joins/skew-accumulator.ts';
import { ErrorCodes, isDriftwatchError } from '../../src/errors.ts';
import type { OfflineFeatureRecord, PredictionRecord } from '../../src/model/model-records.ts';
import type { MonitorPartContext, StreamWatermarks } from '../../src/model/monitor-part.ts';
import { SkewMonitor } from '../../src/model/skew-monitor.ts';
import type { ModelRole, SkewSpec } from '../../src/topology/model-spec.ts';
import { partContext, predictionRecord, watermarks } from './model-test-records.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1);
const SKEW: SkewSpec = {
  topic: 'features.offline',
  subject: 'features.offline-value',
  onlineKeyField: 'entity_id',
  offlineKeyField: 'entity_id',
  offlineTimeField: 'computed_at',
  features: [
    { name: 'amount', onlineField: 'features.amount', offlineField: 'amount', kind: 'numeric' },
    { name: 'channel', onlineField: 'features.channel', offlineField: 'channel', kind: 'categorical' },
  ],
  absTolerance: 1e-8,
  relTolerance: 1e-5,
  bucketMs: 10_000,
  mismatchRate: { warning: 0.01, critical: 0.05 },
  maxExamples: 10,
  maxPending: 1_000_000,
};

function context(skew: Partial<SkewSpec> = {}): MonitorPartContext {
  return partContext({ skew: { ...SKEW, ...skew } });
}

let nextId = 0;
function prediction(
  time: number,
  entity: string | null,
  online: FeatureRecord,
  role: ModelRole = 'live',
): PredictionRecord {
  const id = nextId++;
  return predictionRecord({
    time,
    offset: id,
    predictionId: `p${id}`,
    modelName: 'fraud',
    role,
    entity,
    online,
  });
}

function offline(time: number, entity: string, values: FeatureRecord): OfflineFeatureRecord {
  return { time, partition: 0, offset: nextId++, entity, values };
}

function marks(predictions: number, offlineMark: number): StreamWatermarks {
  return watermarks(predictions, Number.NEGATIVE_INFINITY, offlineMark);
}

const MISMATCHED = new Set([3, 17, 29, 42, 58, 71, 96]);

/** 100 joined entities (7 with an offline amount off by 1, the rest within float noise), 3 online-only, 2 offline-only. */
function feedWindow(part: SkewMonitor): { absDiffs: number[] } {
  const absDiffs: number[] = [];
  for (let i = 0; i < 100; i++) {
    const amount = 10 + i * 1.37;
    // Float noise well inside numpy.isclose's 1e-8 + 1e-5 |b|.
    const recomputed = MISMATCHED.has(i) ? amount + 1 : amount * (1 + 1e-9);
    absDiffs.push(Math.abs(amount - recomputed));
    part.prediction(prediction(T0 + 1_000 + i, `e${i}`, { amount, channel: i % 2 === 0 ? 'web' : 'app' }));
    part.offline(
      offline(T0 + 2_000 + i, `e${i}`, { amount: recomputed, channel: i % 2 === 0 ? 'web' : 'app' }),
    );
  }
  for (let i = 100; i < 103; i++)
    part.prediction(prediction(T0 + 1_000, `e${i}`, { amount: 1, channel: 'web' }));
  for (let i = 200; i < 202; i++) part.offline(offline(T0 + 2_000, `e${i}`, { amount: 1, channel: 'web' }));
  // Not this part's: shadow predictions and predictions without an entity.
  part.prediction(prediction(T0 + 1_000, 'e3', { amount: -5, channel: 'x' }, 'shadow'));
  part.prediction(prediction(T0 + 1_000, null, { amount: -5, channel: 'x' }));
  return { absDiffs };
}

describe('SkewMonitor', () => {
  it('finds the feature 7 of 100 entities disagree on, and nothing for float noise within tolerance', () => {
    const part = new SkewMonitor(context());
    const { absDiffs } = feedWindow(part);
    // Closes when min(predictions, offline) reaches the window end + grace (0).
    expect(part.advance(marks(T0 + 10 * MIN, T0 + MIN - 1)).reports).toHaveLength(0);
    const out = part.advance(marks(T0 + 10 * MIN, T0 + MIN));
    expect(out.reports.map((r) => [r.subject, r.figures.mismatch_rate, r.counts])).toEqual([
      ['amount', 0.07, { matches: 93, mismatches: 7, online_only: 3, offline_only: 2, joined: 100 }],
      ['channel', 0, { matches: 100, mismatches: 0, online_only: 3, offline_only: 2, joined: 100 }],
    ]);
    const amount = out.reports[0]!;
    expect(amount).toMatchObject({
      kind: 'skew',
      modelName: 'fraud',
      modelVersion: '',
      windowStart: T0,
      windowEnd: T0 + MIN,
    });
    expect(amount.figures.mean_abs_diff).toBeCloseTo(absDiffs.reduce((a, b) => a + b, 0) / 100, 12);
    expect(out.reports[1]!.figures.mean_abs_diff).toBeUndefined();

    expect(out.findings).toHaveLength(1);
    const f = out.findings[0]!;
    expect(f).toMatchObject({
      kind: 'skew',
      severity: 'critical',
      subject: 'amount',
      metric: 'mismatch_rate',
      value: 0.07,
      threshold: 0.05,
      warningLevel: 0.01,
      criticalLevel: 0.05,
      rows: 100,
      modelVersion: '',
      role: 'live',
    });
    expect(f.evidence).toMatchObject({ matches: '93', mismatches: '7', online_only: '3', offline_only: '2' });
    // Every mismatching entity is an example (maxExamples 10), with both values.
    const examples = f.evidence.examples!.split('; ');
    expect(examples).toHaveLength(7);
    expect(examples.map((e) => Number(e.slice(1, e.indexOf('@')))).sort((a, b) => a - b)).toEqual(
      [...MISMATCHED].sort((a, b) => a - b),
    );
    expect(f.evidence.examples).toContain(`e3@${T0}: online ${10 + 3 * 1.37}, offline ${10 + 3 * 1.37 + 1}`);
    expect(f.message).toContain('7 of 100');
    expect(part.joinCounts()).toMatchObject({
      online: 103,
      offline: 102,
      joined: 100,
      onlineOnly: 3,
      offlineOnly: 2,
    });
  });

  it('judges warning between the levels and quotes categorical values', () => {
    const part = new SkewMonitor(context());
    for (let i = 0; i < 50; i++) {
      part.prediction(prediction(T0 + i, `e${i}`, { channel: 'web' }));
      part.offline(offline(T0 + i, `e${i}`, { channel: i === 0 ? 'Web' : 'web' }));
    }
    const out = part.flush();
    expect(out.findings.map((f) => [f.subject, f.severity, f.value, f.threshold])).toEqual([
      ['channel', 'warning', 0.02, 0.01],
    ]);
    expect(out.findings[0]!.evidence.examples).toBe(`e0@${T0}: online "web", offline "Web"`);
    // amount: carried by neither side, so nothing compared and no rate.
    expect(out.reports[0]).toMatchObject({ subject: 'amount', figures: {}, counts: { joined: 0 } });
  });

  it('pairs only within a bucket, counts late records and reports doneBefore per stream', () => {
    const part = new SkewMonitor(context());
    const never = Number.POSITIVE_INFINITY;
    expect(part.doneBefore()).toEqual({ predictions: never, labels: never, offline: never });
    part.prediction(prediction(T0 + 9_999, 'a', { amount: 1 }));
    part.offline(offline(T0 + 10_000, 'a', { amount: 1 })); // next 10 s bucket: no pair
    part.offline(offline(T0 + MIN + 5, 'b', { amount: 1 }));
    expect(part.doneBefore()).toEqual({ predictions: T0, labels: never, offline: T0 });
    const out = part.advance(marks(T0 + MIN + 10_000, T0 + MIN + 10_000));
    expect(out.reports[0]!.counts).toEqual({
      matches: 0,
      mismatches: 0,
      online_only: 1,
      offline_only: 1,
      joined: 0,
    });
    expect(part.doneBefore()).toEqual({ predictions: never, labels: never, offline: T0 + MIN });
    part.prediction(prediction(T0 + 30_000, 'c', { amount: 1 }));
    part.offline(offline(T0 + 30_000, 'c', { amount: 1 }));
    expect(part.late).toBe(2);
    expect(part.doneBefore().predictions).toBe(never);
    expect(part.flush().reports[0]!.counts.offline_only).toBe(1);
    expect(part.doneBefore()).toEqual({ predictions: never, labels: never, offline: never });
  });

  it('rejects invalid levels at construction', () => {
    for (const bad of [
      { mismatchRate: { warning: 0.1, critical: 0.05 } },
      { mismatchRate: { warning: 0, critical: 0.05 } },
      { maxPending: 0 },
      { bucketMs: 7_000 },
      { bucketMs: 0 },
    ]) {
      let error: unknown;
      try {
        new SkewMonitor(context(bad));
      } catch (e) {
        error = e;
      }
      expect(isDriftwatchError(error, ErrorCodes.INVALID_OPTION)).toBe(true);
    }
  });
});
