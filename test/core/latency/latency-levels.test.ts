import { describe, expect, it } from 'vitest';
import {
  latencyLevel,
  resolveErrorRateLevels,
  resolveLatencyLevels,
  segmentErrorRates,
  spreadLevel,
  summarizeLatency,
} from '../../../src/core/latency/latency-levels.ts';
import { LatencySketch } from '../../../src/core/latency/latency-sketch.ts';
import { expectInvalidOption, expectStatisticInput } from '../stats/assertions.ts';

function sketchOf(values: number[]): LatencySketch {
  const sketch = LatencySketch.create();
  sketch.addMany(Float64Array.from(values));
  return sketch;
}

describe('latency levels', () => {
  const defaults = resolveLatencyLevels();

  it('has the field defaults: p95 < 100 ms healthy, 100-300 ms warning, above critical, 20 values minimum', () => {
    expect(defaults).toEqual({ quantile: 0.95, warningMs: 100, criticalMs: 300, minCount: 20 });
  });

  it('puts the boundaries where the issue does', () => {
    expect(latencyLevel(99.999, 100, defaults)).toBe('healthy');
    expect(latencyLevel(100, 100, defaults)).toBe('warning');
    expect(latencyLevel(300, 100, defaults)).toBe('warning');
    expect(latencyLevel(300.001, 100, defaults)).toBe('critical');
    expect(latencyLevel(50, 19, defaults)).toBe('insufficient');
    expect(latencyLevel(Number.NaN, 100, defaults)).toBe('insufficient');
  });

  it('judges the sketch p95 of a window', () => {
    // 95 fast requests and 5 slow ones: p95 (lower rank 94.05 -> index 94) is still fast.
    const fast = summarizeLatency(sketchOf([...Array<number>(95).fill(40), ...Array<number>(5).fill(900)]));
    expect(fast.level).toBe('healthy');
    expect(Math.abs(fast.p95 / 40 - 1)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(fast.p99 / 900 - 1)).toBeLessThanOrEqual(0.01);
    expect(fast.guaranteed).toBe(true);
    // Ten slow ones push p95 into the slow mode.
    const slow = summarizeLatency(sketchOf([...Array<number>(90).fill(40), ...Array<number>(10).fill(250)]));
    expect(slow.level).toBe('warning');
    const verySlow = summarizeLatency(
      sketchOf([...Array<number>(90).fill(40), ...Array<number>(10).fill(301 * 1.02)]),
    );
    expect(verySlow.level).toBe('critical');
    const few = summarizeLatency(sketchOf([500, 600]));
    expect(few.level).toBe('insufficient');
    expect(summarizeLatency(LatencySketch.create()).level).toBe('insufficient');
  });

  it('can judge another quantile with other levels, and reports rejected values', () => {
    const sketch = sketchOf([...Array<number>(98).fill(10), 2000, 2000, Number.NaN, -3]);
    const summary = summarizeLatency(sketch, {
      quantile: 0.99,
      warningMs: 500,
      criticalMs: 1000,
      minCount: 50,
    });
    expect(summary.judged).toBe(sketch.quantile(0.99));
    expect(summary.level).toBe('critical');
    expect(summary.rejected).toBe(2);
    expect(summary.count).toBe(100);
  });

  it('validates options', () => {
    for (const options of [
      { warningMs: 0 },
      { warningMs: -1 },
      { criticalMs: Number.POSITIVE_INFINITY },
      { warningMs: 200, criticalMs: 100 },
      { minCount: 0 },
      { minCount: 2.5 },
      { quantile: 1 },
      { quantile: 0 },
      { quantile: Number.NaN },
    ]) {
      expectInvalidOption(() => resolveLatencyLevels(options));
    }
    expect(resolveLatencyLevels({ warningMs: 50, criticalMs: 50 }).criticalMs).toBe(50);
  });
});

describe('error rate per segment and spread', () => {
  it('has the field defaults: spread < 1 point healthy, 1-3 warning, above critical, 100 rows minimum', () => {
    expect(resolveErrorRateLevels()).toEqual({
      warningSpreadPoints: 1,
      criticalSpreadPoints: 3,
      minRows: 100,
    });
    const levels = resolveErrorRateLevels();
    expect(spreadLevel(0.999, levels)).toBe('healthy');
    expect(spreadLevel(1, levels)).toBe('warning');
    expect(spreadLevel(3, levels)).toBe('warning');
    expect(spreadLevel(3.0001, levels)).toBe('critical');
    expect(spreadLevel(null, levels)).toBe('insufficient');
  });

  it('computes rates in percent and the spread over sufficient segments only', () => {
    const report = segmentErrorRates([
      { segment: 'web', rows: 1000, errors: 20 },
      { segment: 'ios', rows: 500, errors: 5 },
      { segment: 'android', rows: 2000, errors: 60 },
      { segment: 'tiny', rows: 10, errors: 9 },
    ]);
    expect(report.segments.map((s) => s.ratePercent)).toEqual([2, 1, 3, 90]);
    expect(report.segments.map((s) => s.sufficient)).toEqual([true, true, true, false]);
    expect(report.spreadPoints).toBe(2);
    expect(report.lowest).toBe('ios');
    expect(report.highest).toBe('android');
    expect(report.level).toBe('warning');
    expect(report.rows).toBe(3510);
    expect(report.errors).toBe(94);
    expect(report.ratePercent).toBeCloseTo((100 * 94) / 3510, 14);
    expect(report.sufficientSegments).toBe(3);
  });

  it('whole-number spreads land exactly on the levels', () => {
    const at = (a: number, b: number) =>
      segmentErrorRates([
        { segment: 'a', rows: 100, errors: a },
        { segment: 'b', rows: 100, errors: b },
      ]);
    expect(at(1, 2).spreadPoints).toBe(1);
    expect(at(1, 2).level).toBe('warning');
    expect(at(1, 4).level).toBe('warning');
    expect(at(1, 5).level).toBe('critical');
    expect(at(3, 3).level).toBe('healthy');
  });

  it('is insufficient with fewer than two sufficient segments', () => {
    const report = segmentErrorRates([
      { segment: 'a', rows: 150, errors: 3 },
      { segment: 'b', rows: 99, errors: 50 },
      { segment: 'c', rows: 0, errors: 0 },
    ]);
    expect(report.spreadPoints).toBeNull();
    expect(report.lowest).toBeNull();
    expect(report.level).toBe('insufficient');
    expect(report.segments[2]!.ratePercent).toBeNaN();
    expect(segmentErrorRates([]).level).toBe('insufficient');
    expect(segmentErrorRates([]).ratePercent).toBeNaN();
    // A lower minRows admits b.
    expect(segmentErrorRates(report.segments, { minRows: 50 }).level).toBe('critical');
  });

  it('rejects bad counts and duplicate segments', () => {
    expectStatisticInput(() => segmentErrorRates([{ segment: 'a', rows: 10, errors: 11 }]));
    expectStatisticInput(() => segmentErrorRates([{ segment: 'a', rows: -1, errors: 0 }]));
    expectStatisticInput(() => segmentErrorRates([{ segment: 'a', rows: 1.5, errors: 0 }]));
    expectStatisticInput(() =>
      segmentErrorRates([
        { segment: 'a', rows: 1, errors: 0 },
        { segment: 'a', rows: 1, errors: 0 },
      ]),
    );
  });

  it('validates options', () => {
    for (const options of [
      { warningSpreadPoints: -1 },
      { criticalSpreadPoints: Number.NaN },
      { warningSpreadPoints: 2, criticalSpreadPoints: 1 },
      { minRows: 0 },
      { minRows: 10.5 },
    ]) {
      expectInvalidOption(() => resolveErrorRateLevels(options));
    }
  });
});
