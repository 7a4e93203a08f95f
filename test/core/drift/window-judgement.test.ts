import { describe, expect, it } from 'vitest';
import { adjustPValues } from '../../../src/core/drift/multiple-testing.ts';
import { type Levels, resolveLevels } from '../../../src/core/drift/thresholds.ts';
import { judgeWindow, type MeasuredStatistic } from '../../../src/core/drift/window-judgement.ts';
import type { CorrectionName } from '../../../src/topology/topology-types.ts';
import { expectDriftwatchError } from '../stats/assertions.ts';
import { seededRandom } from '../stats/golden-fixture.ts';

const PSI: Levels = { rule: 'value-above', warning: 0.1, critical: 0.2 };
const P_LEVELS: Levels = { rule: 'p-below', warning: 0.01, critical: 0.001 };

describe('judgeWindow', () => {
  it('judges distances on their value and p-value tests on their corrected p-value', () => {
    const stats: MeasuredStatistic[] = [
      { feature: 'amount', test: 'psi', value: 0.15, pValue: null },
      { feature: 'age', test: 'ks', value: 0.3, pValue: 0.004 },
      { feature: 'country', test: 'chi2', value: 40, pValue: 0.0002 },
      { feature: 'channel', test: 'js', value: 0.05, pValue: null },
    ];
    const levels = [PSI, P_LEVELS, P_LEVELS, { rule: 'value-above', warning: 0.1, critical: 0.2 } as const];

    // Raw: 0.004 < 0.01 warns, 0.0002 < 0.001 is critical.
    expect(judgeWindow(stats, levels, 'none')).toEqual([
      { adjustedPValue: null, severity: 'warning', level: 0.1, rule: 'value-above' },
      { adjustedPValue: 0.004, severity: 'warning', level: 0.01, rule: 'p-below' },
      { adjustedPValue: 0.0002, severity: 'critical', level: 0.001, rule: 'p-below' },
      { adjustedPValue: null, severity: null, level: 0.1, rule: 'value-above' },
    ]);

    // Bonferroni over the family {ks, chi2} (m = 2, the distances are not in it): 0.008 warns, 0.0004 critical.
    const bonf = judgeWindow(stats, levels, 'bonferroni');
    expect(bonf.map((j) => j.adjustedPValue)).toEqual([null, 0.008, 0.0004, null]);
    expect(bonf.map((j) => j.severity)).toEqual(['warning', 'warning', 'critical', null]);
  });

  it('the family is every statistic with a p-value judged by a p-below rule', () => {
    const stats: MeasuredStatistic[] = [
      { feature: 'a', test: 'ks', value: 0.2, pValue: 0.004 },
      // Calibrated ks: judged on its value, so not in the family although it has a p-value.
      { feature: 'b', test: 'ks', value: 0.25, pValue: 0.0001 },
      { feature: 'c', test: 'chi2', value: 3, pValue: 0.006 },
      // A p-value that could not be computed: left out, never fires.
      { feature: 'd', test: 'chi2', value: Number.NaN, pValue: Number.NaN },
      // A p-below rule without a p-value: left out, never fires.
      { feature: 'e', test: 'ks', value: 0.9, pValue: null },
      { feature: 'f', test: 'psi', value: 0.3, pValue: null },
    ];
    const calibrated = resolveLevels(
      'ks',
      { kind: 'calibrated', method: 'std', warning: 2, critical: 3 },
      [0.05, 0.07, 0.06, 0.08],
    );
    const levels = [P_LEVELS, calibrated, P_LEVELS, P_LEVELS, P_LEVELS, PSI];
    for (const correction of ['none', 'bonferroni', 'holm', 'benjamini-hochberg'] as const) {
      const got = judgeWindow(stats, levels, correction);
      const family = adjustPValues([0.004, 0.006], correction);
      expect(got.map((j) => j.adjustedPValue)).toEqual([family[0], null, family[1], null, null, null]);
      expect(got[1]!.severity).toBe('critical');
      expect(got[1]!.level).toBe(calibrated.critical);
      expect(got[1]!.rule).toBe('value-above');
      expect(got[3]!.severity).toBeNull();
      expect(got[4]!.severity).toBeNull();
      expect(got[5]!.severity).toBe('critical');
    }
    // Holm on m = 2: 0.004 · 2 = 0.008 warns; 0.006 → max(0.008, 0.006) = 0.008 warns.
    expect(judgeWindow(stats, levels, 'holm').map((j) => j.severity)).toEqual([
      'warning',
      'critical',
      'warning',
      null,
      null,
      'critical',
    ]);
  });

  it('a correction can lower a severity, never raise it', () => {
    const stats: MeasuredStatistic[] = Array.from({ length: 10 }, (_, i) => ({
      feature: `f${i}`,
      test: 'ks',
      value: 0,
      pValue: i === 0 ? 0.0005 : 0.5,
    }));
    const levels = stats.map(() => P_LEVELS);
    expect(judgeWindow(stats, levels, 'none')[0]!.severity).toBe('critical');
    // 0.0005 · 10 = 0.005: only a warning once the ten tests are accounted for.
    const bonf = judgeWindow(stats, levels, 'bonferroni')[0]!;
    expect(bonf.severity).toBe('warning');
    expect(bonf.level).toBe(0.01);
    expect(bonf.adjustedPValue).toBeCloseTo(0.005, 15);

    const rank = { critical: 2, warning: 1 } as const;
    const rand = seededRandom(3);
    const corrections: CorrectionName[] = ['bonferroni', 'holm', 'benjamini-hochberg'];
    for (let trial = 0; trial < 100; trial++) {
      const many = Array.from({ length: 1 + Math.floor(rand() * 15) }, (_, i) => ({
        feature: `f${i}`,
        test: 'chi2' as const,
        value: 0,
        pValue: rand() ** 6,
      }));
      const lv = many.map(() => P_LEVELS);
      const raw = judgeWindow(many, lv, 'none');
      for (const correction of corrections) {
        judgeWindow(many, lv, correction).forEach((j, i) => {
          const before = raw[i]!.severity;
          expect(j.severity === null ? 0 : rank[j.severity]).toBeLessThanOrEqual(
            before === null ? 0 : rank[before],
          );
        });
      }
    }
  });

  it('reports the level that fired, else the warning level, else the critical level', () => {
    const stats: MeasuredStatistic[] = [
      { feature: 'a', test: 'psi', value: 0.25, pValue: null },
      { feature: 'b', test: 'psi', value: 0.12, pValue: null },
      { feature: 'c', test: 'psi', value: 0.01, pValue: null },
      { feature: 'd', test: 'psi', value: 0.01, pValue: null },
      { feature: 'e', test: 'psi', value: 0.01, pValue: null },
    ];
    const levels: Levels[] = [
      PSI,
      PSI,
      PSI,
      { rule: 'value-above', warning: null, critical: 0.2 },
      { rule: 'value-above', warning: null, critical: null },
    ];
    expect(judgeWindow(stats, levels, 'none').map((j) => j.level)).toEqual([0.2, 0.1, 0.1, 0.2, null]);
  });

  it('handles an empty window and rejects mismatched inputs', () => {
    expect(judgeWindow([], [], 'holm')).toEqual([]);
    expectDriftwatchError(
      () => judgeWindow([{ feature: 'a', test: 'psi', value: 0, pValue: null }], [], 'none'),
      'DW_STATISTIC_INPUT',
    );
  });
});
