import { describe, expect, it } from 'vitest';
import {
  classificationMetrics,
  compareClassNames,
  rocAucFromHistograms,
  rocAucFromScores,
} from '../../../src/core/performance/classification-metrics.ts';
import { ClassificationState } from '../../../src/core/performance/classification-state.ts';
import { SeededRandom } from '../../../src/core/random/seeded-random.ts';
import { randomCuts } from '../sketches/sketch-test-support.ts';
import {
  type ClassificationCase,
  classificationBatch,
  expectClose,
  loadPerformanceGolden,
} from './performance-fixture.ts';

const golden = loadPerformanceGolden();

function stateFor(c: ClassificationCase): ClassificationState {
  return c.task === 'binary'
    ? ClassificationState.create({ task: 'binary', positiveClass: c.positiveClass! })
    : ClassificationState.create({ task: 'multiclass' });
}

/** The case's rows in random batches across three states (with junk rows), merged: as partitions would be. */
function buildState(c: ClassificationCase, seed: number): ClassificationState {
  const rng = new SeededRandom(seed);
  const cuts = randomCuts(c.labels.length, 6, rng);
  const parts = [stateFor(c), stateFor(c), stateFor(c)];
  for (let i = 0; i + 1 < cuts.length; i++) {
    parts[i % 3]!.add(classificationBatch(c, cuts[i]!, cuts[i + 1]!, rng, 3));
  }
  parts[1]!.mergeFrom(parts[2]!);
  parts[0]!.mergeFrom(parts[1]!);
  return parts[0]!;
}

describe('classificationMetrics against scikit-learn (performance-golden.json)', () => {
  it('covers the planned cases', () => {
    expect(golden.versions['scikit-learn']).toBe('1.9.1');
    expect(golden.classification.length).toBeGreaterThanOrEqual(15);
    const names = golden.classification.map((c) => c.name);
    for (const needed of ['binary_ties', 'binary_all_one_class', 'binary_perfect', 'binary_inverted']) {
      expect(names).toContain(needed);
    }
  });

  for (const c of golden.classification) {
    it(`${c.name}: ${c.note}`, () => {
      const state = buildState(c, 17);
      const m = classificationMetrics(state);
      const e = c.expected;
      expect(state.isExact).toBe(true);
      expect(m.rows).toBe(c.labels.length);
      expect(m.scoredRows).toBe(c.labels.length);
      expect(state.unlabelledRows + state.unpredictedRows).toBe(3 * 6);
      expectClose(m.accuracy, e.accuracy, 'accuracy');
      for (const key of ['precision', 'recall', 'f1'] as const) {
        expectClose(m.macro[key], e.macro[key], `macro ${key}`);
        expectClose(m.weighted[key], e.weighted[key], `weighted ${key}`);
        if (e.binary !== undefined) expectClose(m.binary![key], e.binary[key], `binary ${key}`);
      }
      expect(m.classes.map((s) => s.className)).toEqual(Object.keys(e.perClass));
      for (const s of m.classes) {
        const x = e.perClass[s.className]!;
        expect(s.support).toBe(x.support);
        expect(s.precision).toBe(x.precision);
        expect(s.recall).toBe(x.recall);
        expect(s.f1).toBe(x.f1);
      }
      expectClose(m.rocAuc.value, e.rocAuc, 'ROC AUC');
      expect(m.rocAuc.exact).toBe(true);
      if (c.task === 'binary') {
        // Bit for bit the correctly rounded Mann-Whitney value.
        if (e.rocAucRational === null) expect(m.rocAuc.value).toBeNaN();
        else expect(m.rocAuc.value).toBe(e.rocAucRational);
        expect(m.rocAucWeighted).toBeNull();
      } else {
        expectClose(m.rocAucWeighted!.value, e.rocAucWeighted ?? null, 'ROC AUC weighted');
        for (const [name, expected] of Object.entries(e.perClassRocAucRational!)) {
          const d = state.scoreDistribution(name);
          expect(d.exact).toBe(true);
          const value = rocAucFromScores(d.positive, d.negative);
          if (expected === null) expect(value).toBeNaN();
          else expect(value, name).toBe(expected);
        }
      }
      expectClose(m.logLoss, e.logLoss, 'log loss');
    });
  }

  it('gives the same metrics whatever the batches and merge order', () => {
    for (const c of golden.classification) {
      const a = classificationMetrics(buildState(c, 1));
      const b = classificationMetrics(buildState(c, 2));
      const { logLoss: la, ...restA } = a;
      const { logLoss: lb, ...restB } = b;
      expect(restA, c.name).toEqual(restB);
      expectClose(la, lb, `${c.name} log loss`, 1e-14);
    }
  });
});

describe('zero division', () => {
  it('sets 0 and lists each ill-defined ratio (as scikit-learn warns)', () => {
    const c = golden.classification.find((x) => x.name === 'multiclass_zero_division')!;
    const m = classificationMetrics(buildState(c, 3));
    expect(m.zeroDivision).toEqual([
      'precision of class c: never predicted',
      'recall of class d: never the true class',
    ]);
    const d = m.classes.find((s) => s.className === 'd')!;
    expect([d.support, d.recall, d.f1, d.precision]).toEqual([0, 0, 0, 0]);
    const cc = m.classes.find((s) => s.className === 'c')!;
    expect(cc.precision).toBe(0);
    expect(cc.f1).toBe(0);
  });

  it('reports an absent positive class with zeros and notes', () => {
    const c = golden.classification.find((x) => x.name === 'binary_positive_absent')!;
    const m = classificationMetrics(buildState(c, 3));
    expect(m.binary).toEqual({ precision: 0, recall: 0, f1: 0, positiveClass: '1' });
    expect(m.classes.map((s) => s.className)).toEqual(['0']);
    expect(m.zeroDivision).toHaveLength(3);
  });

  it('is NaN everywhere without rows', () => {
    const m = classificationMetrics(ClassificationState.create({ task: 'binary', positiveClass: 'p' }));
    expect(m.rows).toBe(0);
    for (const v of [
      m.accuracy,
      m.macro.f1,
      m.weighted.recall,
      m.binary!.precision,
      m.rocAuc.value,
      m.logLoss,
    ]) {
      expect(v).toBeNaN();
    }
    const multi = classificationMetrics(ClassificationState.create({ task: 'multiclass' }));
    expect(multi.rocAuc.value).toBeNaN();
    expect(multi.rocAucWeighted!.value).toBeNaN();
  });
});

describe('ROC AUC kernels', () => {
  it('counts ties as one half', () => {
    expect(rocAucFromScores(Float64Array.of(0.5), Float64Array.of(0.5))).toBe(0.5);
    expect(rocAucFromScores(Float64Array.of(0.2, 0.8, 0.8), Float64Array.of(0.1, 0.8))).toBe(4 / 6);
    expect(rocAucFromScores(Float64Array.of(1), new Float64Array(0))).toBeNaN();
  });

  it('histogram AUC equals the exact AUC when no bin holds both classes, and bounds it otherwise', () => {
    const r = rocAucFromHistograms(Float64Array.of(0, 0, 2, 1), Float64Array.of(3, 1, 0, 0));
    expect(r).toEqual({ value: 1, errorBound: 0 });
    const tied = rocAucFromHistograms(Float64Array.of(1, 1), Float64Array.of(1, 1));
    // Pairs: (bin1 pos, bin0 neg) = 1; same-bin pairs 2 x 1/2; (bin0 pos, bin1 neg) = 0 -> 2 / 4.
    expect(tied.value).toBe(0.5);
    expect(tied.errorBound).toBe(2 / 8);
    expect(rocAucFromHistograms(Float64Array.of(1), Float64Array.of(0)).value).toBeNaN();
  });

  it('sorts class names by code point', () => {
    const names = ['b', '\u{1F600}', 'a', '\uFF5E', 'ab', ''];
    expect(names.sort(compareClassNames)).toEqual(['', 'a', 'ab', 'b', '\uFF5E', '\u{1F600}']);
  });
});
