import { describe, expect, it } from 'vitest';
import { regressionMetrics } from '../../../src/core/performance/regression-metrics.ts';
import {
  REGRESSION_STATE_SERIAL_KIND,
  type RegressionBatch,
  RegressionState,
} from '../../../src/core/performance/regression-state.ts';
import { SeededRandom } from '../../../src/core/random/seeded-random.ts';
import { ByteWriter } from '../../../src/core/sketches/byte-codec.ts';
import {
  expectFrameIsGuarded,
  expectSameBytes,
  mergeCandidates,
  randomCuts,
} from '../sketches/sketch-test-support.ts';
import { expectStatisticInput } from '../stats/assertions.ts';
import { expectClose, loadPerformanceGolden, type RegressionCase } from './performance-fixture.ts';

const golden = loadPerformanceGolden();

function batch(c: RegressionCase, start: number, end: number): RegressionBatch {
  return {
    length: end - start,
    labels: Float64Array.from(c.labels.slice(start, end)),
    predictions: Float64Array.from(c.predictions.slice(start, end)),
  };
}

function build(c: RegressionCase, cuts: number[]): RegressionState {
  const state = RegressionState.create();
  for (let i = 0; i + 1 < cuts.length; i++) state.add(batch(c, cuts[i]!, cuts[i + 1]!));
  return state;
}

/** Two-pass reference for the error moments. */
function errorMoments(c: RegressionCase): { mean: number; std: number } {
  const e = c.labels.map((y, i) => c.predictions[i]! - y);
  const mean = e.reduce((a, b) => a + b, 0) / e.length;
  const m2 = e.reduce((a, b) => a + (b - mean) ** 2, 0);
  return { mean, std: Math.sqrt(m2 / e.length) };
}

describe('regressionMetrics against scikit-learn (performance-golden.json)', () => {
  it('covers zeros in y and a perfect model', () => {
    const names = golden.regression.map((c) => c.name);
    expect(names).toContain('regression_zeros_in_y');
    expect(names).toContain('regression_perfect');
  });

  for (const c of golden.regression) {
    it(`${c.name}: ${c.note}`, () => {
      const rng = new SeededRandom(5);
      const n = c.labels.length;
      const m = regressionMetrics(build(c, randomCuts(n, 5, rng)));
      expect(m.rows).toBe(n);
      expectClose(m.mae, c.expected.mae, 'MAE');
      expectClose(m.rmse, c.expected.rmse, 'RMSE');
      expectClose(m.mape, c.expected.mape, 'MAPE');
      const { mean, std } = errorMoments(c);
      expect(Math.abs(m.meanError - mean)).toBeLessThanOrEqual(1e-12 * Math.max(std, Math.abs(mean)));
      expect(Math.abs(m.errorStd - std)).toBeLessThanOrEqual(1e-10 * Math.max(std, Math.abs(mean), 1e-300));
      expect(m.zeroTargetRows).toBe(c.labels.filter((y) => Math.abs(y) < Number.EPSILON).length);
    });
  }

  it('divides by eps where y is 0 (MAPE explodes, as in scikit-learn)', () => {
    const s = RegressionState.create();
    s.add({ length: 2, labels: Float64Array.of(0, 2), predictions: Float64Array.of(1, 3) });
    const m = regressionMetrics(s);
    expect(m.mape).toBe((1 / Number.EPSILON + 0.5) / 2);
    expect(m.zeroTargetRows).toBe(1);
  });

  it('is NaN without rows', () => {
    const m = regressionMetrics(RegressionState.create());
    for (const v of [m.mae, m.rmse, m.mape, m.meanError, m.errorStd]) expect(v).toBeNaN();
  });
});

describe('RegressionState', () => {
  it('counts null, non-finite and valid rows apart', () => {
    const s = RegressionState.create();
    s.add({
      length: 6,
      labels: Float64Array.of(1, Number.NaN, 2, 3, Number.POSITIVE_INFINITY, 4),
      labelValidity: Uint8Array.of(0b111101),
      predictions: Float64Array.of(1.5, 0, Number.NaN, 3, 1, 4),
      predictionValidity: Uint8Array.of(0b110111),
    });
    expect([s.rows, s.unlabelledRows, s.unpredictedRows, s.invalidRows]).toEqual([2, 1, 1, 2]);
    expect(regressionMetrics(s).mae).toBe(0.25);
    expectStatisticInput(() =>
      s.add({ length: 3, labels: new Float64Array(2), predictions: new Float64Array(3) }),
    );
    expectStatisticInput(() =>
      s.add({ length: 3, labels: [1, 2, 3] as unknown as Float64Array, predictions: new Float64Array(3) }),
    );
    expectStatisticInput(() => s.mergeFrom({} as RegressionState));
  });

  it('merges in any order to the same metrics (up to rounding), also after serialization', () => {
    const c = golden.regression.find((x) => x.name === 'regression_large_offset')!;
    const rng = new SeededRandom(9);
    const whole = build(c, [0, c.labels.length]);
    const cuts = randomCuts(c.labels.length, 8, rng);
    const parts = cuts.slice(1).map((end, i) => build(c, [cuts[i]!, end]));
    const expected = regressionMetrics(whole);
    const candidates = mergeCandidates(
      'whole',
      whole,
      parts,
      {
        clone: (s) => s.clone(),
        merge: (into, from) => into.mergeFrom(from),
        roundTrip: (s) => RegressionState.deserialize(s.serialize()),
      },
      rng,
    );
    for (const [name, candidate] of candidates) {
      const m = regressionMetrics(candidate);
      expect(m.rows, name).toBe(expected.rows);
      for (const key of ['mae', 'rmse', 'mape', 'errorStd'] as const) {
        expectClose(m[key], expected[key], `${name} ${key}`, 1e-14);
      }
      expect(Math.abs(m.meanError - expected.meanError)).toBeLessThanOrEqual(1e-14 * expected.errorStd);
    }
  });

  it('merges into itself as two copies', () => {
    const c = golden.regression.find((x) => x.name === 'regression_random')!;
    const s = build(c, [0, c.labels.length]);
    const before = regressionMetrics(s);
    s.mergeFrom(s);
    const after = regressionMetrics(s);
    expect(after.rows).toBe(2 * before.rows);
    expectClose(after.mae, before.mae, 'MAE', 1e-15);
    expectClose(after.errorStd, before.errorStd, 'error std', 1e-13);
  });

  it('keeps an overflowing squared error as +Infinity without NaN', () => {
    const s = RegressionState.create();
    s.add({ length: 2, labels: Float64Array.of(0, 0), predictions: Float64Array.of(1e200, 1) });
    const m = regressionMetrics(s);
    expect(m.rmse).toBe(Number.POSITIVE_INFINITY);
    expect(m.mae).toBe(5e199);
    const decoded = RegressionState.deserialize(s.serialize());
    expect(regressionMetrics(decoded).rmse).toBe(Number.POSITIVE_INFINITY);
  });

  it('round-trips bit for bit and rejects damaged or impossible frames', () => {
    const c = golden.regression.find((x) => x.name === 'regression_zeros_in_y')!;
    const s = build(c, [0, 50, c.labels.length]);
    const bytes = s.serialize();
    expectSameBytes(RegressionState.deserialize(bytes).serialize(), bytes);
    expectSameBytes(
      RegressionState.deserialize(RegressionState.create().serialize()).serialize(),
      RegressionState.create().serialize(),
    );
    expectFrameIsGuarded(bytes, (b) => RegressionState.deserialize(b));
    const frame = (rows: number, zero: number, sums: number[], moments: number[]) => {
      const w = new ByteWriter(REGRESSION_STATE_SERIAL_KIND);
      for (const v of [rows, 0, 0, 0, zero]) w.varUint(v);
      for (const v of [...sums, ...moments]) w.f64(v);
      return w.finish();
    };
    expect(RegressionState.deserialize(frame(1, 0, [1, 0, 1, 0, 1, 0], [1, 0])).rows).toBe(1);
    for (const bad of [
      frame(1, 2, [1, 0, 1, 0, 1, 0], [1, 0]),
      frame(1, 0, [-1, 0, 1, 0, 1, 0], [1, 0]),
      frame(1, 0, [1, Number.NaN, 1, 0, 1, 0], [1, 0]),
      frame(0, 0, [1, 0, 0, 0, 0, 0], [0, 0]),
      frame(1, 0, [1, 0, 1, 0, 1, 0], [1, -1]),
      frame(0, 0, [0, 0, 0, 0, 0, 0], [1, 0]),
    ]) {
      expectStatisticInput(() => RegressionState.deserialize(bad));
    }
  });
});
