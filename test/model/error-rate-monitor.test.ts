import { describe, expect, it } from 'vitest';
import { ErrorCodes, isDriftwatchError } from '../../src/errors.ts';
import { ErrorRateMonitor, NO_SEGMENT, pointsSeverity } from '../../src/model/error-rate-monitor.ts';
import type { PredictionRecord } from '../../src/model/model-records.ts';
import type { MonitorPartContext } from '../../src/model/monitor-part.ts';
import type { ErrorsSpec, ModelRole } from '../../src/topology/model-spec.ts';
import { watermarks as marks, partContext, predictionRecord } from './model-test-records.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1);
const ERRORS: ErrorsSpec = {
  field: 'error',
  segmentField: 'region',
  ratePoints: { warning: 1, critical: 5 },
  spreadPoints: { warning: 1, critical: 3 },
  minRows: 100,
};

function context(errors: Partial<ErrorsSpec> = {}): MonitorPartContext {
  return partContext({ errors: { ...ERRORS, ...errors } });
}

let nextId = 0;
function prediction(
  time: number,
  error: boolean | null,
  segment: string | null,
  role: ModelRole = 'live',
  version = 'v1',
): PredictionRecord {
  const id = nextId++;
  return predictionRecord({
    time,
    offset: id,
    predictionId: `p${id}`,
    modelName: 'fraud',
    modelVersion: version,
    role,
    error,
    segment,
  });
}

/** `rows` predictions of one segment at `time`, the first `errors` of them errors. */
function feed(
  part: ErrorRateMonitor,
  time: number,
  segment: string | null,
  rows: number,
  errors: number,
): void {
  for (let i = 0; i < rows; i++) part.prediction(prediction(time + i, i < errors, segment));
}

describe('ErrorRateMonitor', () => {
  it('reports the overall and per-segment rates and judges the rate and the spread (hand-computed)', () => {
    const part = new ErrorRateMonitor(context());
    feed(part, T0, 'eu', 200, 2); // 1%
    feed(part, T0, 'us', 200, 12); // 6%
    feed(part, T0, null, 50, 5); // 10%, but 50 < minRows: not in the spread
    // Not counted: shadow predictions, and predictions without an error flag.
    for (let i = 0; i < 30; i++) part.prediction(prediction(T0 + i, true, 'eu', 'shadow', 'v2'));
    for (let i = 0; i < 30; i++) part.prediction(prediction(T0 + i, null, 'eu'));

    const out = part.advance(marks(T0 + MIN));
    expect(out.reports.map((r) => [r.subject, r.figures, r.counts])).toEqual([
      [NO_SEGMENT, { error_rate_points: 10 }, { rows: 50, errors: 5 }],
      [
        '*',
        // 19 errors of 450 rows; spread 6 - 1 over the sufficient segments.
        { error_rate_points: 1900 / 450, error_rate_spread_points: 5 },
        { rows: 450, errors: 19, segments: 3, sufficient_segments: 2 },
      ],
      ['eu', { error_rate_points: 1 }, { rows: 200, errors: 2 }],
      ['us', { error_rate_points: 6 }, { rows: 200, errors: 12 }],
    ]);
    for (const r of out.reports) {
      expect(r).toMatchObject({
        kind: 'error_rate',
        modelVersion: 'v1',
        windowStart: T0,
        windowEnd: T0 + MIN,
      });
    }
    expect(out.findings).toHaveLength(2);
    const [rate, spread] = out.findings;
    // 4.22 points: from the warning level (1) on, not above critical (5).
    expect(rate).toMatchObject({
      metric: 'error_rate_points',
      severity: 'warning',
      subject: '*',
      segment: null,
      role: 'live',
      threshold: 1,
      warningLevel: 1,
      criticalLevel: 5,
      rows: 450,
    });
    expect(rate!.value).toBeCloseTo(4.2222222, 6);
    expect(spread).toMatchObject({
      metric: 'error_rate_spread_points',
      severity: 'critical',
      subject: '*',
      segment: 'us',
      value: 5,
      threshold: 3,
      rows: 400,
    });
    expect(spread!.evidence).toMatchObject({
      highest_segment: 'us',
      lowest_segment: 'eu',
      lowest_rate_points: '1',
    });
    expect(spread!.message).toContain('Segment us');
  });

  it('fires at exactly the warning level, and leaves small windows and segments unjudged', () => {
    const part = new ErrorRateMonitor(context());
    feed(part, T0, 'eu', 100, 1); // 1%
    feed(part, T0, 'us', 100, 2); // 2%: spread exactly 1 point
    feed(part, T0 + MIN, 'eu', 60, 30); // 99 rows in all, 50%: below minRows
    feed(part, T0 + MIN, 'us', 39, 20);
    const out = part.flush();
    expect(out.findings.map((f) => [f.windowStart, f.metric, f.severity, f.value])).toEqual([
      [T0, 'error_rate_points', 'warning', 1.5],
      [T0, 'error_rate_spread_points', 'warning', 1],
    ]);
    const second = out.reports.filter((r) => r.windowStart === T0 + MIN && r.subject === '*');
    expect(second[0]!.figures).toEqual({ error_rate_points: 5000 / 99 });
    expect(second[0]!.counts.sufficient_segments).toBe(0);
  });

  it('without a segment field reports the overall rate only', () => {
    const part = new ErrorRateMonitor(context({ segmentField: null }));
    feed(part, T0, 'eu', 100, 10);
    feed(part, T0, 'us', 100, 0);
    const out = part.flush();
    expect(out.reports.map((r) => [r.subject, r.figures, r.counts])).toEqual([
      ['*', { error_rate_points: 5 }, { rows: 200, errors: 10 }],
    ]);
    // 5 points is not above critical 5: warning.
    expect(out.findings.map((f) => [f.metric, f.severity])).toEqual([['error_rate_points', 'warning']]);
  });

  it('judges critical above the critical level and ignores null levels', () => {
    expect(pointsSeverity(5.01, { warning: 1, critical: 5 })).toBe('critical');
    expect(pointsSeverity(5, { warning: 1, critical: 5 })).toBe('warning');
    expect(pointsSeverity(0.99, { warning: 1, critical: 5 })).toBeNull();
    expect(pointsSeverity(50, { warning: null, critical: null })).toBeNull();
    expect(pointsSeverity(50, { warning: 1, critical: null })).toBe('warning');
    expect(pointsSeverity(2, { warning: null, critical: 1 })).toBe('critical');
  });

  it('counts late predictions and reports doneBefore', () => {
    const part = new ErrorRateMonitor(context());
    expect(part.doneBefore().predictions).toBe(Number.POSITIVE_INFINITY);
    feed(part, T0 + MIN, 'eu', 3, 1);
    expect(part.doneBefore().predictions).toBe(T0 + MIN);
    expect(part.advance(marks(T0 + 2 * MIN)).reports).toHaveLength(2);
    expect(part.doneBefore().predictions).toBe(Number.POSITIVE_INFINITY);
    feed(part, T0 + MIN, 'eu', 2, 0);
    part.prediction(prediction(T0, true, 'eu', 'shadow')); // not this part's: not late either
    expect(part.late).toBe(2);
  });

  it('rejects invalid levels at construction', () => {
    for (const bad of [
      { ratePoints: { warning: 5, critical: 1 } },
      { spreadPoints: { warning: -1, critical: 3 } },
      { minRows: 0 },
    ]) {
      let error: unknown;
      try {
        new ErrorRateMonitor(context(bad));
      } catch (e) {
        error = e;
      }
      expect(isDriftwatchError(error, ErrorCodes.INVALID_OPTION)).toBe(true);
    }
  });
});
