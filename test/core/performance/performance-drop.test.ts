import { describe, expect, it } from 'vitest';
import {
  comparePerformance,
  PERFORMANCE_METRIC_DIRECTIONS,
  type PerformanceMetricName,
  resolvePerformanceDropLevels,
} from '../../../src/core/performance/performance-drop.ts';
import { expectInvalidOption, expectStatisticInput } from '../stats/assertions.ts';

describe('resolvePerformanceDropLevels', () => {
  it('defaults to 2% warning, 5% critical, 100 rows', () => {
    expect(resolvePerformanceDropLevels()).toEqual({ warning: 0.02, critical: 0.05, minRows: 100 });
    expect(resolvePerformanceDropLevels({ warning: 0.1, critical: 0.3, minRows: 1 })).toEqual({
      warning: 0.1,
      critical: 0.3,
      minRows: 1,
    });
  });

  it('validates levels and minRows', () => {
    for (const bad of [
      { warning: 0 },
      { warning: -0.01 },
      { warning: Number.NaN },
      { warning: 0.05, critical: 0.05 },
      { warning: 0.06 },
      { critical: Number.POSITIVE_INFINITY },
      { warning: '0.02' as unknown as number },
      { minRows: 0 },
      { minRows: 2.5 },
      { minRows: Number.POSITIVE_INFINITY },
    ]) {
      expectInvalidOption(() => resolvePerformanceDropLevels(bad));
      expectInvalidOption(() =>
        comparePerformance({ metric: 'accuracy', baseline: 0.9, current: 0.9, rows: 500 }, bad),
      );
    }
  });
});

describe('comparePerformance', () => {
  const judge = (metric: PerformanceMetricName, baseline: number, current: number, rows = 1000) =>
    comparePerformance({ metric, baseline, current, rows });

  it('measures drops in the direction each metric degrades', () => {
    expect(judge('accuracy', 0.9, 0.891).relativeDrop).toBeCloseTo(0.01, 15);
    expect(judge('accuracy', 0.9, 0.891).verdict).toBe('healthy');
    expect(judge('f1', 0.8, 0.776).verdict).toBe('warning');
    expect(judge('roc_auc', 0.8, 0.7).verdict).toBe('critical');
    expect(judge('mae', 2, 2.06).verdict).toBe('warning');
    expect(judge('rmse', 2, 2.2).relativeDrop).toBeCloseTo(0.1, 15);
    expect(judge('log_loss', 0.4, 0.3).verdict).toBe('healthy');
    expect(judge('log_loss', 0.4, 0.3).relativeDrop).toBeCloseTo(-0.25, 15);
    expect(judge('mape', 0.1, 0.2).verdict).toBe('critical');
    expect(judge('precision', 0.5, 0.9).verdict).toBe('healthy');
    for (const [metric, direction] of Object.entries(PERFORMANCE_METRIC_DIRECTIONS)) {
      expect(direction).toBe(
        ['log_loss', 'mae', 'rmse', 'mape'].includes(metric) ? 'lower-is-better' : 'higher-is-better',
      );
    }
  });

  it('fires at the level, not only above it', () => {
    // Levels and values exact in binary floating point, so the drop lands exactly on each level.
    const levels = { warning: 0.125, critical: 0.25, minRows: 1 };
    const at = (current: number) =>
      comparePerformance({ metric: 'recall', baseline: 1, current, rows: 1 }, levels);
    expect(at(0.875)).toMatchObject({ relativeDrop: 0.125, verdict: 'warning' });
    expect(at(0.75)).toMatchObject({ relativeDrop: 0.25, verdict: 'critical' });
    expect(at(0.875 + 2 ** -52).verdict).toBe('healthy');
    expect(at(0.75 + 2 ** -52).verdict).toBe('warning');
    const custom = comparePerformance(
      { metric: 'mae', baseline: 1, current: 1.15, rows: 10 },
      { warning: 0.1, critical: 0.2, minRows: 10 },
    );
    expect(custom.verdict).toBe('warning');
    expect(custom.levels).toEqual({ warning: 0.1, critical: 0.2, minRows: 10 });
  });

  it('is insufficient below minRows or when a value is undefined', () => {
    const few = judge('accuracy', 0.9, 0.1, 99);
    expect([few.verdict, few.relativeDrop]).toEqual(['insufficient', null]);
    expect(few.reason).toContain('minRows 100');
    expect(judge('accuracy', 0.9, 0.1, 100).verdict).toBe('critical');
    expect(judge('roc_auc', 0.8, Number.NaN).verdict).toBe('insufficient');
    expect(judge('roc_auc', 0.8, Number.NaN).reason).toContain('window');
    expect(judge('roc_auc', Number.NaN, 0.8).reason).toContain('baseline');
  });

  it('handles a zero baseline without dividing by it', () => {
    expect(judge('f1', 0, 0)).toMatchObject({ relativeDrop: 0, verdict: 'healthy' });
    expect(judge('f1', 0, 0.3)).toMatchObject({ relativeDrop: Number.NEGATIVE_INFINITY, verdict: 'healthy' });
    expect(judge('mae', 0, 0)).toMatchObject({ relativeDrop: 0, verdict: 'healthy' });
    const worse = judge('mae', 0, 1e-9);
    expect(worse).toMatchObject({ relativeDrop: Number.POSITIVE_INFINITY, verdict: 'critical' });
    expect(worse.reason).toBe('baseline mae is 0');
  });

  it('rejects impossible inputs', () => {
    expectStatisticInput(() => judge('accuracy', -0.1, 0.5));
    expectStatisticInput(() => judge('mae', 1, Number.POSITIVE_INFINITY));
    expectStatisticInput(() => judge('accuracy', 0.9, 0.5, -1));
    expectStatisticInput(() => judge('accuracy', 0.9, 0.5, 1.5));
    expectStatisticInput(() => judge('nope' as PerformanceMetricName, 0.9, 0.5));
  });
});
