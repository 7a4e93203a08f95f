import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { adjustPValues } from '../../../src/core/drift/multiple-testing.ts';
import type { CorrectionName } from '../../../src/topology/topology-types.ts';
import { expectDriftwatchError } from '../stats/assertions.ts';
import { seededRandom } from '../stats/golden-fixture.ts';

/** Shapes of test/fixtures/stats/multiple-testing.json (written by generate_multiple_testing.py). */
type Encoded = number | 'NaN' | 'Infinity' | '-Infinity';
type Corrected = Exclude<CorrectionName, 'none'>;

interface PValueCase {
  readonly name: string;
  readonly note: string;
  readonly p: Encoded[];
  readonly expected: Record<Corrected, Encoded[]>;
}

const fixture: { versions: Record<string, string>; pValueCases: PValueCase[] } = JSON.parse(
  readFileSync(new URL('../../fixtures/stats/multiple-testing.json', import.meta.url), 'utf8'),
);

function decode(values: readonly Encoded[]): Float64Array {
  return Float64Array.from(values, (v) =>
    v === 'NaN' ? Number.NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v,
  );
}

const METHODS: readonly Corrected[] = ['bonferroni', 'holm', 'benjamini-hochberg'];

/** Relative tolerance of the golden comparisons (the implementation reproduces statsmodels' operations exactly). */
const REL = 1e-12;

function expectCloseArrays(actual: Float64Array, expected: Float64Array, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e)) {
      expect(Number.isNaN(a), `${label}[${i}]: expected NaN, got ${a}`).toBe(true);
      continue;
    }
    const ok = a === e || Math.abs(a - e) <= REL * Math.abs(e);
    expect(ok, `${label}[${i}]: got ${a}, expected ${e}`).toBe(true);
  }
}

describe('adjustPValues: statsmodels multipletests golden cases', () => {
  it('was generated with pinned versions', () => {
    expect(fixture.versions.statsmodels).toMatch(/^\d+\.\d+/);
    expect(fixture.versions.numpy).toMatch(/^\d+\.\d+/);
    expect(fixture.pValueCases.length).toBeGreaterThanOrEqual(12);
  });

  for (const c of fixture.pValueCases) {
    for (const method of METHODS) {
      it(`${c.name} / ${method}`, () => {
        const p = decode(c.p);
        expectCloseArrays(adjustPValues(p, method), decode(c.expected[method]), `${c.name}/${method}`);
        // A plain number[] gives the same result.
        expectCloseArrays(
          adjustPValues(Array.from(p), method),
          decode(c.expected[method]),
          `${c.name}/${method}`,
        );
      });
    }
  }

  it('matches statsmodels bit for bit for bonferroni and holm, and within one rounding for BH', () => {
    for (const c of fixture.pValueCases) {
      for (const method of METHODS) {
        const got = adjustPValues(decode(c.p), method);
        const want = decode(c.expected[method]);
        for (let i = 0; i < want.length; i++) {
          const e = want[i]!;
          if (Number.isNaN(e)) continue;
          const label = `${c.name}/${method}[${i}]`;
          // BH's smallest term is p·m rather than statsmodels' p / (1/m) (see adjustPValues): at most 1 ulp apart.
          if (method === 'benjamini-hochberg')
            expect(Math.abs(got[i]! - e), label).toBeLessThanOrEqual(2 ** -52 * e);
          else expect(got[i], label).toBe(e);
        }
      }
    }
  });
});

describe('adjustPValues: edge cases', () => {
  it("'none' returns a copy", () => {
    const p = Float64Array.of(0.3, 0.01, Number.NaN);
    const out = adjustPValues(p, 'none');
    expect(out).not.toBe(p);
    expect(Array.from(out)).toEqual([0.3, 0.01, Number.NaN]);
    out[0] = 1;
    expect(p[0]).toBe(0.3);
  });

  it('does not modify its input', () => {
    const p = Float64Array.of(0.04, 0.001, 0.5, 0.02);
    const copy = Float64Array.from(p);
    for (const method of METHODS) adjustPValues(p, method);
    expect(p).toEqual(copy);
  });

  it('returns an empty array for an empty family', () => {
    for (const method of [...METHODS, 'none'] as const) expect(adjustPValues([], method).length).toBe(0);
  });

  it('leaves NaN out of the family: the others are adjusted as if it were absent', () => {
    for (const method of METHODS) {
      const withNaN = adjustPValues([0.01, Number.NaN, 0.04, 0.03], method);
      const without = adjustPValues([0.01, 0.04, 0.03], method);
      expect(Number.isNaN(withNaN[1]!)).toBe(true);
      expect([withNaN[0], withNaN[2], withNaN[3]]).toEqual(Array.from(without));
    }
  });

  it('rejects p-values outside [0, 1] with DW_STATISTIC_INPUT', () => {
    for (const bad of [-0.1, 1.0000001, Infinity, -Infinity]) {
      for (const method of [...METHODS, 'none'] as const) {
        expectDriftwatchError(() => adjustPValues([0.5, bad], method), 'DW_STATISTIC_INPUT');
      }
    }
  });

  it('rejects an unknown method with DW_INVALID_OPTION', () => {
    expectDriftwatchError(() => adjustPValues([0.5], 'hommel' as CorrectionName), 'DW_INVALID_OPTION');
  });
});

describe('adjustPValues: properties', () => {
  const rand = seededRandom(42);
  const families: Float64Array[] = [];
  for (let trial = 0; trial < 200; trial++) {
    const m = 1 + Math.floor(rand() * 40);
    families.push(
      Float64Array.from({ length: m }, () => {
        const u = rand();
        // Mix signal (tiny p), ties (rounded), exact 0 and 1, and uniform noise.
        if (u < 0.1) return rand() ** 8;
        if (u < 0.2) return Math.round(rand() * 10) / 10;
        if (u < 0.23) return 0;
        if (u < 0.26) return 1;
        return rand();
      }),
    );
  }

  it('raw <= BH <= holm <= bonferroni, all within [0, 1], exactly in floating point', () => {
    const problems: string[] = [];
    families.forEach((p, f) => {
      const bh = adjustPValues(p, 'benjamini-hochberg');
      const holm = adjustPValues(p, 'holm');
      const bonf = adjustPValues(p, 'bonferroni');
      for (let i = 0; i < p.length; i++) {
        if (!(p[i]! <= bh[i]! && bh[i]! <= holm[i]! && holm[i]! <= bonf[i]! && bonf[i]! <= 1)) {
          problems.push(`family ${f} [${i}]: raw ${p[i]} bh ${bh[i]} holm ${holm[i]} bonferroni ${bonf[i]}`);
        }
      }
    });
    expect(problems).toEqual([]);
  });

  it('is monotone in the raw p-value and gives ties the same value', () => {
    const problems: string[] = [];
    families.forEach((p, f) => {
      for (const method of METHODS) {
        const adj = adjustPValues(p, method);
        for (let i = 0; i < p.length; i++) {
          for (let j = 0; j < p.length; j++) {
            if (p[i]! < p[j]! && !(adj[i]! <= adj[j]!))
              problems.push(`family ${f} ${method}: ${i} vs ${j} not monotone`);
            if (p[i]! === p[j]! && adj[i] !== adj[j])
              problems.push(`family ${f} ${method}: tie ${i}, ${j} split`);
          }
        }
      }
    });
    expect(problems).toEqual([]);
  });

  it('does not depend on the input order (permutation equivariance)', () => {
    for (const p of families.slice(0, 50)) {
      const perm = Array.from(p.keys()).sort(() => rand() - 0.5);
      const shuffled = Float64Array.from(perm, (k) => p[k]!);
      for (const method of METHODS) {
        const adj = adjustPValues(p, method);
        const adjShuffled = adjustPValues(shuffled, method);
        perm.forEach((k, i) => {
          expect(adjShuffled[i]).toBe(adj[k]);
        });
      }
    }
  });

  it('leaves a family of one unchanged', () => {
    for (const method of METHODS) {
      for (const p of [0, 1e-300, 0.03, 0.5, 1]) expect(adjustPValues([p], method)[0]).toBe(p);
    }
  });
});
