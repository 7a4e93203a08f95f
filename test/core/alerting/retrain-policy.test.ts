import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  RETRAIN_DEFAULTS,
  RetrainPolicy,
  type RetrainPolicyOptions,
  type RetrainRequest,
  relativeDrop,
} from '../../../src/core/alerting/retrain-policy.ts';
import type { Signal } from '../../../src/core/alerting/signal.ts';
import { ErrorCodes } from '../../../src/errors.ts';
import { sig, W } from './alerting-fixtures.ts';

const OFF: RetrainPolicyOptions = {
  minCriticalFeatures: null,
  performanceDrop: null,
  skewRate: null,
  sustained: 1,
  cooldownMs: 0,
};

/** Window k with `critical` critical features (f0, f1, ...) and one clean feature, of the whole stream. */
function driftWindow(k: number, critical: number, segment: string | null = null): Signal[] {
  const out = Array.from({ length: critical }, (_, i) => sig(k, `f${i}`, 'critical', { segment }));
  out.push(sig(k, 'clean', null, { segment }));
  return out;
}

function run(policy: RetrainPolicy, windows: readonly (readonly Signal[])[]): RetrainRequest[] {
  return windows.flatMap((signals) => policy.observe(signals));
}

describe('RetrainPolicy', () => {
  it('asks once per cooldown while K critical features stay sustained, with the training window since the drift began', () => {
    const policy = new RetrainPolicy({ ...OFF, minCriticalFeatures: 2, sustained: 2, cooldownMs: 3 * W });
    const requests = run(
      policy,
      Array.from({ length: 7 }, (_, k) => driftWindow(k, 2)),
    );
    // Held from window 0; sustained at 1 (request); 2 and 3 start before 1 + 3 = 4 (held back); 4 asks again.
    expect(
      requests.map((r) => [r.windowStart / W, r.trainingWindowStart / W, r.trainingWindowEnd / W]),
    ).toEqual([
      [1, 0, 2],
      [4, 0, 5],
    ]);
    expect(policy.counters).toEqual({ requests: 2, held: 4 });
    const first = requests[0]!;
    expect(first.reasons.map((r) => [r.trigger, r.windows, r.evidence.map((s) => s.subject)])).toEqual([
      ['critical_features', 2, ['f0', 'f1']],
    ]);
    expect(first.reason).toBe('retrain fraud v1: 2 features drift at critical (f0, f1) for 2 windows');
    expect(first.modelVersion).toBe('v1');
  });

  it('needs K critical features in one window of the whole stream; a segment does not count', () => {
    const policy = new RetrainPolicy({ ...OFF, minCriticalFeatures: 3 });
    expect(policy.observe(driftWindow(0, 2))).toEqual([]);
    expect(policy.observe(driftWindow(1, 3, 'DE'))).toEqual([]);
    expect(policy.observe(driftWindow(2, 3, '*')).map((r) => r.windowStart)).toEqual([2 * W]);
  });

  it('restarts the sustained run after a window where the trigger does not hold', () => {
    const policy = new RetrainPolicy({ ...OFF, minCriticalFeatures: 1, sustained: 2 });
    const requests = run(policy, [
      driftWindow(0, 1),
      driftWindow(1, 0),
      driftWindow(2, 1),
      driftWindow(3, 1),
    ]);
    expect(requests.map((r) => [r.windowStart / W, r.trainingWindowStart / W])).toEqual([[3, 2]]);
  });

  it('reads a live performance drop in the metric direction and ignores candidates', () => {
    const perf = (k: number, metric: string, value: number, reference: number, role = 'live') =>
      sig(k, `v1/*`, 'critical', { kind: 'performance', metric, value, reference, role });
    // accuracy 0.81 against 0.9 is a 10% drop; rmse 1.2 against 1.0 a 20% one; f1 0.78 against 0.8 only 2.5%.
    expect(relativeDrop(perf(0, 'accuracy', 0.81, 0.9))).toBeCloseTo(0.1, 12);
    expect(relativeDrop(perf(0, 'rmse', 1.2, 1))).toBeCloseTo(0.2, 12);
    expect(relativeDrop(perf(0, 'accuracy', 0.5, 0))).toBeNull();
    const policy = new RetrainPolicy({ ...OFF, performanceDrop: 0.05 });
    expect(policy.observe([perf(0, 'f1', 0.78, 0.8)])).toEqual([]);
    expect(policy.observe([perf(1, 'accuracy', 0.5, 0.9, 'canary')])).toEqual([]);
    const [request] = policy.observe([perf(2, 'accuracy', 0.81, 0.9)]);
    expect(request!.reason).toBe('retrain fraud v1: accuracy down 10% (level 5%) for 1 window');
  });

  it('asks on a skew mismatch rate at or above the level', () => {
    const skew = (k: number, value: number) =>
      sig(k, 'amount', 'warning', { kind: 'skew', metric: 'mismatch_rate', value, modelVersion: '' });
    const policy = new RetrainPolicy({ ...OFF, skewRate: 0.05 });
    expect(policy.observe([skew(0, 0.04)])).toEqual([]);
    const [request] = policy.observe([skew(1, 0.05)]);
    expect(request!.reason).toBe(
      'retrain fraud: training-serving mismatch amount 5% (level 5%) for 1 window',
    );
    expect(request!.modelVersion).toBe('');
  });

  it('names every sustained trigger of the window in one request with a deterministic id', () => {
    const options = { ...OFF, minCriticalFeatures: 1, skewRate: 0.05 };
    const input = [
      ...driftWindow(5, 1),
      sig(5, 'amount', 'critical', { kind: 'skew', metric: 'mismatch_rate', value: 0.2, modelVersion: '' }),
    ];
    const [a] = new RetrainPolicy(options).observe(input);
    const [b] = new RetrainPolicy(options).observe(input);
    expect(b).toEqual(a);
    expect(a!.reasons.map((r) => r.trigger)).toEqual(['critical_features', 'skew']);
    const id = createHash('sha256')
      .update(`m\u0000fraud\u0000v1\u0000${5 * W}`)
      .digest('hex')
      .slice(0, 32);
    expect(a!.requestId).toBe(id);
  });

  it('defaults to 3 critical features, 5% drops and rates, 2 windows, 24 hours', () => {
    expect(RETRAIN_DEFAULTS).toEqual({
      minCriticalFeatures: 3,
      performanceDrop: 0.05,
      skewRate: 0.05,
      sustained: 2,
      cooldownMs: 86_400_000,
    });
  });

  it('rejects invalid options', () => {
    for (const bad of [
      { sustained: 0 },
      { minCriticalFeatures: 0 },
      { skewRate: 2 },
      { performanceDrop: -1 },
    ]) {
      expect(() => new RetrainPolicy({ ...OFF, ...bad })).toThrow(
        expect.objectContaining({ code: ErrorCodes.INVALID_OPTION }),
      );
    }
  });
});
