import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  calibrateLevels,
  DEFAULT_LEVELS,
  LEVEL_RANGE,
  type Levels,
  levelFires,
  linearQuantile,
  resolveLevels,
  severityOf,
  testRule,
  validateCalibratedLevels,
  validateFixedLevels,
  validateThresholdSpec,
} from '../../../src/core/drift/thresholds.ts';
import { isDriftwatchError } from '../../../src/errors.ts';
import type { DriftTestName, Severity, ThresholdSpec } from '../../../src/topology/topology-types.ts';
import { expectDriftwatchError } from '../stats/assertions.ts';
import { seededRandom } from '../stats/golden-fixture.ts';

/** Shapes of the summaryCases of test/fixtures/stats/multiple-testing.json (generate_multiple_testing.py). */
type Encoded = number | 'NaN' | 'Infinity' | '-Infinity';

interface SummaryCase {
  readonly name: string;
  readonly note: string;
  readonly values: Encoded[];
  readonly chunks: number;
  readonly mean: number;
  readonly std: number;
  readonly stdLevels: { k: number; level: number }[];
  readonly quantiles: { q: number; value: number }[];
}

const fixture: { summaryCases: SummaryCase[] } = JSON.parse(
  readFileSync(new URL('../../fixtures/stats/multiple-testing.json', import.meta.url), 'utf8'),
);

function decode(values: readonly Encoded[]): Float64Array {
  return Float64Array.from(values, (v) =>
    v === 'NaN' ? Number.NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v,
  );
}

/** |actual − expected| ≤ 1e-12 · scale; scale defaults to |expected| (an expected 0 must be matched exactly). */
function expectClose(
  actual: number | null,
  expected: number,
  label: string,
  scale = Math.abs(expected),
): void {
  expect(actual, label).not.toBeNull();
  const ok = actual === expected || Math.abs(actual! - expected) <= 1e-12 * scale;
  expect(ok, `${label}: got ${actual}, expected ${expected}`).toBe(true);
}

const ALL_TESTS: readonly DriftTestName[] = ['psi', 'ks', 'wasserstein_norm', 'js', 'chi2', 'share_change'];

const std = (warning: number | null, critical: number | null) =>
  ({ kind: 'calibrated', method: 'std', warning, critical }) as const;
const quantile = (warning: number | null, critical: number | null) =>
  ({ kind: 'calibrated', method: 'quantile', warning, critical }) as const;

describe('calibrateLevels: numpy golden cases', () => {
  for (const c of fixture.summaryCases) {
    it(`${c.name}: mean, std (ddof 0) and mean + std * k`, () => {
      const values = decode(c.values);
      for (const { k, level } of c.stdLevels) {
        const got = calibrateLevels(values, std(k, k));
        expect(got.chunks).toBe(c.chunks);
        expectClose(got.mean, c.mean, 'mean');
        // A std is only as precise as the mean it is taken around, hence the scale.
        expectClose(got.std, c.std, 'std', Math.max(Math.abs(c.std), Math.abs(c.mean)));
        expectClose(got.warning, level, `level k=${k}`);
        expectClose(got.critical, level, `level k=${k}`);
      }
    });

    it(`${c.name}: numpy.quantile (linear)`, () => {
      const values = decode(c.values);
      for (const { q, value } of c.quantiles) {
        const got = calibrateLevels(values, quantile(q, null));
        expectClose(got.warning, value, `q=${q}`);
        expect(got.critical).toBeNull();
      }
    });

    it(`${c.name}: bit-identical to numpy`, () => {
      const values = decode(c.values);
      const got = calibrateLevels(values, std(null, null));
      expect(got.mean).toBe(c.mean);
      expect(got.std).toBe(c.std);
      for (const { k, level } of c.stdLevels)
        expect(calibrateLevels(values, std(k, null)).warning).toBe(level);
      for (const { q, value } of c.quantiles)
        expect(calibrateLevels(values, quantile(q, null)).warning).toBe(value);
    });
  }
});

describe('calibrateLevels: behaviour', () => {
  it('uses the population std (ddof 0), as NannyML does', () => {
    const got = calibrateLevels([1, 3], std(1, 2));
    expect(got).toEqual({ warning: 3, critical: 4, mean: 2, std: 1, chunks: 2 });
  });

  it('leaves non-finite chunk statistics out', () => {
    const got = calibrateLevels([Number.NaN, 1, Infinity, 3, -Infinity], std(1, null));
    expect(got.chunks).toBe(2);
    expect(got.mean).toBe(2);
    expect(got.warning).toBe(3);
  });

  it('accepts a plain array and a Float64Array alike, and does not modify them', () => {
    const arr = [0.3, 0.1, 0.2];
    const typed = Float64Array.from(arr);
    expect(calibrateLevels(arr, quantile(0.5, 0.9))).toEqual(calibrateLevels(typed, quantile(0.5, 0.9)));
    expect(arr).toEqual([0.3, 0.1, 0.2]);
    expect(Array.from(typed)).toEqual([0.3, 0.1, 0.2]);
  });

  it('throws DW_BASELINE_INVALID with the chunk count and the remedy when fewer than 2 finite chunks', () => {
    for (const stats of [[], [0.1], [0.1, Number.NaN, Infinity]]) {
      let thrown: unknown;
      try {
        calibrateLevels(stats, std(2, 3), 'feature amount, test psi');
      } catch (error) {
        thrown = error;
      }
      expect(isDriftwatchError(thrown, 'DW_BASELINE_INVALID')).toBe(true);
      const message = (thrown as Error).message;
      const finite = stats.filter(Number.isFinite).length;
      expect(message).toContain('feature amount, test psi');
      expect(message).toContain(`${finite} usable chunk statistic`);
      expect(message).toMatch(/rebuild the baseline with more reference rows or smaller chunks/);
    }
  });

  it('throws DW_INVALID_OPTION on an invalid calibrated spec', () => {
    expectDriftwatchError(() => calibrateLevels([1, 2, 3], std(-1, 2)), 'DW_INVALID_OPTION');
    expectDriftwatchError(() => calibrateLevels([1, 2, 3], quantile(0.9, 1.5)), 'DW_INVALID_OPTION');
    expectDriftwatchError(() => calibrateLevels([1, 2, 3], quantile(0.99, 0.95)), 'DW_INVALID_OPTION');
  });

  it('gives warning <= critical for ordered parameters (levels grow with k and q)', () => {
    const rand = seededRandom(5);
    for (let trial = 0; trial < 100; trial++) {
      const stats = Float64Array.from({ length: 2 + Math.floor(rand() * 30) }, () => rand() * 0.3);
      const a = rand();
      const b = rand();
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      for (const spec of [std(3 * lo, 3 * hi), quantile(lo, hi)]) {
        const got = calibrateLevels(stats, spec);
        expect(got.warning!).toBeLessThanOrEqual(got.critical!);
      }
    }
  });
});

describe('linearQuantile', () => {
  it('interpolates like numpy, ends included', () => {
    const sorted = Float64Array.of(1, 2, 4, 8);
    expect(linearQuantile(sorted, 0)).toBe(1);
    expect(linearQuantile(sorted, 1)).toBe(8);
    expect(linearQuantile(sorted, 0.5)).toBe(3);
    expect(linearQuantile(sorted, 0.25)).toBe(1.75);
    expect(linearQuantile(Float64Array.of(5), 0.3)).toBe(5);
  });
});

describe('testRule and defaults', () => {
  it('judges distances on their value and ks / chi2 on their p-value', () => {
    expect(ALL_TESTS.map(testRule)).toEqual([
      'value-above',
      'p-below',
      'value-above',
      'value-above',
      'p-below',
      'value-above',
    ]);
  });

  it('has defaults for every test, valid under the validation rules', () => {
    for (const test of ALL_TESTS) {
      const d = DEFAULT_LEVELS[test];
      expect(validateFixedLevels(test, d.warning, d.critical), test).toBeNull();
    }
    expect(DEFAULT_LEVELS).toEqual({
      psi: { warning: 0.1, critical: 0.2 },
      wasserstein_norm: { warning: 0.1, critical: 0.2 },
      js: { warning: 0.1, critical: 0.2 },
      ks: { warning: 0.01, critical: 0.001 },
      chi2: { warning: 0.01, critical: 0.001 },
      share_change: { warning: 0.2, critical: 0.4 },
    });
  });

  it('rejects an unknown test', () => {
    expectDriftwatchError(() => testRule('kl' as DriftTestName), 'DW_INVALID_OPTION');
  });
});

describe('validateFixedLevels', () => {
  it('accepts ordered levels in range, nulls and equal levels', () => {
    expect(validateFixedLevels('psi', 0.1, 0.25)).toBeNull();
    expect(validateFixedLevels('psi', 5, 10)).toBeNull();
    expect(validateFixedLevels('ks', 0.05, 0.01)).toBeNull();
    expect(validateFixedLevels('chi2', 0.01, 0.01)).toBeNull();
    expect(validateFixedLevels('js', null, 0.5)).toBeNull();
    expect(validateFixedLevels('wasserstein_norm', 0.3, null)).toBeNull();
    expect(validateFixedLevels('ks', null, null)).toBeNull();
  });

  it('requires warning <= critical for distances', () => {
    expect(validateFixedLevels('psi', 0.3, 0.2)).toMatch(
      /warning level \(0\.3\) must not exceed critical level/,
    );
    expect(validateFixedLevels('js', 0.5, 0.4)).not.toBeNull();
  });

  it('requires warning >= critical for p-value tests (critical is the smaller p-level)', () => {
    expect(validateFixedLevels('ks', 0.001, 0.01)).toMatch(
      /critical p-level \(0\.01\) must not exceed warning/,
    );
    expect(validateFixedLevels('chi2', 0.01, 0.05)).not.toBeNull();
  });

  it("keeps each level inside the test's range", () => {
    expect(validateFixedLevels('psi', 0, 0.2)).toMatch(/warning level must be above 0, got 0/);
    expect(validateFixedLevels('psi', -1, null)).not.toBeNull();
    expect(validateFixedLevels('js', 0.1, 1)).toMatch(/below 1/);
    expect(validateFixedLevels('ks', 1, 0.01)).not.toBeNull();
    expect(validateFixedLevels('chi2', 0.01, 0)).not.toBeNull();
    expect(validateFixedLevels('psi', Number.NaN, null)).toMatch(/finite number, got NaN/);
    expect(validateFixedLevels('psi', 0.1, Infinity)).toMatch(/finite number/);
    for (const test of ALL_TESTS) expect(LEVEL_RANGE[test].above).toBe(0);
  });
});

describe('validateCalibratedLevels / validateThresholdSpec', () => {
  it('checks k >= 0 for std and q in [0, 1] for quantile, and warning <= critical', () => {
    expect(validateCalibratedLevels('std', 0, 3)).toBeNull();
    expect(validateCalibratedLevels('std', 2, null)).toBeNull();
    expect(validateCalibratedLevels('quantile', 0, 1)).toBeNull();
    expect(validateCalibratedLevels('std', -0.5, 3)).toMatch(/multiplier k must be a finite number >= 0/);
    expect(validateCalibratedLevels('std', 2, Infinity)).not.toBeNull();
    expect(validateCalibratedLevels('quantile', 0.95, 1.01)).toMatch(/q must be in \[0, 1\]/);
    expect(validateCalibratedLevels('quantile', Number.NaN, null)).toMatch(/got NaN/);
    expect(validateCalibratedLevels('std', 3, 2)).toMatch(
      /warning multiplier k \(3\) must not exceed critical/,
    );
  });

  it('dispatches on the spec kind; calibrated ks levels are not p-levels', () => {
    expect(validateThresholdSpec('ks', { kind: 'fixed', warning: 0.01, critical: 0.001 })).toBeNull();
    expect(validateThresholdSpec('ks', { kind: 'fixed', warning: 0.001, critical: 0.01 })).not.toBeNull();
    expect(validateThresholdSpec('ks', std(2, 3))).toBeNull();
    expect(validateThresholdSpec('ks', std(3, 2))).not.toBeNull();
  });
});

describe('resolveLevels', () => {
  it('fixed: the spec levels under the test rule', () => {
    expect(resolveLevels('psi', { kind: 'fixed', warning: 0.1, critical: 0.2 })).toEqual({
      rule: 'value-above',
      warning: 0.1,
      critical: 0.2,
      calibration: null,
    });
    expect(resolveLevels('chi2', { kind: 'fixed', warning: null, critical: 0.001 })).toEqual({
      rule: 'p-below',
      warning: null,
      critical: 0.001,
      calibration: null,
    });
  });

  it('fixed: invalid levels throw DW_INVALID_OPTION', () => {
    expectDriftwatchError(
      () => resolveLevels('ks', { kind: 'fixed', warning: 0.001, critical: 0.01 }),
      'DW_INVALID_OPTION',
    );
  });

  it('calibrated: value-above on the statistic for every test, p-value tests included', () => {
    for (const test of ALL_TESTS) {
      const resolved = resolveLevels(test, std(1, 2), [1, 3]);
      expect(resolved).toEqual({
        rule: 'value-above',
        warning: 3,
        critical: 4,
        calibration: { warning: 3, critical: 4, mean: 2, std: 1, chunks: 2 },
      });
    }
  });

  it('calibrated without chunk statistics or with too few throws DW_BASELINE_INVALID', () => {
    expectDriftwatchError(() => resolveLevels('psi', std(2, 3)), 'DW_BASELINE_INVALID');
    expectDriftwatchError(() => resolveLevels('psi', quantile(0.9, 0.99), [0.1]), 'DW_BASELINE_INVALID');
  });

  it('ignores chunk statistics for fixed specs', () => {
    const spec: ThresholdSpec = { kind: 'fixed', warning: 0.1, critical: 0.2 };
    expect(resolveLevels('js', spec, [])).toEqual(resolveLevels('js', spec));
  });
});

describe('severityOf', () => {
  const distance: Levels = { rule: 'value-above', warning: 0.1, critical: 0.2 };
  const pTest: Levels = { rule: 'p-below', warning: 0.01, critical: 0.001 };

  it('value-above fires at value >= level', () => {
    expect(severityOf(distance, 0.0999, null)).toBeNull();
    expect(severityOf(distance, 0.1, null)).toBe('warning');
    expect(severityOf(distance, 0.15, null)).toBe('warning');
    expect(severityOf(distance, 0.2, null)).toBe('critical');
    expect(severityOf(distance, Infinity, null)).toBe('critical');
    // The p-value plays no part in a value-above rule.
    expect(severityOf(distance, 0.05, 0)).toBeNull();
  });

  it('p-below fires at p < level, on the p-value only', () => {
    expect(severityOf(pTest, 999, 0.01)).toBeNull();
    expect(severityOf(pTest, 0, 0.0099)).toBe('warning');
    expect(severityOf(pTest, 0, 0.001)).toBe('warning');
    expect(severityOf(pTest, 0, 0.000999)).toBe('critical');
    expect(severityOf(pTest, 0, 0)).toBe('critical');
    expect(severityOf(pTest, 0, null)).toBeNull();
  });

  it('a null level never fires', () => {
    expect(severityOf({ rule: 'value-above', warning: null, critical: 0.2 }, 0.15, null)).toBeNull();
    expect(severityOf({ rule: 'value-above', warning: null, critical: 0.2 }, 0.25, null)).toBe('critical');
    expect(severityOf({ rule: 'value-above', warning: 0.1, critical: null }, 100, null)).toBe('warning');
    expect(severityOf({ rule: 'p-below', warning: null, critical: null }, 0, 0)).toBeNull();
  });

  it('NaN never fires', () => {
    expect(severityOf(distance, Number.NaN, null)).toBeNull();
    expect(severityOf(pTest, 0, Number.NaN)).toBeNull();
    expect(levelFires('value-above', Number.NaN, 1, null)).toBe(false);
  });

  it('is monotone: never drops as the value grows or the p-value shrinks', () => {
    const rank = (s: Severity | null) => (s === null ? 0 : s === 'warning' ? 1 : 2);
    const rand = seededRandom(9);
    const problems: string[] = [];
    for (let trial = 0; trial < 200; trial++) {
      const a = rand();
      const b = rand();
      const lo = Math.min(a, b);
      const hi = Math.max(a, b);
      const up: Levels = {
        rule: 'value-above',
        warning: rand() < 0.2 ? null : lo,
        critical: rand() < 0.2 ? null : hi,
      };
      const down: Levels = {
        rule: 'p-below',
        warning: rand() < 0.2 ? null : hi,
        critical: rand() < 0.2 ? null : lo,
      };
      const xs = Float64Array.from({ length: 50 }, () => rand()).sort();
      for (let i = 1; i < xs.length; i++) {
        if (rank(severityOf(up, xs[i]!, null)) < rank(severityOf(up, xs[i - 1]!, null)))
          problems.push(`up ${trial}`);
        if (rank(severityOf(down, 0, xs[i - 1]!)) < rank(severityOf(down, 0, xs[i]!)))
          problems.push(`down ${trial}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
